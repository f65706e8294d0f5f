#ifndef KORE_WEBHOOK_REPLAY_ERRORS_HPP
#define KORE_WEBHOOK_REPLAY_ERRORS_HPP

// Why the replay guard could not give a plain answer: its own error enum for std::error_code,
// kept apart from kore::webhook::errc, whose codes all come from the verifier.

#include <kore/webhook/detail/error_table.hpp>
#include <kore/webhook/errors.hpp>

#include <string_view>
#include <system_error>
#include <type_traits>

namespace kore::webhook {

enum class replay_errc {
    store_unavailable = 1,  // the store could not be reached, or did not answer within its timeout
    store_refused,          // the store answered, but with an error (out of memory, read-only, AUTH refused, ...)
    not_verified,           // the guard was asked about a result that no configured secret verified
    lease_lost,             // commit() or release() found the record held by another claim
    not_claimed,            // commit() or release() on a ticket that holds no claim (any more)
    store_full,             // the in-memory store holds only claims in work: none is dropped for a new one
};

namespace detail {

template <>
struct error_table<replay_errc> {
    static constexpr error_texts<6> texts{
        "kore.webhook.replay",
        {"unknown", "unknown kore-webhook replay error"},
        {{
            {"store_unavailable",
             "the replay store could not be reached or did not answer in time; nothing is known about "
             "this callback (fail-closed answers 503 so that KORE delivers it again later)"},
            {"store_refused",
             "the replay store answered with an error (for Redis: out of memory, a read-only replica, "
             "AUTH refused, or a server older than 7.0)"},
            {"not_verified",
             "the replay guard was given a result that no configured secret verified; only a verified "
             "digest identifies a signed request"},
            {"lease_lost",
             "the processing lease expired before commit or release and another delivery of the same "
             "callback claimed it; it may have been processed twice (lengthen processing_lease)"},
            {"not_claimed",
             "commit() or release() on a replay claim that holds nothing: it was not fresh, or it was "
             "already committed or released"},
            {"store_full",
             "the in-memory replay store is full of callbacks still being processed; none is dropped, so "
             "this one is refused (503, KORE delivers it again later); raise max_entries"},
        }}};
};
static_assert(error_table<replay_errc>::texts.values.size() == static_cast<std::size_t>(replay_errc::store_full),
              "one text per replay_errc");

}  // namespace detail

inline const std::error_category& replay_category() noexcept {
    return detail::category_of<replay_errc>();
}

// The short, stable name of a replay error ("store_unavailable"), for logs and HTTP bodies.
// Codes from other categories give "unknown"; an empty code gives "ok".
inline std::string_view replay_error_name(std::error_code ec) noexcept {
    return detail::name_among<replay_errc>(ec);
}

}  // namespace kore::webhook

template <>
struct std::is_error_code_enum<kore::webhook::replay_errc> : std::true_type {};

#endif
