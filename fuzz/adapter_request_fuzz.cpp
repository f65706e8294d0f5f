// Each adapter's request-to-verdict path without a socket (adapters/common.hpp): the
// kore-signature lookup over any header list, Content-Length, the query rule (docs/protocol.md,
// section 3.5) and the other checks made before the body, rebuild_url() for applications that
// opt in, then the streamed verdict and its HTTP status, each against a plain reference.
// Input: "<flags byte><METHOD> <target>\n<name>:<value>\n...\n\n<body>"; flags pick the options,
// whether the registered URL has a query, whether the peer is the trusted proxy, and whether the
// header is replaced by a true signature.
#include <kore/webhook.hpp>
#include <kore/webhook/adapters/common.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

namespace kw = kore::webhook;
namespace ad = kore::webhook::adapters;

struct header {
    std::string_view name;
    std::string_view value;
};

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
    }
    return out;
}

std::string_view trim(std::string_view text) {
    const std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// 1 to 19 ASCII digits after trimming spaces and tabs; anything else is no number.
std::optional<std::uint64_t> reference_content_length(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
    if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) {
        std::abort();  // 19 digits always fit in 64 bits
    }
    return value;
}

// The query: after the first '?' that comes before any '#', up to the '#'.
std::string_view reference_query(std::string_view url) {
    const std::string_view before_fragment = url.substr(0, url.find('#'));
    const std::size_t question = before_fragment.find('?');
    return question == std::string_view::npos ? std::string_view() : before_fragment.substr(question + 1);
}

std::optional<std::string_view> first(const std::vector<header>& headers, std::string_view name) {
    for (const header& h : headers) {
        if (lower(h.name) == name) {
            return h.value;
        }
    }
    return std::nullopt;
}

const kw::verifier& verifier_for(const kw::options& opts) {
    static const kw::verifier strict(std::vector<std::string>{"secret-a", "secret-b"});
    static const kw::verifier lenient = [] {
        kw::options o;
        o.allow_unsigned = true;
        o.allow_get_query = true;
        o.max_body_size = 64;
        return kw::verifier(std::vector<std::string>{"secret-a", "secret-b"}, o);
    }();
    return opts.allow_unsigned ? lenient : strict;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const unsigned flags = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::size_t head_end = rest.find("\n\n");
    const std::string_view head = rest.substr(0, head_end);
    const std::string_view body = head_end == std::string_view::npos ? std::string_view() : rest.substr(head_end + 2);
    const std::string_view request_line = head.substr(0, head.find('\n'));
    const std::string_view method = request_line.substr(0, request_line.find(' '));
    const std::string_view target =
        method.size() < request_line.size() ? request_line.substr(method.size() + 1) : std::string_view();
    std::vector<header> headers;
    for (std::string_view lines = request_line.size() < head.size() ? head.substr(request_line.size() + 1) : "";
         !lines.empty();) {
        const std::string_view line = lines.substr(0, lines.find('\n'));
        lines = line.size() < lines.size() ? lines.substr(line.size() + 1) : std::string_view();
        const std::size_t colon = line.find(':');
        headers.push_back({line.substr(0, colon), colon == std::string_view::npos ? "" : line.substr(colon + 1)});
    }

    kw::options opts;
    opts.allow_unsigned = (flags & 1) != 0;
    opts.allow_get_query = opts.allow_unsigned;
    opts.allow_unregistered_query = (flags & 0x80) != 0 && opts.allow_unsigned;
    opts.max_body_size = opts.allow_unsigned ? 64 : kw::default_max_body_size;
    const std::string_view registered =
        (flags & 0x40) != 0 ? "https://hooks.example/kore?tenant=7#f" : "https://hooks.example/kore";

    // The head keeps the first kore-signature value (as given; one too long to be a signature
    // becomes a value that is certainly malformed) and counts every one.
    kw::request_head request(method, target);
    std::size_t signatures = 0;
    for (const header& h : headers) {
        request.offer_header(h.name, h.value);
        signatures += lower(h.name) == "kore-signature" ? 1 : 0;
    }
    const auto first_signature = first(headers, "kore-signature");
    const bool overlong = first_signature && first_signature->size() > kw::request_head::max_signature_size;
    if (request.signature_count() != signatures ||
        (overlong ? request.signature() == first_signature : request.signature() != first_signature)) {
        std::abort();
    }
    if (overlong && kw::verifier("x").verify("POST", registered, "", request.signature()).error() !=
                        kw::errc::malformed_signature) {
        std::abort();
    }

    const auto declared = first(headers, "content-length");
    const std::optional<std::uint64_t> length = declared ? ad::parse_content_length(*declared) : std::nullopt;
    if (declared && length != reference_content_length(*declared)) {
        std::abort();
    }
    // The query rule: the request's query must be the registered URL's, whatever the method,
    // unless the application opted out (any method, or GET alone).
    const bool registered_query = reference_query(target) == reference_query(registered);
    if (kw::query_of(target) != reference_query(target)) {
        std::abort();
    }
    std::error_code expected_early;
    if (signatures > 1) {
        expected_early = kw::errc::duplicate_signature;
    } else if (!registered_query && !opts.allow_unregistered_query && !(method == "GET" && opts.allow_get_query)) {
        expected_early = kw::errc::query_not_signed;
    } else if (length && *length > opts.max_body_size) {
        expected_early = kw::errc::body_too_large;
    }
    if (length) {
        request.set_content_length(*length);
    }
    // A method that is not an HTTP token is refused before everything else.
    if (!kw::detail::is_http_method(method)) {
        expected_early = kw::errc::invalid_method;
    }
    const std::error_code early = kw::body_verification(kw::verifier("x", opts), registered, request).error();
    if (early != expected_early || (early && early != kw::errc::invalid_method && !ad::body_left_unread(early))) {
        std::abort();
    }

    // rebuild_url: forwarding headers count only from the trusted proxy, the path is the raw
    // target cut at '?' or '#', and whatever it builds is a registered URL the verifier takes.
    ad::rebuilt_url_config config;
    config.trusted_proxies = {"10.0.0.7"};
    ad::request_origin origin;
    origin.peer_address = (flags & 2) != 0 ? "10.0.0.7" : "192.0.2.1";
    origin.host = first(headers, "host");
    origin.forwarded_proto = first(headers, "x-forwarded-proto");
    origin.forwarded_host = first(headers, "x-forwarded-host");
    origin.raw_target = target;
    const std::optional<std::string> rebuilt = ad::rebuild_url(config, origin);
    const std::string_view path = kw::signed_url(target);
    if (rebuilt) {
        const bool https = rebuilt->rfind("https://", 0) == 0;
        const bool http = rebuilt->rfind("http://", 0) == 0;
        if ((!https && !http) || path.empty() || path.front() != '/' || rebuilt->size() < path.size() ||
            rebuilt->compare(rebuilt->size() - path.size(), path.size(), path) != 0 ||
            kw::detail::check_request("POST", *rebuilt)) {
            std::abort();
        }
        const std::string_view host = std::string_view(*rebuilt).substr(https ? 8 : 7);
        const std::string_view built_host = host.substr(0, host.size() - path.size());
        const bool forwarded = (flags & 2) != 0 && origin.forwarded_host;
        if (!forwarded && (!origin.host || built_host != trim(*origin.host))) {
            std::abort();  // an untrusted peer's X-Forwarded-Host is never believed
        }
        if (built_host.find_first_of("/?#@\\ ") != std::string_view::npos) {
            std::abort();
        }
    } else if (!path.empty() && path.front() == '/' && (flags & 2) == 0 && origin.host && !trim(*origin.host).empty() &&
               trim(*origin.host)
                       .find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") ==
                   std::string_view::npos) {
        std::abort();  // a plain Host and a path always give a URL
    }

    // The verdict: early refusals stand; otherwise the streamed body decides, exactly as one-shot.
    const std::string url = rebuilt ? *rebuilt : std::string(registered);
    const kw::verifier& v = verifier_for(opts);
    std::string signature;
    std::optional<std::string_view> header_value = request.signature();
    if ((flags & 4) != 0 && request.signature_count() < 2) {
        signature = kw::sign((flags & 8) != 0 ? "secret-b" : "secret-a", "POST", url, body);
        header_value = signature;
    }
    kw::result verdict = kw::result::refused(early);
    if (!early) {
        auto stream = v.start("POST", url);
        const std::size_t chunk = (flags >> 4) + 1;
        for (std::size_t at = 0; at < body.size(); at += chunk) {
            stream.update(body.substr(at, chunk));
        }
        verdict = stream.finish(header_value);
        const kw::result one_shot = v.verify("POST", url, body, header_value);
        if (verdict.error() != one_shot.error() || verdict.verified() != one_shot.verified()) {
            std::abort();
        }
        const bool genuine = (flags & 4) != 0 && request.signature_count() < 2 && body.size() <= opts.max_body_size;
        // A genuine signature verifies, unless the body carries length-extension glue aligned
        // for that secret (which a fuzzer can write as well as an attacker).
        if (genuine && verdict.error() != kw::errc::length_extension &&
            !(verdict.verified() && verdict.secret_index() == ((flags & 8) != 0 ? 1U : 0U))) {
            std::abort();
        }
    }
    const int status = ad::http_status(verdict);
    if (verdict ? status != 204 : (status < 400 || status > 500 || ad::error_body(verdict) == "ok")) {
        std::abort();
    }
    return 0;
}
