#ifndef KORE_WEBHOOK_VERIFIER_HPP
#define KORE_WEBHOOK_VERIFIER_HPP

// The entry point: a verifier holds the configured secrets (and, usually, the URL registered with
// KORE) and judges callbacks, in one call (verify) or as the body arrives (start -> stream, or
// body_verification for a server's read loop).
//
//   const kore::webhook::verifier v{secret, "https://example.com/kore/callback"};
//   const kore::webhook::result r = v.verify(kore::webhook::request_head{method, target, signature}, body);
//   if (!r) return kore::webhook::http_status(r);

#include <kore/webhook/detail/context_pool.hpp>
#include <kore/webhook/detail/decision.hpp>
#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/detail/length_extension_guard.hpp>
#include <kore/webhook/detail/minified_digests.hpp>
#include <kore/webhook/detail/request_check.hpp>
#include <kore/webhook/detail/signing_input.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/request_head.hpp>
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
    // provide SHA-256. The secret's bytes are kept for the verifier's life and wiped when it ends.
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

    // The same, for callbacks to one registered URL: the callback URL exactly as registered with
    // KORE (its query is the one requests must carry; see verify(head, body)). Throws
    // std::invalid_argument when it is not an absolute http(s) URL.
    verifier(std::string_view secret, std::string_view registered_url, options opts = {}) : verifier(secret, opts) {
        bind_url(registered_url);
    }
    verifier(std::vector<std::string> secrets, std::string_view registered_url, options opts = {})
        : verifier(std::move(secrets), opts) {
        bind_url(registered_url);
    }

    // A moved-from verifier holds no secret and refuses everything with errc::moved_from.
    verifier(verifier&& other) noexcept
        : options_(other.options_),
          md_(std::move(other.md_)),
          secrets_(std::move(other.secrets_)),
          count_(std::exchange(other.count_, 0)),
          registered_url_(std::move(other.registered_url_)) {}
    verifier& operator=(verifier&& other) noexcept {
        options_ = other.options_;
        md_ = std::move(other.md_);
        secrets_ = std::move(other.secrets_);
        count_ = std::exchange(other.count_, 0);
        registered_url_ = std::move(other.registered_url_);
        return *this;
    }
    verifier(const verifier&) = delete;
    verifier& operator=(const verifier&) = delete;
    ~verifier() = default;

    // Judges one callback, every rule of docs/protocol.md section 3: the request's head (method,
    // query, repeated signature, declared length) and the raw body against the registered URL the
    // verifier was built with (errc::invalid_url when it was built without one).
    [[nodiscard]] result verify(const request_head& head, std::string_view body) const noexcept {
        return verify(head, registered_url_, body);
    }

    // The same against `registered_url`, the callback URL as registered with KORE, never one
    // rebuilt from the request.
    [[nodiscard]] result verify(const request_head& head, std::string_view registered_url,
                                std::string_view body) const noexcept {
        if (count_ == 0) {
            return result::refused(make_error_code(errc::moved_from));
        }
        if (const auto ec = detail::check_head(head, registered_url, options_)) {
            return result::refused(ec);
        }
        return judge(head.method(), registered_url, body, head.signature());
    }

    // The signature alone, for a request known only by its method: no query rule, no repeated
    // header (use a request_head for those). `registered_url` is the callback URL as registered
    // with KORE (its query and fragment are ignored); `signature_header` is the kore-signature
    // value, std::nullopt when the header is absent.
    [[nodiscard]] result verify(std::string_view method, std::string_view registered_url, std::string_view body,
                                std::optional<std::string_view> signature_header) const noexcept {
        if (count_ == 0) {
            return result::refused(make_error_code(errc::moved_from));
        }
        if (const auto ec = detail::check_request(method, registered_url)) {
            return result::refused(ec);
        }
        return judge(method, registered_url, body, signature_header);
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
    // The stream copies what it needs and may outlive the verifier. The head's rules are decided
    // here: stream::error() is set at once when the head alone refuses the request.
    [[nodiscard]] stream start(const request_head& head) const noexcept { return start(head, registered_url_); }
    [[nodiscard]] stream start(const request_head& head, std::string_view registered_url) const noexcept {
        return begin_stream(head.method(), registered_url, detail::check_head(head, registered_url, options_), false);
    }
    // The signature alone, as verify(method, url, body, header).
    [[nodiscard]] stream start(std::string_view method, std::string_view registered_url) const noexcept {
        return begin_stream(method, registered_url, detail::check_request(method, registered_url), false);
    }

    [[nodiscard]] const options& get_options() const noexcept { return options_; }
    [[nodiscard]] std::size_t secret_count() const noexcept { return count_; }
    // The registered URL given at construction; empty when none was.
    [[nodiscard]] std::string_view registered_url() const noexcept { return registered_url_; }

private:
    friend class body_verification;  // streams with the JSON fallback left to the kept body

    void bind_url(std::string_view registered_url) {
        if (!detail::is_registered_url(registered_url)) {
            throw std::invalid_argument(
                "kore-webhook: the registered URL must be an absolute http(s) URL, exactly as registered with KORE");
        }
        registered_url_ = std::string(registered_url);
    }

    [[nodiscard]] stream begin_stream(std::string_view method, std::string_view registered_url, std::error_code refusal,
                                      bool fallback_on_kept_body) const noexcept {
        if (count_ == 0) {
            refusal = make_error_code(errc::moved_from);
        }
        return {secrets_.data(), refusal ? 0 : count_, options_, method, registered_url,
                refusal,         fallback_on_kept_body};
    }

    [[nodiscard]] result judge(std::string_view method, std::string_view registered_url, std::string_view body,
                               std::optional<std::string_view> signature_header) const noexcept {
        if (body.size() > options_.max_body_size) {
            return result::refused(make_error_code(errc::body_too_large));
        }
        one_shot_digests digests{*this, method, signed_url(registered_url), body};
        return result::from(detail::decide(signature_header, options_, count_, digests));
    }

    void add_secret(std::string_view secret) {
        if (secret.empty()) {
            throw std::invalid_argument("kore-webhook: a webhook secret must not be empty");
        }
        secrets_[count_].init(md_.get(), secret);
        ++count_;
    }

    // What detail::decide() asks of a verification, computed from the whole body on demand: a
    // refused header costs no hashing, and a body that is not JSON no second digest.
    struct one_shot_digests {
        const verifier& v;
        std::string_view method;
        std::string_view url;  // cut by signed_url()
        std::string_view body;

        bool raw_digests(detail::kore_digests& out) const noexcept {
            bool ok = true;
            detail::hash_state state(v.contexts_.take());  // one context for every secret
            for (std::size_t i = 0; i < v.count_; ++i) {
                ok = v.secrets_[i].begin(state, method, url) && state.update(body) && state.finish(out[i]) && ok;
            }
            v.contexts_.give(state.release());
            return ok;
        }

        [[nodiscard]] bool extended(std::size_t secret) const noexcept {
            detail::body_window window;
            window.advance(body);
            detail::length_extension_guard guard(v.secrets_[secret].prefix_length(method, url));
            guard.scan(window);
            return guard.found();
        }

        detail::minified_result minified_digests(detail::kore_digests& out) const noexcept {
            return detail::minified_over(
                body, v.count_,
                [this](std::size_t i, detail::hash_state& state) noexcept {
                    return v.secrets_[i].begin(state, method, url);
                },
                out);
        }
    };

    options options_;
    detail::evp_md_ptr md_;
    std::array<detail::keyed_secret, max_secrets> secrets_{};
    std::size_t count_ = 0;
    std::string registered_url_;
    mutable detail::context_pool contexts_;  // not moved: each verifier keeps its own
};

}  // namespace kore::webhook

#endif
