// Issue #9 against a real Redis: receivers that share one Redis (two guards, two processes)
// accept each callback once in total, catch a replay with a changed token through the other
// receiver, retry a released claim, and turn a Redis that is stopped, frozen or restarted into
// store_unavailable (503) and back. Each test starts its own redis-server on a free loopback port.

#include <support/catch.hpp>
#include <support/redis_server.hpp>

#include "fake_redis.hpp"

#include <kore/webhook.hpp>
#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/replay_guard_async.hpp>
#include <kore/webhook/replay_guard_redis.hpp>

#include <hiredis/hiredis.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace kw = kore::webhook;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view secret = "redis-replay-secret";
constexpr std::string_view url = "https://hooks.example.com/kore";

const kw::verifier& the_verifier() {
    static const kw::verifier v{secret};
    return v;
}

std::string event(std::size_t n) {
    return R"({"event":"sim.status","sim":"HS)" + std::to_string(n) + R"(","status":"active"})";
}

kw::result post(std::size_t n) {
    const std::string body = event(n);
    const std::string signature = kw::sign(secret, "POST", url, body);
    return the_verifier().verify("POST", url, body, std::optional<std::string_view>(signature));
}

kw::redis_replay_store_options store_options(const kore_test::redis_server& server) {
    kw::redis_replay_store_options o;
    o.port = server.port();
    o.key_prefix = "test:replay:";
    o.connect_timeout = 1s;
    o.command_timeout = 1s;
    o.reconnect_backoff = 0ms;
    return o;
}

// What the test itself reads and writes in Redis, beside the stores.
class raw_client {
public:
    explicit raw_client(int port) : c_(redisConnectWithTimeout("127.0.0.1", port, timeval{2, 0})) {
        REQUIRE(c_ != nullptr);
        REQUIRE(c_->err == 0);
    }
    raw_client(const raw_client&) = delete;
    raw_client& operator=(const raw_client&) = delete;
    raw_client(raw_client&&) = delete;
    raw_client& operator=(raw_client&&) = delete;
    ~raw_client() { redisFree(c_); }

    // The reply as text: a string or status as is, an integer in decimal, nil as "(nil)".
    std::string run(const std::vector<std::string>& args) {
        std::vector<const char*> argv;
        std::vector<std::size_t> lengths;
        for (const auto& a : args) {
            argv.push_back(a.data());
            lengths.push_back(a.size());
        }
        auto* reply =
            static_cast<redisReply*>(redisCommandArgv(c_, static_cast<int>(args.size()), argv.data(), lengths.data()));
        REQUIRE(reply != nullptr);
        std::string text;
        if (reply->type == REDIS_REPLY_INTEGER) {
            text = std::to_string(reply->integer);
        } else if (reply->type == REDIS_REPLY_NIL) {
            text = "(nil)";
        } else if (reply->type == REDIS_REPLY_ARRAY) {
            for (std::size_t i = 0; i < reply->elements; ++i) {
                text.append(reply->element[i]->str, reply->element[i]->len).append("\n");
            }
        } else {
            text.assign(reply->str, reply->len);
        }
        freeReplyObject(reply);
        return text;
    }

private:
    redisContext* c_;
};

// Retries until the store answers again, for at most 10 s.
bool recovers(kw::redis_replay_store& store) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!store.ping()) {
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

}  // namespace

TEST_CASE("two receivers sharing one Redis accept a callback once in total") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store_a(store_options(server));
    kw::redis_replay_store store_b(store_options(server));
    kw::replay_guard a(store_a);
    kw::replay_guard b(store_b);
    const kw::result delivery = post(1);

    auto first = a.claim("POST", delivery, "token-1");
    REQUIRE(first.status() == kw::replay_status::fresh);
    CHECK_FALSE(first.commit());
    auto retry = b.claim("POST", delivery, "token-1");
    CHECK(retry.status() == kw::replay_status::duplicate);
    CHECK(retry.http_status() == 200);
    CHECK(a.claim("POST", delivery, "token-1").status() == kw::replay_status::duplicate);
    CHECK(b.claim("POST", post(2), "token-2").status() == kw::replay_status::fresh);
}

TEST_CASE("a replay with a changed token reaching the other receiver is a duplicate") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store_a(store_options(server));
    kw::redis_replay_store store_b(store_options(server));
    kw::replay_guard a(store_a);
    kw::replay_guard b(store_b);
    const kw::result delivery = post(1);

    CHECK_FALSE(a.claim("POST", delivery, "kore-token").commit());
    auto replay = b.claim("POST", delivery, "changed-by-attacker");
    CHECK(replay.status() == kw::replay_status::duplicate);
    CHECK(replay.first_token() == "kore-token");
}

TEST_CASE("a delivery reaching the other receiver while the first is processed is in_progress (423)") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store_a(store_options(server));
    kw::redis_replay_store store_b(store_options(server));
    kw::replay_guard a(store_a);
    kw::replay_guard b(store_b);
    const kw::result delivery = post(1);

    auto processing = a.claim("POST", delivery, "t");
    REQUIRE(processing.status() == kw::replay_status::fresh);
    auto busy = b.claim("POST", delivery, "t");
    CHECK(busy.status() == kw::replay_status::in_progress);
    CHECK(busy.http_status() == 423);
    CHECK_FALSE(processing.commit());
    CHECK(b.claim("POST", delivery).status() == kw::replay_status::duplicate);
}

TEST_CASE("a claim released after failed processing is claimed again through the other receiver") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store_a(store_options(server));
    kw::redis_replay_store store_b(store_options(server));
    kw::replay_guard a(store_a);
    kw::replay_guard b(store_b);
    const kw::result delivery = post(1);

    {
        auto failing = a.claim("POST", delivery);
        REQUIRE(failing.status() == kw::replay_status::fresh);
        // destroyed unfinished, as when processing throws: released
    }
    auto retried = b.claim("POST", delivery);
    CHECK(retried.status() == kw::replay_status::fresh);
    CHECK_FALSE(retried.commit());
    CHECK(a.claim("POST", delivery).status() == kw::replay_status::duplicate);
}

TEST_CASE("two processes sharing one Redis process each of 200 callbacks exactly once") {
    constexpr std::size_t callbacks = 200;
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    std::vector<kw::result> deliveries;
    for (std::size_t i = 0; i < callbacks; ++i) {
        deliveries.push_back(post(i));
    }
    // Each process claims every callback, in its own order; it reports which it processed.
    const auto run = [&](bool reverse) {
        kw::redis_replay_store store(store_options(server));
        kw::replay_guard guard(store);
        std::vector<unsigned char> processed(callbacks, 0);
        for (std::size_t k = 0; k < callbacks; ++k) {
            const std::size_t i = reverse ? callbacks - 1 - k : k;
            while (true) {
                auto ticket = guard.claim("POST", deliveries[i]);
                if (ticket.status() == kw::replay_status::in_progress) {
                    std::this_thread::sleep_for(1ms);  // KORE would come back later
                    continue;
                }
                if (ticket.status() == kw::replay_status::fresh) {
                    processed[i] = ticket.commit() ? 2 : 1;  // 1: processed and recorded
                } else if (ticket.status() != kw::replay_status::duplicate) {
                    processed[i] = 3;  // an unexpected answer
                }
                break;
            }
        }
        return processed;
    };
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        const auto processed = run(true);
        const bool written =
            ::write(pipe_fds[1], processed.data(), processed.size()) == static_cast<ssize_t>(processed.size());
        ::_exit(written ? 0 : 1);
    }
    ::close(pipe_fds[1]);
    const auto mine = run(false);
    std::vector<unsigned char> theirs(callbacks, 9);
    std::size_t got = 0;
    while (got < callbacks) {
        const ssize_t n = ::read(pipe_fds[0], theirs.data() + got, callbacks - got);
        if (n <= 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(pipe_fds[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    REQUIRE(got == callbacks);

    std::size_t wrong = 0;
    for (std::size_t i = 0; i < callbacks; ++i) {
        const int processings = (mine[i] == 1 ? 1 : 0) + (theirs[i] == 1 ? 1 : 0);
        wrong += processings != 1 || mine[i] > 1 || theirs[i] > 1 ? 1 : 0;
    }
    CHECK(wrong == 0);
}

TEST_CASE(
    "keys are the prefix and the hex digest, values never hold the secret, and TTLs follow the lease and "
    "remember_for") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store(store_options(server));
    kw::replay_guard_options timing;
    timing.processing_lease = 30s;
    timing.remember_for = 2h;
    kw::replay_guard guard(store, timing);
    raw_client redis(server.port());
    const kw::result delivery = post(1);
    const std::string key = "test:replay:" + delivery.replay_key();
    CHECK(store.key_for(delivery.digest()) == key);

    auto ticket = guard.claim("POST", delivery, "token-1");
    REQUIRE(ticket.status() == kw::replay_status::fresh);
    CHECK(redis.run({"KEYS", "*"}) == key + "\n");
    const std::string claimed = redis.run({"GET", key});
    CHECK(claimed.rfind("c:", 0) == 0);
    CHECK(claimed.size() == 35 + 7);
    CHECK(claimed.substr(35) == "token-1");
    CHECK(claimed.find(secret) == std::string::npos);
    const long lease_left = std::stol(redis.run({"PTTL", key}));
    CHECK(lease_left > 25'000);
    CHECK(lease_left <= 30'000);

    CHECK_FALSE(ticket.commit());
    const std::string committed = redis.run({"GET", key});
    CHECK(committed == "d" + claimed.substr(1));
    const long remembered = std::stol(redis.run({"PTTL", key}));
    CHECK(remembered > 7'000'000 - 60'000);
    CHECK(remembered <= 7'200'000);
}

TEST_CASE("a commit after the lease ran out is recorded, unless another delivery claimed it meanwhile") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store(store_options(server));
    kw::replay_guard guard(store);
    raw_client redis(server.port());

    const kw::result expired = post(1);
    auto slow = guard.claim("POST", expired);
    REQUIRE(slow.status() == kw::replay_status::fresh);
    redis.run({"DEL", store.key_for(expired.digest())});  // as when its lease ran out
    CHECK_FALSE(slow.commit());
    CHECK(guard.claim("POST", expired).status() == kw::replay_status::duplicate);

    const kw::result taken = post(2);
    auto late = guard.claim("POST", taken);
    REQUIRE(late.status() == kw::replay_status::fresh);
    const std::string other_claim = "c:" + std::string(32, 'f') + ":other";
    redis.run({"SET", store.key_for(taken.digest()), other_claim});  // another worker after the lease
    CHECK(late.commit() == kw::replay_errc::lease_lost);
    CHECK(redis.run({"GET", store.key_for(taken.digest())}) == other_claim);

    auto releasing = guard.claim("POST", post(3));
    REQUIRE(releasing.status() == kw::replay_status::fresh);
    redis.run({"SET", store.key_for(post(3).digest()), other_claim});
    CHECK(releasing.release() == kw::replay_errc::lease_lost);
    CHECK(redis.run({"GET", store.key_for(post(3).digest())}) == other_claim);
}

TEST_CASE("commit and release still work after Redis forgot the scripts (EVALSHA falls back to EVAL)") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store(store_options(server));
    kw::replay_guard guard(store);
    raw_client redis(server.port());

    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(redis.run({"SCRIPT", "FLUSH"}) == "OK");
        auto committed = guard.claim("POST", post(i));
        REQUIRE(committed.status() == kw::replay_status::fresh);
        CHECK_FALSE(committed.commit());
        CHECK(guard.claim("POST", post(i)).status() == kw::replay_status::duplicate);
        CHECK(redis.run({"SCRIPT", "FLUSH"}) == "OK");
        auto released = guard.claim("POST", post(100 + i));
        CHECK_FALSE(released.release());
        CHECK(guard.claim("POST", post(100 + i)).status() == kw::replay_status::fresh);
    }
}

TEST_CASE("a value under the prefix that this store did not write is refused, not trusted") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store(store_options(server));
    kw::replay_guard guard(store);
    raw_client redis(server.port());
    const kw::result delivery = post(1);
    redis.run({"SET", store.key_for(delivery.digest()), "something else"});
    auto ticket = guard.claim("POST", delivery);
    CHECK(ticket.status() == kw::replay_status::store_unavailable);
    CHECK(ticket.error() == kw::replay_errc::store_refused);
    CHECK(ticket.http_status() == 503);
}

TEST_CASE("Redis stopped: store_unavailable, answered 503 when failing closed and processed when failing open") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store(store_options(server));
    REQUIRE_FALSE(store.ping());
    kw::replay_guard closed(store);
    kw::replay_guard_options open_options;
    open_options.on_store_failure = kw::replay_failure_policy::fail_open;
    kw::replay_guard open(store, open_options);
    server.stop();

    auto refused = closed.claim("POST", post(1));
    CHECK(refused.status() == kw::replay_status::store_unavailable);
    CHECK(refused.error() == kw::replay_errc::store_unavailable);
    CHECK(refused.http_status() == 503);
    CHECK_FALSE(refused.should_process());

    auto unguarded = open.claim("POST", post(1));
    CHECK(unguarded.status() == kw::replay_status::store_unavailable);
    CHECK(unguarded.should_process());
    CHECK_FALSE(unguarded.commit());
    CHECK(store.open_connections() == 0);
}

TEST_CASE("Redis restarted: the same store recovers, replacing its stale connections") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store(store_options(server));
    kw::replay_guard guard(store);
    CHECK_FALSE(guard.claim("POST", post(1)).commit());
    REQUIRE(store.open_connections() == 1);

    server.stop();
    CHECK(guard.claim("POST", post(2)).error() == kw::replay_errc::store_unavailable);
    server.start();
    // The pooled connection is dead; the first command notices and reconnects in the same call.
    auto after = guard.claim("POST", post(3));
    CHECK(after.status() == kw::replay_status::fresh);
    CHECK_FALSE(after.commit());
    CHECK(guard.claim("POST", post(3)).status() == kw::replay_status::duplicate);
    CHECK(store.open_connections() == 1);
}

TEST_CASE("Redis restarted while connections are pooled: the claim on a stale connection is sent again") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store(store_options(server));
    kw::replay_guard guard(store);
    REQUIRE_FALSE(store.ping());
    server.stop();
    server.start();
    auto ticket = guard.claim("POST", post(1));
    CHECK(ticket.status() == kw::replay_status::fresh);
    CHECK_FALSE(ticket.commit());
}

TEST_CASE("a frozen Redis (accepts, never answers) gives store_unavailable after the command timeout") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store_options options = store_options(server);
    options.command_timeout = 200ms;
    options.connect_timeout = 200ms;
    kw::redis_replay_store store(options);
    kw::replay_guard guard(store);
    REQUIRE_FALSE(store.ping());

    server.pause();
    // It cannot answer: only the command timeout ends this call (without it, ctest's timeout would).
    auto ticket = guard.claim("POST", post(1));
    server.resume();
    CHECK(ticket.error() == kw::replay_errc::store_unavailable);
    CHECK(ticket.http_status() == 503);
    REQUIRE(recovers(store));
    // Not post(1): the claim sent before the timeout may still be applied once Redis runs again,
    // and then holds that callback for the processing lease (its retries get 423 until then).
    CHECK(guard.claim("POST", post(2)).status() == kw::replay_status::fresh);
}

// Issue 18 item 2: 0.2.0 bounded each socket read, not the command, so a reply trickled a byte
// every 200 ms took 801 ms against a 250 ms timeout (longer replies, longer still), and a bulk
// reply that never ends held a claim for as long as the server kept sending.
namespace {

struct timed_claim {
    kw::replay_status status;
    std::error_code error;
    std::chrono::milliseconds took;
};

// A claim through a store whose deadline is 250 ms (command) + 250 ms (connect).
timed_claim claim_against(int port) {
    kw::redis_replay_store_options options;
    options.port = port;
    options.connect_timeout = 250ms;
    options.command_timeout = 250ms;
    options.reconnect_backoff = 0ms;
    kw::redis_replay_store store(options);
    kw::replay_guard guard(store);
    const auto start = std::chrono::steady_clock::now();
    const kw::replay_claim ticket = guard.claim("POST", post(1));
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    return {ticket.status(), ticket.error(), took};
}

}  // namespace

TEST_CASE("a reply trickled a byte at a time ends the claim at its deadline, with store_unavailable", "[faults]") {
    // 19 bytes at 200 ms each: 3.6 s if each read had its own timeout.
    kore_test::fake_redis server("$12\r\nnot-a-record\r\n", 200ms, false);
    const timed_claim claim = claim_against(server.port());
    CAPTURE(claim.took.count());
    CHECK(claim.status == kw::replay_status::store_unavailable);
    CHECK(claim.error == kw::replay_errc::store_unavailable);
    CHECK(claim.took.count() < 1500);  // the deadline is 500 ms; three times that for a loaded machine
}

TEST_CASE("a bulk reply that never ends ends the claim at its deadline, with store_unavailable", "[faults]") {
    kore_test::fake_redis server("$100000000\r\n", 50ms, true);
    const timed_claim claim = claim_against(server.port());
    CAPTURE(claim.took.count());
    CHECK(claim.status == kw::replay_status::store_unavailable);
    CHECK(claim.error == kw::replay_errc::store_unavailable);
    CHECK(claim.took.count() < 1500);  // the deadline is 500 ms; three times that for a loaded machine
}

// ---- what each fault loses (SECURITY.md "Load and fault figures" quotes these runs) -----------
// The store's defaults: connect and command timeouts 250 ms, reconnect_backoff 100 ms; the
// guard's: fail-closed, lease 60 s. Times are printed by `redis.replay_guard -s "[faults]"`.
namespace {

kw::redis_replay_store_options default_timings(const kore_test::redis_server& server) {
    kw::redis_replay_store_options o;
    o.port = server.port();
    o.key_prefix = "test:replay:";
    return o;
}

long long milliseconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("fault: Redis stopped loses nothing; claims are answered 503 at once until it is back", "[faults]") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER, {"--appendonly", "yes", "--appendfsync", "always"});
    kw::redis_replay_store store(default_timings(server));
    kw::replay_guard guard(store);
    CHECK_FALSE(guard.claim("POST", post(1)).commit());
    auto in_work = guard.claim("POST", post(2));
    REQUIRE(in_work.status() == kw::replay_status::fresh);
    server.stop();

    auto start = std::chrono::steady_clock::now();
    const auto first = guard.claim("POST", post(3));
    const long long first_ms = milliseconds_since(start);
    start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < 100; ++i) {
        CHECK(guard.claim("POST", post(100 + i)).http_status() == 503);
    }
    const long long hundred_ms = milliseconds_since(start);
    CHECK(first.http_status() == 503);
    CHECK(first_ms < 750);
    CHECK(hundred_ms < 2000);
    // The claim in work cannot commit while Redis is down: the work is done, its record stays a
    // claim and expires with the lease (a replay after that is processed again).
    CHECK(in_work.commit() == kw::replay_errc::store_unavailable);

    server.start();  // with its append-only file
    start = std::chrono::steady_clock::now();
    REQUIRE(recovers(store));
    const long long recovery_ms = milliseconds_since(start);
    CHECK(recovery_ms < 5000);
    CHECK(guard.claim("POST", post(1)).status() == kw::replay_status::duplicate);    // kept
    CHECK(guard.claim("POST", post(2)).status() == kw::replay_status::in_progress);  // until the lease ends
    CHECK(guard.claim("POST", post(3)).status() == kw::replay_status::fresh);        // KORE's retry
}

TEST_CASE("fault: Redis restarted empty forgets every commit and claim: replays are processed again", "[faults]") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);  // nothing persisted
    kw::redis_replay_store store(default_timings(server));
    kw::replay_guard guard(store);
    for (std::size_t i = 0; i < 10; ++i) {
        REQUIRE_FALSE(guard.claim("POST", post(i)).commit());
    }
    auto in_work = guard.claim("POST", post(10));
    REQUIRE(in_work.status() == kw::replay_status::fresh);
    server.stop();
    server.start();
    const auto start = std::chrono::steady_clock::now();
    auto first = guard.claim("POST", post(0));  // the stale pooled connection is replaced in this call
    const long long first_ms = milliseconds_since(start);
    CHECK(first_ms < 750);
    std::size_t fresh_again = first.status() == kw::replay_status::fresh ? 1 : 0;
    for (std::size_t i = 1; i < 10; ++i) {
        fresh_again += guard.claim("POST", post(i)).status() == kw::replay_status::fresh ? 1 : 0;
    }
    CHECK(fresh_again == 10);  // the loss: each committed callback would be processed again
    // And the callback in work: a second delivery is processed beside it.
    CHECK(guard.claim("POST", post(10)).status() == kw::replay_status::fresh);
    CHECK_FALSE(in_work.commit());  // its record is gone: committed again, as a new one
}

TEST_CASE("fault: a frozen Redis answers 503 after the deadline; the claim it applies later delays the callback",
          "[faults]") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store(default_timings(server));
    kw::replay_guard guard(store);
    REQUIRE_FALSE(store.ping());
    server.pause();
    const auto start = std::chrono::steady_clock::now();
    const auto frozen = guard.claim("POST", post(1));
    const long long frozen_ms = milliseconds_since(start);
    server.resume();
    CHECK(frozen.http_status() == 503);
    CHECK(frozen_ms >= 240);
    CHECK(frozen_ms < 1500);
    REQUIRE(recovers(store));
    // Redis ran the claim once it woke: KORE's retries get 423 until the lease (60 s) ends.
    CHECK(guard.claim("POST", post(1)).status() == kw::replay_status::in_progress);
    CHECK(guard.claim("POST", post(2)).status() == kw::replay_status::fresh);
}

TEST_CASE("through async_replay_guard, a frozen Redis never holds the calling thread; the callback gets 503") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store store(default_timings(server));
    kw::replay_guard guard(store);
    kw::async_replay_guard async(guard);
    REQUIRE_FALSE(store.ping());
    server.pause();
    std::promise<kw::replay_claim> answered;
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(async.claim("POST", post(1), "", [&](kw::replay_claim t) { answered.set_value(std::move(t)); }));
    const long long call_ms = milliseconds_since(start);
    const kw::replay_claim ticket = answered.get_future().get();
    const long long answer_ms = milliseconds_since(start);
    server.resume();
    CHECK(call_ms < 150);  // queueing only, well under the 250 ms the claim itself waits
    CHECK(answer_ms >= 240);
    CHECK(ticket.http_status() == 503);
    REQUIRE(recovers(store));
    std::promise<kw::replay_claim> fresh;
    REQUIRE(async.claim("POST", post(2), "", [&](kw::replay_claim t) { fresh.set_value(std::move(t)); }));
    kw::replay_claim second = fresh.get_future().get();
    REQUIRE(second.status() == kw::replay_status::fresh);
    std::promise<std::error_code> committed;
    async.commit(std::move(second), [&](std::error_code e) { committed.set_value(e); });
    CHECK_FALSE(committed.get_future().get());
}

TEST_CASE("a Redis that requires a password: the right one works, a wrong one is store_refused") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER, {"--requirepass", "redis-test-password"});
    kw::redis_replay_store_options right = store_options(server);
    right.password = "redis-test-password";
    kw::redis_replay_store good(right);
    CHECK_FALSE(good.ping());
    kw::replay_guard guard(good);
    CHECK(guard.claim("POST", post(1)).status() == kw::replay_status::fresh);

    kw::redis_replay_store_options wrong = store_options(server);
    wrong.password = "not-the-password";
    kw::redis_replay_store bad(wrong);
    CHECK(bad.ping() == kw::replay_errc::store_refused);
    std::string why;
    CHECK(bad.ping(why) == kw::replay_errc::store_refused);
    CHECK(why.rfind("AUTH refused: WRONGPASS", 0) == 0);  // Redis's own words, not a guess
    CHECK(why.find("not-the-password") == std::string::npos);
    kw::redis_replay_store none(store_options(server));
    CHECK(kw::replay_guard(none).claim("POST", post(2)).error() == kw::replay_errc::store_refused);
}

TEST_CASE("an ACL user limited to the documented commands and to its prefix can claim, commit and release") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    raw_client admin(server.port());
    // The line docs/replay.md gives, with this test's prefix.
    REQUIRE(admin.run({"ACL", "SETUSER", "kore-webhook", "on", ">acl-password", "~test:replay:*", "+set", "+get",
                       "+del", "+evalsha", "+eval"}) == "OK");
    kw::redis_replay_store_options options = store_options(server);
    options.username = "kore-webhook";
    options.password = "acl-password";
    kw::redis_replay_store store(options);
    kw::replay_guard guard(store);
    CHECK_FALSE(store.ping());
    CHECK(admin.run({"SCRIPT", "FLUSH"}) == "OK");  // so that the EVAL fallback runs under the ACL too
    auto committed = guard.claim("POST", post(1), "t");
    REQUIRE(committed.status() == kw::replay_status::fresh);
    CHECK_FALSE(committed.commit());
    CHECK(guard.claim("POST", post(1)).status() == kw::replay_status::duplicate);
    auto released = guard.claim("POST", post(2));
    CHECK_FALSE(released.release());
    CHECK(guard.claim("POST", post(2)).status() == kw::replay_status::fresh);

    // The same user cannot write outside its prefix.
    kw::redis_replay_store_options elsewhere = options;
    elsewhere.key_prefix = "other:";
    kw::redis_replay_store outside(elsewhere);
    CHECK(kw::replay_guard(outside).claim("POST", post(3)).error() == kw::replay_errc::store_refused);
}

TEST_CASE("a user the ACL forbids to write the prefix fails ping() with Redis's NOPERM, though PING works") {
    // Issue 16 item 7: 0.2.0's ping() sent PING, which passed, and claims then failed with a
    // generic message. Now ping() claims and releases a probe key under the prefix.
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    raw_client admin(server.port());
    REQUIRE(admin.run({"ACL", "SETUSER", "reader", "on", ">reader-password", "%R~test:replay:*", "+@all"}) == "OK");
    kw::redis_replay_store_options options = store_options(server);
    options.username = "reader";
    options.password = "reader-password";
    kw::redis_replay_store store(options);
    raw_client as_reader(server.port());
    REQUIRE(as_reader.run({"AUTH", "reader", "reader-password"}) == "OK");
    REQUIRE(as_reader.run({"PING"}) == "PONG");  // what 0.2.0's ping() checked

    std::string why;
    CHECK(store.ping(why) == kw::replay_errc::store_refused);
    CAPTURE(why);
    CHECK(why.rfind("NOPERM", 0) == 0);
    CHECK(why.find("reader-password") == std::string::npos);

    kw::replay_guard guard(store);
    const auto ticket = guard.claim("POST", post(1));
    CHECK(ticket.status() == kw::replay_status::store_unavailable);
    CHECK(ticket.error() == kw::replay_errc::store_refused);
    CHECK(std::string(ticket.diagnostic()).rfind("NOPERM", 0) == 0);

    // The probe leaves nothing behind when it may write.
    kw::redis_replay_store admin_store(store_options(server));
    CHECK_FALSE(admin_store.ping(why));
    CHECK(admin.run({"DBSIZE"}) == "0");
}

TEST_CASE("an unreachable Redis is explained in words: the connection's error") {
    kw::redis_replay_store_options options;
    {
        kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
        options = store_options(server);
    }  // stopped: nothing listens on its port now
    kw::redis_replay_store store(options);
    std::string why;
    CHECK(store.ping(why) == kw::replay_errc::store_unavailable);
    CAPTURE(why);
    CHECK(why.rfind("cannot connect: ", 0) == 0);
    const auto ticket = kw::replay_guard(store).claim("POST", post(1));
    CHECK_FALSE(ticket.diagnostic().empty());
}

TEST_CASE("concurrent claims share at most max_connections connections, and all are answered") {
    kore_test::redis_server server(KORE_WEBHOOK_REDIS_SERVER);
    kw::redis_replay_store_options options = store_options(server);
    options.max_connections = 2;
    options.command_timeout = 5s;
    kw::redis_replay_store store(options);
    kw::replay_guard guard(store);
    constexpr std::size_t threads = 6;
    constexpr std::size_t per_thread = 25;
    std::vector<kw::result> deliveries;
    for (std::size_t i = 0; i < threads * per_thread; ++i) {
        deliveries.push_back(post(i));
    }
    std::atomic<std::size_t> fresh{0};
    std::atomic<std::size_t> most_open{0};
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (std::size_t k = 0; k < per_thread; ++k) {
                auto ticket = guard.claim("POST", deliveries[t * per_thread + k]);
                fresh += ticket.status() == kw::replay_status::fresh && !ticket.commit();
                const std::size_t open = store.open_connections();
                std::size_t seen = most_open.load();
                while (open > seen && !most_open.compare_exchange_weak(seen, open)) {
                }
            }
        });
    }
    for (auto& th : pool) {
        th.join();
    }
    CHECK(fresh == threads * per_thread);
    CHECK(most_open.load() <= 2);
    CHECK(store.open_connections() <= 2);
}

TEST_CASE("options that cannot work are refused at construction") {
    kw::redis_replay_store_options no_prefix;
    no_prefix.key_prefix.clear();
    CHECK_THROWS_AS(kw::redis_replay_store(no_prefix), std::invalid_argument);
    kw::redis_replay_store_options spaced;
    spaced.key_prefix = "my app:";
    CHECK_THROWS_AS(kw::redis_replay_store(spaced), std::invalid_argument);
    kw::redis_replay_store_options no_port;
    no_port.port = 0;
    CHECK_THROWS_AS(kw::redis_replay_store(no_port), std::invalid_argument);
    kw::redis_replay_store_options no_timeout;
    no_timeout.command_timeout = 0ms;
    CHECK_THROWS_AS(kw::redis_replay_store(no_timeout), std::invalid_argument);
    kw::redis_replay_store_options no_connections;
    no_connections.max_connections = 0;
    CHECK_THROWS_AS(kw::redis_replay_store(no_connections), std::invalid_argument);
    CHECK_NOTHROW(kw::redis_replay_store(kw::redis_replay_store_options()));
}
