#ifndef KORE_WEBHOOK_CLI_SERVE_STREAM_WRITER_HPP
#define KORE_WEBHOOK_CLI_SERVE_STREAM_WRITER_HPP

// The stream output: one XADD per callback, `XADD key MAXLEN ~ maxlen * id .. timestamp .. route
// .. content_type .. idempotency_token .. body ..`, over a small pool of hiredis connections.
// Blocking (hiredis' synchronous API, with connect and command timeouts): called only on the
// gateway's worker pool, never on an I/O thread. Thread-safe.

#include "config.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace kore_cli::serve {

struct stream_entry {
    std::string_view id;  // the webhook-id
    std::string_view timestamp;
    std::string_view route;
    std::string_view content_type;
    std::string_view idempotency_token;
    std::string_view body;
};

class stream_writer {
public:
    explicit stream_writer(host_port redis, std::chrono::milliseconds timeout = std::chrono::milliseconds(1000),
                           std::size_t max_idle = 8);
    ~stream_writer();
    stream_writer(const stream_writer&) = delete;
    stream_writer& operator=(const stream_writer&) = delete;

    // Adds the entry; true once Redis acknowledged it (with its entry id), false when Redis could
    // not be reached, timed out or answered an error (`problem` then says which, without data).
    bool add(const stream_settings& stream, const stream_entry& entry, std::string& problem) noexcept;

private:
    struct context_deleter {
        void operator()(redisContext* c) const noexcept;
    };
    using context_ptr = std::unique_ptr<redisContext, context_deleter>;

    context_ptr take(bool& pooled);  // pooled: an idle connection, not a new one
    void give_back(context_ptr c);

    host_port redis_;
    std::chrono::milliseconds timeout_;
    std::size_t max_idle_;
    std::mutex mutex_;
    std::vector<context_ptr> idle_;
};

}  // namespace kore_cli::serve

#endif
