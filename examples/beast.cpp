// kore-webhook-example-beast: a KORE callback receiver on Boost.Beast (docs/servers.md).
//   KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080
//   ./kore-webhook-example-beast
// Variables (HTTPS, Redis): kore_example.hpp. Asynchronous sessions on one thread; every phase
// of a request has a 5 s deadline, so a slow or idle client costs a socket, never a thread.
#include "kore_example.hpp"

#include <kore/webhook/adapters/beast.hpp>

#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <memory>
#include <optional>
#include <thread>
#include <type_traits>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace adapters = kore::webhook::adapters;

struct app {
    const kore::webhook::verifier& verifier;
    std::string path;  // the registered URL's
    adapters::route_config route;
};

// One connection, plain (beast::tcp_stream) or HTTPS (beast::ssl_stream<beast::tcp_stream>).
template <class Stream>
struct session : std::enable_shared_from_this<session<Stream>> {
    template <class... Args>
    explicit session(const app& a, Args&&... args) : self(a), stream(std::forward<Args>(args)...) {}
    const app& self;
    Stream stream;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<http::buffer_body>> parser;
    adapters::route_request request;  // views of the parser's header
    http::response<http::string_body> res;

    void start() {  // every phase gets 5 s: the handshake, the header (and idle time), the body, the answer
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            return read_header();
        } else {
            stream.async_handshake(asio::ssl::stream_base::server, [s = this->shared_from_this()](auto ec) {
                if (!ec)
                    s->read_header();
            });
        }
    }
    void read_header() {
        parser.emplace();
        adapters::beast::prepare(*parser);  // before the header is read
        parser->header_limit(16 * 1024);
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
        http::async_read_header(stream, buffer, *parser, [s = this->shared_from_this()](auto ec, size_t) {
            if (!ec)
                s->route();
        });
    }
    void route() {
        const auto& req = parser->get();
        const std::string_view target(req.target().data(), req.target().size());
        const auto type = req[http::field::content_type], token = req["kore-idempotency-token"];
        request = {{req.method_string().data(), req.method_string().size()},
                   target.substr(0, target.find('?')),
                   {type.data(), type.size()},
                   {token.data(), token.size()}};
        if (request.path != self.path) {
            return send({404, "not_found", false, true});
        }
        if (!adapters::route_verifies(request.method)) {
            return send(adapters::answer_method_not_allowed(self.route, request));
        }
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
        adapters::beast::async_read_verified(
            self.verifier, self.route.registered_url, stream, buffer, *parser,
            [s = this->shared_from_this()](auto, adapters::verified_body v) {
                s->send(adapters::answer_judged(s->self.route, s->request, v.verdict, v.body));
            });
    }
    void send(const adapters::route_answer& a) {
        res = {static_cast<http::status>(a.status), 11};
        res.set(http::field::content_type, "text/plain");
        res.body() = a.body;
        if (a.allow_header)
            res.set(http::field::allow, "GET, POST");
        res.keep_alive(!a.close_connection && parser->get().keep_alive());
        res.prepare_payload();
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
        http::async_write(stream, res, [s = this->shared_from_this()](auto ec, size_t) {
            if (!ec && s->res.keep_alive())
                s->read_header();
        });
    }
};

void accept(asio::ip::tcp::acceptor& acceptor, const app& a, asio::ssl::context* tls) {
    acceptor.async_accept(asio::make_strand(acceptor.get_executor()), [&acceptor, &a, tls](auto ec, auto socket) {
        if (!ec && tls != nullptr) {
            std::make_shared<session<beast::ssl_stream<beast::tcp_stream>>>(a, std::move(socket), *tls)->start();
        } else if (!ec) {
            std::make_shared<session<beast::tcp_stream>>(a, std::move(socket))->start();
        }
        accept(acceptor, a, tls);
    });
}

int main() {
    const char* program = "kore-webhook-example-beast";
    const sigset_t termination = kore_example::block_termination();
    const kore_example::settings settings = kore_example::read_settings(program);
    const kore::webhook::verifier verifier = kore_example::make_verifier(program, settings);
    const auto store = kore_example::make_store(program, settings);
    kore::webhook::replay_guard guard(*store);
    const app a{verifier, adapters::route_path(settings.url), kore_example::make_route(settings, guard)};

    try {
        asio::ssl::context tls(asio::ssl::context::tls_server);
        if (!settings.tls_cert.empty()) {
            tls.use_certificate_chain_file(settings.tls_cert);
            tls.use_private_key_file(settings.tls_key, asio::ssl::context::pem);
        }
        asio::io_context io;
        asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), settings.port});
        accept(acceptor, a, settings.tls_cert.empty() ? nullptr : &tls);
        kore_example::announce(acceptor.local_endpoint().port());
        std::thread worker([&io] { io.run(); });  // one thread serves every connection
        kore_example::wait_for_termination(termination);
        io.stop();
        worker.join();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
}
