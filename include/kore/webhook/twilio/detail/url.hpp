#ifndef KORE_WEBHOOK_TWILIO_DETAIL_URL_HPP
#define KORE_WEBHOOK_TWILIO_DETAIL_URL_HPP

// The legacy Twilio scheme signs the full URL it requested, query included, and is inconsistent
// about ports (docs/protocol.md, section 4): these are the URL spellings it is tried with, and
// the query lookup for the bodySHA256 parameter of JSON callbacks.
//
// A port variant differs from the URL as given in its port and nothing else. Finding the port
// needs the authority parsed as RFC 3986 (section 3.2) writes it: user info ends at '@' and may
// hold a ':' of its own, an IPv6 literal's colons are inside brackets, and a port may be empty.
// A guess such as "the last ':' before the path" once turned https://user:pw@x.example/cb into
// https://user/cb, a URL on another host whose signature was then accepted. An authority that
// does not parse gets no variants at all: only the URL exactly as given is tried.

#include <kore/webhook/detail/hex.hpp>
#include <kore/webhook/detail/http_text.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kore::webhook::twilio::detail {

// The core's internals (one layer below) under the names this layer's code gives them.
using namespace kore::webhook::detail;

// Where the authority's parts lie in a URL, as offsets into it.
struct url_authority {
    std::size_t host_end = 0;  // one past the host (after ']' for an IPv6 literal)
    std::size_t end = 0;       // one past the authority: the path, query or fragment starts here
    bool has_port = false;     // a ':' follows the host, even with no digits after it
    std::string_view scheme;   // as written, without "://"
};

constexpr bool is_unreserved(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

constexpr bool is_sub_delim(char c) noexcept {
    switch (c) {
        case '!':
        case '$':
        case '&':
        case '\'':
        case '(':
        case ')':
        case '*':
        case '+':
        case ',':
        case ';':
        case '=':
            return true;
        default:
            return false;
    }
}

// True when `text` is made of unreserved characters, sub-delims, %XX escapes, and ':' where
// `colon_allowed` (user info and IPv6 literals allow it; a host name does not).
constexpr bool is_authority_text(std::string_view text, bool colon_allowed) noexcept {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size() || hex_digit_value(text[i + 1]) < 0 || hex_digit_value(text[i + 2]) < 0) {
                return false;
            }
            i += 2;
        } else if (!(is_unreserved(c) || is_sub_delim(c) || (colon_allowed && c == ':'))) {
            return false;
        }
    }
    return true;
}

constexpr bool is_url_scheme(std::string_view scheme) noexcept {
    // A loop rather than std::all_of, which is constexpr only from C++20.
    bool valid = !scheme.empty() && ((scheme[0] >= 'a' && scheme[0] <= 'z') || (scheme[0] >= 'A' && scheme[0] <= 'Z'));
    for (const char c : scheme) {
        valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
                          c == '-' || c == '.');
    }
    return valid;
}

// scheme "://" [ userinfo "@" ] host [ ":" port ], then the path, query or fragment; std::nullopt
// for anything else (no "://", a second '@', an unclosed '[', a port that is not digits, a
// character RFC 3986 does not allow in an authority, an empty host).
constexpr std::optional<url_authority> parse_authority(std::string_view url) noexcept {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos || !is_url_scheme(url.substr(0, scheme_end))) {
        return std::nullopt;
    }
    url_authority parts;
    parts.scheme = url.substr(0, scheme_end);
    const std::size_t start = scheme_end + 3;
    parts.end = url.find_first_of("/?#", start);
    if (parts.end == std::string_view::npos) {
        parts.end = url.size();
    }
    std::string_view authority = url.substr(start, parts.end - start);
    std::size_t host_start = start;
    const std::size_t at = authority.find('@');
    if (at != std::string_view::npos) {
        if (authority.find('@', at + 1) != std::string_view::npos ||
            !is_authority_text(authority.substr(0, at), true)) {
            return std::nullopt;
        }
        host_start += at + 1;
        authority.remove_prefix(at + 1);
    }
    std::size_t host_size = 0;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos || close == 1 || !is_authority_text(authority.substr(1, close - 1), true)) {
            return std::nullopt;
        }
        host_size = close + 1;
    } else {
        host_size = std::min(authority.find(':'), authority.size());
        if (host_size == 0 || !is_authority_text(authority.substr(0, host_size), false)) {
            return std::nullopt;
        }
    }
    const std::string_view after_host = authority.substr(host_size);
    if (!after_host.empty()) {
        if (after_host.front() != ':') {
            return std::nullopt;
        }
        for (const char c : after_host.substr(1)) {
            if (c < '0' || c > '9') {
                return std::nullopt;
            }
        }
        parts.has_port = true;
    }
    parts.host_end = host_start + host_size;
    return parts;
}

// The URL with its port removed, and with the scheme's default port added when it has none: the
// two spellings Twilio's own libraries accept. One of them is always the URL as given (an empty
// port, "x.example:", counts as a port written), and both are that URL when its authority does
// not parse or its scheme has no default port to add.
inline std::array<std::string, 2> twilio_port_variants(std::string_view url) {
    const std::optional<url_authority> parts = parse_authority(url);
    if (!parts) {
        return {std::string(url), std::string(url)};
    }
    const std::string_view up_to_host = url.substr(0, parts->host_end);
    const std::string_view rest = url.substr(parts->end);
    std::string without_port;
    without_port.reserve(url.size());
    without_port.append(up_to_host).append(rest);
    if (parts->has_port) {
        return {std::move(without_port), std::string(url)};
    }
    const std::string_view default_port = iequals(parts->scheme, "https")  ? ":443"
                                          : iequals(parts->scheme, "http") ? ":80"
                                                                           : "";
    std::string with_port;
    with_port.reserve(url.size() + default_port.size());
    with_port.append(up_to_host).append(default_port).append(rest);
    return {std::move(without_port), std::move(with_port)};
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

}  // namespace kore::webhook::twilio::detail

#endif
