#ifndef KORE_WEBHOOK_URL_HPP
#define KORE_WEBHOOK_URL_HPP

// What of a URL KORE signs: the registered URL cut at the first '?' or '#', nothing else changed
// (docs/protocol.md, section 3.3); and the query, which KORE does not sign (section 3.5).

#include <kore/webhook/detail/words.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kore::webhook {

// The part of a registered callback URL that goes into the signature.
constexpr std::string_view signed_url(std::string_view registered_url) noexcept {
    // Every verification cuts the URL, so eight bytes are tested at a time for '?' and '#'; the
    // word holding the first one is then searched byte by byte.
    std::size_t end = 0;
    for (; end + 8 <= registered_url.size(); end += 8) {
        const std::uint64_t word = detail::load_word(registered_url, end);
        if ((detail::has_byte(word, '?') | detail::has_byte(word, '#')) != 0) {
            break;
        }
    }
    while (end < registered_url.size() && registered_url[end] != '?' && registered_url[end] != '#') {
        ++end;
    }
    return registered_url.substr(0, end);
}

// The query of a URL or request target: what follows the first '?', up to a '#' ("a=1" of
// "/kore/callback?a=1#x"); empty when there is none. "?" alone is an empty query, like none.
constexpr std::string_view query_of(std::string_view url_or_target) noexcept {
    const std::size_t mark = signed_url(url_or_target).size();
    if (mark == url_or_target.size() || url_or_target[mark] == '#') {
        return {};
    }
    const std::size_t fragment = url_or_target.find('#', mark + 1);
    const std::size_t end = fragment == std::string_view::npos ? url_or_target.size() : fragment;
    return url_or_target.substr(mark + 1, end - mark - 1);
}

// True when a request target ("/path?x=1") carries a query. KORE does not sign the query, so a
// verified request proves nothing about these parameters (docs/protocol.md, section 3.5).
constexpr bool target_has_query(std::string_view request_target) noexcept {
    const auto fragment = request_target.find('#');
    const auto query = request_target.find('?');
    return query != std::string_view::npos && query < fragment && query + 1 < request_target.size() &&
           request_target[query + 1] != '#';
}

}  // namespace kore::webhook

#endif
