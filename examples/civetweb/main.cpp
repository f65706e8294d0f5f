// kore-webhook-example-civetweb: a KORE callback receiver on CivetWeb.
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-example-civetweb
#include "../common/example_common.hpp"

#include <kore/webhook/adapters/civetweb.hpp>

#include <civetweb.h>

#include <string>

namespace {

constexpr std::string_view name = "kore-webhook-example-civetweb";

struct receiver {
    const kore::webhook::verifier& verifier;
    const kore_example::config& config;
};

void answer(struct mg_connection* conn, int status, std::string_view body, bool keep_alive) {
    if (!keep_alive) {
        mg_disable_connection_keep_alive(conn);
    }
    mg_response_header_start(conn, status);
    const std::string length = std::to_string(body.size());
    mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
    if (!body.empty()) {
        mg_response_header_add(conn, "Content-Type", "text/plain", -1);
    }
    if (status == 405) {
        const std::string allow(kore::webhook::adapters::allowed_methods);
        mg_response_header_add(conn, "Allow", allow.c_str(), -1);
    }
    mg_response_header_send(conn);
    if (!body.empty()) {
        mg_write(conn, body.data(), body.size());
    }
}

// Every request comes here ("/" is registered); routing is by exact path. CivetWeb calls this from
// C: no exception may leave it.
int handle(struct mg_connection* conn, void* data) noexcept {
    try {
        const auto& self = *static_cast<const receiver*>(data);
        const struct mg_request_info* info = mg_get_request_info(conn);
        const std::string method = info->request_method != nullptr ? info->request_method : "";
        const std::string path = info->local_uri_raw != nullptr ? info->local_uri_raw : "";
        int status = 0;
        std::string_view error_name;
        bool read_whole_body = false;
        switch (kore_example::match_route(method, path, self.config.route)) {
            case kore_example::route_match::not_found:
                status = 404;
                error_name = kore_example::not_found_body;
                break;
            case kore_example::route_match::method_not_allowed:
                status = 405;
                error_name = kore::webhook::adapters::method_not_allowed_body;
                break;
            case kore_example::route_match::receiver: {
                const auto r =
                    kore::webhook::adapters::civetweb::read_verified(self.verifier, self.config.registered_url, conn);
                // When r.verdict says so, r.body holds the verified raw bytes: a real receiver
                // processes them here, once per r.verdict.replay_key(), and answers 5xx when it
                // cannot, so that KORE delivers again. This example acknowledges.
                status = kore::webhook::adapters::http_status(r.verdict);
                error_name = kore::webhook::adapters::error_body(r.verdict);
                read_whole_body = !kore::webhook::adapters::body_left_unread(r.verdict.error());
                break;
            }
        }
        kore_example::log_request(name, method, path, status, error_name);
        answer(conn, status, error_name, read_whole_body);
        return status;
    } catch (...) {  // out of memory while answering: close without an answer
        mg_disable_connection_keep_alive(conn);
        return 500;
    }
}

}  // namespace

int main() {
    const kore_example::termination_signals signals;  // before CivetWeb starts its threads
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);

    mg_init_library(0);
    const std::string listening = "127.0.0.1:" + std::to_string(config.port);
    const char* options[] = {"listening_ports", listening.c_str(),   "num_threads", "8",    "request_timeout_ms",
                             "10000",           "enable_keep_alive", "yes",         nullptr};
    struct mg_callbacks callbacks {};
    struct mg_context* ctx = mg_start(&callbacks, nullptr, options);
    if (ctx == nullptr) {
        std::cerr << name << ": cannot listen on " << listening << '\n';
        mg_exit_library();
        return 1;
    }
    receiver self{verifier, config};
    mg_set_request_handler(ctx, "/", handle, &self);

    struct mg_server_port ports[4]{};
    const int count = mg_get_server_ports(ctx, 4, ports);
    if (count < 1) {
        std::cerr << name << ": no listening port\n";
        mg_stop(ctx);
        mg_exit_library();
        return 1;
    }
    kore_example::announce_listening(static_cast<unsigned>(ports[0].port));

    signals.wait();
    mg_stop(ctx);
    mg_exit_library();
    return 0;
}
