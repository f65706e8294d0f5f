// Issue #10, item 3: the Twilio port variants change the port and nothing else. The authority is
// parsed as RFC 3986 writes it, so user info, IPv6 literals and empty ports cannot move the host.
#include <kore/webhook/twilio.hpp>
#include <kore/webhook/twilio/detail/url.hpp>
#include <support/catch.hpp>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace kw = kore::webhook;
namespace tw = kore::webhook::twilio;
using kore::webhook::twilio::detail::twilio_port_variants;

const std::vector<tw::parameter> params = {{"CallSid", "CA1234567890ABCDE"}, {"To", "+18005550100"}};

std::array<std::string, 2> variants(std::string_view url) {
    return twilio_port_variants(url);
}

}  // namespace

TEST_CASE("a URL with user info keeps its host in both port variants") {
    CHECK(variants("https://user:pw@x.example/cb") ==
          std::array<std::string, 2>{"https://user:pw@x.example/cb", "https://user:pw@x.example:443/cb"});
    CHECK(variants("https://user:pw@x.example:8443/cb?a=1") ==
          std::array<std::string, 2>{"https://user:pw@x.example/cb?a=1", "https://user:pw@x.example:8443/cb?a=1"});
    CHECK(variants("http://user@x.example") ==
          std::array<std::string, 2>{"http://user@x.example", "http://user@x.example:80"});
    CHECK(variants("http://:@x.example/") ==
          std::array<std::string, 2>{"http://:@x.example/", "http://:@x.example:80/"});
}

TEST_CASE("a signature over the user-info name as a host is refused for the URL with credentials") {
    // The old parser took "user" for the host and ":pw@x.example" for a port, so it tried
    // https://user/cb, a URL on another host, and accepted a signature made over it.
    const tw::verifier verifier{"12345"};
    const std::string forged = tw::sign("12345", "https://user/cb", params);
    CHECK(verifier.verify("https://user:pw@x.example/cb", params, std::string_view(forged)).error() ==
          kw::errc::signature_mismatch);
    const std::string genuine = tw::sign("12345", "https://user:pw@x.example:443/cb", params);
    CHECK(verifier.verify("https://user:pw@x.example/cb", params, std::string_view(genuine)).verified());
}

TEST_CASE("an IPv6 literal's colons are not a port") {
    CHECK(variants("https://[2001:db8::1]/cb") ==
          std::array<std::string, 2>{"https://[2001:db8::1]/cb", "https://[2001:db8::1]:443/cb"});
    CHECK(variants("http://[::1]:8080/cb") == std::array<std::string, 2>{"http://[::1]/cb", "http://[::1]:8080/cb"});
    CHECK(variants("https://u:p@[fe80::1%25eth0]:443?x") ==
          std::array<std::string, 2>{"https://u:p@[fe80::1%25eth0]?x", "https://u:p@[fe80::1%25eth0]:443?x"});
    const tw::verifier verifier{"12345"};
    const std::string forged = tw::sign("12345", "https://[2001/cb", params);  // a cut at the first ':'
    CHECK(verifier.verify("https://[2001:db8::1]/cb", params, std::string_view(forged)).error() ==
          kw::errc::signature_mismatch);
}

TEST_CASE("an empty port counts as a port: removed in one variant, kept as given in the other") {
    CHECK(variants("https://x.example:/cb") ==
          std::array<std::string, 2>{"https://x.example/cb", "https://x.example:/cb"});
    CHECK(variants("https://[::1]:#f") == std::array<std::string, 2>{"https://[::1]#f", "https://[::1]:#f"});
}

TEST_CASE("a URL whose authority does not parse is tried only as given") {
    for (const std::string_view url : {
             "https://a@b@x.example/cb",          // two '@': user info cannot hold a raw '@'
             "https://x.example:44a/cb",          // a port is digits only
             "https://[::1/cb",                   // unclosed IPv6 literal
             "https://[::1]x/cb",                 // text after the literal that is not a port
             "https://[]/cb",                     // empty literal
             "https:///cb",                       // no host
             "https://user@/cb",                  // no host after the user info
             "https://:443/cb",                   // a port without a host
             "https://x.example\\@y.example/cb",  // a backslash, which browsers read as '/'
             "https://x example/cb",              // a space
             "https://x.example%2/cb",            // a broken %-escape
             "https://us%zzer@x.example/cb",      // a broken %-escape in the user info
             "1https://x.example/cb",             // not a URL scheme
             "x.example/cb",                      // no scheme at all
             "",
         }) {
        INFO(url);
        CHECK(variants(url) == std::array<std::string, 2>{std::string(url), std::string(url)});
    }
}

TEST_CASE("only http and https have a default port to add") {
    CHECK(variants("HTTPS://x.example/cb") ==
          std::array<std::string, 2>{"HTTPS://x.example/cb", "HTTPS://x.example:443/cb"});
    CHECK(variants("HtTp://x.example") == std::array<std::string, 2>{"HtTp://x.example", "HtTp://x.example:80"});
    CHECK(variants("wss://x.example/cb") == std::array<std::string, 2>{"wss://x.example/cb", "wss://x.example/cb"});
    CHECK(variants("wss://x.example:9/cb") == std::array<std::string, 2>{"wss://x.example/cb", "wss://x.example:9/cb"});
}

TEST_CASE("a port variant never touches the path, query or fragment") {
    CHECK(variants("https://x.example/a:80/b@c?d=:443#e:1") ==
          std::array<std::string, 2>{"https://x.example/a:80/b@c?d=:443#e:1",
                                     "https://x.example:443/a:80/b@c?d=:443#e:1"});
    CHECK(variants("https://x.example?u=a@b:1") ==
          std::array<std::string, 2>{"https://x.example?u=a@b:1", "https://x.example:443?u=a@b:1"});
}
