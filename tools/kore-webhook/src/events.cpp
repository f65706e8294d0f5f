#include <kore_cli/events.hpp>

#include <kore/webhook/detail/hex.hpp>

#include <nlohmann/json.hpp>

#include <openssl/rand.h>

#include <array>
#include <ctime>
#include <stdexcept>

namespace kore_cli {

namespace {

template <std::size_t N>
std::array<unsigned char, N> random_bytes() {
    std::array<unsigned char, N> out{};
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
        throw std::runtime_error("OpenSSL could not provide random bytes");
    }
    return out;
}

template <std::size_t N>
std::string random_digits() {
    std::string out;
    for (const unsigned char b : random_bytes<N>()) {
        out.push_back(static_cast<char>('0' + b % 10));
    }
    return out;
}

}  // namespace

std::string sid(std::string_view prefix) {
    return std::string(prefix) + kore::webhook::detail::encode_hex(random_bytes<16>());
}

std::string uuid4() {
    std::string h = kore::webhook::detail::encode_hex(random_bytes<16>());
    h[12] = '4';
    h[16] = "89ab"[h[16] % 4];
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::string kore_date(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    // Upper-case digits, as RFC 3986 (2.1) recommends; this is encoding, not the signature's hex.
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    const auto encode = [&](std::string_view s) {
        for (const char c : s) {
            const auto u = static_cast<unsigned char>(c);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                c == '.' || c == '~') {
                out.push_back(c);
            } else if (c == ' ') {
                out.push_back('+');
            } else {
                out += {'%', digits[u >> 4], digits[u & 0x0f]};
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

std::optional<event> make_event(std::string_view name, std::time_t now) {
    const std::string account = sid("AC");
    const std::string sim = sid("HS");
    const std::string iccid = "8988307" + random_digits<12>();
    const std::string date = kore_date(now);
    const auto form = [&](std::vector<std::pair<std::string, std::string>> fields) {
        return event{std::string(name), std::string(form_content_type), form_encode(fields)};
    };
    const auto json = [&](const nlohmann::ordered_json& value) {
        return event{std::string(name), std::string(json_content_type), value.dump()};
    };
    if (name == "sim-status") {
        return form({{"AccountSid", account},
                     {"SimSid", sim},
                     {"SimUniqueName", "tracker-0042"},
                     {"SimIccid", iccid},
                     {"SimStatus", "active"},
                     {"FleetSid", sid("HF")},
                     {"DateUpdated", date}});
    }
    if (name == "sms-command") {
        return form({{"SmsCommandSid", sid("HC")},
                     {"AccountSid", account},
                     {"SimSid", sim},
                     {"Status", "delivered"},
                     {"Direction", "to_sim"},
                     {"Payload", "reboot now"},
                     {"DateCreated", date}});
    }
    if (name == "ip-command") {
        return form({{"IpCommandSid", sid("HG")},
                     {"AccountSid", account},
                     {"SimSid", sim},
                     {"SimIccid", iccid},
                     {"Status", "received"},
                     {"Direction", "from_sim"},
                     {"DeviceIp", "100.64.12.34"},
                     {"DevicePort", "10001"},
                     {"PayloadType", "text"},
                     {"Payload", "temp=21.5&battery=87%"},
                     {"DateCreated", date}});
    }
    if (name == "esim-profile") {
        return json({{"AccountSid", account},
                     {"EsimProfileSid", sid("HP")},
                     {"Iccid", iccid},
                     {"Eid", "89049032" + random_digits<24>()},
                     {"Status", "installed"},
                     {"DateUpdated", date}});
    }
    if (name == "event-streams-test") {
        // The CloudEvent time carries 7 fractional digits and +00:00, as in K4.
        std::string time = date;
        time.pop_back();
        time += "." + random_digits<7>() + "+00:00";
        return json(nlohmann::ordered_json::array({{{"data", {{"test_id", uuid4()}}},
                                                    {"id", uuid4()},
                                                    {"time", time},
                                                    {"type", "com.kore.eventstreams.test.event"},
                                                    {"source", "kore-events"},
                                                    {"dataschema", "/schemas/test/1"},
                                                    {"specversion", "1.0"},
                                                    {"datacontenttype", "application/json"}}}));
    }
    return std::nullopt;
}

}  // namespace kore_cli
