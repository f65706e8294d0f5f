// kore-webhook-receiver-microhttpd: a KORE callback receiver on GNU libmicrohttpd.
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080
// ./kore-webhook-receiver-microhttpd
// (all variables: tests/receivers/common/config.hpp; what this server can and cannot bound:
// docs/servers.md, libmicrohttpd)
#include "../common/example_common.hpp"

#include <kore/webhook/adapters/microhttpd.hpp>
#include <kore/webhook/adapters/route.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <new>
#include <string>

namespace {

constexpr std::string_view name = "kore-webhook-receiver-microhttpd";

// libmicrohttpd is event-driven: idle and slow connections cost a socket and a 32 KiB memory
// pool each, not a thread, so they are bounded by count and by inactivity.
// Threads polling the connections: a verified callback's processing (a Redis round trip for
// the replay guard) blocks the thread that runs it, and the others keep serving.
constexpr unsigned polling_threads = 4;
// Connections open at once, over all threads (each needs a file descriptor: RLIMIT_NOFILE must
// allow it). Beyond it, new connections wait in the listen backlog.
constexpr unsigned connection_limit = 4000;
// Seconds without any byte from the client before its connection is closed. libmicrohttpd
// 0.9.75 has no deadline for the whole header or body: a client sending one byte a second keeps
// its connection (docs/servers.md: the proxy setting that bounds it).
constexpr unsigned idle_timeout_seconds = 5;

// What the example keeps for each request: the adapter's state for the registered URL's path,
// and whether the first call was seen, for the control route (the adapter does not read it).
struct request_slot {
    void* adapter = nullptr;  // remember_uri's request state; freed by request_completed
    bool control_begun = false;
};

// MHD_OPTION_URI_LOG_CALLBACK: the slot, with the adapter's state holding the raw target. A
// failed allocation leaves the slot to the access handler.
void* open_request(void* cls, const char* uri, struct MHD_Connection* connection) noexcept {
    auto* slot = new (std::nothrow) request_slot;
    if (slot != nullptr) {
        slot->adapter = kore::webhook::adapters::microhttpd::remember_uri(cls, uri, connection);
    }
    return slot;
}

// MHD_OPTION_NOTIFY_COMPLETED: frees the slot and what the adapter kept.
void close_request(void* cls, struct MHD_Connection* connection, void** req_cls,
                   enum MHD_RequestTerminationCode code) noexcept {
    auto* slot = static_cast<request_slot*>(*req_cls);
    if (slot != nullptr) {
        kore::webhook::adapters::microhttpd::request_completed(cls, connection, &slot->adapter, code);
        delete slot;
    }
    *req_cls = nullptr;
}

struct server_state {
    const kore::webhook::verifier& verifier;
    const kore_example::config& config;
    kore::webhook::adapters::route_config route;
};

enum MHD_Result queue(struct MHD_Connection* connection, const kore::webhook::adapters::route_answer& answer) {
    struct MHD_Response* response = MHD_create_response_from_buffer(
        answer.body.size(), const_cast<char*>(answer.body.data()), MHD_RESPMEM_MUST_COPY);
    if (response == nullptr) {
        return MHD_NO;
    }
    if (!answer.body.empty()) {
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
    }
    if (answer.allow_header) {
        const std::string allow(kore::webhook::adapters::allowed_methods);
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow.c_str());
    }
    if (answer.close_connection) {
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
    }
    const enum MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(answer.status), response);
    MHD_destroy_response(response);
    return queued;
}

const char* header(struct MHD_Connection* connection, const char* name_of_header) {
    const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name_of_header);
    return value != nullptr ? value : "";
}

// The registered URL's path: the body is read and verified across the calls (step_verified),
// then the receiver answers.
enum MHD_Result receive(const server_state& self, struct MHD_Connection* connection, const char* url,
                        const char* method, const char* upload_data, size_t* upload_data_size, void** req_cls) {
    auto r = kore::webhook::adapters::microhttpd::step_verified(self.verifier, self.config.registered_url, connection,
                                                                method, upload_data, upload_data_size, req_cls);
    if (!r) {
        return MHD_YES;  // still reading the body
    }
    if (*upload_data_size != 0) {
        // A refused body that did not end within the adapter's bound (an endless chunked body):
        // libmicrohttpd cannot answer while a body arrives, so the connection is closed.
        kore_example::log_line(
            name, method, url, kore::webhook::adapters::http_status(r->verdict), kore_example::outcome_refused,
            std::string(kore::webhook::adapters::error_body(r->verdict)) + " (cut off: connection closed unanswered)");
        return MHD_NO;
    }
    const kore::webhook::adapters::route_request request{method, url, header(connection, "Content-Type"),
                                                         header(connection, "kore-idempotency-token")};
    return queue(connection, kore::webhook::adapters::answer_judged(self.route, request, r->verdict, r->body));
}

// libmicrohttpd calls this from C: no exception may leave it.
enum MHD_Result handle(void* cls, struct MHD_Connection* connection, const char* url, const char* method,
                       const char* /*version*/, const char* upload_data, size_t* upload_data_size,
                       void** req_cls) noexcept {
    try {
        const auto& self = *static_cast<const server_state*>(cls);
        auto* slot = static_cast<request_slot*>(*req_cls);
        if (slot == nullptr) {  // open_request could not allocate it
            slot = new (std::nothrow) request_slot;
            if (slot == nullptr) {
                return MHD_NO;
            }
            *req_cls = slot;
        }
        const std::string_view path = url;
        if (!self.config.control_path.empty() && path == self.config.control_path) {
            // The control route: the same server reading the same body, nothing verified. A load
            // test's route only (never set in production): its body is consumed whatever its size.
            if (!slot->control_begun) {
                slot->control_begun = true;
                return MHD_YES;
            }
            if (*upload_data_size != 0) {
                *upload_data_size = 0;
                return MHD_YES;
            }
            kore_example::log_control(name, method, path);
            return queue(connection, kore::webhook::adapters::route_answer{204, {}, false, false});
        }
        void** adapter_state = &slot->adapter;
        if (kore::webhook::adapters::microhttpd::is_first_call(adapter_state)) {  // the header is in, no body yet
            const kore::webhook::adapters::route_request request{method, path, {}, {}};
            switch (kore_example::match_route(method, path, self.config.route)) {
                case kore_example::route_match::not_found:
                    kore_example::log_request(name, method, path, 404, kore_example::not_found_body);
                    return queue(connection, kore::webhook::adapters::route_answer{
                                                 404, std::string(kore_example::not_found_body), false, true});
                case kore_example::route_match::method_not_allowed:
                    return queue(connection, kore::webhook::adapters::answer_method_not_allowed(self.route, request));
                case kore_example::route_match::receiver:
                    break;
            }
        }
        return receive(self, connection, url, method, upload_data, upload_data_size, adapter_state);
    } catch (...) {  // out of memory while answering: libmicrohttpd closes the connection
        return MHD_NO;
    }
}

}  // namespace

int main() {
    const kore_example::termination_signals signals;  // before libmicrohttpd starts its threads
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);
    kore_example::receiver receiver(name, config);
    const server_state self{verifier, config, kore_example::make_route_config(name, config, receiver)};

    unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (config.tls) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            kore_example::fail_config(name,
                                      "this libmicrohttpd was built without TLS support: it cannot serve HTTPS "
                                      "(KORE_WEBHOOK_TLS_CERT is set); use a build with GnuTLS, or terminate TLS "
                                      "at a reverse proxy");
        }
        flags |= MHD_USE_TLS;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(config.port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // open_request keeps each request's raw target (remember_uri), so that the query is compared
    // exactly; close_request frees what was kept for the request.
    const MHD_RequestCompletedCallback completed = &close_request;
    void* (*const uri_logger)(void*, const char*, struct MHD_Connection*) = &open_request;
    // The certificate and key as PEM text (checked at startup by load_config), given only with TLS.
    MHD_OptionItem tls_options[] = {
        {MHD_OPTION_END, 0, nullptr}, {MHD_OPTION_END, 0, nullptr}, {MHD_OPTION_END, 0, nullptr}};
    if (config.tls) {
        tls_options[0] = {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(config.tls->key_pem.c_str())};
        tls_options[1] = {MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(config.tls->cert_pem.c_str())};
    }
    struct MHD_Daemon* daemon = MHD_start_daemon(
        flags, config.port, nullptr, nullptr, &handle, const_cast<server_state*>(&self), MHD_OPTION_SOCK_ADDR,
        reinterpret_cast<const sockaddr*>(&address), MHD_OPTION_URI_LOG_CALLBACK, uri_logger, nullptr,
        MHD_OPTION_NOTIFY_COMPLETED, completed, nullptr, MHD_OPTION_THREAD_POOL_SIZE, polling_threads,
        MHD_OPTION_CONNECTION_LIMIT, connection_limit, MHD_OPTION_CONNECTION_TIMEOUT, idle_timeout_seconds,
        MHD_OPTION_ARRAY, tls_options, MHD_OPTION_END);
    if (daemon == nullptr) {
        std::cerr << name << ": cannot listen on 127.0.0.1:" << config.port
                  << (config.tls ? " with TLS (libmicrohttpd refused the certificate or key)" : "") << '\n';
        return 1;
    }
    const union MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    kore_example::announce_listening(info != nullptr ? info->port : config.port);

    signals.wait();
    MHD_stop_daemon(daemon);
    return 0;
}
