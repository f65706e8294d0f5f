// kore-webhook-example-microhttpd: a KORE callback receiver on GNU libmicrohttpd (docs/servers.md).
//   KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080
//   ./kore-webhook-example-microhttpd
// Variables (HTTPS, Redis): kore_example.hpp.
#include "kore_example.hpp"

#include <kore/webhook/adapters/microhttpd.hpp>

#include <microhttpd.h>
#include <netinet/in.h>

namespace {

namespace mhd = kore::webhook::adapters::microhttpd;

MHD_Result queue(MHD_Connection* connection, const kore::webhook::adapters::route_answer& a) {
    MHD_Response* response =
        MHD_create_response_from_buffer(a.body.size(), const_cast<char*>(a.body.data()), MHD_RESPMEM_MUST_COPY);
    if (response == nullptr) {
        return MHD_NO;
    }
    for (const auto& [name, value] : kore_example::answer_headers(a)) {
        MHD_add_response_header(response, name.c_str(), value.c_str());
    }
    const MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(a.status), response);
    MHD_destroy_response(response);
    return queued;
}

// Called from C for the header, each piece of body, and once more at its end: no exception out.
MHD_Result handle(void* cls, MHD_Connection* connection, const char* url, const char* method, const char*,
                  const char* data, size_t* size, void** req_cls) noexcept try {
    const auto& app = *static_cast<const kore_example::receiver*>(cls);
    const auto request =
        kore_example::request_of(method, url, MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Type"),
                                 MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "kore-idempotency-token"));
    // The first call has the header and no body yet: answer off the route at once.
    if (const auto early = mhd::is_first_call(req_cls) ? kore_example::answer_off_route(app, request) : std::nullopt) {
        return queue(connection, *early);
    }
    const auto r = mhd::step_verified(app.verifier, app.settings.url, connection, method, data, size, req_cls);
    if (!r) {
        return MHD_YES;  // still reading the body
    }
    if (*size != 0) {
        return MHD_NO;  // a refused body that would not end: closed unanswered
    }
    return queue(connection, kore::webhook::adapters::answer_judged(app.route, request, r->verdict, r->body));
} catch (...) {
    return MHD_NO;
}

}  // namespace

int main() {
    kore_example::receiver app("kore-webhook-example-microhttpd");
    kore_example::refuse_https_unless(app, MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES, "no TLS built in");
    const auto [cert, key] = kore_example::read_tls_pem(app);  // libmicrohttpd takes the PEM text
    const bool tls = !cert.empty();                            // without it, tls_options ends at its first item
    MHD_OptionItem tls_options[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, const_cast<char*>(cert.c_str())},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(key.c_str())},
        {MHD_OPTION_END, 0, nullptr}};
    const sockaddr_in address = kore_example::loopback(app.settings.port);
    // Event-driven: idle and slow clients cost a socket, bounded in number and by inactivity (5 s).
    // remember_uri keeps each raw request target, so that the query is compared exactly.
    MHD_Daemon* daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0), app.settings.port, nullptr, nullptr,
        &handle, &app, MHD_OPTION_SOCK_ADDR, reinterpret_cast<const sockaddr*>(&address), MHD_OPTION_URI_LOG_CALLBACK,
        &mhd::remember_uri, nullptr, MHD_OPTION_NOTIFY_COMPLETED,
        static_cast<MHD_RequestCompletedCallback>(&mhd::request_completed), nullptr, MHD_OPTION_THREAD_POOL_SIZE, 4U,
        MHD_OPTION_CONNECTION_LIMIT, 1000U, MHD_OPTION_CONNECTION_TIMEOUT, 5U, MHD_OPTION_ARRAY, tls_options,
        MHD_OPTION_END);
    if (daemon == nullptr) {
        return kore_example::cannot_listen(app);
    }
    kore_example::announce(MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT)->port);
    kore_example::wait_for_termination(app.termination);
    MHD_stop_daemon(daemon);
}
