#ifndef KORE_WEBHOOK_ERRORS_HPP
#define KORE_WEBHOOK_ERRORS_HPP

// Why a callback was refused, as std::error_code: errc for what the verifier found in the request,
// adapter_errc for what went wrong reading the body or running the application.

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace kore::webhook {

enum class errc {
    missing_signature = 1,  // no kore-signature header at all
    unsigned_request,       // header present but empty: the account has no webhook secret
    malformed_signature,    // not exactly 64 hex digits
    signature_mismatch,     // well-formed, but no configured secret produces it
    length_extension,       // signature matches a body forged by SHA-256 length extension
    body_too_large,         // body exceeds options::max_body_size
    duplicate_signature,    // more than one kore-signature header
    invalid_method,         // the method is empty or not an HTTP token
    invalid_url,            // the registered URL is empty once query and fragment are cut
    query_not_signed,       // the request carries a query the registered URL does not have: KORE signs no query
    stream_finished,        // finish() was already called on this stream
    crypto_failure,         // OpenSSL reported an error while hashing
    body_hash_mismatch,     // legacy Twilio JSON: bodySHA256 in the URL absent or not the body's hash
    malformed_body,         // legacy Twilio form body: not valid application/x-www-form-urlencoded
    moved_from,             // the verifier or stream was moved from and holds no secret any more
};

enum class adapter_errc {
    body_incomplete = 1,  // the connection ended or the framing broke before the body was complete
    body_unavailable,     // the server cannot hand out this body's raw bytes (e.g. a parsed multipart form)
    out_of_memory,        // what this request needs could not be allocated
    application_failed,   // the application's body sink or callback handler threw
};

namespace detail {

struct errc_text {
    std::string_view name;
    std::string_view message;
};

constexpr errc_text describe(errc e) noexcept {
    switch (e) {
        case errc::missing_signature:
            return {"missing_signature",
                    "the request has no kore-signature header; it did not come from KORE, or a proxy "
                    "dropped the header"};
        case errc::unsigned_request:
            return {"unsigned_request",
                    "the kore-signature header is empty: the KORE account has no webhook secret, so "
                    "nothing proves where the request came from (set a secret in the KORE console)"};
        case errc::malformed_signature:
            return {"malformed_signature", "the kore-signature header is not exactly 64 hexadecimal digits"};
        case errc::signature_mismatch:
            return {"signature_mismatch",
                    "the signature does not match: check that the URL is the one registered with KORE "
                    "(not the one a proxy forwards), that the body is the raw bytes as received, and "
                    "that the secret is current"};
        case errc::length_extension:
            return {"length_extension",
                    "the body carries SHA-256 padding followed by appended data: a length-extension "
                    "forgery of an earlier signed request"};
        case errc::body_too_large:
            return {"body_too_large", "the body is larger than the configured maximum (options::max_body_size)"};
        case errc::duplicate_signature:
            return {"duplicate_signature", "the request carries more than one kore-signature header"};
        case errc::invalid_method:
            return {"invalid_method", "the HTTP method is empty or not a valid HTTP token"};
        case errc::invalid_url:
            return {"invalid_url",
                    "the registered URL is not an absolute http(s) URL (pass the URL registered with KORE, "
                    "not the request's path)"};
        case errc::query_not_signed:
            return {"query_not_signed",
                    "the request carries a query string that the registered URL does not have; KORE signs "
                    "no query, so these parameters are not authenticated"};
        case errc::stream_finished:
            return {"stream_finished", "finish() was already called on this verification stream"};
        case errc::crypto_failure:
            return {"crypto_failure", "OpenSSL failed while computing the digest"};
        case errc::body_hash_mismatch:
            return {"body_hash_mismatch",
                    "the bodySHA256 query parameter is missing or is not the SHA-256 of the body (legacy "
                    "Twilio JSON callbacks sign the URL and carry the body's hash in it)"};
        case errc::malformed_body:
            return {"malformed_body", "the form body is not valid application/x-www-form-urlencoded (a bad %-escape)"};
        case errc::moved_from:
            return {"moved_from",
                    "this verifier or stream was moved from and holds no secret any more: use the object it "
                    "was moved to (a programming error in the receiver, not a bad request)"};
    }
    return {"unknown", "unknown kore-webhook error"};
}

constexpr errc_text describe(adapter_errc e) noexcept {
    switch (e) {
        case adapter_errc::body_incomplete:
            return {"body_incomplete", "the request body could not be read completely"};
        case adapter_errc::body_unavailable:
            return {"body_unavailable",
                    "the server does not expose this request's raw body bytes, which is what KORE signs"};
        case adapter_errc::out_of_memory:
            return {"out_of_memory", "the receiver could not allocate memory for this request"};
        case adapter_errc::application_failed:
            return {"application_failed", "the application's body sink or callback handler threw an exception"};
    }
    return {"unknown", "unknown kore-webhook adapter error"};
}

class adapter_errc_category final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "kore.webhook.adapter"; }
    [[nodiscard]] std::string message(int ev) const override {
        return std::string(describe(static_cast<adapter_errc>(ev)).message);
    }
};

class errc_category final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "kore.webhook"; }
    [[nodiscard]] std::string message(int ev) const override {
        return std::string(describe(static_cast<errc>(ev)).message);
    }
};

}  // namespace detail

inline const std::error_category& webhook_category() noexcept {
    static const detail::errc_category instance;
    return instance;
}

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), webhook_category()};
}

inline const std::error_category& adapter_category() noexcept {
    static const detail::adapter_errc_category instance;
    return instance;
}

inline std::error_code make_error_code(adapter_errc e) noexcept {
    return {static_cast<int>(e), adapter_category()};
}

// The short, stable name of an error ("signature_mismatch", "body_incomplete"), for logs and HTTP
// error bodies. Codes from other categories give "unknown"; an empty code gives "ok".
inline std::string_view error_name(std::error_code ec) noexcept {
    if (!ec) {
        return "ok";
    }
    if (ec.category() == webhook_category()) {
        return detail::describe(static_cast<errc>(ec.value())).name;
    }
    if (ec.category() == adapter_category()) {
        return detail::describe(static_cast<adapter_errc>(ec.value())).name;
    }
    return "unknown";
}

}  // namespace kore::webhook

template <>
struct std::is_error_code_enum<kore::webhook::errc> : std::true_type {};
template <>
struct std::is_error_code_enum<kore::webhook::adapter_errc> : std::true_type {};

#endif
