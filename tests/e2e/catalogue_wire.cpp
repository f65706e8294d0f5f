// Issue #18, item 4: the bad-input catalogue end to end. Every catalogue row that a request can
// carry (tests/security/catalogue_rows.hpp gives its raw HTTP/1.1 bytes, made by the same call
// that judges it through the toolkit) is sent over a TCP socket, byte for byte, to each of the six
// example servers (examples/, each started once on 127.0.0.1 with the catalogue's secrets and URL,
// a memory replay guard), and the HTTP status each answers is recorded: "closed" when the server
// closes without an answer, "timeout" when it neither answers nor closes. Then:
//   - nothing the toolkit refuses is answered 2xx, unless the row is allowed below for that
//     server, with the reason: what the server's parser hands the adapter is a genuine signed
//     request (and every allowance is used);
//   - a row where a server answers other than the toolkit carries a note saying why (and only such
//     rows carry one);
//   - SECURITY.md's end-to-end table (between its catalogue-wire markers) is the one measured.
//
// ctest sets KORE_E2E_EXAMPLES (build/kore-webhook-examples.txt). With KORE_E2E_CATALOGUE_DUMP=<dir>,
// each row's request (<id>.req) and each example's log (<server>.log) are written there, to look into.

#include "example_process.hpp"

#include <kore_cli/http_request.hpp>
#include <security/catalogue_rows.hpp>
#include <support/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

namespace {

namespace cat = kore_catalogue;

// The six examples, in SECURITY.md's column order: the program's server name, the column title.
const std::vector<std::pair<std::string, std::string>> servers = {
    {"httplib", "cpp-httplib"}, {"beast", "Beast"},       {"poco", "POCO"},
    {"civetweb", "CivetWeb"},   {"pistache", "Pistache"}, {"microhttpd", "libmicrohttpd"},
};

// Rows a server answers differently from the toolkit, with why. `accepted_by`: the servers that
// answer 2xx, allowed only because the bytes their parser hands the adapter are a genuine signed
// request (nothing wrong is accepted).
struct known_difference {
    std::string why;
    std::set<std::string> accepted_by;
};

const std::map<std::string, known_difference>& differences() {
    static const std::map<std::string, known_difference> known = {
        {"H03", {"CivetWeb's parser refuses a field whose value is only spaces and a tab", {}}},
        {"H11",
         {"Beast's parser refuses the NUL and closes; libmicrohttpd's field values are C strings, so the value "
          "ends at the NUL and the adapter gets the genuine signature: nothing wrong is accepted",
          {"microhttpd"}}},
        {"U07",
         {"no method: Beast and libmicrohttpd close; POCO reads the next tokens as method and target (404, its "
          "status line led by the token it took for the version)",
          {}}},
        {"U08",
         {"`PO ST /kore HTTP/1.1`: Beast closes; POCO and libmicrohttpd take `ST` for the target (404); CivetWeb "
          "answers 400 with the request's broken version in its status line",
          {}}},
        {"U09",
         {"the request line ends after `POST`: Beast and libmicrohttpd close; POCO reads on into the next line "
          "(404)",
          {}}},
        {"U10",
         {"Beast closes; POCO answers 405 to the unknown method; libmicrohttpd's method is a C string, so it ends "
          "at the NUL and the adapter gets a genuine POST: nothing wrong is accepted",
          {"microhttpd"}}},
        {"U17",
         {"every server refuses the method `get` before the signature: unknown method (400) or not the "
          "route's (405)",
          {}}},
        {"F01",
         {"Pistache keeps the first of two fields of the same name; both hold the genuine signature, so the adapter "
          "gets a genuine request: nothing wrong is accepted",
          {"pistache"}}},
        {"F02", {"Pistache keeps the first of the two fields, the wrong one: 401", {}}},
        {"F03",
         {"Beast's parser refuses a space before the colon and closes; CivetWeb drops the space, so the adapter "
          "gets `kore-signature` with the genuine signature: nothing wrong is accepted",
          {"civetweb"}}},
        {"F05",
         {"cpp-httplib, Pistache and libmicrohttpd wait for the declared body before the adapter's answer goes "
          "out; the client's end of sending closes the connection",
          {}}},
        {"F06",
         {"the servers' own parsers refuse the 20-digit length (cpp-httplib 400; Beast and POCO close; Pistache "
          "500, its `stoull` throws)",
          {}}},
        {"F07",
         {"cpp-httplib, POCO, CivetWeb and Pistache take a number from `+5`, so the adapter gets fewer bytes than "
          "were signed (401); Beast closes; libmicrohttpd refuses the field (400)",
          {}}},
        {"F08",
         {"cpp-httplib, CivetWeb and Pistache take a number from `0x10`, so the adapter gets fewer bytes than were "
          "signed (401); Beast and POCO close; libmicrohttpd refuses the field (400)",
          {}}},
        {"F09",
         {"cpp-httplib and Pistache wait for the declared body (the client's end of sending closes it); "
          "libmicrohttpd refuses the spaces in the field (400)",
          {}}},
        {"F12",
         {"cpp-httplib drops fields with an empty value and Pistache keeps the first, so the adapter sees no duplicate "
          "and the query rule answers 401",
          {}}},
        {"F15",
         {"the servers' own parsers refuse `-1` (cpp-httplib and libmicrohttpd 400, CivetWeb 411, Beast closes, "
          "Pistache 500: it allocates `-1` bytes); POCO hands the adapter another body than the signed one (401)",
          {}}},
        {"F16",
         {"the server's parser trims the padding (spaces around a field value are not part of it) before the "
          "adapter sees the value, which is then the genuine signature: nothing wrong is accepted",
          {"httplib", "beast", "poco"}}},
        {"R05", {"Pistache answers 501 to a transfer coding it does not implement", {}}},
        {"R06", {"Pistache answers 501 to a transfer coding it does not implement", {}}},
        {"R13", {"CivetWeb and libmicrohttpd answer 505 to HTTP/2.0", {}}},
        {"R18", {"Pistache answers 500: it allocates `-1` bytes and throws", {}}},
        {"R24",
         {"Pistache keeps the first of two fields of the same name; both hold the genuine signature, so the adapter "
          "gets a genuine request: nothing wrong is accepted",
          {"pistache"}}},
        {"R29",
         {"cpp-httplib does not read a chunked body with trailer fields to its end: the adapter answers "
          "`body_incomplete` (400)",
          {}}},
        {"R30",
         {"cpp-httplib does not read a chunked body with trailer fields to its end: the adapter answers "
          "`body_incomplete` (400)",
          {}}},
    };
    return known;
}

// How long a server may take: to read what is sent (no progress for this long: sending stops);
// to answer once all is sent, a request that is all there (a server that does not answer is
// slow, or stuck: Pistache takes 1 s of CPU and more over a 1 MiB body with an odd length field),
// or one that is not (no end of the fields, or less body than declared: the server may answer
// before it or wait for the rest); and to answer or close once the client has half-closed.
constexpr auto send_stall = 3s;
constexpr auto answer_wait = 10s;
constexpr auto incomplete_wait = 1500ms;
constexpr auto close_wait = 10s;
constexpr int workers_per_server = 3;
constexpr std::size_t large_request = 64 * 1024;

// Whether `bytes` hold a whole request, by the command-line tool's parser: only no bytes, no end
// of the fields and a body shorter than declared leave the server waiting for more.
bool incomplete(const std::string& bytes) {
    using kore_cli::http::parse_error;
    const parse_error e = kore_cli::http::parse(bytes).error;
    return e == parse_error::empty || e == parse_error::no_header_end || e == parse_error::truncated_body;
}

// The status of a status line "<version> SP <3 digits> ...". The version is not checked: POCO
// answers with whatever token stood where the request's version should be.
std::string status_of(const std::string& line) {
    const std::size_t space = line.find(' ');
    if (space == std::string::npos || line.size() < space + 4 ||
        line.find_first_not_of("0123456789", space + 1) != space + 4) {
        return "not HTTP";
    }
    return line.substr(space + 1, 3);
}

// One connection: sends `bytes` while reading (a server may answer and close before the body is
// all sent), then waits for the status line. If none comes within answer_wait (incomplete_wait
// for an incomplete request), half-closes (the request is all there is) and waits close_wait
// more. "NNN", "closed" or "timeout".
std::string exchange(unsigned short port, const std::string& bytes) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return "socket failed";
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
        ::close(fd);
        return "connect failed";
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    const auto wait = incomplete(bytes) ? std::chrono::milliseconds(incomplete_wait) : answer_wait;
    std::size_t sent = 0;
    bool sending = !bytes.empty();
    bool half_closed = false;
    std::string received;
    auto deadline = std::chrono::steady_clock::now() + (sending ? send_stall : wait);
    std::string result;
    while (result.empty()) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), 0};
        const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {  // this stage's time is up
            if (sending) {
                sending = false;
                deadline = std::chrono::steady_clock::now() + wait;
            } else if (!half_closed) {
                half_closed = true;
                ::shutdown(fd, SHUT_WR);
                deadline = std::chrono::steady_clock::now() + close_wait;
            } else {
                result = "timeout";
            }
            continue;
        }
        if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            char buffer[4096];
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                received.append(buffer, static_cast<std::size_t>(n));
                const std::size_t eol = received.find("\r\n");
                if (eol != std::string::npos || received.size() > 64) {
                    result = status_of(received.substr(0, eol));
                }
            } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                result = "closed";
            }
            continue;
        }
        if (sending && (p.revents & POLLOUT) != 0) {
            const std::size_t piece = std::min<std::size_t>(bytes.size() - sent, 65536);
            const ssize_t n = ::send(fd, bytes.data() + sent, piece, MSG_NOSIGNAL);
            if (n > 0) {
                sent += static_cast<std::size_t>(n);
                deadline = std::chrono::steady_clock::now() + (sent < bytes.size() ? send_stall : wait);
                sending = sent < bytes.size();
            } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                sending = false;  // reset: what the server wrote before may still be read
                deadline = std::chrono::steady_clock::now() + wait;
            }
        }
    }
    ::close(fd);
    return result;
}

// A catalogue row that a request can carry: its toolkit verdict and its bytes. The form body
// names the row, so that every row's genuine digest is fresh for the replay guard.
struct wire_row {
    cat::hostile_input row;
    cat::outcome toolkit;
};

std::vector<wire_row> wire_rows() {
    cat::settings examples_settings;
    examples_settings.limit = kore::webhook::default_max_body_size;
    const auto rows = cat::catalogue(examples_settings);
    std::vector<wire_row> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (!rows[i].run().wire) {
            continue;
        }
        cat::settings fresh = examples_settings;
        fresh.form += "&Row=" + rows[i].id;
        const cat::hostile_input row = cat::catalogue(fresh).at(i);
        out.push_back({row, row.run()});
    }
    return out;
}

std::string required_env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error(std::string(name) + " is not set (ctest sets it; see tests/e2e/CMakeLists.txt)");
    }
    return value;
}

bool is_2xx(const std::string& answer) {
    return answer.size() == 3 && answer[0] == '2';
}

// A server agrees with the toolkit when it answers the same status; for a request the toolkit's
// parser refuses ("-"), when it answers 4xx or closes without an answer.
bool agrees(const std::string& toolkit_status, const std::string& answer) {
    if (toolkit_status == "-") {
        return answer == "closed" || (answer.size() == 3 && answer[0] == '4');
    }
    return answer == toolkit_status;
}

using measurements = std::map<std::string, std::map<std::string, std::string>>;  // row id -> server -> answer

std::string render(const wire_row& w, const std::map<std::string, std::string>& answers) {
    std::string line = "| " + w.row.id + " | `" + w.row.expected + "` " + w.row.status + " |";
    for (const auto& server : servers) {
        const std::string& answer = answers.at(server.first);
        line += agrees(w.row.status, answer) ? " " + answer + " |" : " **" + answer + "** |";
    }
    const auto known = differences().find(w.row.id);
    line += " " + (known == differences().end() ? std::string() : known->second.why) + " |";
    return line;
}

}  // namespace

TEST_CASE("every catalogue row a request can carry, sent to the six examples, is answered as SECURITY.md says") {
    const auto started = std::chrono::steady_clock::now();
    const std::vector<wire_row> rows = wire_rows();
    REQUIRE(rows.size() >= 60);
    for (const auto& w : rows) {
        INFO(w.row.id);
        CHECK(w.toolkit.error == w.row.expected);  // the examples' limit and the fresh body change no verdict
        CHECK(w.toolkit.status == w.row.status);
    }

    const auto built = e2e::read_examples(required_env("KORE_E2E_EXAMPLES"));
    std::vector<std::string> env = e2e::inherited_environment();
    env.push_back("KORE_WEBHOOK_SECRET=" + cat::secret);
    env.push_back("KORE_WEBHOOK_SECRET_NEXT=" + cat::pending);
    env.push_back("KORE_WEBHOOK_URL=" + cat::url);
    env.emplace_back("PORT=0");
    std::vector<std::unique_ptr<e2e::example_process>> running;
    for (const auto& server : servers) {
        INFO(server.first);
        REQUIRE(built.count(server.first) == 1);
        running.push_back(std::make_unique<e2e::example_process>(server.first, built.at(server.first), env));
        REQUIRE(running.back()->problem() == "");
    }

    // A few connections at a time per server, each row on a fresh one: a row a server waits on
    // costs its deadlines without holding up the others.
    measurements answers;
    for (const auto& w : rows) {
        for (const auto& server : servers) {
            answers[w.row.id][server.first];
        }
    }
    // The rows with a large body first, then the others: a server busy parsing a large body can
    // miss a client's end of sending that arrives with the data (Pistache does), which would
    // make an incomplete request's answer depend on timing.
    std::mutex recording;
    for (const bool large : {true, false}) {
        std::vector<std::size_t> round;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if ((rows[i].toolkit.wire->size() > large_request) == large) {
                round.push_back(i);
            }
        }
        std::vector<std::thread> senders;
        std::vector<std::atomic<std::size_t>> next(servers.size());
        for (std::size_t s = 0; s < servers.size(); ++s) {
            for (int worker = 0; worker < workers_per_server; ++worker) {
                senders.emplace_back([&, s] {
                    for (std::size_t k = next[s]++; k < round.size(); k = next[s]++) {
                        const wire_row& w = rows[round[k]];
                        const std::string answer = exchange(running[s]->port(), *w.toolkit.wire);
                        const std::lock_guard<std::mutex> lock(recording);
                        answers.at(w.row.id).at(servers[s].first) = answer;
                    }
                });
            }
        }
        for (auto& t : senders) {
            t.join();
        }
    }
    // A large request a server closed without an answer is sent again, up to twice, one at a time:
    // on a loaded machine Pistache can spend more than its own deadlines parsing a 1 MiB body
    // (about 1 s of CPU each) and close instead. A server that always closes still reads `closed`.
    std::vector<std::thread> retries;
    for (std::size_t s = 0; s < servers.size(); ++s) {
        retries.emplace_back([&, s] {
            for (const auto& w : rows) {
                std::string answer = answers.at(w.row.id).at(servers[s].first);
                for (int again = 0;
                     again < 2 && w.toolkit.wire->size() > large_request && (answer == "closed" || answer == "timeout");
                     ++again) {
                    answer = exchange(running[s]->port(), *w.toolkit.wire);
                }
                const std::lock_guard<std::mutex> lock(recording);
                answers.at(w.row.id).at(servers[s].first) = answer;
            }
        });
    }
    for (auto& t : retries) {
        t.join();
    }
    if (const char* dump = std::getenv("KORE_E2E_CATALOGUE_DUMP")) {  // for a reader: bytes and logs
        for (const auto& w : rows) {
            std::ofstream(std::string(dump) + "/" + w.row.id + ".req", std::ios::binary) << *w.toolkit.wire;
        }
        for (std::size_t s = 0; s < servers.size(); ++s) {
            std::ofstream(std::string(dump) + "/" + servers[s].first + ".log", std::ios::binary) << running[s]->log();
        }
    }
    for (std::size_t s = 0; s < servers.size(); ++s) {
        INFO(servers[s].first);
        running[s]->stop();
        CHECK(running[s]->problem() == "");  // still running after every row, and exits 0 on SIGTERM
    }

    {  // nothing the toolkit refuses is accepted, but a genuine request a server's parser made
        for (const auto& w : rows) {
            const auto known = differences().find(w.row.id);
            for (const auto& server : servers) {
                INFO(w.row.id + " on " + server.first + ": " + answers.at(w.row.id).at(server.first));
                const bool allowed = known != differences().end() && known->second.accepted_by.count(server.first) == 1;
                CHECK(is_2xx(answers.at(w.row.id).at(server.first)) == allowed);
            }
        }
    }

    {  // a row carries a note exactly when a server answers other than the toolkit
        for (const auto& w : rows) {
            INFO(w.row.id);
            bool differs = false;
            for (const auto& server : servers) {
                differs = differs || !agrees(w.row.status, answers.at(w.row.id).at(server.first));
            }
            CHECK(differs == (differences().count(w.row.id) == 1));
        }
        for (const auto& difference : differences()) {
            const std::string& id = difference.first;  // a structured binding cannot be captured in C++17
            INFO(id);
            CHECK(std::any_of(rows.begin(), rows.end(), [&](const wire_row& w) { return w.row.id == id; }));
        }
    }

    {  // SECURITY.md's end-to-end table is the one measured
        std::vector<std::string> expected;
        for (const auto& w : rows) {
            expected.push_back(render(w, answers.at(w.row.id)));
        }
        kore_catalogue::check_security_md_table(KORE_WEBHOOK_SECURITY_MD, "catalogue-wire", expected);
    }
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    WARN("e2e.catalogue: " + std::to_string(rows.size()) + " rows x 6 servers in " + std::to_string(total) + " s");
}
