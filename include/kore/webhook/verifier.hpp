#ifndef KORE_WEBHOOK_VERIFIER_HPP
#define KORE_WEBHOOK_VERIFIER_HPP

// The entry point: a verifier holds the configured secrets and judges callbacks.

#include <kore/webhook/digest.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/json_minifier.hpp>
#include <kore/webhook/length_extension_guard.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/scheme.hpp>
#include <kore/webhook/signing_input.hpp>
#include <kore/webhook/stream.hpp>
#include <kore/webhook/url.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kore::webhook {

template <class Scheme>
class basic_verifier {
public:
    using result_type = basic_result<Scheme>;
    using stream_type = basic_stream<Scheme>;
    using digest_type = typename Scheme::digest_type;

    // Throws std::invalid_argument for an empty secret, std::runtime_error when OpenSSL cannot
    // provide the digest. The secret's bytes are absorbed into a digest state, not stored.
    explicit basic_verifier(std::string_view secret, options opts = {})
        : options_(opts), md_(detail::fetch_digest(Scheme::digest_name)) {
        add_secret(secret);
    }

    // Several secrets: KORE's Active and Pending secret during a rotation. Each is tried on every
    // request, and which one matched does not show in the time taken. The strings are wiped.
    explicit basic_verifier(std::vector<std::string> secrets, options opts = {})
        : options_(opts), md_(detail::fetch_digest(Scheme::digest_name)) {
        if (secrets.empty()) {
            throw std::invalid_argument("kore-webhook: at least one webhook secret is required");
        }
        if (secrets.size() > max_secrets) {
            throw std::invalid_argument("kore-webhook: at most " + std::to_string(max_secrets) +
                                        " webhook secrets can be configured at once");
        }
        for (auto& secret : secrets) {
            add_secret(secret);
            detail::cleanse(secret);
        }
    }

    // Judges one callback. `registered_url` is the callback URL as registered with KORE (its query
    // and fragment are ignored), never one rebuilt from the request; `body` is the raw body;
    // `signature_header` is the kore-signature value, std::nullopt when the header is absent.
    [[nodiscard]] result_type verify(std::string_view method, std::string_view registered_url, std::string_view body,
                                     std::optional<std::string_view> signature_header) const noexcept {
        if (const auto ec = detail::check_request(method, registered_url)) {
            return result_type::refused(ec);
        }
        if (body.size() > options_.max_body_size) {
            return result_type::refused(make_error_code(errc::body_too_large));
        }
        digest_type expected{};
        if (auto settled = detail::judge_header<Scheme>(signature_header, options_, expected)) {
            return *settled;
        }

        const std::string_view url = signed_url(registered_url);
        std::array<digest_type, max_secrets> computed{};
        detail::hash_state state;
        bool ok = true;
        for (std::size_t i = 0; i < count_; ++i) {
            ok = detail::begin_signing_input(state, secrets_[i], method, url) && state.update(body) &&
                 state.finish(computed[i]) && ok;
        }
        if (!ok) {
            return result_type::refused(make_error_code(errc::crypto_failure));
        }
        const std::size_t match = detail::find_match(computed, count_, expected);
        if (match != detail::no_match) {
            if (extended(body, detail::prefix_length(secrets_[match], method, url))) {
                return result_type::refused(make_error_code(errc::length_extension));
            }
            return result_type::verified_by(match, expected, false);
        }
        if (options_.json_whitespace_fallback) {
            return verify_minified_json(method, url, body, expected);
        }
        return result_type::refused(make_error_code(errc::signature_mismatch));
    }

    // The same verdict, thrown as std::system_error when the callback is refused.
    [[nodiscard]] result_type verify_or_throw(std::string_view method, std::string_view registered_url,
                                              std::string_view body,
                                              std::optional<std::string_view> signature_header) const {
        result_type r = verify(method, registered_url, body, signature_header);
        if (!r) {
            throw std::system_error(r.error());
        }
        return r;
    }

    // Starts verifying a body that arrives in pieces: update() each piece, then finish(header).
    // The stream copies what it needs; it does not refer back to the verifier.
    [[nodiscard]] stream_type start(std::string_view method, std::string_view registered_url) const noexcept {
        return stream_type(secrets_.data(), count_, options_, method, registered_url);
    }

    [[nodiscard]] const options& get_options() const noexcept { return options_; }
    [[nodiscard]] std::size_t secret_count() const noexcept { return count_; }

private:
    void add_secret(std::string_view secret) {
        if (secret.empty()) {
            throw std::invalid_argument("kore-webhook: a webhook secret must not be empty");
        }
        detail::keyed_secret& keyed = secrets_[count_];
        if (!keyed.state.init(md_.get()) || !keyed.state.update(secret)) {
            throw std::runtime_error("kore-webhook: OpenSSL failed to start a digest");
        }
        keyed.secret_length = secret.size();
        ++count_;
    }

    static bool extended(std::string_view body, std::uint64_t prefix_length) noexcept {
        if constexpr (Scheme::secret_prefix_sha256) {
            detail::body_window window;
            window.advance(body);
            detail::length_extension_guard guard(prefix_length);
            guard.scan(window);
            return guard.found();
        } else {
            return false;
        }
    }

    // The second try of spec 2: only a valid JSON text that had insignificant whitespace.
    [[nodiscard]] result_type verify_minified_json(std::string_view method, std::string_view url, std::string_view body,
                                                   const digest_type& expected) const noexcept {
        // Up to the first insignificant whitespace the minified body is the raw one, already
        // tried: a body that is not JSON, or has nothing to remove, costs no hashing here.
        detail::json_minifier json;
        const std::size_t space = json.feed_until_whitespace(body);
        if (space == body.size()) {
            return result_type::refused(make_error_code(errc::signature_mismatch));
        }
        std::array<detail::hash_state, max_secrets> states;
        bool ok = true;
        for (std::size_t i = 0; i < count_; ++i) {
            ok = detail::begin_signing_input(states[i], secrets_[i], method, url) &&
                 states[i].update(body.substr(0, space)) && ok;
        }
        json.feed(body.substr(space + 1), [&](std::string_view run) noexcept {
            for (std::size_t i = 0; i < count_; ++i) {
                ok = states[i].update(run) && ok;
            }
        });
        if (!json.complete()) {
            return result_type::refused(make_error_code(errc::signature_mismatch));
        }
        std::array<digest_type, max_secrets> computed{};
        for (std::size_t i = 0; i < count_; ++i) {
            ok = states[i].finish(computed[i]) && ok;
        }
        if (!ok) {
            return result_type::refused(make_error_code(errc::crypto_failure));
        }
        const std::size_t match = detail::find_match(computed, count_, expected);
        if (match != detail::no_match) {
            return result_type::verified_by(match, expected, true);
        }
        return result_type::refused(make_error_code(errc::signature_mismatch));
    }

    options options_;
    detail::evp_md_ptr md_;
    std::array<detail::keyed_secret, max_secrets> secrets_{};
    std::size_t count_ = 0;
};

using verifier = basic_verifier<kore_sha256>;

}  // namespace kore::webhook

#endif
