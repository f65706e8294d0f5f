#ifndef KORE_WEBHOOK_TESTS_SECURITY_CATALOGUE_ROWS_HPP
#define KORE_WEBHOOK_TESTS_SECURITY_CATALOGUE_ROWS_HPP

// Issue #10, item 8, and issue #18, item 4: the bad-input catalogue's rows, one source for two
// tests. Every row is one hostile input, run through the public API (or, for the transport,
// through the adapters' toolkit in the order every adapter applies it; a raw request file first
// through the command-line tool's parser), with the exact error it must get and the HTTP status
// an adapter answers with. security.catalogue (catalogue.cpp) runs them so; e2e.catalogue
// (tests/e2e/catalogue_wire.cpp) sends the same rows' bytes to the six example servers.
//
// A row that can be put on a socket says so: running it yields, beside the toolkit's verdict,
// the raw HTTP/1.1 request that carries the same input (`outcome::wire`), made by the same call
// that judged it. None for what a request cannot carry: a secret, a registered URL or an option
// other than the examples' (KORE_WEBHOOK_SECRET, KORE_WEBHOOK_SECRET_NEXT, KORE_WEBHOOK_URL),
// an API misuse, a Twilio callback (the examples serve KORE's scheme), a rebuilt URL, a field
// value holding CR or LF. `settings` chooses what the examples cannot: the body limit (theirs is
// the default 1 MiB) and the form body, which e2e.catalogue changes per row so that every row's
// genuine digest is fresh for the examples' replay guard.
#include <kore/webhook.hpp>
#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/detail/base64.hpp>
#include <kore/webhook/twilio.hpp>
#include <kore_cli/forge.hpp>
#include <support/catch.hpp>

#include <kore_cli/http_request.hpp>  // the command-line tool's raw request parser (verify --request-file)

#include <openssl/evp.h>

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kore_catalogue {

namespace kw = kore::webhook;
namespace ad = kore::webhook::adapters;
namespace tw = kore::webhook::twilio;

// What a row observed: the error's name ("ok" if it was accepted) and the adapters' HTTP status
// ("-" when the input never reaches a request: a refused configuration), and the raw request
// that carries the input over a socket (none: see above).
struct outcome {
    std::string error;
    std::string status;
    std::optional<std::string> wire;
};

struct hostile_input {
    std::string id;
    std::string area;      // headers, urls, bodies, framing, raw requests, secrets
    std::string input;     // as SECURITY.md shows it (Markdown, no '|')
    std::string expected;  // the exact error name, or the exception type for a refused configuration
    std::string status;    // what an adapter answers
    std::function<outcome()> run;
};

inline const std::string secret = "catalogue-active-secret";
inline const std::string pending = "catalogue-pending-secret";
inline const std::string url = "https://hooks.example/kore";
inline const std::string path = "/kore";  // url's path: the route the examples serve
inline const std::string json = R"({"event":"sim.activated","iccid":"8901260882310000001"})";
inline constexpr std::size_t toolkit_limit = 4096;

// What a catalogue is built with. The toolkit check uses the defaults; the examples' limit is
// options' default.
struct settings {
    std::size_t limit = toolkit_limit;
    std::string form = "SimSid=HS1234&Status=active";
};

// The verifier of a catalogue: both secrets (Active, Pending), max_body_size = limit.
inline const kw::verifier& verifier(std::size_t limit) {
    static std::map<std::size_t, std::unique_ptr<kw::verifier>> made;
    std::unique_ptr<kw::verifier>& v = made[limit];
    if (!v) {
        kw::options opts;
        opts.max_body_size = limit;
        v = std::make_unique<kw::verifier>(std::vector<std::string>{secret, pending}, opts);
    }
    return *v;
}

inline std::string sign(std::string_view body, std::string_view method = "POST", std::string_view to = url,
                        std::string_view with = secret) {
    return kw::sign(with, method, to, body);
}

inline outcome of(std::error_code error) {
    return {std::string(error ? ad::error_name(error) : "ok"), std::to_string(ad::http_status(error)), std::nullopt};
}

template <class Result>
outcome of_result(const Result& r) {
    if (r) {
        return {"ok", "204", std::nullopt};
    }
    return of(r.error());
}

// A refused configuration: the constructor's exception, by type.
inline outcome construction(const std::function<void()>& make) {
    try {
        make();
    } catch (const std::invalid_argument&) {
        return {"std::invalid_argument", "-", std::nullopt};
    } catch (const std::exception&) {
        return {"other exception", "-", std::nullopt};
    }
    return {"ok", "-", std::nullopt};
}

// A request as an adapter sees it: method, target, the header fields in order, the body (the
// adapters' toolkit takes it in pieces of `chunk` bytes).
struct wire_request {
    std::string method = "POST";
    std::string target = "/kore";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::size_t chunk = 512;
};

// "POST /kore HTTP/1.1" CR LF, the fields given, and Host.
inline std::string request_head(std::string_view fields, std::string_view line = "POST /kore HTTP/1.1") {
    return std::string(line) + "\r\nHost: hooks.example\r\n" + std::string(fields);
}

// The body as chunks of `size` bytes.
inline std::string chunked(std::string_view body, std::size_t size) {
    static constexpr std::string_view digits = "0123456789abcdef";
    std::string out;
    for (std::size_t at = 0; at < body.size(); at += size) {
        const std::string_view chunk = body.substr(at, size);
        std::string hex;
        for (std::size_t n = chunk.size(); n > 0; n /= 16) {
            hex.insert(hex.begin(), digits[n % 16]);
        }
        out += hex + "\r\n" + std::string(chunk) + "\r\n";
    }
    return out + "0\r\n\r\n";
}

// `request` as HTTP/1.1 bytes: its request line, Host, its fields as given (odd values too), and
// the body. A request without a Content-Length or Transfer-Encoding field gets the Content-Length
// every client would send (none for a GET without a body). None when a field cannot be put on a
// line (CR or LF in a name or value).
inline std::optional<std::string> wire_bytes(const wire_request& request) {
    std::string fields;
    bool framed = false;
    for (const auto& [name, value] : request.headers) {
        if ((name + value).find_first_of("\r\n") != std::string::npos) {
            return std::nullopt;
        }
        framed = framed || ad::iequals(name, "content-length") || ad::iequals(name, "transfer-encoding");
        fields += name + ": " + value + "\r\n";
    }
    if (!framed && (request.method != "GET" || !request.body.empty())) {
        fields += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
    }
    return request_head(fields + "\r\n", request.method + " " + request.target + " HTTP/1.1") + request.body;
}

// An application that opted into rebuild_url() takes the URL from the request.
// A request's Host header (none: absent) and target, as the rebuilt-URL rows start from.
inline ad::request_origin origin_of(std::optional<std::string_view> host, std::string_view raw_target) {
    ad::request_origin origin;
    origin.host = host;
    origin.raw_target = raw_target;
    return origin;
}

inline std::string_view parse_error_name(kore_cli::http::parse_error e) {
    using kore_cli::http::parse_error;
    switch (e) {
        case parse_error::none:
            return "none";
        case parse_error::empty:
            return "empty";
        case parse_error::too_large:
            return "too_large";
        case parse_error::line_too_long:
            return "line_too_long";
        case parse_error::too_many_headers:
            return "too_many_headers";
        case parse_error::bad_request_line:
            return "bad_request_line";
        case parse_error::bad_method:
            return "bad_method";
        case parse_error::bad_target:
            return "bad_target";
        case parse_error::bad_version:
            return "bad_version";
        case parse_error::bare_cr:
            return "bare_cr";
        case parse_error::bad_header:
            return "bad_header";
        case parse_error::obsolete_line_folding:
            return "obsolete_line_folding";
        case parse_error::no_header_end:
            return "no_header_end";
        case parse_error::bad_content_length:
            return "bad_content_length";
        case parse_error::conflicting_length:
            return "conflicting_length";
        case parse_error::unsupported_transfer_coding:
            return "unsupported_transfer_coding";
        case parse_error::truncated_body:
            return "truncated_body";
        case parse_error::bad_chunk:
            return "bad_chunk";
        case parse_error::trailing_data:
            return "trailing_data";
    }
    return "unknown";
}

// The ways a catalogue runs its rows, with its settings' verifier and form body.
struct context {
    explicit context(const settings& chosen) : verifier_(&verifier(chosen.limit)), form_(chosen.form) {}

    [[nodiscard]] const kw::verifier& v() const { return *verifier_; }

    // The public API. On the wire when `to` is the registered URL: a POST (or `method`) to its
    // path with `header` as kore-signature (none: no field) and the body.
    [[nodiscard]] outcome verify(std::string_view body, std::optional<std::string_view> header,
                                 std::string_view method = "POST", std::string_view to = url) const {
        outcome out = of_result(v().verify(method, to, body, header));
        if (to == url) {
            wire_request request;
            request.method = std::string(method);
            if (header) {
                request.headers = {{"kore-signature", std::string(*header)}};
            }
            request.body = std::string(body);
            out.wire = wire_bytes(request);
        }
        return out;
    }

    // A stream fed `chunk` bytes at a time; on the wire, a chunked body of `chunk`-byte chunks, at
    // most 4096 of them (larger chunks past that: CivetWeb and Pistache each took about 30 s to
    // parse 1 MiB in 1-byte chunks, beyond e2e.catalogue's time; e2e.availability covers slow bodies).
    [[nodiscard]] outcome verify_streamed(std::string_view body, std::string_view header, std::size_t chunk) const {
        auto s = v().start("POST", url);
        for (std::size_t at = 0; at < body.size(); at += chunk) {
            s.update(body.substr(at, chunk));
        }
        outcome out = of_result(s.finish(header));
        out.wire = request_head("kore-signature: " + std::string(header) + "\r\nTransfer-Encoding: chunked\r\n\r\n") +
                   chunked(body, std::max(chunk, (body.size() + 4095) / 4096));
        return out;
    }

    // A request run as the adapters run it: the header walk into a request_head (every
    // kore-signature, the target, the declared Content-Length), a body_verification that judges
    // the head at once, the body put in chunks until it reports an error, then finish(). On the
    // wire as wire_bytes() writes it, when the registered URL and the verifier are the catalogue's.
    [[nodiscard]] outcome through_adapter(const wire_request& request, std::string_view registered_url = url,
                                          const kw::verifier* other = nullptr) const {
        outcome out = judged(request, registered_url, other != nullptr ? *other : v());
        if (registered_url == url && other == nullptr) {
            out.wire = wire_bytes(request);
        }
        return out;
    }
    [[nodiscard]] outcome through_adapter(const wire_request& request, std::string_view registered_url,
                                          const kw::verifier& other) const {
        return through_adapter(request, registered_url, &other);
    }

    // rebuild_url() with one trusted proxy: a request that does not allow a URL is refused with
    // invalid_url, as its contract says. Not on the wire: the examples use the registered URL.
    [[nodiscard]] outcome rebuilt(const ad::request_origin& origin, std::string_view header) const {
        ad::rebuilt_url_config config;
        config.trusted_proxies = {"10.0.0.7"};
        const std::optional<std::string> rebuilt_url = ad::rebuild_url(config, origin);
        if (!rebuilt_url) {
            return of(kw::errc::invalid_url);
        }
        outcome out = verify(form_, header, "POST", *rebuilt_url);
        out.wire.reset();
        return out;
    }

    // A captured request file, as `kore-webhook verify --request-file` reads it: the tool's parser
    // first (its refusal, by name, with no HTTP status: the request never reaches a verifier),
    // then the parsed request through the adapters' path. On the wire: the file's bytes.
    [[nodiscard]] outcome raw_request(std::string_view raw) const {
        const auto parsed = kore_cli::http::parse(raw);
        outcome out;
        if (!parsed) {
            out = {std::string(parse_error_name(parsed.error)), "-", std::nullopt};
        } else {
            wire_request request;
            request.method = parsed.value->method;
            request.target = parsed.value->target;
            for (const auto& field : parsed.value->headers) {
                request.headers.emplace_back(field.name, field.value);
            }
            request.body = parsed.value->body;
            out = judged(request, url, v());
        }
        out.wire = std::string(raw);
        return out;
    }

private:
    static outcome judged(const wire_request& request, std::string_view registered_url, const kw::verifier& with) {
        kw::request_head head(request.method, request.target);
        for (const auto& [name, value] : request.headers) {
            head.offer_header(name, value);
            if (ad::iequals(name, "content-length") && !head.content_length()) {
                if (const auto declared = ad::parse_content_length(value)) {
                    head.set_content_length(*declared);
                }
            }
        }
        kw::body_verification check(with, registered_url, head);
        if (const auto ec = check.error()) {
            return of(ec);
        }
        for (std::size_t at = 0; at < request.body.size() && !check.error(); at += request.chunk) {
            check.put(std::string_view(request.body).substr(at, request.chunk));
        }
        return of_result(check.finish());
    }

    const kw::verifier* verifier_;
    std::string form_;
};

inline std::string sha256_hex(std::string_view text) {
    kw::kore_sha256::digest_type digest{};
    unsigned int size = 0;
    REQUIRE(EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr) == 1);
    return kw::kore_sha256::encode_signature(digest);
}

inline std::string base64_of_hex(std::string_view header) {
    kw::kore_sha256::digest_type digest{};
    REQUIRE(kw::kore_sha256::decode_signature(header, digest));
    return kw::detail::encode_base64(digest);
}

// Each hex character as its full-width form (U+FF10-FF19, U+FF41-FF46) in UTF-8.
inline std::string full_width(std::string_view header) {
    std::string out;
    for (const char c : header) {
        const bool digit = c >= '0' && c <= '9';
        out += '\xef';
        out += digit ? '\xbc' : '\xbd';
        out += static_cast<char>(digit ? 0x90 + (c - '0') : 0x81 + (c - 'a'));
    }
    return out;
}

inline std::string flip_last_hex_digit(std::string header) {
    header.back() = header.back() == '0' ? '1' : '0';
    return header;
}

inline const tw::verifier& twilio_verifier() {
    static const tw::verifier v = [] {
        kw::options opts;
        opts.max_body_size = toolkit_limit;
        return tw::verifier("twilio-token", opts);
    }();
    return v;
}

inline std::vector<hostile_input> catalogue(const settings& chosen = {}) {
    const context c(chosen);
    const std::string form = chosen.form;
    const std::size_t limit = chosen.limit;
    const std::string genuine = sign(form);
    const kore_cli::forge::forgery extended =
        kore_cli::forge::extend(genuine, secret.size(), "POST", kw::signed_url(url), form, "&Status=deleted");
    const kore_cli::forge::forgery extended_pending = kore_cli::forge::extend(
        sign(form, "POST", url, pending), pending.size(), "POST", kw::signed_url(url), form, "&admin=1");
    const kore_cli::forge::forgery extended_json =
        kore_cli::forge::extend(sign(json), secret.size(), "POST", kw::signed_url(url), json, R"(,"admin":true})");
    const std::string over_limit(limit + 1, 'a');
    const std::string twilio_url = "https://x.example/sms?x=1";
    const std::string twilio_json = R"({"CallSid":"CA1"})";

    std::vector<hostile_input> rows = {
        // The kore-signature header.
        {"H01", "headers", "no `kore-signature` header", "missing_signature", "401",
         [=] { return c.verify(form, std::nullopt); }},
        {"H02", "headers", "empty `kore-signature` (an account without a secret), `allow_unsigned` off",
         "unsigned_request", "401", [=] { return c.verify(form, ""); }},
        {"H03", "headers", "header of spaces and tabs only", "unsigned_request", "401",
         [=] { return c.verify(form, " \t "); }},
        {"H04", "headers", "63 hex digits", "malformed_signature", "400",
         [=] { return c.verify(form, genuine.substr(1)); }},
        {"H05", "headers", "65 hex digits", "malformed_signature", "400", [=] { return c.verify(form, genuine + "0"); }},
        {"H06", "headers", "64 characters with one `g`", "malformed_signature", "400",
         [=] { return c.verify(form, "g" + genuine.substr(1)); }},
        {"H07", "headers", "the right digest prefixed `sha256=`", "malformed_signature", "400",
         [=] { return c.verify(form, "sha256=" + genuine); }},
        {"H08", "headers", "the right digest in base64", "malformed_signature", "400",
         [=] { return c.verify(form, base64_of_hex(genuine)); }},
        {"H09", "headers", "the right digest with a space in the middle", "malformed_signature", "400",
         [=] { return c.verify(form, genuine.substr(0, 32) + " " + genuine.substr(32)); }},
        {"H10", "headers", "the right digest followed by CR LF", "malformed_signature", "400",
         [=] { return c.verify(form, genuine + "\r\n"); }},
        {"H11", "headers", "the right digest followed by a NUL byte and text", "malformed_signature", "400",
         [=] { return c.verify(form, genuine + std::string("\0x", 2)); }},
        {"H12", "headers", "two digests joined by a comma (a proxy folded two headers)", "malformed_signature", "400",
         [=] { return c.verify(form, genuine + ", " + genuine); }},
        {"H13", "headers", "the right digest in full-width Unicode digits and letters", "malformed_signature", "400",
         [=] { return c.verify(form, full_width(genuine)); }},
        {"H14", "headers", "another secret's signature of the same request", "signature_mismatch", "401",
         [=] { return c.verify(form, sign(form, "POST", url, "some-other-secret")); }},
        {"H15", "headers", "the right digest with its last hex digit changed", "signature_mismatch", "401",
         [=] { return c.verify(form, flip_last_hex_digit(genuine)); }},
        {"H16", "headers", "64 zeros", "signature_mismatch", "401", [=] { return c.verify(form, std::string(64, '0')); }},
        {"H17", "headers", "SHA-256 of the body alone (no secret)", "signature_mismatch", "401",
         [=] { return c.verify("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"); }},
        {"H18", "headers", "a signature by a secret that is not configured, with `allow_unsigned` on",
         "signature_mismatch", "401",
         [=] {
             kw::options opts;
             opts.allow_unsigned = true;
             const kw::verifier lenient(secret, opts);
             return of_result(lenient.verify("POST", url, form, sign(form, "POST", url, "not-configured")));
         }},
        {"H19", "headers", "X-Twilio-Signature that is empty, with `allow_unsigned` on", "unsigned_request", "401",
         [=] {
             kw::options opts;
             opts.allow_unsigned = true;
             const tw::verifier lenient("twilio-token", opts);
             return of_result(lenient.verify_form(twilio_url, "a=1", std::string_view()));
         }},
        {"H20", "headers", "X-Twilio-Signature whose last base64 digit sets bits past the 20 bytes",
         "malformed_signature", "400",
         [=] {
             std::string header = tw::sign("twilio-token", twilio_url, {{"a", "1"}});
             header[26] = static_cast<char>(header[26] + 1);  // 27th character carries 2 unused bits
             return of_result(twilio_verifier().verify_form(twilio_url, "a=1", std::string_view(header)));
         }},

        // The registered URL, the method and the query.
        {"U01", "urls", "registered URL is the request path `/kore`", "invalid_url", "500",
         [=] { return c.verify(form, genuine, "POST", "/kore"); }},
        {"U02", "urls", "registered URL is empty", "invalid_url", "500",
         [=] { return c.verify(form, genuine, "POST", ""); }},
        {"U03", "urls", "registered URL `https://` with nothing after it", "invalid_url", "500",
         [=] { return c.verify(form, genuine, "POST", "https://"); }},
        {"U04", "urls", "registered URL `https://?x=1` (empty once the query is cut)", "invalid_url", "500",
         [=] { return c.verify(form, genuine, "POST", "https://?x=1"); }},
        {"U05", "urls", "registered URL `ftp://hooks.example/kore`", "invalid_url", "500",
         [=] { return c.verify(form, genuine, "POST", "ftp://hooks.example/kore"); }},
        {"U06", "urls", "registered URL `javascript:alert(1)`", "invalid_url", "500",
         [=] { return c.verify(form, genuine, "POST", "javascript:alert(1)"); }},
        {"U07", "urls", "empty method", "invalid_method", "400", [=] { return c.verify(form, genuine, ""); }},
        {"U08", "urls", "method `PO ST`", "invalid_method", "400", [=] { return c.verify(form, genuine, "PO ST"); }},
        {"U09", "urls", "method carrying a header: `POST` CR LF `X: y`", "invalid_method", "400",
         [=] { return c.verify(form, genuine, "POST\r\nX: y"); }},
        {"U10", "urls", "method with a NUL byte", "invalid_method", "400",
         [=] { return c.verify(form, genuine, std::string("POST\0", 5)); }},
        {"U11", "urls", "signed for `http://`, verified against the registered `https://` URL", "signature_mismatch",
         "401", [=] { return c.verify(form, sign(form, "POST", "http://hooks.example/kore")); }},
        {"U12", "urls", "signed for the URL with a trailing `/`", "signature_mismatch", "401",
         [=] { return c.verify(form, sign(form, "POST", url + "/")); }},
        {"U13", "urls", "signed for the URL with an explicit `:443`", "signature_mismatch", "401",
         [=] { return c.verify(form, sign(form, "POST", "https://hooks.example:443/kore")); }},
        {"U14", "urls", "signed for the host in capitals (URLs are compared byte for byte)", "signature_mismatch",
         "401", [=] { return c.verify(form, sign(form, "POST", "https://HOOKS.example/kore")); }},
        {"U15", "urls", "signed for the percent-decoded path `/a b`, registered as `/a%20b`", "signature_mismatch",
         "401",
         [=] {
             return c.verify(form, sign(form, "POST", "https://hooks.example/a b"), "POST",
                           "https://hooks.example/a%20b");
         }},
        {"U16", "urls", "signed for the path cut at a NUL byte", "signature_mismatch", "401",
         [=] {
             return c.verify(form, sign(form, "POST", "https://hooks.example/ko"), "POST",
                           std::string("https://hooks.example/ko\0re", 27));
         }},
        {"U17", "urls", "signed with `GET`, sent as `get` (methods are case-sensitive)", "signature_mismatch", "401",
         [=] { return c.verify("", sign("", "GET"), "get"); }},
        {"U18", "urls", "GET whose target carries a query, genuine signature", "query_not_signed", "401",
         [=] {
             wire_request request;
             request.method = "GET";
             request.target = "/kore?iccid=8901&action=delete";
             request.headers = {{"kore-signature", sign("", "GET")}};
             return c.through_adapter(request);
         }},
        {"U19", "urls", "rebuilt URL: X-Forwarded-Host from an untrusted peer is ignored (signed for it)",
         "signature_mismatch", "401",
         [=] {
             ad::request_origin origin = origin_of("internal:8080", "/kore");
             origin.peer_address = "203.0.113.9";
             origin.forwarded_host = "hooks.example";
             return c.rebuilt(origin, sign(form));
         }},
        {"U20", "urls", "rebuilt URL: Host `evil.example/@hooks.example`", "invalid_url", "500",
         [=] { return c.rebuilt(origin_of("evil.example/@hooks.example", "/kore"), sign(form)); }},
        {"U21", "urls", "rebuilt URL: absolute-form target `http://evil.example/kore`", "invalid_url", "500",
         [=] { return c.rebuilt(origin_of("hooks.example", "http://evil.example/kore"), sign(form)); }},
        {"U22", "urls", "rebuilt URL: trusted proxy sends X-Forwarded-Proto `javascript`", "invalid_url", "500",
         [=] {
             ad::request_origin origin = origin_of("hooks.example", "/kore");
             origin.peer_address = "10.0.0.7";
             origin.forwarded_proto = "javascript";
             return c.rebuilt(origin, sign(form));
         }},
        {"U23", "urls", "rebuilt URL: no Host header", "invalid_url", "500",
         [=] { return c.rebuilt(origin_of(std::nullopt, "/kore"), sign(form)); }},
        {"U24", "urls", "rebuilt URL: Host `hooks.example evil`", "invalid_url", "500",
         [=] { return c.rebuilt(origin_of("hooks.example evil", "/kore"), sign(form)); }},
        {"U25", "urls", "Twilio: URL `https://user:pw@x.example/cb` with a signature over `https://user/cb`",
         "signature_mismatch", "401",
         [=] {
             const std::string header = tw::sign("twilio-token", "https://user/cb", {{"a", "1"}});
             return of_result(
                 twilio_verifier().verify_form("https://user:pw@x.example/cb", "a=1", std::string_view(header)));
         }},
        {"U26", "urls", "Twilio: URL `https://[2001:db8::1]/cb` with a signature over `https://[2001/cb`",
         "signature_mismatch", "401",
         [=] {
             const std::string header = tw::sign("twilio-token", "https://[2001/cb", {{"a", "1"}});
             return of_result(
                 twilio_verifier().verify_form("https://[2001:db8::1]/cb", "a=1", std::string_view(header)));
         }},
        {"U27", "urls", "Twilio: signed for port 8443, request URL on port 9443", "signature_mismatch", "401",
         [=] {
             const std::string header = tw::sign("twilio-token", "https://x.example:8443/cb", {{"a", "1"}});
             return of_result(
                 twilio_verifier().verify_form("https://x.example:9443/cb", "a=1", std::string_view(header)));
         }},
        {"U28", "urls", "POST with a query added (`/kore?Status=inactive`), genuine signature and body",
         "query_not_signed", "401",
         [=] {
             wire_request request;
             request.target = "/kore?Status=inactive";
             request.headers = {{"kore-signature", genuine}};
             request.body = form;
             return c.through_adapter(request);
         }},
        {"U29", "urls", "registered with `?tenant=7`, request with `?tenant=8`", "query_not_signed", "401",
         [=] {
             wire_request request;
             request.target = "/kore?tenant=8";
             request.headers = {{"kore-signature", sign(form, "POST", url + "?tenant=7")}};
             request.body = form;
             return c.through_adapter(request, url + "?tenant=7");
         }},
        {"U30", "urls", "registered with `?tenant=7`, request without a query", "query_not_signed", "401",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", sign(form, "POST", url + "?tenant=7")}};
             request.body = form;
             return c.through_adapter(request, url + "?tenant=7");
         }},
        {"U31", "urls", "registered with `?a=1`, request with `?a=%31` (queries are compared as sent)",
         "query_not_signed", "401",
         [=] {
             wire_request request;
             request.target = "/kore?a=%31";
             request.headers = {{"kore-signature", sign(form, "POST", url + "?a=1")}};
             request.body = form;
             return c.through_adapter(request, url + "?a=1");
         }},
        {"U32", "urls", "POST with a query when only `allow_get_query` is on", "query_not_signed", "401",
         [=] {
             kw::options opts;
             opts.allow_get_query = true;
             const kw::verifier get_query_allowed(secret, opts);
             wire_request request;
             request.target = "/kore?x=1";
             request.headers = {{"kore-signature", sign(form)}};
             request.body = form;
             return c.through_adapter(request, url, get_query_allowed);
         }},

        // Bodies.
        {"B01", "bodies", "body one byte over `max_body_size`", "body_too_large", "413",
         [=] { return c.verify(over_limit, sign(over_limit)); }},
        {"B02", "bodies", "body over `max_body_size`, streamed in 1-byte chunks", "body_too_large", "413",
         [=] { return c.verify_streamed(over_limit, sign(over_limit), 1); }},
        {"B03", "bodies", "length extension: genuine signature, body + glue + `&Status=deleted`", "length_extension",
         "401", [=] { return c.verify(extended.body, extended.signature); }},
        {"B04", "bodies", "length extension streamed in 1-byte chunks (glue split across every chunk)",
         "length_extension", "401", [=] { return c.verify_streamed(extended.body, extended.signature, 1); }},
        {"B05", "bodies", "length extension of a request signed with the pending secret", "length_extension", "401",
         [=] { return c.verify(extended_pending.body, extended_pending.signature); }},
        {"B06", "bodies", "length extension of a JSON body (the glue is not JSON: no second try)", "length_extension",
         "401", [=] { return c.verify(extended_json.body, extended_json.signature); }},
        {"B07", "bodies", "length extension with the glue computed for a secret one byte longer", "signature_mismatch",
         "401",
         [=] {
             const auto wrong = kore_cli::forge::extend(genuine, secret.size() + 1, "POST", kw::signed_url(url), form, "&x");
             return c.verify(wrong.body, wrong.signature);
         }},
        {"B08", "bodies", "CR LF appended to the body by a proxy", "signature_mismatch", "401",
         [=] { return c.verify(form + "\r\n", genuine); }},
        {"B09", "bodies", "form parameters reordered", "signature_mismatch", "401",
         [=] { return c.verify("Status=active&SimSid=HS1234", genuine); }},
        {"B10", "bodies", "form value re-encoded (`%2B` for `+`)", "signature_mismatch", "401",
         [=] { return c.verify("To=%2B1800", sign("To=+1800")); }},
        {"B11", "bodies", "empty body where a body was signed", "signature_mismatch", "401",
         [=] { return c.verify("", genuine); }},
        {"B12", "bodies", "JSON keys reordered", "signature_mismatch", "401",
         [=] { return c.verify(R"({"iccid":"8901260882310000001","event":"sim.activated"})", sign(json)); }},
        {"B13", "bodies", "JSON with a duplicate key added", "signature_mismatch", "401",
         [=] { return c.verify(R"({"event":"sim.activated","iccid":"8901260882310000001","event":"x"})", sign(json)); }},
        {"B14", "bodies", "JSON with whitespace inside a string (`\"x y\"`, signed `\"xy\"`)", "signature_mismatch",
         "401", [=] { return c.verify(R"({"a":"x y"})", sign(R"({"a":"xy"})")); }},
        {"B15", "bodies", "`[1 0]`, signed `[10]` (whitespace that separates tokens)", "signature_mismatch", "401",
         [=] { return c.verify("[1 0]", sign("[10]")); }},
        {"B16", "bodies", "valid JSON and junk after a space, signed without the space", "signature_mismatch", "401",
         [=] { return c.verify(R"({"a":1} x)", sign(R"({"a":1}x)")); }},
        {"B17", "bodies", "JSON 513 levels deep with a space, signed minified", "signature_mismatch", "401",
         [=] {
             const std::string minified = std::string(513, '[') + std::string(513, ']');
             return c.verify(std::string(513, '[') + " " + std::string(513, ']'), sign(minified));
         }},
        {"B18", "bodies", "UTF-8 byte order mark before the JSON, signed without it", "signature_mismatch", "401",
         [=] { return c.verify("\xef\xbb\xbf" + json, sign(json)); }},
        {"B19", "bodies", "no-break space (U+00A0) between JSON tokens, signed minified", "signature_mismatch", "401",
         [=] {
             return c.verify(
                 "{\"a\":\xc2\xa0"
                 "1}",
                 sign(R"({"a":1})"));
         }},
        {"B20", "bodies", "JSON with a vertical tab between tokens, signed minified", "signature_mismatch", "401",
         [=] { return c.verify("{\"a\":\v1}", sign(R"({"a":1})")); }},
        {"B21", "bodies", "finish() called twice on a stream", "stream_finished", "500",
         [=] {
             auto s = c.v().start("POST", url);
             s.update(form);
             static_cast<void>(s.finish(genuine));
             return of_result(s.finish(genuine));
         }},
        {"B22", "bodies", "Twilio form with a broken escape `%G1`", "malformed_body", "400",
         [=] { return of_result(twilio_verifier().verify_form("https://x.example/sms", "Body=%G1", std::nullopt)); }},
        {"B23", "bodies", "Twilio form ending in `%`", "malformed_body", "400",
         [=] { return of_result(twilio_verifier().verify_form("https://x.example/sms", "Body=hi%", std::nullopt)); }},
        {"B24", "bodies", "Twilio JSON without `bodySHA256` in the URL", "body_hash_mismatch", "401",
         [=] {
             const std::string header = tw::sign("twilio-token", "https://x.example/cb", {});
             return of_result(twilio_verifier().verify_json("https://x.example/cb", twilio_json, header));
         }},
        {"B25", "bodies", "Twilio JSON whose `bodySHA256` is another body's hash", "body_hash_mismatch", "401",
         [=] {
             const std::string to =
                 "https://x.example/cb?bodySHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
             return of_result(twilio_verifier().verify_json(to, twilio_json, tw::sign("twilio-token", to, {})));
         }},
        {"B26", "bodies", "Twilio JSON callback's signature on a form POST that adds parameters", "signature_mismatch",
         "401",
         [=] {
             const std::string to = "https://x.example/cb?bodySHA256=00";
             return of_result(twilio_verifier().verify_form(to, "Status=deleted",
                                                            std::string_view(tw::sign("twilio-token", to, {}))));
         }},
        {"B27", "bodies", "Twilio form body over `max_body_size`", "body_too_large", "413",
         [=] { return of_result(twilio_verifier().verify_form(twilio_url, over_limit, std::nullopt)); }},

        // The transport, through the adapters' toolkit.
        {"F01", "framing", "two `kore-signature` headers with the same value", "duplicate_signature", "400",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", genuine}, {"kore-signature", genuine}};
             request.body = form;
             return c.through_adapter(request);
         }},
        {"F02", "framing", "`kore-signature` and `KORE-Signature`, the second one genuine", "duplicate_signature",
         "400",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", std::string(64, '0')}, {"KORE-Signature", genuine}};
             request.body = form;
             return c.through_adapter(request);
         }},
        {"F03", "framing", "header name `kore-signature ` (trailing space) is not the header", "missing_signature",
         "401",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature ", genuine}};
             request.body = form;
             return c.through_adapter(request);
         }},
        {"F04", "framing", "header named `x-kore-signature`", "missing_signature", "401",
         [=] {
             wire_request request;
             request.headers = {{"x-kore-signature", genuine}};
             request.body = form;
             return c.through_adapter(request);
         }},
        {"F05", "framing", "Content-Length over `max_body_size`: refused before a body byte is read", "body_too_large",
         "413",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", genuine}, {"Content-Length", std::to_string(limit + 1)}};
             return c.through_adapter(request);
         }},
        {"F06", "framing", "Content-Length `99999999999999999999` (20 digits): counted as it streams", "body_too_large",
         "413",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", sign(over_limit)}, {"Content-Length", "99999999999999999999"}};
             request.body = over_limit;
             return c.through_adapter(request);
         }},
        {"F07", "framing", "Content-Length `+5` over a larger body: counted as it streams", "body_too_large", "413",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", sign(over_limit)}, {"Content-Length", "+5"}};
             request.body = over_limit;
             return c.through_adapter(request);
         }},
        {"F08", "framing", "Content-Length `0x10` over a larger body: counted as it streams", "body_too_large", "413",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", sign(over_limit)}, {"Content-Length", "0x10"}};
             request.body = over_limit;
             request.chunk = 1;
             return c.through_adapter(request);
         }},
        {"F09", "framing", "Content-Length ` 4097 ` (spaces around it): refused before the body", "body_too_large",
         "413",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", genuine}, {"Content-Length", " " + std::to_string(limit + 1) + " "}};
             request.body = form;
             return c.through_adapter(request);
         }},
        {"F10", "framing", "a GET carrying its data in the query, signature of the bare GET", "query_not_signed", "401",
         [=] {
             wire_request request;
             request.method = "GET";
             request.target = "/kore?sim=8901#frag";
             request.headers = {{"kore-signature", sign("", "GET")}};
             return c.through_adapter(request);
         }},
        {"F11", "framing", "a GET with a query and no signature: the query rule comes first", "query_not_signed", "401",
         [=] {
             wire_request request;
             request.method = "GET";
             request.target = "/kore?a=1";
             return c.through_adapter(request);
         }},
        {"F12", "framing", "duplicate headers on a GET with a query: the duplicate comes first", "duplicate_signature",
         "400",
         [=] {
             wire_request request;
             request.method = "GET";
             request.target = "/kore?a=1";
             request.headers = {{"kore-signature", ""}, {"kore-signature", ""}};
             return c.through_adapter(request);
         }},
        {"F13", "framing", "length-extended body with its true Content-Length, streamed in 3-byte chunks",
         "length_extension", "401",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", extended.signature},
                                {"Content-Length", std::to_string(extended.body.size())}};
             request.body = extended.body;
             request.chunk = 3;
             return c.through_adapter(request);
         }},
        {"F14", "framing", "empty `kore-signature` with a body, `allow_unsigned` off", "unsigned_request", "401",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", ""}};
             request.body = form;
             return c.through_adapter(request);
         }},
        {"F15", "framing", "Content-Length `-1` over a body past the limit: counted as it streams", "body_too_large",
         "413",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", sign(over_limit)}, {"Content-Length", "-1"}};
             request.body = over_limit;
             return c.through_adapter(request);
         }},
        {"F16", "framing", "the genuine signature padded with spaces to 300 characters (over the lookup's 256)",
         "malformed_signature", "400",
         [=] {
             wire_request request;
             request.headers = {{"kore-signature", genuine + std::string(236, ' ')}};
             request.body = form;
             return c.through_adapter(request);
         }},

        // Raw request files, through the command-line tool's parser, then the adapters' path.
        {"R01", "raw requests", "an empty file", "empty", "-", [=] { return c.raw_request(""); }},
        {"R02", "raw requests", "Content-Length larger than the body (the capture ends early)", "truncated_body",
         "-", [=] { return c.raw_request(request_head("Content-Length: 50\r\n\r\nSimSid=HS1")); }},
        {"R03", "raw requests", "two different Content-Length fields", "conflicting_length", "-",
         [=] { return c.raw_request(request_head("Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")); }},
        {"R04", "raw requests", "Content-Length and `Transfer-Encoding: chunked` together (smuggling)",
         "conflicting_length", "-",
         [=] {
             return c.raw_request(request_head("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n") +
                                chunked("abcd", 4));
         }},
        {"R05", "raw requests", "`Transfer-Encoding: gzip`", "unsupported_transfer_coding", "-",
         [=] { return c.raw_request(request_head("Transfer-Encoding: gzip\r\n\r\n")); }},
        {"R06", "raw requests", "`Transfer-Encoding: chunked, chunked`", "unsupported_transfer_coding", "-",
         [=] { return c.raw_request(request_head("Transfer-Encoding: chunked, chunked\r\n\r\n") + chunked("ab", 1)); }},
        {"R07", "raw requests", "a field continued on the next line (obsolete folding)", "obsolete_line_folding", "-",
         [=] { return c.raw_request(request_head("kore-signature: 00\r\n 11\r\n\r\n")); }},
        {"R08", "raw requests", "a bare CR inside a field value", "bare_cr", "-",
         [=] { return c.raw_request(request_head("X-A: a\rkore-signature: 00\r\n\r\n")); }},
        {"R09", "raw requests", "a NUL byte in a field value", "bad_header", "-",
         [=] { return c.raw_request(request_head(std::string("kore-signature: 0\0" "0\r\n\r\n", 23))); }},
        {"R10", "raw requests", "a field line without a colon", "bad_header", "-",
         [=] { return c.raw_request(request_head("kore-signature 00\r\n\r\n")); }},
        {"R11", "raw requests", "`kore-signature : ...` (a space before the colon)", "bad_header", "-",
         [=] { return c.raw_request(request_head("kore-signature : 00\r\n\r\n")); }},
        {"R12", "raw requests", "no empty line after the fields", "no_header_end", "-",
         [=] { return c.raw_request(request_head("Content-Length: 0\r\n")); }},
        {"R13", "raw requests", "request line `POST /kore HTTP/2.0`", "bad_version", "-",
         [=] { return c.raw_request(request_head("\r\n", "POST /kore HTTP/2.0")); }},
        {"R14", "raw requests", "request line with two spaces after the method", "bad_request_line", "-",
         [=] { return c.raw_request(request_head("\r\n", "POST  /kore HTTP/1.1")); }},
        {"R15", "raw requests", "target `kore` (not a path or an absolute URL)", "bad_target", "-",
         [=] { return c.raw_request(request_head("\r\n", "POST kore HTTP/1.1")); }},
        {"R16", "raw requests", "method `PO\"ST`", "bad_method", "-",
         [=] { return c.raw_request(request_head("\r\n", "PO\"ST /kore HTTP/1.1")); }},
        {"R17", "raw requests", "Content-Length `1e3`", "bad_content_length", "-",
         [=] { return c.raw_request(request_head("Content-Length: 1e3\r\n\r\n")); }},
        {"R18", "raw requests", "Content-Length `-1`", "bad_content_length", "-",
         [=] { return c.raw_request(request_head("Content-Length: -1\r\n\r\n")); }},
        {"R19", "raw requests", "chunk size `0x4`", "bad_chunk", "-",
         [=] { return c.raw_request(request_head("Transfer-Encoding: chunked\r\n\r\n0x4\r\nabcd\r\n0\r\n\r\n")); }},
        {"R20", "raw requests", "chunk data longer than its size", "bad_chunk", "-",
         [=] { return c.raw_request(request_head("Transfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n0\r\n\r\n")); }},
        {"R21", "raw requests", "a second request after the body (pipelined)", "trailing_data", "-",
         [=] {
             return c.raw_request(request_head("Content-Length: 2\r\n\r\n{}") + request_head("Content-Length: 0\r\n\r\n"));
         }},
        {"R22", "raw requests", "a 17 KiB field line", "line_too_long", "-",
         [=] { return c.raw_request(request_head("X-A: " + std::string(17 * 1024, 'a') + "\r\n\r\n")); }},
        {"R23", "raw requests", "129 fields", "too_many_headers", "-",
         [=] {
             std::string fields;
             for (int i = 0; i < 128; ++i) {
                 fields += "X-" + std::to_string(i) + ": a\r\n";
             }
             return c.raw_request(request_head(fields + "\r\n"));
         }},
        {"R24", "raw requests", "well-formed, two `kore-signature` fields", "duplicate_signature", "400",
         [=] {
             return c.raw_request(request_head("kore-signature: " + genuine + "\r\nkore-signature: " + genuine +
                                             "\r\nContent-Length: " + std::to_string(form.size()) + "\r\n\r\n" +
                                             form));
         }},
        {"R25", "raw requests", "well-formed and chunked, length-extension glue split across 5-byte chunks",
         "length_extension", "401",
         [=] {
             return c.raw_request(request_head("kore-signature: " + extended.signature +
                                             "\r\nTransfer-Encoding: chunked\r\n\r\n") +
                                chunked(extended.body, 5));
         }},
        {"R26", "raw requests", "well-formed GET with a query", "query_not_signed", "401",
         [=] {
             return c.raw_request(request_head("kore-signature: " + sign("", "GET") + "\r\n\r\n",
                                             "GET /kore?iccid=8901 HTTP/1.1"));
         }},
        {"R27", "raw requests", "well-formed, the captured body edited", "signature_mismatch", "401",
         [=] {
             return c.raw_request(request_head("kore-signature: " + genuine +
                                             "\r\nContent-Length: 27\r\n\r\nSimSid=HS1234&Status=paused"));
         }},
        {"R28", "raw requests", "well-formed POST with a query added to the captured request", "query_not_signed",
         "401",
         [=] {
             return c.raw_request(request_head("kore-signature: " + genuine + "\r\nContent-Length: " +
                                                 std::to_string(form.size()) + "\r\n\r\n" + form,
                                             "POST /kore?Status=inactive HTTP/1.1"));
         }},
        {"R29", "raw requests", "well-formed and chunked, `kore-signature` only in the trailer", "missing_signature",
         "401",
         [=] {
             std::string body = chunked(form, 8);  // ends "0\r\n\r\n": the trailer goes before the last CRLF
             body.insert(body.size() - 2, "kore-signature: " + genuine + "\r\n");
             return c.raw_request(request_head("Transfer-Encoding: chunked\r\n\r\n") + body);
         }},
        {"R30", "raw requests",
         "well-formed and chunked, a wrong `kore-signature` field, the genuine one in the trailer",
         "signature_mismatch", "401",
         [=] {
             std::string body = chunked(form, 8);
             body.insert(body.size() - 2, "kore-signature: " + genuine + "\r\n");
             return c.raw_request(request_head("kore-signature: " + std::string(64, '0') +
                                             "\r\nTransfer-Encoding: chunked\r\n\r\n") +
                                body);
         }},

        // Secrets and the verifier's own state.
        {"S01", "secrets", "an empty secret", "std::invalid_argument", "-",
         [=] { return construction([=] { const kw::verifier v{""}; }); }},
        {"S02", "secrets", "an empty list of secrets", "std::invalid_argument", "-",
         [=] { return construction([=] { const kw::verifier v{std::vector<std::string>{}}; }); }},
        {"S03", "secrets", "five secrets (at most four)", "std::invalid_argument", "-",
         [=] { return construction([=] {
                  const kw::verifier v{std::vector<std::string>{"1", "2", "3", "4", "5"}};
              }); }},
        {"S04", "secrets", "two secrets, the second empty", "std::invalid_argument", "-",
         [=] { return construction([=] {
                  const kw::verifier v{std::vector<std::string>{"a", ""}};
              }); }},
        {"S05", "secrets", "`sign()` with an empty secret", "std::invalid_argument", "-",
         [=] { return construction([=] { static_cast<void>(kw::sign("", "POST", url, "")); }); }},
        {"S06", "secrets", "an empty Twilio auth token", "std::invalid_argument", "-",
         [=] { return construction([=] { const tw::verifier v{""}; }); }},
        {"S07", "secrets", "signed with the secret plus the newline a secrets file ends with", "signature_mismatch",
         "401", [=] { return c.verify(form, sign(form, "POST", url, secret + "\n")); }},
        {"S08", "secrets", "signed with the secret in capitals", "signature_mismatch", "401",
         [=] { return c.verify(form, sign(form, "POST", url, "CATALOGUE-ACTIVE-SECRET")); }},
        {"S09", "secrets", "signed with the secret's first 22 characters", "signature_mismatch", "401",
         [=] { return c.verify(form, sign(form, "POST", url, secret.substr(0, 22))); }},
        {"S10", "secrets", "signed with the secret's hex SHA-256 (a hashed copy in a config)", "signature_mismatch",
         "401", [=] { return c.verify(form, sign(form, "POST", url, sha256_hex(secret))); }},
        {"S11", "secrets", "a moved-from verifier, genuine signature", "moved_from", "500",
         [=] {
             kw::verifier original{secret};
             const kw::verifier moved(std::move(original));
             // NOLINTNEXTLINE(bugprone-use-after-move): the moved-from object is the input
             return of_result(original.verify("POST", url, form, genuine));
         }},
        {"S12", "secrets", "a moved-from stream, genuine signature", "moved_from", "500",
         [=] {
             auto original = c.v().start("POST", url);
             auto moved = std::move(original);
             // NOLINTNEXTLINE(bugprone-use-after-move): the moved-from object is the input
             original.update(form);
             return of_result(original.finish(genuine));
         }},
        {"S13", "secrets", "a moved-from Twilio verifier, genuine signature", "moved_from", "500",
         [=] {
             tw::verifier original{"twilio-token"};
             const tw::verifier moved(std::move(original));
             const std::string header = tw::sign("twilio-token", twilio_url, {{"a", "1"}});
             // NOLINTNEXTLINE(bugprone-use-after-move): the moved-from object is the input
             return of_result(original.verify_form(twilio_url, "a=1", std::string_view(header)));
         }},
    };
    return rows;
}

// Checks that SECURITY.md (`file`) holds `expected` between its <!-- NAME:begin --> and
// <!-- NAME:end --> markers, row for row (the header and rule lines left out). When it does
// not, writes the rows it should hold to NAME-rows.md in the working directory, for pasting.
inline void check_security_md_table(const char* file, const std::string& name,
                                    const std::vector<std::string>& expected) {
    std::ifstream in(file, std::ios::binary);
    REQUIRE(in.good());
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const std::string begin = "<!-- " + name + ":begin -->";
    const std::size_t from = text.find(begin);
    const std::size_t to = text.find("<!-- " + name + ":end -->");
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    REQUIRE(from < to);
    std::vector<std::string> documented;
    std::istringstream lines(text.substr(from + begin.size(), to - from - begin.size()));
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("| ", 0) == 0 && line.rfind("| ID ", 0) != 0 && line.rfind("| ---", 0) != 0) {
            documented.push_back(line);
        }
    }
    if (documented != expected) {  // Catch wraps long lines: the file is the one to paste from
        std::ofstream out(name + "-rows.md", std::ios::binary);
        for (const auto& line : expected) {
            out << line << "\n";
        }
    }
    INFO("the rows SECURITY.md should hold are in " << name << "-rows.md in the working directory");
    REQUIRE(documented.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(documented[i] == expected[i]);
    }
}

}  // namespace kore_catalogue

#endif
