#include "listener.hpp"

#include "log.hpp"

#include <kore/webhook/adapters/beast.hpp>
#include <kore/webhook/detail/hex.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace kore_cli::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace adapters = kore::webhook::adapters;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// KORE sends a callback in milliseconds; these bound the clients that do not.
constexpr auto handshake_timeout = 5s;
constexpr auto header_timeout = 10s;  // waiting for a request and reading its header (keep-alive idle too)
constexpr auto body_timeout = 15s;    // the whole body
constexpr auto write_timeout = 5s;
constexpr std::uint32_t header_limit = 16 * 1024;
constexpr auto linger_timeout = 2s;  // reading and dropping what a refused client still sends
constexpr std::uint64_t linger_limit = 4 * 1024 * 1024;

std::size_t connection_limit() {
    rlimit files{};
    constexpr std::size_t reserve = 128;
    constexpr std::size_t most = 10000;
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) {
        return most;
    }
    const auto available = static_cast<std::size_t>(files.rlim_cur);
    return available > 2 * reserve ? std::min(most, available - reserve) : available / 2;
}

}  // namespace

void open_acceptor(tcp::acceptor& acceptor, const host_port& at, const std::string& key) {
    beast::error_code ec;
    const auto address = asio::ip::make_address(at.host, ec);
    if (ec) {
        throw std::runtime_error(key + ": " + at.host + " is not an IP address");
    }
    const tcp::endpoint endpoint(address, at.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw std::runtime_error(key + ": cannot listen on " + at.str() + ": " + ec.message());
    }
}

std::string bound_address(const tcp::acceptor& acceptor) {
    const tcp::endpoint e = acceptor.local_endpoint();
    const std::string host = e.address().to_string();
    return (e.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(e.port());
}

class callback_listener : public std::enable_shared_from_this<callback_listener> {
public:
    callback_listener(gateway& gw, const host_port& at)
        : g(gw), acceptor_(asio::make_strand(gw.ioc)), retry_(acceptor_.get_executor()), limit_(connection_limit()) {
        open_acceptor(acceptor_, at, "listen");
    }

    std::string address() const { return bound_address(acceptor_); }

    void start() {
        asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
    }

    void stop() {
        asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
            beast::error_code ignored;
            self->acceptor_.close(ignored);
            self->retry_.cancel();
        });
    }

    void connection_closed() {
        --connections_;
        if (retired_.load()) {
            return;  // the io_context has stopped: its remaining sessions are being destroyed
        }
        asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
            if (self->paused_ && self->acceptor_.is_open()) {
                self->paused_ = false;
                self->accept();
            }
        });
    }

    void retire() { retired_ = true; }

    gateway& g;

private:
    void accept() {
        if (connections_.load() >= limit_) {
            paused_ = true;
            return;
        }
        acceptor_.async_accept(asio::make_strand(g.ioc),
                               beast::bind_front_handler(&callback_listener::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec, tcp::socket socket);

    tcp::acceptor acceptor_;
    asio::steady_timer retry_;
    std::size_t limit_;
    bool paused_ = false;
    std::atomic<std::size_t> connections_{0};
    std::atomic<bool> retired_{false};
};

namespace {

template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
    static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

public:
    template <class... Args>
    explicit session(std::shared_ptr<callback_listener> owner, Args&&... args)
        : owner_(std::move(owner)), g_(owner_->g), stream_(std::forward<Args>(args)...) {}
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    ~session() { owner_->connection_closed(); }

    void start() {
        if constexpr (is_tls) {
            lowest().expires_after(handshake_timeout);
            stream_.async_handshake(asio::ssl::stream_base::server,
                                    beast::bind_front_handler(&session::on_handshake, this->shared_from_this()));
        } else {
            read_request();
        }
    }

private:
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

    void on_handshake(beast::error_code ec) {
        if (!ec) {
            read_request();
        }
    }

    void read_request() {
        parser_.emplace();
        adapters::beast::prepare(*parser_);
        parser_->header_limit(header_limit);
        lowest().expires_after(header_timeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&session::on_header, this->shared_from_this()));
    }

    std::string field(std::string_view name) const {
        const auto value = parser_->get()[beast::string_view(name.data(), name.size())];
        return std::string(value.data(), value.size());
    }

    void on_header(beast::error_code ec, std::size_t /*bytes*/) {
        if (ec) {
            return;  // closed, timed out, or not HTTP: nothing to answer
        }
        ++g_.in_flight;
        counted_ = true;
        start_ = std::chrono::steady_clock::now();
        rt_ = g_.runtimes.get();
        const auto& req = parser_->get();
        method_ = std::string(req.method_string());
        const std::string_view target(req.target().data(), req.target().size());
        path_ = std::string(target.substr(0, target.find('?')));
        token_ = field("kore-idempotency-token");
        route_ = rt_->find(path_);
        if (route_ == nullptr) {
            callback_answer a;
            a.status = 404;
            a.body = "not_found";
            a.outcome = "not_found";
            close_after_ = true;
            return send(std::move(a));
        }
        // Beast's own read loop verifies the body (verifying_body); a refusal stops it, leaving the
        // rest of the body unread (parser_->is_done() false: the answer closes the connection).
        parser_->get().body().prepare(route_->verifier, route_->settings.registered_url);
        if (!adapters::beast::judge_header(*parser_)) {  // refused on its header alone: no body wait
            return on_body({}, 0);
        }
        lowest().expires_after(body_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&session::on_body, this->shared_from_this()));
    }

    void on_body(beast::error_code ec, std::size_t /*bytes*/) {
        lowest().expires_never();  // the hand-off has its own deadlines; the answer gets write_timeout
        auto& body = parser_->get().body();
        const kore::webhook::result verdict = body.verdict(ec);  // a read error: body_incomplete
        if (!verdict) {
            reason_ = std::string(adapters::error_name(verdict.error()));
            callback_answer a;
            a.status = adapters::http_status(verdict);
            a.body = reason_;
            a.outcome = "refused";
            return send(std::move(a));
        }
        replay_key_ = kore::webhook::detail::encode_hex(verdict.digest());
        auto job = std::make_shared<callback_job>();
        job->rt = rt_;
        job->route = route_;
        job->method = method_;
        job->content_type = field("content-type");
        job->idempotency_token = token_;
        job->date = field("date");
        job->verdict.emplace(verdict);
        job->body = body.take_body();
        job->webhook_id = webhook_id(verdict.digest());
        webhook_id_ = job->webhook_id;
        hand_off(g_, std::move(job), [self = this->shared_from_this()](callback_answer a) {
            asio::post(self->stream_.get_executor(), [self, a = std::move(a)]() mutable { self->send(std::move(a)); });
        });
    }

    void send(callback_answer a) {
        const auto& req = parser_->get();
        answer_ = std::move(a);
        response_ = {};
        response_.version(req.version());
        response_.result(static_cast<unsigned>(answer_.status));
        if (!answer_.body.empty()) {
            response_.set(http::field::content_type, "text/plain");
            response_.body() = answer_.body;
        }
        response_.keep_alive(req.keep_alive() && parser_->is_done() && !close_after_ && !g_.draining.load());
        response_.prepare_payload();
        lowest().expires_after(write_timeout);
        http::async_write(stream_, response_, beast::bind_front_handler(&session::on_write, this->shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t /*bytes*/) {
        finish_request();
        if (ec) {
            return;
        }
        if (response_.keep_alive()) {
            return read_request();
        }
        close_after_answer();
    }

    // Metrics and the log line, once per request.
    void finish_request() {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        const std::string route = route_ != nullptr ? route_->settings.path : path_;
        if (route_ != nullptr) {
            g_.stats.count_callback(route, answer_.outcome);
            if (answer_.outcome == "refused") {
                g_.stats.count_refused(route, reason_);
            }
            g_.stats.observe_request(seconds);
        }
        callback_record line;
        line.route = route;
        line.method = method_;
        line.outcome = answer_.outcome;
        line.status = answer_.status;
        line.replay_key = replay_key_;
        line.webhook_id = webhook_id_;
        line.idempotency_token = token_;
        line.latency_ms = seconds * 1000.0;
        line.handoff = answer_.handoff;
        line.reason = reason_;
        log_callback(line);
        reason_.clear();
        replay_key_.clear();
        webhook_id_.clear();
        token_.clear();
        rt_.reset();
        route_ = nullptr;
        if (std::exchange(counted_, false)) {
            --g_.in_flight;
        }
    }

    // After Connection: close, read and drop (bounded) what the client still sends, so that the
    // close does not reset the connection before the client read the answer.
    void close_after_answer() {
        if constexpr (is_tls) {
            if (parser_->is_done()) {
                lowest().expires_after(linger_timeout);
                stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
                    beast::error_code ignored;
                    self->lowest().socket().close(ignored);
                });
                return;
            }
        } else {
            beast::error_code ignored;
            lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
        scratch_.resize(65536);
        lingered_ = 0;
        lowest().expires_after(linger_timeout);
        linger();
    }

    void linger() {
        stream_.async_read_some(asio::buffer(scratch_),
                                [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
                                    self->lingered_ += bytes;
                                    if (ec || self->lingered_ >= linger_limit) {
                                        beast::error_code ignored;
                                        self->lowest().socket().close(ignored);
                                        return;
                                    }
                                    self->linger();
                                });
    }

    std::shared_ptr<callback_listener> owner_;
    gateway& g_;
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<adapters::beast::verifying_body>> parser_;
    http::response<http::string_body> response_;
    callback_answer answer_;
    std::shared_ptr<const runtime> rt_;
    const route_runtime* route_ = nullptr;
    std::chrono::steady_clock::time_point start_;
    std::string method_;
    std::string path_;
    std::string reason_;
    std::string replay_key_;
    std::string webhook_id_;
    std::string token_;
    std::vector<char> scratch_;
    std::uint64_t lingered_ = 0;
    bool close_after_ = false;
    bool counted_ = false;
};

}  // namespace

void callback_listener::on_accept(beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) {
        return;
    }
    if (ec) {
        // Out of file descriptors, or the client gave up meanwhile: try again shortly.
        retry_.expires_after(50ms);
        retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
            if (!wait_ec) {
                self->accept();
            }
        });
        return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    ++connections_;
    if (g.tls_server != nullptr) {
        std::make_shared<session<beast::ssl_stream<beast::tcp_stream>>>(shared_from_this(), std::move(socket),
                                                                        *g.tls_server)
            ->start();
    } else {
        std::make_shared<session<beast::tcp_stream>>(shared_from_this(), std::move(socket))->start();
    }
    accept();
}

std::shared_ptr<callback_listener> open_callback_listener(gateway& g, const host_port& at) {
    return std::make_shared<callback_listener>(g, at);
}

std::string bound_address(const callback_listener& l) {
    return l.address();
}

void start(callback_listener& l) {
    l.start();
}

void stop(callback_listener& l) {
    l.stop();
}

void retire(callback_listener& l) {
    l.retire();
}

}  // namespace kore_cli::serve
