#ifndef KORE_WEBHOOK_DETAIL_VALUE_BARRIER_HPP
#define KORE_WEBHOOK_DETAIL_VALUE_BARRIER_HPP

// value_barrier(v) hides a value from the optimiser, so that it cannot reason about what the value
// holds: an integer stays in a general register (the constant-time accumulator of equal_digests),
// a vector in a vector register (the JSON classifier's constants, built once, not per block).

#include <type_traits>

namespace kore::webhook::detail {

template <class T>
T value_barrier(T value) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    if constexpr (std::is_integral_v<T>) {
        __asm__("" : "+r"(value));
    } else {
        __asm__("" : "+x"(value));  // an SSE vector: only x86 code instantiates this
    }
#endif
    return value;
}

}  // namespace kore::webhook::detail

#endif
