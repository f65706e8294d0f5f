#ifndef KORE_WEBHOOK_REPLAY_GUARD_MEMORY_HPP
#define KORE_WEBHOOK_REPLAY_GUARD_MEMORY_HPP

// A replay store in this process's memory, for a receiver that runs as one process (a fleet
// shares redis_replay_store instead). Its size is fixed when it is built: every record is
// allocated then, and the limits hold whatever arrives. When full, it drops the least recently
// committed record (expired ones first), so a flood of distinct callbacks makes it forget early
// ones sooner; it never grows. It never drops a claim still in work: when a shard holds nothing
// else, a new claim fails with replay_errc::store_full (503, KORE retries). Operations are O(1),
// allocate nothing and lock one of `shards` mutexes, chosen by the digest. Thread-safe.
//
// Clock is std::chrono::steady_clock or any type with time_point, duration and a now() callable
// on a const instance (tests inject a manual clock).

#include <kore/webhook/replay/detail/replay_table.hpp>
#include <kore/webhook/replay_guard.hpp>  // one include gives the guard and this store
#include <kore/webhook/replay_store.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

namespace kore::webhook {

struct memory_replay_store_options {
    // Records held at most, exactly (shards hold shares differing by one at most).
    std::size_t max_entries = 100'000;
    // Bytes the store allocates at most (records, index and shards: memory_bytes()); the capacity
    // is the most records both limits allow.
    std::size_t max_bytes = std::size_t{32} << 20U;
    // Independently locked parts (at most one per record); each holds its share of the capacity
    // and evicts on its own when its share is full. More shards, less contention between threads.
    std::size_t shards = 8;
};

template <class Clock = std::chrono::steady_clock>
class basic_memory_replay_store final : public replay_store {
    using table = detail::replay_table<typename Clock::time_point>;
    using record = typename table::record;
    using slot = typename table::slot;

    // A cache line of its own per shard, so that threads working on different shards do not
    // contend on the line holding another shard's mutex.
    struct alignas(64) shard {
        mutable std::mutex mutex;
        table records;
    };

public:
    // The most one record costs (176 bytes on x86-64), and what each shard adds (128).
    static constexpr std::size_t bytes_per_record = table::bytes_per_record;
    static constexpr std::size_t bytes_per_shard = sizeof(shard);

    // Throws std::invalid_argument when the limits leave room for no record or no shard, and
    // std::bad_alloc when the storage cannot be allocated.
    explicit basic_memory_replay_store(memory_replay_store_options options = {}, Clock clock = Clock())
        : clock_(std::move(clock)) {
        if (options.shards == 0) {
            throw std::invalid_argument("kore-webhook: memory_replay_store needs at least one shard");
        }
        // The largest capacity whose storage fits max_bytes (bytes_for grows with the capacity).
        std::size_t low = 0;
        std::size_t high = options.max_entries;
        const std::size_t per_shard_limit = table::none - 1;
        if (high / per_shard_limit >= options.shards) {
            high = options.shards * per_shard_limit;
        }
        while (low < high) {
            const std::size_t mid = high - (high - low) / 2;
            if (bytes_for(mid, options.shards) <= options.max_bytes) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        const std::size_t capacity = low;
        if (capacity == 0) {
            throw std::invalid_argument(
                "kore-webhook: memory_replay_store limits leave room for no record (max_entries or max_bytes "
                "is too small)");
        }
        shard_count_ = shards_for(capacity, options.shards);
        const std::size_t share = capacity / shard_count_;
        const std::size_t larger = capacity % shard_count_;  // shards holding one record more
        shards_ = std::make_unique<shard[]>(shard_count_);
        records_ = std::make_unique<record[]>(capacity);
        slot_total_ = (shard_count_ - larger) * table::slots_for(share) + larger * table::slots_for(share + 1);
        slots_ = std::make_unique<slot[]>(slot_total_);
        std::size_t next_record = 0;
        std::size_t next_slot = 0;
        for (std::size_t i = 0; i < shard_count_; ++i) {
            const std::size_t held = share + (i < larger ? 1 : 0);
            shards_[i].records = table(records_.get() + next_record, held, slots_.get() + next_slot);
            next_record += held;
            next_slot += table::slots_for(held);
        }
        capacity_ = capacity;
    }

    [[nodiscard]] replay_store::claim_result claim(const replay_digest& digest, const replay_store::claim_id& id,
                                                   std::string_view token,
                                                   std::chrono::milliseconds lease) noexcept override {
        const auto now = clock_.now();
        shard& s = shard_of(digest);
        const std::lock_guard<std::mutex> lock(s.mutex);
        return s.records.claim(digest, id, token, now, later(now, lease));
    }

    [[nodiscard]] std::error_code commit(const replay_digest& digest, const replay_store::claim_id& id,
                                         std::chrono::milliseconds remember_for) noexcept override {
        const auto now = clock_.now();
        shard& s = shard_of(digest);
        const std::lock_guard<std::mutex> lock(s.mutex);
        return s.records.commit(digest, id, now, later(now, remember_for));
    }

    [[nodiscard]] std::error_code release(const replay_digest& digest,
                                          const replay_store::claim_id& id) noexcept override {
        const auto now = clock_.now();
        shard& s = shard_of(digest);
        const std::lock_guard<std::mutex> lock(s.mutex);
        return s.records.release(digest, id, now);
    }

    // Records it can hold in all.
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    // Records held now, counting expired ones not yet dropped.
    [[nodiscard]] std::size_t size() const noexcept { return sum(&table::size); }
    // Unexpired committed records dropped to make room, since construction: non-zero means the
    // store is too small for the traffic, and remember_for is not honoured for every callback.
    [[nodiscard]] std::size_t evictions() const noexcept { return sum(&table::evictions); }
    // Bytes the store allocated (records, index and shards); fixed at construction, within max_bytes.
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return shard_count_ * sizeof(shard) + capacity_ * sizeof(record) + slot_total_ * sizeof(slot);
    }
    [[nodiscard]] std::size_t shards() const noexcept { return shard_count_; }

private:
    static std::size_t shards_for(std::size_t capacity, std::size_t shards) noexcept {
        return shards < capacity ? shards : capacity;
    }

    // The bytes the storage for `capacity` records takes, or the maximum when it would overflow.
    static std::size_t bytes_for(std::size_t capacity, std::size_t shards) noexcept {
        constexpr std::size_t too_much = std::numeric_limits<std::size_t>::max();
        if (capacity == 0) {
            return 0;
        }
        if (capacity > too_much / 4 / bytes_per_record) {
            return too_much;
        }
        const std::size_t n = shards_for(capacity, shards);
        const std::size_t share = capacity / n;
        const std::size_t larger = capacity % n;
        const std::size_t slot_count = (n - larger) * table::slots_for(share) + larger * table::slots_for(share + 1);
        return n * sizeof(shard) + capacity * sizeof(record) + slot_count * sizeof(slot);
    }

    // The table's index uses the digest's first 4 bytes; the shard takes bytes 8 to 15.
    [[nodiscard]] shard& shard_of(const replay_digest& digest) const noexcept {
        std::uint64_t bits = 0;
        std::memcpy(&bits, digest.data() + 8, sizeof bits);
        return shards_[static_cast<std::size_t>(bits % shard_count_)];
    }

    // now + d, saturated so that an enormous duration cannot overflow the clock's representation.
    static typename Clock::time_point later(typename Clock::time_point now, std::chrono::milliseconds d) noexcept {
        using duration = typename Clock::duration;
        const auto left = Clock::time_point::max() - now;
        if (d.count() <= 0) {
            return now;
        }
        if (std::chrono::duration_cast<std::chrono::milliseconds>(left) <= d) {
            return Clock::time_point::max();
        }
        return now + std::chrono::duration_cast<duration>(d);
    }

    [[nodiscard]] std::size_t sum(std::size_t (table::*field)() const noexcept) const noexcept {
        std::size_t total = 0;
        for (std::size_t i = 0; i < shard_count_; ++i) {
            const std::lock_guard<std::mutex> lock(shards_[i].mutex);
            total += (shards_[i].records.*field)();
        }
        return total;
    }

    Clock clock_;
    std::size_t capacity_ = 0;
    std::size_t shard_count_ = 0;
    std::size_t slot_total_ = 0;
    std::unique_ptr<shard[]> shards_;
    std::unique_ptr<record[]> records_;  // every shard's records, one after another
    std::unique_ptr<slot[]> slots_;      // every shard's index, one after another
};

using memory_replay_store = basic_memory_replay_store<>;

}  // namespace kore::webhook

#endif
