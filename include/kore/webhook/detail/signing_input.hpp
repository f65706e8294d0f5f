#ifndef KORE_WEBHOOK_DETAIL_SIGNING_INPUT_HPP
#define KORE_WEBHOOK_DETAIL_SIGNING_INPUT_HPP

// The one place KORE's signed string is assembled: secret || METHOD || signed URL || body
// (docs/protocol.md, section 2). sign(), one-shot verify(), the stream and the command-line
// tool's --explain all start their digests here.

#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/url.hpp>

#include <cstdint>
#include <string_view>

namespace kore::webhook::detail {

// A digest state that has absorbed one secret. Requests start from copies of it, so the secret
// is hashed once per verifier and kept nowhere else.
class keyed_secret {
public:
    bool init(const EVP_MD* md, std::string_view secret) noexcept {
        secret_length_ = secret.size();
        return state_.init(md) && state_.update(secret);
    }

    // secret || METHOD || URL cut at '?' or '#', on `out`, a fresh copy of the keyed state; the
    // body follows with out.update().
    bool begin(hash_state& out, std::string_view method, std::string_view url) const noexcept {
        return out.copy_from(state_) && out.update(method) && out.update(signed_url(url));
    }

    // How many bytes of the signed string come before the body: where its block boundaries fall.
    [[nodiscard]] std::uint64_t prefix_length(std::string_view method, std::string_view url) const noexcept {
        return secret_length_ + method.size() + signed_url(url).size();
    }

    [[nodiscard]] bool valid() const noexcept { return state_.valid(); }

private:
    hash_state state_;
    std::uint64_t secret_length_ = 0;
};

}  // namespace kore::webhook::detail

#endif
