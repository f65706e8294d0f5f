#ifndef KORE_WEBHOOK_CLI_JSON_FORMAT_HPP
#define KORE_WEBHOOK_CLI_JSON_FORMAT_HPP

// Re-spacing a JSON text the ways common serialisers write it (minified, "a, b" / "k: v",
// indented), and the "\/" escape some of them add. String literals are copied byte for byte;
// nothing else is changed. Used by `send --pretty-json` and by `verify --explain`.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kore_cli::json {

struct style {
    std::string_view item_separator = ",";  // between members and elements
    std::string_view key_separator = ":";   // between a key and its value
    int indent = -1;                        // >= 0: one member per line, indented by this much
};

inline constexpr style minified{};
inline constexpr style spaced{", ", ": ", -1};  // Python's json.dumps default
inline constexpr style pretty2{",", ": ", 2};   // JSON.stringify(v, null, 2), jq
inline constexpr style pretty4{",", ": ", 4};   // json.dumps(indent=4), Jackson

// The same JSON text in `st`, or nothing when the input is not a balanced JSON text.
inline std::optional<std::string> reformat(std::string_view text, const style& st) {
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    bool any = false;
    std::string stack;
    const auto newline = [&](int level) {
        if (st.indent >= 0) {
            out.push_back('\n');
            out.append(static_cast<std::size_t>(level * st.indent), ' ');
        }
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            out.push_back(c);
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        switch (c) {
            case ' ':
            case '\t':
            case '\n':
            case '\r':
                break;
            case '"':
                in_string = true;
                any = true;
                out.push_back(c);
                break;
            case '{':
            case '[': {
                any = true;
                out.push_back(c);
                stack.push_back(c == '{' ? '}' : ']');
                ++depth;
                // An empty container stays "{}" / "[]".
                std::size_t j = i + 1;
                while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r')) {
                    ++j;
                }
                if (j < text.size() && text[j] == stack.back()) {
                    out.push_back(stack.back());
                    stack.pop_back();
                    --depth;
                    i = j;
                } else {
                    newline(depth);
                }
                break;
            }
            case '}':
            case ']':
                if (stack.empty() || stack.back() != c) {
                    return std::nullopt;
                }
                stack.pop_back();
                --depth;
                newline(depth);
                out.push_back(c);
                break;
            case ',':
                if (stack.empty()) {
                    return std::nullopt;
                }
                if (st.indent >= 0) {
                    out.push_back(',');
                    newline(depth);
                } else {
                    out.append(st.item_separator);
                }
                break;
            case ':':
                if (stack.empty() || stack.back() != '}') {
                    return std::nullopt;
                }
                out.append(st.key_separator);
                break;
            default:
                any = true;
                out.push_back(c);
        }
    }
    if (in_string || !stack.empty() || !any) {
        return std::nullopt;
    }
    return out;
}

// Inside string literals: "/" written as "\/" (PHP's json_encode) or the reverse.
inline std::string with_escaped_slashes(std::string_view text, bool escape) {
    std::string out;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (!in_string) {
            in_string = c == '"';
            out.push_back(c);
            continue;
        }
        if (c == '\\' && i + 1 < text.size()) {
            if (!escape && text[i + 1] == '/') {
                out.push_back('/');
            } else {
                out.push_back(c);
                out.push_back(text[i + 1]);
            }
            ++i;
            continue;
        }
        if (c == '"') {
            in_string = false;
        }
        if (c == '/' && escape) {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    return out;
}

inline bool looks_like_json(std::string_view body) {
    const std::size_t first = body.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && (body[first] == '{' || body[first] == '[');
}

}  // namespace kore_cli::json

#endif
