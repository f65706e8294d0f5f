#ifndef KORE_WEBHOOK_CLI_EVENTS_HPP
#define KORE_WEBHOOK_CLI_EVENTS_HPP

// Built-in callbacks shaped like the ones KORE sends: form-encoded bodies inherited from Twilio
// (SIM status, SMS Commands, IP Commands), an eSIM profile update in JSON, and the Event Streams
// test event (a JSON array of CloudEvents, as in published vector K4). Identifiers are random.

#include <openssl/rand.h>

#include <cstdio>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kore_cli {

struct event {
    std::string name;
    std::string content_type;
    std::string body;
};

inline constexpr std::string_view form_content_type = "application/x-www-form-urlencoded";
inline constexpr std::string_view json_content_type = "application/json";

struct event_info {
    std::string_view name;
    std::string_view summary;
};

inline constexpr event_info event_catalog[] = {
    {"sim-status", "Super SIM status update (form)"},
    {"sms-command", "SMS Command status (form)"},
    {"ip-command", "IP Command received from a device (form)"},
    {"esim-profile", "eSIM profile status (JSON)"},
    {"event-streams-test", "Event Streams test event: a JSON array of CloudEvents (like vector K4)"},
};

inline std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
        throw std::runtime_error("OpenSSL could not provide random bytes");
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const char c : raw) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0f]);
    }
    return out;
}

// A random (version 4) UUID, lowercase: the kore-idempotency-token format.
inline std::string uuid4() {
    std::string h = random_hex(16);
    h[12] = '4';
    h[16] = "89ab"[h[16] % 4];
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

// KORE's date header: ISO-8601 UTC, "2024-09-25T19:09:48Z".
inline std::string kore_date(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

// A Twilio-style SID: two letters and 32 hex digits.
inline std::string sid(std::string_view prefix) {
    return std::string(prefix) + random_hex(16);
}

inline std::string random_digits(std::size_t n) {
    std::string out;
    for (const char c : random_hex(n)) {
        out.push_back(static_cast<char>('0' + (static_cast<unsigned char>(c) % 10)));
    }
    return out;
}

inline std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    static constexpr char digits[] = "0123456789ABCDEF";
    const auto encode = [&](std::string_view s) {
        for (const char c : s) {
            const auto u = static_cast<unsigned char>(c);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                c == '.' || c == '~') {
                out.push_back(c);
            } else if (c == ' ') {
                out.push_back('+');
            } else {
                out.push_back('%');
                out.push_back(digits[u >> 4]);
                out.push_back(digits[u & 0x0f]);
            }
        }
    };
    for (const auto& [name, value] : fields) {
        if (!out.empty()) {
            out.push_back('&');
        }
        encode(name);
        out.push_back('=');
        encode(value);
    }
    return out;
}

// The event named `name`, freshly generated, or nothing for an unknown name.
inline std::optional<event> make_event(std::string_view name, std::time_t now) {
    const std::string account = sid("AC");
    const std::string sim = sid("HS");
    const std::string iccid = "8988307" + random_digits(12);
    const std::string date = kore_date(now);
    if (name == "sim-status") {
        return event{std::string(name), std::string(form_content_type),
                     form_encode({{"AccountSid", account},
                                  {"SimSid", sim},
                                  {"SimUniqueName", "tracker-0042"},
                                  {"SimIccid", iccid},
                                  {"SimStatus", "active"},
                                  {"FleetSid", sid("HF")},
                                  {"DateUpdated", date}})};
    }
    if (name == "sms-command") {
        return event{std::string(name), std::string(form_content_type),
                     form_encode({{"SmsCommandSid", sid("HC")},
                                  {"AccountSid", account},
                                  {"SimSid", sim},
                                  {"Status", "delivered"},
                                  {"Direction", "to_sim"},
                                  {"Payload", "reboot now"},
                                  {"DateCreated", date}})};
    }
    if (name == "ip-command") {
        return event{std::string(name), std::string(form_content_type),
                     form_encode({{"IpCommandSid", sid("HG")},
                                  {"AccountSid", account},
                                  {"SimSid", sim},
                                  {"SimIccid", iccid},
                                  {"Status", "received"},
                                  {"Direction", "from_sim"},
                                  {"DeviceIp", "100.64.12.34"},
                                  {"DevicePort", "10001"},
                                  {"PayloadType", "text"},
                                  {"Payload", "temp=21.5&battery=87%"},
                                  {"DateCreated", date}})};
    }
    if (name == "esim-profile") {
        return event{std::string(name), std::string(json_content_type),
                     "{\"AccountSid\":\"" + account + "\",\"EsimProfileSid\":\"" + sid("HP") + "\",\"Iccid\":\"" +
                         iccid + "\",\"Eid\":\"89049032" + random_digits(24) +
                         "\",\"Status\":\"installed\",\"DateUpdated\":\"" + date + "\"}"};
    }
    if (name == "event-streams-test") {
        char fraction[16];
        std::snprintf(fraction, sizeof fraction, ".%07u", static_cast<unsigned>(std::stoul(random_digits(6))));
        std::string time = date;
        time.pop_back();  // the CloudEvent time carries 7 fractional digits and +00:00, as in K4
        time += std::string(fraction) + "+00:00";
        return event{std::string(name), std::string(json_content_type),
                     "[{\"data\":{\"test_id\":\"" + uuid4() + "\"},\"id\":\"" + uuid4() + "\",\"time\":\"" + time +
                         "\",\"type\":\"com.kore.eventstreams.test.event\",\"source\":\"kore-events\","
                         "\"dataschema\":\"/schemas/test/1\",\"specversion\":\"1.0\","
                         "\"datacontenttype\":\"application/json\"}]"};
    }
    return std::nullopt;
}

}  // namespace kore_cli

#endif
