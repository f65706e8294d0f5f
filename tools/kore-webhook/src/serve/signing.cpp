#include "signing.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>
#include <utility>

namespace kore_cli::serve {

namespace {

struct mac_deleter {
    void operator()(EVP_MAC* m) const noexcept { EVP_MAC_free(m); }
};
struct mac_context_deleter {
    void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};
using mac_ptr = std::unique_ptr<EVP_MAC, mac_deleter>;
using mac_context_ptr = std::unique_ptr<EVP_MAC_CTX, mac_context_deleter>;

}  // namespace

struct signer::state {
    mac_ptr mac;
    mac_context_ptr keyed;  // initialised with the key; each signature works on a duplicate
    std::string key;

    ~state() { OPENSSL_cleanse(key.data(), key.size()); }
};

signer::signer(std::string key) : state_(std::make_unique<state>()) {
    if (key.empty()) {
        throw std::invalid_argument("the signing key is empty");
    }
    state_->key = std::move(key);
    state_->mac.reset(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (!state_->mac) {
        throw std::runtime_error("OpenSSL provides no HMAC");
    }
    state_->keyed.reset(EVP_MAC_CTX_new(state_->mac.get()));
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                                 OSSL_PARAM_construct_end()};
    if (!state_->keyed || EVP_MAC_init(state_->keyed.get(), reinterpret_cast<const unsigned char*>(state_->key.data()),
                                       state_->key.size(), params) != 1) {
        throw std::runtime_error("OpenSSL cannot set up HMAC-SHA256");
    }
}

signer::~signer() = default;
signer::signer(signer&&) noexcept = default;
signer& signer::operator=(signer&&) noexcept = default;

std::string signer::sign(std::string_view id, std::string_view timestamp, std::string_view body) const {
    const mac_context_ptr ctx(EVP_MAC_CTX_dup(state_->keyed.get()));
    if (!ctx) {
        throw std::runtime_error("OpenSSL cannot copy an HMAC context");
    }
    const auto update = [&](std::string_view part) {
        return EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(part.data()), part.size()) == 1;
    };
    std::array<unsigned char, 32> mac{};
    std::size_t size = 0;
    if (!update(id) || !update(".") || !update(timestamp) || !update(".") || !update(body) ||
        EVP_MAC_final(ctx.get(), mac.data(), &size, mac.size()) != 1 || size != mac.size()) {
        throw std::runtime_error("OpenSSL failed computing HMAC-SHA256");
    }
    return "v1," + encode_base64(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string webhook_id(const std::array<unsigned char, 32>& digest) {
    constexpr char digits[] = "0123456789abcdef";
    std::string id = "msg_";
    for (std::size_t i = 0; i < 16; ++i) {
        id.push_back(digits[digest[i] >> 4U]);
        id.push_back(digits[digest[i] & 0x0FU]);
    }
    return id;
}

std::string encode_base64(std::string_view bytes) {
    constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned v = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U) |
                           (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8U) |
                           static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
        out.push_back(alphabet[(v >> 18U) & 63U]);
        out.push_back(alphabet[(v >> 12U) & 63U]);
        out.push_back(alphabet[(v >> 6U) & 63U]);
        out.push_back(alphabet[v & 63U]);
    }
    if (i + 1 == bytes.size()) {
        const unsigned v = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U;
        out.push_back(alphabet[(v >> 18U) & 63U]);
        out.push_back(alphabet[(v >> 12U) & 63U]);
        out += "==";
    } else if (i + 2 == bytes.size()) {
        const unsigned v = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U) |
                           (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8U);
        out.push_back(alphabet[(v >> 18U) & 63U]);
        out.push_back(alphabet[(v >> 12U) & 63U]);
        out.push_back(alphabet[(v >> 6U) & 63U]);
        out.push_back('=');
    }
    return out;
}

}  // namespace kore_cli::serve
