// docs/protocol.md, section 3.2: the kore-signature value is trimmed of optional whitespace, then
// must be exactly 64 hex digits of either case; anything else is malformed, not a mismatch.

#include "unit_common.hpp"

#include <cctype>

using namespace kore_unit;

namespace {

struct fixture {
    vector_case v = kore_vector("K1");
    kw::verifier verifier{v.secret};

    kw::result check(const std::string& header) const {
        return verifier.verify(v.method, v.registered_url, v.body, header);
    }
};

std::string upper(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return text;
}

}  // namespace

TEST_CASE("spaces and tabs around the header value are trimmed") {
    const fixture f;
    const std::string before = GENERATE(as<std::string>{}, "", " ", "\t", "  ", " \t \t");
    const std::string after = GENERATE(as<std::string>{}, "", " ", "\t", "\t\t ");
    CAPTURE(before, after);
    const auto r = f.check(before + f.v.signature + after);
    CHECK(r.verified());
    CHECK(r.replay_key() == f.v.signature);
}

TEST_CASE("CR and LF are not optional whitespace: around the value they make it malformed") {
    const fixture f;
    const std::string sig = f.v.signature;
    const std::string header =
        GENERATE_COPY(as<std::string>{}, sig + "\r\n", "\n" + sig, sig + "\r", "\v" + sig, sig + "\f");
    CAPTURE(header);
    CHECK(f.check(header).error() == kw::errc::malformed_signature);
}

TEST_CASE("upper-case and mixed-case hex digits are accepted") {
    const fixture f;
    REQUIRE(upper(f.v.signature) != f.v.signature);
    SECTION("upper case") {
        const auto r = f.check(upper(f.v.signature));
        CHECK(r.verified());
        CHECK(r.replay_key() == f.v.signature);  // the replay key is always lowercase
    }
    SECTION("mixed case") {
        std::string mixed = f.v.signature;
        for (std::size_t i = 0; i < mixed.size(); i += 2) {
            mixed[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(mixed[i])));
        }
        REQUIRE(mixed != f.v.signature);
        CHECK(f.check(mixed).verified());
    }
}

TEST_CASE("a header of 63 hex digits is malformed") {
    const fixture f;
    CHECK(f.check(f.v.signature.substr(0, 63)).error() == kw::errc::malformed_signature);
    CHECK(f.check(f.v.signature.substr(1)).error() == kw::errc::malformed_signature);
}

TEST_CASE("a header of 65 hex digits is malformed") {
    const fixture f;
    const char extra = GENERATE('0', 'f', 'A');
    CAPTURE(extra);
    CHECK(f.check(f.v.signature + extra).error() == kw::errc::malformed_signature);
    CHECK(f.check(extra + f.v.signature).error() == kw::errc::malformed_signature);
}

TEST_CASE("a header of 128 hex digits (a SHA-512 length) is malformed") {
    const fixture f;
    CHECK(f.check(f.v.signature + f.v.signature).error() == kw::errc::malformed_signature);
}

TEST_CASE("a non-hex character anywhere in 64 makes the header malformed") {
    const fixture f;
    const char bad = GENERATE('g', 'G', 'z', 'x', '-', '+', '=', '/', ':', '@', '`', '\x80', '\xff');
    const std::size_t at = GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{31}, std::size_t{62}, std::size_t{63});
    CAPTURE(static_cast<int>(static_cast<unsigned char>(bad)), at);
    std::string header = f.v.signature;
    header[at] = bad;
    CHECK(f.check(header).error() == kw::errc::malformed_signature);
}

TEST_CASE("an embedded NUL makes the header malformed") {
    const fixture f;
    SECTION("in place of a digit") {
        std::string header = f.v.signature;
        header[32] = '\0';
        CHECK(f.check(header).error() == kw::errc::malformed_signature);
    }
    SECTION("after the 64 digits") {
        CHECK(f.check(f.v.signature + std::string(1, '\0')).error() == kw::errc::malformed_signature);
    }
    SECTION("before the 64 digits") {
        CHECK(f.check(std::string(1, '\0') + f.v.signature).error() == kw::errc::malformed_signature);
    }
}

TEST_CASE("a sha256= prefix makes the header malformed") {
    const fixture f;
    const std::string prefix = GENERATE(as<std::string>{}, "sha256=", "SHA256=", "sha256:", "0x");
    CAPTURE(prefix);
    CHECK(f.check(prefix + f.v.signature).error() == kw::errc::malformed_signature);
}

TEST_CASE("whitespace inside the value makes the header malformed") {
    const fixture f;
    const char space = GENERATE(' ', '\t');
    const std::size_t at = GENERATE(std::size_t{1}, std::size_t{32}, std::size_t{63});
    CAPTURE(static_cast<int>(space), at);
    SECTION("inserted between digits") {
        std::string header = f.v.signature;
        header.insert(at, 1, space);
        CHECK(f.check(header).error() == kw::errc::malformed_signature);
    }
    SECTION("in place of a digit") {
        std::string header = f.v.signature;
        header[at] = space;
        CHECK(f.check(header).error() == kw::errc::malformed_signature);
    }
}

TEST_CASE("a well-formed header that no secret produces is a mismatch, not malformed") {
    const fixture f;
    const std::size_t at = GENERATE(std::size_t{0}, std::size_t{31}, std::size_t{63});
    std::string header = f.v.signature;
    header[at] = header[at] == '0' ? '1' : '0';
    CAPTURE(at);
    CHECK(f.check(header).error() == kw::errc::signature_mismatch);
    CHECK(f.check(upper(header)).error() == kw::errc::signature_mismatch);
}

TEST_CASE("the stream reads the header by the same rules") {
    const fixture f;
    const auto streamed = [&](const std::string& header) {
        return stream_verify(f.verifier, f.v.method, f.v.registered_url, f.v.body, header, {4});
    };
    CHECK(streamed(" \t" + upper(f.v.signature) + "\t ").verified());
    CHECK(streamed(f.v.signature.substr(0, 63)).error() == kw::errc::malformed_signature);
    CHECK(streamed(f.v.signature + "0").error() == kw::errc::malformed_signature);
    CHECK(streamed("sha256=" + f.v.signature).error() == kw::errc::malformed_signature);
}
