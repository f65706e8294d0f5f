// The verifier as an object: throwing variant, replay key (docs/protocol.md, section 3.6), moves,
// and streams that outlive the verifier that started them.

#include "unit_common.hpp"

#include <kore_cli/forge.hpp>

#include <memory>
#include <type_traits>
#include <utility>

using namespace kore_unit;

namespace {

constexpr std::string_view secret = "verifier-test-secret";
constexpr std::string_view url = "https://hooks.example.com/kore?route=sim";
constexpr std::string_view body = "SimSid=HS123&Status=active";

std::string good_signature() {
    return kw::sign(secret, "POST", url, body);
}

}  // namespace

TEST_CASE("verify_or_throw returns the verdict of an accepted callback") {
    const kw::verifier verifier(secret);
    const auto r = verifier.verify_or_throw("POST", url, body, good_signature());
    CHECK(r.verified());
    CHECK(r.replay_key() == good_signature());
}

TEST_CASE("verify_or_throw throws std::system_error carrying the refusal's code") {
    const kw::verifier verifier(secret);
    const auto bad = good_signature().replace(0, 1, good_signature()[0] == 'a' ? "b" : "a");
    struct refusal {
        const char* what;
        std::string method;
        std::optional<std::string> header;
        kw::errc expected;
    };
    const refusal c = GENERATE_COPY(values<refusal>({
        {"mismatch", "POST", bad, kw::errc::signature_mismatch},
        {"missing", "POST", std::nullopt, kw::errc::missing_signature},
        {"unsigned", "POST", std::string(), kw::errc::unsigned_request},
        {"malformed", "POST", std::string("xyz"), kw::errc::malformed_signature},
        {"bad method", "", good_signature(), kw::errc::invalid_method},
    }));
    CAPTURE(c.what);
    std::optional<std::string_view> header;
    if (c.header) {
        header = *c.header;
    }
    try {
        (void)verifier.verify_or_throw(c.method, url, body, header);
        FAIL("verify_or_throw did not throw");
    } catch (const std::system_error& e) {
        CHECK(e.code() == c.expected);
        CHECK(e.code().category() == kw::webhook_category());
    }
}

TEST_CASE("verify_or_throw does not throw for an allowed unsigned callback") {
    kw::options opts;
    opts.allow_unsigned = true;
    const kw::verifier verifier(secret, opts);
    const auto r = verifier.verify_or_throw("POST", url, body, "");
    CHECK(r.is_unsigned());
    CHECK_FALSE(r.verified());
}

TEST_CASE("the replay key is the lowercase signature of a verified callback, empty otherwise") {
    kw::options opts;
    opts.allow_unsigned = true;
    const kw::verifier verifier(secret, opts);
    const std::string signature = good_signature();
    SECTION("verified, from a lowercase or upper-case header") {
        std::string upper = signature;
        for (char& ch : upper) {
            ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        }
        const std::string key = verifier.verify("POST", url, body, upper).replay_key();
        CHECK(key.size() == 64);
        CHECK(key.find_first_not_of("0123456789abcdef") == std::string::npos);
        CHECK(verifier.verify("POST", url, body, signature).replay_key() == signature);
        CHECK(key == signature);
        CHECK(verifier.verify("POST", url, body, " " + upper + "\t").replay_key() == signature);
    }
    SECTION("the digest is the decoded signature") {
        const auto r = verifier.verify("POST", url, body, signature);
        kw::kore_sha256::digest_type decoded{};
        REQUIRE(kw::kore_sha256::decode_signature(signature, decoded));
        CHECK(r.digest() == decoded);
    }
    SECTION("verified through the JSON fallback: the key is the header's digest") {
        const std::string json_signature = kw::sign(secret, "POST", url, R"({"a":[1,2]})");
        const auto r = verifier.verify("POST", url, "{ \"a\": [1, 2] }\n", json_signature);
        REQUIRE(r.json_normalized());
        CHECK(r.replay_key() == json_signature);
    }
    SECTION("empty when refused or unsigned") {
        CHECK(verifier.verify("POST", url, "other", signature).replay_key().empty());
        CHECK(verifier.verify("POST", url, body, std::nullopt).replay_key().empty());
        CHECK(verifier.verify("POST", url, body, "").replay_key().empty());
        CHECK(verifier.verify("POST", url, body, signature.substr(1)).replay_key().empty());
    }
    SECTION("identical replays and redeliveries share the key; other bodies do not") {
        const std::string other_signature = kw::sign(secret, "POST", url, "SimSid=HS124&Status=active");
        const auto first = verifier.verify("POST", url, body, signature).replay_key();
        const auto again = verifier.verify("POST", url, body, signature).replay_key();
        const auto other = verifier.verify("POST", url, "SimSid=HS124&Status=active", other_signature).replay_key();
        CHECK(first == again);
        CHECK(first != other);
        CHECK_FALSE(other.empty());
    }
}

TEST_CASE("a moved verifier keeps working") {
    kw::options opts;
    opts.max_body_size = 100;
    kw::verifier original(std::vector<std::string>{"old-secret", std::string(secret)}, opts);
    SECTION("move construction") {
        const kw::verifier moved(std::move(original));
        const auto r = moved.verify("POST", url, body, good_signature());
        CHECK(r.verified());
        CHECK(r.secret_index() == 1);
        CHECK(moved.secret_count() == 2);
        CHECK(moved.get_options().max_body_size == 100);
        CHECK(moved.verify("POST", url, body, kw::sign("other", "POST", url, body)).error() ==
              kw::errc::signature_mismatch);
        CHECK(stream_verify(moved, "POST", url, body, good_signature(), {3}).verified());
    }
    SECTION("move assignment") {
        kw::verifier target("placeholder");
        target = std::move(original);
        CHECK(target.verify("POST", url, body, good_signature()).verified());
        CHECK(target.verify("POST", url, body, kw::sign("placeholder", "POST", url, body)).error() ==
              kw::errc::signature_mismatch);
        CHECK(target.get_options().max_body_size == 100);
    }
    SECTION("into a container that reallocates") {
        std::vector<kw::verifier> many;
        many.push_back(std::move(original));
        for (int i = 0; i < 20; ++i) {
            many.emplace_back("filler-" + std::to_string(i));
        }
        CHECK(many.front().verify("POST", url, body, good_signature()).verified());
        CHECK(many.back().verify("POST", url, body, kw::sign("filler-19", "POST", url, body)).verified());
    }
}

TEST_CASE("a moved-from verifier refuses everything with moved_from, not a crypto failure") {
    kw::verifier original(secret);
    const kw::verifier moved(std::move(original));
    // NOLINTNEXTLINE(bugprone-use-after-move): using the moved-from object is the point
    const kw::verifier& left = original;
    CHECK(left.secret_count() == 0);
    CHECK(left.verify("POST", url, body, good_signature()).error() == kw::errc::moved_from);
    auto s = left.start("POST", url);
    CHECK(s.error() == kw::errc::moved_from);
    s.update(body);
    CHECK(s.finish(good_signature()).error() == kw::errc::moved_from);
    CHECK(moved.verify("POST", url, body, good_signature()).verified());
}

TEST_CASE("a moved-from stream finishes with moved_from; the stream it moved to carries on") {
    const kw::verifier verifier(secret);
    auto original = verifier.start("POST", url);
    original.update(body.substr(0, 5));
    auto moved = std::move(original);
    // NOLINTNEXTLINE(bugprone-use-after-move): using the moved-from object is the point
    auto& left = original;
    left.update(body.substr(5));
    CHECK(left.error() == kw::errc::moved_from);
    CHECK(left.finish(good_signature()).error() == kw::errc::moved_from);
    moved.update(body.substr(5));
    CHECK(moved.finish(good_signature()).verified());
}

TEST_CASE("a stream outlives the verifier that started it") {
    auto verifier = std::make_unique<kw::verifier>(std::vector<std::string>{"old-secret", std::string(secret)});
    const std::string json = "{ \"a\" : 1 }";
    const std::string json_signature = kw::sign(secret, "POST", url, R"({"a":1})");
    const auto forged =
        kore_cli::forge::extend(good_signature(), secret.size(), "POST", kw::signed_url(url), body, "&x=1");
    auto plain = verifier->start("POST", url);
    auto spaced = verifier->start("POST", url);
    auto extended = verifier->start("POST", url);
    plain.update(body.substr(0, 5));
    spaced.update(json.substr(0, 3));
    verifier.reset();
    plain.update(body.substr(5));
    spaced.update(json.substr(3));
    extended.update(forged.body);
    const auto r = plain.finish(good_signature());
    CHECK(r.verified());
    CHECK(r.secret_index() == 1);
    const auto j = spaced.finish(json_signature);
    CHECK(j.verified());
    CHECK(j.json_normalized());
    CHECK(extended.finish(forged.signature).error() == kw::errc::length_extension);
}

TEST_CASE("a stream can be moved mid-body") {
    const kw::verifier verifier(secret);
    auto s = verifier.start("POST", url);
    s.update(body.substr(0, 7));
    auto moved = std::move(s);
    moved.update(body.substr(7));
    CHECK(moved.body_size() == body.size());
    CHECK(moved.finish(good_signature()).verified());
}

TEST_CASE("the verifier reports its configuration") {
    kw::options opts;
    opts.allow_unsigned = true;
    opts.max_body_size = 123;
    opts.json_whitespace_fallback = false;
    const kw::verifier verifier(std::vector<std::string>{"a", "b", "c"}, opts);
    CHECK(verifier.secret_count() == 3);
    CHECK(verifier.get_options().allow_unsigned);
    CHECK(verifier.get_options().max_body_size == 123);
    CHECK_FALSE(verifier.get_options().json_whitespace_fallback);
    CHECK(kw::verifier(secret).secret_count() == 1);
}

TEST_CASE("the safe options are the defaults") {
    const kw::options opts;
    CHECK_FALSE(opts.allow_unsigned);
    CHECK_FALSE(opts.allow_get_query);
    CHECK(opts.json_whitespace_fallback);
}

TEST_CASE("verify is usable on a const verifier and does not throw") {
    static_assert(noexcept(std::declval<const kw::verifier&>().verify("", "", "", std::nullopt)), "verify is noexcept");
    static_assert(noexcept(std::declval<const kw::verifier&>().start("", "")), "start is noexcept");
    static_assert(std::is_nothrow_move_constructible<kw::stream>::value, "streams move without throwing");
    static_assert(!std::is_copy_constructible<kw::stream>::value, "a stream is not copied");
    const kw::verifier verifier(secret);
    CHECK(verifier.verify("POST", url, body, good_signature()).verified());
}

TEST_CASE("sign() refuses an empty secret") {
    CHECK_THROWS_AS(kw::sign("", "POST", url, body), std::invalid_argument);
}
