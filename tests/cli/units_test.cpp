// cli.units: the tool's small pure pieces: argument parsing, URL splitting, JSON re-spacing,
// the wire form the HTTP client writes, and the built-in events.

#include <support/catch.hpp>

#include <args.hpp>
#include <events.hpp>
#include <http_client.hpp>
#include <http_request.hpp>
#include <json_format.hpp>
#include <url_parts.hpp>

#include <string>
#include <vector>

using namespace kore_cli;

namespace {
template <class F>
std::string usage_message(F&& f) {
    try {
        f();
    } catch (const usage_error& e) {
        return e.what();
    }
    return "(no usage_error)";
}
bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}
const std::vector<option_spec> specs = {{"--url", "URL"}, {"--secret-file", "FILE", true}, {"--explain", ""}};
}  // namespace

TEST_CASE("options take '--name value' and '--name=value'; repeatable ones keep their order") {
    const auto a = parse_args({"--url", "https://x", "--secret-file=a", "--explain", "--secret-file", "b"}, specs, "t");
    CHECK(a.get("--url").value() == "https://x");
    CHECK(a.all("--secret-file") == std::vector<std::string>{"a", "b"});
    CHECK(a.has("--explain"));
    CHECK_FALSE(a.has("--help"));
    CHECK(parse_args({"-h"}, specs, "t").has("--help"));
    CHECK(parse_args({"--url="}, specs, "t").get("--url").value().empty());
}

TEST_CASE("argument mistakes are usage errors that name the word") {
    CHECK(has(usage_message([] { parse_args({"--nope"}, specs, "t"); }), "unknown option --nope"));
    CHECK(has(usage_message([] { parse_args({"--url"}, specs, "t"); }), "--url needs a value"));
    CHECK(has(usage_message([] { parse_args({"--url", "a", "--url", "b"}, specs, "t"); }), "--url given twice"));
    CHECK(has(usage_message([] { parse_args({"stray"}, specs, "t"); }), "unexpected argument 'stray'"));
    CHECK(has(usage_message([] { parse_args({"--explain=1"}, specs, "t"); }), "takes no value"));
    CHECK_THROWS_AS(parse_count("--n", "12a", 100), usage_error);
    CHECK_THROWS_AS(parse_count("--n", "101", 100), usage_error);
    CHECK(parse_count("--n", "100", 100) == 100);
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

TEST_CASE("JSON is re-spaced without touching strings") {
    const std::string text = R"({ "a" : [1, 2, {}], "s": "x , y: {z}", "e": [] })";
    CHECK(json::reformat(text, json::minified).value() == R"({"a":[1,2,{}],"s":"x , y: {z}","e":[]})");
    CHECK(json::reformat(text, json::spaced).value() == R"({"a": [1, 2, {}], "s": "x , y: {z}", "e": []})");
    CHECK(json::reformat(R"({"a":[1]})", json::pretty2).value() == "{\n  \"a\": [\n    1\n  ]\n}");
    CHECK_FALSE(json::reformat("{\"a\":1", json::minified));
    CHECK_FALSE(json::reformat("[1}", json::minified));
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
    const auto parsed = http::parse(http::serialize(req));
    REQUIRE(parsed);
    CHECK(parsed.value->chunked);
    CHECK(parsed.value->body == "abcdefg");
    CHECK(parsed.value->count("kore-signature") == 1);
}

TEST_CASE("built-in events have KORE's content types and fresh identifiers") {
    for (const auto& info : event_catalog) {
        const auto a = make_event(info.name, 1727291388);
        const auto b = make_event(info.name, 1727291388);
        REQUIRE(a);
        CHECK(a->body != b->body);
        const bool is_json = a->content_type == "application/json";
        CHECK(is_json == json::looks_like_json(a->body));
        if (is_json) {
            CHECK(json::reformat(a->body, json::minified).value() == a->body);
        }
    }
    CHECK(make_event("event-streams-test", 0)->body.find("\"specversion\":\"1.0\"") != std::string::npos);
    CHECK_FALSE(make_event("nope", 0));
    CHECK(kore_date(1727291388) == "2024-09-25T19:09:48Z");
    const std::string id = uuid4();
    CHECK(id.size() == 36);
    CHECK(id[14] == '4');
    CHECK(form_encode({{"a b", "x&y=z%"}}) == "a+b=x%26y%3Dz%25");
}
