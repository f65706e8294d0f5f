// Issue #9: the replay guard answers each verified delivery fresh / in_progress / duplicate,
// keyed by the verified digest, without ever losing a callback whose processing failed; the
// in-memory store is bounded, expires on an injected clock and is safe to share between threads
// (CI builds this test under ThreadSanitizer too).

#include "unit_common.hpp"

#include <kore/webhook/http_status.hpp>
#include <kore/webhook/replay/detail/replay_table.hpp>
#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/replay_guard_async.hpp>
#include <kore/webhook/replay_guard_memory.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include <unistd.h>

using namespace kore_unit;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view secret = "replay-guard-secret";
constexpr std::string_view url = "https://hooks.example.com/kore";

// A clock that moves only when told to; copies share one time.
struct manual_clock {
    using duration = std::chrono::nanoseconds;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<manual_clock>;

    std::shared_ptr<std::atomic<rep>> ticks = std::make_shared<std::atomic<rep>>(1'000'000'000);

    [[nodiscard]] time_point now() const noexcept { return time_point(duration(ticks->load())); }
    void advance(duration d) const noexcept { ticks->fetch_add(d.count()); }
};

using test_store = kw::basic_memory_replay_store<manual_clock>;

kw::memory_replay_store_options entries(std::size_t max_entries, std::size_t shards = 1) {
    kw::memory_replay_store_options o;
    o.max_entries = max_entries;
    o.shards = shards;
    return o;
}

kw::replay_guard_options timings(std::chrono::milliseconds remember_for, std::chrono::milliseconds lease) {
    kw::replay_guard_options o;
    o.remember_for = remember_for;
    o.processing_lease = lease;
    return o;
}

const kw::verifier& the_verifier() {
    static const kw::verifier v{secret};
    return v;
}

// A genuine, verified POST callback carrying `body`.
kw::result post(std::string_view body) {
    const std::string signature = kw::sign(secret, "POST", url, body);
    kw::result r = the_verifier().verify("POST", url, body, std::optional<std::string_view>(signature));
    REQUIRE(r.verified());
    return r;
}

kw::result get_callback() {
    const std::string signature = kw::sign(secret, "GET", url, "");
    kw::result r = the_verifier().verify("GET", url, "", std::optional<std::string_view>(signature));
    REQUIRE(r.verified());
    return r;
}

std::string event(std::size_t n) {
    return R"({"event":"sim.status","sim":"HS)" + std::to_string(n) + R"(","status":"active"})";
}

// Digests for store-level tests: uniform bytes, as SHA-256 output is, from a fixed seed.
std::vector<kw::replay_digest> digests(std::size_t n, std::uint32_t seed = 9) {
    std::mt19937_64 random(seed);
    std::vector<kw::replay_digest> out(n);
    for (auto& d : out) {
        for (auto& byte : d) {
            byte = static_cast<unsigned char>(random());
        }
    }
    return out;
}

// A store that always fails, as a Redis store does while Redis is down.
class broken_store final : public kw::replay_store {
public:
    kw::replay_store::claim_result claim(const kw::replay_digest&, const kw::replay_store::claim_id&, std::string_view,
                                         std::chrono::milliseconds) noexcept override {
        ++calls;
        kw::replay_store::claim_result out;
        out.error = kw::replay_errc::store_unavailable;
        return out;
    }
    std::error_code commit(const kw::replay_digest&, const kw::replay_store::claim_id&,
                           std::chrono::milliseconds) noexcept override {
        ++calls;
        return kw::replay_errc::store_unavailable;
    }
    std::error_code release(const kw::replay_digest&, const kw::replay_store::claim_id&) noexcept override {
        ++calls;
        return kw::replay_errc::store_unavailable;
    }
    int calls = 0;
};

}  // namespace

// ---- claim / commit / release ----------------------------------------------------------------

TEST_CASE("a first delivery is fresh; once committed, the same signed request is a duplicate answered 200") {
    test_store store(entries(16));
    kw::replay_guard guard(store);
    const kw::result delivery = post(event(1));

    auto first = guard.claim("POST", delivery, "token-1");
    CHECK(first.status() == kw::replay_status::fresh);
    CHECK(first.should_process());
    CHECK(first.holds_claim());
    CHECK(first.http_status() == 204);
    CHECK_FALSE(first.error());
    CHECK_FALSE(first.commit());
    CHECK_FALSE(first.holds_claim());

    auto again = guard.claim("POST", delivery, "token-1");
    CHECK(again.status() == kw::replay_status::duplicate);
    CHECK_FALSE(again.should_process());
    CHECK_FALSE(again.holds_claim());
    CHECK(again.http_status() == 200);
    CHECK(again.first_token() == "token-1");
    CHECK(guard.claim("POST", post(event(2)), "token-2").status() == kw::replay_status::fresh);
}

TEST_CASE("a replay with a changed idempotency token is still a duplicate: the key is the verified digest") {
    test_store store(entries(16));
    kw::replay_guard guard(store);
    const kw::result delivery = post(event(1));
    CHECK_FALSE(guard.claim("POST", delivery, "original-token").commit());

    auto replay = guard.claim("POST", delivery, "attacker-changed-token");
    CHECK(replay.status() == kw::replay_status::duplicate);
    CHECK(replay.first_token() == "original-token");
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::duplicate);
}

TEST_CASE("a delivery while the first is claimed and not finished is in_progress, answered 423 so KORE retries") {
    test_store store(entries(16));
    kw::replay_guard guard(store);
    const kw::result delivery = post(event(1));

    auto first = guard.claim("POST", delivery, "t");
    REQUIRE(first.status() == kw::replay_status::fresh);
    auto retry = guard.claim("POST", delivery, "t");
    CHECK(retry.status() == kw::replay_status::in_progress);
    CHECK_FALSE(retry.should_process());
    CHECK(retry.http_status() == 423);
    CHECK(retry.first_token() == "t");
    CHECK_FALSE(first.commit());
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::duplicate);
}

TEST_CASE("a released claim is claimable again: KORE's retry of a failed processing is processed") {
    test_store store(entries(16));
    kw::replay_guard guard(store);
    const kw::result delivery = post(event(1));

    auto failed = guard.claim("POST", delivery);
    REQUIRE(failed.status() == kw::replay_status::fresh);
    CHECK_FALSE(failed.release());

    auto retried = guard.claim("POST", delivery);
    CHECK(retried.status() == kw::replay_status::fresh);
    CHECK_FALSE(retried.commit());
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::duplicate);
}

TEST_CASE("a claim destroyed unfinished releases itself, so an exception in processing leaves no stuck claim") {
    test_store store(entries(16));
    kw::replay_guard guard(store);
    const kw::result delivery = post(event(1));
    const auto process = [&] {
        auto ticket = guard.claim("POST", delivery);
        REQUIRE(ticket.should_process());
        throw std::runtime_error("the database is down");
    };
    CHECK_THROWS_AS(process(), std::runtime_error);
    CHECK(store.size() == 0);
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::fresh);
}

TEST_CASE("a moved claim is finished once, by its new owner") {
    test_store store(entries(16));
    kw::replay_guard guard(store);
    const kw::result delivery = post(event(1));

    auto first = guard.claim("POST", delivery);
    kw::replay_claim moved = std::move(first);
    CHECK(moved.holds_claim());
    CHECK(first.commit() == kw::replay_errc::not_claimed);  // NOLINT(bugprone-use-after-move): the rule under test
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::in_progress);

    auto other = guard.claim("POST", post(event(2)));
    REQUIRE(other.holds_claim());
    other = std::move(moved);  // the claim `other` held is released, `moved`'s claim is taken over
    CHECK(guard.claim("POST", post(event(2))).status() == kw::replay_status::fresh);
    CHECK_FALSE(other.commit());
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::duplicate);
}

TEST_CASE("commit and release on a ticket that is finished or was no go-ahead report not_claimed") {
    test_store store(entries(16));
    kw::replay_guard guard(store);
    const kw::result delivery = post(event(1));

    auto ticket = guard.claim("POST", delivery);
    CHECK_FALSE(ticket.commit());
    CHECK(ticket.commit() == kw::replay_errc::not_claimed);
    CHECK(ticket.release() == kw::replay_errc::not_claimed);
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::duplicate);

    auto duplicate = guard.claim("POST", delivery);
    CHECK(duplicate.release() == kw::replay_errc::not_claimed);
    CHECK(duplicate.commit() == kw::replay_errc::not_claimed);
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::duplicate);
}

// ---- time ------------------------------------------------------------------------------------

TEST_CASE("a claim lives for processing_lease only, so a crashed worker does not block the callback for good") {
    const manual_clock clock;
    test_store store(entries(16), clock);
    kw::replay_guard guard(store, timings(1h, 30s));
    const kw::result delivery = post(event(1));

    auto crashed = guard.claim("POST", delivery);  // never finished while the lease runs
    REQUIRE(crashed.status() == kw::replay_status::fresh);
    clock.advance(30s - 1ns);
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::in_progress);
    clock.advance(1ns);
    auto taken_over = guard.claim("POST", delivery);
    CHECK(taken_over.status() == kw::replay_status::fresh);
    CHECK_FALSE(taken_over.commit());

    // The crashed worker's late commit must not pass for the one that succeeded.
    CHECK(crashed.commit() == kw::replay_errc::lease_lost);
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::duplicate);
}

TEST_CASE("a committed callback is remembered for exactly remember_for from its commit") {
    const manual_clock clock;
    test_store store(entries(16), clock);
    kw::replay_guard guard(store, timings(24h, 1min));
    const kw::result delivery = post(event(1));

    auto first = guard.claim("POST", delivery);
    clock.advance(20s);  // processing time does not count against remember_for
    CHECK_FALSE(first.commit());
    clock.advance(24h - 1ns);
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::duplicate);
    clock.advance(1ns);
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::fresh);
}

TEST_CASE("a commit after the lease ran out, with nobody claiming since, still records the callback") {
    const manual_clock clock;
    test_store store(entries(16), clock);
    kw::replay_guard guard(store, timings(1h, 10s));
    const kw::result delivery = post(event(1));

    auto slow = guard.claim("POST", delivery);
    clock.advance(11s);
    CHECK_FALSE(slow.commit());
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::duplicate);
}

TEST_CASE("a release after the lease ran out and another delivery claimed it leaves that claim alone") {
    const manual_clock clock;
    test_store store(entries(16), clock);
    kw::replay_guard guard(store, timings(1h, 10s));
    const kw::result delivery = post(event(1));

    auto slow = guard.claim("POST", delivery);
    clock.advance(10s);
    auto second = guard.claim("POST", delivery);
    REQUIRE(second.status() == kw::replay_status::fresh);
    CHECK(slow.release() == kw::replay_errc::lease_lost);
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::in_progress);
    CHECK_FALSE(second.commit());
}

// ---- GET, unverified, store failure ----------------------------------------------------------

TEST_CASE("GET callbacks sign no data: each is fresh and never stored, or the second GET would be lost") {
    test_store store(entries(16));
    kw::replay_guard guard(store);
    const kw::result first = get_callback();
    const kw::result second = get_callback();
    REQUIRE(first.digest() == second.digest());  // what makes GETs indistinguishable

    for (const auto* method : {"GET", "get", "Get"}) {
        CAPTURE(method);
        auto ticket = guard.claim(method, first);
        CHECK(ticket.status() == kw::replay_status::fresh);
        CHECK(ticket.should_process());
        CHECK_FALSE(ticket.holds_claim());
        CHECK_FALSE(ticket.commit());
        CHECK(ticket.commit() == kw::replay_errc::not_claimed);
    }
    CHECK(guard.claim("GET", second).status() == kw::replay_status::fresh);
    CHECK(store.size() == 0);
    // The method decides, not the digest: the same digest claimed as a POST is stored.
    CHECK(guard.claim("POST", first).holds_claim());
}

TEST_CASE("a result no secret verified is refused with not_verified and 401, and nothing is stored") {
    test_store store(entries(16));
    kw::replay_guard guard(store);
    const std::string body = event(1);
    const std::string forged = kw::sign("not-the-secret", "POST", url, body);
    const kw::result refused = the_verifier().verify("POST", url, body, std::optional<std::string_view>(forged));
    REQUIRE_FALSE(refused);
    kw::options unsigned_ok;
    unsigned_ok.allow_unsigned = true;
    const kw::verifier lenient{secret, unsigned_ok};
    const kw::result accepted_unsigned = lenient.verify("POST", url, body, std::optional<std::string_view>(""));
    REQUIRE(accepted_unsigned);
    REQUIRE(accepted_unsigned.is_unsigned());

    for (const kw::result* r : {&refused, &accepted_unsigned}) {
        auto ticket = guard.claim("POST", *r);
        CHECK(ticket.status() == kw::replay_status::not_verified);
        CHECK(ticket.error() == kw::replay_errc::not_verified);
        CHECK_FALSE(ticket.should_process());
        CHECK(ticket.http_status() == 401);
        CHECK(ticket.commit() == kw::replay_errc::not_claimed);
    }
    CHECK(store.size() == 0);
}

TEST_CASE("a store failure answers 503 and is not processed when failing closed, the default") {
    broken_store store;
    kw::replay_guard guard(store);
    REQUIRE(guard.options().on_store_failure == kw::replay_failure_policy::fail_closed);
    auto ticket = guard.claim("POST", post(event(1)));
    CHECK(ticket.status() == kw::replay_status::store_unavailable);
    CHECK(ticket.error() == kw::replay_errc::store_unavailable);
    CHECK_FALSE(ticket.should_process());
    CHECK(ticket.http_status() == 503);
    CHECK(ticket.commit() == kw::replay_errc::not_claimed);
    CHECK(store.calls == 1);
}

TEST_CASE("a store failure is processed unguarded when failing open, and finishing it touches no store") {
    broken_store store;
    kw::replay_guard_options open;
    open.on_store_failure = kw::replay_failure_policy::fail_open;
    kw::replay_guard guard(store, open);
    auto ticket = guard.claim("POST", post(event(1)));
    CHECK(ticket.status() == kw::replay_status::store_unavailable);
    CHECK(ticket.error() == kw::replay_errc::store_unavailable);
    CHECK(ticket.should_process());
    CHECK_FALSE(ticket.holds_claim());
    CHECK_FALSE(ticket.commit());
    CHECK(store.calls == 1);
}

// ---- names, codes, misuse --------------------------------------------------------------------

TEST_CASE("each status has a stable name and the HTTP answer KORE handles right") {
    test_store store(entries(16));
    broken_store broken;
    kw::replay_guard guard(store);
    kw::replay_guard failing(broken);
    const kw::result delivery = post(event(1));
    const kw::result unverified = the_verifier().verify("POST", url, event(1), std::nullopt);

    auto fresh = guard.claim("POST", delivery);
    auto in_progress = guard.claim("POST", delivery);
    REQUIRE_FALSE(fresh.commit());
    auto duplicate = guard.claim("POST", delivery);
    auto unavailable = failing.claim("POST", delivery);
    auto refused = guard.claim("POST", unverified);

    using s = kw::replay_status;
    const std::vector<std::tuple<const kw::replay_claim*, s, std::string_view, int>> table = {
        {&fresh, s::fresh, "fresh", 204},
        {&in_progress, s::in_progress, "in_progress", 423},
        {&duplicate, s::duplicate, "duplicate", 200},
        {&unavailable, s::store_unavailable, "store_unavailable", 503},
        {&refused, s::not_verified, "not_verified", 401},
    };
    for (const auto& [ticket, status, name, http] : table) {
        CAPTURE(name);
        CHECK(ticket->status() == status);
        CHECK(ticket->status_name() == name);
        CHECK(ticket->http_status() == http);
    }
    // KORE retries 408, 423, 429 and 5xx: the two answers that must bring the callback back.
    const auto retried = [](int code) { return code == 408 || code == 423 || code == 429 || code >= 500; };
    CHECK(retried(in_progress.http_status()));
    CHECK(retried(unavailable.http_status()));
    CHECK_FALSE(retried(duplicate.http_status()));
}

TEST_CASE("replay_errc plugs into std::error_code with its own category, and error_name names it") {
    static_assert(std::is_error_code_enum<kw::replay_errc>::value, "replay_errc must be an error code enum");
    const std::vector<std::pair<kw::replay_errc, std::string_view>> table = {
        {kw::replay_errc::store_unavailable, "store_unavailable"},
        {kw::replay_errc::store_refused, "store_refused"},
        {kw::replay_errc::not_verified, "not_verified"},
        {kw::replay_errc::lease_lost, "lease_lost"},
        {kw::replay_errc::not_claimed, "not_claimed"},
        {kw::replay_errc::store_full, "store_full"},
    };
    std::set<std::string> messages;
    for (const auto& [code, name] : table) {
        const std::error_code ec = code;
        CAPTURE(name);
        CHECK(ec.category() == kw::replay_category());
        CHECK(kw::error_name(ec) == name);
        CHECK(std::string(ec.category().name()) == "kore.webhook.replay");
        CHECK(messages.insert(ec.message()).second);
        CHECK(ec.message().size() > 30);
    }
    CHECK(kw::error_name({}) == "ok");
    CHECK(kw::error_name(std::error_code(static_cast<int>(kw::replay_errc::store_full), std::generic_category())) ==
          "unknown");
    CHECK(std::error_code(kw::replay_errc::store_unavailable) != std::error_code(kw::errc::missing_signature));
}

TEST_CASE("http_status answers a replay error as the guard's ticket does: 503 when the store failed") {
    using e = kw::replay_errc;
    const std::vector<std::pair<e, int>> table = {
        {e::store_unavailable, 503}, {e::store_refused, 503}, {e::store_full, 503},
        {e::not_verified, 401},      {e::lease_lost, 500},    {e::not_claimed, 500},
    };
    for (const auto& [code, status] : table) {
        CAPTURE(kw::error_name(code));
        CHECK(kw::http_status(code) == status);
    }
    broken_store broken;
    kw::replay_guard failing(broken);
    const auto ticket = failing.claim("POST", post(event(1)));
    CHECK(kw::http_status(ticket.error()) == ticket.http_status());
    CHECK(kw::http_status(std::error_code(99, kw::replay_category())) == 500);  // unknown: KORE retries
}

TEST_CASE("limits that leave no room, and guard durations that make no sense, are refused at construction") {
    kw::memory_replay_store_options none = entries(0);
    CHECK_THROWS_AS(test_store(none), std::invalid_argument);
    kw::memory_replay_store_options tiny_bytes = entries(100);
    tiny_bytes.max_bytes = test_store::bytes_per_record - 1;
    CHECK_THROWS_AS(test_store(tiny_bytes), std::invalid_argument);
    CHECK_THROWS_AS(test_store(entries(100, 0)), std::invalid_argument);

    test_store store(entries(4));
    CHECK_THROWS_AS(kw::replay_guard(store, timings(0ms, 0ms)), std::invalid_argument);
    CHECK_THROWS_AS(kw::replay_guard(store, timings(1h, -1ms)), std::invalid_argument);
    CHECK_THROWS_AS(kw::replay_guard(store, timings(1min, 2min)), std::invalid_argument);
    CHECK_NOTHROW(kw::replay_guard(store, timings(1min, 1min)));
}

// ---- bounds ----------------------------------------------------------------------------------

TEST_CASE("the store holds max_entries records at most and evicts the least recently written") {
    const manual_clock clock;
    test_store store(entries(4), clock);
    REQUIRE(store.capacity() == 4);
    const auto d = digests(5);
    const kw::replay_store::claim_id id{1, 1};
    for (std::size_t i = 0; i < 4; ++i) {
        REQUIRE_FALSE(store.claim(d[i], id, "", 1min).error);
        REQUIRE_FALSE(store.commit(d[i], id, 1h));
        clock.advance(1s);
    }
    REQUIRE_FALSE(store.commit(d[0], id, 1h));  // rewritten last: now the most recent
    CHECK(store.size() == 4);
    CHECK(store.evictions() == 0);

    CHECK(store.claim(d[4], {1, 2}, "", 1min).found == kw::replay_store::record::claimed_now);
    CHECK(store.size() == 4);
    CHECK(store.evictions() == 1);
    for (const std::size_t kept : {std::size_t{0}, std::size_t{2}, std::size_t{3}}) {
        CAPTURE(kept);
        CHECK(store.claim(d[kept], {1, 4}, "", 1min).found == kw::replay_store::record::committed);
    }
    CHECK(store.claim(d[1], {1, 3}, "", 1min).found == kw::replay_store::record::claimed_now);  // evicted: forgotten
    CHECK(store.evictions() == 2);
}

TEST_CASE(
    "the table's index answers as a plain map through claims, commits, releases and expiry of colliding digests") {
    // 48 digests whose index bits put them all in the last four slots of the table's 128 (the
    // capacity is 48, so the index has 2 x 48 rounded up), so runs are long and wrap around the
    // end: every probe, insertion and backward shift is exercised. Records expire within a few
    // dozen steps, so they are dropped and taken again all the time; there is room for all 48,
    // so nothing is evicted and a std::map of expiry times is the whole model.
    using time_point = std::chrono::steady_clock::time_point;
    using step = std::chrono::seconds;
    constexpr std::size_t count = 48;
    using table_type = kw::detail::replay_table<time_point>;
    std::vector<table_type::record> records(count);
    std::vector<table_type::slot> slots(table_type::slots_for(count));
    table_type table(records.data(), count, slots.data());
    std::vector<kw::replay_digest> d(count);
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint32_t index_bits = 0xffffff7cU + static_cast<std::uint32_t>(i % 4);  // slots 124 to 127
        std::memcpy(d[i].data(), &index_bits, sizeof index_bits);
        d[i][4] = static_cast<unsigned char>(i);  // the rest tells them apart
    }
    struct model_record {
        std::uint64_t owner;
        bool committed;
        time_point expires;
    };
    std::map<std::size_t, model_record> model;
    std::mt19937 random(20261130);
    time_point now{std::chrono::hours(1)};
    std::size_t mismatches = 0;
    std::size_t removals = 0;
    for (int i = 0; i < 200'000; ++i) {
        now += step(1);
        const std::size_t which = random() % count;
        const std::uint64_t owner = 1 + random() % 3;
        const kw::replay_store::claim_id id{7, owner};
        const time_point expires = now + step(1 + random() % 40);
        auto found = model.find(which);
        if (found != model.end() && found->second.expires <= now) {
            model.erase(found);  // a record past its expiry does not exist
            found = model.end();
        }
        switch (random() % 3) {
            case 0: {
                kw::replay_store::record expected = kw::replay_store::record::claimed_now;
                if (found == model.end()) {
                    model[which] = {owner, false, expires};
                } else if (found->second.committed) {
                    expected = kw::replay_store::record::committed;
                } else if (found->second.owner != owner) {
                    expected = kw::replay_store::record::claimed_by_other;
                }
                mismatches += table.claim(d[which], id, "", now, expires).found != expected;
                break;
            }
            case 1: {
                std::error_code expected;
                if (found != model.end() && found->second.owner != owner) {
                    expected = make_error_code(kw::replay_errc::lease_lost);
                } else {
                    model[which] = {owner, true, expires};
                }
                mismatches += table.commit(d[which], id, now, expires) != expected;
                break;
            }
            default: {
                std::error_code expected;
                if (found != model.end()) {
                    if (found->second.owner != owner) {
                        expected = make_error_code(kw::replay_errc::lease_lost);
                    } else if (found->second.committed) {
                        expected = make_error_code(kw::replay_errc::not_claimed);
                    } else {
                        model.erase(found);
                        ++removals;
                    }
                }
                mismatches += table.release(d[which], id, now) != expected;
                break;
            }
        }
    }
    CHECK(mismatches == 0);
    CHECK(removals > 1000);  // the backward shift ran often
    CHECK(table.evictions() == 0);
    CHECK(table.size() <= count);
}

TEST_CASE("the store's storage stays within max_bytes, and the lower of the two limits sets the capacity") {
    kw::memory_replay_store_options by_bytes = entries(1'000'000, 4);
    by_bytes.max_bytes = 100 * test_store::bytes_per_record;
    const test_store bytes_bound(by_bytes);
    CHECK(bytes_bound.capacity() >= 96);
    CHECK(bytes_bound.memory_bytes() <= by_bytes.max_bytes);
    CHECK(bytes_bound.memory_bytes() + test_store::bytes_per_record > by_bytes.max_bytes);  // the most that fits

    kw::memory_replay_store_options by_entries = entries(1000, 4);
    by_entries.max_bytes = std::size_t{64} << 20U;
    const test_store entries_bound(by_entries);
    CHECK(entries_bound.capacity() == 1000);
    CHECK(entries_bound.memory_bytes() <= 1000 * test_store::bytes_per_record + 4 * test_store::bytes_per_shard);
    CHECK(entries_bound.shards() == 4);

    const kw::memory_replay_store defaults;
    CHECK(defaults.memory_bytes() <= kw::memory_replay_store_options().max_bytes);
    CHECK(defaults.capacity() == 100'000);
}

TEST_CASE("max_entries is honoured exactly, whatever the shard count") {
    // Issue 18 item 3: 0.2.0 gave each of 8 shards 15 / 8 = 1 record, 8 in all.
    const manual_clock clock;
    test_store store(entries(15, 8), clock);
    CHECK(store.capacity() == 15);
    CHECK(store.shards() == 8);
    const auto d = digests(4000);
    for (std::size_t i = 0; i < d.size(); ++i) {
        REQUIRE(store.claim(d[i], {1, i}, "", 1min).found == kw::replay_store::record::claimed_now);
        REQUIRE_FALSE(store.commit(d[i], {1, i}, 1h));
    }
    CHECK(store.size() == 15);                       // every shard full, at its share
    CHECK(test_store(entries(3, 8)).shards() == 3);  // at most one shard per record
}

namespace {

// Resident bytes of this process (/proc/self/statm), or 0 where it cannot be read.
std::size_t resident_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) {
        return 0;
    }
    unsigned long size = 0;
    unsigned long resident = 0;
    const int read = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    return read == 2 ? static_cast<std::size_t>(resident) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif

}  // namespace

TEST_CASE("memory_bytes counts everything the store allocates: resident growth stays within it") {
    // Issue 18 item 3: with 200,000 shards 0.2.0 reported 32 MB while the process grew by 68.8 MB
    // (the shards and the per-shard allocations were not counted). A sanitizer's shadow memory
    // would count here too, so those builds skip it.
    if (sanitized || resident_bytes() == 0) {
        WARN("skipped: resident size is not comparable here (sanitizer build, or no /proc)");
        return;
    }
    kw::memory_replay_store_options many;
    many.shards = 200'000;
    many.max_entries = 200'000;
    many.max_bytes = 200'000 * test_store::bytes_per_record;  // 35.2 MB
    const std::size_t before = resident_bytes();
    const auto store = std::make_unique<test_store>(many);
    const std::size_t grown = resident_bytes() - before;
    CAPTURE(grown, store->memory_bytes(), store->capacity(), store->shards());
    CHECK(store->memory_bytes() <= many.max_bytes);
    CHECK(store->memory_bytes() > many.max_bytes / 2);
    // Slack for the allocator's own pages and whatever else the process touched meanwhile.
    CHECK(grown <= store->memory_bytes() + store->memory_bytes() / 10 + (std::size_t{1} << 20U));
}

TEST_CASE("a flood of distinct callbacks makes the store evict; it never grows past its limits") {
    const manual_clock clock;
    test_store store(entries(1024, 8), clock);
    const std::size_t capacity = store.capacity();
    const std::size_t bytes = store.memory_bytes();
    const auto flood = digests(50'000);
    std::size_t fresh = 0;
    for (std::size_t i = 0; i < flood.size(); ++i) {
        const kw::replay_store::claim_id id{7, i};
        fresh +=
            store.claim(flood[i], id, "a-token-of-some-length", 1min).found == kw::replay_store::record::claimed_now;
        REQUIRE_FALSE(store.commit(flood[i], id, 24h));
        clock.advance(1ms);
    }
    CHECK(fresh == flood.size());
    CHECK(store.size() == capacity);
    CHECK(store.memory_bytes() == bytes);
    CHECK(store.evictions() == flood.size() - capacity);
    // The newest survive: the last of the flood is still a duplicate.
    CHECK(store.claim(flood.back(), {8, 0}, "", 1min).found == kw::replay_store::record::committed);
}

TEST_CASE("a full store never drops a claim in work: after a flood, a copy of the claimed callback is not fresh") {
    // Issue 18 item 1: 0.2.0 evicted the open claim, so the copy was processed beside the first.
    const manual_clock clock;
    test_store store(entries(8), clock);
    kw::replay_guard guard(store, timings(24h, 1min));
    const kw::result delivery = post(event(1));
    auto first = guard.claim("POST", delivery, "first");
    REQUIRE(first.status() == kw::replay_status::fresh);
    for (std::size_t i = 0; i < 100; ++i) {
        auto other = guard.claim("POST", post(event(1000 + i)));
        REQUIRE(other.status() == kw::replay_status::fresh);
        REQUIRE_FALSE(other.commit());
        clock.advance(1ms);
    }
    CHECK(store.evictions() == 100 - 7);
    auto copy = guard.claim("POST", delivery, "copy");
    CHECK(copy.status() == kw::replay_status::in_progress);
    CHECK_FALSE(copy.should_process());
    CHECK(copy.first_token() == "first");
    CHECK_FALSE(first.commit());  // not lease_lost: nobody else took it
    CHECK(guard.claim("POST", delivery).status() == kw::replay_status::duplicate);
}

TEST_CASE("a store holding only claims in work refuses a new claim with store_full, answered 503") {
    const manual_clock clock;
    test_store store(entries(8), clock);
    kw::replay_guard guard(store, timings(24h, 1min));
    std::vector<kw::replay_claim> open;
    for (std::size_t i = 0; i < 8; ++i) {
        open.push_back(guard.claim("POST", post(event(i))));
        REQUIRE(open.back().status() == kw::replay_status::fresh);
    }
    const kw::result late = post(event(100));
    auto refused = guard.claim("POST", late);
    CHECK(refused.status() == kw::replay_status::store_unavailable);
    CHECK(refused.error() == kw::replay_errc::store_full);
    CHECK(refused.http_status() == 503);
    CHECK_FALSE(refused.should_process());
    CHECK(store.evictions() == 0);
    for (std::size_t i = 0; i < 8; ++i) {  // every claim still holds its callback
        CHECK(guard.claim("POST", post(event(i))).status() == kw::replay_status::in_progress);
    }
    CHECK_FALSE(open[3].commit());  // a committed record may be evicted: room again
    CHECK(guard.claim("POST", late).status() == kw::replay_status::fresh);
    clock.advance(1min);  // every lease ran out: expired claims make room too
    CHECK(guard.claim("POST", post(event(200))).status() == kw::replay_status::fresh);
    CHECK(store.evictions() == 1);
}

TEST_CASE("expired records make room without counting as evictions") {
    const manual_clock clock;
    test_store store(entries(8), clock);
    const auto d = digests(16);
    for (std::size_t i = 0; i < 8; ++i) {
        REQUIRE(store.claim(d[i], {1, i}, "", 1min).found == kw::replay_store::record::claimed_now);
    }
    clock.advance(1min);
    for (std::size_t i = 8; i < 16; ++i) {
        REQUIRE(store.claim(d[i], {1, i}, "", 1min).found == kw::replay_store::record::claimed_now);
    }
    CHECK(store.evictions() == 0);
    CHECK(store.size() == 8);
}

TEST_CASE("the idempotency token kept as a hint is cut to its fixed size") {
    test_store store(entries(4));
    kw::replay_guard guard(store);
    const kw::result delivery = post(event(1));
    const std::string long_token(200, 't');
    CHECK_FALSE(guard.claim("POST", delivery, long_token).commit());
    CHECK(guard.claim("POST", delivery).first_token() == long_token.substr(0, kw::replay_store::token_hint::max_size));
}

TEST_CASE("two guards on one store hold different claim ids, so neither can finish the other's claim") {
    test_store store(entries(16));
    kw::replay_guard a(store);
    kw::replay_guard b(store);
    const kw::result delivery = post(event(1));

    auto held = a.claim("POST", delivery);
    REQUIRE(held.status() == kw::replay_status::fresh);
    CHECK(b.claim("POST", delivery).status() == kw::replay_status::in_progress);
    // The store refuses an id that does not own the record, whichever guard's counter it copies.
    CHECK(store.commit(delivery.digest(), {0, 0}, 1h) == kw::replay_errc::lease_lost);
    CHECK(store.release(delivery.digest(), {0, 0}) == kw::replay_errc::lease_lost);
    CHECK_FALSE(held.commit());
    CHECK(b.claim("POST", delivery).status() == kw::replay_status::duplicate);
}

// ---- threads (ThreadSanitizer in CI) -----------------------------------------------------------

TEST_CASE("concurrent deliveries of one callback: exactly one thread is told to process it") {
    constexpr std::size_t threads = 8;
    constexpr std::size_t rounds = 40;
    kw::memory_replay_store store(entries(1024, 4));
    kw::replay_guard guard(store);
    for (std::size_t round = 0; round < rounds; ++round) {
        const kw::result delivery = post(event(round));
        std::array<std::optional<kw::replay_claim>, threads> tickets;
        std::atomic<bool> go{false};
        std::vector<std::thread> pool;
        for (std::size_t t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                while (!go.load()) {
                    std::this_thread::yield();
                }
                tickets[t].emplace(guard.claim("POST", delivery, "token"));
            });
        }
        go = true;
        for (auto& th : pool) {
            th.join();
        }
        std::size_t fresh = 0;
        std::size_t busy = 0;
        for (auto& ticket : tickets) {
            fresh += ticket->status() == kw::replay_status::fresh;
            busy += ticket->status() == kw::replay_status::in_progress;
        }
        CAPTURE(round);
        REQUIRE(fresh == 1);
        REQUIRE(busy == threads - 1);
        for (auto& ticket : tickets) {
            if (ticket->holds_claim()) {
                REQUIRE_FALSE(ticket->commit());
            }
        }
        REQUIRE(guard.claim("POST", delivery).status() == kw::replay_status::duplicate);
    }
}

TEST_CASE("threads delivering, failing and retrying the same callbacks process each exactly once in total") {
    constexpr std::size_t threads = 4;
    constexpr std::size_t callbacks = 200;
    kw::memory_replay_store store(entries(4096, 4));
    kw::replay_guard guard(store);
    std::vector<kw::result> deliveries;
    for (std::size_t i = 0; i < callbacks; ++i) {
        deliveries.push_back(post(event(i)));
    }
    std::vector<std::atomic<int>> processed(callbacks);
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (std::size_t k = 0; k < callbacks; ++k) {
                const std::size_t i = (k * (2 * t + 1) + t * 37) % callbacks;  // each thread its own order
                while (true) {
                    auto ticket = guard.claim("POST", deliveries[i]);
                    if (ticket.status() == kw::replay_status::in_progress) {
                        std::this_thread::yield();  // as KORE would, come back later
                        continue;
                    }
                    if (ticket.status() != kw::replay_status::fresh) {
                        break;
                    }
                    // Every fifth callback fails its first processing and is released for a retry.
                    if (i % 5 == 0 && processed[i].load() == 0) {
                        processed[i].fetch_sub(1);
                        static_cast<void>(ticket.release());
                        continue;
                    }
                    processed[i].fetch_add(callbacks + 1);
                    static_cast<void>(ticket.commit());
                    break;
                }
            }
        });
    }
    for (auto& th : pool) {
        th.join();
    }
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < callbacks; ++i) {
        // One successful processing adds callbacks + 1; each failed one took 1 away first.
        const int value = processed[i].load();
        const int failed = i % 5 == 0 ? 1 : 0;
        wrong += value != static_cast<int>(callbacks + 1) - failed;
    }
    CHECK(wrong == 0);
    for (const auto& d : deliveries) {
        CHECK(guard.claim("POST", d).status() == kw::replay_status::duplicate);
    }
}

// ---- async_replay_guard ------------------------------------------------------------------------

namespace {

// A store whose claims wait until the test opens the gate: a Redis that is slow to answer.
class gated_store final : public kw::replay_store {
public:
    explicit gated_store(kw::replay_store& inner) : inner_(inner) {}

    kw::replay_store::claim_result claim(const kw::replay_digest& digest, const kw::replay_store::claim_id& id,
                                         std::string_view token, std::chrono::milliseconds lease) noexcept override {
        entered.fetch_add(1);
        {
            std::unique_lock<std::mutex> lock(mutex_);
            opened_.wait(lock, [this] { return open_; });
        }
        return inner_.claim(digest, id, token, lease);
    }
    std::error_code commit(const kw::replay_digest& digest, const kw::replay_store::claim_id& id,
                           std::chrono::milliseconds remember_for) noexcept override {
        return inner_.commit(digest, id, remember_for);
    }
    std::error_code release(const kw::replay_digest& digest, const kw::replay_store::claim_id& id) noexcept override {
        return inner_.release(digest, id);
    }
    void open_gate() {
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            open_ = true;
        }
        opened_.notify_all();
    }

    std::atomic<int> entered{0};

private:
    kw::replay_store& inner_;
    std::mutex mutex_;
    std::condition_variable opened_;
    bool open_ = false;
};

kw::async_replay_guard_options workers(std::size_t threads, std::size_t max_queued) {
    kw::async_replay_guard_options o;
    o.threads = threads;
    o.max_queued = max_queued;
    return o;
}

}  // namespace

TEST_CASE("an async claim, commit and release complete through their callbacks, on a worker thread") {
    test_store store(entries(16));
    kw::replay_guard guard(store);
    kw::async_replay_guard async(guard, workers(1, 8));
    const kw::result delivery = post(event(1));

    std::thread::id worker;
    std::promise<kw::replay_claim> claimed;
    REQUIRE(async.claim("POST", delivery, "token-1", [&](kw::replay_claim ticket) {
        worker = std::this_thread::get_id();
        claimed.set_value(std::move(ticket));
    }));
    kw::replay_claim ticket = claimed.get_future().get();
    CHECK(worker != std::this_thread::get_id());
    CHECK(ticket.status() == kw::replay_status::fresh);

    std::promise<std::error_code> committed;
    async.commit(std::move(ticket), [&](std::error_code e) { committed.set_value(e); });
    CHECK_FALSE(committed.get_future().get());

    std::promise<kw::replay_status> again;
    REQUIRE(async.claim("POST", delivery, "", [&](kw::replay_claim t) { again.set_value(t.status()); }));
    CHECK(again.get_future().get() == kw::replay_status::duplicate);

    std::promise<kw::replay_claim> other;
    REQUIRE(async.claim("POST", post(event(2)), "", [&](kw::replay_claim t) { other.set_value(std::move(t)); }));
    kw::replay_claim failed = other.get_future().get();
    REQUIRE(failed.status() == kw::replay_status::fresh);
    std::promise<std::error_code> released;
    async.release(std::move(failed), [&](std::error_code e) { released.set_value(e); });
    CHECK_FALSE(released.get_future().get());
    CHECK(guard.claim("POST", post(event(2))).status() == kw::replay_status::fresh);  // released: KORE's retry runs
}

TEST_CASE("async claims wait in a bounded queue: beyond max_queued, claim() refuses at once") {
    test_store inner(entries(16));
    gated_store store(inner);
    kw::replay_guard guard(store);
    std::atomic<int> answered{0};
    const auto count = [&](const kw::replay_claim&) { answered.fetch_add(1); };
    {
        kw::async_replay_guard async(guard, workers(1, 2));
        REQUIRE(async.claim("POST", post(event(1)), "", count));
        while (store.entered.load() == 0) {  // the one worker now waits in the store
            std::this_thread::sleep_for(1ms);
        }
        CHECK(async.claim("POST", post(event(2)), "", count));
        CHECK(async.claim("POST", post(event(3)), "", count));
        CHECK(async.queued_claims() == 2);
        CHECK_FALSE(async.claim("POST", post(event(4)), "", count));  // refused: answer 503
        CHECK(answered.load() == 0);
        store.open_gate();
    }  // the destructor runs what was queued
    CHECK(answered.load() == 3);
    CHECK_THROWS_AS(kw::async_replay_guard(guard, workers(0, 1)), std::invalid_argument);
    CHECK_THROWS_AS(kw::async_replay_guard(guard, workers(1, 0)), std::invalid_argument);
}

TEST_CASE("threads claiming through the async guard process each callback exactly once") {
    test_store store(entries(1024, 4));
    kw::replay_guard guard(store);
    constexpr std::size_t distinct = 25;
    std::array<std::atomic<int>, distinct> processed{};
    std::vector<kw::result> deliveries;
    for (std::size_t i = 0; i < distinct; ++i) {
        deliveries.push_back(post(event(i)));
    }
    std::atomic<int> refused{0};
    {
        kw::async_replay_guard async(guard, workers(3, 4096));
        std::vector<std::thread> callers;
        for (int t = 0; t < 4; ++t) {
            callers.emplace_back([&, t] {
                for (std::size_t i = 0; i < 100; ++i) {
                    const std::size_t which = (i * 7 + static_cast<std::size_t>(t)) % distinct;
                    const bool queued = async.claim("POST", deliveries[which], "", [&, which](kw::replay_claim ticket) {
                        if (ticket.should_process()) {
                            processed[which].fetch_add(1);
                            async.commit(std::move(ticket), [](std::error_code) {});
                        }
                    });
                    refused.fetch_add(queued ? 0 : 1);
                }
            });
        }
        for (auto& c : callers) {
            c.join();
        }
    }
    CHECK(refused.load() == 0);
    for (std::size_t i = 0; i < distinct; ++i) {
        CAPTURE(i);
        CHECK(processed[i].load() == 1);
    }
}
