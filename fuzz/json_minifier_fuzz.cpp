// The minifier against nlohmann/json: for ASCII input both must agree on whether the text is
// JSON, and when it is, the minified text must be the same JSON value with no whitespace left
// outside strings, and feeding it in pieces must change nothing. And for any input, the block
// paths (each classifier) observe exactly what the byte-by-byte minifier observes, fed the way
// the stream feeds them.
#include <kore/webhook/detail/json_blocks.hpp>
#include <kore/webhook/detail/json_minifier.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

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

namespace detail = kore::webhook::detail;

// Where feed_until_whitespace stopped in each piece, failed() after each piece, the minified
// text and the final verdicts: everything the stream sees of a minifier.
struct trace {
    std::vector<std::size_t> stops;
    std::vector<bool> failed;
    std::string text;
    bool complete = false;
    bool removed = false;

    // A failed text's minified bytes are never used (and may include part of the interrupted run).
    bool operator==(const trace& o) const {
        const bool valid = failed.empty() || !failed.back();
        return stops == o.stops && failed == o.failed && (!valid || text == o.text) && complete == o.complete &&
               removed == o.removed;
    }
};

template <class Blocks>
trace observe(std::string_view input, std::size_t chunk) {
    detail::basic_json_minifier<Blocks> json;
    trace t;
    bool forked = false;
    const auto append = [&t](std::string_view run) { t.text.append(run); };
    for (std::size_t at = 0; at < input.size(); at += chunk) {
        const std::string_view piece = input.substr(at, chunk);
        if (forked) {
            json.feed(piece, append);
        } else {
            const std::size_t stop = json.feed_until_whitespace(piece);
            t.stops.push_back(stop);
            t.text.append(piece.substr(0, stop));
            if (stop < piece.size()) {
                forked = true;
                json.feed(piece.substr(stop + 1), append);
            }
        }
        t.failed.push_back(json.failed());
    }
    t.complete = json.complete();
    t.removed = json.removed_whitespace();
    return t;
}

void check_block_paths(std::string_view input, std::size_t chunk) {
    const trace reference = observe<detail::json_blocks_none>(input, chunk);
    if (!(observe<detail::json_blocks_portable>(input, chunk) == reference) ||
        !(observe<detail::json_blocks_default>(input, chunk) == reference)) {
        std::abort();
    }
#if KORE_WEBHOOK_SSE2
    if (!(observe<detail::json_blocks_sse2>(input, chunk) == reference)) {
        std::abort();
    }
#endif
#if KORE_WEBHOOK_AVX2_DISPATCH
    if (detail::cpu_has_avx2() && !(observe<detail::json_blocks_avx2>(input, chunk) == reference)) {
        std::abort();
    }
#endif
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    check_block_paths(input, input.size() + 1);
    check_block_paths(input, std::size_t{data[0]} * 4 + 1);
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
