#ifndef KORE_WEBHOOK_REPLAY_GUARD_HPP
#define KORE_WEBHOOK_REPLAY_GUARD_HPP

// After a callback is verified, the replay guard says whether this exact signed request is new,
// keyed by the verified digest (neither date nor kore-idempotency-token is signed).
//
//   kw::memory_replay_store store;  // or a redis_replay_store shared by a fleet
//   kw::replay_guard guard(store);
//   kw::replay_claim ticket = guard.claim(method, verified, token);
//   if (!ticket.should_process()) return reply(ticket.http_status(), ticket.status_name());
//   process(body);                  // an exception releases the claim (the ticket's destructor)
//   ticket.commit();                // or ticket.release() when processing failed
//
// fresh: process, then commit (later deliveries are duplicates, 200) or release (KORE's retry is
// processed). in_progress: another delivery holds the claim (423, KORE retries); a claim lives for
// processing_lease at most. GET callbacks sign no data: always fresh, never stored.
// docs/replay.md says what the guard protects and what it does not.

#include <kore/webhook/errors.hpp>
#include <kore/webhook/replay_store.hpp>
#include <kore/webhook/result.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace kore::webhook {

enum class replay_status {
    fresh,              // process it, then commit() (or release() if processing failed)
    in_progress,        // the same signed request is being processed elsewhere: answer 423, KORE retries
    duplicate,          // it was processed already: answer 200 and do not process it again
    store_unavailable,  // the store failed or is full (error() says which): 503 unless the guard fails open
    not_verified,       // the result is not a verified callback: there is nothing signed to key on
};

// What to do when the store cannot answer. fail_closed (the default) answers 503, so KORE keeps
// the callback and delivers it again; nothing is lost, nothing is processed twice. fail_open
// processes it unguarded: no callback is delayed, but a replay or a retry during the outage is
// processed again.
enum class replay_failure_policy { fail_closed, fail_open };

namespace detail {

// Each status's name and HTTP answer, in enum order.
//   fresh              204, the answer after successful processing (any 2xx will do)
//   duplicate          200: acknowledged, so KORE stops retrying; it is not processed again
//   in_progress        423 Locked: the callback is locked by the claim of a delivery being processed.
//                      It must be a status KORE retries (408, 423, 429, 5xx) so that the callback
//                      comes back if that processing fails. 409 is not retried; 429 and 503 would
//                      read as rate limiting and as an outage; 423 says exactly what happened.
//   store_unavailable  503, so KORE retries once the store is back (the fail-closed answer)
//   not_verified       401: nothing proves the request came from KORE
struct replay_status_row {
    std::string_view name;
    int http_status = 0;
};
inline constexpr std::array<replay_status_row, 5> replay_status_rows{{
    {"fresh", 204},
    {"in_progress", 423},
    {"duplicate", 200},
    {"store_unavailable", 503},
    {"not_verified", 401},
}};
static_assert(replay_status_rows.size() == static_cast<std::size_t>(replay_status::not_verified) + 1,
              "one row per replay_status");

// The row of a status; a value outside the enum gets {"unknown", 500}.
constexpr replay_status_row replay_status_row_of(replay_status s) noexcept {
    const auto index = static_cast<std::size_t>(s);
    return index < replay_status_rows.size() ? replay_status_rows[index] : replay_status_row{"unknown", 500};
}

}  // namespace detail

struct replay_guard_options {
    // How long a processed callback is remembered: replays and retries within it are duplicates.
    // Cover KORE's retry window; a day by default.
    std::chrono::milliseconds remember_for = std::chrono::hours(24);
    // How long a claim holds a callback before another delivery may take it over: longer than
    // processing ever takes, short enough that a crashed worker does not delay the callback long.
    std::chrono::milliseconds processing_lease = std::chrono::seconds(60);
    replay_failure_policy on_store_failure = replay_failure_policy::fail_closed;
};

class replay_guard;

// The guard's answer for one delivery. When it holds a claim, it is the only way to finish it:
// commit() after successful processing, release() after a failure; destroying it unfinished
// releases. Move-only; must not outlive the store.
class replay_claim {
public:
    replay_claim(const replay_claim&) = delete;
    replay_claim& operator=(const replay_claim&) = delete;
    replay_claim(replay_claim&& other) noexcept { take(other); }
    replay_claim& operator=(replay_claim&& other) noexcept {
        if (this != &other) {
            finish_unfinished();
            take(other);
        }
        return *this;
    }
    ~replay_claim() { finish_unfinished(); }

    [[nodiscard]] replay_status status() const noexcept { return status_; }
    // Why: the store's error for store_unavailable, replay_errc::not_verified for not_verified.
    [[nodiscard]] std::error_code error() const noexcept { return error_; }
    // For store_unavailable: the store's cause in words, for logs beside error().message() (the
    // Redis store gives Redis's own reply, e.g. "NOPERM ..."); never a secret. May be empty.
    [[nodiscard]] std::string_view diagnostic() const noexcept { return diagnostic_; }
    // True when the caller should process the callback now: fresh, or store_unavailable under
    // replay_failure_policy::fail_open. Otherwise answer http_status() without processing.
    [[nodiscard]] bool should_process() const noexcept { return process_; }
    // True while a claim in the store waits for commit() or release(). False for a GET and for
    // a callback processed unguarded because the store failed open.
    [[nodiscard]] bool holds_claim() const noexcept { return store_ != nullptr; }
    [[nodiscard]] int http_status() const noexcept { return detail::replay_status_row_of(status_).http_status; }
    [[nodiscard]] std::string_view status_name() const noexcept { return detail::replay_status_row_of(status_).name; }
    // For in_progress and duplicate: the kore-idempotency-token of the delivery that came first
    // (cut to replay_store::token_hint::max_size). The same token means a KORE retry; another one, a
    // replay with a changed token. Unsigned, so for logs only.
    [[nodiscard]] std::string_view first_token() const noexcept { return first_token_.view(); }

    // Records the callback as processed. Success also when there was nothing to record (a GET,
    // or fail-open during a store outage); replay_errc::not_claimed when this ticket was not a
    // go-ahead or is already finished; replay_errc::lease_lost when the lease ran out and another
    // delivery claimed the callback meanwhile; a store error when the store failed (the claim
    // then expires with its lease, and a later delivery is processed again).
    std::error_code commit() noexcept {
        replay_store* store = std::exchange(store_, nullptr);
        if (store == nullptr) {
            return finish_unguarded();
        }
        finished_ = true;
        return store->commit(digest_, id_, remember_for_);
    }

    // Drops the claim, so that the next delivery of this callback (KORE's retry) is processed.
    // Same results as commit().
    std::error_code release() noexcept {
        replay_store* store = std::exchange(store_, nullptr);
        if (store == nullptr) {
            return finish_unguarded();
        }
        finished_ = true;
        return store->release(digest_, id_);
    }

private:
    friend class replay_guard;

    replay_claim(replay_status status, bool process) noexcept : status_(status), process_(process) {}

    // A go-ahead without a record (a GET, or fail-open) finishes once, successfully.
    std::error_code finish_unguarded() noexcept {
        const bool go_ahead = process_ && !finished_;
        finished_ = true;
        return go_ahead ? std::error_code() : make_error_code(replay_errc::not_claimed);
    }

    void finish_unfinished() noexcept {
        if (store_ != nullptr) {
            static_cast<void>(release());
        }
    }

    void take(replay_claim& other) noexcept {
        store_ = std::exchange(other.store_, nullptr);
        digest_ = other.digest_;
        id_ = other.id_;
        remember_for_ = other.remember_for_;
        status_ = other.status_;
        error_ = other.error_;
        diagnostic_ = std::move(other.diagnostic_);
        process_ = other.process_;
        finished_ = std::exchange(other.finished_, true);
        first_token_ = other.first_token_;
    }

    replay_store* store_ = nullptr;  // set while a claim is held
    replay_digest digest_{};
    replay_store::claim_id id_{};
    std::chrono::milliseconds remember_for_{};
    replay_status status_ = replay_status::not_verified;
    std::error_code error_;
    std::string diagnostic_;
    bool process_ = false;
    bool finished_ = false;  // commit() or release() was called (or the ticket was moved from)
    replay_store::token_hint first_token_;
};

class replay_guard {
public:
    // The store must outlive the guard and every ticket it hands out. Throws std::invalid_argument
    // for durations that are not positive, or a lease longer than remember_for, and what
    // std::random_device throws when the system has no random source (for the guard's identity).
    // A guard is neither copied nor moved: build it where it is used, and share it by reference.
    explicit replay_guard(replay_store& store, replay_guard_options options = {})
        : store_(&store), options_(options), identity_(random_identity()) {
        if (options_.remember_for.count() <= 0 || options_.processing_lease.count() <= 0) {
            throw std::invalid_argument("kore-webhook: replay_guard durations must be positive");
        }
        if (options_.processing_lease > options_.remember_for) {
            throw std::invalid_argument(
                "kore-webhook: replay_guard processing_lease must not exceed remember_for (a claim would "
                "outlive the record it becomes)");
        }
    }

    // Decides on one delivery. `method` is the request's method: a GET is always fresh and never
    // stored (see the top of this header). `verified` must be verified(); anything else gets
    // not_verified, even a result accepted unsigned (there is no digest to key on).
    // `idempotency_token` (the kore-idempotency-token header, may be empty) is stored as a hint.
    [[nodiscard]] replay_claim claim(std::string_view method, const result& verified,
                                     std::string_view idempotency_token = {}) noexcept {
        if (!verified.verified()) {
            replay_claim refused(replay_status::not_verified, false);
            refused.error_ = make_error_code(replay_errc::not_verified);
            return refused;
        }
        if (is_get(method)) {
            return {replay_status::fresh, true};
        }
        const replay_store::claim_id id{identity_, next_sequence_.fetch_add(1, std::memory_order_relaxed)};
        replay_store::claim_result outcome =
            store_->claim(verified.digest(), id, idempotency_token, options_.processing_lease);
        if (outcome.error) {
            const bool open = options_.on_store_failure == replay_failure_policy::fail_open;
            replay_claim failed(replay_status::store_unavailable, open);
            failed.error_ = outcome.error;
            failed.diagnostic_ = std::move(outcome.diagnostic);
            return failed;
        }
        switch (outcome.found) {
            case replay_store::record::claimed_now: {
                replay_claim fresh(replay_status::fresh, true);
                fresh.store_ = store_;
                fresh.digest_ = verified.digest();
                fresh.id_ = id;
                fresh.remember_for_ = options_.remember_for;
                return fresh;
            }
            case replay_store::record::claimed_by_other: {
                replay_claim busy(replay_status::in_progress, false);
                busy.first_token_ = outcome.first_token;
                return busy;
            }
            case replay_store::record::committed:
                break;
        }
        replay_claim duplicate(replay_status::duplicate, false);
        duplicate.first_token_ = outcome.first_token;
        return duplicate;
    }

    [[nodiscard]] const replay_guard_options& options() const noexcept { return options_; }

private:
    // HTTP methods are case-sensitive, but a receiver that upper-cases them differently must not
    // turn every second GET into a "duplicate": that would lose callbacks.
    static bool is_get(std::string_view method) noexcept {
        return method.size() == 3 && (method[0] == 'G' || method[0] == 'g') && (method[1] == 'E' || method[1] == 'e') &&
               (method[2] == 'T' || method[2] == 't');
    }

    static std::uint64_t random_identity() {
        std::random_device device;
        return (static_cast<std::uint64_t>(device()) << 32U) ^ static_cast<std::uint64_t>(device());
    }

    replay_store* store_;
    replay_guard_options options_;
    std::uint64_t identity_;
    std::atomic<std::uint64_t> next_sequence_{0};
};

}  // namespace kore::webhook

#endif
