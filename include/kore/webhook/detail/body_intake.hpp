#ifndef KORE_WEBHOOK_DETAIL_BODY_INTAKE_HPP
#define KORE_WEBHOOK_DETAIL_BODY_INTAKE_HPP

// Where the pieces of a body go as a streaming adapter reads them: always into the verifier's
// stream; into the kept copy when the application asked for the body (read_verified); to the
// application's sink when it gave one. Reading stops at the first problem: the body passed
// options::max_body_size, memory ran out, or the sink threw. Nothing here lets an exception out,
// so C-callback adapters can use it as it is.

#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/stream.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace kore::webhook::detail {

// What a streaming adapter reads a body into, a piece at a time (and what it discards a refused
// body through). Declare it without an initializer: every read writes it before it is looked
// at, and zeroing it cost a 16 KiB memset per callback.
inline constexpr std::size_t body_piece_size = 16384;
using body_piece = std::array<char, body_piece_size>;

// The sink of an adapter call that was given none.
struct no_sink {
    void operator()(std::string_view /*piece*/) const noexcept {}
};

template <class Sink>
class body_intake {
public:
    // `kept` is where the body is kept, or null; `sink` must outlive the intake.
    body_intake(kore::webhook::stream& verification, std::string* kept, Sink& sink) noexcept
        : stream_(verification), kept_(kept), sink_(sink) {}

    // Reserves the kept copy for a declared length, at most `limit` bytes: one allocation for the
    // usual body, and never room for more than the verifier accepts.
    void expect(std::optional<std::uint64_t> declared, std::size_t limit) noexcept {
        if (kept_ == nullptr || !declared || error_) {
            return;
        }
        try {
            kept_->reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*declared, limit)));
        } catch (const std::bad_alloc&) {
            error_ = make_error_code(adapters::adapter_errc::out_of_memory);
        } catch (const std::length_error&) {
            error_ = make_error_code(adapters::adapter_errc::out_of_memory);
        }
    }

    // Takes the next piece; false once reading should stop.
    bool take(std::string_view piece) noexcept {
        if (error_) {
            return false;
        }
        stream_.update(piece);
        if (stream_.error()) {
            return false;  // over the limit: the piece is neither kept nor given to the sink
        }
        if (kept_ != nullptr) {
            try {
                kept_->append(piece);
            } catch (const std::bad_alloc&) {
                error_ = make_error_code(adapters::adapter_errc::out_of_memory);
                return false;
            } catch (const std::length_error&) {
                error_ = make_error_code(adapters::adapter_errc::out_of_memory);
                return false;
            }
        }
        if constexpr (std::is_nothrow_invocable_v<Sink&, std::string_view>) {
            sink_(piece);
        } else {
            try {
                sink_(piece);
            } catch (...) {  // the application's exception, whatever it is, must not cross a C frame
                error_ = make_error_code(adapters::adapter_errc::application_failed);
                return false;
            }
        }
        return true;
    }

    // The reason reading stopped early, if any: the verifier's (body_too_large, ...) or the intake's.
    [[nodiscard]] std::error_code error() const noexcept { return error_ ? error_ : stream_.error(); }

    // The verdict once the body is complete, or the reason reading stopped.
    [[nodiscard]] result finish(std::optional<std::string_view> signature_header) noexcept {
        if (error_) {
            return result::refused(error_);
        }
        return stream_.finish(signature_header);
    }

private:
    kore::webhook::stream& stream_;
    std::string* kept_;
    Sink& sink_;
    std::error_code error_;
};

}  // namespace kore::webhook::detail

#endif
