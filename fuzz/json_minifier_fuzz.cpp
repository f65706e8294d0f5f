// The minifier against nlohmann/json: for ASCII input both must agree on whether the text is
// JSON, and when it is, the minified text must be the same JSON value with no whitespace left
// outside strings, and feeding it in pieces must change nothing.
#include <kore/webhook/detail/json_minifier.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

struct minified {
    std::string text;
    bool complete = false;
    bool removed = false;
};

minified run(std::string_view input, std::size_t chunk) {
    kore::webhook::detail::json_minifier json;
    minified out;
    for (std::size_t at = 0; at < input.size(); at += chunk) {
        json.feed(input.substr(at, chunk), [&](std::string_view run) { out.text.append(run); });
    }
    out.complete = json.complete() && !json.failed();
    out.removed = json.removed_whitespace();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    for (const char c : input) {
        // nlohmann validates UTF-8, which the minifier deliberately leaves alone, and stops at a
        // NUL as if the text ended there, where the minifier (rightly) refuses it.
        if (static_cast<unsigned char>(c) >= 0x80 || c == '\0') {
            return 0;
        }
    }
    const minified whole = run(input, input.size() + 1);
    const minified pieces = run(input, std::size_t{data[0]} % 17 + 1);
    if (whole.complete != pieces.complete || (whole.complete && whole.text != pieces.text)) {
        std::abort();
    }
    bool nlohmann_accepts = nlohmann::json::accept(input);
    bool out_of_range = false;
    if (whole.complete && !nlohmann_accepts) {
        try {
            (void)nlohmann::json::parse(input);
        } catch (const nlohmann::json::out_of_range&) {
            out_of_range = true;  // 7E777 is JSON by the grammar; nlohmann refuses numbers it cannot hold
        } catch (const nlohmann::json::exception&) {
        }
    }
    if (whole.complete != nlohmann_accepts && !out_of_range && input.size() < 400) {  // 400: below max_depth
        std::abort();
    }
    if (whole.complete && !out_of_range) {
        if (nlohmann::json::parse(whole.text) != nlohmann::json::parse(input)) {
            std::abort();
        }
        if (whole.removed != (whole.text.size() != input.size())) {
            std::abort();
        }
    }
    return 0;
}
