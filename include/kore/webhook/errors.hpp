#ifndef KORE_WEBHOOK_ERRORS_HPP
#define KORE_WEBHOOK_ERRORS_HPP

// Why a callback was refused, as std::error_code: errc for what the verifier found in the request,
// adapter_errc for what went wrong reading the body or running the application, replay_errc for
// why the replay guard could not give a plain answer. One error_name() names them all.

#include <kore/webhook/detail/error_table.hpp>

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

enum class replay_errc {
    store_unavailable = 1,  // the store could not be reached, or did not answer within its timeout
    store_refused,          // the store answered, but with an error (out of memory, read-only, AUTH refused, ...)
    not_verified,           // the guard was asked about a result that no configured secret verified
    lease_lost,             // commit() or release() found the record held by another claim
    not_claimed,            // commit() or release() on a ticket that holds no claim (any more)
    store_full,             // the in-memory store holds only claims in work: none is dropped for a new one
};

namespace detail {

template <>
inline constexpr error_texts<15> error_table<errc>{
    "kore.webhook",
    {{
        {"missing_signature", 401,
         "the request has no kore-signature header; it did not come from KORE, or a proxy "
         "dropped the header"},
        {"unsigned_request", 401,
         "the kore-signature header is empty: the KORE account has no webhook secret, so "
         "nothing proves where the request came from (set a secret in the KORE console)"},
        {"malformed_signature", 400, "the kore-signature header is not exactly 64 hexadecimal digits"},
        {"signature_mismatch", 401,
         "the signature does not match: check that the URL is the one registered with KORE "
         "(not the one a proxy forwards), that the body is the raw bytes as received, and "
         "that the secret is current"},
        {"length_extension", 401,
         "the body carries SHA-256 padding followed by appended data: a length-extension "
         "forgery of an earlier signed request"},
        {"body_too_large", 413, "the body is larger than the configured maximum (options::max_body_size)"},
        {"duplicate_signature", 400, "the request carries more than one kore-signature header"},
        {"invalid_method", 400, "the HTTP method is empty or not a valid HTTP token"},
        {"invalid_url", 500,
         "the registered URL is not an absolute http(s) URL (pass the URL registered with KORE, "
         "not the request's path)"},
        {"query_not_signed", 401,
         "the request carries a query string that the registered URL does not have; KORE signs "
         "no query, so these parameters are not authenticated"},
        {"stream_finished", 500, "finish() was already called on this verification stream"},
        {"crypto_failure", 500, "OpenSSL failed while computing the digest"},
        {"body_hash_mismatch", 401,
         "the bodySHA256 query parameter is missing or is not the SHA-256 of the body (legacy "
         "Twilio JSON callbacks sign the URL and carry the body's hash in it)"},
        {"malformed_body", 400, "the form body is not valid application/x-www-form-urlencoded (a bad %-escape)"},
        {"moved_from", 500,
         "this verifier or stream was moved from and holds no secret any more: use the object it "
         "was moved to (a programming error in the receiver, not a bad request)"},
    }}};
static_assert(error_table<errc>.values.size() == static_cast<std::size_t>(errc::moved_from), "one text per errc");

template <>
inline constexpr error_texts<4> error_table<adapter_errc>{
    "kore.webhook.adapter",
    {{
        {"body_incomplete", 400, "the request body could not be read completely"},
        {"body_unavailable", 415, "the server does not expose this request's raw body bytes, which is what KORE signs"},
        {"out_of_memory", 503, "the receiver could not allocate memory for this request"},
        {"application_failed", 500, "the application's body sink or callback handler threw an exception"},
    }}};
static_assert(error_table<adapter_errc>.values.size() == static_cast<std::size_t>(adapter_errc::application_failed),
              "one text per adapter_errc");

template <>
inline constexpr error_texts<6> error_table<replay_errc>{
    "kore.webhook.replay",
    {{
        {"store_unavailable", 503,
         "the replay store could not be reached or did not answer in time; nothing is known about "
         "this callback (fail-closed answers 503 so that KORE delivers it again later)"},
        {"store_refused", 503,
         "the replay store answered with an error (for Redis: out of memory, a read-only replica, "
         "AUTH refused, or a server older than 7.0)"},
        {"not_verified", 401,
         "the replay guard was given a result that no configured secret verified; only a verified "
         "digest identifies a signed request"},
        {"lease_lost", 500,
         "the processing lease expired before commit or release and another delivery of the same "
         "callback claimed it; it may have been processed twice (lengthen processing_lease)"},
        {"not_claimed", 500,
         "commit() or release() on a replay claim that holds nothing: it was not fresh, or it was "
         "already committed or released"},
        {"store_full", 503,
         "the in-memory replay store is full of callbacks still being processed; none is dropped, so "
         "this one is refused (503, KORE delivers it again later); raise max_entries"},
    }}};
static_assert(error_table<replay_errc>.values.size() == static_cast<std::size_t>(replay_errc::store_full),
              "one text per replay_errc");

}  // namespace detail

inline const std::error_category& webhook_category() noexcept {
    return detail::category_of<errc>();
}

inline const std::error_category& adapter_category() noexcept {
    return detail::category_of<adapter_errc>();
}

inline const std::error_category& replay_category() noexcept {
    return detail::category_of<replay_errc>();
}

// make_error_code for every error enum of the library (errc, adapter_errc, replay_errc): any enum
// with an error_table, found by argument-dependent lookup as std::error_code's constructor expects.
template <class Enum, class = decltype(detail::error_table<Enum>.values)>
std::error_code make_error_code(Enum e) noexcept {
    return {static_cast<int>(e), detail::category_of<Enum>()};
}

// The short, stable name of an error ("signature_mismatch", "body_incomplete", "store_full"), for
// logs and HTTP error bodies. Codes from other categories give "unknown"; an empty code gives "ok".
inline std::string_view error_name(std::error_code ec) noexcept {
    if (!ec) {
        return "ok";
    }
    const detail::error_text* text = detail::text_among<errc, adapter_errc, replay_errc>(ec);
    return text != nullptr ? text->name : "unknown";
}

}  // namespace kore::webhook

template <>
struct std::is_error_code_enum<kore::webhook::errc> : std::true_type {};
template <>
struct std::is_error_code_enum<kore::webhook::adapter_errc> : std::true_type {};
template <>
struct std::is_error_code_enum<kore::webhook::replay_errc> : std::true_type {};

#endif
