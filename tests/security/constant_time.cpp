// Issue #10, item 6: the library's handling of digests is constant-time, proven under valgrind
// memcheck. The hooks of detail/ct_audit.hpp are defined here, before any kore-webhook header,
// as valgrind client requests: the digests the secrets compute and the digest the header carries
// become "undefined" where they are produced, and only the verdict is made defined again. Any
// branch, conditional move or memory index that depends on them (a memcmp, an early exit in
// find_match, a table lookup) is then a memcheck error, and ctest runs this program under
// `valgrind --error-exitcode`, so any report fails the test. See SECURITY.md, "Constant time".
#include <valgrind/memcheck.h>

#include <cstddef>

namespace kore_ct_audit {

std::size_t poisonings = 0;  // proves the hooks are wired: a verification that poisons nothing proves nothing

inline void poison(const void* address, std::size_t size) noexcept {
    ++poisonings;
    static_cast<void>(VALGRIND_MAKE_MEM_UNDEFINED(address, size));
}

inline void unpoison(const void* address, std::size_t size) noexcept {
    static_cast<void>(VALGRIND_MAKE_MEM_DEFINED(address, size));
}

}  // namespace kore_ct_audit

#define KORE_WEBHOOK_CT_POISON(address, size) ::kore_ct_audit::poison((address), (size))
#define KORE_WEBHOOK_CT_UNPOISON(address, size) ::kore_ct_audit::unpoison((address), (size))

#include <kore/webhook.hpp>
#include <kore_cli/forge.hpp>
#include <support/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace {

namespace kw = kore::webhook;

const std::string url = "https://hooks.example/kore/callback";
const std::string form = "SimSid=HS1234567890&Status=active&Iccid=8901260882310000001";
const std::vector<std::string> four_secrets = {"active-secret-0123456789abcdef", "pending-secret-short",
                                               "third-secret-of-another-length-entirely", "s4"};

enum class path { one_shot, streamed };

kw::result judge(const kw::verifier& v, path how, std::string_view body, std::string_view header) {
    if (how == path::one_shot) {
        return v.verify("POST", url, body, header);
    }
    auto s = v.start("POST", url);
    for (std::size_t at = 0; at < body.size(); at += 7) {
        s.update(body.substr(at, 7));
    }
    return s.finish(header);
}

// The header with digest byte `position` changed: a mismatch that agrees everywhere else, so an
// early-exit comparison would take a different time for each position.
std::string flip_byte(std::string header, std::size_t position) {
    char& digit = header[2 * position];
    digit = digit == '0' ? '1' : '0';
    return header;
}

// Runs one verification and returns the verdict, requiring that it went through the hooks.
kw::result audited(const kw::verifier& v, path how, std::string_view body, std::string_view header) {
    const std::size_t before = kore_ct_audit::poisonings;
    kw::result r = judge(v, how, body, header);
    CHECK(kore_ct_audit::poisonings >= before + 2);  // the header's digest and the computed ones
    return r;
}

}  // namespace

TEST_CASE("the constant-time test runs under valgrind memcheck") {
    REQUIRE(RUNNING_ON_VALGRIND != 0);
}

TEST_CASE("a match with any of one or four secrets depends on no digest byte before the verdict") {
    for (const path how : {path::one_shot, path::streamed}) {
        const kw::verifier one(four_secrets[0]);
        const kw::result single = audited(one, how, form, kw::sign(four_secrets[0], "POST", url, form));
        CHECK(single.verified());
        CHECK(single.secret_index() == 0);

        const kw::verifier four(four_secrets);
        for (std::size_t i = 0; i < four_secrets.size(); ++i) {
            const std::string header = kw::sign(four_secrets[i], "POST", url, form);
            const kw::result r = audited(four, how, form, header);
            CHECK(r.verified());
            CHECK(r.secret_index() == i);
            CHECK(r.replay_key() == header);
        }
    }
}

TEST_CASE("a mismatch at any byte position depends on no digest byte before the verdict") {
    for (const path how : {path::one_shot, path::streamed}) {
        for (const std::size_t secrets : {std::size_t{1}, std::size_t{4}}) {
            const kw::verifier v(std::vector<std::string>(four_secrets.begin(),
                                                          four_secrets.begin() + static_cast<std::ptrdiff_t>(secrets)));
            const std::string genuine = kw::sign(four_secrets[secrets - 1], "POST", url, form);
            for (const std::size_t position : {0, 1, 15, 16, 30, 31}) {
                CHECK(audited(v, how, form, flip_byte(genuine, position)).error() == kw::errc::signature_mismatch);
            }
            CHECK(audited(v, how, form, kw::sign("not-configured", "POST", url, form)).error() ==
                  kw::errc::signature_mismatch);
        }
    }
}

TEST_CASE("the JSON fallback's second comparison depends on no digest byte before the verdict") {
    const std::string spaced = R"({ "sim" : { "iccid" : "8901", "status" : "active" }, "n" : [1, 2] })";
    const std::string minified = R"({"sim":{"iccid":"8901","status":"active"},"n":[1,2]})";
    const kw::verifier v(four_secrets);
    for (const path how : {path::one_shot, path::streamed}) {
        const std::string header = kw::sign(four_secrets[2], "POST", url, minified);
        const kw::result r = audited(v, how, spaced, header);
        CHECK(r.verified());
        CHECK(r.json_normalized());
        CHECK(r.secret_index() == 2);
        CHECK(audited(v, how, spaced, flip_byte(header, 31)).error() == kw::errc::signature_mismatch);
    }
}

TEST_CASE("the length-extension look after a match depends only on the verdict and public lengths") {
    const kw::verifier v(four_secrets);
    const std::string genuine = kw::sign(four_secrets[1], "POST", url, form);
    const auto forged =
        kore_cli::forge::extend(genuine, four_secrets[1].size(), "POST", kw::signed_url(url), form, "&Status=deleted");
    for (const path how : {path::one_shot, path::streamed}) {
        CHECK(audited(v, how, forged.body, forged.signature).error() == kw::errc::length_extension);
    }
}
