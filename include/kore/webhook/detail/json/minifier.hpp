#ifndef KORE_WEBHOOK_DETAIL_JSON_MINIFIER_HPP
#define KORE_WEBHOOK_DETAIL_JSON_MINIFIER_HPP

// A streaming, validating JSON minifier: removes insignificant whitespace (RFC 8259) and changes
// nothing else. It validates while it goes, so a body gets a second chance at verification only
// when it is one JSON text: two bodies can then share a signature only if they are the same
// JSON value written with different spacing. Fixed memory, no allocation, any chunking.
//
// One driver loop over two paths that reach the same verdicts: the reference grammar byte by
// byte (grammar.hpp) and, where a classifier exists, 64-byte blocks (block_path.hpp). Whatever
// the block path leaves, the byte-by-byte path takes, so every error is found at the same byte.

#include <kore/webhook/detail/json/block_path.hpp>
#include <kore/webhook/detail/json/blocks.hpp>
#include <kore/webhook/detail/json/grammar.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace kore::webhook::detail {

template <class Blocks>
class basic_json_minifier {
public:
    static constexpr std::size_t max_depth = json_grammar::max_depth;

    // Feeds a chunk; calls sink(std::string_view) with the significant bytes, in order, in pieces
    // (short runs between whitespace are gathered first, so the sink is called less often).
    template <class Sink>
    void feed(std::string_view chunk, Sink&& sink) noexcept {
        run_buffer<std::remove_reference_t<Sink>> out(sink);
        std::size_t run_start = 0;
        const auto drop = [&](std::size_t at) noexcept {
            if (at > run_start) {
                out.append(chunk.substr(run_start, at - run_start));
            }
            run_start = at + 1;
            return true;  // go on
        };
        // A taken block with whitespace ends the run before it, and goes out without its
        // whitespace; one without stays part of the run.
        const auto cut = [&](const char* block, std::uint64_t spaces, const auto& classifier) noexcept {
            const auto base = static_cast<std::size_t>(block - chunk.data());
            if (base > run_start) {
                out.append(chunk.substr(run_start, base - run_start));
            }
            run_start = base + json_block_size;
            using classifier_type = std::decay_t<decltype(classifier)>;
            if constexpr (has_compact<classifier_type>::value) {
                out.advance(classifier_type::compact(out.reserve(json_block_size + 8), block, ~spaces));
            } else {
                for (std::uint64_t keep = ~spaces; keep != 0;) {
                    const std::size_t from = lowest_bit(keep);
                    const std::uint64_t beyond = ~keep & (~std::uint64_t{0} << from);
                    const std::size_t to = beyond == 0 ? json_block_size : lowest_bit(beyond);
                    out.append(std::string_view(block + from, to - from));
                    keep = to == json_block_size ? 0 : keep & (~std::uint64_t{0} << to);
                }
            }
        };
        drive<true>(chunk, drop, cut);
        if (!grammar_.failed() && run_start < chunk.size()) {
            out.append(chunk.substr(run_start));
        }
        out.flush();
    }

    // Feeds bytes until the first insignificant whitespace, which it consumes. Returns that
    // byte's index, or chunk.size() when the chunk held none (or the text turned invalid).
    std::size_t feed_until_whitespace(std::string_view chunk) noexcept {
        const auto stop = [](std::size_t) noexcept { return false; };
        // Only blocks without whitespace outside strings are taken.
        const auto none = [](const char*, std::uint64_t, const auto&) noexcept {};
        return drive<false>(chunk, stop, none);
    }

    [[nodiscard]] bool failed() const noexcept { return grammar_.failed(); }
    [[nodiscard]] bool removed_whitespace() const noexcept { return grammar_.removed_whitespace(); }
    // The whole input so far is exactly one JSON text (with optional surrounding whitespace).
    [[nodiscard]] bool complete() const noexcept { return grammar_.complete(); }

private:
    using action = json_grammar::action;
    static constexpr bool has_blocks = !std::is_same_v<Blocks, json_blocks_none>;

    // The one loop: blocks where the block path takes them, plain string bytes a word at a time,
    // every other byte through the grammar. drop(i) is told of each whitespace byte dropped and
    // says whether to go on; Spaced: blocks may hold whitespace, and cut() is told of each such
    // block's. Returns where it stopped: at a whitespace byte drop() ended on, or chunk.size()
    // (at the end, or where the text turned invalid).
    template <bool Spaced, class Drop, class Cut>
    std::size_t drive(std::string_view chunk, const Drop& drop, const Cut& cut) noexcept {
        std::size_t bytewise_until = 0;  // after a block the block path left, bytes up to here go one by one
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            if constexpr (has_blocks) {
                if (i >= bytewise_until && chunk.size() - i >= json_block_size &&
                    json_block_path<Blocks>::ready(grammar_)) {
                    const std::size_t blocks = (chunk.size() - i) / json_block_size;
                    bool left = false;
                    const std::size_t taken =
                        json_block_path<Blocks>(grammar_).template take<Spaced>(chunk.data() + i, blocks, cut, left);
                    i += taken * json_block_size;
                    if (left) {
                        bytewise_until = i + json_block_size;  // that block holds what blocks leave
                    }
                    if (i == chunk.size()) {
                        break;
                    }
                }
            }
            i += grammar_.plain_string_bytes(chunk.substr(i));
            if (i == chunk.size()) {
                break;
            }
            const action a = grammar_.step(static_cast<unsigned char>(chunk[i]));
            if (a == action::drop) {
                if (!drop(i)) {
                    return i;
                }
            } else if (a == action::fail) {
                break;
            }
        }
        return chunk.size();
    }

    // Whether a classifier can pack a block's kept bytes itself (Classifier::compact).
    template <class Classifier, class = void>
    struct has_compact : std::false_type {};
    template <class Classifier>
    struct has_compact<Classifier, std::void_t<decltype(&Classifier::compact)>> : std::true_type {};

    // Gathers the runs between whitespace into one piece before they reach the sink: a digest
    // update costs far more than copying the few bytes of a typical run.
    template <class Sink>
    class run_buffer {
    public:
        // bytes_ is written before it is read; initialising it on every feed() would cost more
        // than the copies it saves.
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init)
        explicit run_buffer(Sink& sink) noexcept : sink_(sink) {}

        void append(std::string_view run) noexcept {
            if (run.size() >= direct) {
                flush();
                sink_(run);
                return;
            }
            if (size_ + run.size() > capacity) {
                flush();
            }
            std::memcpy(bytes_.data() + size_, run.data(), run.size());
            size_ += run.size();
        }

        void flush() noexcept {
            if (size_ != 0) {
                sink_(std::string_view(bytes_.data(), size_));
                size_ = 0;
            }
        }

        // Room for n bytes (and slack: what is written past them is never read).
        char* reserve(std::size_t n) noexcept {
            if (size_ + n > capacity) {
                flush();
            }
            return bytes_.data() + size_;
        }
        void advance(std::size_t n) noexcept { size_ += n; }

    private:
        static constexpr std::size_t direct = 256;  // a run this long goes to the sink as it is
        static constexpr std::size_t capacity = 2048;
        Sink& sink_;
        std::array<char, capacity + 16> bytes_;  // NOLINT(cppcoreguidelines-pro-type-member-init): see above
        std::size_t size_ = 0;
    };

    json_grammar grammar_;
};

// The block path wherever a classifier exists (always with SSE2, AVX2 when the processor has it);
// tests and the fuzz target also run each classifier on its own and the byte-by-byte
// basic_json_minifier<json_blocks_none>.
using json_minifier = basic_json_minifier<json_blocks_default>;

}  // namespace kore::webhook::detail

#endif
