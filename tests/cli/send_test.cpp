// cli.send: `kore-webhook send` delivers real KORE-style callbacks that the demo receiver (the
// httplib example on the library's adapter) accepts, and every --tamper mode is refused by it.
// Each test starts its own receiver on 127.0.0.1:0, so tests can run in parallel.

#include "cli_common.hpp"

#include <sstream>

using namespace kore_cli_test;

namespace {

const std::string active = "send-test-active-secret";

std::string key_file() {
    return scratch().file("send.key", active + "\n");
}

run_result send(const receiver& rx, std::vector<std::string> extra) {
    std::vector<std::string> args{"send", "--secret-file", key_file(), "--url", rx.url(), "--retry-delay", "10"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
}

}  // namespace

TEST_CASE("every built-in event is delivered and verified: exit 0, status printed") {
    receiver rx({active});
    for (const std::string event : {"sim-status", "sms-command", "ip-command", "esim-profile", "event-streams-test"}) {
        INFO(event);
        const auto r = send(rx, {"--event", event});
        CHECK(r.status == 0);
        CHECK(r.out == "204 No Content\n");
        CHECK(contains(r.err, "sending " + event));
    }
    const auto records = rx.records();
    REQUIRE(records.size() == 5);
    for (const auto& rec : records) {
        CHECK(rec.status == 204);
        CHECK(rec.error.empty());
    }
}

TEST_CASE("each tamper mode is refused by the demo receiver") {
    receiver rx({active});
    const struct {
        const char* mode;
        int status;
        const char* body;
    } modes[] = {
        {"body", 401, "signature_mismatch"},
        {"signature", 401, "signature_mismatch"},
        // cpp-httplib 0.11 drops empty header fields, so the receiver sees no header at all.
        {"unsigned", 401, "missing_signature"},
        {"missing", 401, "missing_signature"},
        {"length-extension", 401, "length_extension"},
        {"wrong-url", 401, "signature_mismatch"},
    };
    for (const auto& m : modes) {
        INFO(m.mode);
        const auto r = send(rx, {"--tamper", m.mode});
        CHECK(r.status == 1);
        CHECK(r.out == std::to_string(m.status) + " Unauthorized\n" + m.body + "\n");
    }
    for (const auto& rec : rx.records()) {
        CHECK(rec.status == 401);
    }
    CHECK(rx.records().size() == std::size(modes));
}

// The lines --tamper replay prints for one delivery: what was sent, then what came back.
struct replay_report {
    std::string original_sent, original_answer, replay_sent, replay_answer, verdict;
};

replay_report split_replay(const std::string& out) {
    std::istringstream in(out);
    replay_report r;
    std::string* answer = nullptr;  // the answer being read: status line, then body lines
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("original: ", 0) == 0) {
            r.original_sent = line;
            answer = &r.original_answer;
        } else if (line.rfind("replay (", 0) == 0) {
            r.replay_sent = line;
            answer = &r.replay_answer;
        } else if (line.rfind("replay: ", 0) == 0) {
            r.verdict = line;
            answer = nullptr;
        } else if (answer != nullptr) {
            *answer += (answer->empty() ? "" : "\n") + line;
        }
    }
    return r;
}

std::string token_of(const std::string& sent_line) {
    const std::string key = "kore-idempotency-token ";
    const auto at = sent_line.find(key);
    return at == std::string::npos ? std::string() : sent_line.substr(at + key.size(), 36);
}

TEST_CASE("tamper replay: the same signed request again with a new token; both answers printed") {
    receiver rx({active});
    const auto r = send(rx, {"--tamper", "replay"});
    CHECK(r.status == 0);
    const auto report = split_replay(r.out);
    CHECK(report.original_sent.rfind("original: kore-idempotency-token ", 0) == 0);
    CHECK(report.original_answer == "204 No Content");
    CHECK(report.replay_sent.rfind("replay (same body and kore-signature): kore-idempotency-token ", 0) == 0);
    CHECK(report.replay_answer == "204 No Content");
    CHECK(token_of(report.original_sent).size() == 36);
    CHECK(token_of(report.replay_sent).size() == 36);
    CHECK(token_of(report.original_sent) != token_of(report.replay_sent));
    CHECK(contains(report.replay_sent, ", date 20"));
    // The demo receiver answers 204 twice and leaves de-duplication to the application: the
    // report says it was accepted like a new callback.
    CHECK(report.verdict.rfind("replay: accepted like a new callback (204)", 0) == 0);
    const auto records = rx.records();
    REQUIRE(records.size() == 2);
    CHECK_FALSE(records[0].replay_key.empty());
    CHECK(records[0].replay_key == records[1].replay_key);  // the key an application de-duplicates on
}

TEST_CASE("tamper replay against a replay guard: 200 duplicate, processed once") {
    receiver_setup setup;
    setup.replay_guard = true;
    receiver rx({active}, setup);
    const auto r = send(rx, {"--tamper", "replay"});
    CHECK(r.status == 0);
    const auto report = split_replay(r.out);
    CHECK(report.original_answer == "204 No Content");
    CHECK(report.replay_answer == "200 OK\nduplicate");
    CHECK(report.verdict == "replay: recognised as a duplicate (200 duplicate): not processed again");
    const auto records = rx.records();
    REQUIRE(records.size() == 2);
    CHECK(records[0].processed);
    CHECK_FALSE(records[1].processed);
}

TEST_CASE("tamper replay: a refused original says the replay shows nothing; the dates differ") {
    receiver rx({"not-the-secret-the-sender-has"});
    const auto r = send(rx, {"--tamper", "replay"});
    CHECK(r.status == 1);
    const auto report = split_replay(r.out);
    CHECK(report.original_answer == "401 Unauthorized\nsignature_mismatch");
    CHECK(report.verdict.rfind("replay: the original was not accepted (401)", 0) == 0);

    const auto dry =
        run({"send", "--secret-file", key_file(), "--url", "http://127.0.0.1:9/cb", "--tamper", "replay", "--dry-run"});
    const auto first = dry.out.find("\r\ndate: ");
    const auto second = dry.out.find("\r\ndate: ", first + 1);
    REQUIRE(second != std::string::npos);
    CHECK(dry.out.substr(first, 30) != dry.out.substr(second, 30));
}

TEST_CASE("length-extension sends a real forgery: it verifies as SHA-256, and is refused as an extension") {
    const auto dry = run({"send", "--secret-file", key_file(), "--url", "http://127.0.0.1:9/cb", "--tamper",
                          "length-extension", "--dry-run"});
    REQUIRE(dry.status == 0);
    // Without the length-extension guard the forged signature would be accepted: check it with
    // the verifier's verdict, which is length_extension (not a mismatch).
    const auto v =
        run({"verify", "--secret-file", key_file(), "--url", "http://127.0.0.1:9/cb", "--request-file", "-"}, dry.out);
    CHECK(v.status == 1);
    CHECK(v.out.rfind("length_extension: ", 0) == 0);
}

TEST_CASE("send's wire form: KORE's headers, signature over the registered URL's path") {
    const auto dry = run({"send", "--secret-file", key_file(), "--url", "https://hooks.example.com/kore?cb=1#frag",
                          "--dry-run", "--event", "sms-command"});
    REQUIRE(dry.status == 0);
    CHECK(dry.out.rfind("POST /kore?cb=1 HTTP/1.1\r\nHost: hooks.example.com\r\nuser-agent: KoreProxy/1.1\r\n"
                        "content-type: application/x-www-form-urlencoded\r\nkore-signature: ",
                        0) == 0);
    CHECK(contains(dry.out, "kore-idempotency-token: "));
    CHECK(contains(dry.out, "\r\ndate: 20"));
    CHECK(contains(dry.out, "Z\r\n"));
    const auto v = run(
        {"verify", "--secret-file", key_file(), "--url", "https://hooks.example.com/kore?other", "--request-file", "-"},
        dry.out);
    CHECK(v.status == 0);
    CHECK_FALSE(contains(dry.all(), active));
}

TEST_CASE("send options: chunked, pretty JSON, GET, padding, headers, path override") {
    receiver rx({active});
    CHECK(send(rx, {"--chunked"}).status == 0);
    CHECK(send(rx, {"--event", "event-streams-test", "--pretty-json"}).status == 0);
    CHECK(send(rx, {"--event", "esim-profile", "--pretty-json", "--chunked"}).status == 0);
    CHECK(send(rx, {"--body-size", "5000"}).status == 0);
    const auto body = scratch().file("custom.json", R"({"custom": [1, 2]})");
    CHECK(send(rx, {"--body-file", body}).status == 0);
    CHECK(send(rx, {"--body-file", body, "--content-type", "text/plain"}).status == 0);

    const auto get = send(rx, {"--method", "GET"});
    CHECK(get.status == 1);
    CHECK(get.out == "401 Unauthorized\nquery_not_signed\n");
    const auto malformed = send(rx, {"--header", "kore-signature: nothex"});
    CHECK(malformed.out == "400 Bad Request\nmalformed_signature\n");
    const auto twice = send(rx, {"--header", "kore-signature: a", "--header", "Kore-Signature: b"});
    CHECK(twice.out == "400 Bad Request\nduplicate_signature\n");
    const auto elsewhere = send(rx, {"--path-override", "/other"});
    CHECK(elsewhere.status == 1);
    CHECK(elsewhere.out == "404 Not Found\nnot_found\n");
    const auto put = send(rx, {"--method", "PUT"});
    CHECK(put.out == "405 Method Not Allowed\nmethod_not_allowed\n");
}

TEST_CASE("send retries 408/429/5xx like KORE, and stops after --retries") {
    receiver flaky({active}, {}, 2, 503);
    const auto r = send(flaky, {"--retries", "2"});
    CHECK(r.status == 0);
    CHECK(r.out == "204 No Content\n");
    CHECK(contains(r.err, "attempt 1: 503"));
    CHECK(contains(r.err, "attempt 2: 503"));
    CHECK(flaky.failures() == 2);

    receiver down({active}, {}, 5, 429);
    const auto gave_up = send(down, {"--retries", "1"});
    CHECK(gave_up.status == 1);
    CHECK(gave_up.out == "429 Too Many Requests\ntry again\n");
    CHECK(down.failures() == 2);
}

TEST_CASE("send: usage, I/O and connection errors exit 2") {
    int closed_port = 0;
    {
        receiver gone({active});
        closed_port = gone.port();
    }
    const std::string key = key_file();
    const usage_case cases[] = {
        {{"send", "--secret-file", key}, "send needs --url"},
        {{"send", "--url", "http://127.0.0.1:9/"}, "exactly one secret"},
        {{"send", "--secret-file", key, "--url", "http://127.0.0.1:9/", "--tamper", "nope"}, "unknown --tamper mode"},
        {{"send", "--secret-file", key, "--url", "http://127.0.0.1:9/", "--event", "nope"}, "unknown --event"},
        {{"send", "--secret-file", key, "--url", "http://127.0.0.1:9/", "--event", "esim-profile", "--method", "GET"},
         "a GET callback has no body"},
        {{"send", "--secret-file", key, "--url", "http://127.0.0.1:9/", "--pretty-json"}, "--pretty-json needs a JSON"},
        {{"send", "--secret-file", key, "--url", "http://127.0.0.1:9/", "--body-size", "3"}, "smaller than the body"},
        {{"send", "--secret-file", key, "--url", "http://127.0.0.1:9/", "--header", "novalue"}, "--header needs"},
        {{"send", "--secret-file", key, "--url", "http://127.0.0.1:9/", "--event", "sim-status", "--body-file", key},
         "give --event or --body-file, not both"},
        {{"send", "--secret-file", key, "--url", "http://127.0.0.1:9/", "--content-type", "text/plain"},
         "--content-type goes with --body-file"},
        {{"send", "--secret-file", key, "--url", "http://127.0.0.1:" + std::to_string(closed_port) + "/kore",
          "--retries", "0"},
         "cannot connect"},
    };
    check_usage_errors(cases, active);
}

TEST_CASE("send --connect delivers to a local port while signing the https URL") {
    const std::string registered = "https://hooks.example.com/kore/callback";
    receiver rx({active});
    // The receiver's registered URL is its own http one, so the https-signed request must fail
    // there, proving the https URL (not the connect address) was signed.
    const auto r = run({"send", "--secret-file", key_file(), "--url", registered, "--connect",
                        "127.0.0.1:" + std::to_string(rx.port()), "--path-override", "/kore/callback"});
    CHECK(r.status == 1);
    CHECK(r.out == "401 Unauthorized\nsignature_mismatch\n");
}
