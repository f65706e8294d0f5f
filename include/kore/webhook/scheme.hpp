#ifndef KORE_WEBHOOK_SCHEME_HPP
#define KORE_WEBHOOK_SCHEME_HPP

// KORE's signature scheme as a result sees it: what the verified digest is and how the header
// spells it (lowercase hex SHA-256; docs/protocol.md, section 2).

#include <kore/webhook/detail/hex.hpp>
#include <kore/webhook/errors.hpp>

#include <array>
#include <string>
#include <string_view>
#include <system_error>

namespace kore::webhook {

struct kore_sha256 {
    using digest_type = std::array<unsigned char, 32>;
    static constexpr std::string_view header_name = "kore-signature";

    // Exactly 64 hex digits, either case (the value is already trimmed of optional whitespace).
    static bool decode_signature(std::string_view trimmed, digest_type& out) noexcept {
        return detail::decode_hex(trimmed, out);
    }
    static std::string encode_signature(const digest_type& digest) { return detail::encode_hex(digest); }
    // The category's own messages already speak of kore-signature.
    static std::string message(std::error_code error) { return error.message(); }
};

}  // namespace kore::webhook

#endif
