#include "upstream.hpp"

#include <kore/webhook/version.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

namespace kore_cli::serve {

struct upstream_pool::state {
    static constexpr std::size_t max_idle = 64;
    std::mutex mutex;
    std::vector<boost::beast::tcp_stream> idle;

    std::optional<boost::beast::tcp_stream> take() {
        const std::lock_guard<std::mutex> lock(mutex);
        if (idle.empty()) {
            return std::nullopt;
        }
        std::optional<boost::beast::tcp_stream> out(std::move(idle.back()));
        idle.pop_back();
        return out;
    }
    void give_back(boost::beast::tcp_stream stream) {
        stream.expires_never();
        const std::lock_guard<std::mutex> lock(mutex);
        if (idle.size() < max_idle) {
            idle.push_back(std::move(stream));
        }
    }
};

upstream_pool::upstream_pool() : state_(std::make_unique<state>()) {}
upstream_pool::~upstream_pool() = default;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// An upstream's answer is read to decide, never passed on: its body is bounded.
constexpr std::uint64_t response_body_limit = 64 * 1024;

std::string user_agent() {
    return "kore-webhook-gateway/" + std::to_string(KORE_WEBHOOK_VERSION_MAJOR) + "." +
           std::to_string(KORE_WEBHOOK_VERSION_MINOR) + "." + std::to_string(KORE_WEBHOOK_VERSION_PATCH);
}

template <class Stream>
class forward_op : public std::enable_shared_from_this<forward_op<Stream>> {
    static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

public:
    template <class... Args>
    forward_op(asio::io_context& ioc, const forward_settings& to, upstream_pool* pool,
               std::shared_ptr<const upstream_request> request, std::function<void(upstream_result)> done,
               Args&&... stream_args)
        : to_(to),
          pool_(pool),
          request_(std::move(request)),
          done_(std::move(done)),
          resolver_(asio::make_strand(ioc)) {
        make_stream(std::forward<Args>(stream_args)...);
    }

    void start() {
        deadline_ = std::chrono::steady_clock::now() + to_.timeout;
        if constexpr (!is_tls) {
            if (pool_ != nullptr) {
                if (auto idle = pool_->state_->take()) {
                    stream_.emplace(std::move(*idle));
                    reused_ = true;
                    lowest().expires_after(to_.timeout);
                    return write();
                }
            }
        }
        connect();
    }

private:
    template <class... Args>
    void make_stream(Args&&... stream_args) {
        stream_.emplace(resolver_.get_executor(), std::forward<Args>(stream_args)...);
    }

    void connect() {
        lowest().expires_after(to_.timeout);
        resolver_.async_resolve(to_.host, to_.port,
                                beast::bind_front_handler(&forward_op::on_resolve, this->shared_from_this()));
    }

    // The pooled connection was closed by the upstream before it answered: a new one, once.
    bool retry_on_new_connection(beast::error_code ec) {
        const bool closed = ec == http::error::end_of_stream || ec == asio::error::eof ||
                            ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
        if (!reused_ || !closed || (parser_ && parser_->got_some())) {
            return false;
        }
        reused_ = false;
        beast::error_code ignored;
        lowest().socket().close(ignored);
        if constexpr (!is_tls) {
            stream_.emplace(resolver_.get_executor());  // only plain connections are pooled
        }
        parser_.reset();
        buffer_.clear();
        request_out_ = {};
        connect();
        return true;
    }

private:
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(*stream_); }

    void fail(const std::string& what, beast::error_code ec) {
        upstream_result r;
        r.problem = what + ": " + (ec == beast::error::timeout ? std::string("timed out") : ec.message());
        finish(std::move(r));
    }

    // Pools the connection when it may carry another request, closes it otherwise; then
    // completes (the pool must be reached before `done`, which may drop the last owner of it).
    void finish(upstream_result r, bool reusable = false) {
        if (!done_) {
            return;
        }
        auto done = std::move(done_);
        done_ = nullptr;
        if constexpr (!is_tls) {
            if (reusable && pool_ != nullptr) {
                pool_->state_->give_back(std::move(*stream_));
                stream_.reset();
                return done(std::move(r));
            }
        }
        beast::error_code ignored;
        lowest().socket().close(ignored);
        done(std::move(r));
    }

    void on_resolve(beast::error_code ec, const tcp::resolver::results_type& results) {
        if (ec) {
            return fail("cannot resolve " + to_.host, ec);
        }
        // The resolver has no deadline of its own: what is left of the budget goes to the rest.
        const auto left = deadline_ - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) {
            return fail("cannot resolve " + to_.host, beast::error::timeout);
        }
        lowest().expires_after(left);
        lowest().async_connect(results, beast::bind_front_handler(&forward_op::on_connect, this->shared_from_this()));
    }

    void on_connect(beast::error_code ec, const tcp::endpoint& /*endpoint*/) {
        if (ec) {
            return fail("cannot connect to " + to_.host + ":" + to_.port, ec);
        }
        beast::error_code ignored;
        lowest().socket().set_option(tcp::no_delay(true), ignored);
        if constexpr (is_tls) {
            // SNI carries host names only (RFC 6066), never an IP address.
            beast::error_code not_ip;
            static_cast<void>(asio::ip::make_address(to_.host, not_ip));
            if (not_ip && !SSL_set_tlsext_host_name(stream_->native_handle(), to_.host.c_str())) {
                return fail("TLS",
                            beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
            }
            stream_->set_verify_callback(asio::ssl::host_name_verification(to_.host));
            stream_->async_handshake(asio::ssl::stream_base::client,
                                     beast::bind_front_handler(&forward_op::on_handshake, this->shared_from_this()));
        } else {
            write();
        }
    }

    void on_handshake(beast::error_code ec) {
        if (ec) {
            return fail("TLS handshake with " + to_.host, ec);
        }
        write();
    }

    void write() {
        request_out_.method_string(request_->method);
        request_out_.target(to_.target);
        request_out_.version(11);
        const bool default_port = to_.port == (is_tls ? "443" : "80");
        const std::string host = to_.host.find(':') != std::string::npos ? "[" + to_.host + "]" : to_.host;
        request_out_.set(http::field::host, default_port ? host : host + ":" + to_.port);
        request_out_.set(http::field::user_agent, user_agent());
        for (const auto& [name, value] : request_->headers) {
            request_out_.insert(name, value);
        }
        request_out_.body() = request_->body;
        request_out_.keep_alive(!is_tls && pool_ != nullptr);
        if (request_->method != "GET" || !request_->body.empty()) {
            request_out_.prepare_payload();
        }
        http::async_write(*stream_, request_out_,
                          beast::bind_front_handler(&forward_op::on_write, this->shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t /*bytes*/) {
        if (ec && retry_on_new_connection(ec)) {
            return;
        }
        if (ec) {
            return fail("sending to " + to_.host + ":" + to_.port, ec);
        }
        parser_.emplace();
        parser_->body_limit(response_body_limit);
        http::async_read(*stream_, buffer_, *parser_,
                         beast::bind_front_handler(&forward_op::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t /*bytes*/) {
        if (ec && retry_on_new_connection(ec)) {
            return;
        }
        if (ec && !(parser_->is_header_done() && ec == http::error::body_limit)) {
            return fail("reading the answer of " + to_.host + ":" + to_.port, ec);
        }
        upstream_result r;
        r.status = static_cast<int>(parser_->get().result_int());
        finish(std::move(r), !ec && parser_->is_done() && parser_->get().keep_alive());
    }

    const forward_settings& to_;
    upstream_pool* pool_;
    std::shared_ptr<const upstream_request> request_;
    std::function<void(upstream_result)> done_;
    tcp::resolver resolver_;
    std::optional<Stream> stream_;
    bool reused_ = false;
    std::chrono::steady_clock::time_point deadline_;
    http::request<http::string_body> request_out_;
    beast::flat_buffer buffer_;
    std::optional<http::response_parser<http::string_body>> parser_;
};

}  // namespace

void forward(asio::io_context& ioc, asio::ssl::context& tls_client, const forward_settings& to, upstream_pool* pool,
             std::shared_ptr<const upstream_request> request, std::function<void(upstream_result)> done) {
    if (to.https) {
        std::make_shared<forward_op<beast::ssl_stream<beast::tcp_stream>>>(ioc, to, nullptr, std::move(request),
                                                                           std::move(done), tls_client)
            ->start();
    } else {
        std::make_shared<forward_op<beast::tcp_stream>>(ioc, to, pool, std::move(request), std::move(done))->start();
    }
}

}  // namespace kore_cli::serve
