#ifndef KORE_WEBHOOK_HTTP_STATUS_HPP
#define KORE_WEBHOOK_HTTP_STATUS_HPP

// What to answer KORE for a verdict, and the text body that goes with a refusal:
//
//   if (!r) return respond(kore::webhook::http_status(r), kore::webhook::error_body(r));
//
// 204 when the callback may be processed; 401 when the request is not proven to come from KORE
// unchanged; 400 when the header is unusable or the body could not be read; 413 for a body over
// options::max_body_size; 415 for a body whose raw bytes the server will not give; 500 for the
// receiver's own faults; 503 when the receiver ran out of memory (KORE retries 408, 429 and 5xx).

#include <kore/webhook/errors.hpp>
#include <kore/webhook/result.hpp>

#include <string_view>
#include <system_error>

namespace kore::webhook {

inline int http_status(std::error_code error) noexcept {
    if (!error) {
        return 204;
    }
    if (error.category() == adapter_category()) {
        switch (static_cast<adapter_errc>(error.value())) {
            case adapter_errc::body_incomplete:
                return 400;
            case adapter_errc::body_unavailable:
                return 415;
            case adapter_errc::out_of_memory:
                return 503;
            case adapter_errc::application_failed:
                return 500;
        }
        return 500;  // a value outside the enum: the receiver's own fault
    }
    if (error.category() != webhook_category()) {
        return 500;
    }
    switch (static_cast<errc>(error.value())) {
        case errc::missing_signature:
        case errc::unsigned_request:
        case errc::signature_mismatch:
        case errc::length_extension:
        case errc::query_not_signed:
        case errc::body_hash_mismatch:  // legacy Twilio: the body is not the one the URL vouches for
            return 401;
        case errc::malformed_signature:
        case errc::duplicate_signature:
        case errc::invalid_method:
        case errc::malformed_body:
            return 400;
        case errc::body_too_large:
            return 413;
        case errc::invalid_url:
        case errc::stream_finished:
        case errc::crypto_failure:
        case errc::moved_from:
            return 500;
    }
    // No `default:` above, so that a new code is a compiler warning until it is mapped. A value
    // outside the enum is not proven to come from KORE.
    return 401;
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
