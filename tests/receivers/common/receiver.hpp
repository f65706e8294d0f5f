#ifndef KORE_WEBHOOK_EXAMPLES_RECEIVER_HPP
#define KORE_WEBHOOK_EXAMPLES_RECEIVER_HPP

// The examples' application: every verified callback goes through the replay guard, so that a
// retry or a replay of a processed callback is acknowledged without being processed again, and a
// failed processing leaves nothing behind that would stop KORE's retry (docs/replay.md).
//
//   fresh              process, then commit: 204
//   duplicate          200 "duplicate"
//   in_progress        423 "in_progress"            (KORE retries 423)
//   store unavailable  503 "replay_store_unavailable" (KORE retries; nothing processed unguarded)
//   processing failed  the claim released: 500 "processing_failed" (KORE's retry is processed)
//
// The store is this process's memory, or Redis when KORE_WEBHOOK_REDIS is set (a fleet of
// receivers then processes each callback once in total). Built without hiredis, the examples
// refuse KORE_WEBHOOK_REDIS at startup.

#include "config.hpp"
#include "request_log.hpp"

#include <kore/webhook/adapters/callback.hpp>
#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/replay_guard_memory.hpp>
#ifdef KORE_WEBHOOK_EXAMPLE_REDIS
#include <kore/webhook/replay_guard_redis.hpp>
#endif

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace kore_example {

// The bodies of the receiver's answers, which are also the words of their log lines.
inline constexpr std::string_view duplicate_body = "duplicate";
inline constexpr std::string_view in_progress_body = "in_progress";
inline constexpr std::string_view store_unavailable_body = "replay_store_unavailable";
inline constexpr std::string_view processing_failed_body = "processing_failed";

class receiver {
public:
    // Builds the replay store the configuration names. With Redis, checks once that it answers and
    // says so on stderr: an unreachable Redis is not a configuration error (it may come back), the
    // callbacks are answered 503 until it does.
    receiver(std::string_view server, const config& c)
        : server_(server),
          fail_left_(c.fail_processing),
          processing_delay_(c.processing_delay),
          store_(make_store(server, c)),
          guard_(*store_) {}

    receiver(const receiver&) = delete;
    receiver& operator=(const receiver&) = delete;

    // The route helpers' on_callback: the answer to one verified callback. Thread-safe.
    kore::webhook::adapters::callback_reply handle(const kore::webhook::adapters::verified_callback& c) {
        kore::webhook::replay_claim claim = guard_.claim(c.method, c.verdict, c.idempotency_token);
        if (!claim.should_process()) {
            switch (claim.status()) {
                case kore::webhook::replay_status::duplicate:
                    return {200, std::string(duplicate_body)};
                case kore::webhook::replay_status::in_progress:
                    return {423, std::string(in_progress_body)};
                case kore::webhook::replay_status::store_unavailable:
                    return {503, std::string(store_unavailable_body)};
                default:
                    return {claim.http_status(), "replay_" + std::string(claim.status_name())};
            }
        }
        if (!process(c)) {
            static_cast<void>(claim.release());  // KORE's retry is processed, not a duplicate
            return {500, std::string(processing_failed_body)};
        }
        if (const std::error_code ec = claim.commit()) {
            // Processed all the same, so it is acknowledged; the claim expires with its lease and a
            // delivery after that would be processed again.
            write_log_line(std::string(server_) + ": replay store: commit failed (" +
                           std::string(kore::webhook::error_name(ec)) +
                           "); a redelivery after the processing lease would be processed again");
        }
        return 204;
    }

    // The log line's outcome for an answer handle() gave, by its status (they are all distinct).
    static std::string_view outcome_of(int status) {
        switch (status) {
            case 204:
                return outcome_verified;
            case 200:
                return duplicate_body;
            case 423:
                return in_progress_body;
            case 503:
                return store_unavailable_body;
            case 500:
                return processing_failed_body;
            default:
                return outcome_refused;
        }
    }

private:
    static std::unique_ptr<kore::webhook::replay_store> make_store(std::string_view server, const config& c) {
        if (!c.redis) {
            return std::make_unique<kore::webhook::memory_replay_store>();
        }
#ifdef KORE_WEBHOOK_EXAMPLE_REDIS
        kore::webhook::redis_replay_store_options options;
        options.host = c.redis->host;
        options.port = c.redis->port;
        options.password = c.redis->password;
        auto store = std::make_unique<kore::webhook::redis_replay_store>(std::move(options));
        const std::string where = c.redis->host + ":" + std::to_string(c.redis->port);
        if (const std::error_code ec = store->ping()) {
            write_log_line(std::string(server) + ": replay store: Redis at " + where + " does not answer (" +
                           std::string(kore::webhook::error_name(ec)) + "): callbacks are answered 503 until it does");
        } else {
            write_log_line(std::string(server) + ": replay store: Redis at " + where);
        }
        return store;
#else
        fail_config(server,
                    "KORE_WEBHOOK_REDIS is set, but this example was built without hiredis "
                    "(libhiredis-dev): the replay store can only be in memory");
#endif
    }

    // The example's processing: nothing to do but answer (the request's log line records it).
    // A real receiver hands c.body (the verified raw bytes) to its application here and returns
    // false when that fails. The test hooks make it slow or fail.
    bool process(const kore::webhook::adapters::verified_callback& c) {
        static_cast<void>(c);
        if (processing_delay_.count() > 0) {
            std::this_thread::sleep_for(processing_delay_);
        }
        if (fail_left_.load(std::memory_order_relaxed) == fail_always) {
            return false;
        }
        long left = fail_left_.load(std::memory_order_relaxed);
        while (left > 0) {
            if (fail_left_.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) {
                return false;
            }
        }
        return true;
    }

    std::string_view server_;
    std::atomic<long> fail_left_;
    std::chrono::milliseconds processing_delay_;
    std::unique_ptr<kore::webhook::replay_store> store_;  // before the guard, which points at it
    kore::webhook::replay_guard guard_;
};

}  // namespace kore_example

#endif
