#ifndef KORE_WEBHOOK_RESULT_HPP
#define KORE_WEBHOOK_RESULT_HPP

// The verdict on one callback: accepted or not, why not, and what was verified.

#include <kore/webhook/errors.hpp>
#include <kore/webhook/scheme.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace kore::webhook {

template <class Scheme>
class basic_result {
public:
    using digest_type = typename Scheme::digest_type;

    static basic_result refused(std::error_code error) noexcept {
        basic_result r;
        r.error_ = error;
        return r;
    }
    static basic_result verified_by(std::size_t secret_index, const digest_type& digest,
                                    bool json_normalized) noexcept {
        basic_result r;
        r.verified_ = true;
        r.secret_index_ = secret_index;
        r.digest_ = digest;
        r.json_normalized_ = json_normalized;
        return r;
    }
    static basic_result accepted_unsigned() noexcept {
        basic_result r;
        r.unsigned_ = true;
        return r;
    }

    // True when the callback may be processed: verified, or unsigned and explicitly allowed.
    explicit operator bool() const noexcept { return !error_; }
    // True only when a configured secret produced the signature.
    [[nodiscard]] bool verified() const noexcept { return verified_; }
    // True when the callback was accepted without a signature (options::allow_unsigned).
    [[nodiscard]] bool is_unsigned() const noexcept { return unsigned_; }
    [[nodiscard]] std::error_code error() const noexcept { return error_; }
    [[nodiscard]] std::string_view error_name() const noexcept { return kore::webhook::error_name(error_); }
    // Which configured secret matched (its position in the constructor's list).
    [[nodiscard]] std::size_t secret_index() const noexcept { return secret_index_; }
    // The body matched only after insignificant JSON whitespace was removed.
    [[nodiscard]] bool json_normalized() const noexcept { return json_normalized_; }
    // The verified digest. Neither date nor kore-idempotency-token is signed, so this, not the
    // token, is the key to de-duplicate on: a replay carries the same digest (spec 3.6).
    [[nodiscard]] const digest_type& digest() const noexcept { return digest_; }
    // The digest as lowercase hex, or empty when nothing was verified.
    [[nodiscard]] std::string replay_key() const {
        return verified_ ? Scheme::encode_signature(digest_) : std::string();
    }

private:
    basic_result() noexcept = default;

    std::error_code error_;
    digest_type digest_{};
    std::size_t secret_index_ = 0;
    bool verified_ = false;
    bool unsigned_ = false;
    bool json_normalized_ = false;
};

using result = basic_result<kore_sha256>;

}  // namespace kore::webhook

#endif
