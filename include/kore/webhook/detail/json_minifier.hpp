#ifndef KORE_WEBHOOK_DETAIL_JSON_MINIFIER_HPP
#define KORE_WEBHOOK_DETAIL_JSON_MINIFIER_HPP

// A streaming, validating JSON minifier: removes insignificant whitespace (RFC 8259) and changes
// nothing else. It validates while it goes, so a body gets a second chance at verification only
// when it is one JSON text: two bodies can then share a signature only if they are the same
// JSON value written with different spacing. Fixed memory, no allocation, any chunking.
//
// Two paths reach the same verdicts. The reference goes byte by byte through a state machine.
// The block path (json_blocks.hpp) takes 64 bytes at once where the text has no whitespace
// outside strings, no escape and no control byte, the shape of every minified JSON body: from
// bit masks it finds the strings, checks each token against the one before it, walks only the
// brackets and the numbers and literals one by one, and commits the state the byte-by-byte path
// would have reached. Anything it does not settle (whitespace, escapes, the end of the top-level
// value, any error) it leaves, changing nothing, to the byte-by-byte path, which therefore finds
// every error at the same byte as before.

#include <kore/webhook/detail/json_blocks.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace kore::webhook::detail {

template <class Blocks>
class basic_json_minifier {
public:
    // Deeper documents are treated as invalid (no second try) rather than given unbounded memory.
    static constexpr std::size_t max_depth = 512;

    // Feeds a chunk; calls sink(std::string_view) with the significant bytes, in order, in pieces
    // (short runs between whitespace are gathered first, so the sink is called less often).
    template <class Sink>
    void feed(std::string_view chunk, Sink&& sink) noexcept {
        run_buffer<std::remove_reference_t<Sink>> out(sink);
        std::size_t run_start = 0;
        std::size_t bytewise_until = 0;  // after a block the block path left, bytes up to here go one by one
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            if constexpr (has_blocks) {
                if (i >= bytewise_until && chunk.size() - i >= json_block_size && block_ready()) {
                    const std::size_t first = i;
                    // A taken block with whitespace ends the run before it, and goes out without
                    // its whitespace; one without stays part of the run.
                    const auto cut = [&](std::size_t block, std::uint64_t spaces, auto classifier) noexcept {
                        const std::size_t base = first + block * json_block_size;
                        if (base > run_start) {
                            out.append(chunk.substr(run_start, base - run_start));
                        }
                        run_start = base + json_block_size;
                        if constexpr (has_compact<decltype(classifier)>::value) {
                            out.advance(decltype(classifier)::compact(out.reserve(json_block_size + 8),
                                                                      chunk.data() + base, ~spaces));
                        } else {
                            for (std::uint64_t keep = ~spaces; keep != 0;) {
                                const std::size_t from = lowest_bit(keep);
                                const std::uint64_t beyond = ~keep & (~std::uint64_t{0} << from);
                                const std::size_t to = beyond == 0 ? json_block_size : lowest_bit(beyond);
                                out.append(chunk.substr(base + from, to - from));
                                keep = to == json_block_size ? 0 : keep & (~std::uint64_t{0} << to);
                            }
                        }
                    };
                    const std::size_t blocks = (chunk.size() - i) / json_block_size;
                    const std::size_t taken = take_blocks<true>(chunk.data() + i, blocks, cut);
                    i += taken * json_block_size;
                    if (taken < blocks && block_ready()) {
                        bytewise_until = i + json_block_size;  // that block holds what blocks leave
                    }
                    if (i == chunk.size()) {
                        break;
                    }
                }
            }
            i += plain_string_bytes(chunk.substr(i));
            if (i == chunk.size()) {
                break;
            }
            const action a = step(static_cast<unsigned char>(chunk[i]));
            if (a == action::drop) {
                if (i > run_start) {
                    out.append(chunk.substr(run_start, i - run_start));
                }
                run_start = i + 1;
            } else if (a == action::fail) {
                out.flush();
                return;
            }
        }
        if (run_start < chunk.size()) {
            out.append(chunk.substr(run_start));
        }
        out.flush();
    }

    // Feeds bytes until the first insignificant whitespace, which it consumes. Returns that
    // byte's index, or chunk.size() when the chunk held none (or the text turned invalid).
    std::size_t feed_until_whitespace(std::string_view chunk) noexcept {
        std::size_t bytewise_until = 0;  // after a block the block path left, bytes up to here go one by one
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            if constexpr (has_blocks) {
                if (i >= bytewise_until && chunk.size() - i >= json_block_size && block_ready()) {
                    const std::size_t blocks = (chunk.size() - i) / json_block_size;
                    const std::size_t taken = take_blocks<false>(chunk.data() + i, blocks, no_whitespace);
                    i += taken * json_block_size;
                    if (taken < blocks && block_ready()) {
                        bytewise_until = i + json_block_size;  // that block holds what blocks leave
                    }
                    if (i == chunk.size()) {
                        break;
                    }
                }
            }
            i += plain_string_bytes(chunk.substr(i));
            if (i == chunk.size()) {
                break;
            }
            const action a = step(static_cast<unsigned char>(chunk[i]));
            if (a == action::drop) {
                return i;
            }
            if (a == action::fail) {
                break;
            }
        }
        return chunk.size();
    }

    [[nodiscard]] bool failed() const noexcept { return state_ == state::invalid; }
    [[nodiscard]] bool removed_whitespace() const noexcept { return removed_whitespace_; }

    // The whole input so far is exactly one JSON text (with optional surrounding whitespace).
    [[nodiscard]] bool complete() const noexcept {
        if (depth_ != 0) {
            return false;
        }
        switch (state_) {
            case state::done:
            case state::number_zero:
            case state::number_int:
            case state::number_frac:
            case state::number_exp:
                return true;
            default:
                return false;
        }
    }

private:
    enum class action : std::uint8_t { keep, drop, fail };
    // The states up to `string` are where a block may begin: between tokens inside a container,
    // or inside a string (block_ready()).
    enum class state : std::uint8_t {
        value,           // a value must follow (top level, after ':' or after ',' in an array)
        value_or_close,  // just after '['
        key_or_close,    // just after '{'
        key,             // after ',' in an object
        colon,           // after a key
        after_value,     // after a value inside a container: ',' or the closing bracket
        string,
        done,  // the top-level value is complete: only whitespace may follow
        string_escape,
        string_unicode,
        number_minus,
        number_zero,
        number_int,
        number_dot,
        number_frac,
        number_e,
        number_e_sign,
        number_exp,
        literal,
        invalid,
    };

    static constexpr bool has_blocks = !std::is_same_v<Blocks, json_blocks_none>;

    static constexpr bool is_whitespace(unsigned char c) noexcept {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
    static constexpr bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
    static constexpr bool is_hex(unsigned char c) noexcept {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    // Inside a string most bytes need no decision: everything but '"', '\\' and control
    // characters. Skipping them eight at a time keeps validation off the profile.
    [[nodiscard]] std::size_t plain_string_bytes(std::string_view bytes) const noexcept {
        if (state_ != state::string) {
            return 0;
        }
        constexpr std::uint64_t ones = 0x0101010101010101U;
        constexpr std::uint64_t highs = 0x8080808080808080U;
        std::size_t i = 0;
        for (; i + 8 <= bytes.size(); i += 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, bytes.data() + i, 8);
            const std::uint64_t quote = word ^ (ones * '"');
            const std::uint64_t backslash = word ^ (ones * '\\');
            const std::uint64_t special =
                ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | ((word - ones * 0x20U) & ~word);
            if ((special & highs) != 0) {
                break;
            }
        }
        while (i < bytes.size()) {
            const auto c = static_cast<unsigned char>(bytes[i]);
            if (c == '"' || c == '\\' || c < 0x20) {
                break;
            }
            ++i;
        }
        return i;
    }

    [[nodiscard]] bool block_ready() const noexcept { return depth_ != 0 && state_ <= state::string; }

    [[nodiscard]] bool scalar_complete() const noexcept {
        switch (state_) {
            case state::number_zero:
            case state::number_int:
            case state::number_frac:
            case state::number_exp:
            case state::after_value:  // a literal ends itself
            case state::done:
                return true;
            default:
                return false;
        }
    }

    // Where the rules of the block path stand at a block's first byte, as the previous block's
    // masks: only their bit 63, the byte before this block, matters (follow() shifts it in).
    struct block_carry {
        std::uint64_t inside = 0;      // that byte is in a string (or is its opening quote)
        std::uint64_t key_inside = 0;  // ... a string that is a key
        std::uint64_t values = 0;      // after '[', ':' or ',' in an array: a value may start
        std::uint64_t keys = 0;        // after '{' or ',' in an object: a key may start
        std::uint64_t ends = 0;        // after the end of a value: ',' or a closing bracket
        std::uint64_t key_ends = 0;    // after the end of a key: ':'
        std::uint64_t opens = 0;       // after '{' or '[': its closing bracket too
    };

    // The bytes just after those of `now`, with the byte before the block taken from `before`'s
    // bit 63 (one double shift).
    static std::uint64_t follow(std::uint64_t now, std::uint64_t before) noexcept { return now << 1 | before >> 63; }

    [[nodiscard]] block_carry carry_from_state() const noexcept {
        constexpr std::uint64_t last = std::uint64_t{1} << 63;
        block_carry c;
        c.inside = state_ == state::string ? last : 0;
        c.key_inside = state_ == state::string && string_is_key_ ? last : 0;
        c.values = state_ == state::value || state_ == state::value_or_close ? last : 0;
        c.keys = state_ == state::key_or_close || state_ == state::key ? last : 0;
        c.ends = state_ == state::after_value ? last : 0;
        c.key_ends = state_ == state::colon ? last : 0;
        c.opens = state_ == state::key_or_close || state_ == state::value_or_close ? last : 0;
        return c;
    }

    void state_from_carry(const block_carry& c) noexcept {
        const auto set = [](std::uint64_t mask) { return (mask >> 63) != 0; };
        if (set(c.inside)) {
            state_ = state::string;
            string_is_key_ = set(c.key_inside);
        } else if (set(c.key_ends)) {
            state_ = state::colon;
        } else if (set(c.values)) {
            state_ = set(c.opens) ? state::value_or_close : state::value;
        } else if (set(c.keys)) {
            state_ = set(c.opens) ? state::key_or_close : state::key;
        } else {
            state_ = state::after_value;
        }
    }

    template <bool Spaced, class OnSpaces>
    std::size_t take_blocks(const char* bytes, std::size_t count, OnSpaces& on_spaces) noexcept {
#if KORE_WEBHOOK_AVX2_DISPATCH
        if constexpr (std::is_same_v<Blocks, json_blocks_dispatch>) {
            if (cpu_has_avx2()) {
                return take_blocks_avx2<Spaced>(bytes, count, on_spaces);
            }
            return take_blocks_with<json_blocks_sse2, Spaced>(bytes, count, on_spaces);
        } else if constexpr (std::is_same_v<Blocks, json_blocks_avx2>) {
            return take_blocks_avx2<Spaced>(bytes, count, on_spaces);
        } else {
            return take_blocks_with<Blocks, Spaced>(bytes, count, on_spaces);
        }
#else
        return take_blocks_with<Blocks, Spaced>(bytes, count, on_spaces);
#endif
    }

#if KORE_WEBHOOK_AVX2_DISPATCH
    // The same loop with the AVX2 classifier inlined into it (flatten: everything it calls is
    // compiled here, for AVX2 and the BMI and carry-less multiplication instructions every AVX2
    // processor has). Only called when cpu_has_avx2().
    template <bool Spaced, class OnSpaces>
    __attribute__((target("avx2,bmi,bmi2,pclmul,popcnt"), flatten)) std::size_t take_blocks_avx2(
        const char* bytes, std::size_t count, OnSpaces& on_spaces) noexcept {
        return take_blocks_with<json_blocks_avx2, Spaced>(bytes, count, on_spaces);
    }
#endif

    // feed_until_whitespace() takes only blocks without whitespace outside strings.
    static constexpr auto no_whitespace = [](std::size_t, std::uint64_t, auto) noexcept {};

    // Whether a classifier can pack a block's kept bytes itself (Classifier::compact).
    template <class Classifier, class = void>
    struct has_compact : std::false_type {};
    template <class Classifier>
    struct has_compact<Classifier, std::void_t<decltype(&Classifier::compact)>> : std::true_type {};

    // The block path (see the top of the file): takes up to `count` blocks and returns how many
    // it took. It stops before a block it leaves to the byte-by-byte path (the state is then the
    // one before that block), or after a block that ends inside a number or literal (the state
    // is then that scalar's). Spaced: whitespace between tokens is allowed, and on_spaces(block
    // index, whitespace bits) is told of each taken block's; otherwise a block with any leaves.
    //
    // The grammar is a rule about neighbours: each token is allowed only after certain tokens,
    // whitespace between them or not. A value ('{', '[', a string or a scalar) follows '[', ':'
    // or ',' in an array; a key follows '{' or ',' in an object; ':' follows a key's closing
    // quote; ',' follows the end of a value; a closing bracket follows the end of a value or its
    // opening bracket. Which container a ',' is in, and whether brackets match, comes from
    // walking the brackets in order; which strings are keys, from the token before their
    // opening quote. Scalars go through step() one byte at a time and must be complete where
    // they end, which whitespace inside one ("tr ue", "1 0") makes them not.
    template <class Classifier, bool Spaced, class OnSpaces>
    std::size_t take_blocks_with(const char* bytes, std::size_t count, OnSpaces& on_spaces) noexcept {
        block_carry carry = carry_from_state();
        // The depth and the word of object_bits_ that holds the innermost level, kept here and
        // written back on the way out. A bracket that would leave that word's 64 levels (or end
        // the top-level value) leaves its block to the byte-by-byte path; as max_depth is a
        // multiple of 64, that is also where the byte-by-byte path counts the depth limit.
        static_assert(max_depth % 64 == 0 && max_depth / 64 == std::tuple_size_v<decltype(object_bits_)>);
        const std::size_t word_index = (depth_ - 1) / 64;
        const std::size_t word_base = word_index * 64;  // the level of the word's bit 0
        std::uint64_t levels = object_bits_[word_index];
        std::size_t depth = depth_ - word_base;                    // counted from word_base: 1 to 64
        bool in_object_now = ((levels >> (depth - 1)) & 1U) != 0;  // the innermost container is an object
        const auto write_back = [&]() noexcept {
            object_bits_[word_index] = levels;
            depth_ = word_base + depth;
        };
        std::size_t taken = 0;
        for (; taken < count; ++taken, bytes += json_block_size) {
            const json_block block = Spaced ? Classifier::classify(bytes) : Classifier::classify_tokens(bytes);
            if (block.rare) {
                break;
            }
            // In strings, opening quotes included: the quotes' running parity, flipped if the block
            // opens inside one.
            const std::uint64_t inside = Classifier::inside_quotes(block.quote) ^
                                         static_cast<std::uint64_t>(static_cast<std::int64_t>(carry.inside) >> 63);
            const std::uint64_t openings = block.quote & inside;
            const std::uint64_t closings = block.quote & ~inside;
            const std::uint64_t outside = ~(inside | block.quote);
            const std::uint64_t brackets = block.bracket & outside;
            const std::uint64_t colons = block.colon & outside;
            const std::uint64_t commas = block.comma & outside;
            std::uint64_t spaces = 0;
            if constexpr (Spaced) {
                // A control byte inside a string is invalid; outside one it must be '\t', '\n'
                // or '\r' (only a few per block: a line break).
                if ((block.control & inside) != 0 || !blanks_only(bytes, block.control & outside)) {
                    break;
                }
                spaces = (block.space | block.control) & outside;
            }
            // Everything else outside strings: numbers and literals, and any byte that makes the
            // text invalid or needs the byte-by-byte path: step() sees each.
            const std::uint64_t scalars = outside & ~(brackets | colons | commas | spaces);

            // Brackets in order, on copies: the block may yet be left.
            std::uint64_t block_levels = levels;
            std::size_t block_depth = depth;
            std::uint64_t object_opens = 0;
            std::uint64_t array_opens = 0;
            std::uint64_t closes = 0;
            std::uint64_t turns = 0;  // brackets after which the innermost container's kind changes
            const bool entry_in_object = in_object_now;
            bool top_is_object = entry_in_object;
            bool brackets_fit = true;
            for (std::uint64_t rest = brackets; rest != 0; rest &= rest - 1) {
                const std::uint64_t bit = rest & (~rest + 1);
                const auto c = static_cast<unsigned char>(bytes[lowest_bit(rest)]);
                const bool curly = (c & 0x20U) != 0;  // '{' and '}', not '[' and ']'
                const bool was_object = top_is_object;
                if ((c & 0x02U) != 0) {  // '{' and '[' (0x7b, 0x5b), not '}' and ']' (0x7d, 0x5d)
                    if (block_depth == 64) {
                        brackets_fit = false;
                        break;
                    }
                    block_levels = (block_levels & ~(std::uint64_t{1} << block_depth)) | std::uint64_t{curly}
                                                                                             << block_depth;
                    ++block_depth;
                    top_is_object = curly;
                    (curly ? object_opens : array_opens) |= bit;
                } else {
                    if (was_object != curly || block_depth == 1) {
                        brackets_fit = false;  // a mismatch, the end of the top-level value, or the word's start
                        break;
                    }
                    --block_depth;
                    closes |= bit;
                    top_is_object = ((block_levels >> (block_depth - 1)) & 1U) != 0;
                }
                turns |= was_object != top_is_object ? bit : 0;
            }
            // Bytes whose innermost container is an object (brackets themselves included, unused).
            const std::uint64_t in_object =
                Classifier::inside_quotes(turns) ^ (entry_in_object ? ~std::uint64_t{0} : 0);

            // Each rule: the tokens of one kind, and the tokens they may follow. follow(x) marks
            // the bytes just after a token of x, whitespace skipped: x, and the whitespace after
            // it, one up, with the carry for bit 0. A closing bracket after an opening one is
            // the same kind: the walk above checked that brackets match.
            // [&]: `spaces` is only read when Spaced, and an explicit capture would be unused otherwise.
            const auto through_spaces = [&](std::uint64_t tokens, std::uint64_t before) {
                if constexpr (Spaced) {
                    return tokens | (spaces & ~(spaces + (spaces & follow(tokens, before))));
                } else {
                    static_cast<void>(before);
                    return tokens;
                }
            };
            const std::uint64_t opens = through_spaces(object_opens | array_opens, carry.opens);
            const std::uint64_t values = through_spaces(array_opens | colons | (commas & ~in_object), carry.values);
            const std::uint64_t keys = through_spaces(object_opens | (commas & in_object), carry.keys);
            const std::uint64_t value_may_start = follow(values, carry.values);
            const std::uint64_t key_openings = openings & follow(keys, carry.keys);
            const std::uint64_t key_inside = inside & ~(inside + (key_openings | carry.key_inside >> 63));
            const std::uint64_t key_closings = closings & follow(key_inside, carry.key_inside);
            const std::uint64_t key_ends = through_spaces(key_closings, carry.key_ends);
            // Every token that starts a value: opening brackets, scalars, and strings that are not keys.
            std::uint64_t value_starts = object_opens | array_opens | (openings ^ key_openings);
            std::uint64_t value_ends = (closings ^ key_closings) | closes;
            if (scalars != 0) {
                value_starts |= scalars & ~(scalars << 1);
                value_ends |= scalars & ~(scalars >> 1);
            }
            const std::uint64_t ends = through_spaces(value_ends, carry.ends);
            const std::uint64_t after_end = follow(ends, carry.ends);
            const std::uint64_t misplaced = (value_starts & ~value_may_start) |
                                            (colons & ~follow(key_ends, carry.key_ends)) | (commas & ~after_end) |
                                            (closes & ~(after_end | follow(opens, carry.opens)));
            if (!brackets_fit || misplaced != 0 || (scalars != 0 && !scalars_fit(bytes, scalars))) {
                break;
            }
            levels = block_levels;
            depth = block_depth;
            in_object_now = top_is_object;
            if constexpr (Spaced) {
                if (spaces != 0) {
                    removed_whitespace_ = true;
                    on_spaces(taken, spaces, Classifier{});
                }
            }
            if (static_cast<std::int64_t>(scalars) < 0) {
                write_back();
                return taken + 1;  // state_ is the state step() left at the block's last byte
            }
            carry = {inside, key_inside, values, keys, ends, key_ends, opens};
        }
        write_back();
        state_from_carry(carry);
        return taken;
    }

    // Each byte of `controls` is JSON whitespace ('\t', '\n' or '\r'), not another control byte.
    static bool blanks_only(const char* bytes, std::uint64_t controls) noexcept {
        for (; controls != 0; controls &= controls - 1) {
            const char c = bytes[lowest_bit(controls)];
            if (c != '\n' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }

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

    // Numbers and literals, byte by byte through step(): each must be complete where it ends
    // inside the block; one that runs to the block's end leaves its state in state_.
    bool scalars_fit(const char* bytes, std::uint64_t scalars) noexcept {
        for (std::uint64_t rest = scalars & ~(scalars << 1); rest != 0; rest &= rest - 1) {
            const std::size_t from = lowest_bit(rest);
            const std::uint64_t beyond = ~scalars & (~std::uint64_t{0} << from);
            const std::size_t to = beyond == 0 ? 64 : lowest_bit(beyond);
            state_ = state::value;
            for (std::size_t i = from; i < to; ++i) {
                if (step(static_cast<unsigned char>(bytes[i])) != action::keep) {
                    return false;
                }
            }
            if (to < 64 && !scalar_complete()) {
                return false;
            }
        }
        return true;
    }

    action fail() noexcept {
        state_ = state::invalid;
        return action::fail;
    }

    action keep_in(state next) noexcept {
        state_ = next;
        return action::keep;
    }

    action drop_whitespace() noexcept {
        removed_whitespace_ = true;
        return action::drop;
    }

    [[nodiscard]] bool level_is_object(std::size_t level) const noexcept {
        return ((object_bits_[level / 64] >> (level % 64)) & 1U) != 0;
    }

    [[nodiscard]] bool in_object() const noexcept {
        return level_is_object(depth_ - 1);
    }

    void set_level(std::size_t level, bool object) noexcept {
        const std::uint64_t bit = std::uint64_t{1} << (level % 64);
        if (object) {
            object_bits_[level / 64] |= bit;
        } else {
            object_bits_[level / 64] &= ~bit;
        }
    }

    action open(bool object) noexcept {
        if (depth_ == max_depth) {
            return fail();
        }
        set_level(depth_, object);
        ++depth_;
        state_ = object ? state::key_or_close : state::value_or_close;
        return action::keep;
    }

    action close(bool object) noexcept {
        if (depth_ == 0 || in_object() != object) {
            return fail();
        }
        --depth_;
        end_value();
        return action::keep;
    }

    void end_value() noexcept {
        state_ = depth_ == 0 ? state::done : state::after_value;
    }

    action start_literal(std::string_view word) noexcept {
        literal_ = word;
        literal_pos_ = 1;
        return keep_in(state::literal);
    }

    action begin_value(unsigned char c) noexcept {
        switch (c) {
            case '{':
                return open(true);
            case '[':
                return open(false);
            case '"':
                string_is_key_ = false;
                return keep_in(state::string);
            case '-':
                return keep_in(state::number_minus);
            case '0':
                return keep_in(state::number_zero);
            case 't':
                return start_literal("true");
            case 'f':
                return start_literal("false");
            case 'n':
                return start_literal("null");
            default:
                if (c >= '1' && c <= '9') {
                    return keep_in(state::number_int);
                }
                return fail();
        }
    }

    // A byte that ends a number belongs to what follows the number.
    action end_number(unsigned char c) noexcept {
        end_value();
        return step(c);
    }

    action step(unsigned char c) noexcept {
        switch (state_) {
            case state::value:
                return is_whitespace(c) ? drop_whitespace() : begin_value(c);
            case state::value_or_close:
                if (is_whitespace(c)) {
                    return drop_whitespace();
                }
                return c == ']' ? close(false) : begin_value(c);
            case state::key_or_close:
            case state::key:
                if (is_whitespace(c)) {
                    return drop_whitespace();
                }
                if (c == '}' && state_ == state::key_or_close) {
                    return close(true);
                }
                if (c != '"') {
                    return fail();
                }
                string_is_key_ = true;
                return keep_in(state::string);
            case state::colon:
                if (is_whitespace(c)) {
                    return drop_whitespace();
                }
                if (c != ':') {
                    return fail();
                }
                return keep_in(state::value);
            case state::after_value:
                if (is_whitespace(c)) {
                    return drop_whitespace();
                }
                if (c == ',') {
                    state_ = in_object() ? state::key : state::value;
                    return action::keep;
                }
                if (c == '}' || c == ']') {
                    return close(c == '}');
                }
                return fail();
            case state::done:
                return is_whitespace(c) ? drop_whitespace() : fail();
            case state::string:
                if (c == '"') {
                    if (string_is_key_) {
                        state_ = state::colon;
                    } else {
                        end_value();
                    }
                } else if (c == '\\') {
                    state_ = state::string_escape;
                } else if (c < 0x20) {
                    return fail();  // raw control characters (NUL included) are not JSON
                }
                return action::keep;
            case state::string_escape:
                if (c == 'u') {
                    unicode_digits_ = 0;
                    return keep_in(state::string_unicode);
                }
                if (std::string_view("\"\\/bfnrt").find(static_cast<char>(c)) == std::string_view::npos) {
                    return fail();
                }
                return keep_in(state::string);
            case state::string_unicode:
                if (!is_hex(c)) {
                    return fail();
                }
                if (++unicode_digits_ == 4) {
                    state_ = state::string;
                }
                return action::keep;
            case state::number_minus:
                if (c == '0') {
                    state_ = state::number_zero;
                } else if (c >= '1' && c <= '9') {
                    state_ = state::number_int;
                } else {
                    return fail();
                }
                return action::keep;
            case state::number_zero:
            case state::number_int:
                if (is_digit(c) && state_ == state::number_int) {
                    return action::keep;
                }
                if (c == '.') {
                    return keep_in(state::number_dot);
                }
                if (c == 'e' || c == 'E') {
                    return keep_in(state::number_e);
                }
                return end_number(c);
            case state::number_dot:
                if (!is_digit(c)) {
                    return fail();
                }
                return keep_in(state::number_frac);
            case state::number_frac:
                if (is_digit(c)) {
                    return action::keep;
                }
                if (c == 'e' || c == 'E') {
                    return keep_in(state::number_e);
                }
                return end_number(c);
            case state::number_e:
                if (c == '+' || c == '-') {
                    return keep_in(state::number_e_sign);
                }
                [[fallthrough]];
            case state::number_e_sign:
                if (!is_digit(c)) {
                    return fail();
                }
                return keep_in(state::number_exp);
            case state::number_exp:
                return is_digit(c) ? action::keep : end_number(c);
            case state::literal:
                if (static_cast<char>(c) != literal_[literal_pos_]) {
                    return fail();
                }
                if (++literal_pos_ == literal_.size()) {
                    end_value();
                }
                return action::keep;
            case state::invalid:
                return action::fail;
        }
        return fail();
    }

    std::array<std::uint64_t, max_depth / 64> object_bits_{};
    std::size_t depth_ = 0;
    std::string_view literal_;
    std::size_t literal_pos_ = 0;
    state state_ = state::value;
    std::uint8_t unicode_digits_ = 0;
    bool string_is_key_ = false;
    bool removed_whitespace_ = false;
};

// The block path wherever a classifier exists (always with SSE2, AVX2 when the processor has it);
// tests and the fuzz target also run each classifier on its own and the byte-by-byte
// basic_json_minifier<json_blocks_none>.
using json_minifier = basic_json_minifier<json_blocks_default>;

}  // namespace kore::webhook::detail

#endif
