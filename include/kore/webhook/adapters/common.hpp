#ifndef KORE_WEBHOOK_ADAPTERS_COMMON_HPP
#define KORE_WEBHOOK_ADAPTERS_COMMON_HPP

// What every server adapter does the same way, whatever the server: finding the kore-signature
// header (absent, empty and repeated kept apart), the GET-query rule of spec 3.5, refusing a
// declared body that is already too large, and the HTTP status for each verdict. It includes no
// server header; each adapters/<server>.hpp builds on it.
//
// The URL that goes into the signature is never taken from the request: it is the callback URL
// registered with KORE, passed in as configuration. rebuild_url() below exists only for
// applications that cannot know it, as an explicit opt-in.

#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/signature_header.hpp>
#include <kore/webhook/url.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

namespace kore::webhook::adapters {

// What can go wrong in an adapter that is about the transport, not the signature. These are
// separate from kore::webhook::errc, whose codes all come from the verifier.
enum class adapter_errc {
    body_incomplete = 1,  // the connection ended or the framing broke before the body was complete
    body_unavailable,     // the server cannot hand out this body's raw bytes (e.g. a parsed multipart form)
};

namespace detail {

class adapter_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "kore.webhook.adapter"; }
    std::string message(int ev) const override {
        switch (static_cast<adapter_errc>(ev)) {
            case adapter_errc::body_incomplete:
                return "the request body could not be read completely";
            case adapter_errc::body_unavailable:
                return "the server does not expose this request's raw body bytes, which is what KORE signs";
        }
        return "unknown kore-webhook adapter error";
    }
};

}  // namespace detail

inline const std::error_category& adapter_category() noexcept {
    static const detail::adapter_category instance;
    return instance;
}

inline std::error_code make_error_code(adapter_errc e) noexcept {
    return {static_cast<int>(e), adapter_category()};
}

// The short name of any error an adapter returns: kore::webhook::error_name() for the
// verifier's codes, "body_incomplete" / "body_unavailable" for the adapter's own.
inline std::string_view error_name(std::error_code ec) noexcept {
    if (ec && ec.category() == adapter_category()) {
        switch (static_cast<adapter_errc>(ec.value())) {
            case adapter_errc::body_incomplete:
                return "body_incomplete";
            case adapter_errc::body_unavailable:
                return "body_unavailable";
        }
        return "unknown";
    }
    return kore::webhook::error_name(ec);
}

// ASCII case-insensitive equality, for header names.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    return kore::webhook::detail::iequals(a, b);
}

// The HTTP status an adapter answers with: 204 when the callback may be processed; 401 when the
// request is not proven to come from KORE (no signature, empty, mismatch, a length-extension
// forgery, a GET whose query is unsigned); 400 when the header itself is unusable (malformed or
// repeated) or the body could not be read; 413 for a body over options::max_body_size; 415 for a
// body whose raw bytes the server will not give; 500 for the receiver's own faults (a bad
// registered URL, OpenSSL failing). Applications are free to answer otherwise.
inline int http_status(std::error_code error) noexcept {
    if (!error) {
        return 204;
    }
    if (error.category() == adapter_category()) {
        return static_cast<adapter_errc>(error.value()) == adapter_errc::body_unavailable ? 415 : 400;
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
    // No `default:` above, so that a new errc is a compiler warning until it is mapped. A value
    // outside the enum is not proven to come from KORE.
    return 401;
}

inline int http_status(const result& verdict) noexcept {
    return http_status(verdict.error());
}

// The response body adapters' examples send on a refusal: the error's name and nothing else
// ("signature_mismatch"), never the expected digest or anything derived from the secret.
inline std::string_view error_body(const result& verdict) noexcept {
    return verdict ? std::string_view() : error_name(verdict.error());
}

// Collects the kore-signature header while an adapter walks the request's header list. The value
// is copied: several servers hand out temporaries (cpp-httplib's get_header_value returns a
// std::string by value), and a view of one would dangle.
class signature_lookup {
public:
    // Offers one header line; only kore-signature (any case) is kept.
    void offer(std::string_view name, std::string_view value) {
        if (iequals(name, signature_header_name)) {
            add(value);
        }
    }
    // Adds one kore-signature value (for servers that look a header up by name).
    void add(std::string_view value) {
        if (count_++ == 0) {
            value_.assign(value.data(), value.size());
        }
    }

    std::size_t count() const noexcept { return count_; }
    bool duplicate() const noexcept { return count_ > 1; }
    // What verify()/finish() take: std::nullopt when the header is absent, "" when it is empty.
    std::optional<std::string_view> header() const noexcept {
        if (count_ == 0) {
            return std::nullopt;
        }
        return std::string_view(value_);
    }

private:
    std::string value_;
    std::size_t count_ = 0;
};

// Spec 3.5: a GET callback's data is in its query, which KORE does not sign. A GET whose request
// target carries a query is refused unless the application opted in (options::allow_get_query),
// and then it must treat the query as unauthenticated input.
inline std::error_code check_get_query(std::string_view method, bool has_query, const options& opts) noexcept {
    if (method == "GET" && has_query && !opts.allow_get_query) {
        return make_error_code(errc::query_not_signed);
    }
    return {};
}

// A Content-Length value as a number; std::nullopt when it is not a plain decimal (the server's
// parser is the judge of that; the adapter then streams and counts instead).
constexpr std::optional<std::uint64_t> parse_content_length(std::string_view text) noexcept {
    text = kore::webhook::detail::trim_ows(text);
    if (text.empty() || text.size() > 19) {
        return std::nullopt;
    }
    std::uint64_t n = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
}

// Everything an adapter can decide before reading a byte of the body, in the order every adapter
// applies it: a repeated signature header, the GET-query rule, a declared body that is already
// over options::max_body_size (refused without reading it).
inline std::error_code check_before_body(std::string_view method, bool has_query, const signature_lookup& signature,
                                         std::optional<std::uint64_t> content_length, const options& opts) noexcept {
    if (signature.duplicate()) {
        return make_error_code(errc::duplicate_signature);
    }
    if (const auto ec = check_get_query(method, has_query, opts)) {
        return ec;
    }
    if (content_length && *content_length > opts.max_body_size) {
        return make_error_code(errc::body_too_large);
    }
    return {};
}

// True when a refusal may have left body bytes unread (decided before the body, or the body
// passed the limit on the way): the connection then cannot carry another request.
inline bool body_left_unread(std::error_code error) noexcept {
    return error == errc::body_too_large || error == errc::duplicate_signature || error == errc::query_not_signed;
}

// ---------------------------------------------------------------------------------------------
// Opt-in, and not recommended: rebuilding the signed URL from the request.
//
// KORE signs the URL as registered, and what a server sees is routinely different (TLS ended at
// a proxy, an internal host name, an added port, a re-encoded path). Configure the registered URL
// instead. An application that truly cannot (one receiver behind many registered host names) may
// rebuild it here: the scheme and host come from X-Forwarded-Proto / X-Forwarded-Host only when
// the direct peer is one of trusted_proxies (otherwise those headers are ignored and Host and
// `scheme` are used), and the path is the raw request target, never a percent-decoded one.
struct rebuilt_url_config {
    // The scheme used unless a trusted proxy says otherwise ("https" or "http").
    std::string scheme = "https";
    // Exact peer addresses ("10.0.0.7") whose X-Forwarded-Proto and X-Forwarded-Host are believed.
    // Empty: no forwarding header is ever believed.
    std::vector<std::string> trusted_proxies;
};

struct request_origin {
    std::string_view peer_address;                    // the TCP peer, as the server reports it
    std::optional<std::string_view> host;             // the Host header
    std::optional<std::string_view> forwarded_proto;  // X-Forwarded-Proto
    std::optional<std::string_view> forwarded_host;   // X-Forwarded-Host
    std::string_view raw_target;                      // the request-line target, not decoded
};

namespace detail {

// The last element of a comma-separated forwarding header: the one the nearest proxy added.
constexpr std::string_view last_forwarded(std::string_view value) noexcept {
    const auto comma = value.rfind(',');
    if (comma != std::string_view::npos) {
        value.remove_prefix(comma + 1);
    }
    return kore::webhook::detail::trim_ows(value);
}

constexpr bool is_host_text(std::string_view host) noexcept {
    if (host.empty()) {
        return false;
    }
    for (const char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '-' || c == ':' || c == '[' || c == ']';
        if (!ok) {
            return false;
        }
    }
    return true;
}

}  // namespace detail

// The URL to verify against, or std::nullopt when the request does not allow one to be built
// (no usable host, a target that is not a path): refuse such a request with errc::invalid_url.
inline std::optional<std::string> rebuild_url(const rebuilt_url_config& config, const request_origin& origin) {
    bool trusted = false;
    for (const auto& proxy : config.trusted_proxies) {
        trusted = trusted || (!proxy.empty() && proxy == origin.peer_address);
    }
    std::string_view scheme = config.scheme;
    std::optional<std::string_view> host = origin.host;
    if (trusted && origin.forwarded_proto) {
        scheme = detail::last_forwarded(*origin.forwarded_proto);
    }
    if (trusted && origin.forwarded_host) {
        host = detail::last_forwarded(*origin.forwarded_host);
    }
    if (!iequals(scheme, "https") && !iequals(scheme, "http")) {
        return std::nullopt;
    }
    if (!host || !detail::is_host_text(kore::webhook::detail::trim_ows(*host))) {
        return std::nullopt;
    }
    const std::string_view path = signed_url(origin.raw_target);
    if (path.empty() || path.front() != '/') {
        return std::nullopt;
    }
    std::string url;
    for (const char c : scheme) {
        url.push_back(kore::webhook::detail::ascii_lower(c));
    }
    url.append("://").append(kore::webhook::detail::trim_ows(*host)).append(path);
    return url;
}

}  // namespace kore::webhook::adapters

template <>
struct std::is_error_code_enum<kore::webhook::adapters::adapter_errc> : std::true_type {};

#endif
