#ifndef KORE_WEBHOOK_ADAPTERS_QUERY_HPP
#define KORE_WEBHOOK_ADAPTERS_QUERY_HPP

// The query rule every adapter applies (docs/protocol.md, section 3.5). KORE signs no query: the
// signature covers the registered URL cut at '?'. KORE delivers to the registered URL as
// registered, query included, so a request whose query is not exactly the registered URL's did
// not come from KORE unchanged, whatever its method: `POST /kore/callback?Status=inactive` with a
// captured body and signature would otherwise verify, and the application would read the
// attacker's `Status`. Such a request is refused with errc::query_not_signed (401).
//
// Two opt-ins, both meaning "the application never reads the query":
//   options::allow_get_query           a GET whose query differs (KORE's GET callbacks carry
//                                      their data in it, unsigned)
//   options::allow_unregistered_query  any method: e.g. a proxy adds its own parameters
// Query parameters are never authenticated, accepted or not: read callback data from the
// verified body, and take anything you need from the registered URL from your configuration.

#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/url.hpp>

#include <cstddef>
#include <string_view>
#include <system_error>

namespace kore::webhook::adapters {

// The query of a URL or request target: what follows the first '?', up to a '#' ("a=1" of
// "/kore/callback?a=1#x"); empty when there is none. "?" alone is an empty query, like none.
constexpr std::string_view query_of(std::string_view url_or_target) noexcept {
    // signed_url() ends at the first '?' or '#', found eight bytes at a time: every request
    // pays for this scan, on its target and on the registered URL.
    const std::size_t mark = signed_url(url_or_target).size();
    if (mark == url_or_target.size() || url_or_target[mark] == '#') {
        return {};
    }
    const std::size_t fragment = url_or_target.find('#', mark + 1);
    const std::size_t end = fragment == std::string_view::npos ? url_or_target.size() : fragment;
    return url_or_target.substr(mark + 1, end - mark - 1);
}

// The rule, once the request's query was compared with the registered URL's: for a server that
// hands out only parsed parameters and compares those (Pistache).
inline std::error_code check_query_match(std::string_view method, bool query_is_registered,
                                         const options& opts) noexcept {
    if (query_is_registered || opts.allow_unregistered_query || (method == "GET" && opts.allow_get_query)) {
        return {};
    }
    return make_error_code(errc::query_not_signed);
}

// The rule, for a server that hands out the raw query apart from the path (CivetWeb's
// query_string): `raw_query` is the request's query exactly as received, without the '?'.
inline std::error_code check_query_text(std::string_view method, std::string_view registered_url,
                                        std::string_view raw_query, const options& opts) noexcept {
    return check_query_match(method, raw_query == query_of(registered_url), opts);
}

// The rule, on the request target as received ("/kore/callback?x=1", never a decoded one).
// `registered_url` is the callback URL as registered with KORE.
inline std::error_code check_query(std::string_view method, std::string_view registered_url,
                                   std::string_view request_target, const options& opts) noexcept {
    return check_query_text(method, registered_url, query_of(request_target), opts);
}

}  // namespace kore::webhook::adapters

#endif
