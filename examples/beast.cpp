// kore-webhook-example-beast: a KORE callback receiver on Boost.Beast (docs/servers.md).
//   KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-example-beast
// Variables (HTTPS, Redis): kore_example.hpp. One I/O thread runs each connection as a stackless
// coroutine, 5 s a phase; the replay store (Redis) is called on async_replay_guard's threads.
#include "kore_example.hpp"

#include <kore/webhook/adapters/beast.hpp>
#include <kore/webhook/replay_guard_async.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <boost/asio/yield.hpp>  // reenter, yield: after Beast, which undefines them

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace kw = kore::webhook;
namespace beast_adapter = kw::adapters::beast;

struct app {
    const kw::verifier& verifier;
    const kw::adapters::route_config& route;  // answers refusals, logs; its on_callback (blocking) is unused
    kw::async_replay_guard& guard;
};

template <class Stream>  // beast::tcp_stream, or beast::ssl_stream<beast::tcp_stream> for HTTPS
struct session : asio::coroutine, std::enable_shared_from_this<session<Stream>> {
    template <class... Args>
    explicit session(const app& a, Args&&... args) : self(a), stream(std::forward<Args>(args)...) {}
    const app& self;
    Stream stream;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<beast_adapter::verifying_body>> parser;
    kw::adapters::route_request request;  // views of the parser's header
    std::optional<kw::result> verdict;
    std::optional<kw::replay_claim> claim;
    kw::adapters::route_answer answer;
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
                parser->get().body().prepare(self.verifier, self.route.registered_url);
                yield http::async_read(stream, buffer, *parser, next());  // Beast's loop verifies; a refusal stops it
                if (!parser->is_header_done())
                    return;  // closed, timed out or not HTTP
                verdict = parser->get().body().verdict(ec);
                request = beast_adapter::request_of(parser->get());
                if (request.path != kw::adapters::route_path(self.route.registered_url)) {
                    answer = {404, "not_found", false, true};
                } else if (!kw::adapters::route_verifies(request.method)) {
                    answer = kw::adapters::answer_method_not_allowed(self.route, request);
                } else if (!*verdict) {
                    answer = kw::adapters::answer_judged(self.route, request, *verdict, {});
                } else {  // claimed off this thread; no claim when too many wait: 503
                    yield if (!self.guard.claim(request.method, *verdict, request.idempotency_token,
                                                [this, n = next()](kw::replay_claim c) {
                                                    claim.emplace(std::move(c));
                                                    asio::post(stream.get_executor(), n);
                                                })) asio::post(stream.get_executor(), next());
                    answer = {claim ? claim->http_status() : 503,
                              claim ? std::string(claim->status_name()) : "replay_guard_busy"};
                    if (claim && claim->should_process()) {  // process parser->get().body().body() here, then:
                        self.guard.commit(std::move(*claim), [](std::error_code) {});
                        answer = {204, ""};
                    }
                    claim.reset();
                    self.route.on_answer({request.method, request.path, answer.status, {}, &*verdict, nullptr});
                }
                res = beast_adapter::response_to(*parser, answer);  // Connection: close when body is left unread
                yield http::async_write(stream, res, next());
            }
        }
    }
};

void accept(asio::ip::tcp::acceptor& acceptor, const app& a, asio::ssl::context* tls) {
    acceptor.async_accept(asio::make_strand(acceptor.get_executor()), [&acceptor, &a, tls](auto ec, auto socket) {
        if (!ec && tls != nullptr) {
            (*std::make_shared<session<beast::ssl_stream<beast::tcp_stream>>>(a, std::move(socket), *tls))();
        } else if (!ec) {
            (*std::make_shared<session<beast::tcp_stream>>(a, std::move(socket)))();
        }
        accept(acceptor, a, tls);
    });
}

int main() {
    const char* program = "kore-webhook-example-beast";
    const kore_example::settings settings = kore_example::read_settings(program);
    const kw::verifier verifier = kore_example::make_verifier(program, settings);
    const auto store = kore_example::make_store(program, settings);
    kw::replay_guard guard(*store);
    const kw::adapters::route_config route = kore_example::make_route(settings, guard);
    try {
        asio::io_context io;                        // one thread serves every connection
        kw::async_replay_guard async_guard(guard);  // destroyed before io: its last callbacks post to io
        asio::ssl::context tls(asio::ssl::context::tls_server);
        if (!settings.tls_cert.empty()) {
            tls.use_certificate_chain_file(settings.tls_cert);
            tls.use_private_key_file(settings.tls_key, asio::ssl::context::pem);
        }
        const app a{verifier, route, async_guard};
        asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), settings.port});
        accept(acceptor, a, settings.tls_cert.empty() ? nullptr : &tls);
        asio::signal_set stop(io, SIGTERM, SIGINT);  // SIGTERM or Ctrl-C: exit 0
        stop.async_wait([&io](auto, int) { io.stop(); });
        kore_example::announce(acceptor.local_endpoint().port());
        io.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
}
