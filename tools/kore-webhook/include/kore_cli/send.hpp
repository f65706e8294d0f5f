#ifndef KORE_WEBHOOK_CLI_SEND_HPP
#define KORE_WEBHOOK_CLI_SEND_HPP

// `kore-webhook send`: deliver a callback the way KORE does (headers, signature, retries), over
// http or https, or a deliberately broken one (--tamper) to check that a receiver refuses it. The
// plan (what goes on the wire) is built apart from the delivery, so `demo` and --dry-run reuse it.

#include <kore_cli/http_client.hpp>

#include <chrono>
#include <cstddef>
#include <ctime>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace kore_cli {

inline constexpr std::string_view tamper_modes[] = {"body",   "signature",        "unsigned", "missing",
                                                    "replay", "length-extension", "wrong-url"};

// Everything that defines a delivery, decided before anything is sent.
struct send_settings {
    std::string registered_url;
    std::string event = "sim-status";
    std::optional<std::string> body;  // replaces the event
    std::optional<std::string> content_type;
    std::string method = "POST";
    std::string tamper;
    std::vector<std::string> headers;  // "Name: value"
    bool chunked = false;
    bool pretty_json = false;
    std::optional<std::size_t> body_size;
    std::optional<std::string> path_override;
    std::optional<std::string> connect;     // host:port, plain http
    std::optional<std::string> connect_to;  // host:port; the URL's host stays for SNI, certificate, Host
    std::optional<std::string> ca_file;     // https: trusted CAs instead of the system's
    std::size_t retries = 2;
    std::chrono::milliseconds retry_delay{500};
    std::chrono::milliseconds timeout{15000};
    bool dry_run = false;
};

// What will be sent.
struct send_plan {
    std::string event_name;  // or "body-file"
    std::string content_type;
    std::string body;       // as sent
    std::string signature;  // header value (when sent)
    bool send_signature = true;
    http::outgoing request;      // the wire form of the first delivery
    std::size_t deliveries = 1;  // 2 for replay
    std::size_t retries = 2;
    std::chrono::milliseconds retry_delay{500};
    http::exchange_options transport;  // timeout, TLS
    std::time_t created = 0;           // when the plan was made: the first delivery's date
};

// Builds what will be sent. `secret` signs; it is not kept in the plan. Throws usage_error.
send_plan make_plan(const send_settings& s, std::string_view secret, std::time_t now);

// The request of delivery `index` (0-based): a replay keeps the body and kore-signature and
// rewrites the unsigned headers, as an attacker replaying a captured request is free to: a new
// kore-idempotency-token, and a date at least one second after the original's.
http::outgoing delivery_request(const send_plan& plan, std::size_t index, std::time_t now);

struct delivery {
    http::outgoing request;
    http::response response;
};

// Delivers every request of the plan, retrying like KORE. Progress goes to `log`. Throws io_error
// when a delivery cannot get any answer, at once (no retry) when the certificate is refused.
std::vector<delivery> deliver(const send_plan& plan, std::ostream& log);

}  // namespace kore_cli

#endif
