// The legacy Twilio URL variants (docs/protocol.md, section 4; issue #10, item 3) against a
// reference parser written straight from RFC 3986's grammar: the authority's parts agree, each
// variant changes the port and nothing else (never the user info, host, path, query or
// fragment), one variant is the URL as given, and a signature over another host never verifies;
// and the bodySHA256 query lookup against a plain reference. Input: the URL.
#include <kore/webhook/twilio.hpp>
#include <kore/webhook/twilio/detail/url.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace kw = kore::webhook;
namespace tw = kore::webhook::twilio;

const char* const alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const char* const digits = "0123456789";
const char* const unreserved = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";
const char* const sub_delims = "!$&'()*+,;=";

bool in(const char* set, char c) {
    return c != '\0' && std::strchr(set, c) != nullptr;
}

// unreserved / pct-encoded / sub-delims, plus ':' when allowed.
bool reference_text(const std::string& text, bool colon) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%') {
            if (i + 2 >= text.size() || !in("0123456789abcdefABCDEF", text[i + 1]) ||
                !in("0123456789abcdefABCDEF", text[i + 2])) {
                return false;
            }
            i += 2;
            continue;
        }
        if (!in(unreserved, text[i]) && !in(sub_delims, text[i]) && !(colon && text[i] == ':')) {
            return false;
        }
    }
    return true;
}

struct reference_url {
    bool ok = false;
    std::string scheme;
    std::string userinfo;  // with its '@', or empty
    std::string host;
    bool has_port = false;
    std::string port;
    std::string tail;  // path, query and fragment
};

reference_url parse(const std::string& url) {
    reference_url u;
    const std::size_t colon = url.find(':');
    if (colon == std::string::npos || colon == 0 || !in(alpha, url[0]) || url.compare(colon, 3, "://") != 0) {
        return u;
    }
    u.scheme = url.substr(0, colon);
    for (const char c : u.scheme) {
        if (!in(alpha, c) && !in(digits, c) && !in("+-.", c)) {
            return u;
        }
    }
    std::size_t end = colon + 3;
    while (end < url.size() && !in("/?#", url[end])) {
        ++end;
    }
    std::string authority = url.substr(colon + 3, end - colon - 3);
    u.tail = url.substr(end);
    const std::size_t at = authority.find('@');
    if (at != std::string::npos) {
        if (authority.find('@', at + 1) != std::string::npos || !reference_text(authority.substr(0, at), true)) {
            return u;
        }
        u.userinfo = authority.substr(0, at + 1);
        authority = authority.substr(at + 1);
    }
    std::size_t host_end = 0;
    if (!authority.empty() && authority[0] == '[') {
        host_end = authority.find(']');
        if (host_end == std::string::npos || host_end < 2 || !reference_text(authority.substr(1, host_end - 1), true)) {
            return u;
        }
        ++host_end;
    } else {
        while (host_end < authority.size() && authority[host_end] != ':') {
            ++host_end;
        }
        if (host_end == 0 || !reference_text(authority.substr(0, host_end), false)) {
            return u;
        }
    }
    u.host = authority.substr(0, host_end);
    if (host_end < authority.size()) {
        if (authority[host_end] != ':') {
            return u;
        }
        u.has_port = true;
        u.port = authority.substr(host_end + 1);
        for (const char c : u.port) {
            if (!in(digits, c)) {
                return u;
            }
        }
    }
    u.ok = true;
    return u;
}

std::string lower(std::string text) {
    for (char& c : text) {
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
    }
    return text;
}

bool same_except_port(const reference_url& a, const reference_url& b) {
    return a.ok && b.ok && a.scheme == b.scheme && a.userinfo == b.userinfo && a.host == b.host && a.tail == b.tail;
}

// The raw value of the first "name=value" pair named `name` in the query (between the first '?'
// and the '#' after it), or nothing.
std::optional<std::string> reference_query_parameter(const std::string& url, const std::string& name) {
    const std::size_t question = url.find('?');
    if (question == std::string::npos) {
        return std::nullopt;
    }
    std::string query = url.substr(question + 1);
    query = query.substr(0, query.find('#'));
    std::size_t start = 0;
    while (start <= query.size()) {
        std::size_t amp = query.find('&', start);
        if (amp == std::string::npos) {
            amp = query.size();
        }
        const std::string pair = query.substr(start, amp - start);
        const std::size_t eq = pair.find('=');
        if (eq != std::string::npos && pair.substr(0, eq) == name) {
            return pair.substr(eq + 1);
        }
        start = amp + 1;
    }
    return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string url(reinterpret_cast<const char*>(data), size);
    // bodySHA256, the parameter a JSON callback's URL vouches for its body with.
    const auto parameter = kw::twilio::detail::query_parameter(url, "bodySHA256");
    const auto expected_parameter = reference_query_parameter(url, "bodySHA256");
    if (parameter.has_value() != expected_parameter.has_value() || (parameter && *parameter != *expected_parameter)) {
        std::abort();
    }

    const reference_url given = parse(url);
    const auto parts = kw::twilio::detail::parse_authority(url);
    if (parts.has_value() != given.ok) {
        std::abort();
    }
    const auto variants = kw::twilio::detail::twilio_port_variants(url);
    if (!given.ok) {
        if (variants[0] != url || variants[1] != url) {
            std::abort();
        }
        return 0;
    }
    const std::size_t host_end = given.scheme.size() + 3 + given.userinfo.size() + given.host.size();
    if (parts->host_end != host_end || parts->end != url.size() - given.tail.size() ||
        parts->has_port != given.has_port || parts->scheme != given.scheme) {
        std::abort();
    }
    const reference_url without = parse(variants[0]);
    const reference_url with = parse(variants[1]);
    if (!same_except_port(given, without) || !same_except_port(given, with) || without.has_port) {
        std::abort();
    }
    const std::string scheme = lower(given.scheme);
    const std::string default_port = scheme == "https" ? "443" : scheme == "http" ? "80" : "";
    if (given.has_port
            ? variants[1] != url
            : (default_port.empty() ? variants[1] != variants[0] : !(with.has_port && with.port == default_port))) {
        std::abort();
    }

    // Both spellings verify against the URL as given; the same URL on another host does not.
    static const tw::verifier verifier("token");  // fetched once
    const std::vector<tw::parameter> params = {{"To", "+1800"}};
    for (const std::string& variant : variants) {
        if (!verifier.verify(url, params, std::string_view(tw::sign("token", variant, params))).verified()) {
            std::abort();
        }
    }
    if (given.host != "[::2]") {
        const std::string elsewhere = given.scheme + "://" + given.userinfo + "[::2]" +
                                      (given.has_port ? ":" + given.port : std::string()) + given.tail;
        if (verifier.verify(url, params, std::string_view(tw::sign("token", elsewhere, params)))) {
            std::abort();
        }
    }
    return 0;
}
