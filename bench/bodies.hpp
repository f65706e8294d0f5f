#ifndef KORE_WEBHOOK_BENCH_BODIES_HPP
#define KORE_WEBHOOK_BENCH_BODIES_HPP

// The request bodies every measurement uses (the benchmark, the instruction-count gate and the
// Python comparison, which reads them from files), so all three time the same bytes. Each body has
// exactly the size asked for; the generators are seeded, so the bytes never change between runs.

#include <kore/webhook/detail/json/minifier.hpp>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace kore_bench {

inline constexpr std::string_view secret = "f4d430d03cff6f03e1";
inline constexpr std::string_view next_secret = "0a1b2c3d4e5f6a7b8c";
inline constexpr std::string_view method = "POST";
inline constexpr std::string_view url = "https://example.com/kore/callbacks";

// A form post such as the legacy notifications send.
inline std::string form_body(std::size_t size) {
    std::string body;
    std::mt19937 random(7);
    while (body.size() < size) {
        body += "field" + std::to_string(random() % 100) + "=value" + std::to_string(random()) + "&";
    }
    body.resize(size);
    return body;
}

// An Event Streams-like JSON array of exactly `size` bytes (at least 64). `pretty` spreads it over
// indented lines as a framework's serializer might; the last event's padding string makes up the size.
inline std::string json_body(std::size_t size, bool pretty) {
    const std::string nl = pretty ? "\n  " : "";
    const std::string sp = pretty ? " " : "";
    const auto event = [&](std::size_t id, std::size_t padding) {
        return "{\"id\":" + sp + "\"" + std::to_string(id) + "\"," + sp + "\"type\":" + sp +
               "\"com.kore.eventstreams.test.event\"," + sp + "\"data\":" + sp + "{\"test_id\":" + sp +
               "\"88bf54a9-f2fb-40b6-8faf-e6c5a3c348d2\"," + sp + "\"note\":" + sp + "\"" + std::string(padding, 'x') +
               "\"}}";
    };
    const std::string close = pretty ? "\n]" : "]";
    std::string body = "[";
    for (std::size_t id = 0;; ++id) {
        const std::string separator = (id == 0 ? "" : ",") + nl;
        const std::size_t smallest = body.size() + separator.size() + event(id, 0).size() + close.size();
        if (smallest > size) {
            break;  // only for sizes below one event: the caller gets "[]"
        }
        const std::size_t room = size - smallest;
        if (room < 1 + nl.size() + event(id + 1, 0).size()) {
            body += separator + event(id, room);  // no room for another event: this one takes the rest
            break;
        }
        body += separator + event(id, 0);
    }
    return body + close;
}

// Random bytes, NULs and 0x80s included: what a binary upload looks like to the length-extension guard.
inline std::string binary_body(std::size_t size) {
    std::string body(size, '\0');
    std::mt19937 random(11);
    for (char& c : body) {
        c = static_cast<char>(random() & 0xffU);
    }
    return body;
}

// The body without its insignificant whitespace: what KORE signs when it signs minified JSON.
inline std::string minified(std::string_view json) {
    kore::webhook::detail::json_minifier minifier;
    std::string out;
    minifier.feed(json, [&](std::string_view run) { out.append(run); });
    return out;
}

}  // namespace kore_bench

#endif
