// What the replay guard adds to each callback (issue #9 asks < 1 us in memory): claim + commit of
// a fresh callback, a duplicate's claim, and the same through Redis on loopback when a
// redis-server can be started (the benchmark starts its own; without one those are skipped).

#include <benchmark/benchmark.h>
#include <kore/webhook.hpp>
#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/replay_guard_memory.hpp>

#ifdef KORE_WEBHOOK_BENCH_REDIS_SERVER
#include <kore/webhook/replay_guard_redis.hpp>
#include <support/redis_server.hpp>

#include <unistd.h>
#endif

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace kw = kore::webhook;

constexpr std::string_view secret = "f4d430d03cff6f03e1";
constexpr std::string_view url = "https://example.com/kore/callbacks";
constexpr std::size_t distinct = std::size_t{1} << 16U;
constexpr std::size_t many_distinct = std::size_t{1} << 18U;

// Verified results of `count` distinct callbacks (only the verifier can make one).
std::vector<kw::result> verified_callbacks(std::size_t count) {
    const kw::verifier verifier{secret};
    std::vector<kw::result> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const std::string body = R"({"event":"sim.status","sim":"HS)" + std::to_string(i) + R"("})";
        const std::string signature = kw::sign(secret, "POST", url, body);
        out.push_back(verifier.verify("POST", url, body, std::optional<std::string_view>(signature)));
    }
    return out;
}

const std::vector<kw::result>& deliveries() {
    static const std::vector<kw::result> all = verified_callbacks(distinct);
    return all;
}

// More distinct callbacks than the default store holds (100,000).
const std::vector<kw::result>& many_deliveries() {
    static const std::vector<kw::result> all = verified_callbacks(many_distinct);
    return all;
}

// A store smaller than the set of callbacks, so that each comes back evicted and is fresh again:
// every claim inserts and evicts, the most expensive path.
kw::memory_replay_store_options evicting() {
    kw::memory_replay_store_options o;
    o.max_entries = distinct / 4;
    return o;
}

void memory_claim_commit(benchmark::State& state) {
    static std::unique_ptr<kw::memory_replay_store> store;
    static std::unique_ptr<kw::replay_guard> guard;
    if (state.thread_index() == 0) {
        guard.reset();
        store = std::make_unique<kw::memory_replay_store>(evicting());
        guard = std::make_unique<kw::replay_guard>(*store);
    }
    const auto& all = deliveries();
    std::size_t i = static_cast<std::size_t>(state.thread_index()) * (distinct / 2);
    std::size_t not_fresh = 0;
    for (auto _ : state) {
        auto ticket = guard->claim("POST", all[i++ % distinct], "a1b2c3d4-e5f6-4711-8899-aabbccddeeff");
        not_fresh += ticket.status() != kw::replay_status::fresh;
        benchmark::DoNotOptimize(ticket.commit());
    }
    state.counters["not_fresh"] = static_cast<double>(not_fresh);
}

// The default store (100,000 records, 8 shards) kept full by more distinct callbacks than it
// holds, as in the load test and under a flood: the records no longer fit in the caches, so this
// measures the cache misses a claim pays, which the small store above hides.
void memory_claim_commit_default_full(benchmark::State& state) {
    static std::unique_ptr<kw::memory_replay_store> store;
    static std::unique_ptr<kw::replay_guard> guard;
    if (state.thread_index() == 0) {
        guard.reset();
        store = std::make_unique<kw::memory_replay_store>();
        guard = std::make_unique<kw::replay_guard>(*store);
        const auto& all = many_deliveries();
        for (std::size_t i = 0; i < store->capacity(); ++i) {
            static_cast<void>(guard->claim("POST", all[all.size() - 1 - i]).commit());
        }
    }
    const auto& all = many_deliveries();
    std::size_t i = static_cast<std::size_t>(state.thread_index()) * (all.size() / 2);
    std::size_t not_fresh = 0;
    for (auto _ : state) {
        auto ticket = guard->claim("POST", all[i++ % all.size()], "a1b2c3d4-e5f6-4711-8899-aabbccddeeff");
        not_fresh += ticket.status() != kw::replay_status::fresh;
        benchmark::DoNotOptimize(ticket.commit());
    }
    state.counters["not_fresh"] = static_cast<double>(not_fresh);
}

void memory_duplicate(benchmark::State& state) {
    kw::memory_replay_store store;
    kw::replay_guard guard(store);
    const auto& all = deliveries();
    for (std::size_t i = 0; i < 1024; ++i) {
        static_cast<void>(guard.claim("POST", all[i]).commit());
    }
    std::size_t i = 0;
    for (auto _ : state) {
        auto ticket = guard.claim("POST", all[i++ % 1024]);
        benchmark::DoNotOptimize(ticket.status());
    }
}

#ifdef KORE_WEBHOOK_BENCH_REDIS_SERVER

kore_test::redis_server* redis() {
    static std::unique_ptr<kore_test::redis_server> server = []() -> std::unique_ptr<kore_test::redis_server> {
        if (::access(KORE_WEBHOOK_BENCH_REDIS_SERVER, X_OK) != 0) {
            return nullptr;
        }
        return std::make_unique<kore_test::redis_server>(KORE_WEBHOOK_BENCH_REDIS_SERVER);
    }();
    return server.get();
}

// Each run writes under its own prefix, so that every claim of the run is fresh.
kw::redis_replay_store_options redis_options() {
    static std::atomic<int> run{0};
    kw::redis_replay_store_options o;
    o.port = redis()->port();
    o.key_prefix = "bench:" + std::to_string(run++) + ":";
    return o;
}

void redis_claim_commit(benchmark::State& state) {
    if (redis() == nullptr) {
        state.SkipWithError("redis-server not found");
        return;
    }
    kw::redis_replay_store store(redis_options());
    kw::replay_guard guard(store);
    const auto& all = deliveries();
    std::size_t i = 0;
    std::size_t not_fresh = 0;
    for (auto _ : state) {
        auto ticket = guard.claim("POST", all[i++ % distinct], "a1b2c3d4-e5f6-4711-8899-aabbccddeeff");
        not_fresh += ticket.status() != kw::replay_status::fresh;
        benchmark::DoNotOptimize(ticket.commit());
    }
    state.counters["not_fresh"] = static_cast<double>(not_fresh);
}

void redis_duplicate(benchmark::State& state) {
    if (redis() == nullptr) {
        state.SkipWithError("redis-server not found");
        return;
    }
    kw::redis_replay_store store(redis_options());
    kw::replay_guard guard(store);
    const auto& all = deliveries();
    for (std::size_t i = 0; i < 64; ++i) {
        static_cast<void>(guard.claim("POST", all[i]).commit());
    }
    std::size_t i = 0;
    std::size_t not_duplicate = 0;
    for (auto _ : state) {
        auto ticket = guard.claim("POST", all[i++ % 64]);
        not_duplicate += ticket.status() != kw::replay_status::duplicate;
    }
    state.counters["not_duplicate"] = static_cast<double>(not_duplicate);
}

#endif

}  // namespace

BENCHMARK(memory_claim_commit);
BENCHMARK(memory_claim_commit)->Threads(2);
BENCHMARK(memory_claim_commit_default_full);
BENCHMARK(memory_claim_commit_default_full)->Threads(2);
BENCHMARK(memory_duplicate);
#ifdef KORE_WEBHOOK_BENCH_REDIS_SERVER
BENCHMARK(redis_claim_commit)->UseRealTime();
BENCHMARK(redis_duplicate)->UseRealTime();
#endif

BENCHMARK_MAIN();
