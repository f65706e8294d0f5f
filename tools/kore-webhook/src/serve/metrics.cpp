#include "metrics.hpp"

#include <cstdio>

namespace kore_cli::serve {

std::string escape_label(std::string_view value) {
    std::string out;
    for (const char c : value) {
        if (c == '\\' || c == '"') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

void metrics::count_callback(std::string_view route, std::string_view outcome) {
    const std::lock_guard<std::mutex> lock(mutex_);
    ++callbacks_[{std::string(route), std::string(outcome)}];
}

void metrics::count_refused(std::string_view route, std::string_view reason) {
    const std::lock_guard<std::mutex> lock(mutex_);
    ++refused_[{std::string(route), std::string(reason)}];
}

void metrics::observe_handoff(double seconds) {
    const std::lock_guard<std::mutex> lock(mutex_);
    handoff_.observe(seconds);
}

void metrics::observe_request(double seconds) {
    const std::lock_guard<std::mutex> lock(mutex_);
    request_.observe(seconds);
}

void metrics::histogram::observe(double seconds) {
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        if (seconds <= buckets[i]) {
            ++counts[i];
        }
    }
    ++count;
    sum += seconds;
}

namespace {

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

}  // namespace

void metrics::histogram::render(std::string& out, std::string_view name, std::string_view help) const {
    const std::string n(name);
    out += "# HELP " + n + " " + std::string(help) + "\n# TYPE " + n + " histogram\n";
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        out += n + "_bucket{le=\"" + number(buckets[i]) + "\"} " + std::to_string(counts[i]) + "\n";
    }
    out += n + "_bucket{le=\"+Inf\"} " + std::to_string(count) + "\n";
    out += n + "_sum " + number(sum) + "\n";
    out += n + "_count " + std::to_string(count) + "\n";
}

std::string metrics::render() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::string out;
    out +=
        "# HELP kore_gateway_callbacks_total Callbacks answered, by route and outcome.\n"
        "# TYPE kore_gateway_callbacks_total counter\n";
    for (const auto& [labels, value] : callbacks_) {
        out += "kore_gateway_callbacks_total{route=\"" + escape_label(labels.first) + "\",outcome=\"" +
               escape_label(labels.second) + "\"} " + std::to_string(value) + "\n";
    }
    out +=
        "# HELP kore_gateway_refused_total Callbacks refused by verification, by route and error name.\n"
        "# TYPE kore_gateway_refused_total counter\n";
    for (const auto& [labels, value] : refused_) {
        out += "kore_gateway_refused_total{route=\"" + escape_label(labels.first) + "\",reason=\"" +
               escape_label(labels.second) + "\"} " + std::to_string(value) + "\n";
    }
    handoff_.render(out, "kore_gateway_handoff_seconds", "Time to hand a callback off (forward or XADD).");
    request_.render(out, "kore_gateway_request_seconds", "Time from a callback's header to its answer.");
    return out;
}

}  // namespace kore_cli::serve
