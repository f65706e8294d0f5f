#ifndef KORE_WEBHOOK_DETAIL_DIGEST_HPP
#define KORE_WEBHOOK_DETAIL_DIGEST_HPP

// The only file that talks to OpenSSL: RAII handles over EVP, and the constant-time comparison
// of digests.

#include <kore/webhook/detail/c_handle.hpp>
#include <kore/webhook/detail/value_barrier.hpp>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace kore::webhook::detail {

using evp_md_ptr = c_handle<EVP_MD, &EVP_MD_free>;
using evp_md_ctx_ptr = c_handle<EVP_MD_CTX, &EVP_MD_CTX_free>;

// Fetching an algorithm takes a lock and a lookup in the provider store, so it is done once,
// when a verifier is built, never per request. `before` and `after` frame the name in the error.
template <class T, auto Fetch, auto Free>
c_handle<T, Free> fetch_algorithm(const char* name, const char* before, const char* after) {
    c_handle<T, Free> algorithm(Fetch(nullptr, name, nullptr));
    if (!algorithm) {
        throw std::runtime_error(std::string("kore-webhook: OpenSSL cannot provide ") + before + name + after +
                                 " (is the default provider available?)");
    }
    return algorithm;
}

inline evp_md_ptr fetch_digest(const char* name) {
    return fetch_algorithm<EVP_MD, &EVP_MD_fetch, &EVP_MD_free>(name, "the ", " digest");
}

// One digest computation in progress. Every operation reports failure instead of ignoring it.
class hash_state {
public:
    hash_state() noexcept = default;
    // Works in a context made earlier (a context_pool's); release() hands it back.
    explicit hash_state(evp_md_ctx_ptr context) noexcept : ctx_(std::move(context)) {}
    evp_md_ctx_ptr release() noexcept { return std::move(ctx_); }

    bool init(const EVP_MD* md) noexcept {
        if (!ensure_context()) {
            return false;
        }
        return EVP_DigestInit_ex2(ctx_.get(), md, nullptr) == 1;
    }

    // Becomes a copy of another state: forks a running digest without hashing its input again.
    bool copy_from(const hash_state& other) noexcept {
        if (!other.ctx_ || !ensure_context()) {
            return false;
        }
        return EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get()) == 1;
    }

    bool update(std::string_view bytes) noexcept {
        return ctx_ && EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) == 1;
    }

    template <std::size_t N>
    bool finish(std::array<unsigned char, N>& out) noexcept {
        unsigned int length = 0;
        if (!ctx_ || EVP_DigestFinal_ex(ctx_.get(), out.data(), &length) != 1) {
            return false;
        }
        return length == N;
    }

    [[nodiscard]] bool valid() const noexcept { return ctx_ != nullptr; }

private:
    bool ensure_context() noexcept {
        if (!ctx_) {
            ctx_.reset(EVP_MD_CTX_new());
        }
        return ctx_ != nullptr;
    }

    evp_md_ctx_ptr ctx_;
};

using evp_mac_ptr = c_handle<EVP_MAC, &EVP_MAC_free>;
using evp_mac_ctx_ptr = c_handle<EVP_MAC_CTX, &EVP_MAC_CTX_free>;

inline evp_mac_ptr fetch_mac(const char* name) {
    return fetch_algorithm<EVP_MAC, &EVP_MAC_fetch, &EVP_MAC_free>(name, "", "");
}

// One HMAC computation in progress; like hash_state, keyed once and copied per request.
class mac_state {
public:
    bool init(EVP_MAC* mac, const char* digest_name, std::string_view key) noexcept {
        ctx_.reset(EVP_MAC_CTX_new(mac));
        if (!ctx_) {
            return false;
        }
        // OSSL_PARAM takes a non-const pointer; OpenSSL only reads the name.
        std::array<OSSL_PARAM, 2> params = {
            // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast)
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest_name), 0),
            OSSL_PARAM_construct_end()};
        return EVP_MAC_init(ctx_.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                            params.data()) == 1;
    }

    bool copy_from(const mac_state& other) noexcept {
        ctx_.reset(other.ctx_ ? EVP_MAC_CTX_dup(other.ctx_.get()) : nullptr);
        return ctx_ != nullptr;
    }

    bool update(std::string_view bytes) noexcept {
        return ctx_ &&
               EVP_MAC_update(ctx_.get(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) == 1;
    }

    template <std::size_t N>
    bool finish(std::array<unsigned char, N>& out) noexcept {
        std::size_t length = 0;
        if (!ctx_ || EVP_MAC_final(ctx_.get(), out.data(), &length, N) != 1) {
            return false;
        }
        return length == N;
    }

private:
    evp_mac_ctx_ptr ctx_;
};

// Constant time: the time taken does not depend on where, or whether, the digests differ. Every
// byte is XORed and ORed into one accumulator, eight bytes a word, and the only comparison is the
// last one, on the accumulated difference; there is no branch inside the loop for a compiler to
// turn into an early exit, and value_barrier() keeps it from deducing the accumulator's value partway and
// inventing one (the same effect as CRYPTO_memcmp's volatile reads, without a call).
template <std::size_t N>
bool equal_digests(const std::array<unsigned char, N>& a, const std::array<unsigned char, N>& b) noexcept {
    std::uint64_t difference = 0;
    std::size_t i = 0;
    for (; i + sizeof(std::uint64_t) <= N; i += sizeof(std::uint64_t)) {
        std::uint64_t x = 0;
        std::uint64_t y = 0;
        std::memcpy(&x, a.data() + i, sizeof x);
        std::memcpy(&y, b.data() + i, sizeof y);
        difference = value_barrier(difference | (x ^ y));
    }
    for (; i < N; ++i) {
        difference = value_barrier(difference | static_cast<std::uint64_t>(a[i] ^ b[i]));
    }
    return difference == 0;
}

inline constexpr std::size_t no_match = static_cast<std::size_t>(-1);

// Compares the expected digest with every computed one, never stopping early, so the time taken
// does not say which secret matched. Returns the first matching index or no_match.
template <class Digest, std::size_t N>
std::size_t find_match(const std::array<Digest, N>& computed, std::size_t count, const Digest& expected) noexcept {
    std::size_t index = no_match;
    for (std::size_t i = 0; i < count; ++i) {
        const auto take = static_cast<std::size_t>(equal_digests(computed[i], expected) & (index == no_match));
        index = take * i + (1 - take) * index;
    }
    return index;
}

// Wipes a copy of a secret that the library no longer needs.
inline void cleanse(std::string& text) noexcept {
    if (!text.empty()) {
        OPENSSL_cleanse(text.data(), text.size());
    }
}

}  // namespace kore::webhook::detail

#endif
