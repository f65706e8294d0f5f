#ifndef KORE_WEBHOOK_EXAMPLES_KORE_EXAMPLE_HPP
#define KORE_WEBHOOK_EXAMPLES_KORE_EXAMPLE_HPP

// What the six server examples share: settings from the environment (a missing secret or URL
// stops the program with exit code 2), the route configuration whose callback handler puts every
// verified callback through the replay guard (memory, or Redis with KORE_WEBHOOK_REDIS), all of it
// built at once by `receiver`, and the few pieces the servers without a router (CivetWeb,
// libmicrohttpd) need to route and answer.
//
//   KORE_WEBHOOK_SECRET, KORE_WEBHOOK_URL   required: the secret and the URL registered with KORE
//   KORE_WEBHOOK_SECRET_NEXT                 optional: the Pending secret during a rotation
//   PORT                                     127.0.0.1:PORT (default 8080; 0 picks a free port)
//   KORE_WEBHOOK_TLS_CERT, KORE_WEBHOOK_TLS_KEY   PEM files: serve HTTPS
//   KORE_WEBHOOK_REDIS                       host:port: replay records in Redis, shared by a fleet

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/callback.hpp>
#include <kore/webhook/adapters/route.hpp>
#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/replay_guard_async.hpp>
#include <kore/webhook/replay_guard_memory.hpp>
#ifdef KORE_WEBHOOK_EXAMPLE_REDIS
#include <kore/webhook/replay_guard_redis.hpp>
#endif

#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kore_example {

struct settings {
    std::vector<std::string> secrets;  // Active, then Pending
    std::string url;                   // as registered: what the signature covers
    std::uint16_t port = 8080;
    std::string tls_cert, tls_key;  // both set: HTTPS
    std::string redis;              // host:port, or empty: memory
};

// A setting the program cannot start with: exit code 2.
[[noreturn]] inline void refuse(const char* program, const std::string& why) {
    std::fprintf(stderr, "%s: %s\n", program, why.c_str());
    std::exit(2);
}

// A failure once configured (the port taken, the server's own error): main() returns this, 1.
inline int fail(const char* program, const std::string& why) {
    std::fprintf(stderr, "%s: %s\n", program, why.c_str());
    return 1;
}

inline std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

inline settings read_settings(const char* program) {
    settings s;
    for (const char* name : {"KORE_WEBHOOK_SECRET", "KORE_WEBHOOK_URL"}) {
        if (env(name).empty()) {
            refuse(program, std::string(name) +
                                " is not set: give the webhook secret and the callback URL "
                                "exactly as registered with KORE");
        }
    }
    s.secrets.push_back(env("KORE_WEBHOOK_SECRET"));
    if (!env("KORE_WEBHOOK_SECRET_NEXT").empty()) {
        s.secrets.push_back(env("KORE_WEBHOOK_SECRET_NEXT"));
    }
    s.url = env("KORE_WEBHOOK_URL");
    const std::string port = env("PORT").empty() ? "8080" : env("PORT");
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
        refuse(program, "PORT must be a number from 0 to 65535");
    }
    s.port = static_cast<std::uint16_t>(std::stoul(port));
    s.tls_cert = env("KORE_WEBHOOK_TLS_CERT");
    s.tls_key = env("KORE_WEBHOOK_TLS_KEY");
    if (s.tls_cert.empty() != s.tls_key.empty()) {
        refuse(program, "set both KORE_WEBHOOK_TLS_CERT and KORE_WEBHOOK_TLS_KEY to serve HTTPS, or neither");
    }
    s.redis = env("KORE_WEBHOOK_REDIS");
    return s;
}

inline kore::webhook::verifier make_verifier(const char* program, const settings& s) {
    kore::webhook::verifier v(s.secrets);
    if (v.start("POST", s.url).error() == kore::webhook::errc::invalid_url) {
        refuse(program, "KORE_WEBHOOK_URL must be an absolute http(s) URL, as registered with KORE");
    }
    return v;
}

// The replay store: Redis when KORE_WEBHOOK_REDIS is host:port, else this process's memory.
inline std::unique_ptr<kore::webhook::replay_store> make_store(const char* program, const settings& s) {
    if (s.redis.empty()) {
        return std::make_unique<kore::webhook::memory_replay_store>();
    }
#ifdef KORE_WEBHOOK_EXAMPLE_REDIS
    const auto colon = s.redis.rfind(':');
    const std::string port = colon == std::string::npos ? "" : s.redis.substr(colon + 1);
    if (colon == 0 || port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) {
        refuse(program, "KORE_WEBHOOK_REDIS must be host:port, e.g. 127.0.0.1:6379");
    }
    kore::webhook::redis_replay_store_options options;
    options.host = s.redis.substr(0, colon);
    options.port = std::stoi(port);
    return std::make_unique<kore::webhook::redis_replay_store>(std::move(options));
#else
    refuse(program, "KORE_WEBHOOK_REDIS is set, but this program was built without hiredis (libhiredis-dev)");
#endif
}

// Every verified callback through the guard: processed once (204), a redelivery 200, one being
// processed elsewhere 423 (KORE retries), the store down 503 (KORE retries; nothing unguarded).
inline kore::webhook::adapters::route_config make_route(const settings& s, kore::webhook::replay_guard& guard) {
    kore::webhook::adapters::route_config route;
    route.registered_url = s.url;
    route.on_callback =
        [&guard](const kore::webhook::adapters::verified_callback& c) -> kore::webhook::adapters::callback_reply {
        kore::webhook::replay_claim claim = guard.claim(c.method, c.verdict, c.idempotency_token);
        if (!claim.should_process()) {
            return {claim.http_status(), std::string(claim.status_name())};
        }
        // Process c.body (the verified raw bytes) here; on failure call claim.release() and
        // return 500, so that KORE's retry is processed.
        static_cast<void>(claim.commit());
        return 204;
    };
    // One line per answer on stderr (never the secret or the signature).
    route.on_answer = [](const kore::webhook::adapters::answered_request& a) {
        std::fprintf(stderr, "%.*s %.*s %d %.*s\n", static_cast<int>(a.method.size()), a.method.data(),
                     static_cast<int>(a.path.size()), a.path.data(), a.status, static_cast<int>(a.reason.size()),
                     a.reason.data());
    };
    return route;
}

// The same for an asynchronous server (examples/beast.cpp): the guard's calls run on async's
// threads, so the I/O thread never waits for Redis. `done(callback_reply)` is called once, from
// one of those threads after the commit, or at once with 503 when too many claims wait. `request`
// and `body` must stay valid until then.
template <class Done>
void process_async(kore::webhook::async_replay_guard& async, const kore::webhook::adapters::route_request& request,
                   const kore::webhook::result& verdict, std::string_view body, Done done) {
    auto claimed = [&async, body, done](kore::webhook::replay_claim claim) mutable {
        if (!claim.should_process()) {
            return done(kore::webhook::adapters::callback_reply(claim.http_status(), std::string(claim.status_name())));
        }
        static_cast<void>(body);  // process the verified raw bytes here, on this worker thread, then:
        async.commit(std::move(claim), [done = std::move(done)](std::error_code) mutable { done(204); });
    };
    if (!async.claim(request.method, verdict, request.idempotency_token, std::move(claimed))) {
        done(kore::webhook::adapters::callback_reply(503, "replay_guard_busy"));
    }
}

// Call first in main(), before the server starts threads: SIGTERM and SIGINT are then taken by
// wait_for_termination(), so the program stops its server and exits 0.
inline sigset_t block_termination() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

inline void wait_for_termination(const sigset_t& set) {
    int signal_number = 0;
    while (sigwait(&set, &signal_number) != 0) {
    }
}

// The line the tests and scripts wait for, once the socket listens.
inline void announce(unsigned port) {
    std::printf("listening on 127.0.0.1:%u\n", port);
    std::fflush(stdout);
}

// Everything a server example needs before it listens, made in the order it must be: signals
// blocked before any thread starts, then the settings, the verifier, the replay store and guard,
// and the route. Neither copied nor moved: the route's handler refers to the guard.
struct receiver {
    explicit receiver(const char* name)
        : program(name),
          termination(block_termination()),
          settings(read_settings(name)),
          verifier(make_verifier(name, settings)),
          store(make_store(name, settings)),
          guard(*store),
          route(make_route(settings, guard)),
          path(kore::webhook::adapters::route_path(settings.url)) {}
    receiver(const receiver&) = delete;
    receiver& operator=(const receiver&) = delete;

    const char* program;
    sigset_t termination;  // for wait_for_termination()
    kore_example::settings settings;
    kore::webhook::verifier verifier;
    std::unique_ptr<kore::webhook::replay_store> store;
    kore::webhook::replay_guard guard;
    kore::webhook::adapters::route_config route;
    std::string path;  // the route's: the registered URL's path, as registered
};

// The port cannot be listened on (taken, or not allowed): main() returns this, 1.
inline int cannot_listen(const receiver& app) {
    return fail(app.program, "cannot listen on 127.0.0.1:" + std::to_string(app.settings.port));
}

// Refuses a certificate the server cannot use (exit 2, saying why); nothing without one.
inline void refuse_https_unless(const receiver& app, bool supported, const std::string& why) {
    if (!app.settings.tls_cert.empty() && !supported) {
        refuse(app.program, "cannot serve HTTPS: " + why);
    }
}

// A file's whole text; exit 2 when it cannot be read.
inline std::string read_text(const char* program, const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    if (!(text << in.rdbuf())) {
        refuse(program, "cannot read " + path + " (KORE_WEBHOOK_TLS_CERT / KORE_WEBHOOK_TLS_KEY)");
    }
    return text.str();
}

// The certificate's and the key's PEM text, for a server that takes them as text (libmicrohttpd);
// both empty without HTTPS.
inline std::pair<std::string, std::string> read_tls_pem(const receiver& app) {
    if (app.settings.tls_cert.empty()) {
        return {};
    }
    return {read_text(app.program, app.settings.tls_cert), read_text(app.program, app.settings.tls_key)};
}

// 127.0.0.1:port, for a server that binds the address it is given (libmicrohttpd).
inline sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// The request as the route sees it, from a C server's strings (null when a header is absent).
inline kore::webhook::adapters::route_request request_of(const char* method, const char* path, const char* content_type,
                                                         const char* idempotency_token) {
    const auto text = [](const char* s) { return std::string_view(s != nullptr ? s : ""); };
    return {text(method), text(path), text(content_type), text(idempotency_token)};
}

// For a server without a router, before the body is read: 404 off the route's path, 405 for a
// method the route does not verify (both close the connection: the body stays unread); nothing
// when the request is the route's to verify.
inline std::optional<kore::webhook::adapters::route_answer> answer_off_route(
    const receiver& app, const kore::webhook::adapters::route_request& request) {
    if (request.path != app.path) {
        return kore::webhook::adapters::route_answer{404, "not_found", false, true};
    }
    if (!kore::webhook::adapters::route_verifies(request.method)) {
        return kore::webhook::adapters::answer_method_not_allowed(app.route, request);
    }
    return std::nullopt;
}

// An answer's header fields, besides its status and Content-Length.
inline std::vector<std::pair<std::string, std::string>> answer_headers(const kore::webhook::adapters::route_answer& a) {
    std::vector<std::pair<std::string, std::string>> fields;
    if (!a.body.empty()) {
        fields.emplace_back("Content-Type", "text/plain");
    }
    if (a.allow_header) {
        fields.emplace_back("Allow", std::string(kore::webhook::adapters::allowed_methods));
    }
    if (a.close_connection) {  // body bytes left unread: the connection cannot carry another request
        fields.emplace_back("Connection", "close");
    }
    return fields;
}

}  // namespace kore_example

#endif
