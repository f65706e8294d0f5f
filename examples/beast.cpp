// kore-webhook-example-beast: a KORE callback receiver on Boost.Beast (docs/servers.md). One I/O
// thread runs every connection as a stackless coroutine, 5 s a phase; Redis is called off it.
#include "kore_example.hpp"

#include <kore/webhook/adapters/beast.hpp>

#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <thread>

#include <boost/asio/yield.hpp>  // reenter, yield: after Beast, which undefines them

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace kw = kore::webhook;
namespace beast_adapter = kw::adapters::beast;

template <class Stream>  // beast::tcp_stream, or beast::ssl_stream<beast::tcp_stream> for HTTPS
struct session : asio::coroutine, std::enable_shared_from_this<session<Stream>> {
    session(const kore_example::receiver& r, kw::async_replay_guard& g, Stream s)
        : app(r), guard(g), stream(std::move(s)) {}
    const kore_example::receiver& app;
    kw::async_replay_guard& guard;
    Stream stream;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<beast_adapter::verifying_body>> parser;
    kw::adapters::route_request request;  // views of the parser's header
    std::optional<kw::result> verdict;
    std::optional<kw::adapters::route_answer> answer;
    http::response<http::string_body> res;

    auto next() {
        return [s = this->shared_from_this()](beast::error_code ec = {}, size_t = 0) { (*s)(ec); };
    }
    void handshake(beast::tcp_stream&) { asio::post(stream.get_executor(), next()); }
    void handshake(beast::ssl_stream<beast::tcp_stream>&) { stream.async_handshake(stream.server, next()); }
    void operator()(beast::error_code ec = {}) {
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));  // each phase, idle time too
        reenter(this) {
            yield handshake(stream);
            while (!ec && res.keep_alive()) {
                beast_adapter::prepare(parser.emplace());  // lifts Beast's 1 MB limit: the verifier has its own
                parser->header_limit(16 * 1024);
                yield http::async_read_header(stream, buffer, *parser, next());
                if (ec) {
                    return;
                }
                request = beast_adapter::request_of(parser->get());
                answer = kore_example::answer_off_route(app, request);  // 404, 405
                if (!answer) {
                    parser->get().body().prepare(app.verifier, app.settings.url);
                    if (beast_adapter::judge_header(*parser)) {  // else refused on its header: no body wait
                        yield http::async_read(stream, buffer, *parser, next());  // verifies; a refusal stops it
                    }
                    verdict = parser->get().body().verdict(ec);
                    if (!*verdict) {
                        answer = kw::adapters::answer_judged(app.route, request, *verdict, {});
                    }
                }
                if (!answer) {  // verified: through the replay guard, whose calls run on its own threads
                    yield kore_example::process_async(guard, request, *verdict, parser->get().body().body(),
                                                      [this, n = next()](kw::adapters::callback_reply reply) {
                                                          answer = {reply.status, std::move(reply.body)};
                                                          asio::post(stream.get_executor(), n);
                                                      });
                    app.route.on_answer({request.method, request.path, answer->status, {}, &*verdict, nullptr});
                }
                res = beast_adapter::response_to(*parser, *answer);  // Connection: close when body is left unread
                yield http::async_write(stream, res, next());
            }
        }
    }
};

int main() {
    kore_example::receiver app("kore-webhook-example-beast");
    try {
        asio::io_context io;
        kw::async_replay_guard guard(app.guard);  // destroyed before io: its last callbacks post to io
        asio::ssl::context tls(asio::ssl::context::tls_server);
        const bool https = !app.settings.tls_cert.empty();
        if (https) {
            tls.use_certificate_chain_file(app.settings.tls_cert);
            tls.use_private_key_file(app.settings.tls_key, asio::ssl::context::pem);
        }
        asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), app.settings.port});
        std::function<void()> accept = [&] {
            acceptor.async_accept(asio::make_strand(io), [&](beast::error_code ec, asio::ip::tcp::socket s) {
                using tls_stream = beast::ssl_stream<beast::tcp_stream>;
                if (!ec && https) {
                    (*std::make_shared<session<tls_stream>>(app, guard, tls_stream(std::move(s), tls)))();
                } else if (!ec) {
                    (*std::make_shared<session<beast::tcp_stream>>(app, guard, beast::tcp_stream(std::move(s))))();
                }
                accept();
            });
        };
        accept();
        kore_example::announce(acceptor.local_endpoint().port());
        std::thread worker([&io] { io.run(); });  // one thread serves every connection
        kore_example::wait_for_termination(app.termination);
        io.stop();
        worker.join();
    } catch (const std::exception& e) {
        return kore_example::fail(app.program, e.what());
    }
}
