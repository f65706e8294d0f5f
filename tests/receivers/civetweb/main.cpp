// kore-webhook-receiver-civetweb: a KORE callback receiver on CivetWeb.
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-receiver-civetweb
// (all variables: tests/receivers/common/config.hpp; what this server can and cannot bound:
// docs/servers.md, CivetWeb)
#include "../common/example_common.hpp"

#include <kore/webhook/adapters/civetweb.hpp>
#include <kore/webhook/adapters/route.hpp>

#include <civetweb.h>

#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr std::string_view name = "kore-webhook-receiver-civetweb";

// CivetWeb gives each connection a worker thread for as long as it is open, idle or not: the
// threads are what bounds how many clients are served at once. Each costs little while it
// waits (a stack that is mostly untouched, a 16 KiB request buffer), and a genuine callback is
// answered at once as long as fewer connections than this are open.
constexpr const char* worker_threads = "1024";
// Accepted connections waiting for a free worker thread, then the kernel's listen backlog.
constexpr const char* accepted_queue = "256";
constexpr const char* listen_backlog = "4096";
// The whole request header must arrive within this, counted from its first byte, and each read of
// the body waits at most this long (CivetWeb has no deadline for the whole body: docs/servers.md).
constexpr const char* request_timeout_ms = "5000";
// An idle kept-alive connection gives its thread back after this.
constexpr const char* keep_alive_timeout_ms = "2000";

// After a refusal that left body bytes unread: what is read and discarded before the connection
// is closed. Closing a socket with unread data makes the kernel reset the connection, and a
// client that sends its whole body before reading then loses the answer; an endless body must
// not hold the thread for long either.
constexpr std::uint64_t linger_bytes = std::uint64_t{4} << 20;  // 4 MiB
constexpr std::chrono::milliseconds linger_time{2000};

struct server_state {
    const kore::webhook::verifier& verifier;
    const kore_example::config& config;
    kore::webhook::adapters::route_config route;
};

// Reads and discards the rest of the request's body, at most `limit` bytes and until `deadline`
// (a read waits at most request_timeout_ms). True when the body ended.
bool discard_body(struct mg_connection* conn, std::uint64_t limit, std::chrono::steady_clock::time_point deadline) {
    kore_example::scratch_piece piece;  // NOLINT(cppcoreguidelines-pro-type-member-init): see scratch_piece
    std::uint64_t read = 0;
    while (read < limit && std::chrono::steady_clock::now() < deadline) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), limit - read));
        const int got = mg_read(conn, piece.data(), want);
        if (got <= 0) {
            return got == 0;
        }
        read += static_cast<std::uint64_t>(got);
    }
    return false;
}

// Whether CivetWeb keeps the connection open after this request (as its should_keep_alive()
// decides: the client's Connection header, else HTTP/1.1), so that the answer can say so.
bool client_keeps_alive(const struct mg_request_info* info) {
    for (int i = 0; i < info->num_headers; ++i) {
        const auto& h = info->http_headers[i];
        if (h.name != nullptr && ::strcasecmp(h.name, "Connection") == 0) {
            std::string value = h.value != nullptr ? h.value : "";
            std::transform(value.begin(), value.end(), value.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            return value.find("keep-alive") != std::string::npos;
        }
    }
    return info->http_version != nullptr && std::string_view(info->http_version) == "1.1";
}

// The current time as an HTTP-date, for the Date header.
std::string http_date() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::array<char, 40> text{};
    const std::size_t n = std::strftime(text.data(), text.size(), "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return std::string(text.data(), n);
}

// The whole answer in one write. CivetWeb 1.15's mg_response_header_*() send the status line and
// each header line with a send() of their own: every answer took several segments, and without
// TCP_NODELAY (set too, see main) the second one waited for the client's delayed ACK, 40 ms.
void answer(struct mg_connection* conn, const struct mg_request_info* info,
            const kore::webhook::adapters::route_answer& a) {
    const bool keep_alive = !a.close_connection && client_keeps_alive(info);
    if (!keep_alive) {
        mg_disable_connection_keep_alive(conn);
    }
    std::string response = "HTTP/1.1 " + std::to_string(a.status) + " " + mg_get_response_code_text(conn, a.status) +
                           "\r\nDate: " + http_date() + "\r\n";
    if (a.status != 204) {
        response += "Content-Length: " + std::to_string(a.body.size()) + "\r\n";
    }
    if (!a.body.empty()) {
        response += "Content-Type: text/plain\r\n";
    }
    if (a.allow_header) {
        response.append("Allow: ").append(kore::webhook::adapters::allowed_methods).append("\r\n");
    }
    response += keep_alive ? "\r\n" : "Connection: close\r\n\r\n";
    response += a.body;
    mg_write(conn, response.data(), response.size());
    if (a.close_connection) {
        // The answer is out; let the client finish sending so that it can read it (bounded).
        discard_body(conn, linger_bytes, std::chrono::steady_clock::now() + linger_time);
    }
}

const char* header(struct mg_connection* conn, const char* header_name) {
    const char* value = mg_get_header(conn, header_name);
    return value != nullptr ? value : "";
}

// Every request comes here ("/" is registered); routing is by exact path. CivetWeb calls this from
// C: no exception may leave it.
int handle(struct mg_connection* conn, void* data) noexcept {
    try {
        const auto& self = *static_cast<const server_state*>(data);
        const struct mg_request_info* info = mg_get_request_info(conn);
        const std::string_view method = info->request_method != nullptr ? info->request_method : "";
        const std::string_view path = info->local_uri_raw != nullptr ? info->local_uri_raw : "";
        const kore::webhook::adapters::route_request request{method, path, header(conn, "Content-Type"),
                                                             header(conn, "kore-idempotency-token")};
        kore::webhook::adapters::route_answer a;
        if (!self.config.control_path.empty() && path == self.config.control_path) {
            // The control route: the same server reading the same body, nothing verified.
            const bool whole = discard_body(conn, self.config.options.max_body_size + 1,
                                            std::chrono::steady_clock::now() + linger_time);
            kore_example::log_control(name, method, path);
            a = {204, {}, false, !whole};
        } else {
            switch (kore_example::match_route(method, path, self.config.route)) {
                case kore_example::route_match::not_found:
                    kore_example::log_request(name, method, path, 404, kore_example::not_found_body);
                    a = {404, std::string(kore_example::not_found_body), false, true};
                    break;
                case kore_example::route_match::method_not_allowed:
                    a = kore::webhook::adapters::answer_method_not_allowed(self.route, request);
                    break;
                case kore_example::route_match::receiver: {
                    const auto r = kore::webhook::adapters::civetweb::read_verified(self.verifier,
                                                                                    self.config.registered_url, conn);
                    a = kore::webhook::adapters::answer_judged(self.route, request, r.verdict, r.body);
                    break;
                }
            }
        }
        answer(conn, info, a);
        return a.status;
    } catch (...) {  // out of memory while answering: close without an answer
        mg_disable_connection_keep_alive(conn);
        return 500;
    }
}

// CivetWeb logs its own errors (a failed TLS setup, ...) here.
int log_message(const struct mg_connection* /*conn*/, const char* message) noexcept {
    try {
        kore_example::write_log_line(std::string(name) + ": civetweb: " + (message != nullptr ? message : ""));
    } catch (...) {  // nowhere to log
    }
    return 1;  // logged: CivetWeb prints nothing more
}

// CivetWeb 1.15 takes the certificate and its key from one PEM file (ssl_certificate; it has no
// option for a separate key file). The two files are written into one, readable only by this
// user, which CivetWeb reads while it starts; it is removed right after.
class combined_pem {
public:
    explicit combined_pem(const kore_example::tls_files& tls) {
        const char* tmp = kore_example::env("TMPDIR");
        path_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/kore-webhook-civetweb-XXXXXX";
        const int fd = ::mkstemp(path_.data());  // mode 0600
        if (fd < 0) {
            kore_example::fail_config(name,
                                      "cannot create a private temporary file for CivetWeb's certificate file "
                                      "(TMPDIR not writable?)");
        }
        const std::string pem = tls.key_pem + "\n" + tls.cert_pem;
        std::string_view rest = pem;
        bool written = true;
        while (!rest.empty() && written) {
            const ssize_t n = ::write(fd, rest.data(), rest.size());
            written = n > 0;
            rest.remove_prefix(written ? static_cast<std::size_t>(n) : 0);
        }
        written = (::close(fd) == 0) && written;
        if (!written) {
            remove();
            kore_example::fail_config(name, "cannot write CivetWeb's temporary certificate file");
        }
    }
    combined_pem(const combined_pem&) = delete;
    combined_pem& operator=(const combined_pem&) = delete;
    ~combined_pem() { remove(); }

    [[nodiscard]] const std::string& path() const { return path_; }

    void remove() {
        if (!path_.empty()) {
            ::unlink(path_.c_str());
            path_.clear();
        }
    }

private:
    std::string path_;
};

}  // namespace

int main() {
    const kore_example::termination_signals signals;  // before CivetWeb starts its threads
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);
    kore_example::receiver receiver(name, config);
    const server_state self{verifier, config, kore_example::make_route_config(name, config, receiver)};

    if (config.tls) {
        // CivetWeb loads OpenSSL at run time; a build that cannot (Debian 12's libcivetweb 1.15
        // asks libssl.so for SSL_get_peer_certificate, which OpenSSL 3 no longer exports) says so
        // here by not granting the TLS feature.
        if ((mg_init_library(MG_FEATURES_TLS) & MG_FEATURES_TLS) == 0) {
            mg_exit_library();
            kore_example::fail_config(
                name,
                "this CivetWeb cannot serve HTTPS: it failed to load OpenSSL at run time (Debian 12's libcivetweb "
                "1.15 is built for the OpenSSL 1.1 API and needs the libssl.so symlink of libssl-dev; OpenSSL 3 lacks "
                "SSL_get_peer_certificate). Terminate TLS at a reverse proxy, or use a CivetWeb built with "
                "OPENSSL_API_3_0 (docs/servers.md, CivetWeb)");
        }
    } else {
        mg_init_library(0);
    }
    std::optional<combined_pem> pem;
    if (config.tls) {
        pem.emplace(*config.tls);
    }
    const std::string listening = "127.0.0.1:" + std::to_string(config.port) + (config.tls ? "s" : "");
    std::vector<const char*> options = {"listening_ports",       listening.c_str(),
                                        "num_threads",           worker_threads,
                                        "connection_queue",      accepted_queue,
                                        "listen_backlog",        listen_backlog,
                                        "request_timeout_ms",    request_timeout_ms,
                                        "keep_alive_timeout_ms", keep_alive_timeout_ms,
                                        "enable_keep_alive",     "yes",
                                        "tcp_nodelay",           "1"};
    if (pem) {
        options.push_back("ssl_certificate");
        options.push_back(pem->path().c_str());
    }
    options.push_back(nullptr);
    struct mg_callbacks callbacks {};
    callbacks.log_message = &log_message;
    struct mg_context* ctx = mg_start(&callbacks, nullptr, options.data());
    if (pem) {
        pem->remove();  // read by mg_start
    }
    if (ctx == nullptr) {
        std::cerr << name << ": cannot listen on " << listening << '\n';
        mg_exit_library();
        return 1;
    }
    mg_set_request_handler(ctx, "/", handle, const_cast<server_state*>(&self));

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
