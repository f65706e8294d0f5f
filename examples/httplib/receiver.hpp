#ifndef KORE_WEBHOOK_EXAMPLES_HTTPLIB_RECEIVER_HPP
#define KORE_WEBHOOK_EXAMPLES_HTTPLIB_RECEIVER_HPP

// The receiver tests/cli sends to (tests/cli/cli_common.hpp): the interface it was written
// against, on top of kore::webhook::adapters::httplib::mount_route. POST and GET on the registered
// URL's path are verified (204, or the verdict's status with the error name as the body); other
// methods there get 405. New code calls mount_route directly, as examples/httplib/main.cpp and
// `kore-webhook demo` do; this file goes once tests/cli does too.

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/httplib.hpp>

#include <httplib.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace kore_example {

// One judged request, for the application.
struct delivery {
    std::string_view method;
    std::string_view path;
    int status = 0;
    const kore::webhook::result* verdict = nullptr;  // null for 405
    std::string_view body;                           // the raw body of an accepted callback
};

struct receiver_config {
    // The callback URL as registered with KORE: what the signature covers. Its path is the route.
    std::string registered_url;
    // Called once per request on the route, after it was judged; may be empty.
    std::function<void(const delivery&)> on_delivery;
    // Kept for source compatibility: the route helper always reads the body once, up to
    // options::max_body_size.
    bool keep_body = false;
};

// Installs the receiver on `server`. The verifier must outlive the server.
inline void install_receiver(httplib::Server& server, const kore::webhook::verifier& verifier, receiver_config config) {
    kore::webhook::adapters::route_config route;
    route.registered_url = std::move(config.registered_url);
    if (config.on_delivery) {
        route.on_answer = [on_delivery = std::move(config.on_delivery)](
                              const kore::webhook::adapters::answered_request& answered) {
            const std::string_view body = answered.callback != nullptr ? answered.callback->body : std::string_view();
            on_delivery(delivery{answered.method, answered.path, answered.status, answered.verdict, body});
        };
    }
    kore::webhook::adapters::httplib::mount_route(server, verifier, std::move(route));
}

}  // namespace kore_example

#endif
