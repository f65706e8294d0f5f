#include "admin.hpp"

#include "listener.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>

namespace kore_cli::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

class admin_listener : public std::enable_shared_from_this<admin_listener> {
public:
    admin_listener(gateway& gw, const host_port& at) : g(gw), acceptor_(asio::make_strand(gw.ioc)) {
        open_acceptor(acceptor_, at, "admin_listen");
    }

    std::string address() const { return serve::bound_address(acceptor_); }

    void start() {
        asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
    }
    void stop() {
        asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
            beast::error_code ignored;
            self->acceptor_.close(ignored);
        });
    }

    gateway& g;

private:
    void accept() {
        acceptor_.async_accept(asio::make_strand(g.ioc),
                               [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                                   if (!self->acceptor_.is_open()) {
                                       return;
                                   }
                                   if (!ec) {
                                       self->serve(std::move(socket));
                                   }
                                   self->accept();
                               });
    }

    void serve(tcp::socket socket);

    tcp::acceptor acceptor_;
};

namespace {

class admin_session : public std::enable_shared_from_this<admin_session> {
public:
    admin_session(gateway& g, tcp::socket socket) : g_(g), stream_(std::move(socket)) {}

    void start() {
        parser_.emplace();
        parser_->header_limit(8 * 1024);
        parser_->body_limit(4 * 1024);
        stream_.expires_after(5s);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&admin_session::on_read, shared_from_this()));
    }

private:
    void on_read(beast::error_code ec, std::size_t /*bytes*/) {
        if (ec) {
            return;
        }
        const auto& req = parser_->get();
        const std::string_view target(req.target().data(), req.target().size());
        const std::string_view path = target.substr(0, target.find('?'));
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            return answer(405, "method_not_allowed\n", "text/plain");
        }
        if (path == "/healthz") {
            return answer(200, "ok\n", "text/plain");
        }
        if (path == "/metrics") {
            return answer(200, g_.stats.render(), "text/plain; version=0.0.4");
        }
        if (path == "/readyz") {
            auto rt = g_.runtimes.get();
            if (!rt->redis_store) {
                return answer(200, "ready\n", "text/plain");
            }
            // PING blocks: on the workers, the answer back on this connection's strand.
            asio::post(g_.workers, [self = shared_from_this(), rt] {
                const bool up = !rt->redis_store->ping();
                asio::post(self->stream_.get_executor(), [self, up] {
                    self->answer(up ? 200 : 503, up ? "ready\n" : "redis_unavailable\n", "text/plain");
                });
            });
            return;
        }
        answer(404, "not_found\n", "text/plain");
    }

    void answer(unsigned status, std::string body, const char* type) {
        response_.version(11);
        response_.result(status);
        response_.set(http::field::content_type, type);
        response_.body() = std::move(body);
        response_.keep_alive(false);
        response_.prepare_payload();
        stream_.expires_after(5s);
        http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, std::size_t) {
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
            self->stream_.socket().close(ignored);
        });
    }

    gateway& g_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
};

}  // namespace

void admin_listener::serve(tcp::socket socket) {
    std::make_shared<admin_session>(g, std::move(socket))->start();
}

std::shared_ptr<admin_listener> open_admin_listener(gateway& g, const host_port& at) {
    return std::make_shared<admin_listener>(g, at);
}
std::string bound_address(const admin_listener& l) {
    return l.address();
}
void start(admin_listener& l) {
    l.start();
}
void stop(admin_listener& l) {
    l.stop();
}

}  // namespace kore_cli::serve
