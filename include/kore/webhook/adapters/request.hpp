#ifndef KORE_WEBHOOK_ADAPTERS_REQUEST_HPP
#define KORE_WEBHOOK_ADAPTERS_REQUEST_HPP

// The adapter toolkit: what every server adapter reads from a request before the body, the same
// way whatever the server. Finding the kore-signature header (absent, empty and repeated kept
// apart), reading Content-Length, and the checks decided before the first byte of the body. It
// includes no server header; each adapters/<server>.hpp builds on it, and so can an adapter for
// another server.

#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/query.hpp>
#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/signature_header.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace kore::webhook::adapters {

// ASCII case-insensitive equality, for header names.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    return kore::webhook::detail::iequals(a, b);
}

// Collects the kore-signature header while an adapter walks the request's header list. The first
// value is copied into fixed storage inside the object: several servers hand out temporaries
// (cpp-httplib's get_header_value returns a std::string by value), and reading the header must
// allocate nothing (C-callback servers cannot take an exception). KORE's value is 64 hex digits;
// one longer than max_value_size is absurd and is judged malformed.
class signature_lookup {
public:
    static constexpr std::size_t max_value_size = 256;

    // Offers one header line; only kore-signature (any case) is kept.
    void offer(std::string_view name, std::string_view value) noexcept {
        if (iequals(name, signature_header_name)) {
            add(value);
        }
    }
    // Adds one kore-signature value (for servers that look a header up by name).
    void add(std::string_view value) noexcept {
        if (count_++ != 0) {
            return;
        }
        overlong_ = value.size() > value_.size();
        if (!overlong_) {
            std::char_traits<char>::copy(value_.data(), value.data(), value.size());
            size_ = value.size();
        }
    }

    [[nodiscard]] std::size_t count() const noexcept { return count_; }
    [[nodiscard]] bool duplicate() const noexcept { return count_ > 1; }
    // What verify()/finish() take: std::nullopt when the header is absent, "" when it is empty. An
    // overlong value is handed on as a value that is certainly malformed (errc::malformed_signature).
    [[nodiscard]] std::optional<std::string_view> header() const noexcept {
        if (count_ == 0) {
            return std::nullopt;
        }
        if (overlong_) {
            return std::string_view("(overlong kore-signature value)");
        }
        return std::string_view(value_.data(), size_);
    }

private:
    std::array<char, max_value_size> value_{};
    std::size_t size_ = 0;
    std::size_t count_ = 0;
    bool overlong_ = false;
};

// Spec 3.5's rule for GET alone, as 0.1 applied it: a GET whose request target carries a query
// is refused unless options::allow_get_query. check_query() (adapters/query.hpp) is the whole
// rule, for every method; this stays for code written against 0.1.
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
// applies it: a repeated signature header, the query (`query_refusal`: what check_query() or the
// server's own comparison found), a declared body already over options::max_body_size (refused
// without reading it).
inline std::error_code check_before_body(const signature_lookup& signature, std::error_code query_refusal,
                                         std::optional<std::uint64_t> content_length, const options& opts) noexcept {
    if (signature.duplicate()) {
        return make_error_code(errc::duplicate_signature);
    }
    if (query_refusal) {
        return query_refusal;
    }
    if (content_length && *content_length > opts.max_body_size) {
        return make_error_code(errc::body_too_large);
    }
    return {};
}

// The same, for a server that hands out the raw request target ("/kore/callback?x=1").
inline std::error_code check_before_body(std::string_view method, std::string_view registered_url,
                                         std::string_view request_target, const signature_lookup& signature,
                                         std::optional<std::uint64_t> content_length, const options& opts) noexcept {
    return check_before_body(signature, check_query(method, registered_url, request_target, opts), content_length,
                             opts);
}

// 0.1's form, with the GET-only query rule of check_get_query(); adapters now use the forms above.
inline std::error_code check_before_body(std::string_view method, bool has_query, const signature_lookup& signature,
                                         std::optional<std::uint64_t> content_length, const options& opts) noexcept {
    return check_before_body(signature, check_get_query(method, has_query, opts), content_length, opts);
}

// True when a refusal may have left body bytes unread (decided before the body, or reading
// stopped on the way): the connection then cannot carry another request.
inline bool body_left_unread(std::error_code error) noexcept {
    return error == errc::body_too_large || error == errc::duplicate_signature || error == errc::query_not_signed ||
           error == adapter_errc::body_incomplete || error == adapter_errc::out_of_memory ||
           error == adapter_errc::application_failed;
}

}  // namespace kore::webhook::adapters

#endif
