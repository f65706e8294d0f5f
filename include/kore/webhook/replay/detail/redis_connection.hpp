#ifndef KORE_WEBHOOK_REPLAY_DETAIL_REDIS_CONNECTION_HPP
#define KORE_WEBHOOK_REPLAY_DETAIL_REDIS_CONNECTION_HPP

// hiredis, owned: RAII for contexts and replies, one binary-safe command, and a connection that
// is set up (timeouts, keep-alive, AUTH, SELECT) before anyone uses it. Only the synchronous API
// is used, which calls back into no C++ code, so no exception can cross a C frame.

#include <kore/webhook/replay_errors.hpp>

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace kore::webhook::detail {

struct redis_context_deleter {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
};
using redis_context_ptr = std::unique_ptr<redisContext, redis_context_deleter>;

struct redis_reply_deleter {
    void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using redis_reply_ptr = std::unique_ptr<redisReply, redis_reply_deleter>;

inline timeval to_timeval(std::chrono::milliseconds d) noexcept {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(d.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((d.count() % 1000) * 1000);
    return tv;
}

// Sends one command and waits for its reply. Null when the connection failed (I/O error, EOF,
// timeout): the context is then unusable and must be dropped.
template <std::size_t N>
redis_reply_ptr redis_command(redisContext* c, const std::array<std::string_view, N>& args) noexcept {
    std::array<const char*, N> argv{};
    std::array<std::size_t, N> lengths{};
    for (std::size_t i = 0; i < N; ++i) {
        argv[i] = args[i].data();
        lengths[i] = args[i].size();
    }
    return redis_reply_ptr(
        static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(N), argv.data(), lengths.data())));
}

inline bool is_error_reply(const redisReply& r, std::string_view prefix) noexcept {
    return r.type == REDIS_REPLY_ERROR && std::string_view(r.str, r.len).substr(0, prefix.size()) == prefix;
}

inline bool is_ok_status(const redisReply& r) noexcept {
    return r.type == REDIS_REPLY_STATUS && std::string_view(r.str, r.len) == "OK";
}

struct redis_endpoint {
    std::string host;
    int port = 0;
    std::string unix_socket;  // used instead of host:port when not empty
    std::string username;
    std::string password;
    std::string database;  // the SELECT argument, or empty to stay on database 0
    std::chrono::milliseconds connect_timeout{};
    std::chrono::milliseconds command_timeout{};
};

// A connection ready for commands, or null with the reason in `error`: store_unavailable when
// Redis cannot be reached, store_refused when it answers AUTH or SELECT with an error.
inline redis_context_ptr redis_connect(const redis_endpoint& to, std::error_code& error) noexcept {
    const timeval connect_timeout = to_timeval(to.connect_timeout);
    redis_context_ptr c(to.unix_socket.empty() ? redisConnectWithTimeout(to.host.c_str(), to.port, connect_timeout)
                                               : redisConnectUnixWithTimeout(to.unix_socket.c_str(), connect_timeout));
    if (!c || c->err != 0 || redisSetTimeout(c.get(), to_timeval(to.command_timeout)) != REDIS_OK) {
        error = make_error_code(replay_errc::store_unavailable);
        return nullptr;
    }
    if (to.unix_socket.empty()) {
        // Notices a peer that vanished without closing (a crashed host) on idle pooled connections.
        static_cast<void>(redisEnableKeepAlive(c.get()));
    }
    const auto setup = [&](redis_reply_ptr reply) {
        if (!reply) {
            error = make_error_code(replay_errc::store_unavailable);
            return false;
        }
        if (!is_ok_status(*reply)) {
            error = make_error_code(replay_errc::store_refused);
            return false;
        }
        return true;
    };
    if (!to.password.empty()) {
        const bool authenticated =
            to.username.empty()
                ? setup(redis_command(c.get(), std::array<std::string_view, 2>{"AUTH", to.password}))
                : setup(redis_command(c.get(), std::array<std::string_view, 3>{"AUTH", to.username, to.password}));
        if (!authenticated) {
            return nullptr;
        }
    }
    if (!to.database.empty() &&
        !setup(redis_command(c.get(), std::array<std::string_view, 2>{"SELECT", to.database}))) {
        return nullptr;
    }
    error.clear();
    return c;
}

}  // namespace kore::webhook::detail

#endif
