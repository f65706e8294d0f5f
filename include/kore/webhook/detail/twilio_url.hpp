#ifndef KORE_WEBHOOK_DETAIL_TWILIO_URL_HPP
#define KORE_WEBHOOK_DETAIL_TWILIO_URL_HPP

// The legacy Twilio scheme signs the full URL it requested, query included, and is inconsistent
// about ports: these are the URL spellings it is tried with, and the query lookup for the
// bodySHA256 parameter of JSON callbacks.

#include <kore/webhook/detail/http_text.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kore::webhook::detail {

// The URL with its explicit port removed, and with the scheme's default port added when it has
// none: the two spellings Twilio's own libraries accept. One of them is always the URL as given.
inline std::array<std::string, 2> twilio_port_variants(std::string_view url) {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return {std::string(url), std::string(url)};
    }
    const std::string_view scheme = url.substr(0, scheme_end);
    const std::size_t host_start = scheme_end + 3;
    const std::size_t authority_end = std::min(url.find_first_of("/?#", host_start), url.size());
    const std::string_view authority = url.substr(host_start, authority_end - host_start);
    const std::size_t bracket = authority.rfind(']');  // an IPv6 literal's colons are not a port
    const std::size_t colon = authority.rfind(':');
    const bool has_port = colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
    const std::string_view host = has_port ? authority.substr(0, colon) : authority;
    const std::string prefix = std::string(url.substr(0, host_start)) + std::string(host);
    const std::string rest(url.substr(authority_end));

    const std::string default_port = iequals(scheme, "https") ? ":443" : iequals(scheme, "http") ? ":80" : "";
    std::string with_port = has_port ? std::string(url) : prefix + default_port + rest;
    return {prefix + rest, std::move(with_port)};
}

// The raw (undecoded) value of the first `name=` parameter in the URL's query.
inline std::optional<std::string_view> query_parameter(std::string_view url, std::string_view name) {
    const std::size_t query = url.find('?');
    if (query == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view rest = url.substr(query + 1);
    rest = rest.substr(0, rest.find('#'));
    while (!rest.empty()) {
        const std::size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
            return pair.substr(eq + 1);
        }
    }
    return std::nullopt;
}

}  // namespace kore::webhook::detail

#endif
