#ifndef KORE_WEBHOOK_DETAIL_BASE64_HPP
#define KORE_WEBHOOK_DETAIL_BASE64_HPP

// Standard base64 text <-> bytes: how an X-Twilio-Signature value encodes its digest.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kore::webhook::detail {

// One alphabet for both directions: a digit's value is its position in it.
constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr int base64_value(char c) noexcept {
    const std::size_t at = base64_alphabet.find(c);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

constexpr std::size_t base64_length(std::size_t bytes) noexcept {
    return (bytes + 2) / 3 * 4;
}

// Standard base64 with padding, exactly the length N bytes encode to, and no bits set past the
// end (so one digest has exactly one accepted spelling).
template <std::size_t N>
constexpr bool decode_base64(std::string_view text, std::array<unsigned char, N>& out) noexcept {
    if (text.size() != base64_length(N)) {
        return false;
    }
    const std::size_t padding = (3 - N % 3) % 3;
    std::uint32_t bits = 0;
    int bit_count = 0;
    std::size_t written = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i >= text.size() - padding) {
            if (text[i] != '=') {
                return false;
            }
            continue;
        }
        const int value = base64_value(text[i]);
        if (value < 0) {
            return false;
        }
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        bit_count += 6;
        if (bit_count >= 8) {
            bit_count -= 8;
            out[written++] = static_cast<unsigned char>((bits >> bit_count) & 0xffU);
        }
    }
    return written == N && (bits & ((1U << bit_count) - 1U)) == 0;
}

template <std::size_t N>
std::string encode_base64(const std::array<unsigned char, N>& bytes) {
    std::string text;
    text.reserve(base64_length(N));
    for (std::size_t i = 0; i < N; i += 3) {
        const std::size_t left = N - i;
        const std::uint32_t chunk = (std::uint32_t{bytes[i]} << 16) |
                                    (left > 1 ? std::uint32_t{bytes[i + 1]} << 8 : 0U) |
                                    (left > 2 ? std::uint32_t{bytes[i + 2]} : 0U);
        text.push_back(base64_alphabet[(chunk >> 18) & 63U]);
        text.push_back(base64_alphabet[(chunk >> 12) & 63U]);
        text.push_back(left > 1 ? base64_alphabet[(chunk >> 6) & 63U] : '=');
        text.push_back(left > 2 ? base64_alphabet[chunk & 63U] : '=');
    }
    return text;
}

}  // namespace kore::webhook::detail

#endif
