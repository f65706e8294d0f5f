#include <kore_cli/secrets.hpp>

#include <kore_cli/errors.hpp>
#include <kore_cli/io.hpp>

#include <kore/webhook/detail/digest.hpp>

#include <cstdlib>

namespace kore_cli {

secret::~secret() {
    kore::webhook::detail::cleanse(value);
}

std::vector<secret> load_secrets(const std::vector<secret_source>& sources, std::ostream& warn) {
    std::vector<secret> out;
    std::size_t plain_count = 0;
    for (const auto& source : sources) {
        secret s;
        switch (source.from) {
            case secret_source::kind::file: {
                s.label = source.option + " " + source.value;
                std::string text = read_file(source.value, 64 * 1024);
                if (!text.empty() && text.back() == '\n') {
                    text.pop_back();
                }
                if (text.empty()) {
                    throw io_error("the secret file '" + source.value + "' is empty");
                }
                s.value = std::move(text);
                break;
            }
            case secret_source::kind::env: {
                s.label = source.option + " " + source.value;
                const char* v = source.value.empty() ? nullptr : std::getenv(source.value.c_str());
                if (v == nullptr || *v == '\0') {
                    throw usage_error("the environment variable '" + source.value + "' named by " + source.option +
                                      " is not set or empty");
                }
                s.value = v;
                break;
            }
            case secret_source::kind::plain:
                ++plain_count;
                s.label = source.option + " #" + std::to_string(plain_count);
                if (source.value.empty()) {
                    throw usage_error(source.option + " is empty");
                }
                s.value = source.value;
                warn << "warning: " << source.option
                     << " puts the secret in the process list and shell history; use --secret-file or --secret-env\n";
                break;
        }
        const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
        if (space(s.value.front()) || space(s.value.back())) {
            warn << "warning: the secret from " << s.label
                 << " starts or ends with whitespace; it is used exactly as is\n";
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace kore_cli
