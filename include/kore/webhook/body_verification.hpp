#ifndef KORE_WEBHOOK_BODY_VERIFICATION_HPP
#define KORE_WEBHOOK_BODY_VERIFICATION_HPP

// One callback's verification as a server's read loop drives it: the head is judged at once, each
// piece of the body is put() as it is read, and finish() gives the verdict.
//
//   kore::webhook::body_verification check{verifier, head, kore::webhook::keep_body::yes};
//   while (!check.error() && more_to_read) {
//       check.put(next_piece());           // false: stop reading (refused, or over the limit)
//   }
//   const kore::webhook::result r = check.finish();   // check.body(): the bytes it was reached on
//
// Nothing here throws or lets an application's exception out, so C-callback servers use it as is.

#include <kore/webhook/errors.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/stream.hpp>
#include <kore/webhook/verifier.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

namespace kore::webhook {

// Whether the body is kept for the application. A kept body costs its memory but lets the JSON
// fallback wait for a mismatch: the usual callback is then hashed once and nothing more.
enum class keep_body : bool { no = false, yes = true };

class body_verification {
public:
    // Against the verifier's registered URL.
    body_verification(const verifier& v, const request_head& head, keep_body keep = keep_body::no) noexcept
        : body_verification(v, v.registered_url(), head, keep) {}

    // Against `registered_url`, the callback URL as registered with KORE.
    body_verification(const verifier& v, std::string_view registered_url, const request_head& head,
                      keep_body keep = keep_body::no) noexcept
        : stream_(v.begin_stream(head.method(), registered_url,
                                 detail::check_head(head, registered_url, v.get_options()), keep == keep_body::yes)),
          head_(head),
          keep_(keep == keep_body::yes) {
        if (const auto declared = head.content_length(); keep_ && declared && !stream_.error()) {
            reserve(std::min<std::uint64_t>(*declared, v.get_options().max_body_size));
        }
    }

    // The reason to stop reading, once there is one: the head was refused, the body passed
    // options::max_body_size, memory ran out, the sink threw, or fail() was called.
    [[nodiscard]] std::error_code error() const noexcept { return error_ ? error_ : stream_.error(); }

    // Takes the next piece of the body; false once reading should stop.
    bool put(std::string_view piece) noexcept {
        return put(piece, [](std::string_view) noexcept {});
    }

    // The same, handing the piece to `sink` (callable with std::string_view) once it is taken.
    // The sink's pieces are untrusted until the verdict; an exception it throws stops reading
    // (adapter_errc::application_failed).
    template <class Sink>
    bool put(std::string_view piece, Sink&& sink) noexcept {
        if (error()) {
            return false;
        }
        stream_.update(piece);
        if (stream_.error()) {
            return false;  // over the limit: the piece is neither kept nor given to the sink
        }
        if (keep_ && !append(piece)) {
            return false;
        }
        if constexpr (std::is_nothrow_invocable_v<Sink&, std::string_view>) {
            sink(piece);
        } else {
            try {
                sink(piece);
            } catch (...) {  // the application's exception, whatever it is, must not cross a C frame
                error_ = make_error_code(adapter_errc::application_failed);
                return false;
            }
        }
        return true;
    }

    // Records why the body could not be read to its end (adapter_errc::body_incomplete, ...).
    void fail(std::error_code why) noexcept {
        if (!error_) {
            error_ = why ? why : make_error_code(adapter_errc::body_incomplete);
        }
    }

    // The verdict once the body is complete, or the reason reading stopped.
    [[nodiscard]] result finish() noexcept {
        if (error_) {
            return result::refused(error_);
        }
        return keep_ ? stream_.finish_kept(head_.signature(), body_) : stream_.finish(head_.signature());
    }

    [[nodiscard]] std::uint64_t body_size() const noexcept { return stream_.body_size(); }
    // The kept body (empty with keep_body::no), exactly as received; partial when refused.
    [[nodiscard]] const std::string& body() const noexcept { return body_; }
    [[nodiscard]] std::string take_body() noexcept { return std::move(body_); }

private:
    void reserve(std::uint64_t size) noexcept {
        try {
            body_.reserve(static_cast<std::size_t>(size));
        } catch (const std::bad_alloc&) {
            error_ = make_error_code(adapter_errc::out_of_memory);
        } catch (const std::length_error&) {
            error_ = make_error_code(adapter_errc::out_of_memory);
        }
    }

    bool append(std::string_view piece) noexcept {
        try {
            body_.append(piece);
            return true;
        } catch (const std::bad_alloc&) {
            error_ = make_error_code(adapter_errc::out_of_memory);
        } catch (const std::length_error&) {
            error_ = make_error_code(adapter_errc::out_of_memory);
        }
        return false;
    }

    stream stream_;
    request_head head_;  // for its signature: the views it holds are not read after construction
    std::string body_;
    std::error_code error_;
    bool keep_ = false;
};

}  // namespace kore::webhook

#endif
