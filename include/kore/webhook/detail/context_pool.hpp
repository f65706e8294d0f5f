#ifndef KORE_WEBHOOK_DETAIL_CONTEXT_POOL_HPP
#define KORE_WEBHOOK_DETAIL_CONTEXT_POOL_HPP

// Digest contexts kept between one-shot verifications. An EVP_MD_CTX lives on the heap, and
// making one per call (allocating it and its state, then wiping and freeing both) cost about 300
// instructions, near 1% of verifying a 1 KiB body (docs/performance.md). Threads share a pool
// without a lock: a slot is taken by swapping it with null, and given back into an empty one.

#include <kore/webhook/detail/digest.hpp>

#include <array>
#include <atomic>
#include <cstddef>

namespace kore::webhook::detail {

class context_pool {
public:
    context_pool() noexcept = default;
    context_pool(const context_pool&) = delete;
    context_pool& operator=(const context_pool&) = delete;
    context_pool(context_pool&&) = delete;
    context_pool& operator=(context_pool&&) = delete;
    ~context_pool() {
        for (auto& slot : slots_) {
            EVP_MD_CTX_free(slot.load(std::memory_order_acquire));
        }
    }

    // A context from the pool, or a new one when every slot is in use (null if OpenSSL has no memory).
    evp_md_ctx_ptr take() noexcept {
        for (auto& slot : slots_) {
            if (slot.load(std::memory_order_relaxed) != nullptr) {
                if (EVP_MD_CTX* context = slot.exchange(nullptr, std::memory_order_acquire)) {
                    return evp_md_ctx_ptr(context);
                }
            }
        }
        return evp_md_ctx_ptr(EVP_MD_CTX_new());
    }

    // Keeps `context` for the next take(); frees it when every slot is full.
    void give(evp_md_ctx_ptr context) noexcept {
        for (auto& slot : slots_) {
            EVP_MD_CTX* empty = nullptr;
            if (context && slot.compare_exchange_strong(empty, context.get(), std::memory_order_release,
                                                        std::memory_order_relaxed)) {
                static_cast<void>(context.release());
                return;
            }
        }
    }

private:
    // As many callers at once as most servers have threads; any more allocate as before.
    static constexpr std::size_t slots = 8;
    std::array<std::atomic<EVP_MD_CTX*>, slots> slots_{};
};

}  // namespace kore::webhook::detail

#endif
