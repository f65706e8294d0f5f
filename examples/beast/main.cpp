// kore-webhook-example-beast: a KORE callback receiver on Boost.Beast (synchronous sessions, one
// thread per connection; accept and signals on an io_context).
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-example-beast
#include "../common/example_common.hpp"

#include <kore/webhook/adapters/beast.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view name = "kore-webhook-example-beast";

std::atomic<int> active_sessions{0};

void session(tcp::socket socket, const kore::webhook::verifier& verifier, const kore_example::config& config) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    while (true) {
        http::request_parser<http::buffer_body> parser;
        kore::webhook::adapters::beast::prepare(parser);
        http::read_header(socket, buffer, parser, ec);
        if (ec) {
            break;  // the client closed the connection, or sent no valid request
        }
        const auto& req = parser.get();
        const std::string method(req.method_string());
        const std::string target(req.target());
        const std::string path = target.substr(0, target.find('?'));

        http::response<http::string_body> res;
        res.version(req.version());
        res.set(http::field::content_type, "text/plain");
        std::string error_name;
        switch (kore_example::match_route(method, path, config.route)) {
            case kore_example::route_match::not_found:
                res.result(http::status::not_found);
                error_name = kore_example::not_found_body;
                break;
            case kore_example::route_match::method_not_allowed:
                res.result(http::status::method_not_allowed);
                res.set(http::field::allow, std::string(kore::webhook::adapters::allowed_methods));
                error_name = kore::webhook::adapters::method_not_allowed_body;
                break;
            case kore_example::route_match::receiver: {
                const auto r = kore::webhook::adapters::beast::read_verified(verifier, config.registered_url, socket,
                                                                             buffer, parser);
                // When r.verdict says so, r.body holds the verified raw bytes: a real receiver
                // processes them here, once per r.verdict.replay_key(), and answers 5xx when it
                // cannot, so that KORE delivers again. This example acknowledges.
                res.result(static_cast<unsigned>(kore::webhook::adapters::http_status(r.verdict)));
                error_name = kore::webhook::adapters::error_body(r.verdict);
                break;
            }
        }
        res.body() = error_name;
        // Keep the connection only when the request was read to its end.
        res.keep_alive(req.keep_alive() && parser.is_done());
        res.prepare_payload();
        kore_example::log_request(name, method, path, static_cast<int>(res.result_int()), error_name);
        http::write(socket, res, ec);
        if (ec || !res.keep_alive()) {
            break;
        }
    }
    socket.shutdown(tcp::socket::shutdown_send, ec);
}

void accept_next(tcp::acceptor& acceptor, const kore::webhook::verifier& verifier, const kore_example::config& config) {
    acceptor.async_accept([&](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            return;  // the acceptor was closed: shutting down
        }
        ++active_sessions;
        std::thread([s = std::move(socket), &verifier, &config]() mutable {
            session(std::move(s), verifier, config);
            --active_sessions;
        }).detach();
        accept_next(acceptor, verifier, config);
    });
}

}  // namespace

int main() {
    const kore_example::termination_signals blocked;  // no thread may take SIGTERM but the signal_set's
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);

    asio::io_context ioc;
    tcp::acceptor acceptor(ioc);
    beast::error_code ec;
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), config.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::cerr << name << ": cannot listen on 127.0.0.1:" << config.port << ": " << ec.message() << '\n';
        return 1;
    }
    accept_next(acceptor, verifier, config);

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) {
        acceptor.close();
        ioc.stop();
    });
    kore_example::announce_listening(acceptor.local_endpoint().port());
    // The signal_set takes SIGTERM/SIGINT through its own handler, so they are unblocked here,
    // in the one thread that runs it.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    ioc.run();

    // Let sessions in progress answer, briefly; a webhook request is short.
    for (int i = 0; i < 200 && active_sessions.load() > 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
}
