#include "stream_writer.hpp"

#include <hiredis/hiredis.h>

#include <array>
#include <cerrno>
#include <utility>

namespace kore_cli::serve {

void stream_writer::context_deleter::operator()(redisContext* c) const noexcept {
    redisFree(c);
}

stream_writer::stream_writer(host_port redis, std::chrono::milliseconds timeout, std::size_t max_idle)
    : redis_(std::move(redis)), timeout_(timeout), max_idle_(max_idle) {}

stream_writer::~stream_writer() = default;

stream_writer::context_ptr stream_writer::take(bool& pooled) {
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        pooled = !idle_.empty();
        if (!idle_.empty()) {
            context_ptr c = std::move(idle_.back());
            idle_.pop_back();
            return c;
        }
    }
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(timeout_.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((timeout_.count() % 1000) * 1000);
    context_ptr c(redisConnectWithTimeout(redis_.host.c_str(), redis_.port, tv));
    if (!c || c->err != 0 || redisSetTimeout(c.get(), tv) != REDIS_OK) {
        return nullptr;
    }
    return c;
}

void stream_writer::give_back(context_ptr c) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < max_idle_) {
        idle_.push_back(std::move(c));
    }
}

bool stream_writer::add(const stream_settings& stream, const stream_entry& entry, std::string& problem) noexcept {
    try {
        const std::string maxlen = std::to_string(stream.maxlen);
        const std::array<std::string_view, 18> args = {"XADD",
                                                       stream.key,
                                                       "MAXLEN",
                                                       "~",
                                                       maxlen,
                                                       "*",
                                                       "id",
                                                       entry.id,
                                                       "timestamp",
                                                       entry.timestamp,
                                                       "route",
                                                       entry.route,
                                                       "content_type",
                                                       entry.content_type,
                                                       "idempotency_token",
                                                       entry.idempotency_token,
                                                       "body",
                                                       entry.body};
        std::array<const char*, args.size()> argv{};
        std::array<std::size_t, args.size()> lengths{};
        for (std::size_t i = 0; i < args.size(); ++i) {
            argv[i] = args[i].data();
            lengths[i] = args[i].size();
        }
        // A pooled connection may be stale (Redis restarted, an idle timeout): sent once more on a
        // new connection when the old one was closed under it. Never after a timeout: Redis may
        // have added the entry, and a second XADD would add the callback twice.
        for (int attempt = 0; attempt < 2; ++attempt) {
            bool pooled = false;
            context_ptr c = take(pooled);
            if (!c) {
                problem = "cannot connect to Redis at " + redis_.str();
                return false;
            }
            auto* reply = static_cast<redisReply*>(
                redisCommandArgv(c.get(), static_cast<int>(args.size()), argv.data(), lengths.data()));
            if (reply == nullptr) {
                const bool closed =
                    c->err == REDIS_ERR_EOF || (c->err == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE));
                problem = "Redis at " + redis_.str() + (closed ? " closed the connection" : " did not answer XADD");
                if (pooled && closed) {
                    continue;  // the broken connection is dropped here
                }
                return false;
            }
            const bool ok = reply->type == REDIS_REPLY_STRING;
            if (!ok) {
                problem = reply->type == REDIS_REPLY_ERROR
                              ? "Redis refused XADD: " + std::string(reply->str, reply->len)
                              : "unexpected reply to XADD";
            }
            freeReplyObject(reply);
            give_back(std::move(c));
            return ok;
        }
        return false;
    } catch (...) {
        problem = "out of memory writing to the stream";
        return false;
    }
}

}  // namespace kore_cli::serve
