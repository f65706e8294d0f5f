#ifndef KORE_WEBHOOK_HTTP_STATUS_HPP
#define KORE_WEBHOOK_HTTP_STATUS_HPP

// What to answer KORE for a verdict, and the text body that goes with a refusal:
//
//   if (!r) return respond(kore::webhook::http_status(r), kore::webhook::error_body(r));
//
// 204 when the callback may be processed; 401 when the request is not proven to come from KORE
// unchanged; 400 when the header is unusable or the body could not be read; 413 for a body over
// options::max_body_size; 415 for a body whose raw bytes the server will not give; 500 for the
// receiver's own faults; 503 when the receiver ran out of memory or the replay store failed
// (KORE retries 408, 429 and 5xx).

#include <kore/webhook/errors.hpp>
#include <kore/webhook/result.hpp>

#include <string_view>
#include <system_error>

namespace kore::webhook {

// Each code's status is the second column of its table in errors.hpp; a code from another
// category is the receiver's own fault.
inline int http_status(std::error_code error) noexcept {
    if (!error) {
        return 204;
    }
    const detail::error_text* text = detail::text_among<errc, adapter_errc, replay_errc>(error);
    return text != nullptr ? text->http_status : 500;
}

inline int http_status(const result& verdict) noexcept {
    return http_status(verdict.error());
}

// The error's name and nothing else ("signature_mismatch"), never the expected digest or anything
// derived from the secret. Empty for an accepted callback.
inline std::string_view error_body(const result& verdict) noexcept {
    return verdict ? std::string_view() : error_name(verdict.error());
}

}  // namespace kore::webhook

#endif
