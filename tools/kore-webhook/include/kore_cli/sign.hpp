#ifndef KORE_WEBHOOK_CLI_SIGN_HPP
#define KORE_WEBHOOK_CLI_SIGN_HPP

// `kore-webhook sign`: the kore-signature KORE would send for a request.

#include <kore_cli/secrets.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace kore_cli {

struct sign_command {
    std::vector<secret_source> secrets;  // exactly one
    std::string url;
    std::string method = "POST";
    std::optional<std::string> body_file;  // no option: an empty body
};

// Prints the signature on `out`; notes and warnings on `err`. Returns 0; throws usage_error or
// io_error.
int run_sign(const sign_command& command, std::ostream& out, std::ostream& err);

}  // namespace kore_cli

#endif
