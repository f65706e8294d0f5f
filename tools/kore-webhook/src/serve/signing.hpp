#ifndef KORE_WEBHOOK_CLI_SERVE_SIGNING_HPP
#define KORE_WEBHOOK_CLI_SERVE_SIGNING_HPP

// Standard Webhooks signatures for the forwarded request:
//   webhook-signature: v1,<base64 HMAC-SHA256(key, id "." timestamp "." body)>
// The HMAC is OpenSSL 3's EVP_MAC, fetched once per signer; contexts are RAII handles. A signer
// is immutable after construction and may be used from any thread.
//
//   const kore_cli::serve::signer s(key_bytes);
//   const std::string header = s.sign(webhook_id(verdict.digest()), "1700000000", body);

#include <array>
#include <memory>
#include <string>
#include <string_view>

namespace kore_cli::serve {

class signer {
public:
    // Throws std::runtime_error when OpenSSL has no HMAC or SHA-256, std::invalid_argument for an
    // empty key.
    explicit signer(std::string key);
    ~signer();
    signer(const signer&) = delete;
    signer& operator=(const signer&) = delete;
    signer(signer&&) noexcept;
    signer& operator=(signer&&) noexcept;

    // "v1,<base64>". Throws std::runtime_error when OpenSSL fails.
    [[nodiscard]] std::string sign(std::string_view id, std::string_view timestamp, std::string_view body) const;

private:
    struct state;
    std::unique_ptr<state> state_;
};

// The webhook-id of a callback: "msg_" and the first 32 hex digits of its verified digest, so every
// delivery of one callback (retries, the same callback at another gateway) carries the same id.
std::string webhook_id(const std::array<unsigned char, 32>& digest);

std::string encode_base64(std::string_view bytes);

}  // namespace kore_cli::serve

#endif
