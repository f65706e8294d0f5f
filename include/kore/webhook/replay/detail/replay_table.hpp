#ifndef KORE_WEBHOOK_REPLAY_DETAIL_REPLAY_TABLE_HPP
#define KORE_WEBHOOK_REPLAY_DETAIL_REPLAY_TABLE_HPP

// One shard of the in-memory replay store: a fixed pool of records allocated once, an
// open-addressing index over it and an intrusive list from the least to the most recently
// written record. Every operation is O(1) and allocates nothing; when the pool is full, the least
// recently written record is dropped. Not thread-safe by itself: memory_replay_store locks
// around it.
//
// The index is linear probing over slots that hold a record's number beside 32 bits of its
// digest, at most half full. A lookup reads one run of adjacent slots and opens a record only
// when those bits match, so a callback not seen before costs one cache line of the index, not a
// walk through records scattered over megabytes (the store is full under load, and its records
// are not in any cache). Removal shifts the run back instead of leaving tombstones, so the index
// never degrades however many records pass through it.

#include <kore/webhook/replay_errors.hpp>
#include <kore/webhook/replay_store.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>
#include <vector>

namespace kore::webhook::detail {

template <class TimePoint>
class replay_table {
public:
    using index = std::uint32_t;
    static constexpr index none = std::numeric_limits<index>::max();

    struct record {
        replay_digest digest{};
        replay_claim_id owner{};
        TimePoint expires{};
        index older = none;  // toward the least recently written; also the free list's link
        index newer = none;
        bool committed = false;
        replay_token_hint token;
    };

    // A place in the index: the record's number (none: empty) and the digest bits that place it.
    struct slot {
        std::uint32_t hash = 0;
        index at = none;
    };

    // The bytes one record costs: the record and at most four slots (the index has the power of
    // two at or above twice the capacity).
    static constexpr std::size_t bytes_per_record = sizeof(record) + 4 * sizeof(slot);

    explicit replay_table(std::size_t capacity) : records_(capacity), slots_(slot_count(capacity)) {
        for (std::size_t i = 0; i < capacity; ++i) {
            records_[i].older = i + 1 < capacity ? static_cast<index>(i + 1) : none;
        }
        free_ = capacity > 0 ? 0 : none;
    }

    replay_store_claim claim(const replay_digest& digest, const replay_claim_id& id, std::string_view token,
                             TimePoint now, TimePoint expires) noexcept {
        purge_expired(now);
        replay_store_claim out;
        const index found = find(digest);
        if (found != none && records_[found].expires > now) {
            const record& r = records_[found];
            if (r.owner == id && !r.committed) {
                out.record = replay_record::claimed_now;  // the same claim asked again
            } else {
                out.record = r.committed ? replay_record::committed : replay_record::claimed_by_other;
                out.first_token = r.token;
            }
            return out;
        }
        const index at = found != none ? found : insert(digest, now);
        record& r = records_[at];
        r.owner = id;
        r.committed = false;
        r.expires = expires;
        r.token.assign(token);
        make_newest(at);
        out.record = replay_record::claimed_now;
        return out;
    }

    std::error_code commit(const replay_digest& digest, const replay_claim_id& id, TimePoint now,
                           TimePoint expires) noexcept {
        index at = find(digest);
        if (at != none && records_[at].expires > now && records_[at].owner != id) {
            return make_error_code(replay_errc::lease_lost);
        }
        if (at == none) {
            // The claim ran out and its record was dropped: record the work that was done anyway.
            at = insert(digest, now);
            records_[at].token.assign({});
        } else if (records_[at].expires <= now) {
            records_[at].token.assign({});
        }
        record& r = records_[at];
        r.owner = id;
        r.committed = true;
        r.expires = expires;
        make_newest(at);
        return {};
    }

    std::error_code release(const replay_digest& digest, const replay_claim_id& id, TimePoint now) noexcept {
        const index at = find(digest);
        if (at == none) {
            return {};
        }
        const record& r = records_[at];
        if (r.expires > now && r.owner != id) {
            return make_error_code(replay_errc::lease_lost);
        }
        if (r.expires > now && r.committed) {
            return make_error_code(replay_errc::not_claimed);
        }
        remove(at);
        return {};
    }

    [[nodiscard]] std::size_t capacity() const noexcept { return records_.size(); }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::size_t evictions() const noexcept { return evictions_; }
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return records_.size() * sizeof(record) + slots_.size() * sizeof(slot);
    }

private:
    // At least twice the capacity, so that runs of occupied slots stay short (and one is free).
    static std::size_t slot_count(std::size_t capacity) noexcept {
        std::size_t n = 2;
        while (n < 2 * capacity) {
            n <<= 1U;
        }
        return n;
    }

    // The digest is SHA-256 output over a secret-keyed input, so any of its bytes are already
    // uniform and nobody without the secret can aim them at one slot. (The store picks the shard
    // from bytes 8 to 15, so these bits are not correlated with the shard.)
    static std::uint32_t hash_of(const replay_digest& digest) noexcept {
        std::uint32_t bits = 0;
        std::memcpy(&bits, digest.data(), sizeof bits);
        return bits;
    }

    [[nodiscard]] std::size_t home_of(std::uint32_t hash) const noexcept { return hash & (slots_.size() - 1); }
    [[nodiscard]] std::size_t next_slot(std::size_t at) const noexcept { return (at + 1) & (slots_.size() - 1); }

    [[nodiscard]] index find(const replay_digest& digest) const noexcept {
        const std::uint32_t hash = hash_of(digest);
        for (std::size_t i = home_of(hash);; i = next_slot(i)) {
            const slot& s = slots_[i];
            if (s.at == none) {
                return none;
            }
            if (s.hash == hash && records_[s.at].digest == digest) {
                return s.at;
            }
        }
    }

    // A new record for `digest`, linked into the index and as the newest; the caller fills it.
    index insert(const replay_digest& digest, TimePoint now) noexcept {
        if (free_ == none) {
            if (records_[oldest_].expires > now) {
                ++evictions_;
            }
            remove(oldest_);
        }
        const index at = free_;
        free_ = records_[at].older;
        record& r = records_[at];
        r.digest = digest;
        const std::uint32_t hash = hash_of(digest);
        std::size_t i = home_of(hash);
        while (slots_[i].at != none) {
            i = next_slot(i);
        }
        slots_[i] = slot{hash, at};
        r.older = none;
        r.newer = none;
        link_newest(at);
        ++size_;
        return at;
    }

    void remove(index at) noexcept {
        record& r = records_[at];
        std::size_t hole = home_of(hash_of(r.digest));
        while (slots_[hole].at != at) {
            hole = next_slot(hole);
        }
        // Backward shift: each later slot of the run moves into the hole when its home is at or
        // before the hole (cyclically), so that no empty slot ever lies between a record's home
        // and the record, which is what a lookup relies on to stop at the first empty slot.
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = next_slot(hole); slots_[i].at != none; i = next_slot(i)) {
            const std::size_t home = home_of(slots_[i].hash);
            if (((i - home) & mask) >= ((i - hole) & mask)) {
                slots_[hole] = slots_[i];
                hole = i;
            }
        }
        slots_[hole] = slot{};
        unlink(at);
        r.older = free_;
        r.newer = none;
        free_ = at;
        --size_;
    }

    // Expired records at the old end are dropped as they are met, two per claim at most, so that
    // no single call pays for a backlog; eviction reclaims the rest.
    void purge_expired(TimePoint now) noexcept {
        for (int i = 0; i < 2 && oldest_ != none && records_[oldest_].expires <= now; ++i) {
            remove(oldest_);
        }
    }

    void unlink(index at) noexcept {
        record& r = records_[at];
        (r.older != none ? records_[r.older].newer : oldest_) = r.newer;
        (r.newer != none ? records_[r.newer].older : newest_) = r.older;
    }

    void link_newest(index at) noexcept {
        record& r = records_[at];
        r.older = newest_;
        r.newer = none;
        (newest_ != none ? records_[newest_].newer : oldest_) = at;
        newest_ = at;
    }

    void make_newest(index at) noexcept {
        if (newest_ != at) {
            unlink(at);
            link_newest(at);
        }
    }

    std::vector<record> records_;
    std::vector<slot> slots_;
    index oldest_ = none;
    index newest_ = none;
    index free_ = none;
    std::size_t size_ = 0;
    std::size_t evictions_ = 0;
};

}  // namespace kore::webhook::detail

#endif
