#ifndef KORE_WEBHOOK_ADAPTERS_REBUILD_URL_HPP
#define KORE_WEBHOOK_ADAPTERS_REBUILD_URL_HPP

// Opt-in, and not recommended: rebuilding the signed URL from the request.
//
// KORE signs the URL as registered, and what a server sees is routinely different (TLS ended at
// a proxy, an internal host name, an added port, a re-encoded path). Configure the registered URL
// instead. An application that truly cannot (one receiver behind many registered host names) may
// rebuild it here: the scheme and host come from X-Forwarded-Proto / X-Forwarded-Host only when
// the direct peer is one of trusted_proxies (otherwise those headers are ignored and Host and
// `scheme` are used), and the path is the raw request target, never a percent-decoded one.

#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/url.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kore::webhook::adapters {

struct rebuilt_url_config {
    // The scheme used unless a trusted proxy says otherwise ("https" or "http").
    std::string scheme = "https";
    // Exact peer addresses ("10.0.0.7") whose X-Forwarded-Proto and X-Forwarded-Host are believed.
    // Empty: no forwarding header is ever believed.
    std::vector<std::string> trusted_proxies;
};

struct request_origin {
    std::string_view peer_address;                    // the TCP peer, as the server reports it
    std::optional<std::string_view> host;             // the Host header
    std::optional<std::string_view> forwarded_proto;  // X-Forwarded-Proto
    std::optional<std::string_view> forwarded_host;   // X-Forwarded-Host
    std::string_view raw_target;                      // the request-line target, not decoded
};

}  // namespace kore::webhook::adapters

namespace kore::webhook::detail {

// The last element of a comma-separated forwarding header: the one the nearest proxy added.
constexpr std::string_view last_forwarded(std::string_view value) noexcept {
    const auto comma = value.rfind(',');
    if (comma != std::string_view::npos) {
        value.remove_prefix(comma + 1);
    }
    return trim_ows(value);
}

constexpr bool is_host_text(std::string_view host) noexcept {
    if (host.empty()) {
        return false;
    }
    // A loop rather than std::all_of, which is constexpr only from C++20.
    for (const char c : host) {  // NOLINT(readability-use-anyofallof)
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '-' || c == ':' || c == '[' || c == ']';
        if (!ok) {
            return false;
        }
    }
    return true;
}

}  // namespace kore::webhook::detail

namespace kore::webhook::adapters {

// The URL to verify against, or std::nullopt when the request does not allow one to be built
// (no usable host, a target that is not a path): refuse such a request with errc::invalid_url.
inline std::optional<std::string> rebuild_url(const rebuilt_url_config& config, const request_origin& origin) {
    namespace internal = kore::webhook::detail;
    bool trusted = false;
    for (const auto& proxy : config.trusted_proxies) {
        trusted = trusted || (!proxy.empty() && proxy == origin.peer_address);
    }
    std::string_view scheme = config.scheme;
    std::optional<std::string_view> host = origin.host;
    if (trusted && origin.forwarded_proto) {
        scheme = internal::last_forwarded(*origin.forwarded_proto);
    }
    if (trusted && origin.forwarded_host) {
        host = internal::last_forwarded(*origin.forwarded_host);
    }
    if (!internal::iequals(scheme, "https") && !internal::iequals(scheme, "http")) {
        return std::nullopt;
    }
    if (!host || !internal::is_host_text(internal::trim_ows(*host))) {
        return std::nullopt;
    }
    const std::string_view path = signed_url(origin.raw_target);
    if (path.empty() || path.front() != '/') {
        return std::nullopt;
    }
    std::string url;
    for (const char c : scheme) {
        url.push_back(internal::ascii_lower(c));
    }
    url.append("://").append(internal::trim_ows(*host)).append(path);
    return url;
}

}  // namespace kore::webhook::adapters

#endif
