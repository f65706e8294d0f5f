#ifndef KORE_WEBHOOK_STREAM_HPP
#define KORE_WEBHOOK_STREAM_HPP

// Verification of a body that arrives in pieces, without buffering it. Reaches exactly the
// verdict one-shot verify() reaches for the same bytes, however they are chunked.

#include <kore/webhook/digest.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/json_minifier.hpp>
#include <kore/webhook/length_extension_guard.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/signing_input.hpp>
#include <kore/webhook/url.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace kore::webhook {

template <class Scheme>
class basic_verifier;

template <class Scheme>
class basic_stream {
public:
    using result_type = basic_result<Scheme>;
    using digest_type = typename Scheme::digest_type;

    basic_stream(basic_stream&&) noexcept = default;
    basic_stream& operator=(basic_stream&&) noexcept = default;
    basic_stream(const basic_stream&) = delete;
    basic_stream& operator=(const basic_stream&) = delete;
    ~basic_stream() = default;

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
        if constexpr (Scheme::secret_prefix_sha256) {
            window_.advance(chunk);
            for (std::size_t i = 0; i < lane_count_; ++i) {
                lanes_[i].guard.scan(window_);
            }
            window_.retire_chunk();
        }
        if (!options_.json_whitespace_fallback || json_.failed()) {
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
    result_type finish(std::optional<std::string_view> signature_header) noexcept {
        if (finished_) {
            return result_type::refused(make_error_code(errc::stream_finished));
        }
        finished_ = true;
        if (error_) {
            return result_type::refused(error_);
        }
        digest_type expected{};
        if (auto settled = detail::judge_header<Scheme>(signature_header, options_, expected)) {
            return *settled;
        }
        std::array<digest_type, max_secrets> computed{};
        for (std::size_t i = 0; i < lane_count_; ++i) {
            crypto_ok_ = lanes_[i].raw.finish(computed[i]) && crypto_ok_;
        }
        if (!crypto_ok_) {
            return result_type::refused(make_error_code(errc::crypto_failure));
        }
        std::size_t match = detail::find_match(computed, lane_count_, expected);
        if (match != detail::no_match) {
            if (lanes_[match].guard.found()) {
                return result_type::refused(make_error_code(errc::length_extension));
            }
            return result_type::verified_by(match, expected, false);
        }
        if (json_forked_ && json_.complete()) {
            for (std::size_t i = 0; i < lane_count_; ++i) {
                crypto_ok_ = lanes_[i].minified.finish(computed[i]) && crypto_ok_;
            }
            if (!crypto_ok_) {
                return result_type::refused(make_error_code(errc::crypto_failure));
            }
            match = detail::find_match(computed, lane_count_, expected);
            if (match != detail::no_match) {
                return result_type::verified_by(match, expected, true);
            }
        }
        return result_type::refused(make_error_code(errc::signature_mismatch));
    }

    // An error already certain before the body ends (bad method or URL, body too large), so that
    // a server can stop reading; finish() reports the same error.
    [[nodiscard]] std::error_code error() const noexcept { return error_; }
    [[nodiscard]] std::uint64_t body_size() const noexcept { return body_size_; }

private:
    friend class basic_verifier<Scheme>;

    struct lane {
        detail::hash_state raw;
        detail::hash_state minified;
        detail::length_extension_guard guard;
    };

    basic_stream(const detail::keyed_secret* secrets, std::size_t count, const options& opts, std::string_view method,
                 std::string_view registered_url) noexcept
        : options_(opts), lane_count_(count) {
        error_ = detail::check_request(method, registered_url);
        if (error_) {
            return;
        }
        const std::string_view url = signed_url(registered_url);
        for (std::size_t i = 0; i < lane_count_; ++i) {
            crypto_ok_ = detail::begin_signing_input(lanes_[i].raw, secrets[i], method, url) && crypto_ok_;
            lanes_[i].guard = detail::length_extension_guard(detail::prefix_length(secrets[i], method, url));
        }
    }

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
    bool finished_ = false;
};

using stream = basic_stream<kore_sha256>;

}  // namespace kore::webhook

#endif
