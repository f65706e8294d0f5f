#include <kore_cli/json_text.hpp>

#include <kore/webhook/detail/json/minifier.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>

namespace kore_cli::json {

std::optional<std::string> minified(std::string_view text) {
    kore::webhook::detail::json_minifier minifier;
    std::string out;
    out.reserve(text.size());
    minifier.feed(text, [&out](std::string_view run) { out.append(run); });
    if (minifier.failed() || !minifier.complete()) {
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> rewritten(std::string_view text, layout l) {
    const auto value = nlohmann::ordered_json::parse(text, nullptr, false);
    if (value.is_discarded()) {
        return std::nullopt;
    }
    if (l == layout::indent2 || l == layout::indent4) {
        return value.dump(l == layout::indent2 ? 2 : 4);
    }
    // nlohmann writes ',' and ':' bare or, when indenting, with newlines: the spaced layout is the
    // compact text with a space after each separator outside strings.
    const std::string compact = value.dump();
    std::string out;
    out.reserve(compact.size() + compact.size() / 8);
    bool in_string = false;
    bool escaped = false;
    for (const char c : compact) {
        out.push_back(c);
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == ',' || c == ':') {
            out.push_back(' ');
        }
    }
    return out;
}

std::string with_escaped_slashes(std::string_view text, bool escape) {
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

bool looks_like_json(std::string_view body) {
    const std::size_t first = body.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && (body[first] == '{' || body[first] == '[');
}

}  // namespace kore_cli::json
