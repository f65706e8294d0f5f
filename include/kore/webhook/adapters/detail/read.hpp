#ifndef KORE_WEBHOOK_ADAPTERS_DETAIL_READ_HPP
#define KORE_WEBHOOK_ADAPTERS_DETAIL_READ_HPP

// What every adapter's read loop shares: the piece it reads into, the sink of a call given none,
// and the bound on reading and dropping a refused body (adapters::drain_limits).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kore::webhook::adapters {

// How much of a refused body is read and dropped before the answer, so that the client, still
// sending, reads the answer rather than a reset: 4 MiB in all and 2 s at most. A body declared
// longer is not read at all (the connection is closed after the answer).
struct drain_limits {
    std::uint64_t bytes = std::uint64_t{4} << 20U;
    std::chrono::milliseconds time{2000};
};

}  // namespace kore::webhook::adapters

namespace kore::webhook::adapters::detail {

// What a read loop reads a body into. Declare it without an initializer: every read writes it
// before it is looked at (zeroing it cost a 16 KiB memset per callback).
inline constexpr std::size_t body_piece_size = 16384;
using body_piece = std::array<char, body_piece_size>;

// The sink of an adapter call that was given none.
struct no_sink {
    void operator()(std::string_view /*piece*/) const noexcept {}
};

// Counts what is dropped of a refused body against drain_limits.
class drain_budget {
public:
    explicit drain_budget(drain_limits limits = {}) noexcept
        : limits_(limits), deadline_(std::chrono::steady_clock::now() + limits.time) {}

    // False when a body of this declared length is not worth draining.
    static bool worth_draining(std::optional<std::uint64_t> declared, drain_limits limits = {}) noexcept {
        return !declared || *declared <= limits.bytes;
    }
    // False once the bound is reached: reading stops there.
    bool take(std::size_t size) noexcept {
        taken_ += size;
        return taken_ <= limits_.bytes && !expired();
    }
    [[nodiscard]] bool expired() const noexcept { return std::chrono::steady_clock::now() >= deadline_; }
    [[nodiscard]] std::chrono::steady_clock::time_point deadline() const noexcept { return deadline_; }

private:
    drain_limits limits_;
    std::uint64_t taken_ = 0;
    std::chrono::steady_clock::time_point deadline_;
};

}  // namespace kore::webhook::adapters::detail

#endif
