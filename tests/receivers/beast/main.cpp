// kore-webhook-receiver-beast: a KORE callback receiver on Boost.Beast. Asynchronous sessions on a
// small pool of threads (one per core): an idle or slow connection costs a few hundred bytes and
// no thread. Every phase of a request has a deadline, the number of connections is bounded, and
// verified callbacks whose processing may wait (Redis, a slow application) are processed on a
// separate pool, so that they never hold up the connections. HTTPS when KORE_WEBHOOK_TLS_CERT/KEY
// are set.
//
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-receiver-beast
#include "../common/example_common.hpp"

#include <kore/webhook/adapters/beast.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace adapters = kore::webhook::adapters;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view name = "kore-webhook-receiver-beast";

// What one connection may take, whatever its client does. KORE sends a callback in milliseconds;
// these bound the clients that do not (docs/servers.md, "Boost.Beast").
constexpr auto handshake_timeout = 5s;  // the TLS handshake
constexpr auto header_timeout = 5s;     // waiting for a request and reading its header (keep-alive idle too)
constexpr auto body_timeout = 5s;       // the whole body: a trickled or endless body is cut here
constexpr auto write_timeout = 5s;      // the answer
constexpr std::uint32_t header_limit = 8 * 1024;
// After an answer that leaves request bytes unread (a 413 before the body, a 405), the connection
// is half-closed and what the client still sends is read and dropped, at most this long and this
// much, before closing: closing with unread bytes would reset the connection, and the client,
// still sending, would never read the answer.
constexpr auto linger_timeout = 2s;
constexpr std::uint64_t linger_limit = 4 * 1024 * 1024;
// Verified callbacks whose processing may block (the Redis round trip, a slow application) are
// processed here, never on the threads that serve the connections.
constexpr unsigned application_threads = 4;

// As many connections as file descriptors allow, less a reserve for everything else (the replay
// store, the log); past it, new connections wait in the listen backlog until one closes.
std::size_t connection_limit() {
    rlimit files{};
    constexpr std::size_t reserve = 64;
    constexpr std::size_t most = 10000;
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) {
        return most;
    }
    const auto available = static_cast<std::size_t>(files.rlim_cur);
    return available > 2 * reserve ? std::min(most, available - reserve) : available / 2;
}

// What every session reads, set up in main() and outliving the io_context.
struct shared_setup {
    const kore_example::config& config;
    const kore::webhook::verifier& verifier;
    const adapters::route_config& route;  // the replay-guarded receiver and the log line
    asio::ssl::context* tls;              // null: plain HTTP
    asio::thread_pool& application;       // where verified callbacks are processed, unless:
    bool process_on_connection;           // processing cannot block: answer on the connection's strand
};

// Handing a callback to the pool and its answer back costs two thread switches per callback, about
// 40 % of the throughput on 2 cores (measured: 45,400 against 80,800 req/s for the control route).
// The in-memory replay guard takes well under a microsecond and never waits, and the example's
// processing is its log line, so then the callback is answered where it was read. An application
// whose processing waits (a database, a queue, Redis) keeps the pool, as the example does with
// KORE_WEBHOOK_REDIS or KORE_WEBHOOK_PROCESSING_DELAY_MS.
bool processing_cannot_block(const kore_example::config& config) {
    return !config.redis && config.processing_delay.count() == 0;
}

// The accepting socket, with the count of open connections; every session holds it.
class listener : public std::enable_shared_from_this<listener> {
public:
    listener(asio::io_context& ioc, shared_setup shared)
        : setup(shared),
          ioc_(ioc),
          acceptor_(asio::make_strand(ioc)),
          retry_(acceptor_.get_executor()),
          limit_(connection_limit()) {}

    // Opens 127.0.0.1:port; false (with the reason on stderr) when it cannot.
    bool listen(std::uint16_t port) {
        beast::error_code ec;
        const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec) {
            acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
        }
        if (!ec) {
            acceptor_.bind(endpoint, ec);
        }
        if (!ec) {
            acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        }
        if (ec) {
            std::cerr << name << ": cannot listen on 127.0.0.1:" << port << ": " << ec.message() << '\n';
            return false;
        }
        return true;
    }

    unsigned short port() const { return acceptor_.local_endpoint().port(); }

    void start() {
        asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
    }

    // Stops accepting; the sessions in progress go on.
    void stop() {
        asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
            beast::error_code ignored;
            self->acceptor_.close(ignored);
            self->retry_.cancel();
        });
    }

    // The io_context has stopped for good: a session destroyed from now on posts nothing.
    void retire() { retired_ = true; }

    // A session ends: its slot is free, and accepting resumes if it waited for one.
    void connection_closed() {
        --connections_;
        if (retired_.load()) {
            return;
        }
        asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
            if (self->paused_ && self->acceptor_.is_open()) {
                self->paused_ = false;
                self->accept();
            }
        });
    }

    void request_started() { ++requests_; }
    void request_finished() { --requests_; }
    int requests_in_progress() const { return requests_.load(); }

    const shared_setup setup;

private:
    void accept() {
        if (connections_.load() >= limit_) {
            paused_ = true;  // until a session ends
            return;
        }
        acceptor_.async_accept(asio::make_strand(ioc_),
                               beast::bind_front_handler(&listener::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec, tcp::socket socket);

    asio::io_context& ioc_;
    tcp::acceptor acceptor_;
    asio::steady_timer retry_;
    std::size_t limit_;
    bool paused_ = false;  // on the acceptor's strand only
    std::atomic<std::size_t> connections_{0};
    std::atomic<int> requests_{0};
    std::atomic<bool> retired_{false};
};

// One connection, plain (beast::tcp_stream) or TLS (beast::ssl_stream<beast::tcp_stream>). Its
// handlers run on the connection's strand, one at a time; the session lives as long as one of
// them holds it.
template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
    static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

public:
    template <class... StreamArgs>
    explicit session(std::shared_ptr<listener> owner, StreamArgs&&... stream_args)
        : owner_(std::move(owner)), stream_(std::forward<StreamArgs>(stream_args)...) {}

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
        control_.reset();
        parser_.emplace();
        adapters::beast::prepare(*parser_);
        parser_->header_limit(header_limit);
        lowest().expires_after(header_timeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&session::on_header, this->shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t /*bytes*/) {
        if (ec) {
            return;  // closed, timed out, or not HTTP: nothing to answer
        }
        owner_->request_started();
        const auto& req = parser_->get();
        method_ = std::string(req.method_string());
        const std::string_view target(req.target().data(), req.target().size());
        path_ = std::string(target.substr(0, target.find('?')));
        const kore_example::config& config = owner_->setup.config;
        if (!config.control_path.empty() && path_ == config.control_path) {
            lowest().expires_after(body_timeout);
            discarded_ = 0;
            return discard_body();
        }
        switch (kore_example::match_route(method_, path_, config.route)) {
            case kore_example::route_match::not_found: {
                kore_example::log_request(name, method_, path_, 404, kore_example::not_found_body);
                adapters::route_answer answer;
                answer.status = 404;
                answer.body = std::string(kore_example::not_found_body);
                answer.close_connection = true;  // the body, if any, is left unread
                return send(std::move(answer));
            }
            case kore_example::route_match::method_not_allowed:
                return send(adapters::answer_method_not_allowed(owner_->setup.route, request_view()));
            case kore_example::route_match::receiver:
                // Beast's own read loop verifies the body (verifying_body); a refusal stops it.
                parser_->get().body().prepare(owner_->setup.verifier, config.registered_url);
                if (!adapters::beast::judge_header(*parser_)) {  // refused on its header alone: no body wait
                    return on_body({}, 0);
                }
                lowest().expires_after(body_timeout);
                http::async_read(stream_, buffer_, *parser_,
                                 beast::bind_front_handler(&session::on_body, this->shared_from_this()));
                return;
        }
    }

    adapters::route_request request_view() const { return adapters::beast::request_of(parser_->get()); }

    void on_body(beast::error_code ec, std::size_t /*bytes*/) {
        // A read error (a timeout, a reset) makes the verdict body_incomplete.
        auto& body = parser_->get().body();
        const kore::webhook::result verdict = body.verdict(ec);
        adapters::verified_body r{verdict, body.take_body()};
        // A refusal has nothing to process, and processing that cannot block is answered here too.
        if (!r.verdict || owner_->setup.process_on_connection) {
            return send(adapters::answer_judged(owner_->setup.route, request_view(), r.verdict, r.body));
        }
        // Processing can block (Redis, the application): it runs on the processing pool, and the
        // answer comes back to this connection's strand.
        asio::post(owner_->setup.application, [self = this->shared_from_this(), r = std::move(r)]() mutable {
            adapters::route_answer answer =
                adapters::answer_judged(self->owner_->setup.route, self->request_view(), r.verdict, r.body);
            const auto strand = self->stream_.get_executor();
            asio::post(strand, [self = std::move(self), answer = std::move(answer)]() mutable {
                self->send(std::move(answer));
            });
        });
    }

    // The control route (KORE_WEBHOOK_CONTROL_PATH): the body read and dropped, 204, nothing verified.
    // Its parser takes over the header from the verifying one.
    void discard_body() {
        if (!control_) {
            control_.emplace(std::move(*parser_));
        }
        if (control_->is_done()) {
            kore_example::log_control(name, method_, path_);
            adapters::route_answer answer;
            answer.status = 204;
            return send(std::move(answer));
        }
        if (discarded_ > owner_->setup.verifier.get_options().max_body_size) {
            adapters::route_answer answer;
            answer.status = 413;
            answer.body = "body_too_large";
            answer.close_connection = true;
            return send(std::move(answer));
        }
        scratch_.resize(16384);
        control_->get().body().data = scratch_.data();
        control_->get().body().size = scratch_.size();
        http::async_read(stream_, buffer_, *control_,
                         beast::bind_front_handler(&session::on_discarded, this->shared_from_this()));
    }

    void on_discarded(beast::error_code ec, std::size_t /*bytes*/) {
        if (ec && ec != http::error::need_buffer) {
            owner_->request_finished();
            return;  // the client went away or was too slow: nothing to answer
        }
        discarded_ += scratch_.size() - control_->get().body().size;
        discard_body();
    }

    void send(adapters::route_answer answer) {
        // Keep the connection only when the request was read to its end: after a refusal that
        // stopped the read, the rest of the body is still on the connection.
        read_whole_ = control_ ? control_->is_done() : parser_->is_done();
        response_ = control_ ? adapters::beast::response_to(*control_, std::move(answer))
                             : adapters::beast::response_to(*parser_, std::move(answer));
        lowest().expires_after(write_timeout);
        // The header and the body leave in one write (one segment for a short answer).
        http::async_write(stream_, response_, beast::bind_front_handler(&session::on_write, this->shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t /*bytes*/) {
        owner_->request_finished();
        if (ec) {
            return;
        }
        if (response_.keep_alive()) {
            return read_request();
        }
        close_after_answer();
    }

    // The answer said Connection: close. Closing a socket with unread bytes resets the connection,
    // and a client still sending its body (a 413 before the body) would see the reset instead of
    // the answer; so, bounded in time and bytes: stop writing (plain: a FIN, which also tells the
    // client the answer is complete), read and drop until the client closes, then close.
    void close_after_answer() {
        if constexpr (is_tls) {
            if (read_whole_) {
                // Nothing unread: a TLS close_notify, bounded, then the close.
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
        buffer_.consume(buffer_.size());
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

    std::shared_ptr<listener> owner_;
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<adapters::beast::verifying_body>> parser_;
    std::optional<http::request_parser<http::buffer_body>> control_;  // the control route's, once routed
    http::response<http::string_body> response_;
    std::string method_;
    std::string path_;
    std::vector<char> scratch_;  // only while a body is dropped: an idle connection holds none
    std::uint64_t discarded_ = 0;
    std::uint64_t lingered_ = 0;
    bool read_whole_ = false;  // the request just answered was read to its end
};

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) {
        return;  // stopped
    }
    if (ec) {
        // Out of file descriptors or memory, or the client gave up meanwhile: try again shortly
        // rather than stop accepting for good.
        retry_.expires_after(50ms);
        retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
            if (!wait_ec) {
                self->accept();
            }
        });
        return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // answers go out at once, never after 40 ms
    ++connections_;
    if (setup.tls != nullptr) {
        std::make_shared<session<beast::ssl_stream<beast::tcp_stream>>>(shared_from_this(), std::move(socket),
                                                                        *setup.tls)
            ->start();
    } else {
        std::make_shared<session<beast::tcp_stream>>(shared_from_this(), std::move(socket))->start();
    }
    accept();
}

// The server's certificate and key; a pair OpenSSL refuses ends the program with status 2.
std::optional<asio::ssl::context> make_tls_context(const kore_example::config& config) {
    if (!config.tls) {
        return std::nullopt;
    }
    std::optional<asio::ssl::context> tls(std::in_place, asio::ssl::context::tls_server);
    try {
        tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        tls->use_certificate_chain_file(config.tls->cert_path);
        tls->use_private_key_file(config.tls->key_path, asio::ssl::context::pem);
    } catch (const boost::system::system_error& e) {
        kore_example::fail_config(name, std::string("KORE_WEBHOOK_TLS_CERT/KORE_WEBHOOK_TLS_KEY: ") + e.what());
    }
    return tls;
}

}  // namespace

int main() {
    const kore_example::termination_signals blocked;  // no thread may take SIGTERM but the signal_set's
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);
    kore_example::receiver receiver(name, config);
    const adapters::route_config route = kore_example::make_route_config(name, config, receiver);
    std::optional<asio::ssl::context> tls = make_tls_context(config);
    kore_example::raise_file_limit();

    // Declared before the io_context: the sessions it still holds when it is destroyed reach them.
    asio::thread_pool application(application_threads);
    const unsigned io_threads = std::max(1U, std::thread::hardware_concurrency());
    asio::io_context ioc(static_cast<int>(io_threads));
    auto server = std::make_shared<listener>(ioc, shared_setup{config, verifier, route, tls ? &*tls : nullptr,
                                                               application, processing_cannot_block(config)});
    if (!server->listen(config.port)) {
        return 1;
    }
    server->start();

    // On SIGTERM/SIGINT: accept no more, let the requests in progress answer (2 s at most), stop.
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    asio::steady_timer grace(ioc);
    std::chrono::steady_clock::time_point give_up;
    std::function<void(beast::error_code)> wait_for_requests = [&](beast::error_code) {
        if (server->requests_in_progress() == 0 || std::chrono::steady_clock::now() > give_up) {
            ioc.stop();
            return;
        }
        grace.expires_after(10ms);
        grace.async_wait(wait_for_requests);
    };
    signals.async_wait([&](beast::error_code, int) {
        give_up = std::chrono::steady_clock::now() + 2s;
        server->stop();
        grace.expires_after(10ms);
        grace.async_wait(wait_for_requests);
    });
    kore_example::announce_listening(server->port());

    std::vector<std::thread> threads;
    for (unsigned i = 1; i < io_threads; ++i) {
        threads.emplace_back([&ioc] { ioc.run(); });
    }
    // The signal_set takes SIGTERM/SIGINT through its own handler, so they are unblocked here, in
    // this thread only (the others were started with them blocked).
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    ioc.run();
    for (auto& thread : threads) {
        thread.join();
    }
    application.join();
    server->retire();  // the sessions the io_context still holds are destroyed with it
    return 0;
}
