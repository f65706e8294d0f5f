// kore-webhook-example-microhttpd: a KORE callback receiver on GNU libmicrohttpd (docs/servers.md).
//   KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080
//   ./kore-webhook-example-microhttpd
// Variables (HTTPS, Redis): kore_example.hpp.
#include "kore_example.hpp"

#include <kore/webhook/adapters/microhttpd.hpp>

#include <microhttpd.h>
#include <netinet/in.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace mhd = kore::webhook::adapters::microhttpd;

struct receiver {
    const kore::webhook::verifier& verifier;
    std::string path;  // the registered URL's
    kore::webhook::adapters::route_config route;
};

MHD_Result queue(MHD_Connection* connection, const kore::webhook::adapters::route_answer& a) {
    MHD_Response* response =
        MHD_create_response_from_buffer(a.body.size(), const_cast<char*>(a.body.data()), MHD_RESPMEM_MUST_COPY);
    if (response == nullptr) {
        return MHD_NO;
    }
    MHD_add_response_header(response, "Content-Type", "text/plain");
    if (a.allow_header) {
        MHD_add_response_header(response, "Allow", "GET, POST");
    }
    if (a.close_connection) {  // body bytes left unread
        MHD_add_response_header(response, "Connection", "close");
    }
    const MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(a.status), response);
    MHD_destroy_response(response);
    return queued;
}

const char* header(MHD_Connection* connection, const char* name) {
    const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
    return value != nullptr ? value : "";
}

// Called from C for the header, each piece of body, and once more at its end: no exception out.
MHD_Result handle(void* cls, MHD_Connection* connection, const char* url, const char* method, const char*,
                  const char* data, size_t* size, void** req_cls) noexcept try {
    const auto& self = *static_cast<const receiver*>(cls);
    const kore::webhook::adapters::route_request request{method, url, header(connection, "Content-Type"),
                                                         header(connection, "kore-idempotency-token")};
    if (mhd::is_first_call(req_cls) && request.path != self.path) {
        return queue(connection, {404, "not_found", false, true});
    }
    if (mhd::is_first_call(req_cls) && !kore::webhook::adapters::route_verifies(request.method)) {
        return queue(connection, kore::webhook::adapters::answer_method_not_allowed(self.route, request));
    }
    const auto r =
        mhd::step_verified(self.verifier, self.route.registered_url, connection, method, data, size, req_cls);
    if (!r) {
        return MHD_YES;  // still reading the body
    }
    if (*size != 0) {
        return MHD_NO;  // a refused body that would not end: closed unanswered
    }
    return queue(connection, kore::webhook::adapters::answer_judged(self.route, request, r->verdict, r->body));
} catch (...) {
    return MHD_NO;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

int main() {
    const char* program = "kore-webhook-example-microhttpd";
    const sigset_t termination = kore_example::block_termination();
    const kore_example::settings settings = kore_example::read_settings(program);
    const kore::webhook::verifier verifier = kore_example::make_verifier(program, settings);
    const auto store = kore_example::make_store(program, settings);
    kore::webhook::replay_guard guard(*store);
    receiver self{verifier, kore::webhook::adapters::route_path(settings.url),
                  kore_example::make_route(settings, guard)};

    const bool tls = !settings.tls_cert.empty();
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        kore_example::refuse(program, "this libmicrohttpd was built without TLS: it cannot serve HTTPS");
    }
    const std::string cert = tls ? read_file(settings.tls_cert) : "", key = tls ? read_file(settings.tls_key) : "";
    MHD_OptionItem tls_options[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, const_cast<char*>(cert.c_str())},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(key.c_str())},
        {MHD_OPTION_END, 0, nullptr}};
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(settings.port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // Event-driven: idle and slow clients cost a socket, bounded in number and by inactivity (5 s).
    // remember_uri keeps each raw request target, so that the query is compared exactly.
    MHD_Daemon* daemon =
        MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0), settings.port,
                         nullptr, nullptr, &handle, &self, MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&address),
                         MHD_OPTION_URI_LOG_CALLBACK, &mhd::remember_uri, nullptr, MHD_OPTION_NOTIFY_COMPLETED,
                         static_cast<MHD_RequestCompletedCallback>(&mhd::request_completed), nullptr,
                         MHD_OPTION_THREAD_POOL_SIZE, 4U, MHD_OPTION_CONNECTION_LIMIT, 1000U,
                         MHD_OPTION_CONNECTION_TIMEOUT, 5U, MHD_OPTION_ARRAY, tls_options, MHD_OPTION_END);
    if (daemon == nullptr) {
        std::fprintf(stderr, "%s: cannot listen on 127.0.0.1:%u\n", program, unsigned{settings.port});
        return 1;
    }
    kore_example::announce(MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT)->port);
    kore_example::wait_for_termination(termination);
    MHD_stop_daemon(daemon);
}
