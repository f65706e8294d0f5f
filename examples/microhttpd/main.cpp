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
                       const std::string& body) {
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
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, std::string(kore_example::allowed_methods).c_str());
    }
    const enum MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(status), response);
    MHD_destroy_response(response);
    return queued;
}

enum MHD_Result handle(void* cls, struct MHD_Connection* connection, const char* url, const char* method,
                       const char* /*version*/, const char* upload_data, size_t* upload_data_size, void** req_cls) {
    const auto& self = *static_cast<const receiver*>(cls);
    if (*req_cls == nullptr) {  // the first call for this request: the header is in, no body yet
        switch (kore_example::match_route(method, url, self.config.route)) {
            case kore_example::route_match::not_found:
                return answer(connection, method, url, 404, std::string(kore_example::not_found_body));
            case kore_example::route_match::method_not_allowed:
                return answer(connection, method, url, 405, std::string(kore_example::method_not_allowed_body));
            case kore_example::route_match::receiver:
                break;
        }
    }
    const auto verdict = kore::webhook::adapters::microhttpd::step(
        self.verifier, self.config.registered_url, connection, method, upload_data, upload_data_size, req_cls);
    if (!verdict) {
        return MHD_YES;
    }
    return answer(connection, method, url, kore::webhook::adapters::http_status(*verdict),
                  std::string(kore::webhook::adapters::error_body(*verdict)));
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
    struct MHD_Daemon* daemon =
        MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, config.port, nullptr, nullptr, &handle,
                         &self, MHD_OPTION_SOCK_ADDR, reinterpret_cast<const sockaddr*>(&address),
                         MHD_OPTION_NOTIFY_COMPLETED, &kore::webhook::adapters::microhttpd::request_completed, nullptr,
                         MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
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
