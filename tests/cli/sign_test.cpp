// cli.sign: `kore-webhook sign` reproduces the published vectors, reads secrets and bodies the
// documented ways, and refuses mistakes with exit status 2.

#include "cli_common.hpp"

using namespace kore_cli_test;

TEST_CASE("sign reproduces every published KORE vector") {
    const auto vectors = kore_vectors("vectors");
    REQUIRE(vectors.size() >= 5);
    for (const auto& v : vectors) {
        if (v.id == "K2-spaced") {
            continue;  // its digest is over the minified body: that is verify's fallback, not sign's
        }
        INFO(v.id);
        const std::string secret = scratch().file("secret-" + v.id, v.secret + "\n");
        const std::string body = scratch().file("body-" + v.id, v.body);
        const auto r = run(
            {"sign", "--secret-file", secret, "--method", v.method, "--url", v.registered_url, "--body-file", body});
        CHECK(r.status == 0);
        CHECK(r.out == v.signature + "\n");
        CHECK(r.err.empty());
    }
}

TEST_CASE("sign gives the raw-body digest of K2-spaced and the trailing-newline digest of N3") {
    for (const auto& v : kore_vectors("vectors")) {
        if (v.id == "K2-spaced") {
            const auto r = run({"sign", "--secret-env", "K", "--url", v.registered_url, "--body-file", "-"}, v.body,
                               {"K=" + v.secret});
            CHECK(r.out == "2fe284940984b4238d72ab0dc068eb2fe760fc1f2c045a835134ca045079207e\n");
        }
    }
    for (const auto& v : kore_vectors("must_not_verify")) {
        if (v.id == "N3-newline") {
            const auto r = run({"sign", "--secret-env", "K", "--url", v.registered_url, "--body-file", "-"},
                               v.body + "\n", {"K=" + v.secret});
            CHECK(r.status == 0);
            CHECK(r.out == v.signature + "\n");
        }
    }
}

TEST_CASE("sign: the secret file loses exactly one trailing newline") {
    const std::string url = "https://testendpoint.com";
    const std::string body = scratch().file("k1body", "field1=value1&field2=value2");
    const std::string k1 = "4fdba0cb1394cc8d17b8dabb04634aa9a951021a7b161f9c7a2186cd490b18b2\n";
    CHECK(run({"sign", "--secret-file", scratch().file("nl0", "secret12345"), "--url", url, "--body-file", body}).out ==
          k1);
    CHECK(
        run({"sign", "--secret-file", scratch().file("nl1", "secret12345\n"), "--url", url, "--body-file", body}).out ==
        k1);
    const auto two =
        run({"sign", "--secret-file", scratch().file("nl2", "secret12345\n\n"), "--url", url, "--body-file", body});
    CHECK(two.status == 0);
    CHECK(two.out != k1);
    CHECK(contains(two.err, "starts or ends with whitespace"));
}

TEST_CASE("sign: no body option means an empty body; the query is not signed") {
    const std::string secret = scratch().file("empty-body-secret", "s3cret");
    const auto a = run({"sign", "--secret-file", secret, "--method", "GET", "--url", "https://x.example/cb"});
    const auto b = run({"sign", "--secret-file", secret, "--method", "GET", "--url", "https://x.example/cb?a=1#f",
                        "--body-file", scratch().file("empty", "")});
    const auto c = run({"sign", "--secret-file", secret, "--method", "POST", "--url", "https://x.example/cb"});
    CHECK(a.status == 0);
    CHECK(a.out.size() == 65);
    CHECK(a.out == b.out);
    CHECK(a.out != c.out);
}

TEST_CASE("sign: --secret works but warns; the secret is never echoed") {
    const auto r = run({"sign", "--secret", "secret12345", "--url", "https://testendpoint.com", "--body-file", "-"},
                       "field1=value1&field2=value2");
    CHECK(r.status == 0);
    CHECK(r.out == "4fdba0cb1394cc8d17b8dabb04634aa9a951021a7b161f9c7a2186cd490b18b2\n");
    CHECK(contains(r.err, "warning: --secret puts the secret in the process list"));
    CHECK_FALSE(contains(r.err, "secret12345"));
}

TEST_CASE("sign: mistakes exit 2 with a message") {
    const std::string secret = scratch().file("sign-err-secret", "s3cret-value");
    const usage_case cases[] = {
        {{"sign", "--url", "https://x/"}, "sign uses exactly one secret"},
        {{"sign", "--secret-file", secret}, "sign needs --url"},
        {{"sign", "--secret-file", secret, "--secret-file", secret, "--url", "https://x/"}, "exactly one secret"},
        {{"sign", "--secret-file", "/nonexistent/secret", "--url", "https://x/"}, "cannot open '/nonexistent/secret'"},
        {{"sign", "--secret-file", scratch().file("blank", "\n"), "--url", "https://x/"}, "is empty"},
        {{"sign", "--secret-env", "KORE_CLI_TEST_UNSET_VARIABLE", "--url", "https://x/"}, "is not set"},
        {{"sign", "--secret-file", secret, "--url", "/kore/callback"}, "--url must be the absolute"},
        {{"sign", "--secret-file", secret, "--url", "https://x/", "--method", "PO ST"}, "--method must be"},
        {{"sign", "--secret-file", secret, "--url", "https://x/", "--body-file", "/nonexistent/body"}, "cannot open"},
        {{"sign", "--secret-file", secret, "--url", "https://x/", "--bogus"}, "unknown option --bogus"},
        {{"frobnicate"}, "unknown command 'frobnicate'"},
        {{}, "usage: kore-webhook <command>"},
    };
    check_usage_errors(cases, "s3cret-value");
}

TEST_CASE("every command has --help, and --version prints the library version") {
    for (const std::string command : {"sign", "verify", "send", "demo"}) {
        const auto r = run({command, "--help"});
        INFO(command);
        CHECK(r.status == 0);
        CHECK(contains(r.out, "usage: kore-webhook " + command));
        CHECK(contains(r.out, "Exit status"));
        CHECK(run({command, "-h"}).out == r.out);
    }
    const auto h = run({"--help"});
    CHECK(h.status == 0);
    for (const char* command : {"demo", "sign", "verify", "send"}) {
        CHECK(contains(h.out, std::string("  ") + command + " "));
    }
    const auto v = run({"--version"});
    CHECK(v.status == 0);
    CHECK(v.out == "kore-webhook " + std::to_string(KORE_WEBHOOK_VERSION_MAJOR) + "." +
                       std::to_string(KORE_WEBHOOK_VERSION_MINOR) + "." + std::to_string(KORE_WEBHOOK_VERSION_PATCH) +
                       "\n");
}
