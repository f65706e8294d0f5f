#ifndef KORE_WEBHOOK_CLI_EVENTS_HPP
#define KORE_WEBHOOK_CLI_EVENTS_HPP

// Built-in callbacks shaped like the ones KORE sends: form-encoded bodies inherited from Twilio
// (SIM status, SMS Commands, IP Commands), an eSIM profile update in JSON, and the Event Streams
// test event (a JSON array of CloudEvents, as in published vector K4). Identifiers are random.

#include <ctime>
#include <optional>
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
    {"event-streams-test", "Event Streams test event: CloudEvents, JSON array"},
};

// A Twilio-style SID: `prefix` (two letters) and 32 random hex digits; without a prefix, the
// demo's random webhook secrets. Throws std::runtime_error when OpenSSL has no random bytes.
std::string sid(std::string_view prefix);

// A random (version 4) UUID, lowercase: the kore-idempotency-token format.
std::string uuid4();

// KORE's date header: ISO-8601 UTC, "2024-09-25T19:09:48Z".
std::string kore_date(std::time_t t);

// application/x-www-form-urlencoded: unreserved bytes as they are, space as '+', others %XX.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

// The event named `name`, freshly generated, or nothing for an unknown name. Throws
// std::runtime_error when OpenSSL cannot provide random bytes.
std::optional<event> make_event(std::string_view name, std::time_t now);

}  // namespace kore_cli

#endif
