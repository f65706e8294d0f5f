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

class receiver final : public Poco::Net::HTTPRequestHandler {
public:
    receiver(const kore::webhook::verifier& verifier, const kore_example::config& config)
        : verifier_(verifier), config_(config) {}

    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
        const std::string& method = req.getMethod();
        const std::string path = req.getURI().substr(0, req.getURI().find('?'));
        int status = 0;
        std::string error_name;
        bool read_whole_body = false;
        switch (kore_example::match_route(method, path, config_.route)) {
            case kore_example::route_match::not_found:
                status = 404;
                error_name = kore_example::not_found_body;
                break;
            case kore_example::route_match::method_not_allowed:
                status = 405;
                error_name = kore_example::method_not_allowed_body;
                res.set("Allow", std::string(kore_example::allowed_methods));
                break;
            case kore_example::route_match::receiver: {
                const auto verdict = kore::webhook::adapters::poco::verify(verifier_, config_.registered_url, req);
                status = kore::webhook::adapters::http_status(verdict);
                error_name = kore::webhook::adapters::error_body(verdict);
                read_whole_body = !kore::webhook::adapters::body_left_unread(verdict.error());
                break;
            }
        }
        kore_example::log_request(name, method, path, status, error_name);
        // A body left unread cannot be followed by another request on this connection.
        if (!read_whole_body) {
            res.setKeepAlive(false);
        }
        res.setStatus(std::to_string(status));
        if (error_name.empty()) {
            res.setContentLength(0);
            res.send();
        } else {
            res.setContentType("text/plain");
            res.setContentLength(static_cast<std::streamsize>(error_name.size()));
            res.send() << error_name;
        }
    }

private:
    const kore::webhook::verifier& verifier_;
    const kore_example::config& config_;
};

class factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    factory(const kore::webhook::verifier& verifier, const kore_example::config& config)
        : verifier_(verifier), config_(config) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new receiver(verifier_, config_);
    }

private:
    const kore::webhook::verifier& verifier_;
    const kore_example::config& config_;
};

}  // namespace

int main() {
    const kore_example::termination_signals signals;  // before POCO starts its threads
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);

    try {
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", config.port));
        Poco::Net::HTTPServer server(new factory(verifier, config), socket, new Poco::Net::HTTPServerParams);
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
