// kore-webhook-example-civetweb: a KORE callback receiver on CivetWeb (docs/servers.md).
//   KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080
//   ./kore-webhook-example-civetweb
// Variables (HTTPS, Redis): kore_example.hpp.
#include "kore_example.hpp"

#include <kore/webhook/adapters/civetweb.hpp>

#include <civetweb.h>

#include <string>

namespace {

struct receiver {
    const kore::webhook::verifier& verifier;
    std::string path;  // the registered URL's
    kore::webhook::adapters::route_config route;
};

const char* header(mg_connection* conn, const char* name) {
    const char* value = mg_get_header(conn, name);
    return value != nullptr ? value : "";
}

// CivetWeb has no router and calls this from C: route by the raw path, let no exception out.
int handle(mg_connection* conn, void* data) noexcept try {
    const auto& self = *static_cast<const receiver*>(data);
    const mg_request_info* info = mg_get_request_info(conn);
    const kore::webhook::adapters::route_request request{info->request_method, info->local_uri_raw,
                                                         header(conn, "Content-Type"),
                                                         header(conn, "kore-idempotency-token")};
    kore::webhook::adapters::route_answer a{404, "not_found", false, true};
    if (request.path == self.path && kore::webhook::adapters::route_verifies(request.method)) {
        const auto r = kore::webhook::adapters::civetweb::read_verified(self.verifier, self.route.registered_url, conn);
        a = kore::webhook::adapters::answer_judged(self.route, request, r.verdict, r.body);
    } else if (request.path == self.path) {
        a = kore::webhook::adapters::answer_method_not_allowed(self.route, request);
    }
    if (a.close_connection) {  // body bytes left unread: the connection cannot carry another request
        mg_disable_connection_keep_alive(conn);
    }
    // The whole answer in one write (CivetWeb's header calls send a segment each).
    std::string head =
        "HTTP/1.1 " + std::to_string(a.status) + " " + mg_get_response_code_text(conn, a.status) + "\r\n";
    head += a.status == 204 ? "" : "Content-Length: " + std::to_string(a.body.size()) + "\r\n";
    head += a.allow_header ? "Allow: GET, POST\r\n" : "";
    head += a.close_connection ? "Connection: close\r\n" : "";
    head += a.body.empty() ? "\r\n" : "Content-Type: text/plain\r\n\r\n";
    mg_write(conn, (head + a.body).data(), head.size() + a.body.size());
    return a.status;
} catch (...) {
    mg_disable_connection_keep_alive(conn);
    return 500;
}

}  // namespace

int main() {
    const char* program = "kore-webhook-example-civetweb";
    const sigset_t termination = kore_example::block_termination();
    const kore_example::settings settings = kore_example::read_settings(program);
    const kore::webhook::verifier verifier = kore_example::make_verifier(program, settings);
    const auto store = kore_example::make_store(program, settings);
    kore::webhook::replay_guard guard(*store);
    receiver self{verifier, kore::webhook::adapters::route_path(settings.url),
                  kore_example::make_route(settings, guard)};

    const bool tls = !settings.tls_cert.empty();
    if ((mg_init_library(tls ? MG_FEATURES_TLS : 0) & MG_FEATURES_TLS) == 0 && tls) {
        kore_example::refuse(program,
                             "this CivetWeb cannot serve HTTPS (Debian 12's cannot load OpenSSL 3): terminate "
                             "TLS at a reverse proxy (docs/servers.md, CivetWeb)");
    }
    const std::string port = "127.0.0.1:" + std::to_string(settings.port) + (tls ? "s" : "");
    // A worker thread per open connection; bounded header wait, body reads and idle keep-alive.
    // With TLS, CivetWeb wants the key and the certificate in one PEM file: KORE_WEBHOOK_TLS_CERT.
    const char* options[] = {"listening_ports",
                             port.c_str(),
                             "num_threads",
                             "64",
                             "request_timeout_ms",
                             "5000",
                             "keep_alive_timeout_ms",
                             "5000",
                             "enable_keep_alive",
                             "yes",
                             tls ? "ssl_certificate" : nullptr,
                             settings.tls_cert.c_str(),
                             nullptr};
    mg_callbacks callbacks{};
    mg_context* ctx = mg_start(&callbacks, nullptr, options);
    mg_server_port ports[1]{};
    if (ctx == nullptr || mg_get_server_ports(ctx, 1, ports) < 1) {
        std::fprintf(stderr, "%s: cannot listen on %s\n", program, port.c_str());
        return 1;
    }
    mg_set_request_handler(ctx, "/", handle, &self);
    kore_example::announce(static_cast<unsigned>(ports[0].port));
    kore_example::wait_for_termination(termination);
    mg_stop(ctx);
    mg_exit_library();
}
