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
    std::vector<std::string> expected;
    for (const auto& row : catalogue()) {
        expected.push_back(render(row));
    }
    kore_catalogue::check_security_md_table(KORE_WEBHOOK_SECURITY_MD, "catalogue", expected);
}
