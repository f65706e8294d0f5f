// kore-webhook-example-httplib: a KORE callback receiver on cpp-httplib.
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-example-httplib
// (all variables: examples/common/config.hpp)
#include "../common/example_common.hpp"

#include <kore/webhook/adapters/httplib.hpp>

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

namespace {

constexpr std::string_view name = "kore-webhook-example-httplib";

// cpp-httplib routes by std::regex: a pattern that matches `path` and nothing else.
std::string exact_pattern(std::string_view path) {
    std::string pattern;
    for (const char c : path) {
        if (std::string_view(R"(\^$.|?*+()[]{})").find(c) != std::string_view::npos) {
            pattern.push_back('\\');
        }
        pattern.push_back(c);
    }
    return pattern;
}

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

}  // namespace

int main() {
    const kore_example::termination_signals signals;  // before any thread starts
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);
    kore_example::receiver receiver(name, config);

    const std::unique_ptr<httplib::Server> server = make_server(config);
    // The registered URL's path: POST and GET verified, other methods 405, refusals answered.
    kore::webhook::adapters::httplib::mount_route(*server, verifier,
                                                  kore_example::make_route_config(name, config, receiver));
    if (!config.control_path.empty()) {
        auto control = [](const httplib::Request& req, httplib::Response& res) {
            res.status = 204;
            kore_example::log_control(name, req.method, req.path);
        };
        server->Post(exact_pattern(config.control_path), control);
        server->Get(exact_pattern(config.control_path), control);
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
