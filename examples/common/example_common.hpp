#ifndef KORE_WEBHOOK_EXAMPLES_COMMON_HPP
#define KORE_WEBHOOK_EXAMPLES_COMMON_HPP

// What the six server examples share, so that they behave alike: configuration from the
// environment, the route taken from the registered URL, one log line per request, the
// "listening on" line, and waiting for SIGTERM/SIGINT.
//
//   KORE_WEBHOOK_SECRET           required: the webhook secret from the KORE console
//   KORE_WEBHOOK_SECRET_NEXT      optional: the Pending secret during a rotation
//   KORE_WEBHOOK_URL              required: the callback URL exactly as registered with KORE
//   PORT                          listen on 127.0.0.1:PORT (default 8080; 0 picks a free port)
//   KORE_WEBHOOK_ALLOW_GET_QUERY  "1": accept GET callbacks whose query is unsigned (spec 3.5)
//   KORE_WEBHOOK_ALLOW_UNREGISTERED_QUERY
//                                 "1": accept requests whose query is not the registered URL's
//                                 (the application never reads the query)

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/callback.hpp>
#include <kore/webhook/adapters/route.hpp>

#include <pthread.h>
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace kore_example {

struct config {
    std::vector<std::string> secrets;  // Active first, then Pending
    std::string registered_url;        // what the signature covers
    std::string route;                 // the registered URL's path: where the receiver listens
    std::uint16_t port = 8080;
    kore::webhook::options options;
};

[[noreturn]] inline void fail_config(std::string_view program, std::string_view message) {
    std::cerr << program << ": " << message << '\n';
    std::exit(2);
}

inline const char* env(const char* name) {
    const char* value = std::getenv(name);
    return (value != nullptr && *value != '\0') ? value : nullptr;
}

// Reads the environment; a missing secret or URL, or a bad PORT, ends the program with status 2.
inline config load_config(std::string_view program) {
    config c;
    const char* secret = env("KORE_WEBHOOK_SECRET");
    if (secret == nullptr) {
        fail_config(program, "KORE_WEBHOOK_SECRET is not set: give the webhook secret from the KORE console");
    }
    c.secrets.emplace_back(secret);
    if (const char* next = env("KORE_WEBHOOK_SECRET_NEXT")) {
        c.secrets.emplace_back(next);
    }
    const char* url = env("KORE_WEBHOOK_URL");
    if (url == nullptr) {
        fail_config(program, "KORE_WEBHOOK_URL is not set: give the callback URL exactly as registered with KORE");
    }
    c.registered_url = url;
    c.route = kore::webhook::adapters::route_path(c.registered_url);
    if (const char* port = env("PORT")) {
        char* end = nullptr;
        const unsigned long value = std::strtoul(port, &end, 10);
        if (end == port || *end != '\0' || value > 65535) {
            fail_config(program, "PORT must be a number from 0 to 65535");
        }
        c.port = static_cast<std::uint16_t>(value);
    }
    if (const char* allow = env("KORE_WEBHOOK_ALLOW_GET_QUERY")) {
        c.options.allow_get_query = std::string_view(allow) == "1";
    }
    if (const char* allow = env("KORE_WEBHOOK_ALLOW_UNREGISTERED_QUERY")) {
        c.options.allow_unregistered_query = std::string_view(allow) == "1";
    }
    return c;
}

// The verifier for the configured secrets; a URL the verifier would refuse ends the program.
inline kore::webhook::verifier make_verifier(std::string_view program, const config& c) {
    kore::webhook::verifier v(c.secrets, c.options);
    if (v.start("POST", c.registered_url).error() == kore::webhook::errc::invalid_url) {
        fail_config(program, "KORE_WEBHOOK_URL must be an absolute http(s) URL, as registered with KORE");
    }
    return v;
}

// Printed once the socket listens; the end-to-end test waits for exactly this line.
inline void announce_listening(unsigned port) {
    std::printf("listening on 127.0.0.1:%u\n", port);
    std::fflush(stdout);
}

// Where a request goes, for the servers without a router (Beast, CivetWeb, libmicrohttpd): the
// receiver (POST or GET on the route), 405 (another method on the route), or 404 (another path).
// The route helpers of cpp-httplib, Pistache and POCO decide this themselves.
enum class route_match { receiver, method_not_allowed, not_found };

inline route_match match_route(std::string_view method, std::string_view path, std::string_view route) {
    if (path != route) {
        return route_match::not_found;
    }
    return kore::webhook::adapters::route_verifies(method) ? route_match::receiver : route_match::method_not_allowed;
}

inline constexpr std::string_view not_found_body = "not_found";

// Request data is attacker-chosen: only printable ASCII reaches the log, and not too much of it.
inline std::string printable(std::string_view text, std::size_t limit = 200) {
    std::string out;
    for (const char c : text.substr(0, limit)) {
        out.push_back((c >= 0x20 && c < 0x7f) ? c : '?');
    }
    if (text.size() > limit) {
        out.append("...");
    }
    return out;
}

// One line per request on stderr: method, path, status, verdict and error name. Never the
// secret, the signature or the body.
inline void log_request(std::string_view server, std::string_view method, std::string_view path, int status,
                        std::string_view error_name) {
    const std::string_view verdict = status == 204 ? "verified" : "refused";
    std::string line;
    line.append(server).append(": ").append(printable(method, 16)).append(" ").append(printable(path));
    line.append(" ").append(std::to_string(status)).append(" ").append(verdict);
    if (!error_name.empty() && status != 204) {
        line.append(" ").append(error_name);
    }
    line.push_back('\n');
    std::cerr << line << std::flush;
}

// The route helpers' observer: the same line for each request they answered.
inline kore::webhook::adapters::answer_observer request_logger(std::string_view server) {
    return [server](const kore::webhook::adapters::answered_request& answered) {
        log_request(server, answered.method, answered.path, answered.status, answered.reason);
    };
}

// The application's part, in these examples: acknowledge. A real receiver processes c.body here
// (the verified raw bytes), once per c.replay_key, and answers 5xx when it cannot, so that KORE
// delivers again.
inline kore::webhook::adapters::callback_reply acknowledge(const kore::webhook::adapters::verified_callback& c) {
    static_cast<void>(c);
    return 204;
}

// The route configuration the routed examples share.
inline kore::webhook::adapters::route_config make_route_config(std::string_view server, const config& c) {
    kore::webhook::adapters::route_config route;
    route.registered_url = c.registered_url;
    route.on_callback = acknowledge;
    route.on_answer = request_logger(server);
    return route;
}

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts afterwards, so that
// wait() receives them synchronously. Construct it first thing in main(), before any server
// starts its threads.
class termination_signals {
public:
    termination_signals() {
        sigemptyset(&set_);
        sigaddset(&set_, SIGTERM);
        sigaddset(&set_, SIGINT);
        pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    }
    // Returns the signal that arrived.
    int wait() const {
        int signal_number = 0;
        while (sigwait(&set_, &signal_number) != 0) {
        }
        return signal_number;
    }

private:
    sigset_t set_{};
};

}  // namespace kore_example

#endif
