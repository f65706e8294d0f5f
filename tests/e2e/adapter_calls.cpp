// Each server adapter's body calls and route helper, in process, over real sockets on 127.0.0.1:
// read_verified() (Beast: http::read and http::async_read over verifying_body) returns exactly
// the bytes sent (Content-Length and chunked), the sink form gets every piece in order, and the route helpers
// (cpp-httplib, Pistache, POCO) answer 405 to other methods, hand verified callbacks to the handler and answer its
// status, and refuse a query that is not the registered URL's without calling it. Built by examples/CMakeLists.txt,
// which finds the servers; KORE_E2E_<SERVER> says which were found.
#include "http_client.hpp"

#include <support/catch.hpp>

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/common.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#ifdef KORE_E2E_HTTPLIB
#include <kore/webhook/adapters/httplib.hpp>
#endif
#ifdef KORE_E2E_BEAST
#include <kore/webhook/adapters/beast.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#endif
#ifdef KORE_E2E_POCO
#include <kore/webhook/adapters/poco.hpp>

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#endif
#ifdef KORE_E2E_CIVETWEB
#include <kore/webhook/adapters/civetweb.hpp>
#endif
#ifdef KORE_E2E_PISTACHE
#include <kore/webhook/adapters/pistache.hpp>

#include <pistache/endpoint.h>
#include <pistache/router.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#endif
#ifdef KORE_E2E_MICROHTTPD
#include <kore/webhook/adapters/microhttpd.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#endif

namespace kw = kore::webhook;
namespace adapters = kore::webhook::adapters;

namespace {

constexpr std::string_view secret = "adapter-calls-secret";
constexpr std::string_view host = "https://hooks.example.com";
// Three routes on each server: read_verified(), verify(..., sink), and the route helper.
constexpr std::string_view body_path = "/kore/body";
constexpr std::string_view sink_path = "/kore/sink";
constexpr std::string_view route_path = "/kore/route";

std::string url_of(std::string_view path) {
    return std::string(host) + std::string(path);
}

// What the receivers saw, written on the server's thread, read by the test once the answer came.
class probe {
public:
    void kept(std::string_view body) {
        const std::lock_guard<std::mutex> lock(mutex_);
        body_ = std::string(body);
    }
    void piece(std::string_view data) {
        const std::lock_guard<std::mutex> lock(mutex_);
        pieces_.emplace_back(data);
    }
    void handled(const adapters::verified_callback& c) {
        const std::lock_guard<std::mutex> lock(mutex_);
        handled_.push_back({std::string(c.body), std::string(c.content_type), std::string(c.idempotency_token),
                            std::string(c.replay_key)});
    }
    void reset() {
        const std::lock_guard<std::mutex> lock(mutex_);
        body_.reset();
        pieces_.clear();
        handled_.clear();
    }
    std::optional<std::string> body() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return body_;
    }
    std::vector<std::string> pieces() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return pieces_;
    }
    struct callback {
        std::string body, content_type, token, replay_key;
    };
    std::vector<callback> handled() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return handled_;
    }

private:
    mutable std::mutex mutex_;
    std::optional<std::string> body_;
    std::vector<std::string> pieces_;
    std::vector<callback> handled_;
};

// The route helpers' configuration: the handler records the callback and answers 202 "queued",
// or 503 when the body asks for it (an application whose store is down).
adapters::route_config route_config_for(probe& p) {
    adapters::route_config config;
    config.registered_url = url_of(route_path);
    config.on_callback = [&p](const adapters::verified_callback& c) -> adapters::callback_reply {
        p.handled(c);
        if (c.body.find("store=down") != std::string_view::npos) {
            return 503;
        }
        return {202, "queued"};
    };
    return config;
}

e2e::request post(std::string_view path, std::string body, e2e::framing framing = e2e::framing::content_length) {
    e2e::request r;
    r.method = "POST";
    r.target = std::string(path);
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"kore-idempotency-token", "token-42"},
                 {"kore-signature", kw::sign(secret, "POST", url_of(path), body)}};
    r.body = std::move(body);
    r.body_framing = framing;
    return r;
}

// 100 000 bytes that differ from place to place, so that a piece out of order shows.
std::string large_body() {
    std::string body;
    body.reserve(100000);
    for (std::size_t i = 0; body.size() < 100000; ++i) {
        body += "n" + std::to_string(i) + "=" + std::to_string(i * 7919 % 10007) + "&";
    }
    body.resize(100000);
    return body;
}

const std::string small_body = "SimSid=HS0123456789abcdef&Status=active";

std::string joined(const std::vector<std::string>& pieces) {
    std::string out;
    for (const auto& piece : pieces) {
        out += piece;
    }
    return out;
}

// How the sink route sees the body: in several pieces, in one (Pistache hands the adapter the
// whole body at once), or not at all (Beast has no sink form: its Body type keeps the body or not).
enum class sink_pieces { several, one, none };

// The checks every server's receivers must pass.
void check_body_calls(unsigned short port, probe& p, sink_pieces sink) {
    const std::string large = large_body();
    for (const auto framing : {e2e::framing::content_length, e2e::framing::chunked}) {
        for (const std::string* body : {&small_body, &large}) {
            INFO("framing " << static_cast<int>(framing) << ", " << body->size() << " bytes");
            p.reset();
            auto r = e2e::send(port, post(body_path, *body, framing));
            CHECK(r.status == 204);
            CHECK(p.body() == *body);  // read_verified(): the bytes sent, exactly

            if (sink == sink_pieces::none) {
                continue;
            }
            p.reset();
            r = e2e::send(port, post(sink_path, *body, framing));
            CHECK(r.status == 204);
            const auto pieces = p.pieces();
            CHECK(joined(pieces) == *body);  // the sink: every piece, in order
            if (sink == sink_pieces::one) {
                CHECK(pieces.size() == 1);
            } else if (body == &large) {
                CHECK(pieces.size() > 1);
            }
        }
    }
    p.reset();
    auto tampered = post(body_path, small_body);
    tampered.body += "&Status=x";
    const auto r = e2e::send(port, tampered);
    CHECK(r.status == 401);
    CHECK(r.body == "signature_mismatch");
}

void check_route_helper(unsigned short port, probe& p) {
    for (const std::string_view method : {"PUT", "DELETE", "PATCH"}) {
        INFO(method);
        p.reset();
        auto request = post(route_path, small_body);
        request.method = std::string(method);
        const auto r = e2e::send(port, request);
        CHECK(r.status == 405);
        CHECK(r.body == "method_not_allowed");
        CHECK(p.handled().empty());
    }

    p.reset();
    auto r = e2e::send(port, post(route_path, small_body, e2e::framing::chunked));
    CHECK(r.status == 202);  // the handler's status, and its body
    CHECK(r.body == "queued");
    const auto handled = p.handled();
    REQUIRE(handled.size() == 1);
    CHECK(handled[0].body == small_body);
    CHECK(handled[0].content_type == "application/x-www-form-urlencoded");
    CHECK(handled[0].token == "token-42");
    CHECK(handled[0].replay_key == kw::sign(secret, "POST", url_of(route_path), small_body));

    p.reset();
    r = e2e::send(port, post(route_path, small_body + "&store=down"));
    CHECK(r.status == 503);
    CHECK(p.handled().size() == 1);

    p.reset();
    auto with_query = post(route_path, small_body);
    with_query.target += "?Status=inactive";
    r = e2e::send(port, with_query);
    CHECK(r.status == 401);
    CHECK(r.body == "query_not_signed");
    CHECK(p.handled().empty());

    p.reset();
    auto unsigned_request = post(route_path, small_body);
    unsigned_request.headers.pop_back();
    r = e2e::send(port, unsigned_request);
    CHECK(r.status == 401);
    CHECK(r.body == "missing_signature");
    CHECK(p.handled().empty());
}

const kw::verifier& test_verifier() {
    static const kw::verifier v{secret};
    return v;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
#ifdef KORE_E2E_HTTPLIB
TEST_CASE("cpp-httplib: read_verified, the sink and mount_route") {
    probe p;
    const kw::verifier& v = test_verifier();
    httplib::Server server;
    server.Post(std::string(body_path),
                [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
                    const auto r = adapters::httplib::read_verified(v, url_of(body_path), req, reader);
                    p.kept(r.body);
                    res.status = adapters::http_status(r.verdict);
                    res.set_content(std::string(adapters::error_body(r.verdict)), "text/plain");
                });
    server.Post(std::string(sink_path),
                [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
                    const auto verdict = adapters::httplib::verify(v, url_of(sink_path), req, reader,
                                                                   [&p](std::string_view piece) { p.piece(piece); });
                    res.status = adapters::http_status(verdict);
                    res.set_content(std::string(adapters::error_body(verdict)), "text/plain");
                });
    adapters::httplib::mount_route(server, v, route_config_for(p));
    const int port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    std::thread listener([&server] { server.listen_after_bind(); });
    while (!server.is_running()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    check_body_calls(static_cast<unsigned short>(port), p, sink_pieces::several);
    check_route_helper(static_cast<unsigned short>(port), p);
    server.stop();
    listener.join();
}
#endif

// ---------------------------------------------------------------------------------------------
#ifdef KORE_E2E_BEAST
namespace {

// One connection at a time (the client sends Connection: close), served on the io_context's
// thread with blocking reads: read_header, then http::read over verifying_body. Closing the
// acceptor ends it.
void beast_serve(boost::asio::ip::tcp::socket& socket, const kw::verifier& v, probe& p) {
    namespace http = boost::beast::http;
    boost::beast::error_code ec;
    boost::beast::flat_buffer buffer;
    http::request_parser<adapters::beast::verifying_body> parser;
    adapters::beast::prepare(parser);
    http::read_header(socket, buffer, parser, ec);
    if (ec) {
        return;
    }
    static const std::string url = url_of(body_path);  // outlives the read: the body keeps a view
    parser.get().body().prepare(v, url);
    http::read(socket, buffer, parser, ec);
    const kw::result verdict = parser.get().body().verdict(ec);
    p.kept(parser.get().body().body());
    http::response<http::string_body> res;
    res.result(static_cast<unsigned>(adapters::http_status(verdict)));
    res.body() = std::string(adapters::error_body(verdict));
    res.keep_alive(false);
    res.prepare_payload();
    http::write(socket, res, ec);
}

void beast_accept(boost::asio::ip::tcp::acceptor& acceptor, probe& p) {
    acceptor.async_accept([&acceptor, &p](boost::beast::error_code ec, boost::asio::ip::tcp::socket socket) {
        if (ec) {
            return;  // the acceptor was closed: the test is over
        }
        beast_serve(socket, test_verifier(), p);
        beast_accept(acceptor, p);
    });
}

}  // namespace

TEST_CASE("Boost.Beast: http::read over verifying_body keeps exactly the body sent and judges it") {
    probe p;
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port();
    beast_accept(acceptor, p);
    std::thread serving([&ioc] { ioc.run(); });
    check_body_calls(port, p, sink_pieces::none);
    boost::asio::post(ioc, [&acceptor] { acceptor.close(); });
    serving.join();
}

namespace {

// What the asynchronous receiver saw of one request.
struct async_outcome {
    boost::beast::error_code read_error;  // what http::async_read completed with
    std::error_code verdict_error;
    std::string body;
    bool completed_inside_initiation = false;
};

class async_probe {
public:
    void record(async_outcome outcome) {
        const std::lock_guard<std::mutex> lock(mutex_);
        outcomes_.push_back(std::move(outcome));
    }
    // The outcome of the request just answered; waits (boundedly) for one the server never answered.
    std::optional<async_outcome> last(std::chrono::milliseconds wait = std::chrono::milliseconds(0)) const {
        const auto give_up = std::chrono::steady_clock::now() + wait;
        while (true) {
            {
                const std::lock_guard<std::mutex> lock(mutex_);
                if (!outcomes_.empty()) {
                    return outcomes_.back();
                }
            }
            if (std::chrono::steady_clock::now() >= give_up) {
                return std::nullopt;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    void reset() {
        const std::lock_guard<std::mutex> lock(mutex_);
        outcomes_.clear();
    }

private:
    mutable std::mutex mutex_;
    std::vector<async_outcome> outcomes_;
};

// An asynchronous receiver on a tcp_stream: async_read_header, then http::async_read over
// verifying_body under a body deadline, then the verdict's status.
struct async_connection {
    explicit async_connection(boost::asio::ip::tcp::socket socket) : stream(std::move(socket)) {}
    boost::beast::tcp_stream stream;
    boost::beast::flat_buffer buffer;
    boost::beast::http::request_parser<adapters::beast::verifying_body> parser;
    boost::beast::http::response<boost::beast::http::string_body> response;
};

void async_beast_serve(boost::asio::ip::tcp::socket socket, std::chrono::milliseconds body_deadline, async_probe& p) {
    namespace http = boost::beast::http;
    auto c = std::make_shared<async_connection>(std::move(socket));
    adapters::beast::prepare(c->parser);
    http::async_read_header(
        c->stream, c->buffer, c->parser, [c, body_deadline, &p](boost::beast::error_code ec, std::size_t) {
            if (ec) {
                return;
            }
            c->stream.expires_after(body_deadline);
            static const std::string url = url_of(body_path);  // outlives the read: the body keeps a view
            c->parser.get().body().prepare(test_verifier(), url);
            auto initiating = std::make_shared<bool>(true);
            http::async_read(
                c->stream, c->buffer, c->parser, [c, initiating, &p](boost::beast::error_code read_error, std::size_t) {
                    const kw::result verdict = c->parser.get().body().verdict(read_error);
                    p.record({read_error, verdict.error(), c->parser.get().body().body(), *initiating});
                    if (read_error && read_error != adapters::beast::verification_stopped()) {
                        return;  // the stream is closed
                    }
                    c->stream.expires_never();
                    c->response.result(static_cast<unsigned>(adapters::http_status(verdict)));
                    c->response.body() = std::string(adapters::error_body(verdict));
                    c->response.keep_alive(false);
                    c->response.prepare_payload();
                    http::async_write(c->stream, c->response, [c](boost::beast::error_code, std::size_t) {});
                });
            *initiating = false;
        });
}

void async_beast_accept(boost::asio::ip::tcp::acceptor& acceptor, std::chrono::milliseconds body_deadline,
                        async_probe& p) {
    acceptor.async_accept(
        [&acceptor, body_deadline, &p](boost::beast::error_code ec, boost::asio::ip::tcp::socket socket) {
            if (ec) {
                return;  // the acceptor was closed: the test is over
            }
            async_beast_serve(std::move(socket), body_deadline, p);
            async_beast_accept(acceptor, body_deadline, p);
        });
}

// The asynchronous receiver on its own thread, for the length of a test.
class async_beast_server {
public:
    async_beast_server(std::chrono::milliseconds body_deadline, async_probe& p)
        : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        async_beast_accept(acceptor_, body_deadline, p);
        serving_ = std::thread([this] { ioc_.run(); });
    }
    async_beast_server(const async_beast_server&) = delete;
    async_beast_server& operator=(const async_beast_server&) = delete;
    ~async_beast_server() {
        boost::asio::post(ioc_, [this] { acceptor_.close(); });
        serving_.join();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }

private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread serving_;
};

}  // namespace

TEST_CASE("Boost.Beast: async_read over verifying_body keeps exactly the body sent and judges it") {
    async_probe p;
    const async_beast_server server(std::chrono::seconds(30), p);
    const std::string large = large_body();
    for (const auto framing : {e2e::framing::content_length, e2e::framing::chunked}) {
        for (const std::string* body : {&small_body, &large}) {
            INFO("framing " << static_cast<int>(framing) << ", " << body->size() << " bytes");
            p.reset();
            const auto r = e2e::send(server.port(), post(body_path, *body, framing));
            CHECK(r.status == 204);
            const auto outcome = p.last();
            REQUIRE(outcome);
            CHECK(outcome->body == *body);
            CHECK(!outcome->read_error);
        }
    }
    p.reset();
    auto tampered = post(body_path, small_body);
    tampered.body += "&Status=x";
    const auto r = e2e::send(server.port(), tampered);
    CHECK(r.status == 401);
    CHECK(r.body == "signature_mismatch");
}

TEST_CASE("Boost.Beast: async_read over verifying_body never completes inside the initiating call") {
    async_probe p;
    const async_beast_server server(std::chrono::seconds(30), p);

    // Nothing to read: a signed empty body is judged as soon as the header is.
    auto r = e2e::send(server.port(), post(body_path, ""));
    CHECK(r.status == 204);
    auto outcome = p.last();
    REQUIRE(outcome);
    CHECK(!outcome->completed_inside_initiation);

    // Refused on the header alone.
    p.reset();
    auto with_query = post(body_path, small_body);
    with_query.target += "?Status=inactive";
    r = e2e::send(server.port(), with_query);
    CHECK(r.status == 401);
    CHECK(r.body == "query_not_signed");
    outcome = p.last();
    REQUIRE(outcome);
    CHECK(!outcome->completed_inside_initiation);
    CHECK(outcome->read_error == adapters::beast::verification_stopped());  // the read stopped at the header
}

TEST_CASE("Boost.Beast: async_read over verifying_body ends at the stream's deadline with body_incomplete") {
    async_probe p;
    const async_beast_server server(std::chrono::milliseconds(200), p);
    boost::asio::io_context client_context;
    boost::asio::ip::tcp::socket client(client_context);
    client.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    const std::string head = "POST " + std::string(body_path) +
                             " HTTP/1.1\r\nHost: 127.0.0.1\r\nkore-signature: " + std::string(64, '0') +
                             "\r\nContent-Length: 100\r\n\r\n0123456789";
    boost::asio::write(client, boost::asio::buffer(head));
    // The rest of the body never comes: the server's deadline closes the connection.
    std::array<char, 256> answer{};
    boost::beast::error_code ec;
    const std::size_t got = client.read_some(boost::asio::buffer(answer), ec);
    CHECK(got == 0);
    CHECK(ec);  // closed without an answer

    const auto outcome = p.last(std::chrono::seconds(10));
    REQUIRE(outcome);
    CHECK(outcome->read_error == boost::beast::error::timeout);
    CHECK(outcome->verdict_error == adapters::adapter_errc::body_incomplete);
}
#endif

// ---------------------------------------------------------------------------------------------
// Raw sockets, for what an HTTP client hides: the bytes of a refused upload, whether the server
// kept or closed the connection.
#if defined(KORE_E2E_POCO) || defined(KORE_E2E_PISTACHE) || defined(KORE_E2E_MICROHTTPD)
namespace {

// A socket closed when it goes out of scope.
class test_socket {
public:
    test_socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
    ~test_socket() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    test_socket(const test_socket&) = delete;
    test_socket& operator=(const test_socket&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

// Connects `fd` to 127.0.0.1:port, blocking; its reads and writes give up after 10 s (a bound,
// not a measurement).
void connect_blocking(int fd, unsigned short port) {
    const timeval bound{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
}

// Sends all of `data`; on failure returns the errno.
int send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

std::string receive_all(int fd) {
    std::string received;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) {
        received.append(buffer, static_cast<std::size_t>(n));
    }
    return received;
}

// Reads one answer: its header, then as many body bytes as its Content-Length says. What
// arrived, whole or not, when the connection closes or a read gives up.
std::string receive_response(int fd) {
    std::string received;
    char buffer[4096];
    std::size_t header_end = std::string::npos;
    std::size_t wanted = 0;
    while (header_end == std::string::npos || received.size() < header_end + wanted) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
            break;
        }
        received.append(buffer, static_cast<std::size_t>(n));
        if (header_end == std::string::npos && (header_end = received.find("\r\n\r\n")) != std::string::npos) {
            header_end += 4;
            const std::size_t length = received.find("Content-Length: ");
            if (length != std::string::npos && length < header_end) {
                wanted = std::stoul(received.substr(length + 16));
            }
        }
    }
    return received;
}

}  // namespace
#endif

// ---------------------------------------------------------------------------------------------
#ifdef KORE_E2E_POCO
namespace {

class poco_receiver final : public Poco::Net::HTTPRequestHandler {
public:
    explicit poco_receiver(probe& p) : probe_(p) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
        const kw::verifier& v = test_verifier();
        kw::result verdict = kw::result::refused(make_error_code(kw::errc::invalid_url));
        if (req.getURI() == body_path) {
            auto r = adapters::poco::read_verified(v, url_of(body_path), req);
            probe_.kept(r.body);
            verdict = r.verdict;
        } else {
            verdict = adapters::poco::verify(v, url_of(sink_path), req,
                                             [this](std::string_view piece) { probe_.piece(piece); });
        }
        const std::string text(adapters::error_body(verdict));
        res.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(adapters::http_status(verdict)));
        res.setContentLength(static_cast<std::streamsize>(text.size()));
        res.send() << text;
    }

private:
    probe& probe_;
};

class poco_factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    poco_factory(const adapters::poco::route& route, probe& p) : route_(route), probe_(p) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& req) override {
        if (auto* handler = route_.handler_for(req)) {
            return handler;
        }
        return new poco_receiver(probe_);
    }

private:
    const adapters::poco::route& route_;
    probe& probe_;
};

// The route and the probe's receivers on a POCO server on a free loopback port, stopped when it
// goes out of scope.
class poco_server {
public:
    explicit poco_server(probe& p)
        : route_(test_verifier(), route_config_for(p)),
          socket_(Poco::Net::SocketAddress("127.0.0.1", 0)),
          server_(new poco_factory(route_, p), socket_, new Poco::Net::HTTPServerParams) {
        server_.start();
    }
    ~poco_server() { server_.stop(); }
    poco_server(const poco_server&) = delete;
    poco_server& operator=(const poco_server&) = delete;
    unsigned short port() const { return socket_.address().port(); }

private:
    const adapters::poco::route route_;
    Poco::Net::ServerSocket socket_;
    Poco::Net::HTTPServer server_;
};

}  // namespace

TEST_CASE("POCO: read_verified, the sink and the route") {
    probe p;
    const poco_server server(p);
    check_body_calls(server.port(), p, sink_pieces::several);
    check_route_helper(server.port(), p);
}

namespace {

// Sends `head` and then `body_size` bytes in full, blocking, before reading anything; returns what
// the server answered first, or "" when the connection was reset or closed without an answer.
std::string send_whole_then_read(unsigned short port, const std::string& head, std::size_t body_size) {
    const test_socket sock;
    REQUIRE(sock.get() >= 0);
    // A small send buffer: the body leaves as the server reads it, so the client is still sending
    // when a server that closes without reading resets the connection.
    const int send_buffer = 64 * 1024;
    ::setsockopt(sock.get(), SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
    connect_blocking(sock.get(), port);
    std::string data = head;
    data.append(body_size, 'x');
    if (send_all(sock.get(), data) != 0) {
        return "";
    }
    std::array<char, 256> buffer{};
    const ssize_t got = ::recv(sock.get(), buffer.data(), buffer.size(), 0);
    return got > 0 ? std::string(buffer.data(), static_cast<std::size_t>(got)) : std::string();
}

}  // namespace

TEST_CASE("POCO: the route's 413 before the body reaches a client that sends its whole body first") {
    probe p;
    const poco_server server(p);
    // Three times the verifier's limit, declared: refused before the body is read. Closing with it
    // unread would reset the connection (the client, still sending, would never read the 413):
    // not every time, so the client tries a few times.
    const std::size_t body_size = 3 * kw::default_max_body_size;
    const std::string head = "POST " + std::string(route_path) +
                             " HTTP/1.1\r\nHost: 127.0.0.1\r\nkore-signature: " + std::string(64, '0') +
                             "\r\nContent-Length: " + std::to_string(body_size) + "\r\n\r\n";
    for (int attempt = 0; attempt < 5; ++attempt) {
        INFO("attempt " << attempt);
        const std::string answer = send_whole_then_read(server.port(), head, body_size);
        CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
    }
    CHECK(p.handled().empty());
}
#endif

// ---------------------------------------------------------------------------------------------
#ifdef KORE_E2E_CIVETWEB
namespace {

int civetweb_handle(struct mg_connection* conn, void* data) noexcept {
    auto& p = *static_cast<probe*>(data);
    const kw::verifier& v = test_verifier();
    const struct mg_request_info* info = mg_get_request_info(conn);
    const std::string_view path = info->local_uri_raw != nullptr ? info->local_uri_raw : "";
    kw::result verdict = kw::result::refused(make_error_code(kw::errc::invalid_url));
    try {
        if (path == body_path) {
            auto r = adapters::civetweb::read_verified(v, url_of(body_path), conn);
            p.kept(r.body);
            verdict = r.verdict;
        } else {
            verdict = adapters::civetweb::verify(v, url_of(sink_path), conn,
                                                 [&p](std::string_view piece) { p.piece(piece); });
        }
    } catch (...) {  // the probe's allocations: the test fails on the status
    }
    const int status = adapters::http_status(verdict);
    const std::string_view text = adapters::error_body(verdict);
    mg_response_header_start(conn, status);
    const std::string length = std::to_string(text.size());
    mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
    mg_response_header_send(conn);
    mg_write(conn, text.data(), text.size());
    return status;
}

}  // namespace

TEST_CASE("CivetWeb: read_verified and the sink") {
    probe p;
    mg_init_library(0);
    const char* options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "2", nullptr};
    struct mg_callbacks callbacks {};
    struct mg_context* ctx = mg_start(&callbacks, nullptr, options);
    REQUIRE(ctx != nullptr);
    mg_set_request_handler(ctx, "/kore", civetweb_handle, &p);
    struct mg_server_port ports[2]{};
    REQUIRE(mg_get_server_ports(ctx, 2, ports) >= 1);
    check_body_calls(static_cast<unsigned short>(ports[0].port), p, sink_pieces::several);
    mg_stop(ctx);
    mg_exit_library();
}
#endif

// ---------------------------------------------------------------------------------------------
#ifdef KORE_E2E_PISTACHE
TEST_CASE("Pistache: read_verified, the sink and mount_route") {
    probe p;
    const kw::verifier& v = test_verifier();
    Pistache::Rest::Router router;
    auto answer = [](Pistache::Http::ResponseWriter& res, const kw::result& verdict) {
        res.send(static_cast<Pistache::Http::Code>(adapters::http_status(verdict)),
                 std::string(adapters::error_body(verdict)));
    };
    router.post(std::string(body_path), [&](const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter res) {
        const auto r = adapters::pistache::read_verified(v, url_of(body_path), req);
        p.kept(r.body);
        answer(res, r.verdict);
        return Pistache::Rest::Route::Result::Ok;
    });
    router.post(std::string(sink_path), [&](const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter res) {
        const auto verdict =
            adapters::pistache::verify(v, url_of(sink_path), req, [&p](std::string_view piece) { p.piece(piece); });
        answer(res, verdict);
        return Pistache::Rest::Route::Result::Ok;
    });
    adapters::pistache::mount_route(router, v, route_config_for(p));
    Pistache::Http::Endpoint endpoint(Pistache::Address(Pistache::IP(127, 0, 0, 1), Pistache::Port(0)));
    endpoint.init(Pistache::Http::Endpoint::options().threads(1).maxRequestSize(2 * 1024 * 1024));
    endpoint.setHandler(router.handler());
    endpoint.serveThreaded();
    const auto port = static_cast<unsigned short>(static_cast<std::uint16_t>(endpoint.getPort()));
    check_body_calls(port, p, sink_pieces::one);
    check_route_helper(port, p);
    endpoint.shutdown();
}

TEST_CASE("Pistache: a path its router would read as a parameter is refused at mount time") {
    Pistache::Rest::Router router;
    adapters::route_config config;
    config.registered_url = "https://hooks.example.com/kore/:id";
    CHECK_THROWS_AS(adapters::pistache::mount_route(router, test_verifier(), config), std::invalid_argument);
}

// Pistache 0.0.5 answers Connection: Close to a request without a Connection header, and a client
// that believes it opens a new connection for the next request; the route answers what HTTP/1.1
// says instead (set_connection_header).
TEST_CASE("Pistache: the route keeps an HTTP/1.1 connection open unless a side asks to close") {
    probe p;
    Pistache::Rest::Router router;
    adapters::pistache::mount_route(router, test_verifier(), route_config_for(p));
    Pistache::Http::Endpoint endpoint(Pistache::Address(Pistache::IP(127, 0, 0, 1), Pistache::Port(0)));
    endpoint.init(Pistache::Http::Endpoint::options().threads(1));
    endpoint.setHandler(router.handler());
    endpoint.serveThreaded();
    const auto port = static_cast<unsigned short>(static_cast<std::uint16_t>(endpoint.getPort()));
    const std::string unsigned_post = "POST " + std::string(route_path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    const std::string two_bytes = "Content-Length: 2\r\n\r\n{}";

    SECTION("HTTP/1.1 without a Connection header: two answers on one connection") {
        const test_socket sock;
        connect_blocking(sock.get(), port);
        for (int request = 0; request < 2; ++request) {
            INFO("request " << request);
            REQUIRE(send_all(sock.get(), unsigned_post + two_bytes) == 0);
            const std::string answer = receive_response(sock.get());
            CHECK(answer.rfind("HTTP/1.1 401 ", 0) == 0);
            CHECK(answer.find("Connection: Keep-Alive\r\n") != std::string::npos);
        }
    }
    SECTION("Connection: close is answered Close") {
        const test_socket sock;
        connect_blocking(sock.get(), port);
        REQUIRE(send_all(sock.get(), unsigned_post + "Connection: close\r\n" + two_bytes) == 0);
        const std::string answer = receive_response(sock.get());
        CHECK(answer.find("Connection: Close\r\n") != std::string::npos);
    }
    SECTION("HTTP/1.0 without keep-alive is answered Close") {
        const test_socket sock;
        connect_blocking(sock.get(), port);
        const std::string request = "POST " + std::string(route_path) + " HTTP/1.0\r\nHost: 127.0.0.1\r\n" + two_bytes;
        REQUIRE(send_all(sock.get(), request) == 0);
        CHECK(receive_response(sock.get()).find("Connection: Close\r\n") != std::string::npos);
    }
    endpoint.shutdown();
}
#endif

// ---------------------------------------------------------------------------------------------
#ifdef KORE_E2E_MICROHTTPD
namespace {

enum MHD_Result mhd_answer(struct MHD_Connection* connection, const kw::result& verdict) noexcept {
    const std::string_view text = adapters::error_body(verdict);
    struct MHD_Response* response =
        MHD_create_response_from_buffer(text.size(), const_cast<char*>(text.data()), MHD_RESPMEM_MUST_COPY);
    if (response == nullptr) {
        return MHD_NO;
    }
    const enum MHD_Result queued =
        MHD_queue_response(connection, static_cast<unsigned>(adapters::http_status(verdict)), response);
    MHD_destroy_response(response);
    return queued;
}

enum MHD_Result mhd_handle(void* cls, struct MHD_Connection* connection, const char* url, const char* method,
                           const char* /*version*/, const char* upload_data, size_t* upload_data_size,
                           void** req_cls) noexcept {
    auto& p = *static_cast<probe*>(cls);
    const kw::verifier& v = test_verifier();
    try {
        if (std::string_view(url) == body_path) {
            const auto r = adapters::microhttpd::step_verified(v, url_of(body_path), connection, method, upload_data,
                                                               upload_data_size, req_cls);
            if (!r) {
                return MHD_YES;
            }
            p.kept(r->body);
            return mhd_answer(connection, r->verdict);
        }
        const auto verdict =
            adapters::microhttpd::step(v, url_of(sink_path), connection, method, upload_data, upload_data_size, req_cls,
                                       [&p](std::string_view piece) { p.piece(piece); });
        if (!verdict) {
            return MHD_YES;
        }
        return mhd_answer(connection, *verdict);
    } catch (...) {  // the probe's allocations
        return MHD_NO;
    }
}

}  // namespace

TEST_CASE("libmicrohttpd: step_verified and the sink") {
    probe p;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = 0;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const MHD_RequestCompletedCallback completed = &adapters::microhttpd::request_completed;
    void* (*const uri_logger)(void*, const char*, struct MHD_Connection*) = &adapters::microhttpd::remember_uri;
    struct MHD_Daemon* daemon =
        MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, nullptr, nullptr, &mhd_handle, &p, MHD_OPTION_SOCK_ADDR,
                         reinterpret_cast<const sockaddr*>(&address), MHD_OPTION_URI_LOG_CALLBACK, uri_logger, nullptr,
                         MHD_OPTION_NOTIFY_COMPLETED, completed, nullptr, MHD_OPTION_END);
    REQUIRE(daemon != nullptr);
    const union MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    REQUIRE(info != nullptr);
    check_body_calls(info->port, p, sink_pieces::several);
    MHD_stop_daemon(daemon);
}

namespace {

// A daemon serving mhd_handle on 127.0.0.1, stopped when the test ends.
class mhd_server {
public:
    mhd_server() {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const MHD_RequestCompletedCallback completed = &adapters::microhttpd::request_completed;
        void* (*const uri_logger)(void*, const char*, struct MHD_Connection*) = &adapters::microhttpd::remember_uri;
        daemon_ = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, nullptr, nullptr, &mhd_handle, &probe_,
                                   MHD_OPTION_SOCK_ADDR, reinterpret_cast<const sockaddr*>(&address),
                                   MHD_OPTION_URI_LOG_CALLBACK, uri_logger, nullptr, MHD_OPTION_NOTIFY_COMPLETED,
                                   completed, nullptr, MHD_OPTION_END);
        if (daemon_ != nullptr) {
            const union MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
            port_ = info != nullptr ? info->port : 0;
        }
    }
    ~mhd_server() {
        if (daemon_ != nullptr) {
            MHD_stop_daemon(daemon_);
        }
    }
    mhd_server(const mhd_server&) = delete;
    mhd_server& operator=(const mhd_server&) = delete;
    unsigned short port() const { return port_; }

private:
    probe probe_;
    struct MHD_Daemon* daemon_ = nullptr;
    unsigned short port_ = 0;
};

}  // namespace

// libmicrohttpd closes the connection after an answer queued before the body; with the body
// still unread, the kernel resets it and the client loses the answer. The adapter reads such a
// body to its end (up to refused_body_drain_bytes) and refuses it then.
TEST_CASE("libmicrohttpd: a declared-oversize body sent whole before reading gets its 413") {
    const mhd_server server;
    REQUIRE(server.port() != 0);
    const std::string body(3 << 20, 'x');  // over the 1 MiB limit, under the drain bound
    for (int attempt = 0; attempt < 5; ++attempt) {
        INFO("attempt " << attempt);
        const test_socket sock;
        connect_blocking(sock.get(), server.port());
        const std::string head = "POST " + std::string(body_path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nkore-signature: " +
                                 kw::sign(secret, "POST", url_of(body_path), body) +
                                 "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
        // The header on its own first, as most clients send it: the server has it before the body.
        REQUIRE(send_all(sock.get(), head) == 0);
        CHECK(send_all(sock.get(), body) == 0);
        const std::string answer = receive_all(sock.get());
        CHECK(answer.rfind("HTTP/1.1 413 ", 0) == 0);
    }
}

// libmicrohttpd cannot answer while a body arrives: a chunked body that never ends is cut off
// (the connection closed) once refused_body_drain_bytes past the limit have been discarded.
TEST_CASE("libmicrohttpd: an endless chunked body is cut off") {
    const mhd_server server;
    REQUIRE(server.port() != 0);
    const test_socket sock;
    connect_blocking(sock.get(), server.port());
    const std::string head = "POST " + std::string(body_path) +
                             " HTTP/1.1\r\nHost: 127.0.0.1\r\nkore-signature: " + std::string(64, '0') +
                             "\r\nTransfer-Encoding: chunked\r\n\r\n";
    REQUIRE(send_all(sock.get(), head) == 0);
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'z') + "\r\n";
    // Far more than the limit, the drain bound and what the sockets' buffers hold together.
    constexpr std::size_t give_up_after = std::size_t{64} << 20;
    std::size_t sent = 0;
    int error = 0;
    while (sent < give_up_after && (error = send_all(sock.get(), chunk)) == 0) {
        sent += chunk.size();
    }
    CHECK(sent < give_up_after);
    CHECK((error == EPIPE || error == ECONNRESET));  // closed by the server, not a send timing out
}
#endif
