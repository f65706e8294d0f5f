#ifndef KORE_WEBHOOK_DETAIL_HEX_HPP
#define KORE_WEBHOOK_DETAIL_HEX_HPP

// Hexadecimal text <-> bytes: how a kore-signature value encodes its digest.

#include <kore/webhook/detail/simd.hpp>

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

// Each byte's value as a hex digit, or 0xff: one lookup per digit instead of three range tests.
inline constexpr std::array<unsigned char, 256> hex_digit_table = [] {
    std::array<unsigned char, 256> table{};
    for (std::size_t c = 0; c < table.size(); ++c) {
        const int value = hex_digit_value(static_cast<char>(c));
        table[c] = value < 0 ? 0xff : static_cast<unsigned char>(value);
    }
    return table;
}();

// Exactly 2*N hex digits of either case, or false; the portable way. The header is public data,
// so the time this takes may depend on it; it does not stop at the first bad digit only because
// a branch per digit costs more than finishing: an invalid digit sets a high bit in `invalid`.
template <std::size_t N>
bool decode_hex_portable(std::string_view text, std::array<unsigned char, N>& out) noexcept {
    if (text.size() != 2 * N) {
        return false;
    }
    unsigned invalid = 0;
    for (std::size_t i = 0; i < N; ++i) {
        const unsigned high = hex_digit_table[static_cast<unsigned char>(text[2 * i])];
        const unsigned low = hex_digit_table[static_cast<unsigned char>(text[2 * i + 1])];
        invalid |= high | low;
        out[i] = static_cast<unsigned char>((high << 4) | low);
    }
    return invalid < 16;
}

#if KORE_WEBHOOK_SSE2
// Sixteen digits to eight bytes in one vector: each digit's value is found by range tests on all
// sixteen at once, then pairs of values are joined as 16-bit lanes (high | low << 8 becomes
// high << 4 | low) and packed down to bytes.
inline bool decode_hex16_sse2(const char* text, unsigned char* out) noexcept {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text));
    const __m128i digit = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    const __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(digit, _mm_set1_epi8(9)), digit);
    const __m128i letter = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    const __m128i is_letter = _mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8(5)), letter);
    const __m128i value =
        _mm_or_si128(_mm_and_si128(is_digit, digit), _mm_and_si128(is_letter, _mm_add_epi8(letter, _mm_set1_epi8(10))));
    const __m128i high = _mm_slli_epi16(_mm_and_si128(value, _mm_set1_epi16(0x00ff)), 4);
    const __m128i low = _mm_srli_epi16(value, 8);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_packus_epi16(_mm_or_si128(high, low), _mm_setzero_si128()));
    return _mm_movemask_epi8(_mm_or_si128(is_digit, is_letter)) == 0xffff;
}

// The same verdict and bytes as decode_hex_portable, sixteen digits at a time.
template <std::size_t N>
bool decode_hex_sse2(std::string_view text, std::array<unsigned char, N>& out) noexcept {
    if constexpr (N % 8 != 0) {
        return decode_hex_portable(text, out);
    } else {
        if (text.size() != 2 * N) {
            return false;
        }
        bool valid = true;
        for (std::size_t i = 0; i < N; i += 8) {
            valid = decode_hex16_sse2(text.data() + 2 * i, out.data() + i) && valid;
        }
        return valid;
    }
}
#endif

// Exactly 2*N hex digits of either case, or false.
template <std::size_t N>
bool decode_hex(std::string_view text, std::array<unsigned char, N>& out) noexcept {
#if KORE_WEBHOOK_SSE2
    return decode_hex_sse2(text, out);
#else
    return decode_hex_portable(text, out);
#endif
}

// The 2*N lowercase hex digits of `bytes`, written to out[0, 2*N): portable, a byte at a time.
template <std::size_t N>
void encode_hex_portable(const std::array<unsigned char, N>& bytes, char* out) noexcept {
    constexpr std::string_view digits = "0123456789abcdef";
    for (std::size_t i = 0; i < N; ++i) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0x0f];
    }
}

#if KORE_WEBHOOK_SSE2
// Sixteen bytes to thirty-two digits in one vector: the high and low nibbles are split, turned
// into '0'-'9' / 'a'-'f' by one comparison (nibble + '0', plus 39 above 9), and interleaved.
inline void encode_hex16_sse2(const unsigned char* bytes, char* out) noexcept {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes));
    const __m128i low_nibbles = _mm_set1_epi8(0x0f);
    const __m128i high = _mm_and_si128(_mm_srli_epi16(v, 4), low_nibbles);
    const __m128i low = _mm_and_si128(v, low_nibbles);
    const auto digit = [](__m128i nibble) {
        const __m128i letter = _mm_cmpgt_epi8(nibble, _mm_set1_epi8(9));
        return _mm_add_epi8(_mm_add_epi8(nibble, _mm_set1_epi8('0')),
                            _mm_and_si128(letter, _mm_set1_epi8('a' - '0' - 10)));
    };
    const __m128i h = digit(high);
    const __m128i l = digit(low);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_unpacklo_epi8(h, l));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), _mm_unpackhi_epi8(h, l));
}
#endif

// The 2*N lowercase hex digits of `bytes`, written to out[0, 2*N) (no allocation: a caller
// with a buffer of its own, such as an adapter keying a callback, pays for no string).
template <std::size_t N>
void encode_hex_to(const std::array<unsigned char, N>& bytes, char* out) noexcept {
#if KORE_WEBHOOK_SSE2
    if constexpr (N % 16 == 0) {
        for (std::size_t i = 0; i < N; i += 16) {
            encode_hex16_sse2(bytes.data() + i, out + 2 * i);
        }
        return;
    }
#endif
    encode_hex_portable(bytes, out);
}

template <std::size_t N>
std::string encode_hex(const std::array<unsigned char, N>& bytes) {
    std::string text(2 * N, '0');
    encode_hex_to(bytes, text.data());
    return text;
}

}  // namespace kore::webhook::detail

#endif
