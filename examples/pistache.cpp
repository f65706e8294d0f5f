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
    const kore_example::receiver app("kore-webhook-example-pistache");
    try {
        Pistache::Rest::Router router;
        // The registered URL's path: POST and GET verified, other methods 405, refusals answered.
        kore::webhook::adapters::pistache::mount_route(router, app.verifier, app.route);

        Pistache::Http::Endpoint endpoint(
            Pistache::Address(Pistache::IP(127, 0, 0, 1), Pistache::Port(app.settings.port)));
        // Pistache reads a request whole before the route sees it: room for the verifier's
        // largest body (1 MiB by default) and a header, and deadlines for both (408 after them).
        endpoint.init(Pistache::Http::Endpoint::options()
                          .threads(2)
                          .flags(Pistache::Tcp::Options::ReuseAddr | Pistache::Tcp::Options::NoDelay)
                          .maxRequestSize(kore::webhook::default_max_body_size + 64 * 1024)
                          .headerTimeout(std::chrono::seconds(5))
                          .bodyTimeout(std::chrono::seconds(10))
                          .keepaliveTimeout(std::chrono::seconds(10)));
        if (!app.settings.tls_cert.empty()) {
            endpoint.useSSL(app.settings.tls_cert, app.settings.tls_key);
        }
        endpoint.setHandler(router.handler());
        endpoint.serveThreaded();
        kore_example::announce(static_cast<std::uint16_t>(endpoint.getPort()));
        kore_example::wait_for_termination(app.termination);
        endpoint.shutdown();
    } catch (const std::exception& e) {
        return kore_example::fail(app.program, e.what());
    }
}
