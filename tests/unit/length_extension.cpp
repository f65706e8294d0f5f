// docs/protocol.md, section 3.4: real SHA-256 length-extension forgeries (made by the command-line
// tool's forge, kore_cli/forge.hpp, which never sees the secret) are refused as length_extension;
// bodies that merely contain 0x80 and NUL bytes, or glue that is not at a block boundary, still verify.

#include "unit_common.hpp"

#include <kore_cli/forge.hpp>

#include <cstdint>
#include <random>

using namespace kore_unit;
namespace forge = kore_cli::forge;

namespace {

constexpr std::string_view method = "POST";
constexpr std::string_view url = "https://hooks.example.com/kore?ignored=1";

std::string secret_of_length(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s.push_back(static_cast<char>('a' + i % 26));
    }
    return s;
}

std::string text_body(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s.push_back("Status=active&SimSid=HS"[i % 23]);
    }
    return s;
}

std::size_t prefix_length(std::string_view secret) {
    return secret.size() + method.size() + kw::signed_url(url).size();
}

}  // namespace

TEST_CASE("the forge makes real forgeries: the signature is right for the forged body") {
    // Without this, a refused forgery could mean a broken forge rather than a working guard.
    const std::string secret = "a-secret-the-forger-never-sees";
    const std::string body = "SimSid=HS1&Status=active";
    const auto f = forge::extend(kw::sign(secret, method, url, body), secret.size(), method, kw::signed_url(url), body,
                                 "&Status=deleted");
    CHECK(f.body.size() > body.size());
    CHECK(f.body.compare(0, body.size(), body) == 0);
    CHECK(kw::sign(secret, method, url, f.body) == f.signature);
    kw::options lax;
    lax.json_whitespace_fallback = false;
    CHECK(kw::verifier(secret, lax).verify(method, url, f.body, f.signature).error() == kw::errc::length_extension);
}

TEST_CASE("forgeries for many secret and body lengths around block boundaries are length_extension") {
    const std::size_t secret_length = GENERATE(std::size_t{1}, std::size_t{5}, std::size_t{18}, std::size_t{32},
                                               std::size_t{33}, std::size_t{64}, std::size_t{100});
    const std::string suffix = GENERATE(as<std::string>{}, "", "&Status=deleted", std::string(300, 'Z'));
    CAPTURE(secret_length, suffix.size());
    const std::string secret = secret_of_length(secret_length);
    const kw::verifier verifier(secret);
    std::size_t refused = 0;
    std::size_t real = 0;
    for (std::size_t body_length = 0; body_length <= 200; ++body_length) {
        const std::string body = text_body(body_length);
        const std::string signature = kw::sign(secret, method, url, body);
        REQUIRE(verifier.verify(method, url, body, signature).verified());  // the original is fine
        const auto f = forge::extend(signature, secret_length, method, kw::signed_url(url), body, suffix);
        real += kw::sign(secret, method, url, f.body) == f.signature ? 1 : 0;
        const auto r = verifier.verify(method, url, f.body, f.signature);
        if (r.error() == kw::errc::length_extension && !r.verified()) {
            ++refused;
        } else {
            CAPTURE(body_length, kw::error_name(r.error()));
            FAIL_CHECK("forgery not refused as length_extension");
        }
    }
    CHECK(real == 201);
    CHECK(refused == 201);
}

TEST_CASE("streamed forgeries are length_extension however they are chunked") {
    const std::size_t secret_length = GENERATE(std::size_t{7}, std::size_t{40});
    const std::size_t piece = GENERATE(std::size_t{1}, std::size_t{3}, std::size_t{63}, std::size_t{64},
                                       std::size_t{65}, std::size_t{71}, std::size_t{72}, std::size_t{73});
    CAPTURE(secret_length, piece);
    const std::string secret = secret_of_length(secret_length);
    const kw::verifier verifier(secret);
    for (const std::size_t body_length : {0U, 1U, 20U, 55U, 56U, 63U, 64U, 65U, 119U, 120U, 128U, 200U}) {
        CAPTURE(body_length);
        const std::string body = text_body(body_length);
        const auto f = forge::extend(kw::sign(secret, method, url, body), secret_length, method, kw::signed_url(url),
                                     body, "&x=1");
        CHECK(stream_verify(verifier, method, url, f.body, f.signature, pieces_of(piece, f.body.size())).error() ==
              kw::errc::length_extension);
    }
}

TEST_CASE("a forgery of the second secret during a rotation is length_extension") {
    const std::string first = secret_of_length(12);
    const std::string second = secret_of_length(45);
    const kw::verifier verifier(std::vector<std::string>{first, second});
    for (const std::size_t body_length : {0U, 10U, 50U, 64U, 100U, 150U}) {
        CAPTURE(body_length);
        const std::string body = text_body(body_length);
        const auto f = forge::extend(kw::sign(second, method, url, body), second.size(), method, kw::signed_url(url),
                                     body, "&Status=deleted");
        REQUIRE(kw::sign(second, method, url, f.body) == f.signature);
        CHECK(verifier.verify(method, url, f.body, f.signature).error() == kw::errc::length_extension);
        CHECK(stream_verify(verifier, method, url, f.body, f.signature, {5}).error() == kw::errc::length_extension);
        // The same forged body legitimately signed with the first secret is not a forgery of it:
        // the glue holds the second secret's length, which does not line up with the first's blocks.
        const auto by_first = verifier.verify(method, url, f.body, kw::sign(first, method, url, f.body));
        CHECK(by_first.verified());
        CHECK(by_first.secret_index() == 0);
        const auto streamed = stream_verify(verifier, method, url, f.body, kw::sign(first, method, url, f.body), {1});
        CHECK(streamed.verified());
        CHECK(streamed.secret_index() == 0);
    }
}

TEST_CASE("guessing the wrong secret length gives a forgery that does not verify") {
    const std::string secret = secret_of_length(20);
    const kw::verifier verifier(secret);
    const std::string body = text_body(30);
    const std::size_t guess = GENERATE(std::size_t{19}, std::size_t{21}, std::size_t{84});
    const auto f = forge::extend(kw::sign(secret, method, url, body), guess, method, kw::signed_url(url), body, "&x=1");
    CHECK(verifier.verify(method, url, f.body, f.signature).error() == kw::errc::signature_mismatch);
}

TEST_CASE("bodies with 0x80 and NUL bytes that are not glue still verify") {
    const std::string secret = secret_of_length(16);
    const kw::verifier verifier(secret);
    const std::size_t prefix = prefix_length(secret);
    SECTION("random binary bodies rich in 0x80 and NUL") {
        std::mt19937 rng(4242);
        std::uniform_int_distribution<int> pick(0, 3);
        for (int round = 0; round < 300; ++round) {
            std::string body(static_cast<std::size_t>(round), '\0');
            for (char& c : body) {
                const int k = pick(rng);
                c = k == 0 ? '\x80' : k == 1 ? '\0' : static_cast<char>(rng() & 0xff);
            }
            CAPTURE(round);
            CHECK(verifier.verify(method, url, body, kw::sign(secret, method, url, body)).verified());
        }
    }
    SECTION("glue-like bytes with one thing wrong") {
        const std::string original = text_body(40);
        const std::uint64_t n = prefix + original.size();
        const std::string glue = forge::glue(n);
        REQUIRE(glue.size() >= 9);
        std::string body_with_glue = original + glue + "&x=1";
        // Control: exactly this body with real glue is flagged, even signed by the real secret.
        REQUIRE(verifier.verify(method, url, body_with_glue, kw::sign(secret, method, url, body_with_glue)).error() ==
                kw::errc::length_extension);
        std::string body = body_with_glue;
        SECTION("0x81 instead of 0x80") {
            body[original.size()] = '\x81';
        }
        SECTION("a non-zero byte in the zero run") {
            body[original.size() + 1] = '\x01';
        }
        SECTION("a length field one byte off") {
            body[original.size() + glue.size() - 1] ^= 0x08;
        }
        SECTION("a length field with bits not a multiple of 8") {
            body[original.size() + glue.size() - 1] ^= 0x01;
        }
        CAPTURE(body.size());
        REQUIRE(body != body_with_glue);
        const auto r = verifier.verify(method, url, body, kw::sign(secret, method, url, body));
        CHECK(r.verified());
        CHECK(stream_verify(verifier, method, url, body, kw::sign(secret, method, url, body), {1}).verified());
    }
}

TEST_CASE("glue whose length points before the body is not flagged") {
    // The padding of a message one byte shorter than secret || METHOD || URL, less its 0x80 (which
    // would sit in the URL): zeros and a length field ending on the first block boundary.
    const std::size_t secret_length = GENERATE(std::size_t{1}, std::size_t{16}, std::size_t{40});
    const std::string secret = secret_of_length(secret_length);
    const kw::verifier verifier(secret);
    const std::string body = forge::glue(prefix_length(secret) - 1).substr(1);
    REQUIRE((prefix_length(secret) + body.size()) % 64 == 0);
    CAPTURE(secret_length, body.size());
    CHECK(verifier.verify(method, url, body, kw::sign(secret, method, url, body)).verified());
    CHECK(stream_verify(verifier, method, url, body, kw::sign(secret, method, url, body), {1}).verified());
}

TEST_CASE("glue at a wrong offset is not flagged") {
    const std::string secret = secret_of_length(16);
    const kw::verifier verifier(secret);
    const std::string original = text_body(40);
    const std::string glue = forge::glue(prefix_length(secret) + original.size());
    const std::size_t shift = GENERATE(std::size_t{1}, std::size_t{7}, std::size_t{63});
    const char filler = GENERATE('q', '\0');
    CAPTURE(shift, static_cast<int>(filler));
    SECTION("shifted by extra bytes before the glue") {
        const std::string body = original + std::string(shift, filler) + glue + "&x=1";
        CHECK(verifier.verify(method, url, body, kw::sign(secret, method, url, body)).verified());
    }
    SECTION("shifted by removing bytes of the original") {
        const std::string body = original.substr(shift % 40) + glue + "&x=1";
        CHECK(verifier.verify(method, url, body, kw::sign(secret, method, url, body)).verified());
    }
}

TEST_CASE("glue that matches another secret length is not flagged for this secret") {
    const std::string secret = secret_of_length(16);
    const kw::verifier verifier(secret);
    const std::string body = text_body(30);
    // A forgery made for a 17-byte secret, legitimately signed with the 16-byte one.
    const std::string other = secret_of_length(17);
    const auto f =
        forge::extend(kw::sign(other, method, url, body), other.size(), method, kw::signed_url(url), body, "&x");
    CHECK(verifier.verify(method, url, f.body, kw::sign(secret, method, url, f.body)).verified());
}

TEST_CASE("a text body of any length is never flagged") {
    const std::size_t secret_length = GENERATE(std::size_t{1}, std::size_t{30}, std::size_t{64});
    const std::string secret = secret_of_length(secret_length);
    const kw::verifier verifier(secret);
    for (std::size_t n = 0; n <= 300; ++n) {
        const std::string body = text_body(n);
        const auto r = verifier.verify(method, url, body, kw::sign(secret, method, url, body));
        if (!r.verified()) {
            CAPTURE(secret_length, n, kw::error_name(r.error()));
            FAIL_CHECK("text body refused");
        }
    }
    CHECK(verifier.verify(method, url, text_body(300), kw::sign(secret, method, url, text_body(300))).verified());
}
