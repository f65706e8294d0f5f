// docs/protocol.md, sections 3 and 3.1: every rejection has its own reason, an error code with a
// message.

#include "unit_common.hpp"

#include <kore_cli/forge.hpp>

#include <set>
#include <type_traits>

using namespace kore_unit;

namespace {

constexpr std::string_view secret = "errors-test-secret";
constexpr std::string_view url = "https://hooks.example.com/kore";
constexpr std::string_view body = "SimSid=HS123&Status=active";

// Every enumerator, with the name error_name() must give it.
const std::vector<std::pair<kw::errc, std::string_view>>& all_errors() {
    static const std::vector<std::pair<kw::errc, std::string_view>> table = {
        {kw::errc::missing_signature, "missing_signature"},
        {kw::errc::unsigned_request, "unsigned_request"},
        {kw::errc::malformed_signature, "malformed_signature"},
        {kw::errc::signature_mismatch, "signature_mismatch"},
        {kw::errc::length_extension, "length_extension"},
        {kw::errc::body_too_large, "body_too_large"},
        {kw::errc::duplicate_signature, "duplicate_signature"},
        {kw::errc::invalid_method, "invalid_method"},
        {kw::errc::invalid_url, "invalid_url"},
        {kw::errc::query_not_signed, "query_not_signed"},
        {kw::errc::stream_finished, "stream_finished"},
        {kw::errc::crypto_failure, "crypto_failure"},
        {kw::errc::body_hash_mismatch, "body_hash_mismatch"},
        {kw::errc::malformed_body, "malformed_body"},
        {kw::errc::moved_from, "moved_from"},
    };
    return table;
}

kw::options allowing_unsigned() {
    kw::options o;
    o.allow_unsigned = true;
    return o;
}

kw::options max_body(std::size_t size) {
    kw::options o;
    o.max_body_size = size;
    return o;
}

}  // namespace

// ---- std::error_code integration --------------------------------------------------------------

TEST_CASE("errc plugs into std::error_code") {
    static_assert(std::is_error_code_enum<kw::errc>::value, "errc must be an error code enum");
    const std::error_code ec = kw::errc::signature_mismatch;  // implicit, through make_error_code
    CHECK(ec.category() == kw::webhook_category());
    CHECK(ec.value() == static_cast<int>(kw::errc::signature_mismatch));
    CHECK(ec == kw::errc::signature_mismatch);
    CHECK(ec != kw::errc::malformed_signature);
    CHECK(ec == kw::make_error_code(kw::errc::signature_mismatch));
    CHECK(static_cast<bool>(ec));
}

TEST_CASE("the error category is named kore.webhook and is one instance") {
    CHECK(std::string_view(kw::webhook_category().name()) == "kore.webhook");
    CHECK(&kw::webhook_category() == &kw::make_error_code(kw::errc::missing_signature).category());
}

TEST_CASE("zero is no error: no enumerator has the value 0") {
    for (const auto& [e, name] : all_errors()) {
        CAPTURE(name);
        CHECK(static_cast<int>(e) != 0);
        CHECK(static_cast<bool>(kw::make_error_code(e)));
    }
}

TEST_CASE("every error has a non-empty message of its own and error_name gives its name back") {
    std::set<std::string> messages;
    std::set<std::string_view> names;
    for (const auto& [e, name] : all_errors()) {
        CAPTURE(name);
        const std::error_code ec = e;
        const std::string message = ec.message();
        CHECK_FALSE(message.empty());
        CHECK(message.find("unknown") == std::string::npos);
        CHECK(kw::error_name(ec) == name);
        messages.insert(message);
        names.insert(kw::error_name(ec));
    }
    CHECK(messages.size() == all_errors().size());
    CHECK(names.size() == all_errors().size());
}

TEST_CASE("error_name says ok for no error and unknown for foreign or out-of-range codes") {
    CHECK(kw::error_name(std::error_code()) == "ok");
    CHECK(kw::error_name(std::make_error_code(std::errc::invalid_argument)) == "unknown");
    CHECK(kw::error_name(std::error_code(static_cast<int>(kw::errc::signature_mismatch), std::generic_category())) ==
          "unknown");
    CHECK(kw::error_name(std::error_code(999, kw::webhook_category())) == "unknown");
    CHECK_FALSE(std::error_code(999, kw::webhook_category()).message().empty());
}

TEST_CASE("an out-of-range code of any of the library's categories is answered 500, which KORE retries") {
    for (const std::error_category* category :
         {&kw::webhook_category(), &kw::adapter_category(), &kw::replay_category()}) {
        CAPTURE(category->name());
        for (const int value : {0, 99, -1}) {
            const std::error_code ec(value, *category);
            CHECK(kw::error_name(ec) == (value == 0 ? "ok" : "unknown"));
            if (value != 0) {
                CHECK(kw::http_status(ec) == 500);
                CHECK(ec.message() == "unknown error code");
            }
        }
    }
}

TEST_CASE("a result's error_name is the name of its error") {
    const kw::verifier verifier(secret);
    CHECK(verifier.verify("POST", url, body, std::nullopt).error_name() == "missing_signature");
    CHECK(verifier.verify("POST", url, body, kw::sign(secret, "POST", url, body)).error_name() == "ok");
}

// ---- 3.1: absent and empty headers --------------------------------------------------------------

TEST_CASE("an absent header is missing_signature") {
    const bool allow = GENERATE(false, true);
    CAPTURE(allow);
    kw::options opts;
    opts.allow_unsigned = allow;  // allowing unsigned requests never excuses an absent header
    const kw::verifier verifier(secret, opts);
    const auto r = verifier.verify("POST", url, body, std::nullopt);
    CHECK_FALSE(r);
    CHECK(r.error() == kw::errc::missing_signature);
    CHECK_FALSE(r.verified());
    CHECK_FALSE(r.is_unsigned());
    CHECK(stream_verify(verifier, "POST", url, body, std::nullopt).error() == kw::errc::missing_signature);
}

TEST_CASE("a present but empty or all-whitespace header is unsigned_request") {
    const std::string header = GENERATE(as<std::string>{}, "", " ", "\t", " \t  \t");
    CAPTURE(header);
    const kw::verifier verifier(secret);
    const auto r = verifier.verify("POST", url, body, header);
    CHECK_FALSE(r);
    CHECK(r.error() == kw::errc::unsigned_request);
    CHECK_FALSE(r.verified());
    CHECK_FALSE(r.is_unsigned());
    CHECK(stream_verify(verifier, "POST", url, body, header).error() == kw::errc::unsigned_request);
}

TEST_CASE("allow_unsigned accepts an empty header as unsigned, never as verified") {
    const kw::verifier verifier(secret, allowing_unsigned());
    const std::string header = GENERATE(as<std::string>{}, "", "  \t");
    CAPTURE(header);
    SECTION("one-shot") {
        const auto r = verifier.verify("POST", url, body, header);
        CHECK(r);
        CHECK(r.error() == std::error_code());
        CHECK(r.is_unsigned());
        CHECK_FALSE(r.verified());
        CHECK_FALSE(r.json_normalized());
        CHECK(r.replay_key().empty());
    }
    SECTION("streamed") {
        const auto r = stream_verify(verifier, "POST", url, body, header, {5});
        CHECK(r);
        CHECK(r.is_unsigned());
        CHECK_FALSE(r.verified());
    }
}

TEST_CASE("allow_unsigned does not excuse a wrong or malformed signature") {
    const kw::verifier verifier(secret, allowing_unsigned());
    const std::string good = kw::sign(secret, "POST", url, body);
    const auto right = verifier.verify("POST", url, body, good);
    CHECK(right.verified());
    CHECK_FALSE(right.is_unsigned());
    CHECK(verifier.verify("POST", url, std::string(body) + "x", good).error() == kw::errc::signature_mismatch);
    CHECK(verifier.verify("POST", url, body, "abc").error() == kw::errc::malformed_signature);
}

// ---- 3.2 -----------------------------------------------------------------------------------------

TEST_CASE("a header that is not 64 hex digits is malformed_signature") {
    const kw::verifier verifier(secret);
    const auto r = verifier.verify("POST", url, body, "not-a-signature");
    CHECK_FALSE(r);
    CHECK(r.error() == kw::errc::malformed_signature);
    CHECK_FALSE(r.verified());
}

TEST_CASE("a signature no secret produces is signature_mismatch") {
    const kw::verifier verifier(secret);
    const std::string signature = kw::sign("another secret", "POST", url, body);
    const auto r = verifier.verify("POST", url, body, signature);
    CHECK_FALSE(r);
    CHECK(r.error() == kw::errc::signature_mismatch);
    CHECK_FALSE(r.verified());
    CHECK(verifier.verify("POST", url, body, kw::sign(secret, "POST", url, body)).verified());
}

TEST_CASE("a body forged by length extension is length_extension") {
    const kw::verifier verifier(secret);
    const std::string signature = kw::sign(secret, "POST", url, body);
    const auto forged = kore_cli::forge::extend(signature, secret.size(), "POST", url, body, "&Status=deleted");
    REQUIRE(kw::sign(secret, "POST", url, forged.body) == forged.signature);  // a real forgery
    const auto r = verifier.verify("POST", url, forged.body, forged.signature);
    CHECK_FALSE(r);
    CHECK(r.error() == kw::errc::length_extension);
    CHECK_FALSE(r.verified());
    CHECK(r.replay_key().empty());
}

// ---- 3.7: body size --------------------------------------------------------------------------------

TEST_CASE("a body of exactly max_body_size is accepted, one byte more is body_too_large") {
    const std::size_t max = GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{64}, std::size_t{1000});
    CAPTURE(max);
    const kw::verifier verifier(secret, max_body(max));
    const std::string exact(max, 'a');
    const std::string over(max + 1, 'a');
    SECTION("one-shot") {
        CHECK(verifier.verify("POST", url, exact, kw::sign(secret, "POST", url, exact)).verified());
        const auto r = verifier.verify("POST", url, over, kw::sign(secret, "POST", url, over));
        CHECK_FALSE(r);
        CHECK(r.error() == kw::errc::body_too_large);  // refused even though the signature is right
        CHECK_FALSE(r.verified());
    }
    SECTION("streamed in pieces") {
        CHECK(stream_verify(verifier, "POST", url, exact, kw::sign(secret, "POST", url, exact), {1, 3}).verified());
        CHECK(stream_verify(verifier, "POST", url, over, kw::sign(secret, "POST", url, over), {1, 3}).error() ==
              kw::errc::body_too_large);
    }
}

TEST_CASE("the body size is checked before the signature header is read") {
    const kw::verifier verifier(secret, max_body(10));
    const std::string over(11, 'a');
    CHECK(verifier.verify("POST", url, over, std::nullopt).error() == kw::errc::body_too_large);
    CHECK(verifier.verify("POST", url, over, "").error() == kw::errc::body_too_large);
    CHECK(verifier.verify("POST", url, over, "zz").error() == kw::errc::body_too_large);
}

TEST_CASE("an oversize body is refused even when unsigned requests are allowed") {
    kw::options opts = allowing_unsigned();
    opts.max_body_size = 10;
    const kw::verifier verifier(secret, opts);
    CHECK(verifier.verify("POST", url, std::string(10, 'a'), "").is_unsigned());
    CHECK(verifier.verify("POST", url, std::string(11, 'a'), "").error() == kw::errc::body_too_large);
}

TEST_CASE("the default maximum body size is 1 MiB") {
    CHECK(kw::options{}.max_body_size == kw::default_max_body_size);
    CHECK(kw::default_max_body_size == std::size_t{1} << 20);
    const kw::verifier verifier(secret);
    const std::string exact(kw::default_max_body_size, 'x');
    const std::string over(kw::default_max_body_size + 1, 'x');
    CHECK(verifier.verify("POST", url, exact, kw::sign(secret, "POST", url, exact)).verified());
    CHECK(verifier.verify("POST", url, over, kw::sign(secret, "POST", url, over)).error() == kw::errc::body_too_large);
}

TEST_CASE("a stream reports body_too_large as soon as the body passes the maximum") {
    const kw::verifier verifier(secret, max_body(10));
    auto s = verifier.start("POST", url);
    s.update("0123456789");
    CHECK(s.error() == std::error_code());
    CHECK(s.body_size() == 10);
    s.update("a");
    CHECK(s.error() == kw::errc::body_too_large);
    s.update("");
    CHECK(s.error() == kw::errc::body_too_large);
    CHECK(s.finish(kw::sign(secret, "POST", url, "0123456789a")).error() == kw::errc::body_too_large);
}

// ---- request checks ---------------------------------------------------------------------------------

TEST_CASE("an empty method or one that is not an HTTP token is invalid_method") {
    const kw::verifier verifier(secret);
    const std::string method = GENERATE(as<std::string>{}, "", "PO ST", "POST ", " POST", "PO\tST", "POST\r\n",
                                        std::string("PO\0ST", 5), "P(ST", "PÖST");
    CAPTURE(method);
    // A signature over exactly these bytes: only the method check can refuse it.
    const std::string signature = kw::sign(secret, method, url, body);
    const auto r = verifier.verify(method, url, body, signature);
    CHECK_FALSE(r);
    CHECK(r.error() == kw::errc::invalid_method);
    CHECK_FALSE(r.verified());
    auto s = verifier.start(method, url);
    CHECK(s.error() == kw::errc::invalid_method);  // known before the body
    s.update(body);
    CHECK(s.finish(signature).error() == kw::errc::invalid_method);
}

TEST_CASE("any HTTP token is a method the verifier accepts") {
    const kw::verifier verifier(secret);
    const std::string method =
        GENERATE(as<std::string>{}, "POST", "GET", "PATCH", "M-SEARCH", "X_CUSTOM!#$%&'*+.^`|~1");
    CAPTURE(method);
    CHECK(verifier.verify(method, url, body, kw::sign(secret, method, url, body)).verified());
}

TEST_CASE("a registered URL that is empty or not absolute http(s) once cut is invalid_url") {
    const kw::verifier verifier(secret);
    const std::string bad =
        GENERATE(as<std::string>{}, "", "/path", "/kore/callback?x=1", "https://", "http://", "?x", "#frag",
                 "https://?x=1", "https://#f", "ftp://x.com/cb", "x.com/cb", "https:/x.com", " https://x.com");
    CAPTURE(bad);
    const std::string signature = kw::sign(secret, "POST", bad, body);
    const auto r = verifier.verify("POST", bad, body, signature);
    CHECK_FALSE(r);
    CHECK(r.error() == kw::errc::invalid_url);
    CHECK_FALSE(r.verified());
    auto s = verifier.start("POST", bad);
    CHECK(s.error() == kw::errc::invalid_url);
    s.update(body);
    CHECK(s.finish(signature).error() == kw::errc::invalid_url);
}

TEST_CASE("http and https URLs of any case are registered URLs") {
    const kw::verifier verifier(secret);
    const std::string good = GENERATE(as<std::string>{}, "https://x", "http://x", "HTTPS://X.COM", "HtTp://x.com/a?b");
    CAPTURE(good);
    CHECK(verifier.verify("POST", good, body, kw::sign(secret, "POST", good, body)).verified());
}

// ---- streams -----------------------------------------------------------------------------------------

TEST_CASE("finishing a stream twice is stream_finished") {
    const kw::verifier verifier(secret);
    const std::string signature = kw::sign(secret, "POST", url, body);
    auto s = verifier.start("POST", url);
    s.update(body);
    CHECK(s.finish(signature).verified());
    const auto again = s.finish(signature);
    CHECK_FALSE(again);
    CHECK(again.error() == kw::errc::stream_finished);
    CHECK_FALSE(again.verified());
    CHECK(s.finish(std::nullopt).error() == kw::errc::stream_finished);
}

TEST_CASE("a stream that failed is also finished only once") {
    const kw::verifier verifier(secret);
    auto s = verifier.start("", url);
    CHECK(s.finish("").error() == kw::errc::invalid_method);
    CHECK(s.finish("").error() == kw::errc::stream_finished);
}

// ---- 3.8: nothing tells the secret -----------------------------------------------------------------

TEST_CASE("no error message contains the secret or a digest") {
    const std::string signature = kw::sign(secret, "POST", url, body);
    for (const auto& [e, name] : all_errors()) {
        CAPTURE(name);
        const std::string message = kw::make_error_code(e).message();
        CHECK(message.find(secret) == std::string::npos);
        CHECK(message.find(signature) == std::string::npos);
    }
}

// ---- results only verifiers can make --------------------------------------------------------------

TEST_CASE("a refusal built from an empty error code is still a refusal") {
    const auto r = kw::result::refused(std::error_code());
    CHECK_FALSE(static_cast<bool>(r));
    CHECK_FALSE(r.verified());
    CHECK_FALSE(r.is_unsigned());
    CHECK(r.error() == kw::errc::signature_mismatch);
    CHECK(r.replay_key().empty());
}

TEST_CASE("a result's message names the kore-signature header for header refusals") {
    const kw::verifier verifier(secret);
    const auto r = verifier.verify("POST", url, body, std::nullopt);
    CHECK(r.message() == r.error().message());
    CHECK(r.message().find("kore-signature") != std::string::npos);
    CHECK(verifier.verify("POST", url, body, kw::sign(secret, "POST", url, body)).message().empty());
}
