#ifndef KORE_WEBHOOK_EXAMPLES_REQUEST_LOG_HPP
#define KORE_WEBHOOK_EXAMPLES_REQUEST_LOG_HPP

// One line per request on stderr, the same on every example:
//
//   <server>: <METHOD> <path> <status> <outcome>[ <reason>]
//
//   204 verified                      verified, fresh, processed (or a GET)
//   200 duplicate                     verified, already processed: acknowledged, not processed again
//   423 in_progress                   verified, being processed by another delivery: KORE retries
//   503 replay_store_unavailable      verified, but the replay store did not answer: KORE retries
//   500 processing_failed             verified, processing failed, the claim released: KORE retries
//   4xx refused <error name>          not verified (or not the route: 404 not_found, 405 ...)
//   5xx failed <error name>           the handler failed in another way (application_failed)
//   204 control                       the control route (KORE_WEBHOOK_CONTROL_PATH)
//
// tools/load-test.py and tests/e2e count the words " verified" and " refused": no other line
// contains them. Never the secret, the signature or the body: only the method and path (cut and
// made printable), the status and names chosen by the code.

#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

namespace kore_example {

inline constexpr std::string_view outcome_verified = "verified";
inline constexpr std::string_view outcome_refused = "refused";
inline constexpr std::string_view outcome_failed = "failed";
inline constexpr std::string_view outcome_control = "control";

// Request data is attacker-chosen: only printable ASCII reaches the log, and not too much of it.
inline std::string printable(std::string_view text, std::size_t limit = 200) {
    std::string out;
    for (const char c : text.substr(0, limit)) {
        out.push_back((c >= 0x20 && c < 0x7f) ? c : '?');
    }
    if (text.size() > limit) {
        out.append("...");
    }
    return out;
}

// Writes one line to stderr in one write(2), so that lines of concurrent requests never mix.
inline void write_log_line(std::string line) {
    line.push_back('\n');
    std::string_view rest = line;
    while (!rest.empty()) {
        const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;  // nowhere to log: the answer must not depend on it
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

// `<server>: <METHOD> <path> <status> <outcome>[ <reason>]`.
inline void log_line(std::string_view server, std::string_view method, std::string_view path, int status,
                     std::string_view outcome, std::string_view reason = {}) {
    std::string line;
    line.reserve(96 + path.size());
    line.append(server).append(": ").append(printable(method, 16)).append(" ").append(printable(path));
    line.append(" ").append(std::to_string(status)).append(" ").append(outcome);
    if (!reason.empty()) {
        line.append(" ").append(reason);
    }
    write_log_line(std::move(line));
}

// A request answered without a replay decision: 204 is "verified", anything else is "refused"
// with its error name (404 not_found, 405 method_not_allowed, 401 signature_mismatch, ...).
inline void log_request(std::string_view server, std::string_view method, std::string_view path, int status,
                        std::string_view error_name) {
    if (status == 204) {
        log_line(server, method, path, status, outcome_verified);
    } else {
        log_line(server, method, path, status, outcome_refused, error_name);
    }
}

}  // namespace kore_example

#endif
