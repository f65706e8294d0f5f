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
    // Indented by 0, nlohmann writes ": " after a name and puts each item on a line of its own; a
    // string's line breaks are escaped, so every line break there is between items or brackets.
    // The spaced layout is that text with ", " for ",\n" and no other line breaks.
    std::string out;
    for (const char c : value.dump(0)) {
        if (c != '\n') {
            out.push_back(c);
        } else if (out.back() == ',') {
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
        if (in_string && c == '\\' && i + 1 < text.size()) {  // an escape pair; only \/ may change
            const char escaped = text[++i];
            if (escape || escaped != '/') {
                out.push_back(c);
            }
            out.push_back(escaped);
            continue;
        }
        if (c == '"') {
            in_string = !in_string;
        }
        if (in_string && c == '/' && escape) {
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
