#ifndef KORE_WEBHOOK_CLI_SERVE_RUNTIME_HPP
#define KORE_WEBHOOK_CLI_SERVE_RUNTIME_HPP

// What one loaded configuration becomes: a verifier and an output per route, the replay guard
// and the stream writer. Immutable once built. A request takes a shared_ptr to the runtime when
// its header arrives and keeps it until it is answered, so a reload (SIGHUP) never changes what a
// request in flight works with; the new runtime serves the requests that start after it.
// The replay store is kept across reloads while [redis] stays the same (the in-memory store
// would otherwise forget every callback at each reload).

#include "config.hpp"
#include "signing.hpp"
#include "stream_writer.hpp"
#include "upstream.hpp"

#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/replay_guard_redis.hpp>
#include <kore/webhook/verifier.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace kore_cli::serve {

struct route_runtime {
    route_runtime(const route_settings& s, kore::webhook::verifier v) : settings(s), verifier(std::move(v)) {}

    route_settings settings;  // secrets emptied (they live in the verifier only)
    kore::webhook::verifier verifier;
    std::optional<signer> forward_signer;
    std::unique_ptr<upstream_pool> pool;  // plain-HTTP forwards: kept-alive connections
};

struct runtime {
    config settings;
    std::vector<std::unique_ptr<route_runtime>> routes;
    std::shared_ptr<kore::webhook::replay_store> store;
    std::shared_ptr<kore::webhook::redis_replay_store> redis_store;  // the same store, when [redis]
    std::shared_ptr<stream_writer> streams;                          // when [redis]
    std::unique_ptr<kore::webhook::replay_guard> guard;

    // The route serving `path` (exact match), or null.
    [[nodiscard]] const route_runtime* find(std::string_view path) const noexcept;
};

// Builds the runtime of `c`, reusing `previous`'s stores when they fit. Throws config_error or
// std::runtime_error (OpenSSL).
std::shared_ptr<const runtime> build_runtime(config c, const runtime* previous);

// The current runtime, replaced as a whole on reload.
class runtime_holder {
public:
    explicit runtime_holder(std::shared_ptr<const runtime> first) : current_(std::move(first)) {}
    [[nodiscard]] std::shared_ptr<const runtime> get() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return current_;
    }
    void set(std::shared_ptr<const runtime> next) {
        const std::lock_guard<std::mutex> lock(mutex_);
        current_.swap(next);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const runtime> current_;
};

}  // namespace kore_cli::serve

#endif
