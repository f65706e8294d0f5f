// docs/protocol.md, sections 2 and 3.3: the URL signed is the registered URL cut at the first '?'
// or '#'; nothing else is normalised. Section 3.5: a GET's query is not signed, and
// target_has_query() shows it.

#include "unit_common.hpp"

using namespace kore_unit;

namespace {

constexpr std::string_view secret = "url-test-secret";
constexpr std::string_view base = "https://hooks.example.com/kore/callback";
constexpr std::string_view body = "SimSid=HSxx&Status=active";

}  // namespace

TEST_CASE("signed_url cuts the registered URL at the first '?' or '#'") {
    CHECK(kw::signed_url("https://x.com/a?b=1") == "https://x.com/a");
    CHECK(kw::signed_url("https://x.com/a#frag") == "https://x.com/a");
    CHECK(kw::signed_url("https://x.com/a#frag?b=1") == "https://x.com/a");
    CHECK(kw::signed_url("https://x.com/a?b=1#frag") == "https://x.com/a");
    CHECK(kw::signed_url("https://x.com/a?") == "https://x.com/a");
    CHECK(kw::signed_url("https://x.com/a#") == "https://x.com/a");
    CHECK(kw::signed_url("https://x.com/a") == "https://x.com/a");
    CHECK(kw::signed_url("") == "");
    static_assert(kw::signed_url("https://x.com/p?q") == "https://x.com/p", "signed_url is constexpr");
}

TEST_CASE("a query or fragment on the registered URL does not change the signature") {
    const std::string signature = kw::sign(secret, "POST", base, body);
    const kw::verifier verifier(secret);
    const std::string tail = GENERATE(as<std::string>{}, "?a=1&b=2", "?", "#", "#frag", "#frag?a=1", "?a=1#frag",
                                      "?next=https://evil.example/", "?a=%26b");
    CAPTURE(tail);
    const std::string registered = std::string(base) + tail;
    CHECK(kw::sign(secret, "POST", registered, body) == signature);
    const auto r = verifier.verify("POST", registered, body, signature);
    CHECK(r.verified());
    CHECK(stream_verify(verifier, "POST", registered, body, signature, {3}).verified());
}

TEST_CASE("the path before a '?' or '#' is signed: changing it is a mismatch") {
    const std::string signature = kw::sign(secret, "POST", base, body);
    const kw::verifier verifier(secret);
    const std::string other = GENERATE(as<std::string>{}, "https://hooks.example.com/kore/callbacK",
                                       "https://hooks.example.com/kore/callback2", "https://hooks.example.com/kore",
                                       "https://hooks.example.com/kore/callback%3Fa=1");
    CAPTURE(other);
    CHECK(verifier.verify("POST", other, body, signature).error() == kw::errc::signature_mismatch);
}

TEST_CASE("nothing else in the URL is normalised: each spelling signs differently") {
    const std::string registered = "https://testendpoint.com/hook";
    const std::string signature = kw::sign(secret, "POST", registered, body);
    const kw::verifier verifier(secret);
    const std::string variant = GENERATE(as<std::string>{},
                                         "https://testendpoint.com/hook/",       // trailing slash
                                         "https://TESTENDPOINT.com/hook",        // host case
                                         "https://TestEndpoint.COM/hook",        // host case
                                         "HTTPS://testendpoint.com/hook",        // scheme case
                                         "https://testendpoint.com:443/hook",    // explicit default port
                                         "https://testendpoint.com:8443/hook",   // explicit port
                                         "http://testendpoint.com/hook",         // scheme
                                         "https://testendpoint.com/Hook",        // path case
                                         "https://testendpoint.com//hook",       // doubled slash
                                         "https://testendpoint.com/./hook",      // dot segment
                                         "https://testendpoint.com/ho%6Fk",      // percent-encoding
                                         "https://user@testendpoint.com/hook");  // userinfo
    CAPTURE(variant);
    CHECK(kw::sign(secret, "POST", variant, body) != signature);
    const auto r = verifier.verify("POST", variant, body, signature);
    CHECK(r.error() == kw::errc::signature_mismatch);
    SECTION("and the reverse: signed with the variant, verified against the original") {
        const std::string variant_signature = kw::sign(secret, "POST", variant, body);
        CHECK(verifier.verify("POST", registered, body, variant_signature).error() == kw::errc::signature_mismatch);
    }
}

TEST_CASE("the trailing slash of the bare origin is significant") {
    const kw::verifier verifier(secret);
    const std::string without = kw::sign(secret, "POST", "https://x.com", body);
    const std::string with = kw::sign(secret, "POST", "https://x.com/", body);
    CHECK(without != with);
    CHECK(verifier.verify("POST", "https://x.com", body, without).verified());
    CHECK(verifier.verify("POST", "https://x.com/", body, with).verified());
    CHECK(verifier.verify("POST", "https://x.com/", body, without).error() == kw::errc::signature_mismatch);
    CHECK(verifier.verify("POST", "https://x.com", body, with).error() == kw::errc::signature_mismatch);
}

TEST_CASE("the method is signed as given: another method or case is a mismatch") {
    const kw::verifier verifier(secret);
    const std::string signature = kw::sign(secret, "POST", base, body);
    CHECK(verifier.verify("POST", base, body, signature).verified());
    const std::string method = GENERATE(as<std::string>{}, "post", "Post", "GET", "PUT", "POSTX");
    CAPTURE(method);
    CHECK(verifier.verify(method, base, body, signature).error() == kw::errc::signature_mismatch);
}

TEST_CASE("a GET is signed over secret, method and URL only, whatever its query") {
    const kw::verifier verifier(secret);
    const std::string signature = kw::sign(secret, "GET", base, "");
    CHECK(verifier.verify("GET", std::string(base) + "?Status=active", "", signature).verified());
    CHECK(verifier.verify("GET", std::string(base) + "?Status=deleted", "", signature).verified());
}

TEST_CASE("target_has_query tells when a request target carries an unsigned query") {
    SECTION("a query") {
        CHECK(kw::target_has_query("/cb?Status=active"));
        CHECK(kw::target_has_query("/cb?a"));
        CHECK(kw::target_has_query("/cb?a#frag"));
        CHECK(kw::target_has_query("https://x.com/cb?a=1"));
        CHECK(kw::target_has_query("/cb??"));
    }
    SECTION("no query") {
        CHECK_FALSE(kw::target_has_query("/cb"));
        CHECK_FALSE(kw::target_has_query(""));
        CHECK_FALSE(kw::target_has_query("/cb?"));       // an empty query carries nothing
        CHECK_FALSE(kw::target_has_query("/cb?#x"));     // nor does one emptied by a fragment
        CHECK_FALSE(kw::target_has_query("/cb#a?b=1"));  // '?' inside the fragment
        CHECK_FALSE(kw::target_has_query("/cb#"));
    }
}
