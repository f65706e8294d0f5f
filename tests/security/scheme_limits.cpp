// Issue #10, item 4: what the signature schemes themselves allow, pinned so that SECURITY.md
// ("What the schemes allow") stays true. None of these is a bug the library can fix without
// refusing genuine callbacks; each is a property of the signed string that a receiver must know.
#include <kore/webhook.hpp>
#include <kore/webhook/twilio.hpp>
#include <support/catch.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace kw = kore::webhook;
namespace tw = kore::webhook::twilio;

const std::string token = "twilio-auth-token";

}  // namespace

TEST_CASE("Twilio: parameters have no separators, so a value can swallow the next parameter") {
    // Signed: URL || "Body" "hello" || "To" " 1800" ('+' is a space), the same bytes as
    // URL || "Body" "helloTo 1800".
    const std::string url = "https://x.example/sms?x=1";
    const tw::verifier verifier{token};
    const std::string signature = tw::sign(token, url, {{"Body", "hello"}, {"To", " 1800"}});
    CHECK(verifier.verify_form(url, "Body=hello&To=+1800", std::string_view(signature)).verified());
    CHECK(verifier.verify_form(url, "Body=helloTo+1800", std::string_view(signature)).verified());
}

TEST_CASE("Twilio: the URL has no separator either, so the first parameter can move to the URL's end") {
    const std::string url = "https://x.example/sms?x=1";
    const tw::verifier verifier{token};
    const std::string signature = tw::sign(token, url, {{"Body", "hello"}, {"To", " 1800"}});
    // "Bodyhello" becomes the tail of the query's last value ...
    CHECK(verifier.verify_form(url + "Bodyhello", "To=+1800", std::string_view(signature)).verified());
    // ... but not a query parameter of its own: '&' and '=' are signed bytes too.
    CHECK(verifier.verify_form(url + "&Body=hello", "To=+1800", std::string_view(signature)).error() ==
          kw::errc::signature_mismatch);
}

TEST_CASE("Twilio: a JSON callback's signature covers the URL only, so it also verifies an empty form POST") {
    const std::string body = R"({"CallSid":"CA123","CallStatus":"completed"})";
    const std::string url = "https://x.example/status?bodySHA256=" +
                            std::string("a6e7ef91df8ad3d6d1f3e4fd9b7c5dc1e55dba3f5a4cfa0cd6cd0d4cd4a8a6f0");
    const tw::verifier verifier{token};
    const std::string signature = tw::sign(token, url, {});
    // verify_json also checks bodySHA256 against the body; this URL's value is not this body's.
    CHECK(verifier.verify_json(url, body, std::string_view(signature)).error() == kw::errc::body_hash_mismatch);
    // The form path never looks at bodySHA256: an empty form is the URL alone.
    CHECK(verifier.verify_form(url, "", std::string_view(signature)).verified());
    CHECK(verifier.verify(url, {}, std::string_view(signature)).verified());
}

TEST_CASE("KORE: the registered URL and the body have no separator, so one URL must not prefix another") {
    // A callback to .../kore2 with body B is signed over "POST" ".../kore2" B, which is also
    // "POST" ".../kore" ("2" B): the receiver registered at .../kore verifies body "2" + B.
    const std::string secret = "account-secret";
    const std::string body = R"({"event":"sim.activated"})";
    const std::string signature = kw::sign(secret, "POST", "https://x.example/kore2", body);
    const kw::verifier verifier{secret};
    CHECK(verifier.verify("POST", "https://x.example/kore", "2" + body, signature).verified());
    // A valid JSON body cannot start with the leftover path here, so a strict JSON parser
    // refuses it; the fallback never makes it verify (it is not one JSON text).
    CHECK(verifier.verify("POST", "https://x.example/kore", "2 " + body, signature).error() ==
          kw::errc::signature_mismatch);
}

TEST_CASE("KORE: the JSON whitespace fallback stops at 512 levels of nesting") {
    const std::string secret = "account-secret";
    const std::string url = "https://x.example/kore";
    const kw::verifier verifier{secret};
    for (const auto& [depth, verifies] : {std::pair<std::size_t, bool>{512, true}, {513, false}}) {
        const std::string minified = std::string(depth, '[') + std::string(depth, ']');
        const std::string spaced = std::string(depth, '[') + " " + std::string(depth, ']');
        const kw::result r = verifier.verify("POST", url, spaced, kw::sign(secret, "POST", url, minified));
        INFO(depth);
        CHECK(r.verified() == verifies);
        CHECK(r.json_normalized() == verifies);
        if (!verifies) {
            CHECK(r.error() == kw::errc::signature_mismatch);
        }
        CHECK(verifier.verify("POST", url, minified, kw::sign(secret, "POST", url, minified)).verified());
    }
}

TEST_CASE("a moved-from Twilio verifier reports moved_from, not an OpenSSL failure") {
    const std::string url = "https://x.example/sms";
    const std::vector<tw::parameter> params = {{"Body", "hello"}};
    const std::string signature = tw::sign(token, url, params);
    tw::verifier original{token};
    const tw::verifier moved(std::move(original));
    // NOLINTNEXTLINE(bugprone-use-after-move): using the moved-from object is the point
    const tw::verifier& left = original;
    CHECK(left.token_count() == 0);
    CHECK(left.verify(url, params, std::string_view(signature)).error() == kw::errc::moved_from);
    CHECK(left.verify_form(url, "Body=hello", std::string_view(signature)).error() == kw::errc::moved_from);
    CHECK(left.verify_json(url + "?bodySHA256=00", "{}", std::string_view(signature)).error() == kw::errc::moved_from);
    CHECK(left.verify(url, params, std::string_view(signature)).message().find("moved from") != std::string::npos);
    CHECK(moved.verify(url, params, std::string_view(signature)).verified());

    tw::verifier target{"another-token"};
    target = tw::verifier{token};
    CHECK(target.verify(url, params, std::string_view(signature)).verified());
}

TEST_CASE("a move-assigned-from KORE verifier reports moved_from with its own message") {
    const std::string url = "https://x.example/kore";
    const std::string signature = kw::sign("secret", "POST", url, "a=1");
    kw::verifier original{"secret"};
    kw::verifier target{"other"};
    target = std::move(original);
    // NOLINTNEXTLINE(bugprone-use-after-move): using the moved-from object is the point
    const kw::verifier& left = original;
    const kw::result r = left.verify("POST", url, "a=1", signature);
    CHECK(r.error() == kw::errc::moved_from);
    CHECK(r.message().find("OpenSSL") == std::string::npos);
    CHECK(r.message().find("moved from") != std::string::npos);
    CHECK(target.verify("POST", url, "a=1", signature).verified());
}
