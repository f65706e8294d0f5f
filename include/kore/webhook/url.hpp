#ifndef KORE_WEBHOOK_URL_HPP
#define KORE_WEBHOOK_URL_HPP

// What of a URL KORE signs: the registered URL cut at the first '?' or '#', nothing else changed
// (docs/protocol.md, section 3.3).

#include <cstddef>
#include <string_view>

namespace kore::webhook {

// The part of a registered callback URL that goes into the signature.
constexpr std::string_view signed_url(std::string_view registered_url) noexcept {
    // A plain loop: find_first_of calls memchr once per character, which showed in profiles.
    std::size_t end = 0;
    while (end < registered_url.size() && registered_url[end] != '?' && registered_url[end] != '#') {
        ++end;
    }
    return registered_url.substr(0, end);
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
