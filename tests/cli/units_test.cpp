// cli.units: the tool's parts, called in-process from its library (kore_webhook_cli): the command
// line (CLI11) and its messages, URL splitting, JSON layouts, the wire form the HTTP client
// writes, and the built-in events.

#include "cli_common.hpp"

#include <kore_cli/command_line.hpp>
#include <kore_cli/errors.hpp>
#include <kore_cli/events.hpp>
#include <kore_cli/http_client.hpp>
#include <kore_cli/http_request.hpp>
#include <kore_cli/json_text.hpp>
#include <kore_cli/url_parts.hpp>

#include <kore/webhook/sign.hpp>

#include <nlohmann/json.hpp>

#include <stdlib.h>

#include <sstream>
#include <string>
#include <vector>

using namespace kore_cli;

namespace {

struct outcome {
    int status = -1;
    std::string out;
    std::string err;
};

int no_demo(const demo_command&, std::ostream&, std::ostream&) {
    return 42;
}

// Exits with the port it was given, to show what the command line handed over.
int port_demo(const demo_command& d, std::ostream&, std::ostream&) {
    return static_cast<int>(d.port % 256);
}

// The gateway is linked into the executable only; the command line gets its entry point.
int no_serve(const serve::serve_args&, std::ostream&, std::ostream&) {
    return 43;
}

outcome call(const std::vector<std::string>& args, demo_runner demo = &no_demo) {
    std::ostringstream out;
    std::ostringstream err;
    outcome o;
    o.status = run(args, out, err, demo, &no_serve);
    o.out = out.str();
    o.err = err.str();
    return o;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string file_with(const std::string& name, const std::string& content) {
    return kore_cli_test::scratch().file(name, content);  // removed when the test ends
}

const std::string k1_url = "https://testendpoint.com";
const std::string k1_body = "field1=value1&field2=value2";
const std::string k1_sig = "4fdba0cb1394cc8d17b8dabb04634aa9a951021a7b161f9c7a2186cd490b18b2";

}  // namespace

TEST_CASE("options take '--name value' and '--name=value'") {
    const std::string secret = file_with("k1", "secret12345\n");
    const std::string body = file_with("k1body", k1_body);
    const auto spaced = call({"sign", "--secret-file", secret, "--url", k1_url, "--body-file", body});
    const auto joined = call({"sign", "--secret-file=" + secret, "--url=" + k1_url, "--body-file=" + body});
    CHECK(spaced.status == 0);
    CHECK(spaced.out == k1_sig + "\n");
    CHECK(joined.out == spaced.out);
}

TEST_CASE("secret options keep their command-line order across --secret-file and --secret-env") {
    // Both sources hold the same secret: the note names the first one given.
    const std::string file = file_with("same", "secret12345\n");
    REQUIRE(::setenv("KORE_CLI_UNITS_SECRET", "secret12345", 1) == 0);
    const std::vector<std::string> request{
        "--url", k1_url, "--method", "POST", "--body-file", file_with("b", k1_body), "--signature", k1_sig};
    std::vector<std::string> env_first{"verify", "--secret-env", "KORE_CLI_UNITS_SECRET", "--secret-file", file};
    std::vector<std::string> file_first{"verify", "--secret-file", file, "--secret-env", "KORE_CLI_UNITS_SECRET"};
    env_first.insert(env_first.end(), request.begin(), request.end());
    file_first.insert(file_first.end(), request.begin(), request.end());
    const auto a = call(env_first);
    const auto b = call(file_first);
    CHECK(a.status == 0);
    CHECK(b.status == 0);
    CHECK(has(a.err, "made with the secret from --secret-env KORE_CLI_UNITS_SECRET"));
    CHECK(has(b.err, "made with the secret from --secret-file " + file));
}

TEST_CASE("argument mistakes are usage errors (exit 2) that name the word") {
    const std::string secret = file_with("s", "x\n");
    const struct {
        std::vector<std::string> args;
        const char* message;
    } cases[] = {
        {{"sign", "--url", k1_url, "--nope"}, "unknown option --nope for 'sign' (see: kore-webhook sign --help)"},
        {{"sign", "--url", k1_url, "--nope=1"}, "unknown option --nope for 'sign'"},
        {{"sign", "--url"}, "--url needs a value (URL)"},
        {{"sign", "--url", "a", "--url", "b"}, "--url given twice"},
        {{"sign", "stray", "--url", k1_url}, "unexpected argument 'stray'"},
        {{"sign", "--secret-file", secret}, "sign needs --url: the callback URL as registered with KORE"},
        {{"verify", "--url", k1_url, "--explain=1"}, "--explain takes no value"},
        {{"verify", "--url", k1_url, "--explain", "--explain"}, "--explain given twice"},
        {{"verify", "--url", k1_url, "--request-file", "r", "--signature", "s"},
         "--signature cannot be combined with --request-file: the request says it"},
        {{"verify", "--url", k1_url, "--method", "POST", "--signature", "s", "--no-signature"},
         "give exactly one of --signature SIG and --no-signature"},
        {{"send", "--url", k1_url, "--retries", "11"}, "--retries is at most 10"},
        {{"send", "--url", k1_url, "--timeout", "0"}, "--timeout must be at least 1 second"},
        {{"demo", "--port", "x"}, "--port needs a number, got 'x'"},
        {{"frobnicate"}, "unknown command 'frobnicate' (demo, sign, verify, send; see: kore-webhook --help)"},
    };
    for (const auto& c : cases) {
        INFO(c.message);
        const auto o = call(c.args);
        CHECK(o.status == 2);
        CHECK(o.out.empty());
        CHECK(has(o.err, std::string("kore-webhook: ") + c.message));
    }
}

TEST_CASE("numbers are decimal digits only; a bad one is reported after help and missing options") {
    const struct {
        std::vector<std::string> args;
        const char* message;
    } cases[] = {
        // CLI11 2.1 alone would read these as 16, 2^64-1 and 5.
        {{"verify", "--url", k1_url, "--max-body-size", "0x10"}, "--max-body-size needs a number, got '0x10'"},
        {{"send", "--url", k1_url, "--retries", "-1"}, "--retries needs a number, got '-1'"},
        {{"send", "--url", k1_url, "--retry-delay", " 5"}, "--retry-delay needs a number, got ' 5'"},
        {{"send", "--url", k1_url, "--body-size", "1234567890123"}, "--body-size needs a number, got '1234567890123'"},
        {{"send", "--url", k1_url, "--timeout", "601"}, "--timeout is at most 600"},
        {{"send", "--retries", "x"}, "send needs --url: the callback URL as registered with KORE"},
        {{"send", "--url", k1_url, "--retries", "x", "--nope"}, "unknown option --nope for 'send'"},
        {{"send", "--url", k1_url, "--retries", "x", "--retries", "1"}, "--retries given twice"},
        {{"demo", "--port"}, "--port needs a value (N)"},
    };
    for (const auto& c : cases) {
        INFO(c.message);
        const auto o = call(c.args);
        CHECK(o.status == 2);
        CHECK(has(o.err, std::string("kore-webhook: ") + c.message));
    }
    CHECK(call({"demo", "--port", "010"}, &port_demo).status == 10);  // decimal, not octal
    CHECK(call({"demo", "--port", "000000000080"}, &port_demo).status == 80);
    const auto help = call({"send", "--retries", "x", "--help"});
    CHECK(help.status == 0);
    CHECK(has(help.out, "--retries N"));
}

TEST_CASE("demo is handed its options; help and version need no command") {
    CHECK(call({"demo", "--port", "8080"}).status == 42);
    const auto none = call({});
    CHECK(none.status == 2);
    CHECK(none.err.rfind("usage: kore-webhook <command> [options]\n", 0) == 0);
    CHECK(call({"help"}).out == call({"--help"}).out);
    CHECK(call({"version"}).out == call({"--version"}).out);
}

TEST_CASE("every help lists each option with its meaning, within 100 columns") {
    const struct {
        const char* command;
        std::vector<std::string> options;
    } commands[] = {
        {"sign",
         {"--secret-file FILE", "--secret-env NAME", "--secret SECRET", "--method METHOD", "--url URL",
          "--body-file FILE"}},
        {"verify",
         {"--secret-file FILE", "--url URL", "--request-file FILE", "--method METHOD", "--body-file FILE",
          "--signature SIG", "--no-signature", "--explain", "--explain-secret-file FILE", "--explain-secret-env NAME",
          "--max-body-size BYTES", "--allow-get-query"}},
        {"send",
         {"--secret-file FILE", "--url URL", "--event NAME", "--body-file FILE", "--content-type TYPE",
          "--method METHOD", "--tamper MODE", "--retries N", "--retry-delay MS", "--timeout SECONDS",
          "--header 'NAME: VALUE'", "--chunked", "--pretty-json", "--body-size N", "--path-override PATH",
          "--connect HOST:PORT", "--connect-to HOST:PORT", "--cacert FILE", "--dry-run"}},
        {"demo", {"--port N"}},
        {"serve", {"--config FILE", "--check"}},
    };
    for (const auto& c : commands) {
        INFO(c.command);
        const auto help = call({c.command, "--help"});
        CHECK(help.status == 0);
        for (const auto& option : c.options) {
            INFO(option);
            // The name column, then the meaning on the same line or (long names) the next.
            CHECK((has(help.out, "\n  " + option + " ") || has(help.out, "\n  " + option + "\n")));
        }
        std::istringstream lines(help.out);
        std::string line;
        while (std::getline(lines, line)) {
            INFO(line);
            CHECK(line.size() <= 100);
        }
    }
    const auto send = call({"send", "--help"}).out;
    for (const char* mode : {"body", "signature", "unsigned", "missing", "replay", "length-extension", "wrong-url"}) {
        CHECK(has(send, std::string(mode) + "  "));
    }
    for (const auto& e : event_catalog) {
        CHECK(has(send, std::string(e.name) + "  "));
    }
}

TEST_CASE("URLs split into scheme, host, port, path and the unsigned rest") {
    const auto u = split_url("HTTPS://Example.com:8443/a/b?x=1#f");
    REQUIRE(u);
    CHECK(u->scheme == "HTTPS");
    CHECK(u->is_https());
    CHECK(u->host == "Example.com");
    CHECK(u->port == "8443");
    CHECK(u->path == "/a/b");
    CHECK(u->rest == "?x=1#f");
    CHECK(u->str() == "HTTPS://Example.com:8443/a/b?x=1#f");
    const auto v6 = split_url("http://[::1]:80");
    REQUIRE(v6);
    CHECK(v6->host == "[::1]");
    CHECK(v6->path.empty());
    CHECK_FALSE(split_url("ftp://x/"));
    CHECK_FALSE(split_url("/kore/callback"));
    CHECK_FALSE(split_url("http://user:pw@x/"));
    CHECK_FALSE(split_url("http://x:port/"));
    CHECK_FALSE(split_url("http:///path"));
}

TEST_CASE("JSON layouts: minified by the library's minifier, others re-serialised in member order") {
    const std::string text = R"({ "b" : [1, 2, {}], "s": "x , y: {z}", "a": [] })";
    CHECK(json::minified(text).value() == R"({"b":[1,2,{}],"s":"x , y: {z}","a":[]})");
    CHECK(json::rewritten(text, json::layout::spaced).value() == R"({"b": [1, 2, {}], "s": "x , y: {z}", "a": []})");
    CHECK(json::rewritten(R"({"a":[1]})", json::layout::indent2).value() == "{\n  \"a\": [\n    1\n  ]\n}");
    CHECK(json::rewritten(R"({"a":[1]})", json::layout::indent4).value() == "{\n    \"a\": [\n        1\n    ]\n}");
    CHECK_FALSE(json::minified("{\"a\":1"));
    CHECK_FALSE(json::minified("[1 0]"));
    CHECK_FALSE(json::rewritten("[1}", json::layout::spaced));
    CHECK(json::with_escaped_slashes(R"({"u":"a/b"})", true) == R"({"u":"a\/b"})");
    CHECK(json::with_escaped_slashes(R"({"u":"a\/b\\"})", false) == R"({"u":"a/b\\"})");
}

TEST_CASE("the client writes Content-Length or chunked coding, and exactly the given headers") {
    http::outgoing req;
    req.method = "POST";
    req.target = "/cb";
    req.headers = {{"Host", "h"}, {"kore-signature", ""}};
    req.body = "abcdefg";
    const std::string plain = http::serialize(req);
    CHECK(plain ==
          "POST /cb HTTP/1.1\r\nHost: h\r\nkore-signature:\r\nContent-Length: 7\r\nConnection: close\r\n\r\nabcdefg");
    req.chunked = true;
    const std::string chunked = http::serialize(req);
    CHECK(chunked.find("\r\n3\r\nabc\r\n3\r\ndef\r\n1\r\ng\r\n0\r\n\r\n") != std::string::npos);  // three chunks
    const auto parsed = http::parse(chunked);
    REQUIRE(parsed);
    CHECK(parsed.value->chunked);
    CHECK(parsed.value->body == "abcdefg");
    CHECK(parsed.value->count("kore-signature") == 1);
    req.body.assign(100000, 'x');  // long bodies go in chunks of 16 KiB
    const auto big = http::parse(http::serialize(req));
    REQUIRE(big);
    CHECK(big.value->body == req.body);
    CHECK(http::serialize(req).find("\r\n4000\r\n") != std::string::npos);
}

TEST_CASE("built-in events have KORE's content types and fresh identifiers") {
    for (const auto& info : event_catalog) {
        INFO(info.name);
        const auto a = make_event(info.name, 1727291388);
        const auto b = make_event(info.name, 1727291388);
        REQUIRE(a);
        CHECK(a->body != b->body);
        const bool is_json = a->content_type == "application/json";
        CHECK(is_json == json::looks_like_json(a->body));
        if (is_json) {
            CHECK(json::minified(a->body).value() == a->body);
        }
    }
    const auto k4 = nlohmann::json::parse(make_event("event-streams-test", 0)->body);
    REQUIRE(k4.is_array());
    REQUIRE(k4.size() == 1);
    CHECK(k4[0].at("specversion") == "1.0");
    CHECK(k4[0].at("type") == "com.kore.eventstreams.test.event");
    CHECK(k4[0].at("time").get<std::string>().size() == std::string("1970-01-01T00:00:00.0000000+00:00").size());
    CHECK(make_event("event-streams-test", 0)->body.rfind("[{\"data\":{\"test_id\":\"", 0) == 0);
    CHECK_FALSE(make_event("nope", 0));
    CHECK(kore_date(1727291388) == "2024-09-25T19:09:48Z");
    const std::string id = uuid4();
    CHECK(id.size() == 36);
    CHECK(id[14] == '4');
    CHECK(form_encode({{"a b", "x&y=z%"}}) == "a+b=x%26y%3Dz%25");
}
