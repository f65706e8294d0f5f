#ifndef KORE_WEBHOOK_TWILIO_VERIFIER_HPP
#define KORE_WEBHOOK_TWILIO_VERIFIER_HPP

// The legacy Twilio verifier (docs/protocol.md, section 4), for callbacks still signed with
// X-Twilio-Signature:
//
//   base64( HMAC-SHA1( auth token, full URL || name1 || value1 || name2 || value2 ... ) )
//
// with form parameters percent-decoded and sorted by name, then value; the URL is the one Twilio
// requested, query included, and is tried with its port removed and with the default port added
// (Twilio is inconsistent about ports). JSON bodies are not in the HMAC: the URL carries their
// SHA-256 as bodySHA256, checked here too. Unlike KORE's verifier this one allocates (it sorts).
//
// Of kore::webhook::options only max_body_size applies. allow_unsigned is ignored (Twilio always
// signs, so an empty header is always refused), json_whitespace_fallback is ignored (bodySHA256
// covers the raw bytes), and allow_get_query does not apply (the query is signed).

#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/detail/hex.hpp>
#include <kore/webhook/detail/signature_value.hpp>
#include <kore/webhook/detail/verdict.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/twilio/detail/form.hpp>
#include <kore/webhook/twilio/detail/signing_input.hpp>
#include <kore/webhook/twilio/detail/url.hpp>
#include <kore/webhook/twilio/scheme.hpp>

#include <array>
#include <cstddef>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kore::webhook::twilio {

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
            detail::cleanse(token);
        }
    }

    // A moved-from verifier holds no token and refuses everything with errc::moved_from (not
    // with an OpenSSL failure, which is what its emptied HMAC states would otherwise report).
    verifier(verifier&& other) noexcept
        : options_(other.options_),
          hmac_(std::move(other.hmac_)),
          sha256_(std::move(other.sha256_)),
          keyed_(std::move(other.keyed_)),
          count_(std::exchange(other.count_, 0)) {}
    verifier& operator=(verifier&& other) noexcept {
        options_ = other.options_;
        hmac_ = std::move(other.hmac_);
        sha256_ = std::move(other.sha256_);
        keyed_ = std::move(other.keyed_);
        count_ = std::exchange(other.count_, 0);
        return *this;
    }
    verifier(const verifier&) = delete;
    verifier& operator=(const verifier&) = delete;
    ~verifier() = default;

    // `url` is the full URL Twilio requested, query included; `params` the decoded form
    // parameters as the framework parsed them (none for a GET).
    [[nodiscard]] result verify(std::string_view url, std::vector<parameter> params,
                                std::optional<std::string_view> signature_header) const noexcept {
        if (const auto ec = refusal_before(0)) {
            return result::refused(ec);
        }
        return or_out_of_memory([&] {
            digest_type expected{};
            if (const auto ec = read_header(signature_header, expected)) {
                return result::refused(ec);
            }
            detail::sort_twilio_parameters(params);
            return result::from(compare(url, params, expected));
        });
    }

    // A form POST given as its raw application/x-www-form-urlencoded body.
    [[nodiscard]] result verify_form(std::string_view url, std::string_view body,
                                     std::optional<std::string_view> signature_header) const noexcept {
        if (const auto ec = refusal_before(body.size())) {
            return result::refused(ec);
        }
        return or_out_of_memory([&] {
            std::vector<parameter> params;
            if (!detail::parse_form(body, params)) {
                return result::refused(make_error_code(errc::malformed_body));
            }
            return verify(url, std::move(params), signature_header);
        });
    }

    // A JSON body: the HMAC covers the URL only, which carries bodySHA256 = hex SHA-256(body).
    [[nodiscard]] result verify_json(std::string_view url, std::string_view body,
                                     std::optional<std::string_view> signature_header) const noexcept {
        if (const auto ec = refusal_before(body.size())) {
            return result::refused(ec);
        }
        digest_type expected{};
        if (const auto ec = read_header(signature_header, expected)) {
            return result::refused(ec);
        }
        std::array<unsigned char, 32> claimed{};
        std::array<unsigned char, 32> actual{};
        const auto parameter_value = detail::query_parameter(url, body_hash_parameter);
        detail::hash_state hash;
        if (!hash.init(sha256_.get()) || !hash.update(body) || !hash.finish(actual)) {
            return result::refused(make_error_code(errc::crypto_failure));
        }
        if (!parameter_value || !detail::decode_hex(*parameter_value, claimed) ||
            !detail::equal_digests(claimed, actual)) {
            return result::refused(make_error_code(errc::body_hash_mismatch));
        }
        return or_out_of_memory([&] { return result::from(compare(url, {}, expected)); });
    }

    [[nodiscard]] std::size_t token_count() const noexcept { return count_; }

private:
    using twilio_verdict = detail::verdict<digest_type>;

    explicit verifier(options opts)
        : options_(opts), hmac_(detail::fetch_mac("HMAC")), sha256_(detail::fetch_digest("SHA256")) {}

    void add_token(std::string_view token) {
        if (token.empty()) {
            throw std::invalid_argument("kore-webhook: a Twilio auth token must not be empty");
        }
        if (!keyed_[count_].init(hmac_.get(), "SHA1", token)) {
            throw std::runtime_error("kore-webhook: OpenSSL failed to start HMAC-SHA1");
        }
        ++count_;
    }

    // What every verify refuses before reading the request: a moved-from verifier (it holds no
    // token), then a body over options::max_body_size (`body_size` 0 where the body is parsed).
    [[nodiscard]] std::error_code refusal_before(std::size_t body_size) const noexcept {
        if (count_ == 0) {
            return make_error_code(errc::moved_from);
        }
        if (body_size > options_.max_body_size) {
            return make_error_code(errc::body_too_large);
        }
        return {};
    }

    // Runs a step that allocates: running out of memory refuses the request, never throws.
    template <class Step>
    static result or_out_of_memory(Step&& step) noexcept {
        try {
            return std::forward<Step>(step)();
        } catch (const std::bad_alloc&) {
            return result::refused(std::make_error_code(std::errc::not_enough_memory));
        }
    }

    // Twilio always signs: an empty header is never acceptable, whatever options::allow_unsigned says.
    static std::error_code read_header(std::optional<std::string_view> header, digest_type& expected) noexcept {
        detail::signature_value kind = detail::signature_value::digest;
        return detail::read_signature<twilio_hmac_sha1>(header, false, expected, kind);
    }

    // Every token against both URL spellings, without stopping at the first match.
    [[nodiscard]] twilio_verdict compare(std::string_view url, const std::vector<parameter>& sorted,
                                         const digest_type& expected) const {
        const auto urls = detail::twilio_port_variants(url);
        std::array<digest_type, 2 * max_secrets> computed{};
        bool ok = true;
        for (std::size_t t = 0; t < count_; ++t) {
            for (std::size_t u = 0; u < urls.size(); ++u) {
                detail::mac_state state;
                ok = state.copy_from(keyed_[t]) && detail::add_twilio_signing_input(state, urls[u], sorted) &&
                     state.finish(computed[2 * t + u]) && ok;
            }
        }
        if (!ok) {
            return twilio_verdict::refuse(make_error_code(errc::crypto_failure));
        }
        const std::size_t match = detail::find_match(computed, 2 * count_, expected);
        if (match == detail::no_match) {
            return twilio_verdict::refuse(make_error_code(errc::signature_mismatch));
        }
        return twilio_verdict::verified(expected, match / 2, false);
    }

    options options_;
    detail::evp_mac_ptr hmac_;
    detail::evp_md_ptr sha256_;
    std::array<detail::mac_state, max_secrets> keyed_{};
    std::size_t count_ = 0;
};

}  // namespace kore::webhook::twilio

#endif
