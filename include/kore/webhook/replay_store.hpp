#ifndef KORE_WEBHOOK_REPLAY_STORE_HPP
#define KORE_WEBHOOK_REPLAY_STORE_HPP

// Where a replay guard remembers the signed requests it has seen: the interface every store
// implements (memory_replay_store in replay_guard_memory.hpp, redis_replay_store in
// replay_guard_redis.hpp). Applications use a store only through a replay_guard; implementing
// one is for a backend the library does not ship.
//
// A record is keyed by the verified digest and is in one of two states:
//   claimed    a worker is processing the callback; lives for the processing lease only
//   committed  the callback was processed; lives for the guard's remember_for
// Every operation is atomic with respect to the others on the same digest, in every process that
// shares the store. A record past its expiry time does not exist.

#include <kore/webhook/result.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace kore::webhook {

// The verified digest of one signed request (result::digest()).
using replay_digest = result::digest_type;

class replay_store {
public:
    // Names one claim, so that commit and release act only on the claim they own. Unique per claim
    // across every guard sharing a store (a random 64-bit guard identity and a 64-bit counter).
    struct claim_id {
        std::uint64_t guard = 0;
        std::uint64_t sequence = 0;

        friend constexpr bool operator==(const claim_id& a, const claim_id& b) noexcept {
            return a.guard == b.guard && a.sequence == b.sequence;
        }
        friend constexpr bool operator!=(const claim_id& a, const claim_id& b) noexcept { return !(a == b); }
    };

    // The kore-idempotency-token stored beside a record, as a hint for logs: it is not signed, so it
    // never decides anything. Kept in a fixed buffer (no allocation); longer tokens are cut.
    class token_hint {
    public:
        static constexpr std::size_t max_size = 64;

        constexpr token_hint() noexcept = default;
        explicit token_hint(std::string_view token) noexcept { assign(token); }

        void assign(std::string_view token) noexcept {
            size_ = token.size() < max_size ? token.size() : max_size;
            for (std::size_t i = 0; i < size_; ++i) {
                bytes_[i] = token[i];
            }
        }
        [[nodiscard]] std::string_view view() const noexcept { return {bytes_.data(), size_}; }

    private:
        std::array<char, max_size> bytes_{};
        std::size_t size_ = 0;
    };

    // What claim() found in the store.
    enum class record {
        claimed_now,       // there was no record: this claim now holds the digest
        claimed_by_other,  // another claim holds it and has not committed (or released) yet
        committed,         // it was processed already
    };

    struct claim_result {
        std::error_code error;  // set when the store failed: then only diagnostic is meaningful
        // For a failure: its cause in words, for logs (Redis's own reply, e.g. "NOPERM ..."); never
        // a secret. May be empty.
        std::string diagnostic;
        record found = record::claimed_now;
        token_hint first_token;  // for claimed_by_other and committed: the token of the claim that won
    };

    virtual ~replay_store() = default;

    // Creates a claimed record for `digest`, owned by `id` (with `token` as its hint), living for `lease`, unless a
    // record exists; reports which. A claim by the same id that finds its own record (a retried command) reports
    // claimed_now.
    [[nodiscard]] virtual claim_result claim(const replay_digest& digest, const claim_id& id, std::string_view token,
                                             std::chrono::milliseconds lease) noexcept = 0;

    // Turns the claim `id` holds into a committed record living for `remember_for`. When the
    // record is gone (its lease ran out and nobody claimed it since) it is created committed, so
    // the work done is still remembered. replay_errc::lease_lost when another claim holds it or
    // committed it.
    [[nodiscard]] virtual std::error_code commit(const replay_digest& digest, const claim_id& id,
                                                 std::chrono::milliseconds remember_for) noexcept = 0;

    // Removes the record if the claim `id` still holds it. Nothing to remove is success;
    // replay_errc::lease_lost when another claim holds the record.
    [[nodiscard]] virtual std::error_code release(const replay_digest& digest, const claim_id& id) noexcept = 0;

protected:
    replay_store() noexcept = default;
    replay_store(const replay_store&) = default;
    replay_store(replay_store&&) = default;
    replay_store& operator=(const replay_store&) = default;
    replay_store& operator=(replay_store&&) = default;
};

}  // namespace kore::webhook

#endif
