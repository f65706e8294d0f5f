#ifndef KORE_WEBHOOK_CLI_SECRETS_HPP
#define KORE_WEBHOOK_CLI_SECRETS_HPP

// Where webhook secrets come from: --secret-file (content, one trailing newline stripped),
// --secret-env (an environment variable), --secret (the command line; warned about). Each secret
// carries a label naming its source, so messages can say which one without ever showing it.

#include "args.hpp"
#include "io.hpp"

#include <openssl/crypto.h>

#include <cstdlib>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace kore_cli {

struct secret {
    std::string value;
    std::string label;  // "--secret-file /etc/kore/secret", never the value

    secret() = default;
    secret(std::string v, std::string l) : value(std::move(v)), label(std::move(l)) {}
    secret(const secret&) = default;
    secret& operator=(const secret&) = default;
    secret(secret&&) noexcept = default;
    secret& operator=(secret&&) noexcept = default;
    ~secret() { OPENSSL_cleanse(value.data(), value.size()); }
};

struct secret_flags {
    std::string_view file = "--secret-file";
    std::string_view env = "--secret-env";
    std::string_view plain = "--secret";
};

// Loads every secret named by `flags`, in command-line order. Throws io_error or usage_error.
// Warnings (command-line secret, surrounding whitespace) go to `warn`; none shows a secret.
inline std::vector<secret> load_secrets(const parsed_args& args, std::ostream& warn, secret_flags flags = {}) {
    std::vector<secret> out;
    std::size_t plain_count = 0;
    for (const auto& o : args.all_of({flags.file, flags.env, flags.plain})) {
        secret s;
        if (o.name == flags.file) {
            s.label = std::string(flags.file) + " " + o.value;
            std::string text = read_file(o.value, 64 * 1024);
            if (!text.empty() && text.back() == '\n') {
                text.pop_back();
            }
            if (text.empty()) {
                throw io_error("the secret file '" + o.value + "' is empty");
            }
            s.value = std::move(text);
        } else if (o.name == flags.env) {
            s.label = std::string(flags.env) + " " + o.value;
            const char* v = o.value.empty() ? nullptr : std::getenv(o.value.c_str());
            if (v == nullptr || *v == '\0') {
                throw usage_error("the environment variable '" + o.value + "' named by " + std::string(flags.env) +
                                  " is not set or empty");
            }
            s.value = v;
        } else {
            ++plain_count;
            s.label = std::string(flags.plain) + " #" + std::to_string(plain_count);
            if (o.value.empty()) {
                throw usage_error(std::string(flags.plain) + " is empty");
            }
            s.value = o.value;
            warn << "warning: " << flags.plain
                 << " puts the secret in the process list and shell history; use --secret-file or --secret-env\n";
        }
        const char first = s.value.front();
        const char last = s.value.back();
        const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
        if (space(first) || space(last)) {
            warn << "warning: the secret from " << s.label
                 << " starts or ends with whitespace; it is used exactly as is\n";
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace kore_cli

#endif
