#ifndef KORE_WEBHOOK_ADAPTERS_CALLBACK_HPP
#define KORE_WEBHOOK_ADAPTERS_CALLBACK_HPP

// What the application sees of a callback the adapters' route helpers verified, whatever the
// server: the verified-callback view handed to its handler, what the handler answers, and the
// observer that is told of every request the route answered. Route helpers exist where the server
// routes requests: adapters::httplib::mount_route, adapters::pistache::mount_route,
// adapters::poco::route (see adapters/route.hpp for what they all do).

#include <kore/webhook/result.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace kore::webhook::adapters {

// The header carrying KORE's delivery token. It is NOT signed: a replay may carry any token, so
// de-duplicate on verified_callback::replay_key, and use the token for logs only
// (docs/protocol.md, section 3.6).
inline constexpr std::string_view idempotency_token_header_name = "kore-idempotency-token";

// A verified callback, as the application's handler gets it. The views are valid during the
// handler call only: copy what must outlive it.
struct verified_callback {
    std::string_view method;             // "POST" or "GET"
    std::string_view body;               // the raw body the signature covers, exactly as received
    std::string_view content_type;       // the Content-Type header; empty when absent
    std::string_view replay_key;         // the key to de-duplicate on (result::replay_key()); empty
                                         // for an unsigned callback accepted by options::allow_unsigned
    std::string_view idempotency_token;  // kore-idempotency-token; empty when absent; unsigned
    const result& verdict;               // verified(), is_unsigned(), secret_index(), json_normalized()
};

// What the handler answers: the HTTP status (2xx acknowledges the callback; 5xx makes KORE
// deliver it again, e.g. 503 while the application's store is down) and an optional short text
// body ("duplicate"). A handler may simply `return 204;`. A status outside 200..599 is answered
// 500.
struct callback_reply {
    // Implicit on purpose: `return 204;` is the common answer.
    callback_reply(int status_code = 204, std::string text = {}) : status(status_code), body(std::move(text)) {}

    int status;
    std::string body;  // sent as text/plain when not empty (never with a 204)
};

// Called for each verified callback, on the server's thread; may throw (answered 500).
using callback_handler = std::function<callback_reply(const verified_callback&)>;

// One request the route answered, verified or not.
struct answered_request {
    std::string_view method;
    std::string_view path;                        // the request's path, without the query
    int status = 0;                               // what was answered
    std::string_view reason;                      // the error name of a refusal ("signature_mismatch",
                                                  // "method_not_allowed"); empty when the handler answered
    const result* verdict = nullptr;              // null when the request was not judged (405)
    const verified_callback* callback = nullptr;  // what the handler got; null when refused
};

// Told of every request the route answered, after its answer was decided and before it is sent
// (logs, metrics, the CLI's demo table). Exceptions it throws are ignored: the answer stands.
using answer_observer = std::function<void(const answered_request&)>;

// What a route helper is given.
struct route_config {
    // The callback URL exactly as registered with KORE: what the signature covers. Its path is
    // where the route is mounted.
    std::string registered_url;
    // Verified callbacks go here; empty: every verified callback is answered 204.
    callback_handler on_callback;
    // May be empty.
    answer_observer on_answer;
};

}  // namespace kore::webhook::adapters

#endif
