#ifndef KORE_WEBHOOK_TWILIO_HPP
#define KORE_WEBHOOK_TWILIO_HPP

// The legacy Twilio scheme (spec 4), for callbacks still signed with X-Twilio-Signature:
//
//   base64( HMAC-SHA1( auth token, full URL || name1 || value1 || name2 || value2 ... ) )
//
// with form parameters percent-decoded and sorted by name, then value; the URL is the one Twilio
// requested, query included, and is tried with its port removed and with the default port added
// (Twilio is inconsistent about ports). JSON bodies are not in the HMAC: the URL carries their
// SHA-256 as bodySHA256, checked here too. Unlike KORE's verifier this one allocates (it sorts).

#include <kore/webhook/digest.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/signature_header.hpp>
#include <kore/webhook/signing_input.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

namespace kore::webhook {

struct twilio_hmac_sha1 {
    using digest_type = std::array<unsigned char, 20>;
    static constexpr const char* digest_name = "SHA1";
    static constexpr bool secret_prefix_sha256 = false;

    static bool decode_signature(std::string_view trimmed, digest_type& out) noexcept {
        return detail::decode_base64(trimmed, out);
    }
    static std::string encode_signature(const digest_type& digest) { return detail::encode_base64(digest); }
};

namespace twilio {

inline constexpr std::string_view signature_header_name = "X-Twilio-Signature";
inline constexpr std::string_view body_hash_parameter = "bodySHA256";

using result = basic_result<twilio_hmac_sha1>;

struct parameter {
    std::string name;
    std::string value;
};

namespace detail {

using kore::webhook::detail::ascii_lower;

// application/x-www-form-urlencoded: '&'-separated name=value pairs, '+' for space, %XX escapes.
inline bool percent_decode(std::string_view text, std::string& out) {
    out.clear();
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out.push_back(' ');
        } else if (text[i] == '%') {
            const int high = i + 2 < text.size() ? kore::webhook::detail::hex_digit_value(text[i + 1]) : -1;
            const int low = i + 2 < text.size() ? kore::webhook::detail::hex_digit_value(text[i + 2]) : -1;
            if (high < 0 || low < 0) {
                return false;
            }
            out.push_back(static_cast<char>((high << 4) | low));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return true;
}

inline bool parse_form(std::string_view body, std::vector<parameter>& out) {
    while (!body.empty()) {
        const std::size_t amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        const std::size_t eq = pair.find('=');
        parameter p;
        if (!percent_decode(pair.substr(0, eq), p.name) ||
            !percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), p.value)) {
            return false;
        }
        out.push_back(std::move(p));
    }
    return true;
}

// The URL with its explicit port removed, and with the scheme's default port added when it has
// none: the two spellings Twilio's own libraries accept. One of them is always the URL as given.
inline std::array<std::string, 2> port_variants(std::string_view url) {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return {std::string(url), std::string(url)};
    }
    const std::string_view scheme = url.substr(0, scheme_end);
    const std::size_t host_start = scheme_end + 3;
    const std::size_t authority_end = std::min(url.find_first_of("/?#", host_start), url.size());
    const std::string_view authority = url.substr(host_start, authority_end - host_start);
    const std::size_t bracket = authority.rfind(']');  // an IPv6 literal's colons are not a port
    const std::size_t colon = authority.rfind(':');
    const bool has_port = colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
    const std::string_view host = has_port ? authority.substr(0, colon) : authority;
    const std::string prefix = std::string(url.substr(0, host_start)) + std::string(host);
    const std::string rest(url.substr(authority_end));

    std::string lowered(scheme);
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), ascii_lower);
    const std::string default_port = lowered == "https" ? ":443" : lowered == "http" ? ":80" : "";
    std::string with_port = has_port ? std::string(url) : prefix + default_port + rest;
    return {prefix + rest, std::move(with_port)};
}

inline std::optional<std::string_view> query_parameter(std::string_view url, std::string_view name) {
    std::size_t query = url.find('?');
    if (query == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view rest = url.substr(query + 1);
    rest = rest.substr(0, rest.find('#'));
    while (!rest.empty()) {
        const std::size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
            return pair.substr(eq + 1);
        }
    }
    return std::nullopt;
}

}  // namespace detail

// What Twilio sends for these inputs; for tests and simulators.
inline std::string sign(std::string_view auth_token, std::string_view url, std::vector<parameter> params) {
    if (auth_token.empty()) {
        throw std::invalid_argument("kore-webhook: a Twilio auth token must not be empty");
    }
    static const kore::webhook::detail::evp_mac_ptr hmac = kore::webhook::detail::fetch_mac("HMAC");
    std::sort(params.begin(), params.end(), [](const parameter& a, const parameter& b) {
        return std::tie(a.name, a.value) < std::tie(b.name, b.value);
    });
    kore::webhook::detail::mac_state state;
    twilio_hmac_sha1::digest_type digest{};
    bool ok = state.init(hmac.get(), twilio_hmac_sha1::digest_name, auth_token) && state.update(url);
    for (const parameter& p : params) {
        ok = ok && state.update(p.name) && state.update(p.value);
    }
    if (!ok || !state.finish(digest)) {
        throw std::runtime_error("kore-webhook: OpenSSL failed to compute HMAC-SHA1");
    }
    return twilio_hmac_sha1::encode_signature(digest);
}

class verifier {
public:
    using digest_type = twilio_hmac_sha1::digest_type;

    explicit verifier(std::string_view auth_token, options opts = {}) : verifier(opts) { add_token(auth_token); }

    explicit verifier(std::vector<std::string> auth_tokens, options opts = {}) : verifier(opts) {
        if (auth_tokens.empty() || auth_tokens.size() > max_secrets) {
            throw std::invalid_argument("kore-webhook: between 1 and " + std::to_string(max_secrets) +
                                        " Twilio auth tokens are required");
        }
        for (auto& token : auth_tokens) {
            add_token(token);
            kore::webhook::detail::cleanse(token);
        }
    }

    // `url` is the full URL Twilio requested, query included; `params` the decoded form
    // parameters as the framework parsed them (none for a GET).
    [[nodiscard]] result verify(std::string_view url, std::vector<parameter> params,
                                std::optional<std::string_view> signature_header) const noexcept {
        try {
            digest_type expected{};
            if (const auto ec = read_header(signature_header, expected)) {
                return result::refused(ec);
            }
            std::sort(params.begin(), params.end(), [](const parameter& a, const parameter& b) {
                return std::tie(a.name, a.value) < std::tie(b.name, b.value);
            });
            return compare(url, params, expected);
        } catch (const std::bad_alloc&) {
            return result::refused(std::make_error_code(std::errc::not_enough_memory));
        }
    }

    // A form POST given as its raw application/x-www-form-urlencoded body.
    [[nodiscard]] result verify_form(std::string_view url, std::string_view body,
                                     std::optional<std::string_view> signature_header) const noexcept {
        if (body.size() > options_.max_body_size) {
            return result::refused(make_error_code(errc::body_too_large));
        }
        try {
            std::vector<parameter> params;
            if (!detail::parse_form(body, params)) {
                return result::refused(make_error_code(errc::malformed_body));
            }
            return verify(url, std::move(params), signature_header);
        } catch (const std::bad_alloc&) {
            return result::refused(std::make_error_code(std::errc::not_enough_memory));
        }
    }

    // A JSON body: the HMAC covers the URL only, which carries bodySHA256 = hex SHA-256(body).
    [[nodiscard]] result verify_json(std::string_view url, std::string_view body,
                                     std::optional<std::string_view> signature_header) const noexcept {
        if (body.size() > options_.max_body_size) {
            return result::refused(make_error_code(errc::body_too_large));
        }
        digest_type expected{};
        if (const auto ec = read_header(signature_header, expected)) {
            return result::refused(ec);
        }
        std::array<unsigned char, 32> claimed{};
        std::array<unsigned char, 32> actual{};
        const auto parameter_value = detail::query_parameter(url, body_hash_parameter);
        kore::webhook::detail::hash_state hash;
        if (!hash.init(sha256_.get()) || !hash.update(body) || !hash.finish(actual)) {
            return result::refused(make_error_code(errc::crypto_failure));
        }
        if (!parameter_value || !kore::webhook::detail::decode_hex(*parameter_value, claimed) ||
            !kore::webhook::detail::equal_digests(claimed, actual)) {
            return result::refused(make_error_code(errc::body_hash_mismatch));
        }
        try {
            return compare(url, {}, expected);
        } catch (const std::bad_alloc&) {
            return result::refused(std::make_error_code(std::errc::not_enough_memory));
        }
    }

    [[nodiscard]] std::size_t token_count() const noexcept { return count_; }

private:
    explicit verifier(options opts)
        : options_(opts),
          hmac_(kore::webhook::detail::fetch_mac("HMAC")),
          sha256_(kore::webhook::detail::fetch_digest("SHA256")) {}

    void add_token(std::string_view token) {
        if (token.empty()) {
            throw std::invalid_argument("kore-webhook: a Twilio auth token must not be empty");
        }
        if (!keyed_[count_].init(hmac_.get(), twilio_hmac_sha1::digest_name, token)) {
            throw std::runtime_error("kore-webhook: OpenSSL failed to start HMAC-SHA1");
        }
        ++count_;
    }

    std::error_code read_header(std::optional<std::string_view> header, digest_type& expected) const noexcept {
        kore::webhook::detail::header_state state = kore::webhook::detail::header_state::signature;
        options strict = options_;
        strict.allow_unsigned = false;  // Twilio always signs: an empty header is never acceptable
        return kore::webhook::detail::read_signature<twilio_hmac_sha1>(header, strict, expected, state);
    }

    // Every token against both URL spellings, without stopping at the first match.
    [[nodiscard]] result compare(std::string_view url, const std::vector<parameter>& sorted,
                                 const digest_type& expected) const {
        const auto urls = detail::port_variants(url);
        std::array<digest_type, 2 * max_secrets> computed{};
        bool ok = true;
        for (std::size_t t = 0; t < count_; ++t) {
            for (std::size_t u = 0; u < urls.size(); ++u) {
                kore::webhook::detail::mac_state state;
                ok = state.copy_from(keyed_[t]) && state.update(urls[u]) && ok;
                for (const parameter& p : sorted) {
                    ok = state.update(p.name) && state.update(p.value) && ok;
                }
                ok = state.finish(computed[2 * t + u]) && ok;
            }
        }
        if (!ok) {
            return result::refused(make_error_code(errc::crypto_failure));
        }
        const std::size_t match = kore::webhook::detail::find_match(computed, 2 * count_, expected);
        if (match == kore::webhook::detail::no_match) {
            return result::refused(make_error_code(errc::signature_mismatch));
        }
        return result::verified_by(match / 2, expected, false);
    }

    options options_;
    kore::webhook::detail::evp_mac_ptr hmac_;
    kore::webhook::detail::evp_md_ptr sha256_;
    std::array<kore::webhook::detail::mac_state, max_secrets> keyed_{};
    std::size_t count_ = 0;
};

}  // namespace twilio
}  // namespace kore::webhook

#endif
