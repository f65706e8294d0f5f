// gateway.config: the gateway's configuration file (issue 17): every key of the issue read, and
// every mistake refused naming its key; the Standard Webhooks signature against the spec's vector.

#include <support/catch.hpp>

#include "serve/config.hpp"
#include "serve/signing.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using kore_cli::serve::config_error;
using kore_cli::serve::parse_config;

// A temporary directory holding the secret files the configurations name.
class secret_dir {
public:
    secret_dir() {
        char name[] = "/tmp/kore-gateway-config-XXXXXX";
        if (::mkdtemp(name) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        dir_ = name;
        write("active", "kore-active-secret\n");
        write("pending", "kore-pending-secret");
        write("empty", "\n");
        write("whsec", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
        write("not-whsec", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
    }
    ~secret_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    secret_dir(const secret_dir&) = delete;
    secret_dir& operator=(const secret_dir&) = delete;

    void write(const std::string& name, const std::string& content) const {
        std::ofstream(dir_ + "/" + name, std::ios::binary) << content;
    }
    [[nodiscard]] std::string path(const std::string& name) const { return dir_ + "/" + name; }

    // A route's secret keys and forward table, naming files in this directory.
    [[nodiscard]] std::string forward_route(const std::string& extra = "") const {
        return "[[route]]\npath = \"/kore/sims\"\nregistered_url = \"https://hooks.example.com/kore/sims\"\n"
               "secret_files = [\"" +
               path("active") + "\", \"" + path("pending") + "\"]\n" + extra +
               "[route.forward]\nurl = \"http://127.0.0.1:3000/kore\"\nsigning_secret_file = \"" + path("whsec") +
               "\"\n";
    }

private:
    std::string dir_;
};

// The message of the config_error `text` raises, or "" when it is accepted.
std::string refusal(const std::string& text) {
    try {
        static_cast<void>(parse_config(text, "test.toml"));
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("every key of the issue is read") {
    const secret_dir d;
    const auto c = parse_config(
        "listen = \"0.0.0.0:8443\"\nadmin_listen = \"127.0.0.1:9102\"\n"
        "[redis]\naddress = \"127.0.0.1:6379\"\n" +
            d.forward_route("max_body_bytes = 4096\n") + "timeout_ms = 2500\n" +
            "[[route]]\npath = \"/kore/events\"\nregistered_url = \"https://hooks.example.com/kore/events\"\n"
            "secret_files = [\"" +
            d.path("active") + "\"]\n[route.stream]\nkey = \"kore:events\"\nmaxlen = 5000\n",
        "test.toml");
    CHECK(c.listen.host == "0.0.0.0");
    CHECK(c.listen.port == 8443);
    REQUIRE(c.admin_listen);
    CHECK(c.admin_listen->port == 9102);
    REQUIRE(c.redis);
    CHECK(c.redis->address.str() == "127.0.0.1:6379");
    REQUIRE(c.routes.size() == 2);
    const auto& sims = c.routes[0];
    CHECK(sims.path == "/kore/sims");
    CHECK(sims.registered_url == "https://hooks.example.com/kore/sims");
    CHECK(sims.secrets == std::vector<std::string>{"kore-active-secret", "kore-pending-secret"});
    CHECK(sims.max_body_bytes == 4096);
    REQUIRE(sims.forward);
    CHECK_FALSE(sims.stream);
    CHECK_FALSE(sims.forward->https);
    CHECK(sims.forward->host == "127.0.0.1");
    CHECK(sims.forward->port == "3000");
    CHECK(sims.forward->target == "/kore");
    CHECK(sims.forward->timeout.count() == 2500);
    CHECK(sims.forward->signing_key.size() == 24);  // the whsec_ key, base64-decoded
    const auto& events = c.routes[1];
    REQUIRE(events.stream);
    CHECK_FALSE(events.forward);
    CHECK(events.stream->key == "kore:events");
    CHECK(events.stream->maxlen == 5000);
    CHECK(events.max_body_bytes == std::size_t{1} << 20U);
}

TEST_CASE("tls names both files, which must be readable") {
    const secret_dir d;
    const std::string base = "listen = \"0.0.0.0:8443\"\n";
    const auto c = parse_config(base + "[tls]\ncert_file = \"" + d.path("active") + "\"\nkey_file = \"" +
                                    d.path("pending") + "\"\n" + d.forward_route(),
                                "test.toml");
    REQUIRE(c.tls);
    CHECK(c.tls->cert_file == d.path("active"));
    CHECK(refusal(base + "[tls]\ncert_file = \"" + d.path("nope") + "\"\nkey_file = \"" + d.path("pending") + "\"\n" +
                  d.forward_route())
              .rfind("tls.cert_file: cannot read", 0) == 0);
    CHECK(refusal(base + "[tls]\ncert_file = \"" + d.path("active") + "\"\n" + d.forward_route())
              .rfind("tls.key_file: missing", 0) == 0);
}

TEST_CASE("unknown keys are refused, naming the key") {
    const secret_dir d;
    const std::string base = "listen = \"127.0.0.1:0\"\n";
    CHECK(refusal(base + "lisen = \"x\"\n" + d.forward_route()) == "lisen: unknown key");
    CHECK(refusal(base + "[redis]\naddress = \"127.0.0.1:6379\"\npassword = \"x\"\n" + d.forward_route()) ==
          "redis.password: unknown key");
    CHECK(refusal(base + d.forward_route("secret = \"x\"\n")) == "route[0].secret: unknown key");
    CHECK(refusal(base + d.forward_route() + "retries = 3\n") == "route[0].forward.retries: unknown key");
    CHECK(refusal(base + "[[route]]\npath = \"/a\"\nregistered_url = \"https://h.example/a\"\nsecret_files = [\"" +
                  d.path("active") + "\"]\n[route.stream]\nkey = \"k\"\nmax_len = 5\n[redis]\naddress = \"h:1\"\n") ==
          "route[0].stream.max_len: unknown key");
}

TEST_CASE("a route has exactly one output") {
    const secret_dir d;
    const std::string base = "listen = \"127.0.0.1:0\"\n[redis]\naddress = \"127.0.0.1:6379\"\n";
    CHECK(refusal(base + d.forward_route() + "[route.stream]\nkey = \"k\"\n")
              .rfind("route[0].forward: a route has exactly one output", 0) == 0);
    CHECK(refusal(base + "[[route]]\npath = \"/a\"\nregistered_url = \"https://h.example/a\"\nsecret_files = [\"" +
                  d.path("active") + "\"]\n")
              .rfind("route[0].forward: a route needs one output", 0) == 0);
}

TEST_CASE("a stream needs [redis]") {
    const secret_dir d;
    CHECK(refusal("listen = \"127.0.0.1:0\"\n[[route]]\npath = \"/a\"\nregistered_url = \"https://h.example/a\"\n"
                  "secret_files = [\"" +
                  d.path("active") + "\"]\n[route.stream]\nkey = \"k\"\n")
              .rfind("route[0].stream: needs [redis]", 0) == 0);
}

TEST_CASE("secret files must exist and hold a secret") {
    const secret_dir d;
    const std::string base = "listen = \"127.0.0.1:0\"\n";
    const auto route_with = [&](const std::string& file) {
        return "[[route]]\npath = \"/a\"\nregistered_url = \"https://h.example/a\"\nsecret_files = [\"" +
               d.path("active") + "\", \"" + d.path(file) + "\"]\n[route.forward]\nurl = \"http://127.0.0.1:1/\"\n" +
               "signing_secret_file = \"" + d.path("whsec") + "\"\n";
    };
    CHECK(refusal(base + route_with("missing")).rfind("route[0].secret_files[1]: cannot read file", 0) == 0);
    CHECK(refusal(base + route_with("empty")).rfind("route[0].secret_files[1]: file", 0) == 0);
    CHECK(refusal(base + route_with("empty")).find("is empty") != std::string::npos);
    CHECK(refusal(base + "[[route]]\npath = \"/a\"\nregistered_url = \"https://h.example/a\"\nsecret_files = []\n")
              .rfind("route[0].secret_files: must be an array of 1 to 4", 0) == 0);
}

TEST_CASE("the signing secret must be a whsec_ secret") {
    const secret_dir d;
    const std::string text =
        "listen = \"127.0.0.1:0\"\n[[route]]\npath = \"/a\"\nregistered_url = "
        "\"https://h.example/a\"\nsecret_files = [\"" +
        d.path("active") + "\"]\n[route.forward]\nurl = \"http://127.0.0.1:1/\"\n" + "signing_secret_file = \"" +
        d.path("not-whsec") + "\"\n";
    const std::string why = refusal(text);
    CHECK(why.rfind("route[0].forward.signing_secret_file: file", 0) == 0);
    CHECK(why.find("MfKQ9r8") == std::string::npos);  // never the secret itself
    CHECK(kore_cli::serve::decode_whsec("whsec_AAAA") == std::string(3, '\0'));
    CHECK_FALSE(kore_cli::serve::decode_whsec("whsec_AAA"));
    CHECK_FALSE(kore_cli::serve::decode_whsec("whsec_AA*A"));
    CHECK_FALSE(kore_cli::serve::decode_whsec("whsec_AB=="));  // bits past the end
    CHECK_FALSE(kore_cli::serve::decode_whsec("wh_AAAA"));
}

TEST_CASE("addresses, paths, URLs and numbers are checked") {
    const secret_dir d;
    CHECK(refusal("listen = \"localhost\"\n" + d.forward_route()).rfind("listen: must be HOST:PORT", 0) == 0);
    CHECK(refusal("listen = \"127.0.0.1:70000\"\n" + d.forward_route()).rfind("listen: must be HOST:PORT", 0) == 0);
    CHECK(refusal(d.forward_route()) == "listen: missing (required)");
    CHECK(refusal("listen = 8443\n" + d.forward_route()) == "listen: must be a string");
    CHECK(refusal("listen = \"127.0.0.1:9000\"\nadmin_listen = \"127.0.0.1:9000\"\n" + d.forward_route())
              .rfind("admin_listen: must not be", 0) == 0);
    CHECK(refusal("listen = \"127.0.0.1:0\"\n" + d.forward_route("max_body_bytes = -1\n"))
              .rfind("route[0].max_body_bytes: must be in", 0) == 0);
    CHECK(refusal("listen = \"127.0.0.1:0\"\n" + d.forward_route() + "timeout_ms = \"10\"\n") ==
          "route[0].forward.timeout_ms: must be an integer");
    CHECK(refusal("listen = \"127.0.0.1:0\"\n" + d.forward_route() + d.forward_route())
              .rfind("route[1].path: another route already serves", 0) == 0);
    CHECK(refusal("listen = \"127.0.0.1:0\"\n").rfind("route: missing", 0) == 0);
    CHECK(refusal("listen = \"127.0.0.1:0\n").rfind("test.toml:1: ", 0) == 0);  // a TOML syntax error
    const auto v6 = kore_cli::serve::parse_host_port("[::1]:8443");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->str() == "[::1]:8443");
}

TEST_CASE("the forward is signed as Standard Webhooks sign") {
    // The Standard Webhooks specification's example (the same key, id, timestamp and payload
    // give this signature in its reference libraries, the standardwebhooks npm package included).
    const auto key = kore_cli::serve::decode_whsec("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    REQUIRE(key);
    const kore_cli::serve::signer s(*key);
    CHECK(s.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "{\"test\": 2432232314}") ==
          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    CHECK(s.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "{\"test\": 2432232315}") !=
          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST_CASE("the webhook-id is the digest's, so every delivery of a callback has the same") {
    std::array<unsigned char, 32> digest{};
    digest[0] = 0xab;
    digest[15] = 0x01;
    digest[16] = 0xff;  // past the id's 16 bytes
    CHECK(kore_cli::serve::webhook_id(digest) == "msg_ab000000000000000000000000000001");
    CHECK(kore_cli::serve::encode_base64("ab") == "YWI=");
    CHECK(kore_cli::serve::encode_base64("abc") == "YWJj");
    CHECK(kore_cli::serve::encode_base64("a") == "YQ==");
}
