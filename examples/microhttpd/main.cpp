// kore-webhook-example-microhttpd: a KORE callback receiver on GNU libmicrohttpd.
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080
// ./kore-webhook-example-microhttpd
#include "../common/example_common.hpp"

#include <kore/webhook/adapters/microhttpd.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

namespace {

constexpr std::string_view name = "kore-webhook-example-microhttpd";

struct receiver {
    const kore::webhook::verifier& verifier;
    const kore_example::config& config;
};

enum MHD_Result answer(struct MHD_Connection* connection, const char* method, const char* url, int status,
                       std::string_view body) {
    kore_example::log_request(name, method, url, status, body);
    struct MHD_Response* response =
        MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
    if (response == nullptr) {
        return MHD_NO;
    }
    if (!body.empty()) {
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
    }
    if (status == 405) {
        const std::string allow(kore::webhook::adapters::allowed_methods);
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow.c_str());
    }
    const enum MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(status), response);
    MHD_destroy_response(response);
    return queued;
}

// libmicrohttpd calls this from C: no exception may leave it.
enum MHD_Result handle(void* cls, struct MHD_Connection* connection, const char* url, const char* method,
                       const char* /*version*/, const char* upload_data, size_t* upload_data_size,
                       void** req_cls) noexcept {
    try {
        const auto& self = *static_cast<const receiver*>(cls);
        if (kore::webhook::adapters::microhttpd::is_first_call(req_cls)) {  // the header is in, no body yet
            switch (kore_example::match_route(method, url, self.config.route)) {
                case kore_example::route_match::not_found:
                    return answer(connection, method, url, 404, kore_example::not_found_body);
                case kore_example::route_match::method_not_allowed:
                    return answer(connection, method, url, 405, kore::webhook::adapters::method_not_allowed_body);
                case kore_example::route_match::receiver:
                    break;
            }
        }
        const auto r = kore::webhook::adapters::microhttpd::step_verified(
            self.verifier, self.config.registered_url, connection, method, upload_data, upload_data_size, req_cls);
        if (!r) {
            return MHD_YES;  // still reading the body
        }
        // When r->verdict says so, r->body holds the verified raw bytes: a real receiver processes
        // them here, once per r->verdict.replay_key(), and answers 5xx when it cannot, so that KORE
        // delivers again. This example acknowledges.
        return answer(connection, method, url, kore::webhook::adapters::http_status(r->verdict),
                      kore::webhook::adapters::error_body(r->verdict));
    } catch (...) {  // out of memory while answering: libmicrohttpd closes the connection
        return MHD_NO;
    }
}

}  // namespace

int main() {
    const kore_example::termination_signals signals;  // before libmicrohttpd starts its threads
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);
    receiver self{verifier, config};

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(config.port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // remember_uri keeps each request's raw target, so that the query is compared exactly;
    // request_completed frees what the adapter kept for the request.
    const MHD_RequestCompletedCallback completed = &kore::webhook::adapters::microhttpd::request_completed;
    void* (*const uri_logger)(void*, const char*, struct MHD_Connection*) =
        &kore::webhook::adapters::microhttpd::remember_uri;
    struct MHD_Daemon* daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, config.port, nullptr, nullptr, &handle, &self,
        MHD_OPTION_SOCK_ADDR, reinterpret_cast<const sockaddr*>(&address), MHD_OPTION_URI_LOG_CALLBACK, uri_logger,
        nullptr, MHD_OPTION_NOTIFY_COMPLETED, completed, nullptr, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (daemon == nullptr) {
        std::cerr << name << ": cannot listen on 127.0.0.1:" << config.port << '\n';
        return 1;
    }
    const union MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    kore_example::announce_listening(info != nullptr ? info->port : config.port);

    signals.wait();
    MHD_stop_daemon(daemon);
    return 0;
}
