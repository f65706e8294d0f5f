#ifndef KORE_WEBHOOK_DETAIL_WORDS_HPP
#define KORE_WEBHOOK_DETAIL_WORDS_HPP

// Eight bytes at a time: loading a word of text in a fixed byte order and finding a byte in it,
// for the scans every request pays (the URL's '?' and '#', the registered URL's scheme).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kore::webhook::detail {

// Eight bytes of `text` from `at` as one little-endian word, whatever the machine's byte order.
// Spelled out byte by byte so that it stays constexpr; compilers merge the eight loads into one.
constexpr std::uint64_t load_word(std::string_view text, std::size_t at) noexcept {
    const char* p = text.data() + at;
    return std::uint64_t{static_cast<unsigned char>(p[0])} | std::uint64_t{static_cast<unsigned char>(p[1])} << 8 |
           std::uint64_t{static_cast<unsigned char>(p[2])} << 16 |
           std::uint64_t{static_cast<unsigned char>(p[3])} << 24 |
           std::uint64_t{static_cast<unsigned char>(p[4])} << 32 |
           std::uint64_t{static_cast<unsigned char>(p[5])} << 40 |
           std::uint64_t{static_cast<unsigned char>(p[6])} << 48 |
           std::uint64_t{static_cast<unsigned char>(p[7])} << 56;
}

// Non-zero when some byte of `word` equals `byte` (the classic has-zero-byte test on word ^ byte).
constexpr std::uint64_t has_byte(std::uint64_t word, unsigned char byte) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101U;
    const std::uint64_t x = word ^ (ones * byte);
    return (x - ones) & ~x & (ones << 7);
}

}  // namespace kore::webhook::detail

#endif
