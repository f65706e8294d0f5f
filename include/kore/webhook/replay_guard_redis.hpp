#ifndef KORE_WEBHOOK_REPLAY_GUARD_REDIS_HPP
#define KORE_WEBHOOK_REPLAY_GUARD_REDIS_HPP

// A replay store in Redis, shared by every receiver of a fleet: a callback is processed once in
// total, whichever receiver each delivery reaches. Needs hiredis 0.14 or later (Debian:
// libhiredis-dev; link `pkg-config hiredis`) and Redis 7.0 or later; only this header needs them.
//
//   kw::redis_replay_store_options o;  // host, port, key_prefix, username, password, timeouts
//   kw::redis_replay_store store(o);
//   std::string why;
//   if (auto e = store.ping(why)) { /* not ready: log e.message() and why */ }
//   kw::replay_guard guard(store);
//
// One round trip per claim (SET NX GET PX), one per commit or release (a Lua script by EVALSHA).
// One deadline bounds each operation: command_timeout, plus connect_timeout when it connects.
// Failures are store_unavailable or store_refused (503). Thread-safe: a pool of max_connections.
// docs/replay.md has the rest: keys, ACL, persistence, hiredis versions, fault figures.

#include <kore/webhook/detail/hex.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/replay/detail/redis_connection.hpp>
#include <kore/webhook/replay_guard.hpp>  // one include gives the guard and this store
#include <kore/webhook/replay_store.hpp>

#include <hiredis/hiredis.h>
#include <openssl/evp.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kore::webhook {

struct redis_replay_store_options {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string unix_socket;  // a Unix socket path, used instead of host and port when set
    std::string username;     // for a Redis ACL user; empty: AUTH with the password alone
    std::string password;     // sent with AUTH on each new connection when set; never logged
    int database = 0;
    // Put in front of every key; name the application and environment. Never put a secret in it.
    std::string key_prefix = "kore-webhook:replay:";
    std::chrono::milliseconds connect_timeout = std::chrono::milliseconds(250);
    std::chrono::milliseconds command_timeout = std::chrono::milliseconds(250);
    std::size_t max_connections = 8;
    std::chrono::milliseconds reconnect_backoff = std::chrono::milliseconds(100);
};

class redis_replay_store final : public replay_store {
public:
    // Connects lazily, on the first operation (use ping() to check Redis at startup). Throws
    // std::invalid_argument for options that cannot work, naming the option but not its value,
    // and what std::random_device throws when the system has no random source.
    explicit redis_replay_store(redis_replay_store_options options)
        : prefix_(std::move(options.key_prefix)),
          max_connections_(options.max_connections),
          backoff_(options.reconnect_backoff),
          commit_sha_(script_sha1(commit_script)),
          release_sha_(script_sha1(release_script)),
          identity_(random_identity()) {
        if (prefix_.empty()) {
            throw std::invalid_argument("kore-webhook: redis_replay_store key_prefix must not be empty");
        }
        for (const char c : prefix_) {
            if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
                throw std::invalid_argument(
                    "kore-webhook: redis_replay_store key_prefix must not contain spaces or control characters");
            }
        }
        if (options.unix_socket.empty() && (options.port <= 0 || options.port > 65535 || options.host.empty())) {
            throw std::invalid_argument("kore-webhook: redis_replay_store needs a host and a port in 1..65535");
        }
        if (options.connect_timeout.count() <= 0 || options.command_timeout.count() <= 0 ||
            options.reconnect_backoff.count() < 0) {
            throw std::invalid_argument(
                "kore-webhook: redis_replay_store timeouts must be positive (and the backoff not negative)");
        }
        if (max_connections_ == 0 || options.database < 0) {
            throw std::invalid_argument(
                "kore-webhook: redis_replay_store needs max_connections >= 1 and a database number >= 0");
        }
        endpoint_.host = std::move(options.host);
        endpoint_.port = options.port;
        endpoint_.unix_socket = std::move(options.unix_socket);
        endpoint_.username = std::move(options.username);
        endpoint_.password = std::move(options.password);
        endpoint_.database = options.database != 0 ? std::to_string(options.database) : std::string();
        endpoint_.connect_timeout = options.connect_timeout;
        endpoint_.command_timeout = options.command_timeout;
        idle_.reserve(max_connections_);
    }

    redis_replay_store(const redis_replay_store&) = delete;
    redis_replay_store& operator=(const redis_replay_store&) = delete;
    redis_replay_store(redis_replay_store&&) = delete;
    redis_replay_store& operator=(redis_replay_store&&) = delete;
    ~redis_replay_store() override = default;

    [[nodiscard]] replay_store::claim_result claim(const replay_digest& digest, const replay_store::claim_id& id,
                                                   std::string_view token,
                                                   std::chrono::milliseconds lease) noexcept override {
        replay_store::claim_result out;
        try {
            const std::string key = key_for(digest);
            const std::string owner = owner_of(id);
            std::string value = "c:" + owner + ":";
            value.append(token.substr(0, token_hint::max_size));
            const std::string lease_ms = milliseconds_text(lease);
            out.error = execute(out.diagnostic, [&](attempt& a) {
                const auto reply = detail::redis_command(
                    a.context, std::array<std::string_view, 7>{"SET", key, value, "NX", "GET", "PX", lease_ms},
                    a.deadline);
                if (!reply) {
                    return false;
                }
                a.error = read_claim(*reply, owner, out, a.diagnostic);
                return true;
            });
        } catch (...) {
            out.error = make_error_code(replay_errc::store_unavailable);
        }
        return out;
    }

    [[nodiscard]] std::error_code commit(const replay_digest& digest, const replay_store::claim_id& id,
                                         std::chrono::milliseconds remember_for) noexcept override {
        try {
            const std::string key = key_for(digest);
            const std::string owner = owner_of(id);
            const std::string ttl_ms = milliseconds_text(remember_for);
            std::string ignored;
            return execute(ignored, [&](attempt& a) {
                return run_script(a, commit_sha_, commit_script, key, {owner, ttl_ms});
            });
        } catch (...) {
            return make_error_code(replay_errc::store_unavailable);
        }
    }

    [[nodiscard]] std::error_code release(const replay_digest& digest,
                                          const replay_store::claim_id& id) noexcept override {
        try {
            const std::string key = key_for(digest);
            const std::string owner = owner_of(id);
            std::string ignored;
            return execute(ignored, [&](attempt& a) {
                return run_script(a, release_sha_, release_script, key, {owner, ""});
            });
        } catch (...) {
            return make_error_code(replay_errc::store_unavailable);
        }
    }

    // Proves that this store can work, for a start-up or readiness check: Redis answers (AUTH and
    // SELECT included), knows SET ... NX GET (7.0+), and lets this user claim and release a key
    // under key_prefix (key_prefix + "probe:" + a unique id, never a digest's key), by the very
    // commands claim() and release() send. A PING alone passes with a prefix the ACL forbids.
    // On failure, `diagnostic` says why, in Redis's own words when it gave any ("NOPERM ...").
    [[nodiscard]] std::error_code ping(std::string& diagnostic) noexcept {
        try {
            const std::string owner = owner_of({identity_, probes_.fetch_add(1, std::memory_order_relaxed)});
            const std::string key = prefix_ + "probe:" + owner;
            const std::string value = "c:" + owner + ":probe";
            return execute(diagnostic, [&](attempt& a) {
                const auto claimed = detail::redis_command(
                    a.context, std::array<std::string_view, 7>{"SET", key, value, "NX", "GET", "PX", "10000"},
                    a.deadline);
                if (!claimed) {
                    return false;
                }
                replay_store::claim_result found;
                a.error = read_claim(*claimed, owner, found, a.diagnostic);
                if (a.error) {
                    return true;
                }
                return run_script(a, release_sha_, release_script, key, {owner, ""});
            });
        } catch (...) {
            return make_error_code(replay_errc::store_unavailable);
        }
    }
    [[nodiscard]] std::error_code ping() noexcept {
        std::string ignored;
        return ping(ignored);
    }

    // The key a digest is stored under: key_prefix + lowercase hex digest.
    [[nodiscard]] std::string key_for(const replay_digest& digest) const {
        return prefix_ + detail::encode_hex(digest);
    }

    // Connections open or being opened now (at most max_connections).
    [[nodiscard]] std::size_t open_connections() const noexcept {
        const std::lock_guard<std::mutex> lock(mutex_);
        return open_;
    }

private:
    // ARGV[1] is the claim id (32 hex digits); a value is "c:" or "d:", the id, ":", the token.
    static constexpr std::string_view commit_script =
        "local v = redis.call('GET', KEYS[1])\n"
        "local done = 'd:' .. ARGV[1] .. ':'\n"
        "if v then\n"
        "  if string.sub(v, 3, 2 + #ARGV[1]) ~= ARGV[1] then return 0 end\n"
        "  done = 'd' .. string.sub(v, 2)\n"
        "end\n"
        "redis.call('SET', KEYS[1], done, 'PX', ARGV[2])\n"
        "return 1\n";
    static constexpr std::string_view release_script =
        "local v = redis.call('GET', KEYS[1])\n"
        "if not v then return 1 end\n"
        "if string.sub(v, 3, 2 + #ARGV[1]) ~= ARGV[1] then return 0 end\n"
        "if string.sub(v, 1, 1) == 'd' then return 2 end\n"
        "redis.call('DEL', KEYS[1])\n"
        "return 1\n";
    static constexpr std::size_t owner_size = 32;
    static constexpr std::size_t value_header_size = 2 + owner_size + 1;  // "c:" id ":"

    // Redis names a script by the SHA-1 of its text (EVALSHA); computed once, here.
    static std::string script_sha1(std::string_view script) {
        std::array<unsigned char, 20> sha{};
        std::size_t size = 0;
        if (EVP_Q_digest(nullptr, "SHA1", nullptr, script.data(), script.size(), sha.data(), &size) != 1 ||
            size != sha.size()) {
            throw std::runtime_error("kore-webhook: OpenSSL cannot compute SHA-1 (needed to name Redis scripts)");
        }
        return detail::encode_hex(sha);
    }

    static std::uint64_t random_identity() {
        std::random_device device;
        return (static_cast<std::uint64_t>(device()) << 32U) ^ static_cast<std::uint64_t>(device());
    }

    static std::string owner_of(const replay_store::claim_id& id) {
        std::array<unsigned char, 16> bytes{};
        for (std::size_t i = 0; i < 8; ++i) {
            bytes[i] = static_cast<unsigned char>(id.guard >> (56 - 8 * i));
            bytes[8 + i] = static_cast<unsigned char>(id.sequence >> (56 - 8 * i));
        }
        return detail::encode_hex(bytes);
    }

    static std::string milliseconds_text(std::chrono::milliseconds d) {
        return std::to_string(d.count() > 0 ? d.count() : 1);
    }

    // store_refused, with Redis's own words when the reply is an error.
    static std::error_code refused(const redisReply& reply, std::string& diagnostic) {
        diagnostic = reply.type == REDIS_REPLY_ERROR ? detail::redis_error_text(reply)
                                                     : "unexpected reply of type " + std::to_string(reply.type);
        return make_error_code(replay_errc::store_refused);
    }

    static std::error_code read_claim(const redisReply& reply, std::string_view owner, replay_store::claim_result& out,
                                      std::string& diagnostic) {
        if (reply.type == REDIS_REPLY_NIL) {
            out.found = replay_store::record::claimed_now;
            return {};
        }
        if (reply.type != REDIS_REPLY_STRING) {
            return refused(reply, diagnostic);  // an error, e.g. NOPERM, or Redis older than 7.0
        }
        const std::string_view value(reply.str, reply.len);
        if (value.size() < value_header_size || value[1] != ':' || value[value_header_size - 1] != ':' ||
            (value[0] != 'c' && value[0] != 'd')) {
            diagnostic = "a value under the key prefix that this store did not write";
            return make_error_code(replay_errc::store_refused);
        }
        if (value[0] == 'c' && value.substr(2, owner_size) == owner) {
            out.found = replay_store::record::claimed_now;  // our own claim, sent again after a lost reply
            return {};
        }
        out.found = value[0] == 'c' ? replay_store::record::claimed_by_other : replay_store::record::committed;
        out.first_token.assign(value.substr(value_header_size));
        return {};
    }

    static std::error_code read_script_result(const redisReply& reply, std::string& diagnostic) {
        if (reply.type != REDIS_REPLY_INTEGER) {
            return refused(reply, diagnostic);
        }
        switch (reply.integer) {
            case 1:
                return {};
            case 0:
                return make_error_code(replay_errc::lease_lost);
            case 2:
                return make_error_code(replay_errc::not_claimed);
            default:
                return refused(reply, diagnostic);
        }
    }

    // One try of an operation on one connection, within the operation's deadline.
    struct attempt {
        redisContext* context = nullptr;
        detail::redis_clock::time_point deadline;
        std::error_code error;
        std::string diagnostic;
    };

    // EVALSHA, or EVAL with the text when Redis does not have the script cached.
    static detail::redis_reply_ptr evaluate(const attempt& a, std::string_view sha, std::string_view script,
                                            std::string_view key, const std::array<std::string_view, 2>& args) {
        auto reply = detail::redis_command(
            a.context, std::array<std::string_view, 6>{"EVALSHA", sha, "1", key, args[0], args[1]}, a.deadline);
        if (reply && detail::is_error_reply(*reply, "NOSCRIPT")) {
            reply = detail::redis_command(
                a.context, std::array<std::string_view, 6>{"EVAL", script, "1", key, args[0], args[1]}, a.deadline);
        }
        return reply;
    }

    // Runs a commit or release script as one exchange of execute(): false when the connection
    // failed, else true with the script's verdict in a.error.
    static bool run_script(attempt& a, std::string_view sha, std::string_view script, std::string_view key,
                           const std::array<std::string_view, 2>& args) {
        const auto reply = evaluate(a, sha, script, key, args);
        if (!reply) {
            return false;
        }
        a.error = read_script_result(*reply, a.diagnostic);
        return true;
    }

    // Runs `exchange(attempt)` on a pooled connection; it returns false when the connection failed
    // under it. One deadline bounds the whole operation: waiting for a pooled connection and the
    // command take command_timeout at most, and opening a connection adds connect_timeout once.
    // A command that failed on a pooled connection before that deadline (a stale one: Redis
    // restarted, an idle timeout) is sent once more, on a new connection. `diagnostic` receives
    // the cause of a failure in words (Redis's own, or the connection's).
    template <class Exchange>
    std::error_code execute(std::string& diagnostic, Exchange&& exchange) {
        attempt a;
        a.deadline = detail::redis_clock::now() + endpoint_.command_timeout;
        detail::redis_context_ptr c;
        if (!acquire(c, a.deadline)) {
            diagnostic = "all max_connections connections stayed busy until the deadline";
            return make_error_code(replay_errc::store_unavailable);
        }
        const connection_return back{*this, c};
        bool pooled = c != nullptr;
        while (true) {
            if (!c) {
                if (backing_off()) {
                    diagnostic = "a connection attempt failed just before (reconnect_backoff)";
                    return make_error_code(replay_errc::store_unavailable);
                }
                a.deadline += endpoint_.connect_timeout;  // once: a retry only follows a pooled connection
                c = detail::redis_connect(endpoint_, a.deadline, a.error, diagnostic);
                if (!c) {
                    if (a.error == replay_errc::store_unavailable) {
                        back_off();
                    }
                    return a.error;
                }
            }
            a.context = c.get();
            a.error.clear();
            if (exchange(a)) {
                diagnostic = std::move(a.diagnostic);
                return a.error;
            }
            diagnostic = detail::redis_failure_text(*c, a.deadline);
            c.reset();
            if (!std::exchange(pooled, false) || detail::redis_clock::now() >= a.deadline) {
                return make_error_code(replay_errc::store_unavailable);
            }
        }
    }

    // An idle connection (non-null), or the right to open one (null); false when all
    // max_connections stayed busy until `until`.
    bool acquire(detail::redis_context_ptr& out, detail::redis_clock::time_point until) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!available_.wait_until(lock, until, [this] { return !idle_.empty() || open_ < max_connections_; })) {
            return false;
        }
        if (!idle_.empty()) {
            out = std::move(idle_.back());
            idle_.pop_back();
        } else {
            ++open_;
        }
        return true;
    }

    // Puts a connection back in the pool, or gives up its place when it broke (null).
    struct connection_return {
        redis_replay_store& store;
        detail::redis_context_ptr& connection;
        connection_return(redis_replay_store& to, detail::redis_context_ptr& taken) noexcept
            : store(to), connection(taken) {}
        connection_return(const connection_return&) = delete;
        connection_return& operator=(const connection_return&) = delete;
        connection_return(connection_return&&) = delete;
        connection_return& operator=(connection_return&&) = delete;
        ~connection_return() {
            {
                const std::lock_guard<std::mutex> lock(store.mutex_);
                if (connection) {
                    store.idle_.push_back(std::move(connection));  // within the reserved capacity
                } else {
                    --store.open_;
                }
            }
            store.available_.notify_one();
        }
    };

    [[nodiscard]] bool backing_off() const noexcept {
        return std::chrono::steady_clock::now().time_since_epoch().count() < down_until_.load();
    }
    void back_off() noexcept {
        down_until_.store((std::chrono::steady_clock::now() + backoff_).time_since_epoch().count());
    }

    detail::redis_endpoint endpoint_;
    std::string prefix_;
    std::size_t max_connections_;
    std::chrono::milliseconds backoff_;
    std::string commit_sha_;
    std::string release_sha_;
    std::uint64_t identity_;  // random: names this store's probe keys
    std::atomic<std::uint64_t> probes_{0};

    mutable std::mutex mutex_;
    std::condition_variable available_;
    std::vector<detail::redis_context_ptr> idle_;
    std::size_t open_ = 0;  // idle, in use, or being opened
    std::atomic<std::chrono::steady_clock::rep> down_until_{0};
};

}  // namespace kore::webhook

#endif
