// Issue #9, a fleet of receivers: two example processes of two different servers share one Redis
// (KORE_WEBHOOK_REDIS), as receivers behind a load balancer do. A callback is processed once in
// total whichever receiver each delivery reaches, a replay with a changed token is caught by the
// other receiver, a failed processing is processed by the retry on the other receiver, a Redis
// that is down gives 503 on both and nothing is processed, and a restarted Redis brings the fleet
// back. Each test starts its own redis-server on a free loopback port and its own two examples.
//
// ctest sets KORE_E2E_EXAMPLES (build/kore-webhook-receivers.txt) and KORE_E2E_FLEET (the two
// servers, e.g. "httplib,beast").

#include "example_process.hpp"
#include "http_client.hpp"

#include <support/catch.hpp>
#include <support/redis_server.hpp>

#include <kore/webhook.hpp>
#include <kore/webhook/replay_guard_redis.hpp>

#include <hiredis/hiredis.h>

#include <sys/time.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr std::string_view secret = "kore-e2e-fleet-secret";
constexpr std::string_view registered_url = "https://hooks.example.com/kore/callback";
constexpr std::string_view route = "/kore/callback";

std::string required_env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error(std::string(name) + " is not set (ctest sets it; see tests/e2e/CMakeLists.txt)");
    }
    return value;
}

// The two servers of the fleet, with the paths of their examples.
std::vector<std::pair<std::string, std::string>> fleet_examples() {
    const auto built = e2e::read_examples(required_env("KORE_E2E_EXAMPLES"));
    const std::string names = required_env("KORE_E2E_FLEET");
    std::vector<std::pair<std::string, std::string>> out;
    for (std::size_t start = 0; start <= names.size();) {
        const std::size_t comma = std::min(names.find(',', start), names.size());
        const std::string name = names.substr(start, comma - start);
        const auto it = built.find(name);
        if (it == built.end()) {
            throw std::runtime_error("kore-webhook-receiver-" + name + " was not built");
        }
        out.emplace_back(name, it->second);
        start = comma + 1;
    }
    if (out.size() != 2 || out[0].first == out[1].first) {
        throw std::runtime_error("KORE_E2E_FLEET must name two different servers");
    }
    return out;
}

// A genuine KORE callback, its own event (so its own signed request), with a token.
std::string event_body(std::string_view event) {
    return R"({"specversion":"1.0","type":"com.kore.supersim.sim.updated","id":")" + std::string(event) +
           R"(","data":{"sim_sid":"HS01","status":"active"}})";
}

e2e::request callback(std::string_view event, std::string token = "kore-token-1") {
    e2e::request r;
    r.method = "POST";
    r.target = std::string(route);
    r.body = event_body(event);
    r.headers = {{"User-Agent", "KoreProxy/1.1"},
                 {"Content-Type", "application/json"},
                 {"kore-idempotency-token", std::move(token)},
                 {"kore-signature", kore::webhook::sign(secret, "POST", registered_url, r.body)}};
    return r;
}

// The Redis key the examples' guard claims a callback under (default key prefix).
std::string replay_record_key(std::string_view event) {
    const std::string body = event_body(event);
    const kore::webhook::verifier verifier{secret};
    const kore::webhook::result verdict =
        verifier.verify("POST", registered_url, body, kore::webhook::sign(secret, "POST", registered_url, body));
    return kore::webhook::redis_replay_store_options{}.key_prefix + verdict.replay_key();
}

// Callbacks the example processed: its lines "... 204 verified".
std::size_t processed(const e2e::example_process& example) {
    const std::string log = example.log();
    std::size_t n = 0;
    for (std::size_t at = log.find(" 204 verified"); at != std::string::npos; at = log.find(" 204 verified", at + 1)) {
        ++n;
    }
    return n;
}

// A private Redis and two receivers of different servers that share it. `first_env` and
// `second_env` are test hooks for one receiver (KORE_WEBHOOK_FAIL_PROCESSING, ...).
class fleet {
public:
    explicit fleet(const std::vector<std::string>& first_env = {}, const std::vector<std::string>& second_env = {})
        : redis_(KORE_WEBHOOK_REDIS_SERVER) {
        const auto examples = fleet_examples();
        first_ = start(examples[0], first_env);
        second_ = start(examples[1], second_env);
    }

    kore_test::redis_server& redis() { return redis_; }
    e2e::example_process& first() { return *first_; }
    e2e::example_process& second() { return *second_; }

    // One delivery to `receiver`: its status and body.
    static e2e::response deliver(const e2e::example_process& receiver, const e2e::request& r) {
        return e2e::send(receiver.port(), r, 15s);
    }

private:
    std::unique_ptr<e2e::example_process> start(const std::pair<std::string, std::string>& example,
                                                const std::vector<std::string>& hooks) {
        std::vector<std::string> env = e2e::inherited_environment();
        env.emplace_back("PORT=0");
        env.push_back("KORE_WEBHOOK_SECRET=" + std::string(secret));
        env.push_back("KORE_WEBHOOK_URL=" + std::string(registered_url));
        env.push_back("KORE_WEBHOOK_REDIS=127.0.0.1:" + std::to_string(redis_.port()));
        env.insert(env.end(), hooks.begin(), hooks.end());
        auto process = std::make_unique<e2e::example_process>(example.first, example.second, env);
        if (!process->ready()) {
            throw std::runtime_error(example.first + " did not start: " + process->problem());
        }
        return process;
    }

    kore_test::redis_server redis_;
    std::unique_ptr<e2e::example_process> first_;
    std::unique_ptr<e2e::example_process> second_;
};

// What KORE does with a 503: it delivers again later. Here: every 50 ms for at most 10 s, until
// the answer is another.
e2e::response deliver_until_not_503(const e2e::example_process& receiver, const e2e::request& r) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    e2e::response answer = fleet::deliver(receiver, r);
    while (answer.status == 503 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
        answer = fleet::deliver(receiver, r);
    }
    return answer;
}

// The value Redis holds under `key` ("" when there is none).
std::string redis_value(int port, const std::string& key) {
    const timeval timeout{1, 0};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port, timeout);
    std::string value;
    if (c != nullptr && c->err == 0) {
        auto* reply = static_cast<redisReply*>(redisCommand(c, "GET %b", key.data(), key.size()));
        if (reply != nullptr && reply->type == REDIS_REPLY_STRING) {
            value.assign(reply->str, reply->len);
        }
        freeReplyObject(reply);
    }
    redisFree(c);
    return value;
}

}  // namespace

TEST_CASE("A callback delivered to both receivers of a fleet is processed once in total") {
    fleet f;
    const auto first = fleet::deliver(f.first(), callback("once-in-total"));
    const auto second = fleet::deliver(f.second(), callback("once-in-total"));
    INFO(f.first().name() << " then " << f.second().name());
    CHECK(first.status == 204);
    CHECK(second.status == 200);
    CHECK(second.body == "duplicate");
    CHECK(processed(f.first()) + processed(f.second()) == 1);
}

TEST_CASE("Deliveries of one callback to both receivers at the same time process it once") {
    fleet f;
    constexpr int callbacks = 20;
    std::vector<e2e::response> on_first(callbacks);
    std::vector<e2e::response> on_second(callbacks);
    for (int i = 0; i < callbacks; ++i) {
        const std::string event = "simultaneous-" + std::to_string(i);
        std::thread other(
            [&] { on_second[static_cast<std::size_t>(i)] = fleet::deliver(f.second(), callback(event)); });
        on_first[static_cast<std::size_t>(i)] = fleet::deliver(f.first(), callback(event));
        other.join();
    }
    for (std::size_t i = 0; i < on_first.size(); ++i) {
        INFO("callback " << i << ": " << f.first().name() << " " << on_first[i].status << " \"" << on_first[i].body
                         << "\", " << f.second().name() << " " << on_second[i].status << " \"" << on_second[i].body
                         << "\"");
        // One processes it; the other finds it processed (200) or being processed (423, which
        // KORE retries).
        const bool first_processed = on_first[i].status == 204;
        const e2e::response& other = first_processed ? on_second[i] : on_first[i];
        CHECK((first_processed || on_second[i].status == 204));
        CHECK(((other.status == 200 && other.body == "duplicate") ||
               (other.status == 423 && other.body == "in_progress")));
    }
    CHECK(processed(f.first()) + processed(f.second()) == static_cast<std::size_t>(callbacks));
}

TEST_CASE("A replay with a changed token on the other receiver is acknowledged, not processed") {
    fleet f;
    REQUIRE(fleet::deliver(f.first(), callback("changed-token", "kore-token-original")).status == 204);
    // Neither the token nor the date is signed: whoever holds a copy can change them.
    const auto answer = fleet::deliver(f.second(), callback("changed-token", "attacker-token"));
    CHECK(answer.status == 200);
    CHECK(answer.body == "duplicate");
    CHECK(processed(f.second()) == 0);
}

TEST_CASE("A processing that failed on one receiver is processed by the retry on the other") {
    fleet f({"KORE_WEBHOOK_FAIL_PROCESSING=always"});
    const auto failed = fleet::deliver(f.first(), callback("failed-then-retried"));
    CHECK(failed.status == 500);
    CHECK(failed.body == "processing_failed");
    // The claim was released: KORE's retry (same token) reaches the other receiver and is processed.
    const auto retry = fleet::deliver(f.second(), callback("failed-then-retried"));
    CHECK(retry.status == 204);
    // And it is recorded: a further retry on the failing receiver is a duplicate, never processed.
    const auto again = fleet::deliver(f.first(), callback("failed-then-retried"));
    CHECK(again.status == 200);
    CHECK(again.body == "duplicate");
    CHECK(processed(f.first()) + processed(f.second()) == 1);
}

TEST_CASE("A delivery that arrives while the other receiver processes the callback is answered 423") {
    fleet f({}, {"KORE_WEBHOOK_PROCESSING_DELAY_MS=3000"});
    const std::string key = replay_record_key("in-progress");
    e2e::response slow;
    std::thread processing([&] { slow = fleet::deliver(f.second(), callback("in-progress")); });
    // Wait until the second receiver's claim is in Redis ("c:" a claim, "d:" done).
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::string record = redis_value(f.redis().port(), key);
    while (record.rfind("c:", 0) != 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
        record = redis_value(f.redis().port(), key);
    }
    const bool claimed = record.rfind("c:", 0) == 0;
    const auto meanwhile =
        claimed ? fleet::deliver(f.first(), callback("in-progress", "kore-token-2")) : e2e::response{};
    processing.join();
    REQUIRE(claimed);
    CHECK(meanwhile.status == 423);
    CHECK(meanwhile.body == "in_progress");
    CHECK(slow.status == 204);
    const auto retry = fleet::deliver(f.first(), callback("in-progress", "kore-token-2"));
    CHECK(retry.status == 200);
    CHECK(processed(f.first()) + processed(f.second()) == 1);
}

TEST_CASE("With Redis stopped, both receivers answer 503 and process nothing") {
    fleet f;
    REQUIRE(fleet::deliver(f.first(), callback("before-the-outage")).status == 204);
    f.redis().stop();
    for (e2e::example_process* receiver : {&f.first(), &f.second()}) {
        INFO(receiver->name());
        const auto answer = fleet::deliver(*receiver, callback("during-the-outage"));
        CHECK(answer.status == 503);
        CHECK(answer.body == "replay_store_unavailable");
    }
    CHECK(processed(f.first()) == 1);  // the callback before the outage, nothing since
    CHECK(processed(f.second()) == 0);
}

TEST_CASE("After Redis restarts, the fleet processes each callback once again") {
    fleet f;
    f.redis().stop();
    REQUIRE(fleet::deliver(f.first(), callback("across-the-restart")).status == 503);
    f.redis().start();  // same port, empty
    // KORE retries the 503: once Redis answers, the callback is processed, once.
    const auto retried = deliver_until_not_503(f.first(), callback("across-the-restart"));
    CHECK(retried.status == 204);
    const auto on_other = deliver_until_not_503(f.second(), callback("across-the-restart"));
    CHECK(on_other.status == 200);
    CHECK(on_other.body == "duplicate");
    CHECK(fleet::deliver(f.second(), callback("after-the-restart")).status == 204);
    CHECK(processed(f.first()) + processed(f.second()) == 2);
}

TEST_CASE("Both receivers of the fleet stop cleanly on SIGTERM") {
    fleet f;
    REQUIRE(fleet::deliver(f.first(), callback("before-stopping")).status == 204);
    f.first().stop();
    f.second().stop();
    INFO(f.first().name() << ": " << f.first().problem() << "; " << f.second().name() << ": " << f.second().problem());
    CHECK(f.first().problem().empty());
    CHECK(f.second().problem().empty());
}
