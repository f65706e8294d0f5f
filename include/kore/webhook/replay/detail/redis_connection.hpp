#ifndef KORE_WEBHOOK_REPLAY_DETAIL_REDIS_CONNECTION_HPP
#define KORE_WEBHOOK_REPLAY_DETAIL_REDIS_CONNECTION_HPP

// hiredis, owned: RAII for contexts and replies, one binary-safe command bounded by a deadline,
// and a connection that is set up (keep-alive, AUTH, SELECT) before anyone uses it. Only the
// synchronous calls are used, which call back into no C++ code, so no exception can cross a C
// frame. Every call used here has the same signature in hiredis 0.14 and 1.x (docs/replay.md).

#include <kore/webhook/detail/c_handle.hpp>
#include <kore/webhook/errors.hpp>

#include <hiredis/hiredis.h>
#include <sys/socket.h>

#if !defined(HIREDIS_MAJOR) || (HIREDIS_MAJOR == 0 && HIREDIS_MINOR < 14)
#error "kore-webhook: the Redis replay store needs hiredis 0.14 or later"
#endif
#include <sys/time.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace kore::webhook::detail {

using redis_context_ptr = c_handle<redisContext, &redisFree>;
using redis_reply_ptr = c_handle<redisReply, &freeReplyObject>;

using redis_clock = std::chrono::steady_clock;

inline timeval to_timeval(std::chrono::microseconds d) noexcept {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(d.count() / 1'000'000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>(d.count() % 1'000'000);
    return tv;
}

// The time left until `deadline`, or zero when it has passed.
inline std::chrono::microseconds time_left(redis_clock::time_point deadline) noexcept {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - redis_clock::now());
    return left.count() > 0 ? left : std::chrono::microseconds(0);
}

// Bounds the next blocking read or write of `c` by the time left until `deadline`. The socket's
// own timeouts, not hiredis's: redisSetTimeout allocates in 1.x, and hiredis's blocking
// redisGetReply would apply one timeout per read, so a reply trickled a byte at a time (or a bulk
// reply that never ends) could hold a command for ever. False when the deadline has passed.
inline bool bound_next_io(redisContext* c, redis_clock::time_point deadline) noexcept {
    const std::chrono::microseconds left = time_left(deadline);
    if (left.count() == 0) {
        return false;
    }
    const timeval tv = to_timeval(left);  // never zero, which would mean "no timeout"
    return ::setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
           ::setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0;
}

// Sends one command and reads its whole reply, all before `deadline`. Null when the connection
// failed (I/O error, EOF, a protocol error, the deadline): the context is then unusable and must
// be dropped.
template <std::size_t N>
redis_reply_ptr redis_command(redisContext* c, const std::array<std::string_view, N>& args,
                              redis_clock::time_point deadline) noexcept {
    std::array<const char*, N> argv{};
    std::array<std::size_t, N> lengths{};
    for (std::size_t i = 0; i < N; ++i) {
        argv[i] = args[i].data();
        lengths[i] = args[i].size();
    }
    if (redisAppendCommandArgv(c, static_cast<int>(N), argv.data(), lengths.data()) != REDIS_OK) {
        return nullptr;
    }
    int written = 0;
    while (written == 0) {
        if (!bound_next_io(c, deadline) || redisBufferWrite(c, &written) != REDIS_OK) {
            return nullptr;
        }
    }
    while (true) {
        void* reply = nullptr;
        if (redisGetReplyFromReader(c, &reply) != REDIS_OK) {
            return nullptr;
        }
        if (reply != nullptr) {
            return redis_reply_ptr(static_cast<redisReply*>(reply));
        }
        if (!bound_next_io(c, deadline) || redisBufferRead(c) != REDIS_OK) {
            return nullptr;
        }
    }
}

inline bool is_error_reply(const redisReply& r, std::string_view prefix) noexcept {
    return r.type == REDIS_REPLY_ERROR && std::string_view(r.str, r.len).substr(0, prefix.size()) == prefix;
}

// Redis's own words in an error reply ("NOPERM this user has no permissions ..."), for logs: the
// first line, printable ASCII only, at most 200 bytes, and without the arguments that an
// unknown-command error echoes (they could be a password sent with AUTH).
inline std::string redis_error_text(const redisReply& r) {
    std::string_view text(r.str != nullptr ? r.str : "", r.str != nullptr ? r.len : 0);
    text = text.substr(0, text.find_first_of("\r\n"));
    text = text.substr(0, text.find(", with args beginning with"));
    text = text.substr(0, 200);
    std::string out(text);
    for (char& ch : out) {
        if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7e) {
            ch = '?';
        }
    }
    return out;
}

// Why a command got no reply, after redis_command returned null.
inline std::string redis_failure_text(const redisContext& c, redis_clock::time_point deadline) {
    if (time_left(deadline).count() == 0) {
        return "no complete reply before the deadline";
    }
    return c.err != 0 ? std::string("connection failed: ") + static_cast<const char*>(c.errstr)
                      : std::string("connection failed");
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

// A connection ready for commands, opened and set up before `deadline` (connecting takes
// connect_timeout at most), or null with the reason in `error` and in words in `why`:
// store_unavailable when Redis cannot be reached in time, store_refused when it answers AUTH or
// SELECT with an error.
inline redis_context_ptr redis_connect(const redis_endpoint& to, redis_clock::time_point deadline,
                                       std::error_code& error, std::string& why) {
    error = make_error_code(replay_errc::store_unavailable);
    std::chrono::microseconds connect_limit = time_left(deadline);
    if (connect_limit > to.connect_timeout) {
        connect_limit = to.connect_timeout;
    }
    if (connect_limit.count() == 0) {
        why = "no time left to connect before the deadline";
        return nullptr;
    }
    const timeval connect_timeout = to_timeval(connect_limit);
    redis_context_ptr c(to.unix_socket.empty() ? redisConnectWithTimeout(to.host.c_str(), to.port, connect_timeout)
                                               : redisConnectUnixWithTimeout(to.unix_socket.c_str(), connect_timeout));
    if (!c) {
        why = "cannot connect: out of memory";
        return nullptr;
    }
    if (c->err != 0) {
        why = std::string("cannot connect: ") + static_cast<const char*>(c->errstr);
        return nullptr;
    }
    if (to.unix_socket.empty()) {
        // Notices a peer that vanished without closing (a crashed host) on idle pooled connections.
        static_cast<void>(redisEnableKeepAlive(c.get()));
    }
    const auto setup = [&](std::string_view command, redis_reply_ptr reply) {
        if (!reply) {
            why = std::string(command) + ": " + redis_failure_text(*c, deadline);
            return false;
        }
        if (!is_ok_status(*reply)) {
            error = make_error_code(replay_errc::store_refused);
            why = std::string(command) + " refused: " +
                  (reply->type == REDIS_REPLY_ERROR ? redis_error_text(*reply) : std::string("unexpected reply"));
            return false;
        }
        return true;
    };
    if (!to.password.empty()) {
        const bool authenticated =
            to.username.empty()
                ? setup("AUTH", redis_command(c.get(), std::array<std::string_view, 2>{"AUTH", to.password}, deadline))
                : setup("AUTH",
                        redis_command(c.get(), std::array<std::string_view, 3>{"AUTH", to.username, to.password},
                                      deadline));
        if (!authenticated) {
            return nullptr;
        }
    }
    if (!to.database.empty() &&
        !setup("SELECT", redis_command(c.get(), std::array<std::string_view, 2>{"SELECT", to.database}, deadline))) {
        return nullptr;
    }
    error.clear();
    return c;
}

}  // namespace kore::webhook::detail

#endif
