#include <kore_cli/url_parts.hpp>

#include <kore/webhook/detail/http_text.hpp>

#include <algorithm>
#include <cstddef>

namespace kore_cli {

namespace kwd = kore::webhook::detail;

std::string ascii_lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), kwd::ascii_lower);
    return text;
}

std::string ascii_uppercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; });
    return text;
}

bool url_parts::is_https() const noexcept {
    return kwd::iequals(scheme, "https");
}

std::optional<url_parts> split_url(std::string_view url) {
    const std::size_t colon = url.find("://");
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    url_parts out;
    out.scheme = std::string(url.substr(0, colon));
    if (!kwd::iequals(out.scheme, "http") && !kwd::iequals(out.scheme, "https")) {
        return std::nullopt;
    }
    std::string_view after = url.substr(colon + 3);
    const std::size_t authority_end = after.find_first_of("/?#");
    const std::string_view authority = after.substr(0, authority_end);
    after = authority_end == std::string_view::npos ? std::string_view() : after.substr(authority_end);
    if (authority.find('@') != std::string_view::npos) {
        return std::nullopt;  // user:password@ has no place in a callback URL
    }
    std::size_t port_colon = std::string_view::npos;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') {
                return std::nullopt;
            }
            port_colon = close + 1;
        }
    } else {
        port_colon = authority.find(':');
    }
    out.host = std::string(authority.substr(0, port_colon));
    if (port_colon != std::string_view::npos) {
        out.port = std::string(authority.substr(port_colon + 1));
        if (out.port.empty() || out.port.size() > 5 || out.port.find_first_not_of("0123456789") != std::string::npos) {
            return std::nullopt;
        }
    }
    if (out.host.empty()) {
        return std::nullopt;
    }
    const std::size_t path_end = after.find_first_of("?#");
    out.path = std::string(after.substr(0, path_end));
    out.rest = path_end == std::string_view::npos ? std::string() : std::string(after.substr(path_end));
    return out;
}

}  // namespace kore_cli
