// cli.verify: `kore-webhook verify` gives the library's verdict for captured requests (request
// file, CRLF or LF, Content-Length or chunked) and for the --method/--signature form; exit status
// 0 verified, 1 refused (error name and message), 2 usage or I/O error.

#include "cli_common.hpp"

#include <kore_cli/forge.hpp>

using namespace kore_cli_test;
namespace kw = kore::webhook;

namespace {

const std::string k1_secret = "secret12345";
const std::string k1_url = "https://testendpoint.com";
const std::string k1_body = "field1=value1&field2=value2";
const std::string k1_sig = "4fdba0cb1394cc8d17b8dabb04634aa9a951021a7b161f9c7a2186cd490b18b2";

std::string request(const std::string& method, const std::string& target, const std::vector<std::string>& headers,
                    const std::string& body, bool content_length = true) {
    std::string r = method + " " + target + " HTTP/1.1\r\nHost: testendpoint.com\r\n";
    for (const auto& h : headers) {
        r += h + "\r\n";
    }
    if (content_length) {
        r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    return r + "\r\n" + body;
}

run_result verify_file(const std::string& raw, const std::vector<std::string>& extra = {},
                       const std::string& url = k1_url) {
    static int n = 0;
    const std::string path = scratch().file("req" + std::to_string(++n) + ".http", raw);
    std::vector<std::string> args{
        "verify", "--secret-file", scratch().file("k1secret", k1_secret + "\n"), "--url", url, "--request-file", path};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
}

std::string line_one(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

}  // namespace

TEST_CASE("a captured request that verifies: exit 0 and 'verified'") {
    const std::string raw = request("POST", "/", {"kore-signature: " + k1_sig}, k1_body);
    const auto r = verify_file(raw);
    CHECK(r.status == 0);
    CHECK(r.out == "verified\n");

    std::string lf;
    for (const char c : raw) {
        if (c != '\r') {
            lf.push_back(c);
        }
    }
    CHECK(verify_file(lf).out == "verified\n");

    const std::string chunked = "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nKORE-SIGNATURE: " + k1_sig +
                                "\n\n7\nfield1=\n14\nvalue1&field2=value2\n0\n\n";
    const auto c = verify_file(chunked);
    CHECK(c.status == 0);
    CHECK(c.out == "verified\n");

    const auto stdin_form =
        run({"verify", "--secret-env", "S", "--url", k1_url, "--request-file", "-"}, raw, {"S=" + k1_secret});
    CHECK(stdin_form.status == 0);
}

TEST_CASE("refusals exit 1 with the error name and its message") {
    const struct {
        std::string name;
        std::string raw;
        kw::errc expected;
    } cases[] = {
        {"body changed", request("POST", "/", {"kore-signature: " + k1_sig}, k1_body + "&x=1"),
         kw::errc::signature_mismatch},
        {"no header", request("POST", "/", {}, k1_body), kw::errc::missing_signature},
        {"empty header", request("POST", "/", {"kore-signature:"}, k1_body), kw::errc::unsigned_request},
        {"not hex", request("POST", "/", {"kore-signature: sha256=" + k1_sig}, k1_body), kw::errc::malformed_signature},
        {"two headers", request("POST", "/", {"kore-signature: " + k1_sig, "Kore-Signature: " + k1_sig}, k1_body),
         kw::errc::duplicate_signature},
        {"GET with a query", request("GET", "/?SimSid=HS123", {"kore-signature: " + k1_sig}, "", false),
         kw::errc::query_not_signed},
        // A trailer field is not a header: a signature there is none.
        {"signature only in a chunked trailer",
         "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1b\r\n" + k1_body +
             "\r\n0\r\nkore-signature: " + k1_sig + "\r\n\r\n",
         kw::errc::missing_signature},
        // One in the headers and one in a trailer is no duplicate; the header's is judged.
        {"a wrong header signature, the genuine one in a trailer",
         "POST / HTTP/1.1\r\nHost: h\r\nkore-signature: " + std::string(64, '0') +
             "\r\nTransfer-Encoding: chunked\r\n\r\n1b\r\n" + k1_body + "\r\n0\r\nkore-signature: " + k1_sig +
             "\r\n\r\n",
         kw::errc::signature_mismatch},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const auto r = verify_file(c.raw);
        CHECK(r.status == 1);
        const std::error_code ec = c.expected;
        CHECK(line_one(r.out) == std::string(kw::error_name(ec)) + ": " + ec.message());
    }
}

TEST_CASE("a length-extension forgery is refused as such") {
    const auto forged = kore_cli::forge::extend(k1_sig, k1_secret.size(), "POST", k1_url, k1_body, "&admin=true");
    const auto r = verify_file(request("POST", "/", {"kore-signature: " + forged.signature}, forged.body));
    CHECK(r.status == 1);
    CHECK(line_one(r.out).rfind("length_extension: ", 0) == 0);
}

TEST_CASE("options: body limit, GET queries, several secrets") {
    const std::string raw = request("POST", "/", {"kore-signature: " + k1_sig}, k1_body);
    const auto small = verify_file(raw, {"--max-body-size", "10"});
    CHECK(small.status == 1);
    CHECK(line_one(small.out).rfind("body_too_large: ", 0) == 0);

    const std::string get_sig = kw::sign(k1_secret, "GET", k1_url, "");
    const std::string get = request("GET", "/?SimSid=HS1", {"kore-signature: " + get_sig}, "", false);
    CHECK(verify_file(get).status == 1);
    CHECK(verify_file(get, {"--allow-get-query"}).out == "verified\n");

    const std::string old_secret = scratch().file("old", "old-secret\n");
    const auto rotated = verify_file(raw, {"--secret-file", old_secret});
    CHECK(rotated.status == 0);
    CHECK(contains(rotated.err, "made with the secret from --secret-file"));
    CHECK(contains(rotated.err, "k1secret"));
    CHECK_FALSE(contains(rotated.all(), k1_secret));
}

TEST_CASE("the --method/--signature form gives the same verdicts") {
    const std::string body = scratch().file("vbody", k1_body);
    const std::string secret = scratch().file("vsecret", k1_secret);
    const auto ok = run({"verify", "--secret-file", secret, "--url", k1_url, "--method", "POST", "--body-file", body,
                         "--signature", k1_sig});
    CHECK(ok.status == 0);
    CHECK(ok.out == "verified\n");
    const auto none = run({"verify", "--secret-file", secret, "--url", k1_url, "--method", "POST", "--body-file", body,
                           "--no-signature"});
    CHECK(none.status == 1);
    CHECK(line_one(none.out).rfind("missing_signature: ", 0) == 0);
    const auto empty = run({"verify", "--secret-file", secret, "--url", k1_url, "--method", "POST", "--body-file", body,
                            "--signature", ""});
    CHECK(empty.status == 1);
    CHECK(line_one(empty.out).rfind("unsigned_request: ", 0) == 0);
}

TEST_CASE("verify agrees with kore::webhook::verifier on every published vector") {
    for (const std::string group : {"vectors", "must_not_verify"}) {
        for (const auto& v : kore_vectors(group)) {
            INFO(v.id);
            const kw::verifier lib(v.secret);
            const auto expected = lib.verify(v.method, v.registered_url, v.body, v.signature);
            const auto r = run({"verify", "--secret-env", "S", "--url", v.registered_url, "--method", v.method,
                                "--body-file", "-", "--signature", v.signature},
                               v.body, {"S=" + v.secret});
            CHECK(r.status == (expected ? 0 : 1));
            CHECK(line_one(r.out) == (expected
                                          ? std::string("verified")
                                          : std::string(expected.error_name()) + ": " + expected.error().message()));
            CHECK(group == (expected ? "vectors" : "must_not_verify"));
        }
    }
}

TEST_CASE("verify: usage and I/O errors exit 2") {
    const std::string secret = scratch().file("v2secret", "v2-secret-value");
    const std::string good = scratch().file("good.http", request("POST", "/", {"kore-signature: " + k1_sig}, k1_body));
    const std::string whole = request("POST", "/", {"kore-signature: " + k1_sig}, k1_body);
    const std::string cut = scratch().file("cut.http", whole.substr(0, whole.size() - 5));
    const usage_case cases[] = {
        {{"verify", "--secret-file", secret, "--request-file", good}, "verify needs --url"},
        {{"verify", "--url", k1_url, "--request-file", good}, "verify needs a secret"},
        {{"verify", "--secret-file", secret, "--url", k1_url}, "verify needs --request-file"},
        {{"verify", "--secret-file", secret, "--url", k1_url, "--method", "POST"}, "exactly one of --signature"},
        {{"verify", "--secret-file", secret, "--url", k1_url, "--method", "POST", "--signature", "a", "--no-signature"},
         "exactly one of --signature"},
        {{"verify", "--secret-file", secret, "--url", k1_url, "--request-file", good, "--method", "POST"},
         "cannot be combined with --request-file"},
        {{"verify", "--secret-file", secret, "--url", k1_url, "--request-file", cut}, "cannot parse the request"},
        {{"verify", "--secret-file", secret, "--url", k1_url, "--request-file", "/nonexistent.http"}, "cannot open"},
        {{"verify", "--secret-file", secret, "--url", "testendpoint.com", "--request-file", good}, "--url must be"},
        {{"verify", "--secret-file", secret, "--secret-file", secret, "--secret-file", secret, "--secret-file", secret,
          "--secret-file", secret, "--url", k1_url, "--request-file", good},
         "at most 4 secrets"},
        {{"verify", "--secret-file", secret, "--url", k1_url, "--request-file", good, "--max-body-size", "x"},
         "--max-body-size needs a number"},
    };
    check_usage_errors(cases, "v2-secret-value");
    const auto truncated = run({"verify", "--secret-file", secret, "--url", k1_url, "--request-file", cut});
    CHECK(contains(truncated.err, "shorter than Content-Length"));
}
