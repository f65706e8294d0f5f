#ifndef KORE_WEBHOOK_CLI_ARGS_HPP
#define KORE_WEBHOOK_CLI_ARGS_HPP

// Command-line parsing for one subcommand: declared options, `--name value` or `--name=value`,
// repeatable options kept in command-line order. Nothing here knows what an option means.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kore_cli {

// A mistake on the command line: exit code 2, message plus a pointer to --help.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct option_spec {
    std::string name;     // "--secret-file"
    std::string metavar;  // "FILE"; empty for a flag
    bool repeatable = false;
};

// The options a command line carried, in order.
class parsed_args {
public:
    struct occurrence {
        std::string name;
        std::string value;
    };

    bool has(std::string_view name) const noexcept {
        return std::any_of(items_.begin(), items_.end(), [&](const occurrence& o) { return o.name == name; });
    }
    std::optional<std::string> get(std::string_view name) const {
        for (const auto& o : items_) {
            if (o.name == name) {
                return o.value;
            }
        }
        return std::nullopt;
    }
    std::string get_or(std::string_view name, std::string fallback) const {
        auto v = get(name);
        return v ? *v : std::move(fallback);
    }
    std::vector<std::string> all(std::string_view name) const {
        std::vector<std::string> out;
        for (const auto& o : items_) {
            if (o.name == name) {
                out.push_back(o.value);
            }
        }
        return out;
    }
    // Every occurrence of any of `names`, in command-line order (secrets keep their rotation order).
    std::vector<occurrence> all_of(std::initializer_list<std::string_view> names) const {
        std::vector<occurrence> out;
        for (const auto& o : items_) {
            if (std::find(names.begin(), names.end(), o.name) != names.end()) {
                out.push_back(o);
            }
        }
        return out;
    }
    void add(std::string name, std::string value) { items_.push_back({std::move(name), std::move(value)}); }

private:
    std::vector<occurrence> items_;
};

// Parses `args` (the words after the subcommand) against `specs`. `-h` and `--help` are always
// accepted as the flag "--help". Throws usage_error naming the offending word.
inline parsed_args parse_args(const std::vector<std::string>& args, const std::vector<option_spec>& specs,
                              std::string_view command) {
    parsed_args out;
    const auto find = [&](std::string_view name) -> const option_spec* {
        for (const auto& s : specs) {
            if (s.name == name) {
                return &s;
            }
        }
        return nullptr;
    };
    const std::string help_hint = " (see: kore-webhook " + std::string(command) + " --help)";
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& word = args[i];
        if (word == "-h" || word == "--help") {
            out.add("--help", "");
            continue;
        }
        if (word.size() < 3 || word.compare(0, 2, "--") != 0) {
            throw usage_error("unexpected argument '" + word + "'" + help_hint);
        }
        const std::size_t eq = word.find('=');
        const std::string name = word.substr(0, eq);
        const option_spec* spec = find(name);
        if (spec == nullptr) {
            throw usage_error("unknown option " + name + " for '" + std::string(command) + "'" + help_hint);
        }
        if (!spec->repeatable && out.has(name)) {
            throw usage_error(name + " given twice" + help_hint);
        }
        if (spec->metavar.empty()) {
            if (eq != std::string::npos) {
                throw usage_error(name + " takes no value" + help_hint);
            }
            out.add(name, "");
            continue;
        }
        if (eq != std::string::npos) {
            out.add(name, word.substr(eq + 1));
        } else if (i + 1 < args.size()) {
            out.add(name, args[++i]);
        } else {
            throw usage_error(name + " needs a value (" + spec->metavar + ")" + help_hint);
        }
    }
    return out;
}

// Strict non-negative decimal, for counts and sizes.
inline std::size_t parse_count(std::string_view option, std::string_view text, std::size_t max) {
    if (text.empty() || text.size() > 12) {
        throw usage_error(std::string(option) + " needs a number, got '" + std::string(text) + "'");
    }
    std::size_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            throw usage_error(std::string(option) + " needs a number, got '" + std::string(text) + "'");
        }
        value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    if (value > max) {
        throw usage_error(std::string(option) + " is at most " + std::to_string(max));
    }
    return value;
}

}  // namespace kore_cli

#endif
