// kore-webhook-example-civetweb: a KORE callback receiver on CivetWeb (docs/servers.md).
//   KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080
//   ./kore-webhook-example-civetweb
// Variables (HTTPS, Redis): kore_example.hpp.
#include "kore_example.hpp"

#include <kore/webhook/adapters/civetweb.hpp>

#include <civetweb.h>

#include <string>
#include <vector>

namespace {

// CivetWeb has no router and calls this from C: route by the raw path, let no exception out.
int handle(mg_connection* conn, void* data) noexcept try {
    const auto& app = *static_cast<const kore_example::receiver*>(data);
    const mg_request_info* info = mg_get_request_info(conn);
    const auto request =
        kore_example::request_of(info->request_method, info->local_uri_raw, mg_get_header(conn, "Content-Type"),
                                 mg_get_header(conn, "kore-idempotency-token"));
    auto a = kore_example::answer_off_route(app, request);
    if (!a) {
        const auto r = kore::webhook::adapters::civetweb::read_verified(app.verifier, app.settings.url, conn);
        a = kore::webhook::adapters::answer_judged(app.route, request, r.verdict, r.body);
    }
    if (a->close_connection) {  // body bytes left unread: the connection cannot carry another request
        mg_disable_connection_keep_alive(conn);
    }
    // The whole answer in one write (CivetWeb's header calls send a segment each).
    std::string head =
        "HTTP/1.1 " + std::to_string(a->status) + " " + mg_get_response_code_text(conn, a->status) + "\r\n";
    head += a->status == 204 ? "" : "Content-Length: " + std::to_string(a->body.size()) + "\r\n";
    for (const auto& [name, value] : kore_example::answer_headers(*a)) {
        head += name + ": " + value + "\r\n";
    }
    head += "\r\n" + a->body;
    mg_write(conn, head.data(), head.size());
    return a->status;
} catch (...) {
    mg_disable_connection_keep_alive(conn);
    return 500;
}

}  // namespace

int main() {
    kore_example::receiver app("kore-webhook-example-civetweb");
    const bool tls = !app.settings.tls_cert.empty();
    const unsigned features = mg_init_library(tls ? MG_FEATURES_TLS : 0);
    kore_example::refuse_https_unless(app, (features & MG_FEATURES_TLS) != 0,
                                      "this CivetWeb cannot load OpenSSL (Debian 12's: not OpenSSL 3); terminate TLS "
                                      "at a reverse proxy (docs/servers.md, CivetWeb)");
    const std::string port = "127.0.0.1:" + std::to_string(app.settings.port) + (tls ? "s" : "");
    // A worker thread per open connection; bounded header wait, body reads and idle keep-alive.
    std::vector<const char*> options{"listening_ports",       port.c_str(), "num_threads",       "64",
                                     "request_timeout_ms",    "5000",       "enable_keep_alive", "yes",
                                     "keep_alive_timeout_ms", "5000"};
    if (tls) {  // CivetWeb wants the key and the certificate in one PEM file: KORE_WEBHOOK_TLS_CERT
        options.insert(options.end(), {"ssl_certificate", app.settings.tls_cert.c_str()});
    }
    options.push_back(nullptr);
    mg_callbacks callbacks{};
    mg_context* ctx = mg_start(&callbacks, nullptr, options.data());
    mg_server_port ports[1]{};
    if (ctx == nullptr || mg_get_server_ports(ctx, 1, ports) < 1) {
        return kore_example::cannot_listen(app);
    }
    mg_set_request_handler(ctx, "/", handle, &app);
    kore_example::announce(static_cast<unsigned>(ports[0].port));
    kore_example::wait_for_termination(app.termination);
    mg_stop(ctx);
    mg_exit_library();
}
