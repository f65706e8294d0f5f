// kore-webhook-example-poco: a KORE callback receiver on POCO's HTTPServer (docs/servers.md).
//   KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080
//   ./kore-webhook-example-poco
// Variables (HTTPS, Redis): kore_example.hpp.
#include "kore_example.hpp"

#include <kore/webhook/adapters/poco.hpp>

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#ifdef KORE_WEBHOOK_EXAMPLE_POCO_TLS  // POCO NetSSL found by CMake
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#endif

namespace {

// The route first; every other path 404 (the connection closed: its body is not read).
struct not_found final : Poco::Net::HTTPRequestHandler {
    void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& res) override {
        res.setKeepAlive(false);
        res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
        res.setContentType("text/plain");
        res.send() << "not_found";
    }
};
struct factory final : Poco::Net::HTTPRequestHandlerFactory {
    // The registered URL's path: POST and GET verified, other methods 405, refusals answered.
    explicit factory(const kore_example::receiver& app) : route(app.verifier, app.route) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& req) override {
        Poco::Net::HTTPRequestHandler* handler = route.handler_for(req);
        return handler != nullptr ? handler : new not_found;
    }
    const kore::webhook::adapters::poco::route route;
};

}  // namespace

int main() {
    const kore_example::receiver app("kore-webhook-example-poco");
    try {
        const Poco::Net::SocketAddress address("127.0.0.1", app.settings.port);
        Poco::Net::ServerSocket socket = [&]() -> Poco::Net::ServerSocket {
            if (app.settings.tls_cert.empty()) {
                return Poco::Net::ServerSocket(address);
            }
#ifdef KORE_WEBHOOK_EXAMPLE_POCO_TLS
            Poco::Net::initializeSSL();
            Poco::Net::Context::Params tls;
            tls.certificateFile = app.settings.tls_cert;
            tls.privateKeyFile = app.settings.tls_key;
            tls.verificationMode = Poco::Net::Context::VERIFY_NONE;  // KORE sends no client certificate
            return Poco::Net::SecureServerSocket(address, 64,
                                                 new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, tls));
#else
            kore_example::refuse(app.program, "this program was built without POCO NetSSL: it cannot serve HTTPS");
#endif
        }();
        // A thread per open connection: a silent or idle client is cut after 5 s without a byte.
        Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(64);
        params->setTimeout(Poco::Timespan(5, 0));
        params->setKeepAliveTimeout(Poco::Timespan(5, 0));
        params->setThreadIdleTime(Poco::Timespan(1, 0));  // a prompt stop
        Poco::ThreadPool threads(2, 64);
        Poco::Net::HTTPServer server(new factory(app), threads, socket, params);
        server.start();
        kore_example::announce(socket.address().port());
        kore_example::wait_for_termination(app.termination);
        server.stopAll(true);
        threads.joinAll();
    } catch (const Poco::Exception& e) {
        return kore_example::fail(app.program, e.displayText());
    }
}
