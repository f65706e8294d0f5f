// cli.explain: `verify --explain` finds each usual cause of a refused callback, reports only the
// causes that match, never changes the verdict or exit status, and never prints a secret or the
// expected signature.

#include "cli_common.hpp"

#include <sstream>

using namespace kore_cli_test;
namespace kw = kore::webhook;

namespace {

const std::string secret = "explain-secret-Q7x";
const std::string url = "https://hooks.example.com/kore/callback";
const std::string form = "SimSid=HS0123&SimStatus=active&Note=hello+world";

// SHA-256(secret || method || url || body) with the URL used exactly as given (kw::sign cuts
// it at '?', which is the point of the query test): an empty URL argument and the URL put in
// front of the body give the same bytes.
std::string sign_exact(const std::string& key, const std::string& method, const std::string& exact_url,
                       const std::string& body) {
    return kw::sign(key, method, "", exact_url + body);
}

struct outcome {
    run_result with;
    run_result without;
};

outcome explain(const std::string& method, const std::string& verify_url, const std::string& body,
                const std::string& signature, const std::vector<std::string>& extra = {},
                const std::string& secret_file_content = secret + "\n") {
    static int n = 0;
    ++n;
    const std::string secret_file = scratch().file("xs" + std::to_string(n), secret_file_content);
    const std::string body_file = scratch().file("xb" + std::to_string(n), body);
    std::vector<std::string> args{"verify", "--secret-file", secret_file, "--url",       verify_url, "--method",
                                  method,   "--body-file",   body_file,   "--signature", signature};
    args.insert(args.end(), extra.begin(), extra.end());
    outcome o;
    o.without = run(args);
    args.push_back("--explain");
    o.with = run(args);
    return o;
}

// The output with line breaks inside the wrapped sentences undone.
std::string unwrapped(const std::string& out) {
    std::string flat;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] == '\n' && out.compare(i + 1, 6, "      ") == 0) {
            flat += ' ';
            i += 6;
        } else {
            flat += out[i];
        }
    }
    return flat;
}

// The cause lines that say MATCH.
std::vector<std::string> matched(const std::string& out) {
    std::vector<std::string> titles;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() > 6 && line.compare(line.size() - 6, 6, " MATCH") == 0) {
            titles.push_back(line.substr(2, line.find(" .") - 2));
        }
    }
    return titles;
}

void check_found(const outcome& o, const std::string& title, const std::string& words,
                 const std::string& expected_signature) {
    INFO(o.with.out);
    CHECK(o.with.status == 1);
    CHECK(o.without.status == 1);
    CHECK(o.with.out.rfind("signature_mismatch: ", 0) == 0);
    CHECK(o.with.out.substr(0, o.without.out.size()) == o.without.out);  // same verdict line first
    CHECK(matched(o.with.out) == std::vector<std::string>{title});
    CHECK(contains(unwrapped(o.with.out), words));
    CHECK_FALSE(contains(o.with.all(), secret));
    CHECK_FALSE(contains(o.with.all(), expected_signature));
    CHECK(matched(o.without.out).empty());
}

const std::string expected_sig = kw::sign(secret, "POST", url, form);

}  // namespace

TEST_CASE("explain: query string or fragment not removed") {
    const std::string with_query = url + "?source=kore";
    check_found(explain("POST", with_query, form, sign_exact(secret, "POST", with_query, form)),
                "query string or fragment not removed", "query or fragment included", expected_sig);
    const std::string with_fragment = url + "#x";
    check_found(explain("POST", with_fragment, form, sign_exact(secret, "POST", with_fragment, form)),
                "query string or fragment not removed", url + "#x", expected_sig);
}

TEST_CASE("explain: trailing slash added or missing") {
    check_found(explain("POST", url, form, kw::sign(secret, "POST", url + "/", form)),
                "trailing slash added or missing", "(with a trailing slash)", expected_sig);
    check_found(explain("POST", url + "/", form, kw::sign(secret, "POST", url, form)),
                "trailing slash added or missing", "(no trailing slash)", kw::sign(secret, "POST", url + "/", form));
}

TEST_CASE("explain: http and https swapped") {
    const std::string http_url = "http://hooks.example.com/kore/callback";
    check_found(explain("POST", http_url, form, kw::sign(secret, "POST", url, form)), "http and https swapped",
                "The URL was registered with https", kw::sign(secret, "POST", http_url, form));
}

TEST_CASE("explain: default port added or dropped") {
    const std::string with_port = "https://hooks.example.com:443/kore/callback";
    check_found(explain("POST", url, form, kw::sign(secret, "POST", with_port, form)), "default port added or dropped",
                "(port :443 written out)", expected_sig);
    check_found(explain("POST", with_port, form, kw::sign(secret, "POST", url, form)), "default port added or dropped",
                "(without :443)", kw::sign(secret, "POST", with_port, form));
}

TEST_CASE("explain: host name case") {
    const std::string mixed = "https://Hooks.Example.com/kore/callback";
    check_found(explain("POST", mixed, form, kw::sign(secret, "POST", url, form)), "host name case",
                "letter case included", kw::sign(secret, "POST", mixed, form));
}

TEST_CASE("explain: URL rebuilt from the request") {
    const std::string internal = "http://internal-lb:8080/kore/callback";
    const std::string sig = kw::sign(secret, "POST", internal, form);
    const std::string raw = "POST /kore/callback HTTP/1.1\r\nHost: internal-lb:8080\r\nkore-signature: " + sig +
                            "\r\nContent-Length: " + std::to_string(form.size()) + "\r\n\r\n" + form;
    const std::string file = scratch().file("rebuilt.http", raw);
    const std::string key = scratch().file("rebuilt.key", secret);
    outcome o;
    o.without = run({"verify", "--secret-file", key, "--url", url, "--request-file", file});
    o.with = run({"verify", "--secret-file", key, "--url", url, "--request-file", file, "--explain"});
    check_found(o, "URL rebuilt from the request instead of the registered one", internal, expected_sig);
}

TEST_CASE("explain: body with a trailing newline") {
    check_found(explain("POST", url, form + "\n", expected_sig), "body with a trailing newline",
                "without its final newline", kw::sign(secret, "POST", url, form + "\n"));
    check_found(explain("POST", url, form, kw::sign(secret, "POST", url, form + "\r\n")),
                "body with a trailing newline", "followed by CRLF", expected_sig);
}

TEST_CASE("explain: re-serialised JSON and re-encoded forms") {
    const std::string minified = R"({"EsimProfileSid":"HP01","Status":"installed","Url":"https://x/y"})";
    const std::string spaced = R"({"EsimProfileSid": "HP01", "Status": "installed", "Url": "https://x/y"})";
    check_found(explain("POST", url, minified, kw::sign(secret, "POST", url, spaced)),
                "body re-serialised (JSON re-spaced or re-escaped, form re-encoded)",
                "written with ', ' and ': ' separators", kw::sign(secret, "POST", url, minified));
    const std::string php = R"({"EsimProfileSid":"HP01","Status":"installed","Url":"https:\/\/x\/y"})";
    check_found(explain("POST", url, minified, kw::sign(secret, "POST", url, php)),
                "body re-serialised (JSON re-spaced or re-escaped, form re-encoded)", "'/' escaped as '\\/'",
                kw::sign(secret, "POST", url, minified));
    const std::string percent = "SimSid=HS0123&SimStatus=active&Note=hello%20world";
    check_found(explain("POST", url, form, kw::sign(secret, "POST", url, percent)),
                "body re-serialised (JSON re-spaced or re-escaped, form re-encoded)", "'+' written as '%20'",
                expected_sig);
}

TEST_CASE("explain: method case, and the other method") {
    check_found(explain("POST", url, form, kw::sign(secret, "post", url, form)), "method case",
                "written 'post' instead of 'POST'", expected_sig);
    check_found(explain("POST", url, form, kw::sign(secret, "GET", url, form)), "method case",
                "the method GET instead of POST", expected_sig);
}

TEST_CASE("explain: another secret") {
    const std::string other = "the-pending-secret-Z9";
    const std::string other_file = scratch().file("pending.key", other + "\n");
    const auto o =
        explain("POST", url, form, kw::sign(other, "POST", url, form), {"--explain-secret-file", other_file});
    check_found(o, "another secret (--explain-secret-file / --explain-secret-env)", "pending.key", expected_sig);
    CHECK_FALSE(contains(o.with.all(), other));
    const auto env = run({"verify", "--secret-env", "A", "--explain-secret-env", "B", "--url", url, "--method", "POST",
                          "--body-file", "-", "--signature", kw::sign(other, "POST", url, form), "--explain"},
                         form, {"A=" + secret, "B=" + other});
    CHECK(matched(env.out) ==
          std::vector<std::string>{"another secret (--explain-secret-file / --explain-secret-env)"});
    CHECK(contains(env.out, "--explain-secret-env B"));
}

TEST_CASE("explain: the secret with surrounding whitespace") {
    // The receiver's secret file holds a trailing space; the signer used the bare secret.
    const auto spaced = explain("POST", url, form, expected_sig, {}, secret + " \n");
    check_found(spaced, "secret with surrounding whitespace", "without its surrounding whitespace",
                kw::sign(secret + " ", "POST", url, form));
    CHECK(contains(spaced.with.err, "starts or ends with whitespace"));
    // The signer kept the file's newline.
    check_found(explain("POST", url, form, kw::sign(secret + "\n", "POST", url, form)),
                "secret with surrounding whitespace", "followed by a newline", expected_sig);
}

TEST_CASE("explain: nothing matches, and refusals other than a mismatch get advice") {
    const auto nothing = explain("POST", url, form, kw::sign("unrelated", "POST", url, form));
    CHECK(nothing.with.status == 1);
    CHECK(matched(nothing.with.out).empty());
    CHECK(contains(nothing.with.out, "None of the usual causes matched"));

    const std::string raw = "POST / HTTP/1.1\r\nHost: h\r\nX-Twilio-Signature: abc=\r\nContent-Length: 0\r\n\r\n";
    const auto twilio =
        run({"verify", "--secret-env", "A", "--url", url, "--request-file", "-", "--explain"}, raw, {"A=" + secret});
    CHECK(twilio.status == 1);
    CHECK(twilio.out.rfind("missing_signature: ", 0) == 0);
    CHECK(contains(twilio.out, "Twilio's legacy scheme"));

    const auto prefixed = explain("POST", url, form, "sha256=" + expected_sig);
    CHECK(prefixed.with.status == 1);
    CHECK(prefixed.with.out.rfind("malformed_signature: ", 0) == 0);
    CHECK(contains(prefixed.with.out, "starts with 'sha256='"));

    const auto verified = explain("POST", url, form, expected_sig);
    CHECK(verified.with.status == 0);
    CHECK(verified.with.out == "verified\n");
}
