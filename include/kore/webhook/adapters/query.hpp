#ifndef KORE_WEBHOOK_ADAPTERS_QUERY_HPP
#define KORE_WEBHOOK_ADAPTERS_QUERY_HPP

// The query rule (docs/protocol.md, section 3.5) as 0.2's adapters called it. The rule itself is
// the core's: request_head carries the query, and verifier::verify(head, ...) applies it.

#include <kore/webhook/detail/request_check.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/url.hpp>

#include <string_view>
#include <system_error>

namespace kore::webhook::adapters {

using kore::webhook::query_of;

// The rule, once the request's query was compared with the registered URL's (Pistache).
inline std::error_code check_query_match(std::string_view method, bool query_is_registered,
                                         const options& opts) noexcept {
    request_head head(method);
    head.set_query_registered(query_is_registered);
    return kore::webhook::detail::check_query(head, {}, opts);
}

// The rule on the raw query, as received, without the '?' (CivetWeb's query_string).
inline std::error_code check_query_text(std::string_view method, std::string_view registered_url,
                                        std::string_view raw_query, const options& opts) noexcept {
    request_head head(method);
    head.set_query(raw_query);
    return kore::webhook::detail::check_query(head, registered_url, opts);
}

// The rule on the request target as received ("/kore/callback?x=1", never a decoded one).
inline std::error_code check_query(std::string_view method, std::string_view registered_url,
                                   std::string_view request_target, const options& opts) noexcept {
    return check_query_text(method, registered_url, query_of(request_target), opts);
}

}  // namespace kore::webhook::adapters

#endif
