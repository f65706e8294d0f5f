#ifndef KORE_WEBHOOK_EXAMPLES_COMMON_HPP
#define KORE_WEBHOOK_EXAMPLES_COMMON_HPP

// What the six server examples share, so that they behave alike: the configuration from the
// environment (config.hpp: every variable is listed there), TLS files checked the same way
// (tls_files.hpp), the replay-guarded receiver (receiver.hpp), one log line per request
// (request_log.hpp), the "listening on" line, and waiting for SIGTERM/SIGINT.
//
// Each example, whatever its server:
//
//   const kore_example::config config = kore_example::load_config(name);
//   const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);
//   kore_example::receiver receiver(name, config);
//   const auto route = kore_example::make_route_config(name, config, receiver);
//
// then hands `route` to the server's route helper (cpp-httplib, Pistache, POCO), or, where it
// reads the body itself (Beast through verifying_body, CivetWeb, libmicrohttpd), answers with
// kore::webhook::adapters::answer_judged(route, {method, path, content_type, token}, verdict, body),
// which calls the receiver and logs the line. Requests the route never sees are logged with
// log_request (404, 405) or log_control (the control route).

#include "config.hpp"
#include "receiver.hpp"
#include "request_log.hpp"
#include "tls_files.hpp"

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/callback.hpp>
#include <kore/webhook/adapters/route.hpp>

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <array>
#include <cstdio>
#include <string_view>

namespace kore_example {

// Raises the soft limit on open files to the hard one, as servers commonly do: every connection
// is a descriptor, and the usual soft limit (1024) is below what the thread-per-connection and
// asynchronous examples are sized for.
inline void raise_file_limit() {
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
}

// What an example reads a body it does not verify into (the control route's, a refused one being
// discarded). Declared without an initializer: every read writes it before it is looked at, and
// zeroing it would cost a 16 KiB memset a request.
using scratch_piece = std::array<char, 16 * 1024>;

// Printed once the socket listens (with or without TLS); the end-to-end test and
// tools/load-test.py wait for exactly this line.
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

// The line for a request the route answered (refused, or handled by the receiver).
inline void log_answer(std::string_view server, const kore::webhook::adapters::answered_request& answered) {
    if (!answered.reason.empty()) {  // refused by the route, or the handler failed
        const std::string_view outcome = answered.status >= 500 ? outcome_failed : outcome_refused;
        log_line(server, answered.method, answered.path, answered.status, outcome, answered.reason);
    } else {
        log_line(server, answered.method, answered.path, answered.status, receiver::outcome_of(answered.status));
    }
}

// The line for a request to the control route.
inline void log_control(std::string_view server, std::string_view method, std::string_view path) {
    log_line(server, method, path, 204, outcome_control);
}

// The route configuration every example uses: verified callbacks go to the receiver, every
// answer is logged. `receiver` must outlive the server.
inline kore::webhook::adapters::route_config make_route_config(std::string_view server, const config& c,
                                                               receiver& callbacks) {
    kore::webhook::adapters::route_config route;
    route.registered_url = c.registered_url;
    route.on_callback = [&callbacks](const kore::webhook::adapters::verified_callback& callback) {
        return callbacks.handle(callback);
    };
    route.on_answer = [server](const kore::webhook::adapters::answered_request& answered) {
        log_answer(server, answered);
    };
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
