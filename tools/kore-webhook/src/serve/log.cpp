#include "log.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace kore_cli::serve {

std::string json_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (u < 0x20 || u >= 0x7f) {
            // Tokens and routes are ASCII; anything else is shown escaped byte by byte.
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(u));
            out += escaped;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string utc_now() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[96];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                  parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, static_cast<int>(ms));
    return text;
}

namespace {

void write_line(const std::string& line) {
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(2, line.data() + done, line.size() - done);
        if (n <= 0) {
            return;  // stderr is gone: nothing better to do with a log line
        }
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

void log_callback(const callback_record& r) {
    char latency[32];
    std::snprintf(latency, sizeof latency, "%.3f", r.latency_ms);
    std::string line = "{\"time\":\"" + utc_now() + "\",\"route\":\"" + json_escape(r.route.substr(0, 256)) +
                       "\",\"method\":\"" + json_escape(r.method) + "\",\"outcome\":\"" + json_escape(r.outcome) +
                       "\",\"status\":" + std::to_string(r.status) + ",\"replay_key\":\"" + json_escape(r.replay_key) +
                       "\",\"webhook_id\":\"" + json_escape(r.webhook_id) + "\",\"idempotency_token\":\"" +
                       json_escape(r.idempotency_token.substr(0, 64)) + "\",\"latency_ms\":" + latency +
                       ",\"handoff\":\"" + json_escape(r.handoff) + "\",\"reason\":\"" + json_escape(r.reason) +
                       "\"}\n";
    write_line(line);
}

void log_event(std::string_view event, std::string_view outcome, std::string_view detail) {
    write_line("{\"time\":\"" + utc_now() + "\",\"event\":\"" + json_escape(event) + "\",\"outcome\":\"" +
               json_escape(outcome) + "\",\"detail\":\"" + json_escape(detail) + "\"}\n");
}

}  // namespace kore_cli::serve
