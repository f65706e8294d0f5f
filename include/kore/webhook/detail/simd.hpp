#ifndef KORE_WEBHOOK_DETAIL_SIMD_HPP
#define KORE_WEBHOOK_DETAIL_SIMD_HPP

// Which vector paths are compiled. SSE2 is part of x86-64 itself, so every x86-64 build has it
// and no run-time detection is needed; AVX2 paths are compiled beside it and chosen at run time.
// Elsewhere (or with KORE_WEBHOOK_NO_SIMD defined) the portable paths are used. The portable
// paths are always compiled, and the tests hold each vector path to its portable twin.

// NOLINTBEGIN(cppcoreguidelines-macro-usage): #if must read it
#if !defined(KORE_WEBHOOK_NO_SIMD) && (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#define KORE_WEBHOOK_SSE2 1
#include <emmintrin.h>
#else
#define KORE_WEBHOOK_SSE2 0
#endif

// AVX2 code compiled beside the SSE2 code and chosen at run time, where the compiler can do that
// (GCC and Clang, x86-64). KORE_WEBHOOK_NO_AVX2 keeps to SSE2 (to measure it, for instance).
#if KORE_WEBHOOK_SSE2 && !defined(KORE_WEBHOOK_NO_AVX2) && defined(__x86_64__) && \
    (defined(__GNUC__) || defined(__clang__))
#define KORE_WEBHOOK_AVX2_DISPATCH 1
#include <immintrin.h>
#else
#define KORE_WEBHOOK_AVX2_DISPATCH 0
#endif
// NOLINTEND(cppcoreguidelines-macro-usage)

#endif
