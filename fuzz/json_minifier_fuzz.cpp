// The minifier against nlohmann/json: both must agree on whether the text is JSON, and when it
// is, the minified text must be the same JSON value with no whitespace left outside strings, and
// feeding it in pieces must change nothing.
//
// Where RFC 8259's grammar and nlohmann/json part ways the oracle says so on purpose, each
// difference once and narrowly, so that everything else still counts:
//   1. bytes >= 0x80: nlohmann validates UTF-8, which the grammar's byte-level rules (and the
//      minifier) leave alone: such inputs are skipped.
//   2. NUL: nlohmann stops at it as if the text ended there, where the minifier refuses it:
//      skipped.
//   3. numbers a double cannot hold (7E777): JSON by the grammar, out_of_range to nlohmann.
//   4. \uD800-\uDFFF escapes that are not a surrogate pair ("~\uDCCC"): the grammar allows any
//      four hex digits, nlohmann refuses a lone surrogate. nlohmann is asked about the text with
//      every surrogate escape moved out of the surrogate range (same length, same grammar).
//   5. nesting deeper than json_minifier::max_depth: the minifier refuses it (fixed memory),
//      nlohmann accepts it.
#include <kore/webhook/detail/json/minifier.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using kore::webhook::detail::json_minifier;

struct minified {
    std::string text;
    bool complete = false;
    bool removed = false;
};

minified run(std::string_view input, std::size_t chunk) {
    json_minifier json;
    minified out;
    for (std::size_t at = 0; at < input.size(); at += chunk) {
        json.feed(input.substr(at, chunk), [&](std::string_view run) { out.text.append(run); });
    }
    out.complete = json.complete() && !json.failed();
    out.removed = json.removed_whitespace();
    return out;
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Difference 4: "\uDxyz" with x in 8-F becomes "\u0xyz", a code point outside the surrogate
// range. A "\u" that is not an escape (after an escaped backslash, or outside a string) is text
// either way, so rewriting it cannot change what the grammar says.
std::string without_surrogate_escapes(std::string_view text) {
    std::string out(text);
    for (std::size_t i = 0; i + 5 < out.size(); ++i) {
        if (out[i] == '\\' && out[i + 1] == 'u' && (out[i + 2] == 'd' || out[i + 2] == 'D') && is_hex(out[i + 3]) &&
            std::string_view("89abcdefABCDEF").find(out[i + 3]) != std::string_view::npos) {
            out[i + 2] = '0';
        }
    }
    return out;
}

// Difference 5: the deepest nesting of a text nlohmann accepted (so strings are well formed).
std::size_t nesting_depth(std::string_view json) {
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (in_string) {
            i += c == '\\' ? 1 : 0;
            in_string = c != '"';
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

enum class verdict { accepted, refused, out_of_range };

verdict nlohmann_verdict(const std::string& text) {
    if (nlohmann::json::accept(text)) {
        return verdict::accepted;
    }
    try {
        (void)nlohmann::json::parse(text);
    } catch (const nlohmann::json::out_of_range&) {
        return verdict::out_of_range;  // difference 3
    } catch (const nlohmann::json::exception&) {
    }
    return verdict::refused;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    for (const char c : input) {
        if (static_cast<unsigned char>(c) >= 0x80 || c == '\0') {  // differences 1 and 2
            return 0;
        }
    }
    const minified whole = run(input, input.size() + 1);
    const minified pieces = run(input, std::size_t{data[0]} % 17 + 1);
    if (whole.complete != pieces.complete || (whole.complete && whole.text != pieces.text)) {
        std::abort();
    }
    const std::string comparable = without_surrogate_escapes(input);
    const verdict reference = nlohmann_verdict(comparable);
    if (reference == verdict::out_of_range) {
        return 0;
    }
    const bool too_deep = reference == verdict::accepted && nesting_depth(comparable) > json_minifier::max_depth;
    if (whole.complete != (reference == verdict::accepted && !too_deep)) {
        std::abort();
    }
    if (whole.complete) {
        if (nlohmann::json::parse(without_surrogate_escapes(whole.text)) != nlohmann::json::parse(comparable)) {
            std::abort();
        }
        if (whole.removed != (whole.text.size() != input.size())) {
            std::abort();
        }
        if (run(whole.text, whole.text.size() + 1).text != whole.text) {  // minifying is idempotent
            std::abort();
        }
    }
    return 0;
}
