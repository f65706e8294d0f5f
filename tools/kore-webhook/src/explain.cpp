#include <kore_cli/explain.hpp>

#include <kore_cli/json_text.hpp>
#include <kore_cli/url_parts.hpp>

#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/detail/signing_input.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/scheme.hpp>
#include <kore/webhook/url.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string_view>

namespace kore_cli::explain {

namespace {

namespace kw = kore::webhook;
namespace kwd = kore::webhook::detail;
using digest = kw::kore_sha256::digest_type;

// Fetched once per program, like sign()'s.
const EVP_MD* sha256() {
    static const kwd::evp_md_ptr md = kwd::fetch_digest("SHA256");
    return md.get();
}

// One secret (or one mis-read spelling of it), kept by the library's builder of the signed
// string; every variant of the request starts there.
class keyed {
public:
    explicit keyed(std::string_view secret) { key_.init(sha256(), secret); }

    // Whether SHA-256(secret || method || url || body) is `received`, with `url` hashed exactly as
    // given (begin() takes the part of the URL to sign; a signer that failed to cut it signed all).
    bool signs(std::string_view method, std::string_view url, std::string_view body, const digest& received) const {
        kwd::hash_state state;
        digest computed{};
        if (!key_.begin(state, method, url) || !state.update(body) || !state.finish(computed)) {
            throw std::runtime_error("kore-webhook: OpenSSL failed to compute SHA-256");
        }
        return kwd::equal_digests(computed, received);
    }

private:
    kwd::keyed_secret key_;
};

// The received header value as a digest (optional whitespace around it allowed, as the verifier does).
std::optional<digest> decode(std::string_view header) {
    digest out{};
    if (!kw::kore_sha256::decode_signature(kwd::trim_ows(header), out)) {
        return std::nullopt;
    }
    return out;
}

std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

// One usual cause and the variants of the request that would have verified under it.
struct cause {
    std::string title;
    std::vector<std::string> matches;  // one sentence per matching variant, ready to print
    std::string not_applicable;        // why no variant of this kind exists for the request, if none does
};

// The request as received and what it is tested against; each cause tries its variants here.
struct tester {
    tester(const request_facts& request, const std::string& registered_url, const std::vector<secret>& secrets,
           const digest& signature)
        : facts(request),
          registered(registered_url),
          configured(secrets),
          received(signature),
          url(kw::signed_url(registered_url)) {
        keys.reserve(configured.size());
        for (const auto& s : configured) {
            keys.emplace_back(s.value);
        }
    }

    // Adds `sentence` to `c` when a configured secret signs `method`/`signed_url` (as given)/`body`,
    // naming the secret when several are configured. Returns whether one did.
    bool match(cause& c, std::string_view method, std::string_view signed_url, std::string_view body,
               const std::string& sentence) const {
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (keys[i].signs(method, signed_url, body, received)) {
                c.matches.push_back(configured.size() > 1
                                        ? sentence + " (with the secret from " + configured[i].label + ")"
                                        : sentence);
                return true;
            }
        }
        return false;
    }
    // match() for the request with another body.
    void body_variant(cause& c, const std::string& body, const std::string& sentence) const {
        match(c, facts.method, url, body, sentence);
    }
    // match() for the request signed for `other_url`, unless that is --url's or was reported already.
    void url_variant(cause& c, const std::string& other_url, const std::string& sentence) const {
        if (other_url != url && std::find(reported.begin(), reported.end(), other_url) == reported.end() &&
            match(c, facts.method, other_url, facts.body, sentence)) {
            reported.push_back(other_url);
        }
    }
    // Whether `secret` (not a configured one) signs the request as received.
    bool signed_with(std::string_view secret) const {
        return keyed(secret).signs(facts.method, url, facts.body, received);
    }

    const request_facts& facts;
    const std::string& registered;  // as given to --url
    const std::vector<secret>& configured;
    const digest& received;
    const std::string url;  // what KORE signs of it
    std::vector<keyed> keys;
    mutable std::vector<std::string> reported;  // URLs some cause reported: the rebuilt-URL cause skips them
};

// url_variant() for the spelling `v` (query and fragment cut), the sentence starting with it.
void try_spelling(const tester& t, cause& c, url_parts v, const std::string& rest_of_sentence) {
    v.rest.clear();
    t.url_variant(c, v.str(), "The signature is valid for " + v.str() + rest_of_sentence);
}

cause query_cause(const tester& t) {
    cause c{"query string or fragment not removed", {}, {}};
    std::vector<std::string> candidates;
    if (t.registered.size() != t.url.size()) {
        candidates.push_back(t.registered);
    }
    if (t.facts.target) {
        const std::size_t q = t.facts.target->find_first_of("?#");
        if (q != std::string::npos) {
            candidates.push_back(t.url + t.facts.target->substr(q));
        }
    }
    if (candidates.empty()) {
        c.not_applicable = "neither --url nor the request target has a query or fragment";
    }
    for (const auto& u : candidates) {
        t.url_variant(c, u,
                      "The signature is valid for " + u +
                          ", query or fragment included. KORE signs the registered URL cut at the first '?' or "
                          "'#': the signer did not cut it");
    }
    return c;
}

cause slash_cause(const tester& t, const url_parts& u) {
    cause c{"trailing slash added or missing", {}, {}};
    url_parts v = u;
    if (!v.path.empty() && v.path.back() == '/') {
        v.path.pop_back();
        try_spelling(t, c, v,
                     " (no trailing slash). The URL registered with KORE has no trailing slash; --url has one");
    } else {
        v.path += '/';
        try_spelling(t, c, v, " (with a trailing slash). The URL registered with KORE ends in '/'; --url does not");
    }
    return c;
}

cause scheme_cause(const tester& t, const url_parts& u) {
    cause c{"http and https swapped", {}, {}};
    url_parts v = u;
    v.scheme = u.is_https() ? "http" : "https";
    try_spelling(t, c, v,
                 ". The URL was registered with " + v.scheme +
                     "; a TLS-terminating proxy or tunnel makes requests look like " + u.scheme +
                     ": pass the registered URL, not the one the request arrived at");
    return c;
}

cause port_cause(const tester& t, const url_parts& u) {
    cause c{"default port added or dropped", {}, {}};
    url_parts v = u;
    if (u.port.empty()) {
        v.port = u.default_port();
        try_spelling(t, c, v,
                     " (port :" + v.port + " written out). The registered URL spells the port; --url does not");
    } else {
        v.port.clear();
        try_spelling(t, c, v,
                     " (without :" + u.port +
                         "). The registered URL has no port; --url added one (often taken from the request)");
    }
    return c;
}

cause host_cause(const tester& t, const url_parts& u) {
    cause c{"host name case", {}, {}};
    for (const std::string& host : {ascii_lowercase(u.host), ascii_uppercase(u.host)}) {
        if (host == u.host) {
            continue;
        }
        url_parts v = u;
        v.host = host;
        try_spelling(t, c, v, ". KORE signs the host exactly as registered, letter case included: use that spelling");
    }
    return c;
}

cause rebuilt_cause(const tester& t) {
    cause c{"URL rebuilt from the request instead of the registered one", {}, {}};
    if (!t.facts.target || !t.facts.host || t.facts.target->empty() || t.facts.target->front() != '/') {
        c.not_applicable = "no request line and Host header to rebuild from";
        return c;
    }
    const std::string path = t.facts.target->substr(0, t.facts.target->find_first_of("?#"));
    for (const char* scheme : {"https", "http"}) {
        const std::string url = std::string(scheme) + "://" + *t.facts.host + path;
        if (ascii_lowercase(url) == ascii_lowercase(t.url)) {
            continue;  // the same as --url up to case: covered by the other causes
        }
        t.url_variant(c, url,
                      "The signature is valid for " + url +
                          ", the URL this request was sent to (Host header and request line). If that is the URL "
                          "registered with KORE, pass it to --url; a receiver must be configured with the registered "
                          "URL, never rebuild it from the request");
    }
    return c;
}

cause method_cause(const tester& t) {
    cause c{"method case", {}, {}};
    const std::string& m = t.facts.method;
    for (const std::string& variant_method : {ascii_uppercase(m), ascii_lowercase(m)}) {
        if (variant_method != m) {
            t.match(c, variant_method, t.url, t.facts.body,
                    "The signature is valid for the method written " + in_quotes(variant_method) + " instead of " +
                        in_quotes(m) + ". KORE signs the method in upper case");
        }
    }
    const std::string other = ascii_uppercase(m) == "POST" ? "GET" : ascii_uppercase(m) == "GET" ? "POST" : "";
    if (!other.empty()) {
        t.match(c, other, t.url, t.facts.body,
                "The signature is valid for the method " + other + " instead of " + m +
                    ": the callback was configured with the other method");
    }
    return c;
}

cause newline_cause(const tester& t) {
    cause c{"body with a trailing newline", {}, {}};
    const std::string& body = t.facts.body;
    if (!body.empty() && body.back() == '\n') {
        const std::size_t cut = body.size() >= 2 && body[body.size() - 2] == '\r' ? 2 : 1;
        t.body_variant(c, body.substr(0, body.size() - cut),
                       "The signature is valid for the body without its final newline. The newline was added after "
                       "signing (an editor, echo, or a framework saved the body with one): verify the raw bytes as "
                       "received");
    }
    t.body_variant(c, body + "\n",
                   "The signature is valid for the body followed by a newline ('\\n'). The signer hashed a newline "
                   "that was not sent, or the body lost it before verification");
    t.body_variant(c, body + "\r\n",
                   "The signature is valid for the body followed by CRLF. The signer hashed a line end that was not "
                   "sent, or the body lost it before verification");
    return c;
}

cause reserialised_cause(const tester& t) {
    cause c{"body re-serialised (JSON re-spaced or re-escaped, form re-encoded)", {}, {}};
    const std::string& body = t.facts.body;
    std::set<std::string> tried{body};  // two ways to the same bytes are one variant
    const auto check = [&](const std::string& b, const std::string& sentence) {
        if (tried.insert(b).second) {
            t.body_variant(c, b, sentence);
        }
    };
    const std::string tail =
        ". The body was parsed and written again before verification: verify the raw request bytes";
    if (json::looks_like_json(body)) {
        const struct {
            std::optional<std::string> text;
            const char* words;
        } layouts[] = {{json::minified(body), "minified"},
                       {json::rewritten(body, json::layout::spaced), "written with ', ' and ': ' separators"},
                       {json::rewritten(body, json::layout::indent2), "indented by 2 spaces"},
                       {json::rewritten(body, json::layout::indent4), "indented by 4 spaces"}};
        for (const auto& l : layouts) {
            if (l.text) {
                check(*l.text, std::string("The signature is valid for the same JSON ") + l.words + tail);
                check(json::with_escaped_slashes(*l.text, true),
                      std::string("The signature is valid for the same JSON ") + l.words +
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
        c.not_applicable = "the body is neither JSON nor a form";
    }
    return c;
}

cause other_secret_cause(const tester& t, const std::vector<secret>& others) {
    cause c{"another secret (--explain-secret-file / --explain-secret-env)", {}, {}};
    if (others.empty()) {
        c.not_applicable = "no other secret given; add the previous or pending one with --explain-secret-file";
        return c;
    }
    for (const auto& s : others) {
        if (t.signed_with(s.value)) {
            c.matches.push_back("The request was signed with the secret from " + s.label +
                                ", which the receiver does not accept. During a rotation configure both the "
                                "Active and the Pending secret (repeat --secret-file)");
        }
    }
    return c;
}

cause whitespace_cause(const tester& t) {
    cause c{"secret with surrounding whitespace", {}, {}};
    for (const auto& s : t.configured) {
        const std::string_view v = s.value;
        const std::size_t first = v.find_first_not_of(" \t\r\n");
        const std::size_t last = v.find_last_not_of(" \t\r\n");
        const auto check = [&](std::string_view candidate, const std::string& sentence) {
            if (candidate != v && !candidate.empty() && t.signed_with(candidate)) {
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

void advice(std::ostream& out, const request_facts& facts, std::error_code verdict) {
    using kore::webhook::errc;
    if (verdict == errc::missing_signature) {
        out << "  The request has no kore-signature header.\n";
        const auto& names = facts.header_names;
        if (std::any_of(names.begin(), names.end(),
                        [](const auto& h) { return kwd::iequals(h, "x-twilio-signature"); })) {
            out << "  It carries X-Twilio-Signature: it was signed with Twilio's legacy scheme (HMAC-SHA1), not "
                   "KORE's.\n";
        } else {
            if (!names.empty()) {
                out << "  Header names seen:";
                for (const auto& h : names) {
                    out << ' ' << h;
                }
                out << "\n";
            }
            out << "  If KORE sent it, a proxy, load balancer or tunnel dropped the header on the way.\n";
        }
    } else if (verdict == errc::unsigned_request) {
        out << "  The kore-signature header is present but empty: the KORE account has no webhook secret.\n"
               "  Create one in the KORE console and configure the receiver with it.\n";
    } else if (verdict == errc::malformed_signature) {
        const std::string v = facts.signature ? *facts.signature : std::string();
        const std::string_view t = kwd::trim_ows(v);
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

// `text` broken at spaces into lines of at most `width` columns, each starting with `indent`.
std::string wrap(const std::string& text, const std::string& indent, std::size_t width) {
    std::string out;
    std::string line = indent;
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t end = std::min(text.find(' ', start), text.size());
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

// Every usual cause, in the order they are reported, with what matched. Empty when the request
// carries no signature that could be compared.
std::vector<cause> find_causes(const request_facts& facts, const std::string& registered_url,
                               const std::vector<secret>& configured, const std::vector<secret>& others) {
    std::vector<cause> out;
    const auto received = facts.signature ? decode(*facts.signature) : std::nullopt;
    if (!received) {
        return out;
    }
    const tester t(facts, registered_url, configured, *received);
    out.push_back(query_cause(t));
    if (const auto u = split_url(t.url)) {
        out.push_back(slash_cause(t, *u));
        out.push_back(scheme_cause(t, *u));
        out.push_back(port_cause(t, *u));
        out.push_back(host_cause(t, *u));
        out.push_back(rebuilt_cause(t));
    }
    out.push_back(newline_cause(t));
    out.push_back(reserialised_cause(t));
    out.push_back(method_cause(t));
    out.push_back(other_secret_cause(t, others));
    out.push_back(whitespace_cause(t));
    return out;
}

}  // namespace

void print(std::ostream& out, std::error_code verdict, const request_facts& facts, const std::string& registered_url,
           const std::vector<secret>& configured, const std::vector<secret>& others) {
    out << "\nexplain: why " << kore::webhook::error_name(verdict) << " (the verdict above stands)\n";
    if (verdict != kore::webhook::errc::signature_mismatch) {
        advice(out, facts, verdict);
        return;
    }
    const auto causes = find_causes(facts, registered_url, configured, others);
    std::size_t found = 0;
    for (const auto& c : causes) {
        std::string line = "  " + c.title + " ";
        line.resize(std::max<std::size_t>(line.size(), 72), '.');
        if (!c.not_applicable.empty()) {
            out << line << " n/a (" << c.not_applicable << ")\n";
            continue;
        }
        out << line << (c.matches.empty() ? " no\n" : " MATCH\n");
        for (const auto& m : c.matches) {
            out << wrap(m + ".", "      ", 100);
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
}

}  // namespace kore_cli::explain
