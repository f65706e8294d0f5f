#ifndef KORE_WEBHOOK_CLI_VERIFY_HPP
#define KORE_WEBHOOK_CLI_VERIFY_HPP

// `kore-webhook verify`: judge one captured callback exactly as a receiver built on the library
// would (kore::webhook::verifier, plus the adapters' rules for repeated headers and GET queries),
// and with --explain say why a refused one was refused.

#include <kore_cli/explain.hpp>
#include <kore_cli/http_request.hpp>
#include <kore_cli/secrets.hpp>

#include <kore/webhook/options.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/verifier.hpp>

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace kore_cli {

struct verify_command {
    std::vector<secret_source> secrets;          // accepted, in rotation order
    std::vector<secret_source> explain_secrets;  // not accepted; --explain tests them
    std::string url;
    // Either a captured request...
    std::optional<std::string> request_file;
    // ...or its parts.
    std::optional<std::string> method;
    std::optional<std::string> body_file;
    std::optional<std::string> signature;
    bool no_signature = false;
    bool explain = false;
    kore::webhook::options options;
};

// What a receiver sees of one request: what --explain reasons about, and how many kore-signature
// fields it had.
struct verify_case : explain::request_facts {
    std::size_t signature_count = 0;
};

// The verdict a library-based receiver gives: the adapters' checks before the body (a repeated
// header, a GET with a query), then the verifier's own.
kore::webhook::result judge(const kore::webhook::verifier& v, const std::string& registered_url, const verify_case& c);

verify_case case_from_request(const http::request& req);

// Prints "verified" or "<error_name>: <message>" (and --explain's findings) on `out`, notes on
// `err`. Returns 0 verified, 1 refused; throws usage_error or io_error.
int run_verify(const verify_command& command, std::ostream& out, std::ostream& err);

}  // namespace kore_cli

#endif
