#ifndef KORE_WEBHOOK_DETAIL_REQUEST_CHECK_HPP
#define KORE_WEBHOOK_DETAIL_REQUEST_CHECK_HPP

// What is checked of a request before any hashing: the method is an HTTP token and the
// registered URL is an absolute http(s) URL.

#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/url.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace kore::webhook::detail {

// A registered URL is an absolute http(s) URL with something after the scheme. A bare path such
// as "/kore/callback" is the classic mistake of passing the request target instead.
constexpr bool is_registered_url(std::string_view url) noexcept {
    const std::string_view cut = signed_url(url);
    // The shortest acceptable URL, "http://x", has eight bytes: one word holds either scheme.
    // Case is folded only where the scheme has letters (':' and '/' have no case), and "http://"
    // is seven bytes, so its comparison leaves the eighth out.
    if (cut.size() < 8) {
        return false;
    }
    const std::uint64_t word = load_word(cut, 0);
    constexpr std::uint64_t https = 0x2f2f3a7370747468U;  // "https://" read little-endian
    constexpr std::uint64_t http = 0x002f2f3a70747468U;   // "http://" and the byte after it cleared
    if ((word | 0x0000002020202020U) == https) {
        return cut.size() > 8;
    }
    return ((word | 0x0000000020202020U) & 0x00ffffffffffffffU) == http;
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
