// docs/protocol.md, section 3, decided in one place: verify(head, body), start(head) and
// body_verification apply the rules about the request (query, repeated header, declared length)
// with the signature's, and http_status() answers each verdict.

#include "unit_common.hpp"

#include <kore_cli/forge.hpp>

#include <stdexcept>
#include <string>

namespace {

namespace kw = kore::webhook;
using kore_unit::verdict_of;

const std::string secret = "12345";
const std::string url = "https://testendpoint.com/kore";
const std::string body = R"({"sim": "HS1", "status": "active"})";

kw::request_head signed_head(std::string_view method, std::string_view target, std::string_view payload,
                             std::string_view registered = url) {
    static thread_local std::string signature;
    signature = kw::sign(secret, method, registered, payload);
    return kw::request_head(method, target, signature);
}

}  // namespace

TEST_CASE("a verifier bound to the registered URL accepts a genuine callback from its head and body") {
    const kw::verifier v{secret, url};
    const auto r = v.verify(signed_head("POST", "/kore", body), body);
    CHECK(r.verified());
    CHECK(kw::http_status(r) == 204);
    CHECK(v.registered_url() == url);
}

TEST_CASE("a registered URL that is not an absolute http(s) URL is refused at construction") {
    CHECK_THROWS_AS(kw::verifier(secret, "/kore"), std::invalid_argument);
    CHECK_THROWS_AS(kw::verifier(std::vector<std::string>{secret}, "ftp://x/kore"), std::invalid_argument);
}

TEST_CASE("a verifier built without a registered URL refuses a head as invalid_url") {
    const kw::verifier v{secret};
    CHECK(v.verify(signed_head("POST", "/kore", body), body).error() == kw::errc::invalid_url);
    CHECK(v.verify(signed_head("POST", "/kore", body), url, body).verified());
}

TEST_CASE("a query the registered URL does not have is refused whatever the method") {
    const kw::verifier v{secret, url};
    CHECK(v.verify(signed_head("POST", "/kore?Status=inactive", body), body).error() == kw::errc::query_not_signed);
    CHECK(v.verify(signed_head("GET", "/kore?Status=inactive", ""), "").error() == kw::errc::query_not_signed);
    CHECK(kw::http_status(v.verify(signed_head("POST", "/kore?x", body), body)) == 401);
    // "?" alone and a fragment are no query.
    CHECK(v.verify(signed_head("POST", "/kore?", body), body).verified());
    CHECK(v.verify(signed_head("POST", "/kore#frag", body), body).verified());
}

TEST_CASE("the registered URL's own query is the one a request must carry, exactly") {
    const std::string with_query = url + "?account=7";
    const kw::verifier v{secret, with_query};
    CHECK(v.verify(signed_head("POST", "/kore?account=7", body, with_query), body).verified());
    CHECK(v.verify(signed_head("POST", "/kore?account=8", body, with_query), body).error() ==
          kw::errc::query_not_signed);
    CHECK(v.verify(signed_head("POST", "/kore", body, with_query), body).error() == kw::errc::query_not_signed);
}

TEST_CASE("allow_get_query accepts a GET's query and nothing else; allow_unregistered_query any method's") {
    kw::options get_only;
    get_only.allow_get_query = true;
    const kw::verifier v{secret, url, get_only};
    CHECK(v.verify(signed_head("GET", "/kore?Status=x", ""), "").verified());
    CHECK(v.verify(signed_head("POST", "/kore?Status=x", body), body).error() == kw::errc::query_not_signed);

    kw::options any;
    any.allow_unregistered_query = true;
    const kw::verifier lax{secret, url, any};
    CHECK(lax.verify(signed_head("POST", "/kore?proxy=1", body), body).verified());
}

TEST_CASE("a head whose server split the query off, or compared it itself, gets the same rule") {
    const kw::verifier v{secret, url};
    auto head = signed_head("POST", "/kore", body);
    head.set_query("Status=inactive");
    CHECK(v.verify(head, body).error() == kw::errc::query_not_signed);
    head.set_query("");
    CHECK(v.verify(head, body).verified());
    head.set_query_registered(false);
    CHECK(v.verify(head, body).error() == kw::errc::query_not_signed);
    head.set_query_registered(true);
    CHECK(v.verify(head, body).verified());
}

TEST_CASE("a repeated kore-signature is refused even when both values are valid") {
    const kw::verifier v{secret, url};
    auto head = signed_head("POST", "/kore", body);
    head.offer_header("KORE-Signature", kw::sign(secret, "POST", url, body));
    head.offer_header("Content-Type", "application/json");  // other headers are not kept
    CHECK(head.signature_count() == 2);
    const auto r = v.verify(head, body);
    CHECK(r.error() == kw::errc::duplicate_signature);
    CHECK(kw::http_status(r) == 400);
}

TEST_CASE("a declared length over max_body_size is refused before any of the body") {
    kw::options small;
    small.max_body_size = 16;
    const kw::verifier v{secret, url, small};
    auto head = signed_head("POST", "/kore", "");
    head.set_content_length(17);
    CHECK(v.verify(head, "").error() == kw::errc::body_too_large);
    CHECK(v.start(head).error() == kw::errc::body_too_large);
    const kw::body_verification check{v, head};
    CHECK(check.error() == kw::errc::body_too_large);
    CHECK(kw::http_status(check.error()) == 413);
}

TEST_CASE("start(head) refuses at once what the head alone refuses") {
    const kw::verifier v{secret, url};
    CHECK(v.start(signed_head("POST", "/kore?x=1", body)).error() == kw::errc::query_not_signed);
    CHECK(v.start(kw::request_head("P O S T", "/kore")).error() == kw::errc::invalid_method);
    auto s = v.start(signed_head("POST", "/kore", body));
    CHECK(!s.error());
    s.update(body);
    CHECK(s.finish(kw::sign(secret, "POST", url, body)).verified());
}

TEST_CASE("an overlong kore-signature value is malformed, not truncated") {
    const kw::verifier v{secret, url};
    const std::string longer(kw::request_head::max_signature_size + 1, 'a');
    const auto r = v.verify(kw::request_head("POST", "/kore", longer), body);
    CHECK(r.error() == kw::errc::malformed_signature);
}

TEST_CASE("body_verification reaches verify()'s verdict for every published vector, kept or not") {
    for (const auto* group : {"vectors", "must_not_verify"}) {
        for (const auto& c : kore_unit::load_kore_vectors(group)) {
            CAPTURE(c.id);
            const kw::verifier v{c.secret, c.registered_url};
            kw::request_head target_free(c.method);
            target_free.add_signature(c.signature);
            const auto expected = verdict_of(v.verify(target_free, c.body));
            for (const auto keep : {kw::keep_body::no, kw::keep_body::yes}) {
                for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{64}, c.body.size() + 1}) {
                    kw::body_verification check{v, target_free, keep};
                    for (std::size_t at = 0; at < c.body.size(); at += piece) {
                        check.put(std::string_view(c.body).substr(at, piece));
                    }
                    CHECK(verdict_of(check.finish()) == expected);
                    CHECK(check.body() == (keep == kw::keep_body::yes ? c.body : std::string()));
                }
            }
        }
    }
}

TEST_CASE("a kept body signed minified is verified by the fallback over the kept bytes") {
    const std::string minified = R"({"sim":"HS1","status":"active"})";
    const std::string spaced = "{ \"sim\" : \"HS1\",\n  \"status\": \"active\" }";
    const kw::verifier v{secret, url};
    kw::body_verification check{v, kw::request_head("POST", "/kore", kw::sign(secret, "POST", url, minified)),
                                kw::keep_body::yes};
    for (const char c : spaced) {
        CHECK(check.put(std::string_view(&c, 1)));
    }
    const auto r = check.finish();
    CHECK(r.verified());
    CHECK(r.json_normalized());
    CHECK(check.body() == spaced);
}

TEST_CASE("a length-extension forgery is refused on the kept path too") {
    const std::string original = "SimSid=HS1&Status=active";
    const auto f = kore_cli::forge::extend(kw::sign(secret, "POST", url, original), secret.size(), "POST",
                                           kw::signed_url(url), original, "&Status=deleted");
    const kw::verifier v{secret, url};
    kw::body_verification check{v, kw::request_head("POST", "/kore", f.signature), kw::keep_body::yes};
    check.put(f.body);
    CHECK(check.finish().error() == kw::errc::length_extension);
}

TEST_CASE("body_verification stops at the limit and keeps nothing past it") {
    kw::options small;
    small.max_body_size = 8;
    const kw::verifier v{secret, url, small};
    kw::body_verification check{v, kw::request_head("POST", "/kore", std::string(64, 'a')), kw::keep_body::yes};
    CHECK(check.put("12345678"));
    CHECK_FALSE(check.put("9"));
    CHECK(check.error() == kw::errc::body_too_large);
    CHECK(check.body() == "12345678");
    CHECK(check.finish().error() == kw::errc::body_too_large);
}

TEST_CASE("a sink that throws stops reading as application_failed, answered 500") {
    const kw::verifier v{secret, url};
    kw::body_verification check{v, signed_head("POST", "/kore", body)};
    CHECK_FALSE(check.put(body, [](std::string_view) { throw std::runtime_error("parse error"); }));
    CHECK(check.error() == kw::adapter_errc::application_failed);
    const auto r = check.finish();
    CHECK(r.error() == kw::adapter_errc::application_failed);
    CHECK(kw::http_status(r) == 500);
    CHECK(kw::error_body(r) == "application_failed");
}

TEST_CASE("a body the server could not read to its end is body_incomplete, answered 400") {
    const kw::verifier v{secret, url};
    kw::body_verification check{v, signed_head("POST", "/kore", body)};
    check.put(std::string_view(body).substr(0, 5));
    check.fail(kw::make_error_code(kw::adapter_errc::body_incomplete));
    const auto r = check.finish();
    CHECK(r.error() == kw::adapter_errc::body_incomplete);
    CHECK(kw::http_status(r) == 400);
}

TEST_CASE("the core's status policy answers every verdict") {
    CHECK(kw::http_status(std::error_code()) == 204);
    CHECK(kw::http_status(kw::make_error_code(kw::errc::signature_mismatch)) == 401);
    CHECK(kw::http_status(kw::make_error_code(kw::errc::malformed_signature)) == 400);
    CHECK(kw::http_status(kw::make_error_code(kw::errc::body_too_large)) == 413);
    CHECK(kw::http_status(kw::make_error_code(kw::adapter_errc::body_unavailable)) == 415);
    CHECK(kw::http_status(kw::make_error_code(kw::adapter_errc::out_of_memory)) == 503);
    CHECK(kw::http_status(kw::make_error_code(kw::errc::crypto_failure)) == 500);
    CHECK(kw::http_status(std::make_error_code(std::errc::io_error)) == 500);
    CHECK(kw::error_name(kw::make_error_code(kw::adapter_errc::body_incomplete)) == "body_incomplete");
}

TEST_CASE("an absent header, an empty one and a repeated one are told apart") {
    kw::request_head none("POST", "/kore");
    none.offer_header("Content-Type", "text/plain");
    CHECK_FALSE(none.signature().has_value());

    kw::request_head empty("POST", "/kore");
    empty.offer_header("kore-signature", "");
    REQUIRE(empty.signature().has_value());
    CHECK(empty.signature()->empty());
    CHECK(empty.signature_count() == 1);

    kw::request_head twice("POST", "/kore");
    twice.offer_header("KORE-Signature", "aa");
    twice.offer_header("kore-signature", "bb");
    CHECK(twice.signature_count() == 2);
    CHECK(*twice.signature() == "aa");
}

TEST_CASE("the signature value is owned, so a temporary header string may go away") {
    kw::request_head head("POST", "/kore");
    {
        std::string temporary = "0123";
        head.add_signature(temporary);
        temporary.assign("xxxx");
    }
    CHECK(*head.signature() == "0123");
}

TEST_CASE("a signature padded up to the stored size verifies; one byte more is malformed") {
    const kw::verifier v{secret, url};
    const std::string signature = kw::sign(secret, "POST", url, body);
    const std::string padded = signature + std::string(kw::request_head::max_signature_size - 64, ' ');
    CHECK(v.verify(kw::request_head("POST", "/kore", padded), body).verified());
    CHECK(v.verify(kw::request_head("POST", "/kore", padded + " "), body).error() == kw::errc::malformed_signature);
}

TEST_CASE("the query of a URL or request target is what follows '?' up to '#'") {
    CHECK(kw::query_of("/kore/callback") == "");
    CHECK(kw::query_of("/kore/callback?") == "");
    CHECK(kw::query_of("/kore/callback?a=1&b=2") == "a=1&b=2");
    CHECK(kw::query_of("/kore/callback?a=1#frag?x") == "a=1");
    CHECK(kw::query_of("https://h.example/k#frag?x=1") == "");
    CHECK(kw::query_of("https://h.example/k?t=5#x") == "t=5");
}

TEST_CASE("the registered URL's query must come back byte for byte, in its order and spelling") {
    const std::string with_query = "https://hooks.example.com/kore/callback?tenant=5&region=eu";
    const kw::verifier v{secret, with_query};
    const auto rule = [&](std::string_view target) {
        return v.verify(kw::request_head("POST", target, kw::sign(secret, "POST", with_query, body)), body).error();
    };
    CHECK_FALSE(rule("/kore/callback?tenant=5&region=eu"));
    CHECK(rule("/kore/callback") == kw::errc::query_not_signed);
    CHECK(rule("/kore/callback?tenant=5") == kw::errc::query_not_signed);
    CHECK(rule("/kore/callback?region=eu&tenant=5") == kw::errc::query_not_signed);
    CHECK(rule("/kore/callback?tenant=%35&region=eu") == kw::errc::query_not_signed);
}

TEST_CASE("the head's refusals come in a fixed order: repeat, query, declared length") {
    kw::options opts;
    opts.max_body_size = 10;
    const kw::verifier v{secret, url, opts};
    kw::request_head head("POST", "/kore?x");
    head.add_signature("a");
    head.add_signature("b");
    head.set_content_length(11);
    CHECK(v.verify(head, "").error() == kw::errc::duplicate_signature);
    kw::request_head once("POST", "/kore?x", std::string_view("a"));
    once.set_content_length(11);
    CHECK(v.verify(once, "").error() == kw::errc::query_not_signed);
    once.set_target("/kore");
    CHECK(v.verify(once, "").error() == kw::errc::body_too_large);
    once.set_content_length(10);
    CHECK(v.verify(once, "").error() == kw::errc::malformed_signature);
}
