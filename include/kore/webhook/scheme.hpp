#ifndef KORE_WEBHOOK_SCHEME_HPP
#define KORE_WEBHOOK_SCHEME_HPP

// KORE's signature scheme as a result sees it: what the verified digest is and how the header
// spells it (lowercase hex SHA-256; docs/protocol.md, section 2).

#include <kore/webhook/detail/hex.hpp>
#include <kore/webhook/detail/signature_encoding.hpp>
#include <kore/webhook/errors.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace kore::webhook {

// A signature is exactly 64 hex digits, either case.
struct kore_sha256 : detail::signature_encoding<32, &detail::decode_hex<32>, &detail::encode_hex<32>> {
    static constexpr std::string_view header_name = "kore-signature";

    // The category's own messages already speak of kore-signature.
    static std::string message(std::error_code error) { return error.message(); }
};

}  // namespace kore::webhook

#endif
