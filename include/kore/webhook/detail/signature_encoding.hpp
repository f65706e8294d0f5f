#ifndef KORE_WEBHOOK_DETAIL_SIGNATURE_ENCODING_HPP
#define KORE_WEBHOOK_DETAIL_SIGNATURE_ENCODING_HPP

// What every signature scheme shares: an N-byte digest that its header spells in one text
// encoding, strictly decoded (the value is already trimmed of optional whitespace).

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace kore::webhook::detail {

template <std::size_t N, auto Decode, auto Encode>
struct signature_encoding {
    using digest_type = std::array<unsigned char, N>;

    static bool decode_signature(std::string_view trimmed, digest_type& out) noexcept { return Decode(trimmed, out); }
    static std::string encode_signature(const digest_type& digest) { return Encode(digest); }
};

}  // namespace kore::webhook::detail

#endif
