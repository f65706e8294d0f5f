#ifndef KORE_WEBHOOK_CLI_VERIFY_HPP
#define KORE_WEBHOOK_CLI_VERIFY_HPP

// `kore-webhook verify`: judge one captured callback exactly as a receiver built on the library
// would (kore::webhook::verifier, plus the adapters' rules for repeated headers and GET queries),
// and with --explain say why a refused one was refused.

#include <kore_cli/explain.hpp>
#include <kore_cli/http_request.hpp>

#include <kore/webhook/result.hpp>
#include <kore/webhook/verifier.hpp>

#include <cstddef>
#include <string>

namespace kore_cli {

// What a receiver sees of one request: what --explain reasons about, and how many kore-signature
// fields it had.
struct verify_case : explain::request_facts {
    std::size_t signature_count = 0;
};

// The verdict a library-based receiver gives: the adapters' checks before the body (a repeated
// header, a GET with a query), then the verifier's own.
kore::webhook::result judge(const kore::webhook::verifier& v, const std::string& registered_url, const verify_case& c);

verify_case case_from_request(const http::request& req);

}  // namespace kore_cli

#endif
