#ifndef KORE_WEBHOOK_DETAIL_SIMD_HPP
#define KORE_WEBHOOK_DETAIL_SIMD_HPP

// Whether the SSE2 paths are compiled: SSE2 is part of x86-64 itself, so every x86-64 build has
// it and no run-time detection is needed. Elsewhere (or with KORE_WEBHOOK_NO_SIMD defined) the
// portable paths are used. Both are always compiled where SSE2 exists, and the tests hold each
// SSE2 path to its portable twin.

// NOLINTBEGIN(cppcoreguidelines-macro-usage): #if must read it
#if !defined(KORE_WEBHOOK_NO_SIMD) && (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#define KORE_WEBHOOK_SSE2 1
#include <emmintrin.h>
#else
#define KORE_WEBHOOK_SSE2 0
#endif
// NOLINTEND(cppcoreguidelines-macro-usage)

#endif
