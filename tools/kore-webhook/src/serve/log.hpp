#ifndef KORE_WEBHOOK_CLI_SERVE_LOG_HPP
#define KORE_WEBHOOK_CLI_SERVE_LOG_HPP

// The gateway's log: one JSON object a line on stderr, each written with a single write(2) so
// that lines from several threads never interleave. A callback's line has time, route (for an
// unknown path, the path cut to 256 bytes), method, outcome, status, replay_key (the verified
// digest, which the kore-signature header carries in the clear), webhook_id, idempotency_token
// (unsigned, cut to 64 bytes), latency_ms, handoff (the upstream's status, "xadd", or what failed)
// and reason (a refusal's error name). Never a secret, never a body.

#include <string>
#include <string_view>

namespace kore_cli::serve {

struct callback_record {
    std::string_view route;
    std::string_view method;
    std::string_view outcome;
    int status = 0;
    std::string_view replay_key;
    std::string_view webhook_id;
    std::string_view idempotency_token;
    double latency_ms = 0;
    std::string_view handoff;
    std::string_view reason;
};

void log_callback(const callback_record& r);

// A line about the gateway itself: {"time":..,"event":..,"outcome":..,"detail":..}.
void log_event(std::string_view event, std::string_view outcome, std::string_view detail);

// `text` as the body of a JSON string (quotes, backslashes and control characters escaped; bytes
// >= 0x80 that are not valid UTF-8 as \u00XX).
std::string json_escape(std::string_view text);

// Now, as 2026-12-07T16:10:29.123Z.
std::string utc_now();

}  // namespace kore_cli::serve

#endif
