#ifndef KORE_WEBHOOK_ADAPTERS_ROUTE_HPP
#define KORE_WEBHOOK_ADAPTERS_ROUTE_HPP

// What every route helper does, whatever the server (adapters::httplib::mount_route,
// adapters::pistache::mount_route, adapters::poco::route):
//
//   * it serves the registered URL's path, as registered (not decoded);
//   * POST and GET there are verified; any other method is answered 405 (Allow: GET, POST)
//     without reading the body;
//   * a refused request is answered by the helper: adapters::http_status() and the error name as
//     a text body, and the connection is closed when body bytes were left unread;
//   * a verified callback goes to route_config::on_callback, whose callback_reply is the answer
//     (204 when there is no handler); a handler that throws is answered 500 application_failed;
//   * route_config::on_answer is told of every answer.
//
// The server adapters build on answer_judged() and answer_method_not_allowed() below; an adapter
// for another router can too.

#include <kore/webhook/adapters/callback.hpp>
#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/request.hpp>
#include <kore/webhook/adapters/status.hpp>
#include <kore/webhook/detail/hex.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/url.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace kore::webhook::adapters {

inline constexpr std::string_view allowed_methods = "GET, POST";
inline constexpr std::string_view method_not_allowed_body = "method_not_allowed";

// The path a route serves: the registered URL's path as registered, cut at '?' or '#'; "/" when
// the URL has none.
inline std::string route_path(std::string_view registered_url) {
    const std::string_view url = signed_url(registered_url);
    const auto scheme = url.find("://");
    const auto path = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
    return path == std::string_view::npos ? std::string("/") : std::string(url.substr(path));
}

// True for the methods KORE delivers with, which the route verifies.
constexpr bool route_verifies(std::string_view method) noexcept {
    return method == "POST" || method == "GET";
}

// What a route helper read of the request, besides the body.
struct route_request {
    std::string_view method;
    std::string_view path;
    std::string_view content_type;       // "" when absent
    std::string_view idempotency_token;  // "" when absent
};

// What the route answers.
struct route_answer {
    int status = 0;
    std::string body;               // text/plain; empty: no body
    bool allow_header = false;      // a 405: send `Allow: GET, POST`
    bool close_connection = false;  // body bytes may be left unread: the connection cannot be reused
};

}  // namespace kore::webhook::adapters

namespace kore::webhook::detail {

inline void tell(const adapters::route_config& config, const adapters::answered_request& answered) noexcept {
    if (!config.on_answer) {
        return;
    }
    try {
        config.on_answer(answered);
    } catch (...) {  // an observer (a log) that fails must not turn a decided answer into another one
    }
}

constexpr bool is_answer_status(int status) noexcept {
    return status >= 200 && status <= 599;
}

}  // namespace kore::webhook::detail

namespace kore::webhook::adapters {

// The answer to a request the route judged: a refusal is answered here; an accepted callback is
// handed with its body to the handler, whose reply is the answer.
inline route_answer answer_judged(const route_config& config, const route_request& request, const result& verdict,
                                  std::string_view body) {
    route_answer answer;
    answered_request answered{request.method, request.path, 0, {}, &verdict, nullptr};
    if (!verdict) {
        answer.status = http_status(verdict);
        answer.body = std::string(error_body(verdict));
        answer.close_connection = body_left_unread(verdict.error());
        answered.status = answer.status;
        answered.reason = error_body(verdict);
        kore::webhook::detail::tell(config, answered);
        return answer;
    }
    // result::replay_key() without its string: the key lives as long as the callback does.
    std::array<char, 2 * std::tuple_size_v<result::digest_type>> key_digits{};
    std::string_view replay_key;
    if (verdict.verified()) {
        kore::webhook::detail::encode_hex_to(verdict.digest(), key_digits.data());
        replay_key = std::string_view(key_digits.data(), key_digits.size());
    }
    const verified_callback callback{request.method, body, request.content_type, replay_key, request.idempotency_token,
                                     verdict};
    callback_reply reply;
    bool failed = false;
    if (config.on_callback) {
        try {
            reply = config.on_callback(callback);
        } catch (...) {  // whatever the application threw: KORE must deliver again
            failed = true;
        }
    }
    if (failed || !kore::webhook::detail::is_answer_status(reply.status)) {
        const std::error_code error = make_error_code(adapter_errc::application_failed);
        reply = callback_reply(http_status(error), std::string(error_name(error)));
        answered.reason = error_name(error);
    }
    answer.status = reply.status;
    if (reply.status != 204) {
        answer.body = std::move(reply.body);
    }
    answered.status = answer.status;
    answered.callback = &callback;
    kore::webhook::detail::tell(config, answered);
    return answer;
}

// The answer to a method the route does not verify: 405, body unread.
inline route_answer answer_method_not_allowed(const route_config& config, const route_request& request) {
    route_answer answer;
    answer.status = 405;
    answer.body = std::string(method_not_allowed_body);
    answer.allow_header = true;
    answer.close_connection = true;
    kore::webhook::detail::tell(
        config, answered_request{request.method, request.path, 405, method_not_allowed_body, nullptr, nullptr});
    return answer;
}

}  // namespace kore::webhook::adapters

#endif
