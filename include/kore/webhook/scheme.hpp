#ifndef KORE_WEBHOOK_SCHEME_HPP
#define KORE_WEBHOOK_SCHEME_HPP

// A signature scheme tells basic_verifier which digest to use and how the header encodes it.
// kore_sha256 is KORE's: lowercase hex SHA-256 over secret || METHOD || URL || body.
//
// A Scheme provides:
//   digest_type                                   std::array<unsigned char, N>
//   static constexpr const char* digest_name      an OpenSSL algorithm name for EVP_MD_fetch
//   static constexpr bool secret_prefix_sha256    the guard against SHA-256 length extension applies
//   static bool decode_signature(std::string_view trimmed, digest_type&) noexcept
//   static std::string encode_signature(const digest_type&)

#include <kore/webhook/signature_header.hpp>

#include <array>
#include <string>
#include <string_view>

namespace kore::webhook {

struct kore_sha256 {
    using digest_type = std::array<unsigned char, 32>;
    static constexpr const char* digest_name = "SHA256";
    static constexpr bool secret_prefix_sha256 = true;

    static bool decode_signature(std::string_view trimmed, digest_type& out) noexcept {
        return detail::decode_hex(trimmed, out);
    }
    static std::string encode_signature(const digest_type& digest) { return detail::encode_hex(digest); }
};

}  // namespace kore::webhook

#endif
