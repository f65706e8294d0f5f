// kore-webhook-example-pistache: a KORE callback receiver on Pistache (docs/servers.md).
//   KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080
//   ./kore-webhook-example-pistache
// Variables (HTTPS, Redis): kore_example.hpp.
#include "kore_example.hpp"

#include <kore/webhook/adapters/pistache.hpp>

#include <pistache/endpoint.h>
#include <pistache/router.h>

#include <chrono>
#include <cstdint>
#include <exception>

int main() {
    const char* program = "kore-webhook-example-pistache";
    const sigset_t termination = kore_example::block_termination();
    const kore_example::settings settings = kore_example::read_settings(program);
    const kore::webhook::verifier verifier = kore_example::make_verifier(program, settings);
    const auto store = kore_example::make_store(program, settings);
    kore::webhook::replay_guard guard(*store);

    try {
        Pistache::Rest::Router router;
        // The registered URL's path: POST and GET verified, other methods 405, refusals answered.
        kore::webhook::adapters::pistache::mount_route(router, verifier, kore_example::make_route(settings, guard));

        Pistache::Http::Endpoint endpoint(Pistache::Address(Pistache::IP(127, 0, 0, 1), Pistache::Port(settings.port)));
        // Pistache reads a request whole before the route sees it: room for the verifier's
        // largest body (1 MiB by default) and a header, and deadlines for both (408 after them).
        endpoint.init(Pistache::Http::Endpoint::options()
                          .threads(2)
                          .flags(Pistache::Tcp::Options::ReuseAddr | Pistache::Tcp::Options::NoDelay)
                          .maxRequestSize(kore::webhook::default_max_body_size + 64 * 1024)
                          .headerTimeout(std::chrono::seconds(5))
                          .bodyTimeout(std::chrono::seconds(10))
                          .keepaliveTimeout(std::chrono::seconds(10)));
        if (!settings.tls_cert.empty()) {
            endpoint.useSSL(settings.tls_cert, settings.tls_key);
        }
        endpoint.setHandler(router.handler());
        endpoint.serveThreaded();
        kore_example::announce(static_cast<std::uint16_t>(endpoint.getPort()));
        kore_example::wait_for_termination(termination);
        endpoint.shutdown();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
}
