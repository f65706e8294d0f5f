#ifndef KORE_WEBHOOK_EXAMPLES_CONFIG_HPP
#define KORE_WEBHOOK_EXAMPLES_CONFIG_HPP

// The examples' configuration, from the environment. A missing or wrong value ends the program
// with status 2 and a message that names the variable (never a secret's value).
//
//   KORE_WEBHOOK_SECRET           required: the webhook secret from the KORE console
//   KORE_WEBHOOK_SECRET_NEXT      optional: the Pending secret during a rotation
//   KORE_WEBHOOK_URL              required: the callback URL exactly as registered with KORE
//   PORT                          listen on 127.0.0.1:PORT (default 8080; 0 picks a free port)
//   KORE_WEBHOOK_ALLOW_GET_QUERY  "1": accept GET callbacks whose query is unsigned (spec 3.5)
//   KORE_WEBHOOK_ALLOW_UNREGISTERED_QUERY
//                                 "1": accept requests whose query is not the registered URL's
//                                 (the application never reads the query)
//   KORE_WEBHOOK_TLS_CERT, KORE_WEBHOOK_TLS_KEY
//                                 PEM files: serve HTTPS (both or neither)
//   KORE_WEBHOOK_REDIS            host:port: the replay guard's records in Redis, shared by a
//                                 fleet (default: in this process's memory)
//   KORE_WEBHOOK_REDIS_PASSWORD   optional: Redis AUTH password
//   KORE_WEBHOOK_CONTROL_PATH     a path answered 204 without verifying (load tests measure the
//                                 server against it; never set it in production)
//   KORE_WEBHOOK_FAIL_PROCESSING  for tests: "always", or N: the first N processings fail (500)
//   KORE_WEBHOOK_PROCESSING_DELAY_MS
//                                 for tests: processing takes this long (0..60000), so that a
//                                 second delivery meanwhile finds the callback in progress (423)

#include "tls_files.hpp"

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/route.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kore_example {

struct redis_address {
    std::string host;
    int port = 6379;
    std::string password;  // empty: no AUTH
};

struct config {
    std::vector<std::string> secrets;  // Active first, then Pending
    std::string registered_url;        // what the signature covers
    std::string route;                 // the registered URL's path: where the receiver listens
    std::uint16_t port = 8080;
    kore::webhook::options options;
    std::optional<tls_files> tls;        // set: serve HTTPS
    std::optional<redis_address> redis;  // set: the replay store is Redis; else memory
    std::string control_path;            // not empty: the control route (204, nothing verified)
    // Test hooks: how many processings fail (-1: all of them), and how long one takes.
    long fail_processing = 0;
    std::chrono::milliseconds processing_delay{0};
};

inline constexpr long fail_always = -1;

[[noreturn]] inline void fail_config(std::string_view program, std::string_view message) {
    std::cerr << program << ": " << message << '\n';
    std::exit(2);
}

inline const char* env(const char* name) {
    const char* value = std::getenv(name);
    return (value != nullptr && *value != '\0') ? value : nullptr;
}

// A whole decimal number in [low, high], or nothing.
inline std::optional<long> parse_number(std::string_view text, long low, long high) {
    if (text.empty() || text.size() > 9) {
        return std::nullopt;
    }
    long value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    if (value < low || value > high) {
        return std::nullopt;
    }
    return value;
}

// "host:port", or "[v6 address]:port".
inline std::optional<redis_address> parse_redis_address(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return std::nullopt;
    }
    std::string_view host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    const auto port = parse_number(text.substr(colon + 1), 1, 65535);
    if (host.empty() || !port) {
        return std::nullopt;
    }
    redis_address address;
    address.host = std::string(host);
    address.port = static_cast<int>(*port);
    return address;
}

inline void load_tls(std::string_view program, config& c) {
    const char* cert = env("KORE_WEBHOOK_TLS_CERT");
    const char* key = env("KORE_WEBHOOK_TLS_KEY");
    if (cert == nullptr && key == nullptr) {
        return;
    }
    if (cert == nullptr || key == nullptr) {
        fail_config(program, cert == nullptr ? "KORE_WEBHOOK_TLS_KEY is set without KORE_WEBHOOK_TLS_CERT: give both "
                                               "PEM files to serve HTTPS, or neither"
                                             : "KORE_WEBHOOK_TLS_CERT is set without KORE_WEBHOOK_TLS_KEY: give both "
                                               "PEM files to serve HTTPS, or neither");
    }
    tls_files files;
    const std::string problem = load_tls_files(cert, key, files);
    if (!problem.empty()) {
        fail_config(program, problem);
    }
    c.tls = std::move(files);
}

inline void load_test_hooks(std::string_view program, config& c) {
    if (const char* fail = env("KORE_WEBHOOK_FAIL_PROCESSING")) {
        if (std::string_view(fail) == "always") {
            c.fail_processing = fail_always;
        } else if (const auto count = parse_number(fail, 0, 999'999'999)) {
            c.fail_processing = *count;
        } else {
            fail_config(program, "KORE_WEBHOOK_FAIL_PROCESSING must be \"always\" or a number of processings to fail");
        }
    }
    if (const char* delay = env("KORE_WEBHOOK_PROCESSING_DELAY_MS")) {
        const auto ms = parse_number(delay, 0, 60'000);
        if (!ms) {
            fail_config(program, "KORE_WEBHOOK_PROCESSING_DELAY_MS must be a number of milliseconds from 0 to 60000");
        }
        c.processing_delay = std::chrono::milliseconds(*ms);
    }
}

// Reads the environment; a missing secret or URL, or a value that cannot work, ends the program
// with status 2.
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
        const auto value = parse_number(port, 0, 65535);
        if (!value) {
            fail_config(program, "PORT must be a number from 0 to 65535");
        }
        c.port = static_cast<std::uint16_t>(*value);
    }
    if (const char* allow = env("KORE_WEBHOOK_ALLOW_GET_QUERY")) {
        c.options.allow_get_query = std::string_view(allow) == "1";
    }
    if (const char* allow = env("KORE_WEBHOOK_ALLOW_UNREGISTERED_QUERY")) {
        c.options.allow_unregistered_query = std::string_view(allow) == "1";
    }
    load_tls(program, c);
    if (const char* redis = env("KORE_WEBHOOK_REDIS")) {
        c.redis = parse_redis_address(redis);
        if (!c.redis) {
            fail_config(program, "KORE_WEBHOOK_REDIS must be host:port (port 1..65535), e.g. 127.0.0.1:6379");
        }
        if (const char* password = env("KORE_WEBHOOK_REDIS_PASSWORD")) {
            c.redis->password = password;
        }
    }
    if (const char* control = env("KORE_WEBHOOK_CONTROL_PATH")) {
        c.control_path = control;
        if (c.control_path.front() != '/' || c.control_path.find_first_of("?#") != std::string::npos ||
            c.control_path == c.route) {
            fail_config(program,
                        "KORE_WEBHOOK_CONTROL_PATH must be a path starting with '/', without a query, other than "
                        "the registered URL's path");
        }
    }
    load_test_hooks(program, c);
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

}  // namespace kore_example

#endif
