// example.receiver: the replay-guarded receiver every example shares, without a server. The
// answers (status and body) and the words of the log line are the contract tools/load-test.py,
// tests/e2e and the other examples rely on (tests/receivers/common/request_log.hpp).
#include <support/catch.hpp>

#include "example_common.hpp"

#include <kore/webhook/sign.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view server = "receiver-test";
constexpr std::string_view secret = "receiver-test-secret";
constexpr std::string_view url = "https://hooks.example.com/kore/callback";

kore_example::config test_config() {
    kore_example::config c;
    c.secrets = {std::string(secret)};
    c.registered_url = std::string(url);
    c.route = "/kore/callback";
    return c;
}

// Hands one delivery of `body` to the receiver as a route helper would, and returns its answer.
kore::webhook::adapters::callback_reply deliver(kore_example::receiver& r, std::string_view method,
                                                const std::string& body) {
    const kore::webhook::verifier v{std::string(secret)};
    const std::string signature = kore::webhook::sign(secret, method, url, body);
    const kore::webhook::result verdict = v.verify(method, url, body, signature);
    REQUIRE(verdict.verified());
    const std::string key = verdict.replay_key();
    const kore::webhook::adapters::verified_callback callback{method, body,      "application/json",
                                                              key,    "token-1", verdict};
    return r.handle(callback);
}

#ifdef KORE_WEBHOOK_EXAMPLE_REDIS
// A loopback port nothing listens on: bound, then closed.
int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    ::close(fd);
    return ntohs(address.sin_port);
}
#endif

}  // namespace

TEST_CASE("A fresh callback is processed and answered 204; its replay is answered 200 duplicate") {
    kore_example::receiver r(server, test_config());
    const auto first = deliver(r, "POST", R"({"sim_sid":"HS01"})");
    CHECK(first.status == 204);
    CHECK(first.body.empty());
    const auto replay = deliver(r, "POST", R"({"sim_sid":"HS01"})");
    CHECK(replay.status == 200);
    CHECK(replay.body == "duplicate");
    CHECK(deliver(r, "POST", R"({"sim_sid":"HS02"})").status == 204);
}

TEST_CASE("A failed processing releases the claim: 500 processing_failed, and KORE's retry is processed") {
    kore_example::config c = test_config();
    c.fail_processing = 1;
    kore_example::receiver r(server, c);
    const auto failed = deliver(r, "POST", "SimSid=HS01");
    CHECK(failed.status == 500);
    CHECK(failed.body == "processing_failed");
    CHECK(deliver(r, "POST", "SimSid=HS01").status == 204);
    CHECK(deliver(r, "POST", "SimSid=HS01").status == 200);
}

TEST_CASE("KORE_WEBHOOK_FAIL_PROCESSING=always fails every delivery, and none is remembered") {
    kore_example::config c = test_config();
    c.fail_processing = kore_example::fail_always;
    kore_example::receiver r(server, c);
    CHECK(deliver(r, "POST", "SimSid=HS01").status == 500);
    CHECK(deliver(r, "POST", "SimSid=HS01").status == 500);
}

TEST_CASE("A GET callback is processed every time (it signs no data to key on)") {
    kore_example::receiver r(server, test_config());
    CHECK(deliver(r, "GET", "").status == 204);
    CHECK(deliver(r, "GET", "").status == 204);
}

#ifdef KORE_WEBHOOK_EXAMPLE_REDIS
TEST_CASE("An unreachable Redis is answered 503 replay_store_unavailable, and nothing is processed") {
    kore_example::config c = test_config();
    c.redis = kore_example::redis_address{"127.0.0.1", closed_port(), {}};
    kore_example::receiver r(server, c);
    const auto answer = deliver(r, "POST", "SimSid=HS01");
    CHECK(answer.status == 503);
    CHECK(answer.body == "replay_store_unavailable");
}
#endif

TEST_CASE("Only a 204 from the receiver is logged with the word verified") {
    CHECK(kore_example::receiver::outcome_of(204) == "verified");
    for (const int status : {200, 423, 500, 503, 401}) {
        const std::string_view outcome = kore_example::receiver::outcome_of(status);
        CHECK(outcome.find("verified") == std::string_view::npos);
    }
    CHECK(kore_example::receiver::outcome_of(200) == "duplicate");
    CHECK(kore_example::receiver::outcome_of(423) == "in_progress");
    CHECK(kore_example::receiver::outcome_of(503) == "replay_store_unavailable");
    CHECK(kore_example::receiver::outcome_of(500) == "processing_failed");
}

TEST_CASE("KORE_WEBHOOK_REDIS is host:port, with a port from 1 to 65535") {
    const auto plain = kore_example::parse_redis_address("redis.internal:6380");
    REQUIRE(plain);
    CHECK(plain->host == "redis.internal");
    CHECK(plain->port == 6380);
    const auto v6 = kore_example::parse_redis_address("[::1]:6379");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK_FALSE(kore_example::parse_redis_address("localhost"));
    CHECK_FALSE(kore_example::parse_redis_address(":6379"));
    CHECK_FALSE(kore_example::parse_redis_address("localhost:0"));
    CHECK_FALSE(kore_example::parse_redis_address("localhost:65536"));
    CHECK_FALSE(kore_example::parse_redis_address("localhost:63x9"));
}

TEST_CASE("TLS files that cannot be read, or hold no certificate, are refused naming the variable") {
    kore_example::tls_files files;
    const std::string missing = kore_example::load_tls_files("/nonexistent/cert.pem", "/nonexistent/key.pem", files);
    CHECK(missing.find("cannot read KORE_WEBHOOK_TLS_CERT (/nonexistent/cert.pem)") == 0);

    char path[] = "/tmp/kore-receiver-test-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    const std::string_view junk = "not a certificate\n";
    REQUIRE(::write(fd, junk.data(), junk.size()) == static_cast<ssize_t>(junk.size()));
    ::close(fd);
    const std::string no_cert = kore_example::load_tls_files(path, path, files);
    ::unlink(path);
    CHECK(no_cert == "KORE_WEBHOOK_TLS_CERT (" + std::string(path) + ") holds no PEM certificate");
}
