#ifndef KORE_WEBHOOK_DETAIL_HEX_HPP
#define KORE_WEBHOOK_DETAIL_HEX_HPP

// Hexadecimal text <-> bytes: how a kore-signature value encodes its digest.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace kore::webhook::detail {

constexpr int hex_digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Exactly 2*N hex digits of either case, or false. The header is public data, so branching on
// its characters reveals nothing; the secret-dependent comparison happens elsewhere.
template <std::size_t N>
constexpr bool decode_hex(std::string_view text, std::array<unsigned char, N>& out) noexcept {
    if (text.size() != 2 * N) {
        return false;
    }
    for (std::size_t i = 0; i < N; ++i) {
        const int high = hex_digit_value(text[2 * i]);
        const int low = hex_digit_value(text[2 * i + 1]);
        if (high < 0 || low < 0) {
            return false;
        }
        out[i] = static_cast<unsigned char>((high << 4) | low);
    }
    return true;
}

template <std::size_t N>
std::string encode_hex(const std::array<unsigned char, N>& bytes) {
    constexpr std::string_view digits = "0123456789abcdef";
    std::string text(2 * N, '0');
    for (std::size_t i = 0; i < N; ++i) {
        text[2 * i] = digits[bytes[i] >> 4];
        text[2 * i + 1] = digits[bytes[i] & 0x0f];
    }
    return text;
}

}  // namespace kore::webhook::detail

#endif
