#ifndef KORE_WEBHOOK_DETAIL_REQUEST_CHECK_HPP
#define KORE_WEBHOOK_DETAIL_REQUEST_CHECK_HPP

// What is checked of a request before any hashing: the method is an HTTP token and the
// registered URL is an absolute http(s) URL.

#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/url.hpp>

#include <cstddef>
#include <string_view>
#include <system_error>

namespace kore::webhook::detail {

// A registered URL is an absolute http(s) URL with something after the scheme. A bare path such
// as "/kore/callback" is the classic mistake of passing the request target instead.
constexpr bool is_registered_url(std::string_view url) noexcept {
    const std::string_view cut = signed_url(url);
    const std::size_t scheme = starts_with_nocase(cut, "https://") ? 8 : starts_with_nocase(cut, "http://") ? 7 : 0;
    return scheme != 0 && cut.size() > scheme;
}

inline std::error_code check_request(std::string_view method, std::string_view registered_url) noexcept {
    if (!is_http_method(method)) {
        return make_error_code(errc::invalid_method);
    }
    if (!is_registered_url(registered_url)) {
        return make_error_code(errc::invalid_url);
    }
    return {};
}

}  // namespace kore::webhook::detail

#endif
