// kore-webhook-receiver-pistache: a KORE callback receiver on Pistache.
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-receiver-pistache
#include "../common/example_common.hpp"

#include <kore/webhook/adapters/pistache.hpp>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/mime.h>
#include <pistache/router.h>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

namespace {

constexpr std::string_view name = "kore-webhook-receiver-pistache";

// Pistache buffers each request whole before any handler runs. Past maxRequestSize it answers 413
// itself but keeps the connection and parses the rest of the body as further requests, slowly
// (docs/servers.md, Pistache). Room for 4 MiB of body means a body somewhat over max_body_size
// (a 3 MiB upload) is read whole and answered 413 by the adapter, as on the other servers; the
// cost is up to this much memory for each connection sending at once.
constexpr std::size_t max_request_size = (std::size_t{4} << 20U) + 64 * 1024;
// Deadlines for the whole header and the whole body, from the request's start: Pistache answers
// 408 and closes the connection when one passes (its defaults: 60 s each). An idle connection is
// closed after keepalive_timeout.
constexpr std::chrono::seconds header_timeout{2};
constexpr std::chrono::seconds body_timeout{3};
constexpr std::chrono::seconds keepalive_timeout{10};
constexpr std::chrono::seconds shutdown_bound{5};

}  // namespace

int main() {
    const kore_example::termination_signals signals;  // before Pistache starts its threads
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);
    kore_example::receiver receiver(name, config);

    try {
        Pistache::Rest::Router router;
        // The registered URL's path: POST and GET verified, other methods 405, refusals answered.
        kore::webhook::adapters::pistache::mount_route(router, verifier,
                                                       kore_example::make_route_config(name, config, receiver));
        if (!config.control_path.empty()) {
            auto control = [](const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter res) {
                kore_example::log_control(name, Pistache::Http::methodString(req.method()), req.resource());
                kore::webhook::adapters::pistache::set_connection_header(req, res);
                res.send(Pistache::Http::Code::No_Content);
                return Pistache::Rest::Route::Result::Ok;
            };
            router.post(config.control_path, control);
            router.get(config.control_path, control);
        }
        router.addNotFoundHandler([](const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter res) {
            kore_example::log_request(name, Pistache::Http::methodString(req.method()), req.resource(), 404,
                                      kore_example::not_found_body);
            kore::webhook::adapters::pistache::set_connection_header(req, res);
            res.headers().add<Pistache::Http::Header::ContentType>(MIME(Text, Plain));
            res.send(Pistache::Http::Code::Not_Found, std::string(kore_example::not_found_body));
            return Pistache::Rest::Route::Result::Ok;
        });

        Pistache::Http::Endpoint endpoint(Pistache::Address(Pistache::IP(127, 0, 0, 1), Pistache::Port(config.port)));
        endpoint.init(Pistache::Http::Endpoint::options()
                          .threads(2)
                          .flags(Pistache::Tcp::Options::NoDelay | Pistache::Tcp::Options::ReuseAddr)
                          .maxRequestSize(max_request_size)
                          .headerTimeout(header_timeout)
                          .bodyTimeout(body_timeout)
                          .keepaliveTimeout(keepalive_timeout));
        if (config.tls) {
            endpoint.useSSL(config.tls->cert_path, config.tls->key_path);
        }
        endpoint.setHandler(router.handler());
        endpoint.serveThreaded();
        kore_example::announce_listening(static_cast<unsigned>(static_cast<std::uint16_t>(endpoint.getPort())));
        signals.wait();
        // Pistache 0.0.5 joins its reactor threads on shutdown, and one busy parsing a flood (see
        // max_request_size) does not return for as long as the flood lasts: exit after a bound.
        std::thread([] {
            std::this_thread::sleep_for(shutdown_bound);
            kore_example::write_log_line(std::string(name) + ": shutdown took longer than 5 s; exiting");
            std::_Exit(0);
        }).detach();
        endpoint.shutdown();
    } catch (const std::exception& e) {
        std::cerr << name << ": " << e.what() << '\n';
        return 1;
    }
    return 0;
}
