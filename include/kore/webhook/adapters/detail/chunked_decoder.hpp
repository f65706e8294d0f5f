#ifndef KORE_WEBHOOK_ADAPTERS_DETAIL_CHUNKED_DECODER_HPP
#define KORE_WEBHOOK_ADAPTERS_DETAIL_CHUNKED_DECODER_HPP

// The chunked transfer coding of a request body (RFC 9112, section 7.1), decoded as bytes
// arrive, without allocating. An adapter uses it where the server's own decoder cannot tell a
// complete body from one cut short (POCO 1.11 ends the stream the same way at the last chunk and
// at a closed connection): the body is complete only once done(), that is once the last chunk and
// the empty line closing the trailer section were read.
//
// Strict on purpose: CRLF line ends, at least one hex digit per size, chunk data followed by CRLF.
// Extensions are skipped and trailer fields ignored; a size line, and the trailer section as a
// whole, may be at most max_line_size bytes.

#include <kore/webhook/detail/hex.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kore::webhook::adapters::detail {

class chunked_decoder {
public:
    static constexpr std::size_t max_line_size = 4096;

    // Consumes bytes of `input` up to the end of the body, calling `data(std::string_view)` with each
    // run of body bytes. Returns how many bytes were consumed: all of them, unless the body ended
    // (done()) or the framing is broken (failed()) on the way.
    template <class Data>
    std::size_t feed(std::string_view input, Data&& data) {
        std::size_t used = 0;
        while (used < input.size() && state_ != state::done && state_ != state::failed) {
            if (state_ == state::data) {
                const std::size_t available = input.size() - used;
                const std::size_t run = remaining_ < available ? static_cast<std::size_t>(remaining_) : available;
                data(input.substr(used, run));
                used += run;
                remaining_ -= run;
                if (remaining_ == 0) {
                    state_ = state::data_cr;
                }
                continue;
            }
            step(input[used]);
            ++used;
        }
        return used;
    }

    [[nodiscard]] bool done() const noexcept { return state_ == state::done; }
    [[nodiscard]] bool failed() const noexcept { return state_ == state::failed; }

    // The most bytes a reader may take next without reading past the end of the body (and into
    // the next request on the connection): the rest of the current chunk's data, or one byte of
    // framing; zero once done or failed.
    [[nodiscard]] std::uint64_t next_read_limit() const noexcept {
        if (state_ == state::done || state_ == state::failed) {
            return 0;
        }
        return state_ == state::data ? remaining_ : 1;
    }

private:
    enum class state {
        size,              // the chunk size's hex digits
        extension,         // after the size: chunk extensions (or whitespace), up to CR
        size_lf,           // CR seen after the size line
        data,              // chunk data
        data_cr,           // after the data: CR
        data_lf,           // after the data: LF
        trailer_line,      // the start of a trailer line (or of the empty line that ends the body)
        trailer_field,     // inside a trailer field line
        trailer_field_lf,  // CR seen in a trailer field line
        final_lf,          // CR seen on the empty line: LF ends the body
        done,
        failed,
    };

    bool count_line_byte() noexcept {
        if (++line_size_ > max_line_size) {
            state_ = state::failed;
            return false;
        }
        return true;
    }

    // A byte inside a line (an extension, a trailer field): CR ends the line, a bare LF breaks
    // the framing, any other byte counts towards max_line_size.
    void line_byte(char c, state after_cr) noexcept {
        if (c == '\r') {
            state_ = after_cr;
        } else if (c == '\n') {
            state_ = state::failed;
        } else {
            count_line_byte();
        }
    }

    // A byte that the framing fixes: `expected` leads to `next`, anything else breaks it.
    void expect(char c, char expected, state next) noexcept { state_ = c == expected ? next : state::failed; }

    void step(char c) noexcept {
        switch (state_) {
            case state::size: {
                const int digit = kore::webhook::detail::hex_digit_value(c);
                if (digit >= 0 && digits_ < 15) {  // 15 hex digits: far beyond any body limit, no overflow
                    remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(digit);
                    ++digits_;
                    count_line_byte();
                } else if (digits_ > 0 && c == '\r') {
                    state_ = state::size_lf;
                } else if (digits_ > 0 && (c == ';' || c == ' ' || c == '\t')) {
                    state_ = state::extension;
                    count_line_byte();
                } else {
                    state_ = state::failed;
                }
                return;
            }
            case state::extension:
                line_byte(c, state::size_lf);
                return;
            case state::size_lf:
                if (c != '\n') {
                    state_ = state::failed;
                    return;
                }
                line_size_ = 0;
                digits_ = 0;
                state_ = remaining_ == 0 ? state::trailer_line : state::data;
                return;
            case state::data_cr:
                expect(c, '\r', state::data_lf);
                return;
            case state::data_lf:
                expect(c, '\n', state::size);
                return;
            case state::trailer_line:
                if (c == '\r') {
                    state_ = state::final_lf;
                } else {
                    state_ = state::trailer_field;
                    line_byte(c, state::trailer_field_lf);
                }
                return;
            case state::trailer_field:
                line_byte(c, state::trailer_field_lf);
                return;
            case state::trailer_field_lf:  // the trailer section counts as one line: it is bounded too
                expect(c, '\n', state::trailer_line);
                return;
            case state::final_lf:
                expect(c, '\n', state::done);
                return;
            case state::data:  // handled by feed() in runs
            case state::done:
            case state::failed:
                return;
        }
    }

    state state_ = state::size;
    std::uint64_t remaining_ = 0;  // the chunk size while reading it, then the data left in the chunk
    std::size_t digits_ = 0;
    std::size_t line_size_ = 0;
};

}  // namespace kore::webhook::adapters::detail

#endif
