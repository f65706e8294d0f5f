// kore-webhook-receiver-httplib: a KORE callback receiver on cpp-httplib.
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-receiver-httplib
// (all variables: tests/receivers/common/config.hpp)
#include "../common/example_common.hpp"
#include "elastic_pool.hpp"

#include <kore/webhook/adapters/httplib.hpp>

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

namespace {

constexpr std::string_view name = "kore-webhook-receiver-httplib";

std::unique_ptr<httplib::Server> make_server(const kore_example::config& config) {
    if (!config.tls) {
        return std::make_unique<httplib::Server>();
    }
    auto server = std::make_unique<httplib::SSLServer>(config.tls->cert_path.c_str(), config.tls->key_path.c_str());
    if (!server->is_valid()) {  // the files were checked already: OpenSSL itself refused them
        kore_example::fail_config(name, "cpp-httplib could not load KORE_WEBHOOK_TLS_CERT / KORE_WEBHOOK_TLS_KEY");
    }
    return server;
}

// cpp-httplib 0.11 keeps a connection's thread from its first byte to its close (elastic_pool.hpp
// says why that matters). These bound how long one connection can keep it when it is not sending
// a request at a normal pace.
constexpr std::size_t kept_threads = 8;
constexpr std::size_t most_threads = 256;
constexpr std::chrono::seconds idle_thread_end{10};
constexpr std::chrono::seconds read_timeout{2};   // each wait for the client's next bytes
constexpr std::chrono::seconds write_timeout{2};  // each wait for room to send the answer
constexpr time_t keep_alive_timeout_seconds = 2;  // between requests, and before the first one
constexpr std::size_t keep_alive_requests = 100;  // then Connection: close (the default 5 costs a
                                                  // new connection every 5 callbacks)
// The kernel hands a connection to accept() only once its first bytes arrive (or after about
// 7 s), so clients that connect and send nothing take no thread; KORE sends its request at once.
constexpr int defer_accept_seconds = 5;
// cpp-httplib listens with a backlog of 5; connections waiting for their first bytes count
// against it, so it is raised once the socket is bound.
constexpr int listen_backlog = 1024;

void tune(httplib::Server& server, int& listening_socket) {
    server.new_task_queue = [] { return new kore_example::elastic_pool(kept_threads, most_threads, idle_thread_end); };
    // Answers are written in two pieces (head, then body): without TCP_NODELAY the body waits for
    // the client's delayed ACK of the head, 40 ms on Linux. Accepted sockets inherit it.
    server.set_tcp_nodelay(true);
    server.set_socket_options([&listening_socket](socket_t sock) {
        httplib::default_socket_options(sock);  // SO_REUSEADDR, as without this callback
        setsockopt(sock, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_accept_seconds, sizeof defer_accept_seconds);
        listening_socket = sock;
    });
    server.set_read_timeout(read_timeout);
    server.set_write_timeout(write_timeout);
    server.set_keep_alive_timeout(keep_alive_timeout_seconds);
    server.set_keep_alive_max_count(keep_alive_requests);
    // Bodies longer than the verifier accepts are refused by the adapter (413) after reading at
    // most a bounded part of them; cpp-httplib needs no limit of its own.
}

}  // namespace

int main() {
    const kore_example::termination_signals signals;  // before any thread starts
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);
    kore_example::receiver receiver(name, config);

    const std::unique_ptr<httplib::Server> server = make_server(config);
    int listening_socket = -1;
    tune(*server, listening_socket);
    // The registered URL's path: POST and GET verified, other methods 405, refusals answered.
    kore::webhook::adapters::httplib::mount_route(*server, verifier,
                                                  kore_example::make_route_config(name, config, receiver));
    if (!config.control_path.empty()) {
        auto control = [](const httplib::Request& req, httplib::Response& res) {
            res.status = 204;
            kore_example::log_control(name, req.method, req.path);
        };
        server->Post(kore::webhook::adapters::httplib::exact_pattern(config.control_path), control);
        server->Get(kore::webhook::adapters::httplib::exact_pattern(config.control_path), control);
    }
    server->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (res.status == 404 && res.body.empty()) {  // another path: not the route's
            res.set_content(std::string(kore_example::not_found_body), "text/plain");
            kore_example::log_request(name, req.method, req.path, res.status, kore_example::not_found_body);
        }
    });

    int port = config.port;
    if (port == 0) {
        port = server->bind_to_any_port("127.0.0.1");
    } else if (!server->bind_to_port("127.0.0.1", port)) {
        port = -1;
    }
    if (port >= 0 && listening_socket >= 0 && ::listen(listening_socket, listen_backlog) != 0) {
        port = -1;
    }
    if (port < 0) {
        std::fprintf(stderr, "%s: cannot listen on 127.0.0.1:%u\n", name.data(), unsigned{config.port});
        return 1;
    }
    std::thread listener([&server] { server->listen_after_bind(); });
    while (!server->is_running()) {  // stop() is a no-op until the accept loop runs
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    kore_example::announce_listening(static_cast<unsigned>(port));

    signals.wait();
    server->stop();
    listener.join();
    return 0;
}
