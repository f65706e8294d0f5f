#ifndef KORE_WEBHOOK_CLI_URL_PARTS_HPP
#define KORE_WEBHOOK_CLI_URL_PARTS_HPP

// Splitting an absolute http(s) URL into the parts the tool needs: where to connect (send) and
// which spellings of the same address could have been signed instead (explain). No normalisation.

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

    bool is_https() const noexcept;
    std::string default_port() const { return is_https() ? "443" : "80"; }
    std::string authority() const { return port.empty() ? host : host + ":" + port; }
    std::string str() const { return scheme + "://" + authority() + path + rest; }
};

// The parts of `url`, or nothing when it is not an absolute http(s) URL with a host (user
// information, a non-numeric port and other schemes are refused).
std::optional<url_parts> split_url(std::string_view url);

// ASCII letters in lower or upper case; everything else unchanged.
std::string ascii_lowercase(std::string text);
std::string ascii_uppercase(std::string text);

}  // namespace kore_cli

#endif
