#ifndef KORE_WEBHOOK_STREAM_HPP
#define KORE_WEBHOOK_STREAM_HPP

// Verification of a body that arrives in pieces, without buffering it. Reaches exactly the
// verdict one-shot verify() reaches for the same bytes, however they are chunked: both hand their
// digests to the same decision (detail/decision.hpp).

#include <kore/webhook/detail/decision.hpp>
#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/detail/json/minifier.hpp>
#include <kore/webhook/detail/length_extension_guard.hpp>
#include <kore/webhook/detail/minified_digests.hpp>
#include <kore/webhook/detail/request_check.hpp>
#include <kore/webhook/detail/signing_input.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/url.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

namespace kore::webhook {

class stream {
public:
    // A moved-from stream ignores updates and finishes with errc::moved_from.
    stream(stream&& other) noexcept
        : options_(other.options_),
          lanes_(std::move(other.lanes_)),
          lane_count_(std::exchange(other.lane_count_, 0)),
          window_(other.window_),
          json_(other.json_),
          body_size_(other.body_size_),
          error_(std::exchange(other.error_, make_error_code(errc::moved_from))),
          crypto_ok_(other.crypto_ok_),
          json_forked_(other.json_forked_),
          json_on_kept_body_(other.json_on_kept_body_),
          finished_(std::exchange(other.finished_, false)) {}
    stream& operator=(stream&& other) noexcept {
        if (this != &other) {
            options_ = other.options_;
            lanes_ = std::move(other.lanes_);
            lane_count_ = std::exchange(other.lane_count_, 0);
            window_ = other.window_;
            json_ = other.json_;
            body_size_ = other.body_size_;
            error_ = std::exchange(other.error_, make_error_code(errc::moved_from));
            crypto_ok_ = other.crypto_ok_;
            json_forked_ = other.json_forked_;
            json_on_kept_body_ = other.json_on_kept_body_;
            finished_ = std::exchange(other.finished_, false);
        }
        return *this;
    }
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;
    ~stream() = default;

    // Adds the next piece of the raw body. Once the body passes options::max_body_size, the rest
    // is ignored unhashed and finish() reports errc::body_too_large.
    void update(std::string_view chunk) noexcept {
        if (finished_ || error_) {
            return;
        }
        if (chunk.size() > options_.max_body_size - body_size_) {
            error_ = make_error_code(errc::body_too_large);
            return;
        }
        body_size_ += chunk.size();
        window_.advance(chunk);
        for (std::size_t i = 0; i < lane_count_; ++i) {
            lanes_[i].guard.scan(window_);
        }
        window_.retire_chunk();
        if (!options_.json_whitespace_fallback || json_on_kept_body_ || json_.failed()) {
            update_raw(chunk);
        } else if (json_forked_) {
            update_raw(chunk);
            update_minified(chunk);
        } else {
            // Until the first insignificant whitespace the minified body is the raw body, so its
            // digest state is forked from the raw one only there: minified JSON costs nothing.
            const std::size_t space = json_.feed_until_whitespace(chunk);
            if (space == chunk.size()) {
                update_raw(chunk);
            } else {
                update_raw(chunk.substr(0, space));
                for (std::size_t i = 0; i < lane_count_; ++i) {
                    crypto_ok_ = lanes_[i].minified.copy_from(lanes_[i].raw) && crypto_ok_;
                }
                json_forked_ = true;
                update_raw(chunk.substr(space));
                update_minified(chunk.substr(space + 1));
            }
        }
    }

    // Ends the body and judges the signature header (std::nullopt: the header was absent).
    [[nodiscard]] result finish(std::optional<std::string_view> signature_header) noexcept {
        if (finished_) {
            return result::refused(make_error_code(errc::stream_finished));
        }
        finished_ = true;
        if (error_) {
            return result::refused(error_);
        }
        computed_digests digests{*this};
        return result::from(detail::decide(signature_header, options_, lane_count_, digests));
    }

    // An error already certain before the body ends (the request's head refused, body too large),
    // so that a server can stop reading; finish() reports the same error.
    [[nodiscard]] std::error_code error() const noexcept { return error_; }
    [[nodiscard]] std::uint64_t body_size() const noexcept { return body_size_; }

private:
    friend class verifier;           // start() is the only way to begin a stream
    friend class body_verification;  // finishes over the body it kept

    struct lane {
        detail::hash_state raw;
        detail::hash_state minified;  // with the fallback on the kept body: the keyed state, unfed
        detail::length_extension_guard guard;
    };

    // Copies what it needs from the keyed secrets: the stream never refers back to them. With
    // `json_on_kept_body` the JSON fallback is not streamed: the caller keeps the body and
    // finishes with finish_kept(), which minifies it only if the raw digest does not match.
    stream(const detail::keyed_secret* secrets, std::size_t count, const options& opts, std::string_view method,
           std::string_view registered_url, std::error_code refusal, bool json_on_kept_body) noexcept
        : options_(opts), lane_count_(count), error_(refusal), json_on_kept_body_(json_on_kept_body) {
        if (error_) {
            return;
        }
        const std::string_view signed_part = signed_url(registered_url);
        for (std::size_t i = 0; i < lane_count_; ++i) {
            crypto_ok_ = secrets[i].begin(lanes_[i].raw, method, signed_part) && crypto_ok_;
            lanes_[i].guard = detail::length_extension_guard(secrets[i].prefix_length(method, signed_part));
            if (json_on_kept_body_ && options_.json_whitespace_fallback) {
                crypto_ok_ = lanes_[i].minified.copy_from(lanes_[i].raw) && crypto_ok_;
            }
        }
    }

    // finish() for a stream begun with `json_on_kept_body`: `body` is every byte update() took.
    [[nodiscard]] result finish_kept(std::optional<std::string_view> signature_header, std::string_view body) noexcept {
        if (finished_) {
            return result::refused(make_error_code(errc::stream_finished));
        }
        finished_ = true;
        if (error_) {
            return result::refused(error_);
        }
        kept_digests digests{{*this}, body};
        return result::from(detail::decide(signature_header, options_, lane_count_, digests));
    }

    // What detail::decide() asks of a verification, answered from the running digest states.
    struct computed_digests {
        stream& s;

        bool raw_digests(detail::kore_digests& out) noexcept {
            for (std::size_t i = 0; i < s.lane_count_; ++i) {
                s.crypto_ok_ = s.lanes_[i].raw.finish(out[i]) && s.crypto_ok_;
            }
            return s.crypto_ok_;
        }
        [[nodiscard]] bool extended(std::size_t secret) const noexcept { return s.lanes_[secret].guard.found(); }
        detail::minified_result minified_digests(detail::kore_digests& out) noexcept {
            if (!s.json_forked_ || !s.json_.complete()) {
                return detail::minified_result::not_applicable;
            }
            for (std::size_t i = 0; i < s.lane_count_; ++i) {
                s.crypto_ok_ = s.lanes_[i].minified.finish(out[i]) && s.crypto_ok_;
            }
            return s.crypto_ok_ ? detail::minified_result::computed : detail::minified_result::failed;
        }
    };

    // The same, the JSON fallback computed over the kept body from the keyed states.
    struct kept_digests : computed_digests {
        std::string_view body;

        detail::minified_result minified_digests(detail::kore_digests& out) noexcept {
            return detail::minified_over(
                body, s.lane_count_,
                [this](std::size_t i, detail::hash_state& state) noexcept {
                    return state.copy_from(s.lanes_[i].minified);
                },
                out);
        }
    };

    void update_raw(std::string_view bytes) noexcept {
        for (std::size_t i = 0; i < lane_count_; ++i) {
            crypto_ok_ = lanes_[i].raw.update(bytes) && crypto_ok_;
        }
    }

    void update_minified(std::string_view bytes) noexcept {
        json_.feed(bytes, [this](std::string_view run) noexcept {
            for (std::size_t i = 0; i < lane_count_; ++i) {
                crypto_ok_ = lanes_[i].minified.update(run) && crypto_ok_;
            }
        });
    }

    options options_;
    std::array<lane, max_secrets> lanes_{};
    std::size_t lane_count_ = 0;
    detail::body_window window_;
    detail::json_minifier json_;
    std::uint64_t body_size_ = 0;
    std::error_code error_;
    bool crypto_ok_ = true;
    bool json_forked_ = false;
    bool json_on_kept_body_ = false;
    bool finished_ = false;
};

}  // namespace kore::webhook

#endif
