#ifndef KORE_WEBHOOK_REPLAY_DETAIL_REPLAY_TABLE_HPP
#define KORE_WEBHOOK_REPLAY_DETAIL_REPLAY_TABLE_HPP

// One shard of the in-memory replay store: a fixed pool of records allocated once (by the store), an
// open-addressing index over it and an intrusive list from the least to the most recently
// written record. Every operation is O(1) and allocates nothing; when the pool is full, the least
// recently written committed record is dropped, never a claim still in work (a new claim is
// refused with store_full instead). Not thread-safe by itself: memory_replay_store locks around it.
//
// The index is linear probing without tombstones: docs/replay.md, "One process".

#include <kore/webhook/errors.hpp>
#include <kore/webhook/replay_store.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>

namespace kore::webhook::detail {

template <class TimePoint>
class replay_table {
public:
    using index = std::uint32_t;
    static constexpr index none = std::numeric_limits<index>::max();

    struct record {
        replay_digest digest{};
        replay_store::claim_id owner{};
        TimePoint expires{};
        index older = none;  // toward the least recently written; also the free list's link
        index newer = none;
        bool committed = false;
        replay_store::token_hint token;
    };

    // A place in the index: the record's number (none: empty) and the digest bits that place it.
    struct slot {
        std::uint32_t hash = 0;
        index at = none;
    };

    // The most bytes one record costs: the record and at most four slots (the index has the power
    // of two at or above twice the capacity).
    static constexpr std::size_t bytes_per_record = sizeof(record) + 4 * sizeof(slot);

    // Index slots for `capacity` records: at least twice as many, so that runs of occupied slots
    // stay short (and one is always free).
    static constexpr std::size_t slots_for(std::size_t capacity) noexcept {
        std::size_t n = 2;
        while (n < 2 * capacity) {
            n <<= 1U;
        }
        return n;
    }

    // A table over storage its owner allocated and keeps: `capacity` records and
    // slots_for(capacity) value-initialised slots. (The in-memory store allocates every shard's
    // storage in one block, so that what it reports is what it takes.)
    replay_table() noexcept = default;
    replay_table(record* records, std::size_t capacity, slot* slots) noexcept
        : records_(records), capacity_(capacity), slots_(slots), slot_count_(slots_for(capacity)) {
        for (std::size_t i = 0; i < capacity; ++i) {
            records_[i].older = i + 1 < capacity ? static_cast<index>(i + 1) : none;
        }
        free_ = capacity > 0 ? 0 : none;
    }

    replay_store::claim_result claim(const replay_digest& digest, const replay_store::claim_id& id,
                                     std::string_view token, TimePoint now, TimePoint expires) noexcept {
        purge_expired(now);
        replay_store::claim_result out;
        index at = find(digest);
        if (at != none && records_[at].expires > now) {
            const record& r = records_[at];
            if (r.owner == id && !r.committed) {
                out.found = replay_store::record::claimed_now;  // the same claim asked again
            } else {
                out.found = r.committed ? replay_store::record::committed : replay_store::record::claimed_by_other;
                out.first_token = r.token;
            }
            return out;
        }
        if (at == none) {
            at = insert(digest, now);  // the newest claim already
            if (at == none) {
                out.error = make_error_code(replay_errc::store_full);
                return out;
            }
        } else {
            rewrite(at, false);  // an expired record taken over
        }
        record& r = records_[at];
        r.owner = id;
        r.expires = expires;
        r.token.assign(token);
        out.found = replay_store::record::claimed_now;
        return out;
    }

    std::error_code commit(const replay_digest& digest, const replay_store::claim_id& id, TimePoint now,
                           TimePoint expires) noexcept {
        index at = find(digest);
        if (at != none && records_[at].expires > now && records_[at].owner != id) {
            return make_error_code(replay_errc::lease_lost);
        }
        if (at == none) {
            // The claim ran out and its record was dropped: record the work that was done anyway.
            at = insert(digest, now);
            if (at == none) {
                return make_error_code(replay_errc::store_full);
            }
            records_[at].token.assign({});
        } else if (records_[at].expires <= now) {
            records_[at].token.assign({});
        }
        record& r = records_[at];
        r.owner = id;
        r.expires = expires;
        rewrite(at, true);
        return {};
    }

    std::error_code release(const replay_digest& digest, const replay_store::claim_id& id, TimePoint now) noexcept {
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

    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::size_t evictions() const noexcept { return evictions_; }

private:
    // The digest is SHA-256 output over a secret-keyed input, so any of its bytes are already
    // uniform and nobody without the secret can aim them at one slot. (The store picks the shard
    // from bytes 8 to 15, so these bits are not correlated with the shard.)
    static std::uint32_t hash_of(const replay_digest& digest) noexcept {
        std::uint32_t bits = 0;
        std::memcpy(&bits, digest.data(), sizeof bits);
        return bits;
    }

    [[nodiscard]] std::size_t home_of(std::uint32_t hash) const noexcept { return hash & (slot_count_ - 1); }
    [[nodiscard]] std::size_t next_slot(std::size_t at) const noexcept { return (at + 1) & (slot_count_ - 1); }

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

    // A new record for `digest`, in the index and newest of the claimed list; the caller fills it
    // and rewrites it. none when the pool is full and holds only unexpired claims: a claim is
    // never dropped to make room, or a second delivery would be processed beside the first.
    index insert(const replay_digest& digest, TimePoint now) noexcept {
        if (free_ == none && !make_room(now)) {
            return none;
        }
        const index at = free_;
        free_ = records_[at].older;
        record& r = records_[at];
        r.digest = digest;
        r.committed = false;
        const std::uint32_t hash = hash_of(digest);
        std::size_t i = home_of(hash);
        while (slots_[i].at != none) {
            i = next_slot(i);
        }
        slots_[i] = slot{hash, at};
        link_newest(at);
        ++size_;
        return at;
    }

    // Frees one record: an expired claim, else the least recently written committed record.
    bool make_room(TimePoint now) noexcept {
        const index oldest_claim = oldest_[claimed_list];
        if (oldest_claim != none && records_[oldest_claim].expires <= now) {
            remove(oldest_claim);
            return true;
        }
        const index oldest_done = oldest_[committed_list];
        if (oldest_done == none) {
            return false;
        }
        if (records_[oldest_done].expires > now) {
            ++evictions_;
        }
        remove(oldest_done);
        return true;
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
        const std::size_t mask = slot_count_ - 1;
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

    // Expired records at the old ends are dropped as they are met, two per claim at most, so that
    // no single call pays for a backlog; make_room reclaims the rest.
    void purge_expired(TimePoint now) noexcept {
        for (int i = 0; i < 2; ++i) {
            const index claim = oldest_[claimed_list];
            const index done = oldest_[committed_list];
            if (claim != none && records_[claim].expires <= now) {
                remove(claim);
            } else if (done != none && records_[done].expires <= now) {
                remove(done);
            } else {
                return;
            }
        }
    }

    // A record is on one of two lists, from the least to the most recently written: claims in
    // work, and committed records. Only the second is ever evicted.
    static constexpr std::size_t claimed_list = 0;
    static constexpr std::size_t committed_list = 1;
    static std::size_t list_of(const record& r) noexcept { return r.committed ? committed_list : claimed_list; }

    void unlink(index at) noexcept {
        record& r = records_[at];
        const std::size_t list = list_of(r);
        (r.older != none ? records_[r.older].newer : oldest_[list]) = r.newer;
        (r.newer != none ? records_[r.newer].older : newest_[list]) = r.older;
    }

    void link_newest(index at) noexcept {
        record& r = records_[at];
        const std::size_t list = list_of(r);
        r.older = newest_[list];
        r.newer = none;
        (newest_[list] != none ? records_[newest_[list]].newer : oldest_[list]) = at;
        newest_[list] = at;
    }

    // Moves a record to the newest end of the list its new state belongs to.
    void rewrite(index at, bool committed) noexcept {
        unlink(at);
        records_[at].committed = committed;
        link_newest(at);
    }

    record* records_ = nullptr;
    std::size_t capacity_ = 0;
    slot* slots_ = nullptr;
    std::size_t slot_count_ = 2;
    std::array<index, 2> oldest_{none, none};  // per list
    std::array<index, 2> newest_{none, none};
    index free_ = none;
    std::size_t size_ = 0;
    std::size_t evictions_ = 0;
};

}  // namespace kore::webhook::detail

#endif
