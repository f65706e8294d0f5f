#ifndef KORE_WEBHOOK_CLI_SERVE_UPSTREAM_HPP
#define KORE_WEBHOOK_CLI_SERVE_UPSTREAM_HPP

// The forward: one HTTP(S) request to [route.forward].url (Beast, on the I/O threads), bounded as
// a whole by timeout_ms (resolve, connect, TLS handshake, write, read). HTTPS checks the
// upstream's certificate against the system's trust store and its name, and takes a new
// connection each time. Plain HTTP keeps connections alive in an upstream_pool: a new connection
// per forward costs a handshake and leaves a TIME_WAIT socket behind, and under load the
// ephemeral ports run out. A request that finds its pooled connection closed by the upstream
// (nothing of an answer read) is sent once more on a new connection.
// Completes exactly once with the upstream's status, or 0 and what failed.

#include "config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kore_cli::serve {

struct upstream_request {
    std::string method;
    std::vector<std::pair<std::string, std::string>> headers;  // besides Host, Content-Length, User-Agent
    std::string body;
};

struct upstream_result {
    int status = 0;       // the upstream's status; 0 when there was no answer
    std::string problem;  // why there was no answer (connect refused, timeout, TLS)
};

// Idle keep-alive connections to one plain-HTTP upstream. Thread-safe. Destroy it before the
// io_context its connections belong to.
class upstream_pool {
public:
    upstream_pool();
    ~upstream_pool();
    upstream_pool(const upstream_pool&) = delete;
    upstream_pool& operator=(const upstream_pool&) = delete;

    struct state;
    std::unique_ptr<state> state_;
};

// `pool` may be null (HTTPS, or no reuse).
void forward(boost::asio::io_context& ioc, boost::asio::ssl::context& tls_client, const forward_settings& to,
             upstream_pool* pool, std::shared_ptr<const upstream_request> request,
             std::function<void(upstream_result)> done);

}  // namespace kore_cli::serve

#endif
