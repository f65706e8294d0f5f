#ifndef KORE_WEBHOOK_CLI_EXPLAIN_HPP
#define KORE_WEBHOOK_CLI_EXPLAIN_HPP

// `verify --explain`: when a callback is refused, re-verify it under the usual mistakes (URL
// spelled differently, body changed by a framework, method case, another or mis-read secret) and
// say which would have matched, in words. It never changes the verdict, and it never prints a
// secret or an expected signature: only which variant of the request the received one fits.

#include "http_request.hpp"
#include "json_format.hpp"
#include "secrets.hpp"
#include "url_parts.hpp"

#include <kore/webhook.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kore_cli::explain {

// What is known about the refused request.
struct request_facts {
    std::string method;
    std::string registered_url;  // as given to --url
    std::string body;
    std::optional<std::string> signature;   // the kore-signature value, if the header was there
    std::optional<std::string> target;      // the request line's target (request-file form)
    std::optional<std::string> host;        // the Host header (request-file form)
    std::vector<std::string> header_names;  // (request-file form), for missing-header advice
};

// One usual cause and the variants of the request that would have verified under it.
struct cause {
    std::string title;
    std::vector<std::string> matches;  // one sentence per matching variant, ready to print
    bool applicable = true;            // false when no variant of this kind exists for the request
    std::string not_applicable_why;
};

namespace detail {

using digest = std::array<unsigned char, 32>;

inline std::optional<digest> sha256(std::initializer_list<std::string_view> parts) {
    struct ctx_free {
        void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
    };
    std::unique_ptr<EVP_MD_CTX, ctx_free> ctx(EVP_MD_CTX_new());
    digest out{};
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        return std::nullopt;
    }
    for (const std::string_view p : parts) {
        if (EVP_DigestUpdate(ctx.get(), p.data(), p.size()) != 1) {
            return std::nullopt;
        }
    }
    if (EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
        return std::nullopt;
    }
    return out;
}

// The received header value as 32 bytes (surrounding whitespace allowed, as the verifier does).
inline std::optional<digest> decode(std::string_view hex) {
    hex = http::detail::trim(hex);
    digest out{};
    if (hex.size() != 2 * out.size()) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int high = http::detail::hex_value(hex[2 * i]);
        const int low = http::detail::hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        out[i] = static_cast<unsigned char>((high << 4) | low);
    }
    return out;
}

// Secret, method, URL (used exactly as given: the caller decides what is cut) and body.
struct variant {
    std::string_view secret;
    std::string_view method;
    std::string_view url;
    std::string_view body;
};

inline bool matches(const variant& v, const digest& received) {
    const auto d = sha256({v.secret, v.method, v.url, v.body});
    return d && CRYPTO_memcmp(d->data(), received.data(), received.size()) == 0;
}

inline std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

inline std::string lower(std::string s) {
    return url_parts::lowercase(std::move(s));
}

inline std::string upper(std::string s) {
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return s;
}

class tester {
public:
    tester(const request_facts& facts, const std::vector<secret>& configured, const digest& received)
        : facts_(facts), configured_(configured), received_(received) {
        url_ = std::string(kore::webhook::signed_url(facts.registered_url));
    }

    // The index of the configured secret that verifies `url`/`method`/`body`, if any.
    std::optional<std::size_t> any_secret(std::string_view method, std::string_view url, std::string_view body) const {
        for (std::size_t i = 0; i < configured_.size(); ++i) {
            if (matches({configured_[i].value, method, url, body}, received_)) {
                return i;
            }
        }
        return std::nullopt;
    }
    // " (with the secret from --secret-file b)" when several secrets are configured.
    std::string which(std::size_t index) const {
        return configured_.size() > 1 ? " (with the secret from " + configured_[index].label + ")" : std::string();
    }
    const std::string& url() const noexcept { return url_; }
    const request_facts& facts() const noexcept { return facts_; }
    const std::vector<secret>& configured() const noexcept { return configured_; }
    const digest& received() const noexcept { return received_; }
    // URLs some cause already reported, so the rebuilt-URL cause does not repeat them.
    void reported(const std::string& url) const { reported_.push_back(url); }
    bool was_reported(const std::string& url) const {
        return std::find(reported_.begin(), reported_.end(), url) != reported_.end();
    }

private:
    mutable std::vector<std::string> reported_;
    const request_facts& facts_;
    const std::vector<secret>& configured_;
    const digest& received_;
    std::string url_;
};

inline void try_url(const tester& t, cause& c, const std::string& url, const std::string& sentence) {
    if (url == t.url() || t.was_reported(url)) {
        return;
    }
    if (const auto i = t.any_secret(t.facts().method, url, t.facts().body)) {
        c.matches.push_back(sentence + t.which(*i));
        t.reported(url);
    }
}

inline cause query_cause(const tester& t) {
    cause c{"query string or fragment not removed", {}, true, {}};
    const std::string& registered = t.facts().registered_url;
    std::vector<std::string> candidates;
    if (registered.size() != t.url().size()) {
        candidates.push_back(registered);
    }
    if (t.facts().target) {
        const std::size_t q = t.facts().target->find_first_of("?#");
        if (q != std::string::npos) {
            candidates.push_back(t.url() + t.facts().target->substr(q));
        }
    }
    if (candidates.empty()) {
        c.applicable = false;
        c.not_applicable_why = "neither --url nor the request target has a query or fragment";
    }
    for (const auto& u : candidates) {
        try_url(t, c, u,
                "The signature is valid for " + u +
                    ", query or fragment included. KORE signs the registered URL cut at the first '?' or "
                    "'#': the signer did not cut it");
    }
    return c;
}

inline cause slash_cause(const tester& t, const url_parts& u) {
    cause c{"trailing slash added or missing", {}, true, {}};
    url_parts v = u;
    v.rest.clear();
    if (!v.path.empty() && v.path.back() == '/') {
        v.path.pop_back();
        try_url(t, c, v.str(),
                "The signature is valid for " + v.str() +
                    " (no trailing slash). The URL registered with KORE has no trailing slash; --url has one");
    } else {
        v.path += '/';
        try_url(t, c, v.str(),
                "The signature is valid for " + v.str() +
                    " (with a trailing slash). The URL registered with KORE ends in '/'; --url does not");
    }
    return c;
}

inline cause scheme_cause(const tester& t, const url_parts& u) {
    cause c{"http and https swapped", {}, true, {}};
    url_parts v = u;
    v.rest.clear();
    v.scheme = u.is_https() ? "http" : "https";
    try_url(t, c, v.str(),
            "The signature is valid for " + v.str() + ". The URL was registered with " + v.scheme +
                "; a TLS-terminating proxy or tunnel makes requests look like " + u.scheme +
                ": pass the registered URL, not the one the request arrived at");
    return c;
}

inline cause port_cause(const tester& t, const url_parts& u) {
    cause c{"default port added or dropped", {}, true, {}};
    url_parts v = u;
    v.rest.clear();
    if (u.port.empty()) {
        v.port = u.default_port();
        try_url(t, c, v.str(),
                "The signature is valid for " + v.str() + " (port :" + v.port +
                    " written out). The registered URL spells the port; --url does not");
    } else {
        v.port.clear();
        try_url(t, c, v.str(),
                "The signature is valid for " + v.str() + " (without :" + u.port +
                    "). The registered URL has no port; --url added one (often taken from the request)");
    }
    return c;
}

inline cause host_cause(const tester& t, const url_parts& u) {
    cause c{"host name case", {}, true, {}};
    for (const std::string& host : {lower(u.host), upper(u.host)}) {
        if (host == u.host) {
            continue;
        }
        url_parts v = u;
        v.rest.clear();
        v.host = host;
        try_url(t, c, v.str(),
                "The signature is valid for " + v.str() +
                    ". KORE signs the host exactly as registered, letter case included: use that spelling");
    }
    return c;
}

inline cause rebuilt_cause(const tester& t) {
    cause c{"URL rebuilt from the request instead of the registered one", {}, true, {}};
    if (!t.facts().target || !t.facts().host || t.facts().target->empty() || t.facts().target->front() != '/') {
        c.applicable = false;
        c.not_applicable_why = "no request line and Host header to rebuild from";
        return c;
    }
    const std::string path = t.facts().target->substr(0, t.facts().target->find_first_of("?#"));
    for (const char* scheme : {"https", "http"}) {
        const std::string url = std::string(scheme) + "://" + *t.facts().host + path;
        if (lower(url) == lower(t.url())) {
            continue;  // the same as --url up to case: covered by the other causes
        }
        try_url(t, c, url,
                "The signature is valid for " + url +
                    ", the URL this request was sent to (Host header and request line). If that is the URL "
                    "registered with KORE, pass it to --url; a receiver must be configured with the registered "
                    "URL, never rebuild it from the request");
    }
    return c;
}

inline cause method_cause(const tester& t) {
    cause c{"method case", {}, true, {}};
    const std::string& m = t.facts().method;
    for (const std::string& variant_method : {upper(m), lower(m)}) {
        if (variant_method == m) {
            continue;
        }
        if (const auto i = t.any_secret(variant_method, t.url(), t.facts().body)) {
            c.matches.push_back("The signature is valid for the method written " + in_quotes(variant_method) +
                                " instead of " + in_quotes(m) + ". KORE signs the method in upper case" + t.which(*i));
        }
    }
    const std::string other = upper(m) == "POST" ? "GET" : upper(m) == "GET" ? "POST" : "";
    if (!other.empty()) {
        if (const auto i = t.any_secret(other, t.url(), t.facts().body)) {
            c.matches.push_back("The signature is valid for the method " + other + " instead of " + m +
                                ": the callback was configured with the other method" + t.which(*i));
        }
    }
    return c;
}

inline cause newline_cause(const tester& t) {
    cause c{"body with a trailing newline", {}, true, {}};
    const std::string& body = t.facts().body;
    const auto check = [&](const std::string& b, const std::string& sentence) {
        if (const auto i = t.any_secret(t.facts().method, t.url(), b)) {
            c.matches.push_back(sentence + t.which(*i));
        }
    };
    if (!body.empty() && body.back() == '\n') {
        const std::size_t cut = body.size() >= 2 && body[body.size() - 2] == '\r' ? 2 : 1;
        check(body.substr(0, body.size() - cut),
              "The signature is valid for the body without its final newline. The newline was added after "
              "signing (an editor, echo, or a framework saved the body with one): verify the raw bytes as "
              "received");
    }
    check(body + "\n",
          "The signature is valid for the body followed by a newline ('\\n'). The signer hashed a newline "
          "that was not sent, or the body lost it before verification");
    check(body + "\r\n",
          "The signature is valid for the body followed by CRLF. The signer hashed a line end that was not "
          "sent, or the body lost it before verification");
    return c;
}

inline cause reserialised_cause(const tester& t) {
    cause c{"body re-serialised (JSON re-spaced or re-escaped, form re-encoded)", {}, true, {}};
    const std::string& body = t.facts().body;
    const auto check = [&](const std::string& b, const std::string& sentence) {
        if (b == body) {
            return;
        }
        if (const auto i = t.any_secret(t.facts().method, t.url(), b)) {
            c.matches.push_back(sentence + t.which(*i));
        }
    };
    const std::string tail =
        ". The body was parsed and written again before verification: verify the raw request bytes";
    if (json::looks_like_json(body)) {
        const struct {
            const json::style* st;
            const char* words;
        } styles[] = {{&json::minified, "minified"},
                      {&json::spaced, "written with ', ' and ': ' separators"},
                      {&json::pretty2, "indented by 2 spaces"},
                      {&json::pretty4, "indented by 4 spaces"}};
        for (const auto& s : styles) {
            if (const auto text = json::reformat(body, *s.st)) {
                check(*text, std::string("The signature is valid for the same JSON ") + s.words + tail);
                check(json::with_escaped_slashes(*text, true),
                      std::string("The signature is valid for the same JSON ") + s.words +
                          " with '/' escaped as '\\/'" + tail);
            }
        }
        check(json::with_escaped_slashes(body, false),
              "The signature is valid for the JSON with '\\/' written as '/'" + tail);
    } else if (body.find('=') != std::string::npos) {
        std::string plus;
        std::string percent;
        for (std::size_t i = 0; i < body.size(); ++i) {
            if (body.compare(i, 3, "%20") == 0) {
                plus += '+';
                i += 2;
            } else {
                plus += body[i];
            }
            percent += body[i] == '+' ? std::string("%20") : std::string(1, body[i]);
        }
        check(plus, "The signature is valid for the form body with '%20' written as '+'" + tail);
        check(percent, "The signature is valid for the form body with '+' written as '%20'" + tail);
    } else {
        c.applicable = false;
        c.not_applicable_why = "the body is neither JSON nor a form";
    }
    return c;
}

inline cause other_secret_cause(const tester& t, const std::vector<secret>& others) {
    cause c{"another secret (--explain-secret-file / --explain-secret-env)", {}, true, {}};
    if (others.empty()) {
        c.applicable = false;
        c.not_applicable_why = "no other secret given; add the previous or pending one with --explain-secret-file";
        return c;
    }
    for (const auto& s : others) {
        if (matches({s.value, t.facts().method, t.url(), t.facts().body}, t.received())) {
            c.matches.push_back("The request was signed with the secret from " + s.label +
                                ", which the receiver does not accept. During a rotation configure both the "
                                "Active and the Pending secret (repeat --secret-file)");
        }
    }
    return c;
}

inline cause whitespace_cause(const tester& t) {
    cause c{"secret with surrounding whitespace", {}, true, {}};
    for (const auto& s : t.configured()) {
        const std::string_view v = s.value;
        const std::size_t first = v.find_first_not_of(" \t\r\n");
        const std::size_t last = v.find_last_not_of(" \t\r\n");
        const auto check = [&](std::string_view candidate, const std::string& sentence) {
            if (candidate != v && !candidate.empty() &&
                matches({candidate, t.facts().method, t.url(), t.facts().body}, t.received())) {
                c.matches.push_back(sentence);
            }
        };
        if (first != std::string_view::npos) {
            check(v.substr(first, last - first + 1),
                  "The request was signed with the secret from " + s.label +
                      " without its surrounding whitespace: the file or variable holds a space, tab, carriage "
                      "return or extra newline that is not part of the secret");
        }
        for (const char* extra : {"\n", "\r\n", " "}) {
            check(std::string(v) + extra, "The request was signed with the secret from " + s.label + " followed by " +
                                              (extra[0] == ' '    ? "a space"
                                               : extra[0] == '\r' ? "CRLF"
                                                                  : "a newline") +
                                              ": the signer read the secret file without stripping its line end");
        }
    }
    return c;
}

}  // namespace detail

// Every usual cause, in the order they are reported, with what matched.
inline std::vector<cause> find_causes(const request_facts& facts, const std::vector<secret>& configured,
                                      const std::vector<secret>& others) {
    std::vector<cause> out;
    const auto received = facts.signature ? detail::decode(*facts.signature) : std::nullopt;
    if (!received) {
        return out;
    }
    const detail::tester t(facts, configured, *received);
    out.push_back(detail::query_cause(t));
    if (const auto u = split_url(t.url())) {
        out.push_back(detail::slash_cause(t, *u));
        out.push_back(detail::scheme_cause(t, *u));
        out.push_back(detail::port_cause(t, *u));
        out.push_back(detail::host_cause(t, *u));
        out.push_back(detail::rebuilt_cause(t));
    }
    out.push_back(detail::newline_cause(t));
    out.push_back(detail::reserialised_cause(t));
    out.push_back(detail::method_cause(t));
    out.push_back(detail::other_secret_cause(t, others));
    out.push_back(detail::whitespace_cause(t));
    return out;
}

namespace detail {

inline void advice(std::ostream& out, const request_facts& facts, std::error_code verdict) {
    using kore::webhook::errc;
    const auto has_header = [&](std::string_view name) {
        for (const auto& h : facts.header_names) {
            if (lower(h) == name) {
                return true;
            }
        }
        return false;
    };
    if (verdict == errc::missing_signature) {
        out << "  The request has no kore-signature header.\n";
        if (has_header("x-twilio-signature")) {
            out << "  It carries X-Twilio-Signature: it was signed with Twilio's legacy scheme (HMAC-SHA1), not "
                   "KORE's.\n";
        } else if (!facts.header_names.empty()) {
            out << "  Header names seen:";
            for (const auto& h : facts.header_names) {
                out << ' ' << h;
            }
            out << "\n  If KORE sent it, a proxy, load balancer or tunnel dropped the header on the way.\n";
        } else {
            out << "  If KORE sent it, a proxy, load balancer or tunnel dropped the header on the way.\n";
        }
    } else if (verdict == errc::unsigned_request) {
        out << "  The kore-signature header is present but empty: the KORE account has no webhook secret.\n"
               "  Create one in the KORE console and configure the receiver with it.\n";
    } else if (verdict == errc::malformed_signature) {
        const std::string v = facts.signature ? *facts.signature : std::string();
        const std::string_view t = http::detail::trim(v);
        out << "  The header value has " << t.size() << " characters; KORE sends 64 hexadecimal digits.\n";
        if (t.rfind("sha256=", 0) == 0 || t.rfind("SHA256=", 0) == 0) {
            out << "  It starts with 'sha256=': KORE sends the bare hex digest, with no prefix.\n";
        } else if (!t.empty() && (t.front() == '"' || t.front() == '\'')) {
            out << "  It is quoted: the quotes were added by whatever copied the header.\n";
        } else if (t.size() == 28 || t.size() == 44) {
            out << "  Its length fits base64: Twilio's X-Twilio-Signature format, not KORE's.\n";
        }
    } else if (verdict == errc::length_extension) {
        out << "  The body carries SHA-256 padding followed by appended data. Someone took a genuine signed\n"
               "  request and extended it without knowing the secret. Do not process it.\n";
    } else if (verdict == errc::body_too_large) {
        out << "  The body is larger than the limit (--max-body-size). Raise it only if KORE really sends such "
               "bodies.\n";
    } else if (verdict == errc::duplicate_signature) {
        out << "  Two kore-signature headers: a proxy added one, or the request was crafted to confuse a parser.\n";
    } else if (verdict == errc::query_not_signed) {
        out << "  A GET callback carries a query string. KORE does not sign the query, so anyone can change\n"
               "  these parameters without breaking the signature. Use POST callbacks, or ignore the query.\n";
    } else if (verdict == errc::invalid_url) {
        out << "  --url must be the absolute callback URL registered with KORE (https://host/path).\n";
    }
}

}  // namespace detail

namespace detail {

// `text` broken at spaces into lines of at most `width` columns, each starting with `indent`.
inline std::string wrap(const std::string& text, const std::string& indent, std::size_t width) {
    std::string out;
    std::string line = indent;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::string word = text.substr(start, end - start);
        if (line.size() > indent.size() && line.size() + 1 + word.size() > width) {
            out += line + "\n";
            line = indent;
        }
        line += (line.size() > indent.size() ? " " : "") + word;
        start = end + 1;
    }
    return out + line + "\n";
}

}  // namespace detail

// Prints the explanation of a refusal. Returns the number of causes that matched.
inline std::size_t print(std::ostream& out, std::error_code verdict, const request_facts& facts,
                         const std::vector<secret>& configured, const std::vector<secret>& others) {
    out << "\nexplain: why " << kore::webhook::error_name(verdict) << " (the verdict above stands)\n";
    if (verdict != kore::webhook::errc::signature_mismatch) {
        detail::advice(out, facts, verdict);
        return 0;
    }
    const auto causes = find_causes(facts, configured, others);
    std::size_t found = 0;
    for (const auto& c : causes) {
        std::string line = "  " + c.title + " ";
        line.resize(std::max<std::size_t>(line.size(), 72), '.');
        if (!c.applicable) {
            out << line << " n/a (" << c.not_applicable_why << ")\n";
            continue;
        }
        out << line << (c.matches.empty() ? " no\n" : " MATCH\n");
        for (const auto& m : c.matches) {
            out << detail::wrap(m + ".", "      ", 100);
            ++found;
        }
    }
    if (found == 0) {
        out << "  None of the usual causes matched. What remains: the secret is not the one KORE signs with\n"
               "  (check the console; during a rotation pass both secrets), the body was changed on the way (a\n"
               "  proxy decompressed, re-encoded or truncated it), or the request did not come from KORE.\n";
    } else {
        out << "  " << found << (found == 1 ? " variant" : " variants")
            << " of the request would have verified, so the signature was made with a secret you\n"
               "  hold: fix the cause above rather than the secret.\n";
    }
    return found;
}

}  // namespace kore_cli::explain

#endif
