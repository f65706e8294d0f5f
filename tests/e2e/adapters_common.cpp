// The logic every server adapter shares (adapters/*.hpp without a server, and the internals they
// build on: adapters/detail/chunked_decoder.hpp, body_verification), without a server.
#include <support/catch.hpp>

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/adapters/detail/chunked_decoder.hpp>

#include <cstddef>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using namespace kore::webhook;
namespace adapters = kore::webhook::adapters;

TEST_CASE("each verdict maps to the documented HTTP status") {
    CHECK(adapters::http_status(std::error_code()) == 204);
    CHECK(adapters::http_status(errc::missing_signature) == 401);
    CHECK(adapters::http_status(errc::unsigned_request) == 401);
    CHECK(adapters::http_status(errc::signature_mismatch) == 401);
    CHECK(adapters::http_status(errc::length_extension) == 401);
    CHECK(adapters::http_status(errc::query_not_signed) == 401);
    CHECK(adapters::http_status(errc::malformed_signature) == 400);
    CHECK(adapters::http_status(errc::duplicate_signature) == 400);
    CHECK(adapters::http_status(errc::body_too_large) == 413);
    CHECK(adapters::http_status(errc::body_hash_mismatch) == 401);
    CHECK(adapters::http_status(errc::malformed_body) == 400);
    CHECK(adapters::http_status(errc::invalid_url) == 500);
    CHECK(adapters::http_status(errc::crypto_failure) == 500);
    CHECK(adapters::http_status(adapters::adapter_errc::body_incomplete) == 400);
    CHECK(adapters::http_status(adapters::adapter_errc::body_unavailable) == 415);
    CHECK(adapters::http_status(adapters::adapter_errc::out_of_memory) == 503);
    CHECK(adapters::http_status(adapters::adapter_errc::application_failed) == 500);
    CHECK(adapters::http_status(std::make_error_code(std::errc::io_error)) == 500);
}

TEST_CASE("adapter errors have names of their own; the verifier's keep theirs") {
    CHECK(adapters::error_name(adapters::adapter_errc::body_incomplete) == "body_incomplete");
    CHECK(adapters::error_name(adapters::adapter_errc::body_unavailable) == "body_unavailable");
    CHECK(adapters::error_name(adapters::adapter_errc::out_of_memory) == "out_of_memory");
    CHECK(adapters::error_name(adapters::adapter_errc::application_failed) == "application_failed");
    CHECK(adapters::error_name(errc::signature_mismatch) == "signature_mismatch");
    CHECK(adapters::error_name(std::error_code()) == "ok");
}

TEST_CASE("a refusal that may leave body bytes unread is told apart") {
    CHECK(adapters::body_left_unread(errc::query_not_signed));
    CHECK(adapters::body_left_unread(errc::body_too_large));
    CHECK(adapters::body_left_unread(adapters::adapter_errc::body_incomplete));
    CHECK(adapters::body_left_unread(adapters::adapter_errc::out_of_memory));
    CHECK_FALSE(adapters::body_left_unread(errc::signature_mismatch));
    CHECK_FALSE(adapters::body_left_unread(std::error_code()));
}

TEST_CASE("Content-Length is read as a plain decimal only") {
    CHECK(adapters::parse_content_length("1048577") == 1048577u);
    CHECK(adapters::parse_content_length(" 0 ") == 0u);
    CHECK_FALSE(adapters::parse_content_length("").has_value());
    CHECK_FALSE(adapters::parse_content_length("-1").has_value());
    CHECK_FALSE(adapters::parse_content_length("1e6").has_value());
    CHECK_FALSE(adapters::parse_content_length("99999999999999999999").has_value());
}

TEST_CASE("rebuilding the URL believes forwarding headers only from a trusted proxy") {
    adapters::rebuilt_url_config config;
    config.trusted_proxies = {"10.0.0.7"};
    adapters::request_origin origin;
    origin.host = "internal:8080";
    origin.forwarded_proto = "http";
    origin.forwarded_host = "evil.example, hooks.example.com";
    origin.raw_target = "/kore/call%62ack?x=1";

    origin.peer_address = "203.0.113.9";
    CHECK(adapters::rebuild_url(config, origin) == std::string("https://internal:8080/kore/call%62ack"));

    origin.peer_address = "10.0.0.7";
    CHECK(adapters::rebuild_url(config, origin) == std::string("http://hooks.example.com/kore/call%62ack"));

    origin.forwarded_host = "bad/host";
    CHECK_FALSE(adapters::rebuild_url(config, origin).has_value());

    adapters::request_origin no_host;
    no_host.raw_target = "/x";
    CHECK_FALSE(adapters::rebuild_url(config, no_host).has_value());

    adapters::request_origin absolute_form;
    absolute_form.host = "a.example";
    absolute_form.raw_target = "http://a.example/x";
    CHECK_FALSE(adapters::rebuild_url(config, absolute_form).has_value());
}

// ---------------------------------------------------------------------------------------------
// The chunked transfer coding, read where the server cannot say whether a body is complete.

namespace {

struct decoded {
    std::string body;
    std::size_t consumed = 0;
    bool done = false;
    bool failed = false;
};

// Feeds `wire` in pieces of `piece` bytes, as a connection might deliver it.
decoded decode(std::string_view wire, std::size_t piece) {
    kore::webhook::adapters::detail::chunked_decoder decoder;
    decoded out;
    for (std::size_t at = 0; at < wire.size() && !decoder.done() && !decoder.failed(); at += piece) {
        out.consumed += decoder.feed(wire.substr(at, piece), [&out](std::string_view run) { out.body.append(run); });
    }
    out.done = decoder.done();
    out.failed = decoder.failed();
    return out;
}

}  // namespace

TEST_CASE("a chunked body is complete only after its last chunk and the empty line") {
    const std::string wire = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
    for (const std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{7}, wire.size()}) {
        const decoded d = decode(wire, piece);
        CHECK(d.done);
        CHECK(d.body == "hello, world");
        CHECK(d.consumed == wire.size());
    }
    for (std::size_t cut = 0; cut < wire.size(); ++cut) {  // every proper prefix: not complete
        const decoded d = decode(wire.substr(0, cut), 3);
        CHECK_FALSE(d.done);
        CHECK_FALSE(d.failed);
    }
}

TEST_CASE("the decoder stops at the end of the body and leaves the next request's bytes") {
    const std::string wire = "3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\nPOST / HTTP/1.1\r\n";
    const decoded d = decode(wire, wire.size());
    CHECK(d.done);
    CHECK(d.body == "abc");
    CHECK(wire.substr(d.consumed) == "POST / HTTP/1.1\r\n");

    kore::webhook::adapters::detail::chunked_decoder decoder;
    CHECK(decoder.next_read_limit() == 1);
    decoder.feed("10\r\n", [](std::string_view) {});
    CHECK(decoder.next_read_limit() == 16);
}

TEST_CASE("broken chunked framing fails instead of ending the body") {
    for (const std::string_view wire : {
             std::string_view("x\r\n"),                   // not a size
             std::string_view("\r\n"),                    // no digits
             std::string_view("3\nabc\r\n0\r\n\r\n"),     // bare LF after the size
             std::string_view("3\r\nabcd\r\n0\r\n\r\n"),  // more data than the size says
             std::string_view("3\r\nabc\r\n0\r\n\n"),     // bare LF ends the trailer section
             std::string_view("1000000000000000\r\n"),    // 16 hex digits: too large
         }) {
        const decoded d = decode(wire, 1);
        CHECK(d.failed);
        CHECK_FALSE(d.done);
    }
    const std::string long_extension =
        "1;" + std::string(kore::webhook::adapters::detail::chunked_decoder::max_line_size, 'e');
    CHECK(decode(long_extension, 64).failed);
    std::string many_trailers = "0\r\n";
    for (int i = 0; i < 1000; ++i) {
        many_trailers += "X-T: 1\r\n";
    }
    CHECK(decode(many_trailers, 64).failed);  // the trailer section is bounded as a whole
}

// ---------------------------------------------------------------------------------------------
// The body as adapters take it in: body_verification, kept copy, application sink.

TEST_CASE("the kept body and the sink get exactly the bytes the verifier hashed, in order") {
    const std::string_view url = "https://example.com/k";
    const verifier v{"secret", url};
    const std::vector<std::string> pieces = {"Sim", "Sid=HS01&St", "atus=active"};
    request_head head("POST", "/k", sign("secret", "POST", url, "SimSid=HS01&Status=active"));
    head.set_content_length(25);
    body_verification check(v, head, keep_body::yes);
    CHECK(check.body().capacity() >= 25);
    std::vector<std::string> seen;
    auto sink = [&seen](std::string_view piece) { seen.emplace_back(piece); };
    for (const auto& piece : pieces) {
        CHECK(check.put(piece, sink));
    }
    CHECK(check.body() == "SimSid=HS01&Status=active");
    CHECK(seen == pieces);
    CHECK(check.finish());
}

TEST_CASE("the kept body never grows past max_body_size, nor is reserved past it") {
    options opts;
    opts.max_body_size = 8;
    const verifier v{"secret", "https://example.com/k", opts};
    request_head head("POST", "/k");
    head.set_content_length(std::uint64_t{1} << 40);  // a declared terabyte: refused, nothing reserved
    const body_verification refused(v, head, keep_body::yes);
    CHECK(refused.error() == errc::body_too_large);
    CHECK(refused.body().capacity() < 64);

    body_verification check(v, request_head("POST", "/k"), keep_body::yes);
    std::size_t sunk = 0;
    auto sink = [&sunk](std::string_view piece) { sunk += piece.size(); };
    CHECK(check.put("12345", sink));
    CHECK_FALSE(check.put("6789", sink));  // 9 bytes: over the limit, not kept, not sunk
    CHECK(check.body() == "12345");
    CHECK(sunk == 5);
    CHECK(check.error() == errc::body_too_large);
    CHECK(check.finish().error() == errc::body_too_large);
}

TEST_CASE("a sink that throws stops reading and is a refusal, not an exception") {
    const verifier v{"secret", "https://example.com/k"};
    body_verification check(v, request_head("POST", "/k"));
    int calls = 0;
    auto sink = [&calls](std::string_view) {
        if (++calls == 2) {
            throw std::runtime_error("the application's parser gave up");
        }
    };
    CHECK(check.put("a", sink));
    CHECK_FALSE(check.put("b", sink));
    CHECK_FALSE(check.put("c", sink));
    CHECK(calls == 2);
    CHECK(check.finish().error() == adapters::adapter_errc::application_failed);
}

// ---------------------------------------------------------------------------------------------
// What every route helper does, without a server.

namespace {

struct route_fixture {
    verifier v{"secret"};
    std::string url = "https://hooks.example.com/kore/callback";
    std::string body = "SimSid=HS01&Status=active";
    std::vector<adapters::answered_request> answered;
    std::vector<std::string> handled_bodies;
    std::vector<std::string> handled_tokens;
    std::vector<std::string> handled_keys;

    adapters::route_config config(adapters::callback_handler handler) {
        adapters::route_config c;
        c.registered_url = url;
        c.on_callback = std::move(handler);
        c.on_answer = [this](const adapters::answered_request& a) { answered.push_back(a); };
        return c;
    }
    adapters::route_request request() const {
        return {"POST", "/kore/callback", "application/x-www-form-urlencoded", "token-1"};
    }
    result genuine() const { return v.verify("POST", url, body, sign("secret", "POST", url, body)); }
};

}  // namespace

TEST_CASE("the route serves the registered URL's path, as registered") {
    CHECK(adapters::route_path("https://hooks.example.com:8443/kore/callback?x=1#f") == "/kore/callback");
    CHECK(adapters::route_path("https://hooks.example.com") == "/");
    CHECK(adapters::route_path("https://hooks.example.com/a%2Fb") == "/a%2Fb");
    CHECK(adapters::route_verifies("POST"));
    CHECK(adapters::route_verifies("GET"));
    CHECK_FALSE(adapters::route_verifies("PUT"));
    CHECK_FALSE(adapters::route_verifies("HEAD"));
    CHECK_FALSE(adapters::route_verifies("post"));
}

TEST_CASE("a verified callback goes to the handler with its body, and the handler's status is the answer") {
    route_fixture f;
    const auto config = f.config([&f](const adapters::verified_callback& c) -> adapters::callback_reply {
        f.handled_bodies.emplace_back(c.body);
        f.handled_tokens.emplace_back(c.idempotency_token);
        f.handled_keys.emplace_back(c.replay_key);
        CHECK(c.method == "POST");
        CHECK(c.content_type == "application/x-www-form-urlencoded");
        CHECK(c.verdict.verified());
        return {200, "duplicate"};
    });
    const result verdict = f.genuine();
    const adapters::route_answer answer = adapters::answer_judged(config, f.request(), verdict, f.body);
    CHECK(answer.status == 200);
    CHECK(answer.body == "duplicate");
    CHECK_FALSE(answer.close_connection);
    CHECK(f.handled_bodies == std::vector<std::string>{f.body});
    CHECK(f.handled_tokens == std::vector<std::string>{"token-1"});
    CHECK(f.handled_keys == std::vector<std::string>{verdict.replay_key()});
    REQUIRE(f.answered.size() == 1);
    CHECK(f.answered[0].status == 200);
    CHECK(f.answered[0].reason.empty());
    CHECK(f.answered[0].verdict == &verdict);
}

TEST_CASE("the handler's 5xx is answered as it is, so that KORE delivers again") {
    route_fixture f;
    const auto config = f.config([](const adapters::verified_callback&) { return 503; });
    const adapters::route_answer answer = adapters::answer_judged(config, f.request(), f.genuine(), f.body);
    CHECK(answer.status == 503);
    CHECK(answer.body.empty());
}

TEST_CASE("without a handler a verified callback is answered 204, with no body") {
    route_fixture f;
    const auto answer = adapters::answer_judged(f.config({}), f.request(), f.genuine(), f.body);
    CHECK(answer.status == 204);
    CHECK(answer.body.empty());
    auto with_text = f.config([](const adapters::verified_callback&) -> adapters::callback_reply {
        return {204, "ignored"};  // a 204 never carries a body
    });
    CHECK(adapters::answer_judged(with_text, f.request(), f.genuine(), f.body).body.empty());
}

TEST_CASE("a refused callback never reaches the handler; the route answers it") {
    route_fixture f;
    bool called = false;
    const auto config = f.config([&called](const adapters::verified_callback&) {
        called = true;
        return 204;
    });
    const result refused = f.v.verify("POST", f.url, f.body + "&x=1", sign("secret", "POST", f.url, f.body));
    const auto answer = adapters::answer_judged(config, f.request(), refused, f.body + "&x=1");
    CHECK_FALSE(called);
    CHECK(answer.status == 401);
    CHECK(answer.body == "signature_mismatch");
    REQUIRE(f.answered.size() == 1);
    CHECK(f.answered[0].reason == "signature_mismatch");
    CHECK(f.answered[0].callback == nullptr);

    const auto early =
        adapters::answer_judged(config, f.request(), result::refused(make_error_code(errc::query_not_signed)), {});
    CHECK(early.status == 401);
    CHECK(early.close_connection);  // the body was left unread
}

TEST_CASE("a handler that throws, or answers an impossible status, is answered 500 application_failed") {
    route_fixture f;
    const auto throwing = f.config([](const adapters::verified_callback&) -> adapters::callback_reply {
        throw std::runtime_error("database down");
    });
    auto answer = adapters::answer_judged(throwing, f.request(), f.genuine(), f.body);
    CHECK(answer.status == 500);
    CHECK(answer.body == "application_failed");
    REQUIRE(f.answered.size() == 1);
    CHECK(f.answered[0].reason == "application_failed");

    const auto impossible = f.config([](const adapters::verified_callback&) { return 42; });
    answer = adapters::answer_judged(impossible, f.request(), f.genuine(), f.body);
    CHECK(answer.status == 500);
}

TEST_CASE("other methods are answered 405 with Allow, and the observer is told") {
    route_fixture f;
    const auto answer = adapters::answer_method_not_allowed(f.config({}), {"PUT", "/kore/callback", {}, {}});
    CHECK(answer.status == 405);
    CHECK(answer.allow_header);
    CHECK(answer.body == "method_not_allowed");
    REQUIRE(f.answered.size() == 1);
    CHECK(f.answered[0].method == "PUT");
    CHECK(f.answered[0].verdict == nullptr);
}

TEST_CASE("an observer that throws does not change the answer") {
    route_fixture f;
    auto config = f.config([](const adapters::verified_callback&) { return 204; });
    config.on_answer = [](const adapters::answered_request&) { throw std::runtime_error("log full"); };
    CHECK(adapters::answer_judged(config, f.request(), f.genuine(), f.body).status == 204);
}
