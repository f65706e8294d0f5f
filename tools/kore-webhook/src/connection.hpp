#ifndef KORE_WEBHOOK_CLI_SRC_CONNECTION_HPP
#define KORE_WEBHOOK_CLI_SRC_CONNECTION_HPP

// One client connection, plain TCP or TLS, non-blocking, behind one interface: the HTTP client
// (http_client.cpp) waits on fd() for what the last call asked for and calls again. Private to
// the client; nothing else in the tool talks to sockets or to libssl.

#include <kore_cli/http_client.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace kore_cli::http::wire {

using clock = std::chrono::steady_clock;

enum class io_state {
    progress,    // `bytes` were moved
    want_read,   // nothing moved: call again once fd() is readable
    want_write,  // nothing moved: call again once fd() is writable
    closed,      // the peer ended the stream (reading only)
    failed,      // `error` says why
};

struct io_result {
    io_state state = io_state::progress;
    std::size_t bytes = 0;
    std::string error;
};

struct ssl_ctx_deleter {
    void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};
struct ssl_deleter {
    void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};

using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, ssl_ctx_deleter>;

// A client context that verifies the server against `tls.ca_file` or the system's trust store.
// Throws io_error.
ssl_ctx_ptr make_client_context(const tls_options& tls);

class connection {
public:
    // Connects to host:port (every resolved address in turn) and, for TLS, completes the
    // handshake with the certificate and name checked, all before `deadline`. Throws io_error.
    connection(const std::string& host, const std::string& port, const tls_options& tls, clock::time_point deadline);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    io_result write_some(std::string_view data);
    io_result read_some(char* buffer, std::size_t size);
    int fd() const noexcept { return fd_; }

private:
    void handshake(const std::string& where, const tls_options& tls, clock::time_point deadline);

    int fd_ = -1;
    ssl_ctx_ptr ctx_;
    std::unique_ptr<SSL, ssl_deleter> ssl_;
};

// Waits until `fd` is ready for `events` (POLLIN/POLLOUT) or the deadline passes; returns the
// events that happened, 0 on timeout.
short wait_for(int fd, short events, clock::time_point deadline);

}  // namespace kore_cli::http::wire

#endif
