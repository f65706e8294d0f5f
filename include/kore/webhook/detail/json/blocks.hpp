#ifndef KORE_WEBHOOK_DETAIL_JSON_BLOCKS_HPP
#define KORE_WEBHOOK_DETAIL_JSON_BLOCKS_HPP

// Classifies 64 bytes of JSON text at once into bit masks (bit i for byte i), the first step of
// the minifier's block-at-a-time path: with masks, where strings begin and end and which
// structural characters lie outside them is found by a few word operations per block instead of
// a decision per byte. Two classifiers give identical masks: SSE2 (every x86-64 build) and a
// portable one; tests hold them to each other.

#include <kore/webhook/detail/simd.hpp>
#include <kore/webhook/detail/value_barrier.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace kore::webhook::detail {

inline constexpr std::size_t json_block_size = 64;

// What the minifier needs to know of 64 bytes. classify() fills every field; classify_tokens(),
// for text expected to hold no whitespace outside strings, leaves space and control empty and
// folds '\\' and every byte below 0x20 into `rare` (the block path then leaves the block).
struct json_block {
    std::uint64_t quote = 0;    // '"'
    std::uint64_t bracket = 0;  // '{', '}', '[' or ']'
    std::uint64_t colon = 0;    // ':'
    std::uint64_t comma = 0;    // ','
    std::uint64_t space = 0;    // ' '
    std::uint64_t control = 0;  // below 0x20: JSON's '\t', '\n' and '\r', and bytes never valid unescaped
    bool rare = false;          // a '\\' (escapes are left to the byte-by-byte path); classify_tokens: or a control
};

// The bytes numbers are made of, for the numbers of a block that the block path checks by masks
// (json_block_path::numbers_fit); classify() leaves them out, as most blocks hold no number.
struct json_number_bytes {
    std::uint64_t digit = 0;  // '0' to '9'
    std::uint64_t zero = 0;   // '0'
    std::uint64_t minus = 0;  // '-'
    std::uint64_t dot = 0;    // '.'
};

// Each bit of the result is the XOR of the bits of x at and below it: with x the quotes of a
// block, the bits inside strings (opening quote included, closing quote excluded).
constexpr std::uint64_t prefix_xor(std::uint64_t x) noexcept {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

// Index of the lowest set bit; x must not be 0. KORE_WEBHOOK_NO_SIMD selects the loop, as a
// compiler without the builtin (MSVC) does, so that a GCC build can test it.
inline std::size_t lowest_bit(std::uint64_t x) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KORE_WEBHOOK_NO_SIMD)
    return static_cast<std::size_t>(__builtin_ctzll(x));
#else
    std::size_t index = 0;
    while ((x & 1U) == 0) {
        x >>= 1;
        ++index;
    }
    return index;
#endif
}

// Index of the highest set bit; x must not be 0 (the loop as in lowest_bit()).
inline std::size_t highest_bit(std::uint64_t x) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KORE_WEBHOOK_NO_SIMD)
    return 63 - static_cast<std::size_t>(__builtin_clzll(x));
#else
    std::size_t index = 63;
    while ((x >> 63) == 0) {
        x <<= 1;
        --index;
    }
    return index;
#endif
}

// Byte by byte: the reference classifier, and the one used where SSE2 is not available.
struct json_blocks_portable {
    static json_block classify(const char* bytes) noexcept {
        json_block block;
        for (std::size_t i = 0; i < json_block_size; ++i) {
            const auto c = static_cast<unsigned char>(bytes[i]);
            const std::uint64_t bit = std::uint64_t{1} << i;
            block.quote |= c == '"' ? bit : 0;
            block.bracket |= (c == '{' || c == '}' || c == '[' || c == ']') ? bit : 0;
            block.colon |= c == ':' ? bit : 0;
            block.comma |= c == ',' ? bit : 0;
            block.space |= c == ' ' ? bit : 0;
            block.control |= c < 0x20 ? bit : 0;
            block.rare = block.rare || c == '\\';
        }
        return block;
    }

    static std::uint64_t inside_quotes(std::uint64_t quotes) noexcept { return prefix_xor(quotes); }

    // Whether the block path checks the numbers within a block by masks (numbers_fit) rather than
    // one by one: only where numbers() costs a few instructions, not in this loop (its reference).
    static constexpr bool numbers_by_mask = false;

    static json_number_bytes numbers(const char* bytes) noexcept {
        json_number_bytes n;
        for (std::size_t i = 0; i < json_block_size; ++i) {
            const auto c = static_cast<unsigned char>(bytes[i]);
            const std::uint64_t bit = std::uint64_t{1} << i;
            n.digit |= c >= '0' && c <= '9' ? bit : 0;
            n.zero |= c == '0' ? bit : 0;
            n.minus |= c == '-' ? bit : 0;
            n.dot |= c == '.' ? bit : 0;
        }
        return n;
    }

    static json_block classify_tokens(const char* bytes) noexcept {
        json_block block = classify(bytes);
        block.rare = block.rare || block.control != 0;
        block.space = 0;
        block.control = 0;
        return block;
    }

    // What the block path calls: classify() or, without Whitespace, classify_tokens().
    template <bool Whitespace>
    json_block classify_as(const char* bytes) const noexcept {
        return Whitespace ? classify(bytes) : classify_tokens(bytes);
    }
};

#if KORE_WEBHOOK_SSE2
// Sixteen bytes per compare; a class's four 16-bit movemasks make its 64-bit mask.
struct json_blocks_sse2 {
    template <bool Whitespace>
    json_block classify_as(const char* bytes) const noexcept {
        json_block block;
        __m128i rare = _mm_setzero_si128();
        const auto mask = [](__m128i matches, std::size_t part) {
            return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(matches))) << (16 * part);
        };
        const auto take = [&](std::size_t part) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + 16 * part));
            // '[' and ']' are '{' and '}' with bit 5 clear: one fold, two compares.
            const __m128i folded = _mm_or_si128(v, case_bit_);
            block.quote |= mask(_mm_cmpeq_epi8(v, quote_), part);
            block.bracket |= mask(_mm_or_si128(_mm_cmpeq_epi8(folded, open_), _mm_cmpeq_epi8(folded, close_)), part);
            block.colon |= mask(_mm_cmpeq_epi8(v, colon_), part);
            block.comma |= mask(_mm_cmpeq_epi8(v, comma_), part);
            // Unsigned v <= 0x1f: the minimum of v and 0x1f is v itself.
            const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, control_), v);
            rare = _mm_or_si128(rare, _mm_cmpeq_epi8(v, backslash_));
            if constexpr (Whitespace) {
                block.space |= mask(_mm_cmpeq_epi8(v, space_), part);
                block.control |= mask(control, part);
            } else {
                rare = _mm_or_si128(rare, control);
            }
        };
        take(0);
        take(1);
        take(2);
        take(3);
        block.rare = _mm_movemask_epi8(rare) != 0;
        return block;
    }

    static json_block classify(const char* bytes) noexcept { return json_blocks_sse2{}.classify_as<true>(bytes); }
    static json_block classify_tokens(const char* bytes) noexcept {
        return json_blocks_sse2{}.classify_as<false>(bytes);
    }
    static std::uint64_t inside_quotes(std::uint64_t quotes) noexcept { return prefix_xor(quotes); }
    // Sixteen bytes at a time, four masks of numbers would cost more than the numbers one by one.
    static constexpr bool numbers_by_mask = false;

    // Behind a value barrier, each constant is kept (in a register or on the stack) rather than
    // rebuilt from an immediate before each use: the block path builds its classifier once per call
    // and classifies many blocks with it.
    __m128i quote_ = value_barrier(_mm_set1_epi8('"'));
    __m128i case_bit_ = value_barrier(_mm_set1_epi8(0x20));
    __m128i open_ = value_barrier(_mm_set1_epi8('{'));
    __m128i close_ = value_barrier(_mm_set1_epi8('}'));
    __m128i colon_ = value_barrier(_mm_set1_epi8(':'));
    __m128i comma_ = value_barrier(_mm_set1_epi8(','));
    __m128i space_ = value_barrier(_mm_set1_epi8(' '));
    __m128i control_ = value_barrier(_mm_set1_epi8(0x1f));
    __m128i backslash_ = value_barrier(_mm_set1_epi8('\\'));
};
#endif

#if KORE_WEBHOOK_AVX2_DISPATCH
// Thirty-two bytes per compare, for processors that have AVX2 (most x86-64 since 2013): half the
// instructions of SSE2. Compiled for AVX2 whatever the build's flags, and only used after
// cpu_has_avx2() said yes (the block path builds one inside a function compiled for AVX2).
struct json_blocks_avx2 {
    template <bool Whitespace>
    __attribute__((target("avx2"))) json_block classify_as(const char* bytes) const noexcept {
        json_block block;
        const __m256i low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bytes));
        const __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bytes + 32));
        const auto mask = [](__m256i in_low, __m256i in_high) __attribute__((target("avx2"))) {
            return static_cast<std::uint64_t>(static_cast<unsigned>(_mm256_movemask_epi8(in_low))) |
                   static_cast<std::uint64_t>(static_cast<unsigned>(_mm256_movemask_epi8(in_high))) << 32;
        };
        // Each byte's classes as bits (class_bit), looked up by its low and its high four bits:
        // a class's bit is set in both tables' entries exactly for that class's bytes.
        const auto classes = [this](__m256i v) __attribute__((target("avx2"))) {
            const __m256i low_nibble = _mm256_and_si256(v, splats_.nibble);
            const __m256i high_nibble = _mm256_and_si256(_mm256_srli_epi16(v, 4), splats_.nibble);
            return _mm256_and_si256(_mm256_shuffle_epi8(splats_.by_low, low_nibble),
                                    _mm256_shuffle_epi8(splats_.by_high, high_nibble));
        };
        const __m256i in_low = classes(low);
        const __m256i in_high = classes(high);
        // A class's mask: its bit moved to bit 7 of the byte (a 16-bit shift moves no bit into
        // another byte's bit 7), then each byte's bit 7.
        const auto bits = [&](auto shift) __attribute__((target("avx2"))) {
            return mask(_mm256_slli_epi16(in_low, decltype(shift)::value),
                        _mm256_slli_epi16(in_high, decltype(shift)::value));
        };
        block.quote = mask(in_low, in_high);
        block.bracket = mask(_mm256_add_epi8(in_low, in_low), _mm256_add_epi8(in_high, in_high));
        block.colon = bits(std::integral_constant<int, 2>{});
        block.comma = bits(std::integral_constant<int, 3>{});
        const __m256i either = _mm256_or_si256(in_low, in_high);
        if constexpr (Whitespace) {
            block.space = bits(std::integral_constant<int, 4>{});
            block.control = bits(std::integral_constant<int, 6>{});
            block.rare = _mm256_testz_si256(either, splats_.backslash_bit) == 0;
        } else {
            block.rare = _mm256_testz_si256(either, splats_.rare_bits) == 0;
        }
        return block;
    }

    // The classes of the lookup (bit 7 down): a byte has at most one.
    enum class_bit : unsigned char {
        quote_bit = 0x80,
        bracket_bit = 0x40,
        colon_bit = 0x20,
        comma_bit = 0x10,
        space_bit = 0x08,
        control_bit = 0x02,
        backslash_bit = 0x01,
    };
    // The 16 entries of a table, repeated in both 128-bit lanes (vpshufb looks up within a lane).
    __attribute__((target("avx2"))) static __m256i table(const std::array<unsigned char, 16>& t) noexcept {
        __m256i v = _mm256_setr_epi8(
            static_cast<char>(t[0]), static_cast<char>(t[1]), static_cast<char>(t[2]), static_cast<char>(t[3]),
            static_cast<char>(t[4]), static_cast<char>(t[5]), static_cast<char>(t[6]), static_cast<char>(t[7]),
            static_cast<char>(t[8]), static_cast<char>(t[9]), static_cast<char>(t[10]), static_cast<char>(t[11]),
            static_cast<char>(t[12]), static_cast<char>(t[13]), static_cast<char>(t[14]), static_cast<char>(t[15]),
            static_cast<char>(t[0]), static_cast<char>(t[1]), static_cast<char>(t[2]), static_cast<char>(t[3]),
            static_cast<char>(t[4]), static_cast<char>(t[5]), static_cast<char>(t[6]), static_cast<char>(t[7]),
            static_cast<char>(t[8]), static_cast<char>(t[9]), static_cast<char>(t[10]), static_cast<char>(t[11]),
            static_cast<char>(t[12]), static_cast<char>(t[13]), static_cast<char>(t[14]), static_cast<char>(t[15]));
        asm("" : "+x"(v));
        return v;
    }
    // By the low four bits: '"' 0x22, ':' 0x3a, '[' '{' 0x5b 0x7b, ',' '\\' 0x2c 0x5c, ']' '}' 0x5d 0x7d,
    // ' ' 0x20; every byte below 0x20 has its control bit whatever its low bits.
    static constexpr std::array<unsigned char, 16> low_table = {space_bit | control_bit,
                                                                control_bit,
                                                                quote_bit | control_bit,
                                                                control_bit,
                                                                control_bit,
                                                                control_bit,
                                                                control_bit,
                                                                control_bit,
                                                                control_bit,
                                                                control_bit,
                                                                colon_bit | control_bit,
                                                                bracket_bit | control_bit,
                                                                comma_bit | backslash_bit | control_bit,
                                                                bracket_bit | control_bit,
                                                                control_bit,
                                                                control_bit};
    // By the high four bits: 0x0_ and 0x1_ control, 0x2_ '"' ',' ' ', 0x3_ ':', 0x5_ brackets and '\\',
    // 0x7_ brackets; nothing from 0x80 up.
    static constexpr std::array<unsigned char, 16> high_table = {control_bit,
                                                                 control_bit,
                                                                 quote_bit | comma_bit | space_bit,
                                                                 colon_bit,
                                                                 0,
                                                                 bracket_bit | backslash_bit,
                                                                 0,
                                                                 bracket_bit,
                                                                 0,
                                                                 0,
                                                                 0,
                                                                 0,
                                                                 0,
                                                                 0,
                                                                 0,
                                                                 0};

    // The constants are built once per classifier and hidden as value_barrier() hides the SSE2 ones;
    // the barrier is spelled here because a __m256i may only pass through an AVX2 function.
    __attribute__((target("avx2"))) static __m256i splat(char c) noexcept {
        __m256i v = _mm256_set1_epi8(c);
        asm("" : "+x"(v));
        return v;
    }
    struct constants {
        __m256i nibble, by_low, by_high, backslash_bit, rare_bits, zero_char, nine, minus, dot;
    };
    constants splats_;

    __attribute__((target("avx2"))) json_blocks_avx2() noexcept
        : splats_{splat(0x0f),
                  table(low_table),
                  table(high_table),
                  splat(static_cast<char>(backslash_bit)),
                  splat(static_cast<char>(backslash_bit | control_bit)),
                  splat('0'),
                  splat(9),
                  splat('-'),
                  splat('.')} {}

    static constexpr bool numbers_by_mask = true;
    __attribute__((target("avx2"))) json_number_bytes numbers(const char* bytes) const noexcept {
        const __m256i low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bytes));
        const __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bytes + 32));
        const auto mask = [](__m256i in_low, __m256i in_high) __attribute__((target("avx2"))) {
            return static_cast<std::uint64_t>(static_cast<unsigned>(_mm256_movemask_epi8(in_low))) |
                   static_cast<std::uint64_t>(static_cast<unsigned>(_mm256_movemask_epi8(in_high))) << 32;
        };
        // Digits become 0 to 9.
        const __m256i t_low = _mm256_sub_epi8(low, splats_.zero_char);
        const __m256i t_high = _mm256_sub_epi8(high, splats_.zero_char);
        json_number_bytes n;
        n.digit = mask(_mm256_cmpeq_epi8(_mm256_min_epu8(t_low, splats_.nine), t_low),
                       _mm256_cmpeq_epi8(_mm256_min_epu8(t_high, splats_.nine), t_high));
        n.zero =
            mask(_mm256_cmpeq_epi8(t_low, _mm256_setzero_si256()), _mm256_cmpeq_epi8(t_high, _mm256_setzero_si256()));
        n.minus = mask(_mm256_cmpeq_epi8(low, splats_.minus), _mm256_cmpeq_epi8(high, splats_.minus));
        n.dot = mask(_mm256_cmpeq_epi8(low, splats_.dot), _mm256_cmpeq_epi8(high, splats_.dot));
        return n;
    }

    __attribute__((target("avx2"))) static json_block classify(const char* bytes) noexcept {
        return json_blocks_avx2{}.classify_as<true>(bytes);
    }
    __attribute__((target("avx2"))) static json_block classify_tokens(const char* bytes) noexcept {
        return json_blocks_avx2{}.classify_as<false>(bytes);
    }
    // Copies the bytes of the block whose bit is set in `keep`, in order, to `out`, and returns
    // how many; writes up to 8 bytes past them. Eight bytes at a time: a table gives, for each
    // 8-bit mask, the shuffle that packs the kept bytes to the front.
    __attribute__((target("avx2,popcnt"))) static std::size_t compact(char* out, const char* block,
                                                                      std::uint64_t keep) noexcept {
        std::size_t written = 0;
        for (std::size_t group = 0; group < json_block_size / 8; ++group) {
            const auto mask = static_cast<std::size_t>((keep >> (8 * group)) & 0xffU);
            const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(block + 8 * group));
            const __m128i order = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(pack_order[mask].data()));
            _mm_storel_epi64(reinterpret_cast<__m128i*>(out + written), _mm_shuffle_epi8(bytes, order));
            written += static_cast<std::size_t>(_mm_popcnt_u32(static_cast<unsigned>(mask)));
        }
        return written;
    }

    // pack_order[m]: the positions of the set bits of m, lowest first, then 0x80 (a zero byte).
    static constexpr std::array<std::array<char, 8>, 256> pack_order = [] {
        std::array<std::array<char, 8>, 256> table{};
        for (std::size_t m = 0; m < table.size(); ++m) {
            std::size_t n = 0;
            for (std::size_t bit = 0; bit < 8; ++bit) {
                if (((m >> bit) & 1U) != 0) {
                    table[m][n++] = static_cast<char>(bit);
                }
            }
            for (; n < 8; ++n) {
                table[m][n] = static_cast<char>(0x80);
            }
        }
        return table;
    }();

    // prefix_xor in one carry-less multiplication by all ones.
    __attribute__((target("pclmul"))) static std::uint64_t inside_quotes(std::uint64_t quote_bits) noexcept {
        const __m128i product = _mm_clmulepi64_si128(_mm_set_epi64x(0, static_cast<long long>(quote_bits)),
                                                     _mm_set1_epi8(static_cast<char>(0xff)), 0);
        return static_cast<std::uint64_t>(_mm_cvtsi128_si64(product));
    }
};

// Whether this processor (and its operating system) can run the AVX2 path, which also uses the
// BMI1, BMI2, POPCNT and carry-less multiplication instructions every AVX2 processor has.
inline bool cpu_has_avx2() noexcept {
    // (GCC's builtin returns int, Clang's bool.)
    return static_cast<bool>(__builtin_cpu_supports("avx2")) && static_cast<bool>(__builtin_cpu_supports("bmi")) &&
           static_cast<bool>(__builtin_cpu_supports("bmi2")) && static_cast<bool>(__builtin_cpu_supports("pclmul")) &&
           static_cast<bool>(__builtin_cpu_supports("popcnt"));
}
#endif

#if KORE_WEBHOOK_AVX2_DISPATCH
// The minifier's choice on x86-64 with GCC or Clang: AVX2 where the processor has it (checked
// once per chunk), SSE2 otherwise. It names no classifier of its own.
struct json_blocks_dispatch {};
using json_blocks_default = json_blocks_dispatch;
#elif KORE_WEBHOOK_SSE2
using json_blocks_default = json_blocks_sse2;
#else
using json_blocks_default = json_blocks_portable;
#endif

// No blocks at all: the minifier goes byte by byte, as it did before blocks existed. The
// reference the block paths are tested against.
struct json_blocks_none {};

}  // namespace kore::webhook::detail

#endif
