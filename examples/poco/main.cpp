// kore-webhook-example-poco: a KORE callback receiver on POCO's HTTPServer.
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-example-poco
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

#include <string>

namespace {

constexpr std::string_view name = "kore-webhook-example-poco";

// Every path but the route's.
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
        res.send() << kore_example::not_found_body;
    }
};

class factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit factory(const kore::webhook::adapters::poco::route& route) : route_(route) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& req) override {
        // The registered URL's path: POST and GET verified, other methods 405, refusals answered.
        if (Poco::Net::HTTPRequestHandler* handler = route_.handler_for(req)) {
            return handler;
        }
        return new not_found;
    }

private:
    const kore::webhook::adapters::poco::route& route_;
};

}  // namespace

int main() {
    const kore_example::termination_signals signals;  // before POCO starts its threads
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);
    kore_example::receiver receiver(name, config);
    const kore::webhook::adapters::poco::route route(verifier, kore_example::make_route_config(name, config, receiver));

    try {
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", config.port));
        Poco::Net::HTTPServer server(new factory(route), socket, new Poco::Net::HTTPServerParams);
        server.start();
        kore_example::announce_listening(socket.address().port());
        signals.wait();
        server.stop();
    } catch (const Poco::Exception& e) {
        std::cerr << name << ": " << e.displayText() << '\n';
        return 1;
    }
    return 0;
}
