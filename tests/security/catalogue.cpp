// Issue #10, item 8: the bad-input catalogue (its rows: catalogue_rows.hpp, shared with
// e2e.catalogue, which sends them to the six example servers). Every row must get exactly its
// error and status; none may crash, hang (ctest's timeout) or verify. SECURITY.md renders the same
// table between its catalogue markers, and the last test case checks that the two agree row for row.
#include "catalogue_rows.hpp"

#include <support/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

using kore_catalogue::catalogue;
using kore_catalogue::hostile_input;
using kore_catalogue::outcome;

std::string render(const hostile_input& row) {
    return "| " + row.id + " | " + row.area + " | " + row.input + " | `" + row.expected + "` | " + row.status + " |";
}

std::string read_security_md() {
    std::ifstream in(KORE_WEBHOOK_SECURITY_MD, std::ios::binary);
    REQUIRE(in.good());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("the catalogue has at least 60 hostile inputs with unique ids, in every area") {
    const auto rows = catalogue();
    CHECK(rows.size() >= 60);
    std::vector<std::string> ids;
    for (const auto& row : rows) {
        INFO(row.id);
        CHECK(std::find(ids.begin(), ids.end(), row.id) == ids.end());
        CHECK(row.input.find('|') == std::string::npos);
        CHECK(row.expected != "ok");
        ids.push_back(row.id);
    }
    for (const std::string area : {"headers", "urls", "bodies", "framing", "raw requests", "secrets"}) {
        INFO(area);
        CHECK(std::count_if(rows.begin(), rows.end(), [&](const hostile_input& r) { return r.area == area; }) >= 10);
    }
}

TEST_CASE("every hostile input gets exactly its error and status, and none verifies") {
    for (const auto& row : catalogue()) {
        INFO(render(row));
        const outcome got = row.run();
        CHECK(got.error == row.expected);
        CHECK(got.status == row.status);
        CHECK(got.error != "ok");
    }
}

TEST_CASE("SECURITY.md renders the same catalogue, row for row") {
    const std::string text = read_security_md();
    const std::string begin = "<!-- catalogue:begin -->";
    const std::string end = "<!-- catalogue:end -->";
    const std::size_t from = text.find(begin);
    const std::size_t to = text.find(end);
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    REQUIRE(from < to);
    std::vector<std::string> documented;
    std::istringstream lines(text.substr(from + begin.size(), to - from - begin.size()));
    for (std::string line; std::getline(lines, line);) {
        const bool row = line.rfind("| ", 0) == 0 && line.rfind("| ID ", 0) != 0 && line.rfind("| ---", 0) != 0;
        if (row) {
            documented.push_back(line);
        }
    }
    std::vector<std::string> expected;
    for (const auto& row : catalogue()) {
        expected.push_back(render(row));
    }
    if (documented != expected) {
        // The rows as they should read, for pasting between the markers (Catch wraps long lines).
        std::ofstream out("catalogue-rows.md", std::ios::binary);
        for (const auto& line : expected) {
            out << line << "\n";
        }
    }
    INFO("the rows SECURITY.md should hold are in catalogue-rows.md in the working directory");
    REQUIRE(documented.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(documented[i] == expected[i]);
    }
}
