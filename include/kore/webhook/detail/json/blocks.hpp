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
        const auto equal = [&](__m256i wanted) __attribute__((target("avx2"))) {
            return mask(_mm256_cmpeq_epi8(low, wanted), _mm256_cmpeq_epi8(high, wanted));
        };
        // '[' and ']' are '{' and '}' with bit 5 clear: one fold, two compares.
        const __m256i folded_low = _mm256_or_si256(low, splats_.case_bit);
        const __m256i folded_high = _mm256_or_si256(high, splats_.case_bit);
        block.quote = equal(splats_.quote);
        block.bracket = mask(
            _mm256_or_si256(_mm256_cmpeq_epi8(folded_low, splats_.open), _mm256_cmpeq_epi8(folded_low, splats_.close)),
            _mm256_or_si256(_mm256_cmpeq_epi8(folded_high, splats_.open),
                            _mm256_cmpeq_epi8(folded_high, splats_.close)));
        block.colon = equal(splats_.colon);
        block.comma = equal(splats_.comma);
        // Unsigned v <= 0x1f: the minimum of v and 0x1f is v itself.
        const __m256i control_low = _mm256_cmpeq_epi8(_mm256_min_epu8(low, splats_.control), low);
        const __m256i control_high = _mm256_cmpeq_epi8(_mm256_min_epu8(high, splats_.control), high);
        __m256i rare =
            _mm256_or_si256(_mm256_cmpeq_epi8(low, splats_.backslash), _mm256_cmpeq_epi8(high, splats_.backslash));
        if constexpr (Whitespace) {
            block.space = equal(splats_.space);
            block.control = mask(control_low, control_high);
        } else {
            rare = _mm256_or_si256(rare, _mm256_or_si256(control_low, control_high));
        }
        block.rare = _mm256_movemask_epi8(rare) != 0;
        return block;
    }

    // The constants are built once per classifier and hidden as value_barrier() hides the SSE2 ones;
    // the barrier is spelled here because a __m256i may only pass through an AVX2 function.
    __attribute__((target("avx2"))) static __m256i splat(char c) noexcept {
        __m256i v = _mm256_set1_epi8(c);
        asm("" : "+x"(v));
        return v;
    }
    struct constants {
        __m256i quote, case_bit, open, close, colon, comma, space, control, backslash;
    };
    constants splats_;

    __attribute__((target("avx2"))) json_blocks_avx2() noexcept
        : splats_{splat('"'), splat(0x20), splat('{'),  splat('}'), splat(':'),
                  splat(','), splat(' '),  splat(0x1f), splat('\\')} {}

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
