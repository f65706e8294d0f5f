#ifndef KORE_WEBHOOK_DETAIL_LENGTH_EXTENSION_GUARD_HPP
#define KORE_WEBHOOK_DETAIL_LENGTH_EXTENSION_GUARD_HPP

// Detects SHA-256 length-extension glue in a body (docs/protocol.md, section 3.4), chunk by chunk, in fixed memory.
//
// KORE signs SHA-256(prefix || body) with prefix = secret || METHOD || URL. Whoever saw one signed
// request can sign prefix || body || glue || anything without the secret, where glue is the
// padding SHA-256 appended to the original: 0x80, zeros, then the original length in bits as a
// 64-bit big-endian number, ending on a 64-byte block boundary. So a signed string is a forgery
// exactly when, at a block boundary p inside the body, the 8 bytes before p encode 8*n with n at
// least the prefix length, byte n is 0x80, the bytes between are zero, and p is where the padding
// of an n-byte message ends. One look per 64 bytes; text never has the NUL bytes a length holds,
// so for text that look is one four-byte load.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace kore::webhook::detail {

inline constexpr std::size_t sha256_block_size = 64;
inline constexpr std::size_t sha256_length_field_size = 8;
// The longest glue: 0x80, 63 zero bytes, the 8-byte length (when n + 9 just passes a boundary).
inline constexpr std::size_t sha256_max_glue_size = sha256_block_size + sha256_length_field_size;

// The body bytes a guard can see at one time: the tail of earlier chunks and the current chunk.
class body_window {
public:
    // Makes `chunk` the newest bytes; `tail` keeps the bytes before it that a glue may span.
    void advance(std::string_view chunk) noexcept {
        chunk_ = chunk;
        chunk_start_ = next_offset_;
        next_offset_ += chunk.size();
    }

    // Keeps the last bytes of the current chunk for the next one.
    void retire_chunk() noexcept {
        if (chunk_.size() >= tail_.size()) {
            // memcpy, not std::copy: char to unsigned char would be copied byte by byte.
            std::memcpy(tail_.data(), chunk_.data() + (chunk_.size() - tail_.size()), tail_.size());
            tail_size_ = tail_.size();
        } else {
            const std::size_t keep = std::min(tail_size_, tail_.size() - chunk_.size());
            // The kept bytes move towards the front, possibly onto themselves: memmove, not copy.
            std::memmove(tail_.data(), tail_.data() + (tail_size_ - keep), keep);
            if (!chunk_.empty()) {
                std::memcpy(tail_.data() + keep, chunk_.data(), chunk_.size());
            }
            tail_size_ = keep + chunk_.size();
        }
        chunk_ = {};
        chunk_start_ = next_offset_;
    }

    // Byte at body offset `offset`; callers only ask for offsets inside the window.
    [[nodiscard]] unsigned char at(std::uint64_t offset) const noexcept {
        if (offset >= chunk_start_) {
            return static_cast<unsigned char>(chunk_[static_cast<std::size_t>(offset - chunk_start_)]);
        }
        return tail_[static_cast<std::size_t>(offset - (chunk_start_ - tail_size_))];
    }

    // The four high bytes of a length field that starts `at` bytes into the current chunk.
    [[nodiscard]] std::uint32_t high_half_of_field_at(std::uint64_t at) const noexcept {
        std::uint32_t high = 0;
        std::memcpy(&high, chunk_.data() + at, sizeof high);
        return high;
    }

    [[nodiscard]] std::uint64_t chunk_start() const noexcept { return chunk_start_; }
    [[nodiscard]] std::uint64_t chunk_end() const noexcept { return next_offset_; }

private:
    std::array<unsigned char, sha256_max_glue_size> tail_{};
    std::size_t tail_size_ = 0;
    std::string_view chunk_;
    std::uint64_t chunk_start_ = 0;
    std::uint64_t next_offset_ = 0;
};

// Watches one signed-string alignment: that of one secret, since the prefix length decides where
// the block boundaries fall in the body.
class length_extension_guard {
public:
    length_extension_guard() noexcept = default;
    explicit length_extension_guard(std::uint64_t prefix_length) noexcept : prefix_length_(prefix_length) {}

    // Checks every block boundary that falls inside the window's current chunk.
    void scan(const body_window& window) noexcept {
        const std::uint64_t into_block = (prefix_length_ + window.chunk_start()) % sha256_block_size;
        std::uint64_t boundary = window.chunk_start() + (sha256_block_size - into_block);
        const std::uint64_t end = window.chunk_end();
        // A glue's n is shorter than the signed string before its length field, so while that
        // string is under 2^29 bytes, 8*n < 2^32 and the field's four high bytes are zero. Text
        // has no NUL bytes, and random binary four in a row once in 2^32 boundaries: a look at
        // those four bytes settles almost every boundary, and the full check runs only after it.
        if (prefix_length_ + end <= max_short_message) {
            // Boundaries whose length field starts in the tail of earlier chunks get the full check.
            for (; boundary <= end && boundary < window.chunk_start() + sha256_length_field_size;
                 boundary += sha256_block_size) {
                found_ = found_ || glue_ends_at(window, boundary);
            }
            if (boundary > end) {
                return;
            }
            // The rest: the field of each lies in the chunk, `at` bytes into it.
            const std::uint64_t chunk_size = end - window.chunk_start();
            for (std::uint64_t at = boundary - sha256_length_field_size - window.chunk_start();
                 at + sha256_length_field_size <= chunk_size; at += sha256_block_size) {
                if (window.high_half_of_field_at(at) == 0) {
                    found_ = found_ || glue_ends_at(window, window.chunk_start() + at + sha256_length_field_size);
                }
            }
            return;
        }
        for (; boundary <= end; boundary += sha256_block_size) {
            found_ = found_ || glue_ends_at(window, boundary);
        }
    }

    [[nodiscard]] bool found() const noexcept { return found_; }

private:
    static constexpr std::uint64_t max_short_message = std::uint64_t{1} << 29;

    // `boundary` is a body offset where a block of the signed string ends.
    [[nodiscard]] bool glue_ends_at(const body_window& window, std::uint64_t boundary) const noexcept {
        if (boundary < sha256_length_field_size + 1) {
            return false;  // no room for 0x80 and the length inside the body
        }
        std::uint64_t bits = 0;
        for (std::uint64_t i = boundary - sha256_length_field_size; i < boundary; ++i) {
            bits = (bits << 8) | window.at(i);
        }
        if (bits % 8 != 0) {
            return false;
        }
        const std::uint64_t n = bits / 8;                     // length of the message that was signed originally
        const std::uint64_t end = prefix_length_ + boundary;  // boundary as a signed-string offset
        // The padding of an n-byte message ends at the first block boundary at or after n + 9.
        if (n < prefix_length_ || n + sha256_length_field_size + 1 > end ||
            n + sha256_length_field_size + 1 + sha256_block_size <= end) {
            return false;
        }
        const std::uint64_t marker = n - prefix_length_;  // body offset of the 0x80 byte
        if (window.at(marker) != 0x80) {
            return false;
        }
        for (std::uint64_t i = marker + 1; i < boundary - sha256_length_field_size; ++i) {
            if (window.at(i) != 0) {
                return false;
            }
        }
        return true;
    }

    std::uint64_t prefix_length_ = 0;
    bool found_ = false;
};

}  // namespace kore::webhook::detail

#endif
