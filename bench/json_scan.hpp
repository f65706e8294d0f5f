#ifndef KORE_WEBHOOK_BENCH_JSON_SCAN_HPP
#define KORE_WEBHOOK_BENCH_JSON_SCAN_HPP

// The JSON scan alone, without a digest, for the reference rows of both benchmarks: what the
// stream spends on a minified JSON body beside the hash (docs/performance.md, "How far the scan
// can go"), and, when the build found simdjson (Debian: libsimdjson-dev), what simdjson spends on
// the same bytes: its first pass alone (structural index and UTF-8 check, no grammar) and a
// whole parse.

#include <kore/webhook/detail/json/minifier.hpp>

#if KORE_WEBHOOK_BENCH_SIMDJSON
#include <simdjson.h>
#endif

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace kore_bench {

inline constexpr std::size_t scan_chunk = 4096;

// The stream's JSON work on a body in 4 KiB pieces: true when the body is one JSON text with no
// whitespace to remove (the minified body's usual case, where the stream forks no second digest).
inline bool kore_scan(std::string_view body) {
    kore::webhook::detail::json_minifier json;
    for (std::size_t at = 0; at < body.size(); at += scan_chunk) {
        const std::string_view piece = body.substr(at, std::min(scan_chunk, body.size() - at));
        if (json.feed_until_whitespace(piece) != piece.size()) {
            return false;
        }
    }
    return json.complete() && !json.removed_whitespace();
}

#if KORE_WEBHOOK_BENCH_SIMDJSON
// simdjson's stage 1: ondemand::parser::iterate() indexes every structural character (and
// validates UTF-8) before it returns; nothing of the grammar is checked until values are read.
inline bool simdjson_stage1(simdjson::ondemand::parser& parser, const simdjson::padded_string& body) {
    auto document = parser.iterate(body);
    return document.error() == simdjson::SUCCESS;
}

// A whole parse into simdjson's DOM: every rule of the grammar, numbers converted.
inline bool simdjson_parse(simdjson::dom::parser& parser, const simdjson::padded_string& body) {
    return parser.parse(body).error() == simdjson::SUCCESS;
}
#endif

}  // namespace kore_bench

#endif
