// The copyable examples (examples/<server>.cpp, kore-webhook-example-<server>), as a reader runs
// them: each refuses to start without its secret or URL, verifies and de-duplicates callbacks
// over HTTP, serves HTTPS when given a certificate, and shares its replay records through
// KORE_WEBHOOK_REDIS. The full request matrix runs against the tuned receivers (servers.cpp).
//
// ctest sets KORE_E2E_EXAMPLES (build/kore-webhook-examples.txt), KORE_E2E_EXPECT (the servers
// that must be there) and KORE_E2E_OPENSSL (the openssl tool, for the test certificate).

#include "example_process.hpp"
#include "http_client.hpp"

#include <support/catch.hpp>
#ifdef KORE_WEBHOOK_REDIS_SERVER
#include <support/redis_server.hpp>
#endif

#include <kore/webhook/sign.hpp>

#include <fcntl.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr std::string_view secret = "kore-e2e-example-secret";
constexpr std::string_view registered_url = "https://hooks.example.com/kore/callback";
constexpr std::string_view route = "/kore/callback";
// Debian 12's CivetWeb cannot load OpenSSL 3: its example refuses HTTPS (exit 2), as the receiver does.
constexpr std::string_view without_tls = "civetweb";

std::string required_env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error(std::string(name) + " is not set (ctest sets it; see tests/e2e/CMakeLists.txt)");
    }
    return value;
}

// Every expected example, by server; throws when one was not built.
std::map<std::string, std::string> examples() {
    const auto built = e2e::read_examples(required_env("KORE_E2E_EXAMPLES"));
    const std::string expected = required_env("KORE_E2E_EXPECT");
    std::map<std::string, std::string> out;
    for (std::size_t start = 0; start < expected.size();) {
        const std::size_t comma = std::min(expected.find(',', start), expected.size());
        const std::string name = expected.substr(start, comma - start);
        if (built.count(name) == 0) {
            throw std::runtime_error("kore-webhook-example-" + name + " was not built");
        }
        out[name] = built.at(name);
        start = comma + 1;
    }
    return out;
}

std::vector<std::string> environment(std::vector<std::string> extra) {
    std::vector<std::string> env = e2e::inherited_environment();
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

std::vector<std::string> configured(std::vector<std::string> extra = {}) {
    extra.push_back("KORE_WEBHOOK_SECRET=" + std::string(secret));
    extra.push_back("KORE_WEBHOOK_URL=" + std::string(registered_url));
    extra.emplace_back("PORT=0");
    return environment(std::move(extra));
}

// Runs the example to its end; its exit status and what it wrote on stderr.
std::pair<std::string, std::string> run_to_exit(const std::string& path, const std::vector<std::string>& env) {
    char log_template[] = "/tmp/kore-e2e-example-XXXXXX";
    const int log_fd = ::mkstemp(log_template);
    const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    const pid_t pid = e2e::spawn(path, env, null_fd, log_fd);
    ::close(log_fd);
    ::close(null_fd);
    const auto status = e2e::wait_exit(pid, 10s);
    if (!status) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    std::string said = e2e::read_file(log_template);
    ::unlink(log_template);
    return {status ? e2e::describe_status(*status) : "still running after 10 s", said};
}

e2e::request callback(std::string body, std::string token = "kore-token-1") {
    e2e::request r;
    r.target = std::string(route);
    r.headers = {{"Content-Type", "application/json"},
                 {"kore-idempotency-token", std::move(token)},
                 {"kore-signature", kore::webhook::sign(secret, "POST", registered_url, body)}};
    r.body = std::move(body);
    return r;
}

std::string event(std::string_view id) {
    return R"({"specversion":"1.0","type":"com.kore.supersim.sim.updated","id":")" + std::string(id) + R"("})";
}

}  // namespace

TEST_CASE("an example without its secret or URL refuses to start with exit 2 and names the variable") {
    for (const auto& [server, path] : examples()) {
        INFO(server);
        const auto no_secret = run_to_exit(path, environment({"KORE_WEBHOOK_URL=" + std::string(registered_url)}));
        CHECK(no_secret.first == "exit 2");
        CHECK(no_secret.second.find("KORE_WEBHOOK_SECRET is not set") != std::string::npos);
        const auto no_url = run_to_exit(path, environment({"KORE_WEBHOOK_SECRET=" + std::string(secret)}));
        CHECK(no_url.first == "exit 2");
        CHECK(no_url.second.find("KORE_WEBHOOK_URL is not set") != std::string::npos);
    }
}

TEST_CASE("an example with a PORT that is not a port refuses to start with exit 2") {
    for (const auto& [server, path] : examples()) {
        INFO(server);
        std::vector<std::string> env = configured();
        env.back() = "PORT=65536";
        const auto refused = run_to_exit(path, env);
        CHECK(refused.first == "exit 2");
        CHECK(refused.second.find("PORT must be") != std::string::npos);
    }
}

TEST_CASE("an example accepts callbacks signed with KORE_WEBHOOK_SECRET_NEXT during a rotation") {
    for (const auto& [server, path] : examples()) {
        INFO(server);
        e2e::example_process example(server, path, configured({"KORE_WEBHOOK_SECRET_NEXT=kore-e2e-pending-secret"}));
        REQUIRE(example.problem() == "");
        e2e::request pending = callback(event("n1"));
        pending.headers.back().second =
            kore::webhook::sign("kore-e2e-pending-secret", "POST", registered_url, pending.body);
        CHECK(e2e::send(example.port(), pending).status == 204);
        pending.headers.back().second = kore::webhook::sign("another-secret", "POST", registered_url, pending.body);
        CHECK(e2e::send(example.port(), pending).status == 401);
    }
}

TEST_CASE("an example processes a callback once and refuses what is not signed") {
    for (const auto& [server, path] : examples()) {
        INFO(server);
        e2e::example_process example(server, path, configured());
        REQUIRE(example.problem() == "");
        CHECK(e2e::send(example.port(), callback(event("e1"))).status == 204);
        const e2e::response again = e2e::send(example.port(), callback(event("e1"), "another-token"));
        CHECK(again.status == 200);
        CHECK(again.body == "duplicate");
        e2e::request unsigned_request = callback(event("e2"));
        unsigned_request.headers.pop_back();
        CHECK(e2e::send(example.port(), unsigned_request).status == 401);
        e2e::request tampered = callback(event("e3"));
        tampered.body = event("e4");
        CHECK(e2e::send(example.port(), tampered).body == "signature_mismatch");
        e2e::request with_query = callback(event("e5"));
        with_query.target += "?added=1";
        CHECK(e2e::send(example.port(), with_query).body == "query_not_signed");
        e2e::request put = callback(event("e6"));
        put.method = "PUT";
        CHECK(e2e::send(example.port(), put).status == 405);
        e2e::request elsewhere = callback(event("e7"));
        elsewhere.target = "/elsewhere";
        CHECK(e2e::send(example.port(), elsewhere).status == 404);
        e2e::request too_large = callback(std::string((std::size_t{1} << 20) + 1, 'x'));
        CHECK(e2e::send(example.port(), too_large).status == 413);
        CHECK(e2e::send(example.port(), callback(event("e8"))).status == 204);  // the connection survived
        example.stop();
        CHECK(example.problem() == "");  // SIGTERM: exit 0
    }
}

TEST_CASE("an example given KORE_WEBHOOK_TLS_CERT and KORE_WEBHOOK_TLS_KEY serves HTTPS") {
    char dir_template[] = "/tmp/kore-e2e-example-tls-XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    const std::string dir = dir_template;
    const std::string command = required_env("KORE_E2E_OPENSSL") + " req -x509 -newkey rsa:2048 -nodes -keyout " + dir +
                                "/key.pem -out " + dir + "/cert.pem -days 2 -subj /CN=hooks.example.com" +
                                " -addext subjectAltName=DNS:hooks.example.com >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
    kore_cli::http::tls_options tls;
    tls.enabled = true;
    tls.server_name = "hooks.example.com";
    tls.ca_file = dir + "/cert.pem";
    const std::vector<std::string> env =
        configured({"KORE_WEBHOOK_TLS_CERT=" + dir + "/cert.pem", "KORE_WEBHOOK_TLS_KEY=" + dir + "/key.pem"});
    for (const auto& [server, path] : examples()) {
        INFO(server);
        if (server == without_tls) {
            const auto refused = run_to_exit(path, env);
            CHECK(refused.first == "exit 2");
            CHECK(refused.second.find("cannot serve HTTPS") != std::string::npos);
            continue;
        }
        e2e::example_process example(server, path, env);
        REQUIRE(example.problem() == "");
        CHECK(e2e::send(example.port(), callback(event("t1")), 15s, &tls).status == 204);
        CHECK(e2e::send(example.port(), callback(event("t1")), 15s, &tls).status == 200);
        CHECK(e2e::send(example.port(), callback(event("t2"))).status == 0);  // plain HTTP gets no answer
    }
    for (const char* file : {"/cert.pem", "/key.pem"}) {
        ::unlink((dir + file).c_str());
    }
    ::rmdir(dir.c_str());
}

#ifdef KORE_WEBHOOK_REDIS_SERVER
TEST_CASE("examples sharing KORE_WEBHOOK_REDIS process a callback once between them") {
    kore_test::redis_server redis(KORE_WEBHOOK_REDIS_SERVER);
    const std::vector<std::string> env = configured({"KORE_WEBHOOK_REDIS=127.0.0.1:" + std::to_string(redis.port())});
    std::vector<std::unique_ptr<e2e::example_process>> fleet;
    for (const auto& [server, path] : examples()) {
        fleet.push_back(std::make_unique<e2e::example_process>(server, path, env));
        REQUIRE(fleet.back()->problem() == "");
    }
    CHECK(e2e::send(fleet.front()->port(), callback(event("r1"))).status == 204);
    for (const auto& example : fleet) {
        INFO(example->name());
        CHECK(e2e::send(example->port(), callback(event("r1"), "retry")).status == 200);
    }
    redis.stop();
    CHECK(e2e::send(fleet.back()->port(), callback(event("r2"))).status == 503);  // nothing processed unguarded
}
#endif
