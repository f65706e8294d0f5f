// kore-webhook-receiver-poco: a KORE callback receiver on POCO's HTTPServer. HTTPS (POCO NetSSL)
// when KORE_WEBHOOK_TLS_CERT/KEY are set.
//
// POCO serves each connection on a thread of its own for as long as the connection lasts, idle
// keep-alive time included, and times out single reads only. So this example gives it many
// threads (an idle connection must not keep a callback waiting) and short read timeouts, and
// says in docs/servers.md ("POCO") what it cannot bound and the proxy setting that does.
//
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-receiver-poco
#include "../common/example_common.hpp"

#include <kore/webhook/adapters/poco.hpp>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>
#ifdef KORE_WEBHOOK_EXAMPLE_POCO_TLS
#include <Poco/Net/Context.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#endif

#include <algorithm>
#include <cstdint>
#include <istream>
#include <memory>
#include <ostream>
#include <string>

namespace {

constexpr std::string_view name = "kore-webhook-receiver-poco";

// POCO's worker model, sized for the availability targets (docs/servers.md, "POCO"). Each open
// connection holds one thread: 500 idle connections take 500 threads, and a callback arriving
// beside them needs a thread of its own at once, not after an idle one times out.
constexpr int max_threads = 1024;
constexpr int max_queued = 1024;               // beyond threads and queue, POCO closes new connections
constexpr int thread_stack_size = 256 * 1024;  // the deepest call is a 16 KiB read buffer
// A read that waits longer than this ends the connection: a silent client, or an idle keep-alive
// one, frees its thread after 5 s. A client that trickles a byte every few seconds is not cut:
// POCO has no deadline for a whole header or body.
constexpr long read_timeout_seconds = 5;
constexpr int max_keep_alive_requests = 1000;

// Every path but the route's and the control route's.
class not_found final : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
        const std::string& target = req.getURI();
        kore_example::log_request(name, req.getMethod(), target.substr(0, target.find('?')), 404,
                                  kore_example::not_found_body);
        res.setKeepAlive(false);  // the body, if any, is left unread
        res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
        res.setContentType("text/plain");
        res.setContentLength(static_cast<std::streamsize>(kore_example::not_found_body.size()));
        std::ostream& out = res.send();
        out << kore_example::not_found_body;
        out.flush();
        kore::webhook::adapters::poco::drain_before_close(req);  // the client reads the 404, not a reset
    }
};

// The control route (KORE_WEBHOOK_CONTROL_PATH): the body read and dropped, 204, nothing verified.
class control final : public Poco::Net::HTTPRequestHandler {
public:
    explicit control(std::size_t max_body_size) : max_body_size_(max_body_size) {}

    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
        std::istream& in = req.stream();
        kore_example::scratch_piece dropped;  // NOLINT(cppcoreguidelines-pro-type-member-init): see scratch_piece
        std::size_t total = 0;
        while (in && total <= max_body_size_) {
            in.read(dropped.data(), static_cast<std::streamsize>(dropped.size()));
            total += static_cast<std::size_t>(in.gcount());
        }
        const std::string& target = req.getURI();
        const std::string path = target.substr(0, target.find('?'));
        if (total > max_body_size_) {
            kore_example::log_request(name, req.getMethod(), path, 413, "body_too_large");
            res.setKeepAlive(false);
            res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_REQUESTENTITYTOOLARGE);
            res.setContentLength(0);
            res.send().flush();
            kore::webhook::adapters::poco::drain_before_close(req);
            return;
        }
        kore_example::log_control(name, req.getMethod(), path);
        res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
        res.setContentLength(0);
        res.send();
    }

private:
    std::size_t max_body_size_;
};

class factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    factory(const kore::webhook::adapters::poco::route& route, std::string control_path, std::size_t max_body_size)
        : route_(route), control_path_(std::move(control_path)), max_body_size_(max_body_size) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& req) override {
        // The registered URL's path: POST and GET verified, other methods 405, refusals answered.
        if (Poco::Net::HTTPRequestHandler* handler = route_.handler_for(req)) {
            return handler;
        }
        if (!control_path_.empty()) {
            const std::string& target = req.getURI();
            if (std::string_view(target).substr(0, target.find('?')) == control_path_) {
                return new control(max_body_size_);
            }
        }
        return new not_found;
    }

private:
    const kore::webhook::adapters::poco::route& route_;
    std::string control_path_;
    std::size_t max_body_size_;
};

Poco::Net::HTTPServerParams::Ptr server_params() {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(max_threads);
    params->setMaxQueued(max_queued);
    params->setTimeout(Poco::Timespan(read_timeout_seconds, 0));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(read_timeout_seconds, 0));
    params->setMaxKeepAliveRequests(max_keep_alive_requests);
    // POCO 1.11's dispatcher thread can miss the notice that the server stopped; it then waits
    // out its idle time (10 s by default) and holds up the exit that long. 1 s bounds that.
    params->setThreadIdleTime(Poco::Timespan(1, 0));
    return params;
}

// The listening socket: HTTPS with the configured PEM files, or plain HTTP.
Poco::Net::ServerSocket listening_socket(const kore_example::config& config) {
    const Poco::Net::SocketAddress address("127.0.0.1", config.port);
    if (!config.tls) {
        return Poco::Net::ServerSocket(address);
    }
#ifdef KORE_WEBHOOK_EXAMPLE_POCO_TLS
    Poco::Net::Context::Params tls;
    tls.certificateFile = config.tls->cert_path;
    tls.privateKeyFile = config.tls->key_path;
    tls.verificationMode = Poco::Net::Context::VERIFY_NONE;  // KORE presents no client certificate
    tls.loadDefaultCAs = false;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, tls);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    // The handshake is made by the connection's thread, on its first read, under the read timeout.
    return Poco::Net::SecureServerSocket(address, 64, context);
#else
    kore_example::fail_config(name,
                              "KORE_WEBHOOK_TLS_CERT is set, but this example was built without POCO NetSSL "
                              "(libpoco-dev's PocoNetSSL): it cannot serve HTTPS");
#endif
}

#ifdef KORE_WEBHOOK_EXAMPLE_POCO_TLS
// Poco::Net::initializeSSL() and its counterpart, for the program's lifetime.
struct netssl_library {
    netssl_library() { Poco::Net::initializeSSL(); }
    ~netssl_library() { Poco::Net::uninitializeSSL(); }
    netssl_library(const netssl_library&) = delete;
    netssl_library& operator=(const netssl_library&) = delete;
};
#endif

}  // namespace

int main() {
    const kore_example::termination_signals signals;  // before POCO starts its threads
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);
    kore_example::receiver receiver(name, config);
    const kore::webhook::adapters::poco::route route(verifier, kore_example::make_route_config(name, config, receiver));
    kore_example::raise_file_limit();
#ifdef KORE_WEBHOOK_EXAMPLE_POCO_TLS
    const netssl_library netssl;
#endif

    try {
        Poco::ThreadPool threads(2, max_threads, 60, thread_stack_size);
        Poco::Net::ServerSocket socket = listening_socket(config);
        Poco::Net::HTTPServer server(new factory(route, config.control_path, verifier.get_options().max_body_size),
                                     threads, socket, server_params());
        server.start();
        kore_example::announce_listening(socket.address().port());
        signals.wait();
        // No new connections; those open are shut down (a request in progress may lose its
        // answer: KORE delivers it again), so that stopping takes no longer than their threads.
        server.stopAll(true);
        threads.joinAll();
    } catch (const Poco::Exception& e) {
        std::cerr << name << ": " << e.displayText() << '\n';
        return 1;
    }
    return 0;
}
