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

inline constexpr std::string_view secret = "f4d430d03cff6f03e1";  // 18 bytes, as KORE's console issues
inline constexpr std::string_view next_secret = "0a1b2c3d4e5f6a7b8c";
inline constexpr std::string_view secret_32 = "7c1e0b9a52d84f36a1e9c0d7b5f2a864";  // 32 bytes
inline constexpr std::string_view method = "POST";
inline constexpr std::string_view url = "https://example.com/kore/callbacks";  // 34 bytes
inline constexpr std::string_view url_25 = "https://k.example.io/hook";        // 25 bytes
inline constexpr std::string_view url_80 =
    "https://webhooks.receiver.example.com/v2/kore/event-streams/sinks/DG0123456789abcd";  // 80 bytes

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

// Event Streams-style deliveries as KORE sends them: a minified JSON array of many small events
// (about 150 bytes each: ids, a type, a time, strings with spaces, numbers, the odd literal), of
// exactly `size` bytes (at least 256); a label in the last event makes up the size.
inline std::string events_body(std::size_t size) {
    std::mt19937 random(13);
    const auto hex = [&](std::size_t n) {
        std::string out;
        for (std::size_t i = 0; i < n; ++i) {
            out += "0123456789abcdef"[random() % 16];
        }
        return out;
    };
    constexpr std::string_view types[] = {"data-session.updated", "connection.attached", "sms.delivered",
                                          "location.updated"};
    constexpr std::string_view networks[] = {"T-Mobile USA", "Vodafone UK", "AT&T Mobility", "Telstra Mobile"};
    const auto event = [&](std::size_t id) {
        // One statement per random draw, so the bytes do not depend on the compiler's evaluation order.
        const std::size_t kind = random() % 4;
        std::string e = "{\"id\":\"EZ" + hex(16);
        e += "\",\"type\":\"com.kore." + std::string(types[kind]) +
             "\",\"time\":\"2026-12-07T16:" + std::to_string(10 + id % 50) + ":0" + std::to_string(id % 10) +
             "Z\",\"data\":{\"network\":\"" + std::string(networks[random() % 4]) + "\"";
        const auto number = [&](std::uint32_t below) { return std::to_string(random() % below); };
        if (kind == 0) {
            e += ",\"bytes\":" + number(2000000);
            e += ",\"seq\":" + std::to_string(id);
        } else if (kind == 1) {
            e += ",\"rssi\":-" + std::to_string(50 + random() % 60);
            e += std::string(",\"roaming\":") + (random() % 2 == 0 ? "false" : "true");
        } else if (kind == 2) {
            e += ",\"segments\":" + number(3);
            e += ",\"cost\":0.00" + number(90);
        } else {
            e += ",\"lat\":51." + number(100000);
            e += ",\"lon\":-0." + number(100000);
        }
        return e + "}}";
    };
    // Each event is under 200 bytes: events go in while one more surely fits, then the last takes the rest.
    constexpr std::size_t largest = 200;
    std::string body = "[";
    for (std::size_t id = 0;; ++id) {
        const std::string separator = id == 0 ? "" : ",";
        if (body.size() + 2 * largest + 12 <= size) {
            body += separator + event(id);
            continue;
        }
        std::string last = separator + event(id);
        // (Below about 200 bytes no event fits: the body is then one event, longer than asked.)
        const std::size_t used = body.size() + last.size() + 12;
        const std::size_t label = size > used ? size - used : 0;
        std::string text;
        while (text.size() < label) {
            text += "signal ok ";
        }
        text.resize(label);
        last.insert(last.size() - 2, ",\"label\":\"" + text + "\"");  // 11 bytes and the text
        return body + last + "]";
    }
}

// `json` (minified) spread over indented lines as a framework's serializer might write it.
inline std::string pretty(std::string_view json) {
    std::string out;
    std::string indent = "\n";
    bool in_string = false;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        out += c;
        if (in_string) {
            in_string = c != '"' || json[i - 1] == '\\';
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            indent += "  ";
            out += indent;
        } else if (c == ',') {
            out += indent;
        } else if (c == ':') {
            out += ' ';
        }
        if (!in_string && i + 1 < json.size() && (json[i + 1] == '}' || json[i + 1] == ']')) {
            indent.resize(indent.size() - 2);
            out += indent;
        }
    }
    return out;
}

// pretty(events_body()) of exactly `size` bytes (at least 256): the last event's label is cut or
// lengthened to make up the size.
inline std::string pretty_events_body(std::size_t size) {
    for (std::size_t compact = size;;) {
        std::string text = pretty(events_body(compact));
        const std::size_t from = text.rfind("\"label\": \"") + 10;
        const std::size_t to = text.find('"', from);
        if (text.size() <= size) {
            return text.insert(to, std::string(size - text.size(), 'x'));
        }
        if (text.size() - size <= to - from) {
            return text.erase(to - (text.size() - size), text.size() - size);
        }
        compact -= text.size() - size;
    }
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
