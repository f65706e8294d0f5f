#ifndef KORE_WEBHOOK_CLI_SERVE_METRICS_HPP
#define KORE_WEBHOOK_CLI_SERVE_METRICS_HPP

// The gateway's counters and histograms, rendered in the Prometheus text format on the admin
// listener's /metrics:
//   kore_gateway_callbacks_total{route,outcome}   outcome: forwarded, streamed, duplicate,
//                                                  in_progress, refused, handoff_failed,
//                                                  store_unavailable (and rejected: a 4xx final answer)
//   kore_gateway_refused_total{route,reason}      reason: the library's error name
//   kore_gateway_handoff_seconds, kore_gateway_request_seconds   histograms
// Thread-safe; survives configuration reloads (it is not part of the configuration).

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace kore_cli::serve {

class metrics {
public:
    void count_callback(std::string_view route, std::string_view outcome);
    void count_refused(std::string_view route, std::string_view reason);
    void observe_handoff(double seconds);
    void observe_request(double seconds);

    [[nodiscard]] std::string render() const;

    static constexpr std::array<double, 12> buckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,   0.25,   0.5,   1.0,  2.5,   10.0};

private:
    struct histogram {
        std::array<std::uint64_t, buckets.size()> counts{};
        std::uint64_t count = 0;
        double sum = 0;
        void observe(double seconds);
        void render(std::string& out, std::string_view name, std::string_view help) const;
    };

    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> callbacks_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> refused_;
    histogram handoff_;
    histogram request_;
};

// A label value escaped for the text format (backslash, double quote, newline).
std::string escape_label(std::string_view value);

}  // namespace kore_cli::serve

#endif
