#ifndef KORE_WEBHOOK_DETAIL_SIGNING_INPUT_HPP
#define KORE_WEBHOOK_DETAIL_SIGNING_INPUT_HPP

// The one place KORE's signed string is assembled: secret || METHOD || signed URL || body
// (docs/protocol.md, section 2). sign(), one-shot verify(), the stream and the command-line
// tool's --explain all start their digests here.

#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/url.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace kore::webhook::detail {

// Frees a secret's buffer after wiping it.
struct wipe_and_delete {
    std::size_t size = 0;
    void operator()(char* bytes) const noexcept {
        OPENSSL_cleanse(bytes, size);
        delete[] bytes;
    }
};

// One configured secret and the digest it signs with. Its bytes are held in a buffer of their own,
// wiped when the secret is dropped, and fed into each request's digest at begin(): a digest state
// would hold them in the clear all the same (a secret under 64 bytes is never compressed), and
// feeding them costs less than copying a state (docs/performance.md).
class keyed_secret {
public:
    // Throws std::bad_alloc when the secret's buffer cannot be had (only ever at construction).
    void init(const EVP_MD* md, std::string_view secret) {
        md_ = md;
        bytes_.reset(new char[secret.size()]);
        bytes_.get_deleter().size = secret.size();
        std::memcpy(bytes_.get(), secret.data(), secret.size());
    }

    // Starts `out` on secret || METHOD || `signed_part` (the registered URL already cut by
    // signed_url(), once per request); the body follows with out.update().
    bool begin(hash_state& out, std::string_view method, std::string_view signed_part) const noexcept {
        return out.init(md_) && out.update(secret()) && out.update(method) && out.update(signed_part);
    }

    // How many bytes of the signed string come before the body: where its block boundaries fall.
    [[nodiscard]] std::uint64_t prefix_length(std::string_view method, std::string_view signed_part) const noexcept {
        return secret().size() + method.size() + signed_part.size();
    }

private:
    [[nodiscard]] std::string_view secret() const noexcept {
        return bytes_ ? std::string_view(bytes_.get(), bytes_.get_deleter().size) : std::string_view();
    }

    const EVP_MD* md_ = nullptr;
    std::unique_ptr<char[], wipe_and_delete> bytes_;
};

}  // namespace kore::webhook::detail

#endif
