// The legacy X-Twilio-Signature scheme (docs/protocol.md, section 4) against its published vectors
// and its rules.
#include <kore/webhook/twilio.hpp>
#include <nlohmann/json.hpp>
#include <support/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace kw = kore::webhook;
namespace tw = kore::webhook::twilio;

nlohmann::json load_vectors() {
    const char* dir = std::getenv("KORE_WEBHOOK_VECTORS_DIR");
    REQUIRE(dir != nullptr);
    std::ifstream file(std::string(dir) + "/twilio-signature.json");
    REQUIRE(file.good());
    return nlohmann::json::parse(file);
}

std::vector<tw::parameter> params_of(const nlohmann::json& vector) {
    std::vector<tw::parameter> params;
    for (const auto& p : vector["params"]) {
        params.push_back({p[0].get<std::string>(), p[1].get<std::string>()});
    }
    return params;
}

std::string form_of(const std::vector<tw::parameter>& params) {
    std::string body;
    for (const auto& p : params) {
        body += (body.empty() ? "" : "&") + p.name + "=";
        for (const char c : p.value) {
            body += c == '+' ? std::string("%2B") : std::string(1, c);
        }
    }
    return body;
}

const std::string t1_url = "https://mycompany.com/myapp.php?foo=1&bar=2";

}  // namespace

TEST_CASE("every published Twilio vector verifies and form vectors are reproduced by sign") {
    const auto vectors = load_vectors();
    REQUIRE(vectors["vectors"].size() >= 7);
    for (const auto& v : vectors["vectors"]) {
        const std::string id = v["id"];
        const std::string signature = v["signature"];
        const tw::verifier verifier{v["token"].get<std::string>()};
        INFO("vector " << id);
        if (v.contains("body")) {
            const auto r = verifier.verify_json(v["url"].get<std::string>(), v["body"].get<std::string>(),
                                                std::string_view(signature));
            CHECK(r.verified());
        } else {
            const auto params = params_of(v);
            CHECK(verifier.verify(v["url"].get<std::string>(), params, std::string_view(signature)).verified());
            CHECK(verifier.verify_form(v["url"].get<std::string>(), form_of(params), std::string_view(signature))
                      .verified());
            CHECK(tw::sign(v["token"].get<std::string>(), v["url"].get<std::string>(), params) == signature);
        }
    }
}

TEST_CASE("a signature over the URL with the default port verifies against the URL without it, and back") {
    const auto vectors = load_vectors();
    const tw::verifier verifier{"12345"};
    for (const auto& v : vectors["vectors"]) {
        const std::string id = v["id"];
        const std::string signature = v["signature"];
        if (id == "T3") {
            CHECK(verifier.verify(t1_url, params_of(v), std::string_view(signature)).verified());
        }
        if (id == "T4") {
            CHECK(
                verifier.verify("http://mycompany.com/myapp.php?foo=1&bar=2", params_of(v), std::string_view(signature))
                    .verified());
        }
        if (id == "T2") {  // and a portless signature against a URL given with :443
            CHECK(verifier
                      .verify("https://mycompany.com:443/myapp.php?foo=1&bar=2", params_of(v),
                              std::string_view(signature))
                      .verified());
        }
    }
}

TEST_CASE("a non-default port is part of what Twilio signs") {
    const std::vector<tw::parameter> params = {{"a", "1"}};
    const std::string signature = tw::sign("12345", "http://mycompany.com:1234/x", params);
    const tw::verifier verifier{"12345"};
    CHECK(verifier.verify("http://mycompany.com:1234/x", params, std::string_view(signature)).verified());
    CHECK(verifier.verify("http://mycompany.com:4321/x", params, std::string_view(signature)).error() ==
          kw::errc::signature_mismatch);
}

TEST_CASE("Twilio parameters are sorted by name, then by value, whatever order they arrive in") {
    const std::vector<tw::parameter> sorted = {{"A", "1"}, {"B", "1"}, {"B", "2"}};
    const std::vector<tw::parameter> shuffled = {{"B", "2"}, {"A", "1"}, {"B", "1"}};
    const std::string signature = tw::sign("12345", t1_url, sorted);
    CHECK(tw::sign("12345", t1_url, shuffled) == signature);
    const tw::verifier verifier{"12345"};
    CHECK(verifier.verify(t1_url, shuffled, std::string_view(signature)).verified());
    CHECK(verifier.verify_form(t1_url, "B=2&A=1&B=1", std::string_view(signature)).verified());
}

TEST_CASE("a changed Twilio parameter, URL or token is a mismatch") {
    const std::vector<tw::parameter> params = {{"To", "+18005551212"}, {"Body", "hello world"}};
    const std::string signature = tw::sign("12345", t1_url, params);
    const tw::verifier verifier{"12345"};
    REQUIRE(verifier.verify_form(t1_url, "To=%2B18005551212&Body=hello+world", std::string_view(signature)));
    CHECK(verifier.verify_form(t1_url, "To=%2B18005551212&Body=hello+moon", std::string_view(signature)).error() ==
          kw::errc::signature_mismatch);
    CHECK(verifier.verify_form(t1_url + "&x=1", "To=%2B18005551212&Body=hello+world", std::string_view(signature))
              .error() == kw::errc::signature_mismatch);
    const tw::verifier other{"54321"};
    CHECK(other.verify(t1_url, params, std::string_view(signature)).error() == kw::errc::signature_mismatch);
}

TEST_CASE("the Twilio header is strict base64 of 20 bytes") {
    const tw::verifier verifier{"12345"};
    const std::vector<tw::parameter> none;
    CHECK(verifier.verify(t1_url, none, std::nullopt).error() == kw::errc::missing_signature);
    CHECK(verifier.verify(t1_url, none, std::string_view("")).error() == kw::errc::unsigned_request);
    for (const std::string_view bad :
         {"GvWf1cFY/Q7PnoempGyD5oXAezc", "GvWf1cFY/Q7PnoempGyD5oXAez==", "GvWf1cFY/Q7PnoempGyD5oXAezd=",
          "GvWf1cFY-Q7PnoempGyD5oXAezc=", "GvWf1cFY/Q7PnoempGyD5oXAezc=="}) {
        INFO(bad);
        CHECK(verifier.verify(t1_url, none, bad).error() == kw::errc::malformed_signature);
    }
    CHECK(verifier.verify(t1_url, none, std::string_view(" GvWf1cFY/Q7PnoempGyD5oXAezc= ")).error() ==
          kw::errc::signature_mismatch);  // trimmed, well-formed, but signed over parameters
}

TEST_CASE("allow_unsigned never accepts an empty Twilio header") {
    kw::options opts;
    opts.allow_unsigned = true;
    const tw::verifier verifier{"12345", opts};
    CHECK(verifier.verify(t1_url, {}, std::string_view("")).error() == kw::errc::unsigned_request);
}

TEST_CASE("a Twilio JSON body must match the bodySHA256 the URL carries") {
    const std::string body = R"({"property": "value", "boolean": true})";
    const std::string url = t1_url + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
    const std::string signature = tw::sign("12345", url, {});
    const tw::verifier verifier{"12345"};
    CHECK(verifier.verify_json(url, body, std::string_view(signature)).verified());
    CHECK(verifier.verify_json(url, body + " ", std::string_view(signature)).error() == kw::errc::body_hash_mismatch);
    const std::string unhashed = tw::sign("12345", t1_url, {});
    CHECK(verifier.verify_json(t1_url, body, std::string_view(unhashed)).error() == kw::errc::body_hash_mismatch);
}

TEST_CASE("a form body with a broken percent escape is malformed, not a mismatch") {
    const tw::verifier verifier{"12345"};
    const std::string signature = tw::sign("12345", t1_url, {});
    for (const std::string_view body : {"a=%", "a=%4", "a=%zz", "%G0=1"}) {
        INFO(body);
        CHECK(verifier.verify_form(t1_url, body, std::string_view(signature)).error() == kw::errc::malformed_body);
    }
}

TEST_CASE("Twilio bodies over the limit are refused before parsing") {
    kw::options opts;
    opts.max_body_size = 8;
    const tw::verifier verifier{"12345", opts};
    CHECK(verifier.verify_form(t1_url, "a=123456789", std::nullopt).error() == kw::errc::body_too_large);
    CHECK(verifier.verify_json(t1_url, "[1,2,3,4,5]", std::nullopt).error() == kw::errc::body_too_large);
}

TEST_CASE("with two Twilio tokens either verifies and secret_index tells which") {
    const std::vector<tw::parameter> params = {{"a", "1"}};
    const tw::verifier verifier{std::vector<std::string>{"old-token", "new-token"}};
    const auto by_old = verifier.verify(t1_url, params, std::string_view(tw::sign("old-token", t1_url, params)));
    const auto by_new = verifier.verify(t1_url, params, std::string_view(tw::sign("new-token", t1_url, params)));
    REQUIRE(by_old.verified());
    REQUIRE(by_new.verified());
    CHECK(by_old.secret_index() == 0);
    CHECK(by_new.secret_index() == 1);
    CHECK(by_new.replay_key() == tw::sign("new-token", t1_url, params));
}

TEST_CASE("an empty Twilio token or list is refused at construction") {
    CHECK_THROWS_AS(tw::verifier{std::string_view()}, std::invalid_argument);
    CHECK_THROWS_AS(tw::verifier{std::vector<std::string>{}}, std::invalid_argument);
    CHECK_THROWS_AS(tw::sign("", t1_url, {}), std::invalid_argument);
}

TEST_CASE("Twilio refusals speak of X-Twilio-Signature, not of kore-signature") {
    const tw::verifier verifier{"12345"};
    for (const auto& header : {std::optional<std::string_view>(), std::optional<std::string_view>(""),
                               std::optional<std::string_view>("not base64"),
                               std::optional<std::string_view>("GvWf1cFY/Q7PnoempGyD5oXAezc=")}) {
        const auto r = verifier.verify(t1_url, {}, header);
        INFO(r.error_name());
        REQUIRE_FALSE(r);
        CHECK(r.message().find("X-Twilio-Signature") != std::string::npos);
        CHECK(r.message().find("kore-signature") == std::string::npos);
    }
}

TEST_CASE("the Twilio umbrella is separate from the KORE one") {
    // twilio.hpp brings the legacy verifier, signer and result; the KORE verifier is not needed.
    CHECK(std::string_view(tw::signature_header_name) == "X-Twilio-Signature");
    CHECK(tw::sign("12345", t1_url, {}).size() == 28);
}
