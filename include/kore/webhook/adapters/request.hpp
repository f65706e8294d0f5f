#ifndef KORE_WEBHOOK_ADAPTERS_REQUEST_HPP
#define KORE_WEBHOOK_ADAPTERS_REQUEST_HPP

// The adapter toolkit: what a server adapter needs besides request_head and body_verification
// (which decide the request): header-name comparison, Content-Length as a number, and whether a
// refusal left body bytes unread. It includes no server header.

#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/errors.hpp>

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

// True when a refusal may have left body bytes unread (decided before the body, or reading
// stopped on the way): the connection then cannot carry another request.
inline bool body_left_unread(std::error_code error) noexcept {
    return error == errc::body_too_large || error == errc::duplicate_signature || error == errc::query_not_signed ||
           error == adapter_errc::body_incomplete || error == adapter_errc::out_of_memory ||
           error == adapter_errc::application_failed;
}

}  // namespace kore::webhook::adapters

#endif
