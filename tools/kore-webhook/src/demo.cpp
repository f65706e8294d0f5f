// `kore-webhook demo`: no setup at all. Starts a cpp-httplib receiver made of the library's route
// helper (kore::webhook::adapters::httplib::mount_route) on 127.0.0.1 with two random secrets,
// fires genuine and broken callbacks at it with the `send` machinery, and prints what a correct
// receiver must do and what it did.

#include "command.hpp"

#include <kore_cli/command_line.hpp>
#include <kore_cli/errors.hpp>
#include <kore_cli/events.hpp>
#include <kore_cli/send.hpp>

#include <kore/webhook/adapters/callback.hpp>
#include <kore/webhook/adapters/httplib.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/verifier.hpp>

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <ctime>
#include <iomanip>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace kore_cli {

namespace {

// What the receiver saw, recorded by the route's observer (runs on a server thread).
struct seen {
    int status = 0;
    bool verified = false;
    std::size_t secret_index = 0;
    bool json_normalized = false;
    bool duplicate = false;  // the digest was verified before: the application skips it
};

class delivery_log {
public:
    void add(const seen& s) {
        std::lock_guard<std::mutex> lock(mutex_);
        entries_.push_back(s);
    }
    // What was recorded since the last call.
    std::vector<seen> take() {
        std::lock_guard<std::mutex> lock(mutex_);
        return std::exchange(entries_, {});
    }
    // The replay check a receiver's application does: the verified digest, never the token.
    bool first_time(const std::string& replay_key) {
        std::lock_guard<std::mutex> lock(mutex_);
        return keys_.insert(replay_key).second;
    }

private:
    std::mutex mutex_;
    std::vector<seen> entries_;
    std::set<std::string> keys_;
};

struct demo_case {
    std::string name;
    std::string must;  // what a correct receiver does, in words
    send_settings settings;
    std::vector<int> statuses;  // expected, one per delivery
    std::string body;           // expected response body (error name) of the last delivery
    std::string also_body;      // another acceptable body, with why in `note`
    std::string note;
    enum class key { active, pending, unknown } secret = key::active;
    bool expect_duplicate = false;
};

std::vector<demo_case> cases(const std::string& url) {
    std::vector<demo_case> out;
    const auto add = [&](std::string name, std::string must, std::vector<int> statuses, std::string body,
                         auto&& tweak) {
        demo_case c;
        c.name = std::move(name);
        c.must = std::move(must);
        c.settings.registered_url = url;
        c.settings.retries = 0;
        c.settings.timeout = std::chrono::seconds(10);
        c.statuses = std::move(statuses);
        c.body = std::move(body);
        tweak(c);
        out.push_back(std::move(c));
    };
    const auto accept = std::vector<int>{204};
    for (const auto& e : event_catalog) {
        add(std::string(e.name) + (e.name == "esim-profile" || e.name == "event-streams-test" ? " (JSON)" : " (form)"),
            "accept: 204", accept, "", [&](demo_case& c) { c.settings.event = std::string(e.name); });
    }
    add("JSON sent indented, signed minified", "accept: 204", accept, "", [](demo_case& c) {
        c.settings.event = "event-streams-test";
        c.settings.pretty_json = true;
    });
    add("chunked transfer coding", "accept: 204", accept, "", [](demo_case& c) { c.settings.chunked = true; });
    add("signed with the Pending secret", "accept: 204", accept, "",
        [](demo_case& c) { c.secret = demo_case::key::pending; });
    add("replayed with a new token", "accept once, skip the copy", {204, 204}, "", [](demo_case& c) {
        c.settings.tamper = "replay";
        c.expect_duplicate = true;
    });
    add("GET with its data in the query", "refuse: 401 query_not_signed", {401}, "query_not_signed",
        [](demo_case& c) { c.settings.method = "GET"; });
    add("body changed after signing", "refuse: 401 signature_mismatch", {401}, "signature_mismatch",
        [](demo_case& c) { c.settings.tamper = "body"; });
    add("one signature digit changed", "refuse: 401 signature_mismatch", {401}, "signature_mismatch",
        [](demo_case& c) { c.settings.tamper = "signature"; });
    add("signed with an unknown secret", "refuse: 401 signature_mismatch", {401}, "signature_mismatch",
        [](demo_case& c) { c.secret = demo_case::key::unknown; });
    add("signed for another URL", "refuse: 401 signature_mismatch", {401}, "signature_mismatch",
        [](demo_case& c) { c.settings.tamper = "wrong-url"; });
    add("length-extension forgery", "refuse: 401 length_extension", {401}, "length_extension",
        [](demo_case& c) { c.settings.tamper = "length-extension"; });
    add("empty kore-signature header", "refuse: 401 unsigned_request", {401}, "unsigned_request", [](demo_case& c) {
        c.settings.tamper = "unsigned";
        // cpp-httplib 0.11 (Debian 12) drops header fields with an empty value before any
        // handler runs, so the receiver cannot tell "empty" from "absent". Still a 401.
        c.also_body = "missing_signature";
        c.note = " (cpp-httplib 0.11 drops empty headers)";
    });
    add("no kore-signature header", "refuse: 401 missing_signature", {401}, "missing_signature",
        [](demo_case& c) { c.settings.tamper = "missing"; });
    add("signature is not 64 hex digits", "refuse: 400 malformed_signature", {400}, "malformed_signature",
        [](demo_case& c) { c.settings.headers = {"kore-signature: sha256=not-a-signature"}; });
    add("two kore-signature headers", "refuse: 400 duplicate_signature", {400}, "duplicate_signature",
        [](demo_case& c) {
            c.settings.headers = {"kore-signature: " + std::string(64, '0'), "kore-signature: " + std::string(64, '1')};
        });
    add("100 kB body (limit 64 KiB)", "refuse: 413 body_too_large", {413}, "body_too_large",
        [](demo_case& c) { c.settings.body_size = 100000; });
    add("PUT instead of POST", "refuse: 405 method_not_allowed", {405}, "method_not_allowed",
        [](demo_case& c) { c.settings.method = "PUT"; });
    add("POST to another path", "refuse: 404 not_found", {404}, "not_found",
        [](demo_case& c) { c.settings.path_override = "/somewhere-else"; });
    return out;
}

// Response bodies are the receiver's: only printable ASCII reaches the terminal.
std::string printable(std::string_view text) {
    const auto unprintable = [](char c) { return c < 0x20 || c >= 0x7f; };
    std::string out(text.substr(0, 80));
    std::replace_if(out.begin(), out.end(), unprintable, '?');
    return out;
}

std::string reason(const std::vector<http::response>& responses, const std::vector<seen>& seen_list) {
    std::string out;
    for (std::size_t i = 0; i < responses.size(); ++i) {
        std::string one;
        if (responses[i].status == 204 && i < seen_list.size() && seen_list[i].verified) {
            const seen& s = seen_list[i];
            one = s.duplicate ? "same digest as before: skipped" : "verified";
            if (!s.duplicate && s.secret_index == 1) {
                one += " with the Pending secret";
            }
            if (!s.duplicate && s.json_normalized) {
                one += " once JSON whitespace was removed";
            }
        } else {
            one = responses[i].body.empty() ? "(no body)" : printable(responses[i].body);
        }
        out += (out.empty() ? "" : "; ") + one;
    }
    return out;
}

}  // namespace

int run_demo(const demo_command& command, std::ostream& out, std::ostream& err) {
    const std::size_t wanted_port = command.port;
    const std::string active = sid("");
    const std::string pending = sid("");
    const std::string unknown = sid("");
    kore::webhook::options opts;
    opts.max_body_size = 64 * 1024;
    const kore::webhook::verifier verifier(std::vector<std::string>{active, pending}, opts);

    httplib::Server server;
    int port = -1;
    if (wanted_port == 0) {
        port = server.bind_to_any_port("127.0.0.1");
    } else if (server.bind_to_port("127.0.0.1", static_cast<int>(wanted_port))) {
        port = static_cast<int>(wanted_port);
    }
    if (port <= 0) {
        throw io_error("the demo receiver cannot listen on 127.0.0.1" +
                       (wanted_port ? ":" + std::to_string(wanted_port) : std::string()));
    }
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/kore/callback";

    delivery_log seen_log;
    kore::webhook::adapters::route_config route;
    route.registered_url = url;
    // Every verified callback is acknowledged (204, the route's default); the observer records
    // each answered request, and does the replay check a receiver's application does.
    route.on_answer = [&seen_log](const kore::webhook::adapters::answered_request& answered) {
        seen s;
        s.status = answered.status;
        if (answered.verdict != nullptr && answered.verdict->verified()) {
            s.verified = true;
            s.secret_index = answered.verdict->secret_index();
            s.json_normalized = answered.verdict->json_normalized();
            s.duplicate = !seen_log.first_time(answered.verdict->replay_key());
        }
        seen_log.add(s);
    };
    kore::webhook::adapters::httplib::mount_route(server, verifier, std::move(route));
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.status == 404 && res.body.empty()) {
            res.set_content("not_found", "text/plain");
        }
    });
    std::thread listener([&server] { server.listen_after_bind(); });
    while (!server.is_running()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    struct stopper {
        httplib::Server& s;
        std::thread& t;
        ~stopper() {
            s.stop();
            t.join();
        }
    } stop_on_exit{server, listener};

    out << "kore-webhook demo: receiver on " << url << "\n"
        << "  cpp-httplib + " << version_text()
        << " (the library's httplib route helper), two random secrets (Active, Pending), body limit 64 KiB\n\n";
    const int w_case = 38;  // the table's columns: case, must, got; then the reason
    const int w_must = 34;
    const int w_got = 10;
    out << std::left << std::setw(w_case + 4) << " #  case" << std::setw(w_must) << "a correct receiver must"
        << std::setw(w_got) << "got"
        << "reason\n";

    std::ostream quiet(nullptr);
    std::size_t right = 0;
    const auto all = cases(url);
    for (std::size_t i = 0; i < all.size(); ++i) {
        const demo_case& c = all[i];
        const std::string& key = c.secret == demo_case::key::active    ? active
                                 : c.secret == demo_case::key::pending ? pending
                                                                       : unknown;
        seen_log.take();  // forget what came before this case
        std::string got;
        std::string why;
        bool ok = false;
        try {
            const send_plan plan = make_plan(c.settings, key, std::time(nullptr));
            std::vector<http::response> responses;
            for (auto& d : deliver(plan, quiet)) {
                responses.push_back(std::move(d.response));
            }
            const std::vector<seen> seen_now = seen_log.take();
            ok = responses.size() == c.statuses.size();
            for (std::size_t r = 0; r < responses.size(); ++r) {
                got += (got.empty() ? "" : ", ") + std::to_string(responses[r].status);
                ok = ok && responses[r].status == c.statuses[r];
            }
            const std::string& answer = responses.empty() ? std::string() : responses.back().body;
            ok = ok && (c.body.empty() || answer == c.body || (!c.also_body.empty() && answer == c.also_body));
            if (c.expect_duplicate) {
                ok = ok && seen_now.size() == 2 && !seen_now[0].duplicate && seen_now[1].duplicate;
            } else {
                for (const auto& s : seen_now) {
                    ok = ok && !s.duplicate;
                }
            }
            why = reason(responses, seen_now);
            if (!c.also_body.empty() && answer == c.also_body) {
                why += c.note;
            }
        } catch (const std::exception& e) {
            got = "error";
            why = e.what();
        }
        right += ok ? 1 : 0;
        out << std::right << std::setw(2) << i + 1 << "  " << std::left << std::setw(w_case) << c.name
            << std::setw(w_must) << c.must << std::setw(w_got) << got << why << (ok ? "" : "   <-- WRONG") << "\n";
    }
    out << "\n" << right << " of " << all.size() << " verdicts right.";
    if (right == all.size()) {
        out << " Next: `kore-webhook send --help` to fire these at your own receiver,\n"
               "`kore-webhook verify --explain` when one of your callbacks is refused.\n";
    } else {
        out << "\n";
        err << "demo: " << all.size() - right << " verdict(s) wrong\n";
    }
    return right == all.size() ? 0 : 1;
}

void define_demo(command& c, demo_runner demo) {
    c.describe("demo", "start a local receiver and show it accepting genuine and refusing forged callbacks",
               "Starts a KORE callback receiver on 127.0.0.1 (cpp-httplib + kore-webhook's httplib route helper)\n"
               "configured with two random secrets (Active and Pending), sends it genuine callbacks and\n"
               "forged or broken ones, and prints a table: each case, what a correct receiver must do, what\n"
               "happened and why. Nothing leaves this machine; no secret is printed.",
               "Exit status: 0 every verdict was right; 1 a verdict was wrong; 2 the receiver could not start.");
    auto args = std::make_shared<demo_command>();
    c.number("--port", 65535, "N", "listen on this port (default: any free port)",
             [args](std::size_t n) { args->port = n; });
    c.runs([args, demo](std::ostream& out, std::ostream& err) {
        if (demo == nullptr) {
            throw usage_error("this build of kore-webhook has no demo");
        }
        return demo(*args, out, err);
    });
}

}  // namespace kore_cli
