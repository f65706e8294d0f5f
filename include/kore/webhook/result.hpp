#ifndef KORE_WEBHOOK_RESULT_HPP
#define KORE_WEBHOOK_RESULT_HPP

// The verdict on one callback: accepted or not, why not, and what was verified.
//
// Anyone may build a refusal (adapters and hand-written integrations answer with them), but only
// the library's verifiers can make a success: there is no public constructor or factory for one,
// and nothing judged is never a success.

#include <kore/webhook/detail/verdict.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/scheme.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace kore::webhook {

class verifier;
class stream;
namespace twilio {
class verifier;
}  // namespace twilio

template <class Scheme>
class basic_result {
public:
    using digest_type = typename Scheme::digest_type;

    // A refusal for `error` (which must be an error: an empty code is turned into
    // errc::signature_mismatch rather than into something that reads as a success).
    static basic_result refused(std::error_code error) noexcept {
        basic_result r;
        r.error_ = error ? error : make_error_code(errc::signature_mismatch);
        return r;
    }

    // True when the callback may be processed: verified, or unsigned and explicitly allowed.
    explicit operator bool() const noexcept { return !error_ && (verified_ || unsigned_); }
    // True only when a configured secret produced the signature.
    [[nodiscard]] bool verified() const noexcept { return verified_; }
    // True when the callback was accepted without a signature (options::allow_unsigned).
    [[nodiscard]] bool is_unsigned() const noexcept { return unsigned_; }
    [[nodiscard]] std::error_code error() const noexcept { return error_; }
    [[nodiscard]] std::string_view error_name() const noexcept { return kore::webhook::error_name(error_); }
    // Why the callback was refused, in the words of this scheme (naming its header); empty when
    // accepted.
    [[nodiscard]] std::string message() const { return error_ ? Scheme::message(error_) : std::string(); }
    // Which configured secret matched (its position in the constructor's list).
    [[nodiscard]] std::size_t secret_index() const noexcept { return secret_index_; }
    // The body matched only after insignificant JSON whitespace was removed.
    [[nodiscard]] bool json_normalized() const noexcept { return json_normalized_; }
    // The verified digest. Neither date nor kore-idempotency-token is signed, so this, not the
    // token, is the key to de-duplicate on: a replay carries the same digest (docs/protocol.md,
    // section 3.6). All zero when nothing was verified.
    [[nodiscard]] const digest_type& digest() const noexcept { return digest_; }
    // The digest as the header spells it (lowercase hex for KORE), or empty when nothing was
    // verified.
    [[nodiscard]] std::string replay_key() const {
        return verified_ ? Scheme::encode_signature(digest_) : std::string();
    }

private:
    friend class kore::webhook::verifier;
    friend class kore::webhook::stream;
    friend class kore::webhook::twilio::verifier;

    basic_result() noexcept = default;

    static basic_result from(const detail::verdict<digest_type>& v) noexcept {
        basic_result r;
        switch (v.kind) {
            case detail::verdict_kind::verified:
                r.verified_ = true;
                r.digest_ = v.digest;
                r.secret_index_ = v.secret_index;
                r.json_normalized_ = v.json_normalized;
                return r;
            case detail::verdict_kind::accepted_unsigned:
                r.unsigned_ = true;
                return r;
            case detail::verdict_kind::refused:
                break;
        }
        return refused(v.error);
    }

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
