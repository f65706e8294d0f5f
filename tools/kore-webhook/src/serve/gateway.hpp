#ifndef KORE_WEBHOOK_CLI_SERVE_GATEWAY_HPP
#define KORE_WEBHOOK_CLI_SERVE_GATEWAY_HPP

// What every part of a running gateway shares, and the hand-off of one verified callback:
//   claim on the replay guard -> forward or XADD -> commit (success, or an upstream's final 4xx)
//   or release (anything KORE should retry) -> the answer.
// Everything that may block (the replay store's Redis round trips, XADD) runs on `workers`, a
// small fixed pool, never on an I/O thread; the forward itself is asynchronous on the I/O threads.
// At most max_queued callbacks wait for or hold a worker; past that the answer is 503 at once.

#include "metrics.hpp"
#include "runtime.hpp"

#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/result.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace kore_cli::serve {

struct gateway {
    boost::asio::io_context& ioc;
    boost::asio::thread_pool& workers;
    runtime_holder& runtimes;
    metrics& stats;
    boost::asio::ssl::context* tls_server;  // null: plain HTTP on listen
    boost::asio::ssl::context& tls_client;  // for https forwards
    std::size_t max_queued = 4096;
    std::atomic<std::size_t> queued{0};
    std::atomic<int> in_flight{0};  // requests between their header and their answer
    std::atomic<bool> draining{false};
};

// One verified callback on its way to the output.
struct callback_job {
    std::shared_ptr<const runtime> rt;  // keeps the route, the guard and its store alive
    const route_runtime* route = nullptr;
    std::string method;
    std::string content_type;
    std::string idempotency_token;
    std::string date;
    std::optional<kore::webhook::result> verdict;  // always set (result has no default)
    std::string body;
    std::string webhook_id;
    std::optional<kore::webhook::replay_claim> claim;
    std::chrono::steady_clock::time_point handoff_start;
};

struct callback_answer {
    int status = 500;
    std::string body;     // text/plain, empty for none
    std::string outcome;  // the metric's outcome label
    std::string handoff;  // upstream status, "xadd", or what failed
};

// Hands `job` off and calls `answer` once, from a worker thread.
void hand_off(gateway& g, std::shared_ptr<callback_job> job, std::function<void(callback_answer)> answer);

}  // namespace kore_cli::serve

#endif
