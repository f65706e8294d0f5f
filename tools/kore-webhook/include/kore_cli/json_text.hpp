#ifndef KORE_WEBHOOK_CLI_JSON_TEXT_HPP
#define KORE_WEBHOOK_CLI_JSON_TEXT_HPP

// JSON bodies written the ways common serialisers write them, for `send --pretty-json` and for
// `verify --explain`. Minifying is the library's own validating minifier (whitespace removed,
// nothing else changed: what the verifier's JSON fallback compares); the other layouts come from
// parsing the text (nlohmann/json, member order kept) and writing it again, as a framework that
// re-serialises a body does.

#include <optional>
#include <string>
#include <string_view>

namespace kore_cli::json {

enum class layout {
    spaced,   // ", " and ": " between items (Python's json.dumps default)
    indent2,  // one member per line, indented by 2 (JSON.stringify(v, null, 2), jq)
    indent4,  // indented by 4 (json.dumps(indent=4), Jackson's pretty printer)
};

// The text without insignificant whitespace, or nothing when it is not one JSON text.
std::optional<std::string> minified(std::string_view text);

// The same JSON value written in `l`, or nothing when the text is not JSON.
std::optional<std::string> rewritten(std::string_view text, layout l);

// Inside string literals: "/" written as "\/" (PHP's json_encode), or the reverse.
std::string with_escaped_slashes(std::string_view text, bool escape);

// Starts (after whitespace) with '{' or '['.
bool looks_like_json(std::string_view body);

}  // namespace kore_cli::json

#endif
