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
#include <utility>

namespace kore::webhook::detail {

// One configured secret and the digest it signs with. Its bytes are held in a buffer of their own,
// wiped when the secret is dropped, and fed into each request's digest at begin(): a digest state
// would hold them in the clear all the same (a secret under 64 bytes is never compressed), and
// feeding them costs less than copying a state (docs/performance.md).
class keyed_secret {
public:
    keyed_secret() noexcept = default;
    keyed_secret(const keyed_secret&) = delete;
    keyed_secret& operator=(const keyed_secret&) = delete;
    keyed_secret(keyed_secret&& other) noexcept
        : md_(other.md_), bytes_(std::move(other.bytes_)), size_(std::exchange(other.size_, 0)) {}
    keyed_secret& operator=(keyed_secret&& other) noexcept {
        if (this != &other) {
            wipe();
            md_ = other.md_;
            bytes_ = std::move(other.bytes_);
            size_ = std::exchange(other.size_, 0);
        }
        return *this;
    }
    ~keyed_secret() { wipe(); }

    // Throws std::bad_alloc when the secret's buffer cannot be had (only ever at construction).
    void init(const EVP_MD* md, std::string_view secret) {
        wipe();
        md_ = md;
        bytes_ = std::make_unique<char[]>(secret.size());
        size_ = secret.size();
        std::memcpy(bytes_.get(), secret.data(), secret.size());
    }

    // Starts `out` on secret || METHOD || `signed_part` (the registered URL already cut by
    // signed_url(), once per request); the body follows with out.update().
    bool begin(hash_state& out, std::string_view method, std::string_view signed_part) const noexcept {
        return out.init(md_) && out.update(std::string_view(bytes_.get(), size_)) && out.update(method) &&
               out.update(signed_part);
    }

    // How many bytes of the signed string come before the body: where its block boundaries fall.
    [[nodiscard]] std::uint64_t prefix_length(std::string_view method, std::string_view signed_part) const noexcept {
        return size_ + method.size() + signed_part.size();
    }

private:
    void wipe() noexcept {
        if (bytes_) {
            OPENSSL_cleanse(bytes_.get(), size_);
        }
        bytes_.reset();
        size_ = 0;
    }

    const EVP_MD* md_ = nullptr;
    std::unique_ptr<char[]> bytes_;
    std::size_t size_ = 0;
};

}  // namespace kore::webhook::detail

#endif
