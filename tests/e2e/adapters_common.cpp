// The logic every server adapter shares (adapters/common.hpp), without a server.
#include <support/catch.hpp>

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/common.hpp>

#include <string>

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
    CHECK(adapters::http_status(std::make_error_code(std::errc::io_error)) == 500);
}

TEST_CASE("adapter errors have names of their own; the verifier's keep theirs") {
    CHECK(adapters::error_name(adapters::adapter_errc::body_incomplete) == "body_incomplete");
    CHECK(adapters::error_name(adapters::adapter_errc::body_unavailable) == "body_unavailable");
    CHECK(adapters::error_name(errc::signature_mismatch) == "signature_mismatch");
    CHECK(adapters::error_name(std::error_code()) == "ok");
}

TEST_CASE("an absent header, an empty one and a repeated one are told apart") {
    adapters::signature_lookup none;
    none.offer("Content-Type", "text/plain");
    CHECK_FALSE(none.header().has_value());

    adapters::signature_lookup empty;
    empty.offer("kore-signature", "");
    REQUIRE(empty.header().has_value());
    CHECK(empty.header()->empty());
    CHECK_FALSE(empty.duplicate());

    adapters::signature_lookup twice;
    twice.offer("KORE-Signature", "aa");
    twice.offer("kore-signature", "bb");
    CHECK(twice.duplicate());
    CHECK(twice.count() == 2);
    CHECK(*twice.header() == "aa");
}

TEST_CASE("the value is owned, so a temporary header string may go away") {
    adapters::signature_lookup lookup;
    {
        std::string temporary = "0123";
        lookup.add(temporary);
        temporary.assign("xxxx");
    }
    CHECK(*lookup.header() == "0123");
}

TEST_CASE("a GET with a query is refused unless allowed; POST and query-less GETs pass") {
    options strict;
    options lax;
    lax.allow_get_query = true;
    CHECK(adapters::check_get_query("GET", true, strict) == errc::query_not_signed);
    CHECK_FALSE(adapters::check_get_query("GET", true, lax));
    CHECK_FALSE(adapters::check_get_query("GET", false, strict));
    CHECK_FALSE(adapters::check_get_query("POST", true, strict));
}

TEST_CASE("checks before the body run in a fixed order") {
    options opts;
    opts.max_body_size = 10;
    adapters::signature_lookup twice;
    twice.add("a");
    twice.add("b");
    adapters::signature_lookup once;
    once.add("a");
    CHECK(adapters::check_before_body("GET", true, twice, 11, opts) == errc::duplicate_signature);
    CHECK(adapters::check_before_body("GET", true, once, 11, opts) == errc::query_not_signed);
    CHECK(adapters::check_before_body("POST", false, once, 11, opts) == errc::body_too_large);
    CHECK_FALSE(adapters::check_before_body("POST", false, once, 10, opts));
    CHECK_FALSE(adapters::check_before_body("POST", false, once, std::nullopt, opts));
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
