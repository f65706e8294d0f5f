#ifndef KORE_WEBHOOK_VERIFIER_HPP
#define KORE_WEBHOOK_VERIFIER_HPP

// The entry point: a verifier holds the configured secrets and judges callbacks, in one call
// (verify) or as the body arrives (start -> stream).

#include <kore/webhook/detail/decision.hpp>
#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/detail/json_minifier.hpp>
#include <kore/webhook/detail/length_extension_guard.hpp>
#include <kore/webhook/detail/request_check.hpp>
#include <kore/webhook/detail/signing_input.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/scheme.hpp>
#include <kore/webhook/stream.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kore::webhook {

class verifier {
public:
    // Throws std::invalid_argument for an empty secret, std::runtime_error when OpenSSL cannot
    // provide SHA-256. The secret's bytes are absorbed into a digest state, not stored.
    explicit verifier(std::string_view secret, options opts = {})
        : options_(opts), md_(detail::fetch_digest("SHA256")) {
        add_secret(secret);
    }

    // Several secrets: KORE's Active and Pending secret during a rotation. Each is tried on every
    // request, and which one matched does not show in the time taken. The strings are wiped.
    explicit verifier(std::vector<std::string> secrets, options opts = {})
        : options_(opts), md_(detail::fetch_digest("SHA256")) {
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

    // A moved-from verifier holds no secret and refuses everything with errc::moved_from.
    verifier(verifier&& other) noexcept
        : options_(other.options_),
          md_(std::move(other.md_)),
          secrets_(std::move(other.secrets_)),
          count_(std::exchange(other.count_, 0)) {}
    verifier& operator=(verifier&& other) noexcept {
        options_ = other.options_;
        md_ = std::move(other.md_);
        secrets_ = std::move(other.secrets_);
        count_ = std::exchange(other.count_, 0);
        return *this;
    }
    verifier(const verifier&) = delete;
    verifier& operator=(const verifier&) = delete;
    ~verifier() = default;

    // Judges one callback. `registered_url` is the callback URL as registered with KORE (its query
    // and fragment are ignored), never one rebuilt from the request; `body` is the raw body;
    // `signature_header` is the kore-signature value, std::nullopt when the header is absent.
    [[nodiscard]] result verify(std::string_view method, std::string_view registered_url, std::string_view body,
                                std::optional<std::string_view> signature_header) const noexcept {
        if (count_ == 0) {
            return result::refused(make_error_code(errc::moved_from));
        }
        if (const auto ec = detail::check_request(method, registered_url)) {
            return result::refused(ec);
        }
        if (body.size() > options_.max_body_size) {
            return result::refused(make_error_code(errc::body_too_large));
        }
        one_shot_digests digests{*this, method, registered_url, body};
        return result::from(detail::decide(signature_header, options_, count_, digests));
    }

    // The same verdict, thrown as std::system_error when the callback is refused.
    [[nodiscard]] result verify_or_throw(std::string_view method, std::string_view registered_url,
                                         std::string_view body,
                                         std::optional<std::string_view> signature_header) const {
        result r = verify(method, registered_url, body, signature_header);
        if (!r) {
            throw std::system_error(r.error());
        }
        return r;
    }

    // Starts verifying a body that arrives in pieces: update() each piece, then finish(header).
    // The stream copies what it needs and may outlive the verifier.
    [[nodiscard]] stream start(std::string_view method, std::string_view registered_url) const noexcept {
        stream s(secrets_.data(), count_, options_, method, registered_url);
        if (count_ == 0) {
            s.error_ = make_error_code(errc::moved_from);
        }
        return s;
    }

    [[nodiscard]] const options& get_options() const noexcept { return options_; }
    [[nodiscard]] std::size_t secret_count() const noexcept { return count_; }

private:
    void add_secret(std::string_view secret) {
        if (secret.empty()) {
            throw std::invalid_argument("kore-webhook: a webhook secret must not be empty");
        }
        if (!secrets_[count_].init(md_.get(), secret)) {
            throw std::runtime_error("kore-webhook: OpenSSL failed to start a SHA-256 digest");
        }
        ++count_;
    }

    // What detail::decide() asks of a verification, computed from the whole body on demand: a
    // refused header costs no hashing, and a body that is not JSON no second digest.
    struct one_shot_digests {
        const verifier& v;
        std::string_view method;
        std::string_view url;
        std::string_view body;

        bool raw_digests(detail::kore_digests& out) const noexcept {
            bool ok = true;
            detail::hash_state state;  // one context for every secret: copying into it costs less than a new one
            for (std::size_t i = 0; i < v.count_; ++i) {
                ok = v.secrets_[i].begin(state, method, url) && state.update(body) && state.finish(out[i]) && ok;
            }
            return ok;
        }

        [[nodiscard]] bool extended(std::size_t secret) const noexcept {
            detail::body_window window;
            window.advance(body);
            detail::length_extension_guard guard(v.secrets_[secret].prefix_length(method, url));
            guard.scan(window);
            return guard.found();
        }

        // Up to the first insignificant whitespace the minified body is the raw one, already
        // tried: a body that is not JSON, or has nothing to remove, costs no hashing here.
        detail::minified_result minified_digests(detail::kore_digests& out) const noexcept {
            detail::json_minifier json;
            const std::size_t space = json.feed_until_whitespace(body);
            if (space == body.size()) {
                return detail::minified_result::not_applicable;
            }
            std::array<detail::hash_state, max_secrets> states;
            bool ok = true;
            for (std::size_t i = 0; i < v.count_; ++i) {
                ok = v.secrets_[i].begin(states[i], method, url) && states[i].update(body.substr(0, space)) && ok;
            }
            json.feed(body.substr(space + 1), [&](std::string_view run) noexcept {
                for (std::size_t i = 0; i < v.count_; ++i) {
                    ok = states[i].update(run) && ok;
                }
            });
            if (!json.complete()) {
                return detail::minified_result::not_applicable;
            }
            for (std::size_t i = 0; i < v.count_; ++i) {
                ok = states[i].finish(out[i]) && ok;
            }
            return ok ? detail::minified_result::computed : detail::minified_result::failed;
        }
    };

    options options_;
    detail::evp_md_ptr md_;
    std::array<detail::keyed_secret, max_secrets> secrets_{};
    std::size_t count_ = 0;
};

}  // namespace kore::webhook

#endif
