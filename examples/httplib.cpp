// kore-webhook-example-httplib: a KORE callback receiver on cpp-httplib (docs/servers.md).
//   KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080
//   ./kore-webhook-example-httplib
// Variables (HTTPS, Redis): kore_example.hpp.
#include "kore_example.hpp"

#include <kore/webhook/adapters/httplib.hpp>

#include <httplib.h>

#include <chrono>
#include <memory>
#include <thread>

int main() {
    const kore_example::receiver app("kore-webhook-example-httplib");
    std::unique_ptr<httplib::Server> server;
    if (app.settings.tls_cert.empty()) {
        server = std::make_unique<httplib::Server>();
    } else {
        server = std::make_unique<httplib::SSLServer>(app.settings.tls_cert.c_str(), app.settings.tls_key.c_str());
        if (!server->is_valid()) {
            kore_example::refuse(app.program, "cannot load KORE_WEBHOOK_TLS_CERT / KORE_WEBHOOK_TLS_KEY");
        }
    }
    // A thread per connection: bound how long a slow or idle client can hold one. Bodies over
    // the verifier's max_body_size are refused by the adapter (413) before they are read whole.
    server->set_read_timeout(std::chrono::seconds(5));
    server->set_write_timeout(std::chrono::seconds(5));
    server->set_keep_alive_timeout(5);
    server->set_keep_alive_max_count(100);
    server->set_tcp_nodelay(true);  // an answer's head and body go out apart: no 40 ms delayed-ACK wait
    // The registered URL's path: POST and GET verified, other methods 405, refusals answered.
    kore::webhook::adapters::httplib::mount_route(*server, app.verifier, app.route);

    const int port = app.settings.port == 0
                         ? server->bind_to_any_port("127.0.0.1")
                         : (server->bind_to_port("127.0.0.1", app.settings.port) ? app.settings.port : -1);
    if (port < 0) {
        return kore_example::cannot_listen(app);
    }
    std::thread listener([&server] { server->listen_after_bind(); });
    while (!server->is_running()) {  // stop() does nothing until the accept loop runs
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    kore_example::announce(static_cast<unsigned>(port));
    kore_example::wait_for_termination(app.termination);
    server->stop();
    listener.join();
}
