// kore-webhook-example-pistache: a KORE callback receiver on Pistache.
// KORE_WEBHOOK_SECRET=... KORE_WEBHOOK_URL=https://example.com/kore/callback PORT=8080 ./kore-webhook-example-pistache
#include "../common/example_common.hpp"

#include <kore/webhook/adapters/pistache.hpp>

#include <pistache/endpoint.h>
#include <pistache/http.h>

#include <memory>
#include <string>

namespace {

constexpr std::string_view name = "kore-webhook-example-pistache";

class receiver final : public Pistache::Http::Handler {
public:
    HTTP_PROTOTYPE(receiver)

    receiver(const kore::webhook::verifier* verifier, const kore_example::config* config)
        : verifier_(verifier), config_(config) {}

    void onRequest(const Pistache::Http::Request& req, Pistache::Http::ResponseWriter res) override {
        const std::string method = Pistache::Http::methodString(req.method());
        const std::string& path = req.resource();
        int status = 0;
        std::string error_name;
        switch (kore_example::match_route(method, path, config_->route)) {
            case kore_example::route_match::not_found:
                status = 404;
                error_name = kore_example::not_found_body;
                break;
            case kore_example::route_match::method_not_allowed:
                status = 405;
                error_name = kore_example::method_not_allowed_body;
                res.headers().addRaw(Pistache::Http::Header::Raw("Allow", std::string(kore_example::allowed_methods)));
                break;
            case kore_example::route_match::receiver: {
                const auto verdict =
                    kore::webhook::adapters::pistache::verify(*verifier_, config_->registered_url, req);
                status = kore::webhook::adapters::http_status(verdict);
                error_name = kore::webhook::adapters::error_body(verdict);
                break;
            }
        }
        kore_example::log_request(name, method, path, status, error_name);
        if (!error_name.empty()) {
            res.headers().add<Pistache::Http::Header::ContentType>(MIME(Text, Plain));
        }
        res.send(static_cast<Pistache::Http::Code>(status), error_name);
    }

private:
    const kore::webhook::verifier* verifier_;
    const kore_example::config* config_;
};

}  // namespace

int main() {
    const kore_example::termination_signals signals;  // before Pistache starts its threads
    const kore_example::config config = kore_example::load_config(name);
    const kore::webhook::verifier verifier = kore_example::make_verifier(name, config);

    try {
        Pistache::Http::Endpoint endpoint(Pistache::Address(Pistache::IP(127, 0, 0, 1), Pistache::Port(config.port)));
        // Pistache buffers whole requests: room for the largest accepted body plus its header.
        endpoint.init(
            Pistache::Http::Endpoint::options().threads(2).maxRequestSize(config.options.max_body_size + 64 * 1024));
        endpoint.setHandler(std::make_shared<receiver>(&verifier, &config));
        endpoint.serveThreaded();
        kore_example::announce_listening(static_cast<unsigned>(static_cast<std::uint16_t>(endpoint.getPort())));
        signals.wait();
        endpoint.shutdown();
    } catch (const std::exception& e) {
        std::cerr << name << ": " << e.what() << '\n';
        return 1;
    }
    return 0;
}
