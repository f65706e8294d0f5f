// cli.demo: `kore-webhook demo` runs with no setup, prints its table and exits 0 because every
// verdict of the embedded receiver is right.

#include "cli_common.hpp"

#include <sstream>

using namespace kore_cli_test;

TEST_CASE("demo: every verdict right, exit 0, a readable table") {
    const auto r = run({"demo"});
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    CHECK(contains(r.out, "kore-webhook demo: receiver on http://127.0.0.1:"));
    CHECK(contains(r.out, "a correct receiver must"));
    std::istringstream lines(r.out);
    std::string line;
    std::size_t rows = 0;
    while (std::getline(lines, line)) {
        if (line.size() > 4 && line[1] >= '0' && line[1] <= '9' && line[2] == ' ' && line[3] == ' ') {
            ++rows;
            CHECK_FALSE(contains(line, "WRONG"));
        }
    }
    CHECK(rows >= 20);
    CHECK(contains(r.out, std::to_string(rows) + " of " + std::to_string(rows) + " verdicts right."));
    for (const char* reason :
         {"length_extension", "signature_mismatch", "missing_signature", "malformed_signature", "duplicate_signature",
          "body_too_large", "query_not_signed", "not_found", "method_not_allowed", "verified with the Pending secret",
          "once JSON whitespace was removed", "same digest as before: skipped"}) {
        CHECK(contains(r.out, reason));
    }
}

TEST_CASE("demo: two runs in parallel do not collide, and --port is honoured") {
    int free_port = 0;
    {
        receiver probe({"x"});
        free_port = probe.port();
    }
    const auto r = run({"demo", "--port", std::to_string(free_port)});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "http://127.0.0.1:" + std::to_string(free_port) + "/kore/callback"));
    const auto bad = run({"demo", "--port", "70000"});
    CHECK(bad.status == 2);
    CHECK(contains(bad.err, "--port is at most 65535"));
}
