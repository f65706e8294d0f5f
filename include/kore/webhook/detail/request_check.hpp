#ifndef KORE_WEBHOOK_DETAIL_REQUEST_CHECK_HPP
#define KORE_WEBHOOK_DETAIL_REQUEST_CHECK_HPP

// What is checked of a request before any hashing (docs/protocol.md, section 3): the method is
// an HTTP token, the registered URL an absolute http(s) URL, one kore-signature at most, no query
// the registered URL does not have, no declared body over the limit.

#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/detail/words.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/url.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace kore::webhook::detail {

// A registered URL is an absolute http(s) URL with something after the scheme. A bare path such
// as "/kore/callback" is the classic mistake of passing the request target instead.
constexpr bool is_registered_url(std::string_view url) noexcept {
    // The shortest acceptable URL, "http://x", has eight bytes: one word holds either scheme.
    // Case is folded only where the scheme has letters (':' and '/' have no case), and "http://"
    // is seven bytes, so its comparison leaves the eighth out. Only that word and the byte after
    // it are searched for the '?' or '#' that would end the URL signed_url() keeps before the host.
    if (url.size() < 8) {
        return false;
    }
    const std::uint64_t word = load_word(url, 0);
    const bool cut_in_word = (has_byte(word, '?') | has_byte(word, '#')) != 0;
    constexpr std::uint64_t https = 0x2f2f3a7370747468U;  // "https://" read little-endian
    constexpr std::uint64_t http = 0x002f2f3a70747468U;   // "http://" and the byte after it cleared
    if ((word | 0x0000002020202020U) == https) {
        return url.size() > 8 && url[8] != '?' && url[8] != '#';
    }
    return ((word | 0x0000000020202020U) & 0x00ffffffffffffffU) == http && !cut_in_word;
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

// KORE signs no query and delivers to the registered URL as registered, so a query other than
// the registered URL's did not come from KORE unchanged, whatever the method. The two opt-ins
// both mean "the application never reads the query".
inline std::error_code check_query(const request_head& head, std::string_view registered_url,
                                   const options& opts) noexcept {
    bool registered = true;
    switch (head.query_known()) {
        case request_head::query_state::unknown:
            return {};
        case request_head::query_state::text:
            registered = head.query() == query_of(registered_url);
            break;
        case request_head::query_state::registered:
            break;
        case request_head::query_state::unregistered:
            registered = false;
            break;
    }
    if (registered || opts.allow_unregistered_query || (head.method() == "GET" && opts.allow_get_query)) {
        return {};
    }
    return make_error_code(errc::query_not_signed);
}

// Every rule that needs no body, in the order the verdict reports them: the receiver's own
// mistakes first, then what the request's head alone refuses.
inline std::error_code check_head(const request_head& head, std::string_view registered_url,
                                  const options& opts) noexcept {
    if (const auto ec = check_request(head.method(), registered_url)) {
        return ec;
    }
    if (head.signature_count() > 1) {
        return make_error_code(errc::duplicate_signature);
    }
    if (const auto ec = check_query(head, registered_url, opts)) {
        return ec;
    }
    if (const auto declared = head.content_length(); declared && *declared > opts.max_body_size) {
        return make_error_code(errc::body_too_large);
    }
    return {};
}

}  // namespace kore::webhook::detail

#endif
