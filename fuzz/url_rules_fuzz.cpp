// The URL rules (docs/protocol.md, sections 3.3 and 3.5) against a plain reference: what of a
// registered URL is signed (signed_url), whether a request target carries a query
// (target_has_query), the adapters' query rule (a request's query must be the registered URL's,
// whatever the method, unless the application opted out), and which methods and registered URLs
// a verifier takes before hashing (check_request), with the verdict a real signature then gets,
// one-shot and streamed.
// Input: "<method>\n<registered url>\n<request target>\n<body>".
#include <kore/webhook.hpp>
#include <kore/webhook/detail/request_check.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace kw = kore::webhook;

// Everything up to the first '?' or '#'.
std::string_view reference_signed_url(std::string_view url) {
    std::size_t i = 0;
    while (i < url.size() && url[i] != '?' && url[i] != '#') {
        ++i;
    }
    return url.substr(0, i);
}

// The text between the first '?' and the '#' after it (a '?' after '#' is in the fragment).
bool reference_has_query(std::string_view target) {
    const std::string_view before_fragment = target.substr(0, target.find('#'));
    const std::size_t question = before_fragment.find('?');
    return question != std::string_view::npos && before_fragment.size() > question + 1;
}

// The query: after the first '?' that comes before any '#', up to that '#'; "" when none.
std::string_view reference_query(std::string_view url) {
    const std::string_view before_fragment = url.substr(0, url.find('#'));
    const std::size_t question = before_fragment.find('?');
    return question == std::string_view::npos ? std::string_view() : before_fragment.substr(question + 1);
}

bool reference_is_method(std::string_view method) {
    if (method.empty()) {
        return false;
    }
    for (const char c : method) {
        if (c == '\0' || std::strchr("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                     c) == nullptr) {
            return false;
        }
    }
    return true;
}

bool reference_is_registered(std::string_view url) {
    std::string lowered(reference_signed_url(url));
    for (char& c : lowered) {
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
    }
    return (lowered.rfind("https://", 0) == 0 && lowered.size() > 8) ||
           (lowered.rfind("http://", 0) == 0 && lowered.size() > 7);
}

std::string_view next_line(std::string_view& rest) {
    const std::size_t newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    return line;
}

const kw::verifier& shared_verifier() {
    static const kw::verifier v(std::vector<std::string>{"first-secret", "second-secret"});
    return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    const std::string_view method = next_line(rest);
    const std::string_view url = next_line(rest);
    const std::string_view target = next_line(rest);
    const std::string_view body = rest;

    const std::string_view cut = kw::signed_url(url);
    if (cut != reference_signed_url(url) || kw::signed_url(cut) != cut) {
        std::abort();
    }
    if (kw::target_has_query(target) != reference_has_query(target)) {
        std::abort();
    }
    for (const unsigned opt_out : {0U, 1U, 2U, 3U}) {
        kw::options opts;
        opts.allow_get_query = (opt_out & 1U) != 0;
        opts.allow_unregistered_query = (opt_out & 2U) != 0;
        const bool accepted = reference_query(target) == reference_query(url) || opts.allow_unregistered_query ||
                              (method == "GET" && opts.allow_get_query);
        const std::error_code rule = kw::detail::check_query(kw::request_head(method, target), url, opts);
        if (rule != (accepted ? std::error_code() : make_error_code(kw::errc::query_not_signed))) {
            std::abort();
        }
    }

    std::error_code expected;
    if (!reference_is_method(method)) {
        expected = kw::errc::invalid_method;
    } else if (!reference_is_registered(url)) {
        expected = kw::errc::invalid_url;
    }
    if (kw::detail::check_request(method, url) != expected) {
        std::abort();
    }

    // A genuine signature for the second secret verifies exactly when the request checks pass,
    // whatever query or fragment the registered URL carries, and the stream agrees.
    const kw::verifier& v = shared_verifier();
    const std::string signature = kw::sign("second-secret", method, url, body);
    const std::string with_query = std::string(cut) + "?" + std::string(target);
    const kw::result one_shot = v.verify(method, url, body, signature);
    const kw::result queried = v.verify(method, with_query, body, signature);
    auto stream = v.start(method, url);
    stream.update(body);
    const kw::result streamed = stream.finish(signature);
    // (A body can carry length-extension glue aligned for the secret: refused as such.)
    for (const kw::result* r : {&one_shot, &queried, &streamed}) {
        if (expected ? r->error() != expected
                     : !(r->verified() && r->secret_index() == 1) && r->error() != kw::errc::length_extension) {
            std::abort();
        }
    }
    if (one_shot.error() != queried.error() || one_shot.error() != streamed.error()) {
        std::abort();
    }
    // The other secret's signature, or the header of another URL, never verifies.
    if (!expected && (v.verify(method, url, body, kw::sign("third-secret", method, url, body)) ||
                      v.verify(method, std::string(cut) + "x", body, signature))) {
        std::abort();
    }
    return 0;
}
