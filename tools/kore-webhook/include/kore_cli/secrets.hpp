#ifndef KORE_WEBHOOK_CLI_SECRETS_HPP
#define KORE_WEBHOOK_CLI_SECRETS_HPP

// Where webhook secrets come from: --secret-file (content, one trailing newline stripped),
// --secret-env (an environment variable), --secret (the command line; warned about). Each secret
// carries a label naming its source, so messages can say which one without ever showing it.

#include <ostream>
#include <string>
#include <vector>

namespace kore_cli {

// One secret option as given on the command line, in command-line order (the order is the
// rotation order: the first secret that verifies is the one reported).
struct secret_source {
    enum class kind { file, env, plain };
    kind from = kind::file;
    std::string option;  // "--secret-file", "--explain-secret-env", ...
    std::string value;   // the path, the variable name, or (plain) the secret itself
};

struct secret {
    std::string value;
    std::string label;  // "--secret-file /etc/kore/secret", never the value

    secret() = default;
    secret(const secret&) = default;
    secret& operator=(const secret&) = default;
    secret(secret&&) noexcept = default;
    secret& operator=(secret&&) noexcept = default;
    ~secret();
};

// Loads every source, in order. Throws io_error or usage_error. Warnings (a command-line secret,
// surrounding whitespace) go to `warn`; none shows a secret.
std::vector<secret> load_secrets(const std::vector<secret_source>& sources, std::ostream& warn);

}  // namespace kore_cli

#endif
