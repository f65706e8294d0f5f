#ifndef KORE_WEBHOOK_EXAMPLES_KORE_EXAMPLE_HPP
#define KORE_WEBHOOK_EXAMPLES_KORE_EXAMPLE_HPP

// What the six server examples share: settings from the environment (a missing secret or URL
// stops the program with exit code 2), and the route configuration whose callback handler puts
// every verified callback through the replay guard (memory, or Redis with KORE_WEBHOOK_REDIS).
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
#include <kore/webhook/replay_guard_memory.hpp>
#ifdef KORE_WEBHOOK_EXAMPLE_REDIS
#include <kore/webhook/replay_guard_redis.hpp>
#endif

#include <pthread.h>
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kore_example {

struct settings {
    std::vector<std::string> secrets;  // Active, then Pending
    std::string url;                   // as registered: what the signature covers
    std::uint16_t port = 8080;
    std::string tls_cert, tls_key;  // both set: HTTPS
    std::string redis;              // host:port, or empty: memory
};

[[noreturn]] inline void refuse(const char* program, const std::string& why) {
    std::fprintf(stderr, "%s: %s\n", program, why.c_str());
    std::exit(2);
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
        switch (claim.status()) {
            case kore::webhook::replay_status::fresh:
                break;
            case kore::webhook::replay_status::duplicate:
                return {200, "duplicate"};
            case kore::webhook::replay_status::in_progress:
                return {423, "in_progress"};
            default:
                return {503, "replay_store_unavailable"};
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

}  // namespace kore_example

#endif
