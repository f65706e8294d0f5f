// docs/protocol.md, section 3.2: several secrets at once (KORE's Active and Pending),
// secret_index() tells which one matched; constructor misuse throws without ever showing a secret
// (section 3).

#include "unit_common.hpp"

using namespace kore_unit;

namespace {

constexpr std::string_view url = "https://hooks.example.com/kore";
constexpr std::string_view body = "SimSid=HS123&Status=active";

const std::string old_secret = "old-secret-7f3a";
const std::string new_secret = "new-secret-longer-c91d0e";

}  // namespace

TEST_CASE("during a rotation both secrets verify and secret_index tells which one matched") {
    const kw::verifier verifier(std::vector<std::string>{old_secret, new_secret});
    SECTION("old secret") {
        const auto r = verifier.verify("POST", url, body, kw::sign(old_secret, "POST", url, body));
        CHECK(r.verified());
        CHECK(r.secret_index() == 0);
    }
    SECTION("new secret") {
        const auto r = verifier.verify("POST", url, body, kw::sign(new_secret, "POST", url, body));
        CHECK(r.verified());
        CHECK(r.secret_index() == 1);
    }
    SECTION("unknown secret") {
        const auto r = verifier.verify("POST", url, body, kw::sign("unknown-secret", "POST", url, body));
        CHECK_FALSE(r);
        CHECK(r.error() == kw::errc::signature_mismatch);
        CHECK_FALSE(r.verified());
    }
    SECTION("streamed") {
        CHECK(stream_verify(verifier, "POST", url, body, kw::sign(old_secret, "POST", url, body), {2}).secret_index() ==
              0);
        CHECK(stream_verify(verifier, "POST", url, body, kw::sign(new_secret, "POST", url, body), {2}).secret_index() ==
              1);
        CHECK(stream_verify(verifier, "POST", url, body, kw::sign("unknown", "POST", url, body), {2}).error() ==
              kw::errc::signature_mismatch);
    }
}

TEST_CASE("the order of the secrets decides their index") {
    const kw::verifier verifier(std::vector<std::string>{new_secret, old_secret});
    CHECK(verifier.verify("POST", url, body, kw::sign(new_secret, "POST", url, body)).secret_index() == 0);
    CHECK(verifier.verify("POST", url, body, kw::sign(old_secret, "POST", url, body)).secret_index() == 1);
}

TEST_CASE("every one of max_secrets secrets verifies with its own index") {
    std::vector<std::string> secrets;
    for (std::size_t i = 0; i < kw::max_secrets; ++i) {
        secrets.push_back("secret-number-" + std::to_string(i) + std::string(i, 'x'));
    }
    const auto copy = secrets;
    const kw::verifier verifier(secrets);
    REQUIRE(verifier.secret_count() == kw::max_secrets);
    for (std::size_t i = 0; i < copy.size(); ++i) {
        CAPTURE(i);
        const auto r = verifier.verify("POST", url, body, kw::sign(copy[i], "POST", url, body));
        CHECK(r.verified());
        CHECK(r.secret_index() == i);
        CHECK(stream_verify(verifier, "POST", url, body, kw::sign(copy[i], "POST", url, body), {7}).secret_index() ==
              i);
    }
}

TEST_CASE("the same secret twice matches at its first index") {
    const kw::verifier verifier(std::vector<std::string>{"other", old_secret, old_secret});
    CHECK(verifier.verify("POST", url, body, kw::sign(old_secret, "POST", url, body)).secret_index() == 1);
}

TEST_CASE("the JSON fallback reports which secret matched") {
    const std::string minified = R"({"a":[1,2],"b":"x y"})";
    const std::string spaced = "{ \"a\" : [ 1 , 2 ] , \"b\" : \"x y\" }";
    const kw::verifier verifier(std::vector<std::string>{old_secret, new_secret});
    const std::string& which = GENERATE_REF(as<std::string>{}, old_secret, new_secret);
    const std::size_t index = which == old_secret ? 0 : 1;
    CAPTURE(which);
    const std::string signature = kw::sign(which, "POST", url, minified);
    const auto r = verifier.verify("POST", url, spaced, signature);
    CHECK(r.verified());
    CHECK(r.json_normalized());
    CHECK(r.secret_index() == index);
    const auto s = stream_verify(verifier, "POST", url, spaced, signature, {1});
    CHECK(s.json_normalized());
    CHECK(s.secret_index() == index);
}

TEST_CASE("an empty list of secrets is refused with std::invalid_argument") {
    CHECK_THROWS_AS(kw::verifier(std::vector<std::string>{}), std::invalid_argument);
}

TEST_CASE("an empty secret is refused with std::invalid_argument") {
    SECTION("alone") {
        CHECK_THROWS_AS(kw::verifier(std::string_view()), std::invalid_argument);
    }
    SECTION("alone, as an empty string") {
        CHECK_THROWS_AS(kw::verifier(""), std::invalid_argument);
    }
    SECTION("first of a list") {
        CHECK_THROWS_AS(kw::verifier(std::vector<std::string>{"", old_secret}), std::invalid_argument);
    }
    SECTION("later in a list") {
        CHECK_THROWS_AS(kw::verifier(std::vector<std::string>{old_secret, new_secret, ""}), std::invalid_argument);
    }
}

TEST_CASE("more than max_secrets secrets are refused with std::invalid_argument") {
    std::vector<std::string> secrets(kw::max_secrets + 1, "s");
    CHECK_THROWS_AS(kw::verifier(secrets), std::invalid_argument);
    secrets.pop_back();
    CHECK_NOTHROW(kw::verifier(secrets));
}

TEST_CASE("the exception text never contains a secret") {
    const std::string a = "TOPSECRET-alpha-4242";
    const std::string b = "TOPSECRET-bravo-9999";
    std::vector<std::string> list;
    SECTION("too many") {
        list = {a, b, a, b, a};
    }
    SECTION("an empty one after real ones") {
        list = {a, b, ""};
    }
    SECTION("an empty one before real ones") {
        list = {"", a, b};
    }
    REQUIRE_FALSE(list.empty());
    try {
        const kw::verifier verifier(list);
        FAIL("the constructor did not throw");
    } catch (const std::invalid_argument& e) {
        const std::string text = e.what();
        CAPTURE(text);
        CHECK_FALSE(text.empty());
        CHECK(text.find("TOPSECRET") == std::string::npos);
        CHECK(text.find("alpha") == std::string::npos);
        CHECK(text.find("bravo") == std::string::npos);
    }
}

TEST_CASE("a secret is used as raw bytes, NUL and non-ASCII included") {
    const std::string raw("se\0cr\xc3\xa9t\xff", 9);
    const kw::verifier verifier(std::vector<std::string>{raw});
    CHECK(verifier.verify("POST", url, body, kw::sign(raw, "POST", url, body)).verified());
    CHECK(verifier.verify("POST", url, body, kw::sign("se", "POST", url, body)).error() ==
          kw::errc::signature_mismatch);
    const kw::verifier from_view{std::string_view(raw)};
    CHECK(from_view.verify("POST", url, body, kw::sign(raw, "POST", url, body)).verified());
}
