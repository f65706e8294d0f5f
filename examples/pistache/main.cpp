// kore-webhook-example-pistache: a KORE callback receiver on Pistache.
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-example-pistache
#include "../common/example_common.hpp"

#include <kore/webhook/adapters/pistache.hpp>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/mime.h>
#include <pistache/router.h>

#include <memory>
#include <string>

int main() {
    constexpr std::string_view name = "kore-webhook-example-pistache";
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
            auto control = [name](const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter res) {
                kore_example::log_control(name, Pistache::Http::methodString(req.method()), req.resource());
                res.send(Pistache::Http::Code::No_Content);
                return Pistache::Rest::Route::Result::Ok;
            };
            router.post(config.control_path, control);
            router.get(config.control_path, control);
        }
        router.addNotFoundHandler([name](const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter res) {
            kore_example::log_request(name, Pistache::Http::methodString(req.method()), req.resource(), 404,
                                      kore_example::not_found_body);
            res.headers().add<Pistache::Http::Header::ContentType>(MIME(Text, Plain));
            res.send(Pistache::Http::Code::Not_Found, std::string(kore_example::not_found_body));
            return Pistache::Rest::Route::Result::Ok;
        });

        Pistache::Http::Endpoint endpoint(Pistache::Address(Pistache::IP(127, 0, 0, 1), Pistache::Port(config.port)));
        // Pistache buffers whole requests: room for the largest accepted body plus its header.
        endpoint.init(
            Pistache::Http::Endpoint::options().threads(2).maxRequestSize(config.options.max_body_size + 64 * 1024));
        if (config.tls) {
            endpoint.useSSL(config.tls->cert_path, config.tls->key_path);
        }
        endpoint.setHandler(router.handler());
        endpoint.serveThreaded();
        kore_example::announce_listening(static_cast<unsigned>(static_cast<std::uint16_t>(endpoint.getPort())));
        signals.wait();
        endpoint.shutdown();
    } catch (const std::exception& e) {
        std::cerr << name << ": " << e.what() << '\n';
        return 1;
    }
    return 0;
}
