#ifndef KORE_WEBHOOK_CLI_URL_PARTS_HPP
#define KORE_WEBHOOK_CLI_URL_PARTS_HPP

// Splitting an absolute http(s) URL into the parts the tool needs: where to connect (send) and
// which spellings of the same address could have been signed instead (explain). No normalisation.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kore_cli {

struct url_parts {
    std::string scheme;  // as written ("https", "HTTP")
    std::string host;    // as written, brackets kept for IPv6 literals
    std::string port;    // as written, empty when absent
    std::string path;    // from the first '/' up to '?' or '#'; may be empty
    std::string rest;    // '?query#fragment' as written, may be empty

    bool is_https() const noexcept { return lowercase(scheme) == "https"; }
    std::string default_port() const { return is_https() ? "443" : "80"; }
    std::string authority() const { return port.empty() ? host : host + ":" + port; }
    std::string str() const { return scheme + "://" + authority() + path + rest; }

    static std::string lowercase(std::string s) {
        for (char& c : s) {
            if (c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
        }
        return s;
    }
};

inline std::optional<url_parts> split_url(std::string_view url) {
    const std::size_t colon = url.find("://");
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    url_parts out;
    out.scheme = std::string(url.substr(0, colon));
    const std::string lower_scheme = url_parts::lowercase(out.scheme);
    if (lower_scheme != "http" && lower_scheme != "https") {
        return std::nullopt;
    }
    std::string_view after = url.substr(colon + 3);
    const std::size_t auth_end = after.find_first_of("/?#");
    std::string_view authority = after.substr(0, auth_end);
    after = auth_end == std::string_view::npos ? std::string_view() : after.substr(auth_end);
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
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

#endif
