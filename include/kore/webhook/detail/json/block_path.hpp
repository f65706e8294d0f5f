#ifndef KORE_WEBHOOK_DETAIL_JSON_BLOCK_PATH_HPP
#define KORE_WEBHOOK_DETAIL_JSON_BLOCK_PATH_HPP

// The vector path of the JSON minifier: takes 64 bytes at once where the text has no whitespace
// outside strings (or only whitespace the caller drops), no escape and no control byte, the shape
// of every minified JSON body. From the classifier's bit masks (blocks.hpp) it finds the strings,
// checks each token against the one before it, walks only the brackets and the numbers and
// literals one by one, and commits the state the byte-by-byte grammar (grammar.hpp) would have
// reached. Anything it does not settle it leaves, changing nothing, to the byte-by-byte path.

#include <kore/webhook/detail/json/blocks.hpp>
#include <kore/webhook/detail/json/grammar.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <type_traits>

namespace kore::webhook::detail {

template <class Blocks>
class json_block_path {
public:
    using state = json_grammar::state;
    using action = json_grammar::action;

    explicit json_block_path(json_grammar& grammar) noexcept : g_(grammar) {}

    // Whether a block may begin here: between tokens inside a container, or inside a string.
    [[nodiscard]] static bool ready(const json_grammar& g) noexcept {
        return g.depth() != 0 && g.current() <= state::string;
    }

    // Takes up to `count` blocks from `bytes` and returns how many it took (see take_with); `left`
    // says whether it stopped before a block it leaves to the byte-by-byte path.
    template <bool Spaced, class OnSpaces>
    std::size_t take(const char* bytes, std::size_t count, const OnSpaces& on_spaces, bool& left) noexcept {
#if KORE_WEBHOOK_AVX2_DISPATCH
        if constexpr (std::is_same_v<Blocks, json_blocks_dispatch>) {
            if (cpu_has_avx2()) {
                return take_avx2<Spaced>(bytes, count, on_spaces, left);
            }
            return take_with<json_blocks_sse2, Spaced>(bytes, count, on_spaces, left);
        } else if constexpr (std::is_same_v<Blocks, json_blocks_avx2>) {
            return take_avx2<Spaced>(bytes, count, on_spaces, left);
        } else {
            return take_with<Blocks, Spaced>(bytes, count, on_spaces, left);
        }
#else
        return take_with<Blocks, Spaced>(bytes, count, on_spaces, left);
#endif
    }

private:
    // Where the rules of the block path stand at a block's first byte: the previous block's
    // masks, of which only bit 63 (the byte before this block) is read (follow() shifts it in).
    struct block_carry {
        std::uint64_t inside = 0;      // that byte is in a string (or is its opening quote)
        std::uint64_t key_inside = 0;  // ... a string that is a key
        std::uint64_t values = 0;      // after '[', ':' or ',' in an array: a value may start
        std::uint64_t keys = 0;        // after '{' or ',' in an object: a key may start
        std::uint64_t ends = 0;        // after the end of a value: ',' or a closing bracket
        std::uint64_t key_ends = 0;    // after the end of a key: ':'
        std::uint64_t opens = 0;       // after '{' or '[': its closing bracket too
    };

    // The bytes just after those of `now`, with the byte before the block taken from bit 63 of
    // `before` (the previous block's mask: a carry).
    static std::uint64_t follow(std::uint64_t now, std::uint64_t before) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(KORE_WEBHOOK_NO_SIMD)
        asm("shldq $1, %1, %0" : "+r"(now) : "r"(before) : "cc");  // one instruction: now << 1 | before >> 63
        return now;
#else
        return now << 1 | before >> 63;
#endif
    }

    [[nodiscard]] block_carry carry_from_state() const noexcept {
        constexpr std::uint64_t last = std::uint64_t{1} << 63;
        block_carry c;
        const state s = g_.current();
        c.inside = s == state::string ? last : 0;
        c.key_inside = s == state::string && g_.string_is_key() ? last : 0;
        c.values = s == state::value || s == state::value_or_close ? last : 0;
        c.keys = s == state::key_or_close || s == state::key ? last : 0;
        c.ends = s == state::after_value ? last : 0;
        c.key_ends = s == state::colon ? last : 0;
        c.opens = s == state::key_or_close || s == state::value_or_close ? last : 0;
        return c;
    }

    void state_from_carry(const block_carry& c) noexcept {
        const auto set = [](std::uint64_t mask) { return (mask >> 63) != 0; };
        if (set(c.inside)) {
            g_.set_state(state::string);
            g_.set_string_is_key(set(c.key_inside));
        } else if (set(c.key_ends)) {
            g_.set_state(state::colon);
        } else if (set(c.values)) {
            g_.set_state(set(c.opens) ? state::value_or_close : state::value);
        } else if (set(c.keys)) {
            g_.set_state(set(c.opens) ? state::key_or_close : state::key);
        } else {
            g_.set_state(state::after_value);
        }
    }

#if KORE_WEBHOOK_AVX2_DISPATCH
    // The same loop with the AVX2 classifier inlined into it (flatten: everything it calls is
    // compiled here, for AVX2 and the BMI and carry-less multiplication instructions every AVX2
    // processor has). Only called when cpu_has_avx2().
    template <bool Spaced, class OnSpaces>
    __attribute__((target("avx2,bmi,bmi2,pclmul,popcnt"), flatten)) std::size_t take_avx2(const char* bytes,
                                                                                          std::size_t count,
                                                                                          const OnSpaces& on_spaces,
                                                                                          bool& left) noexcept {
        return take_with<json_blocks_avx2, Spaced>(bytes, count, on_spaces, left);
    }
#endif

    // The block path (see the top of the file): takes up to `count` blocks and returns how many
    // it took. It stops before a block it leaves to the byte-by-byte path (the state is then the
    // one before that block), or after a block that ends inside a number or literal (the state
    // is then that scalar's). Spaced: whitespace between tokens is allowed, and on_spaces(block,
    // whitespace bits, classifier) is told of each taken block's; otherwise a block with any leaves.
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
    std::size_t take_with(const char* bytes, std::size_t count, const OnSpaces& on_spaces, bool& left) noexcept {
        block_carry carry = carry_from_state();
        // The depth and the word of the level bits that holds the innermost level, kept here and
        // written back on the way out. A bracket that would leave that word's 64 levels (or end
        // the top-level value) leaves its block to the byte-by-byte path; as max_depth is a
        // multiple of 64, that is also where the byte-by-byte path counts the depth limit.
        static_assert(json_grammar::max_depth % 64 == 0);
        const std::size_t word_base = (g_.depth() - 1) / 64 * 64;  // the level of the word's bit 0
        std::uint64_t levels = g_.level_word(word_base);
        std::size_t depth = g_.depth() - word_base;                // counted from word_base: 1 to 64
        bool in_object_now = ((levels >> (depth - 1)) & 1U) != 0;  // the innermost container is an object
        const auto write_back = [&]() noexcept { g_.set_levels(word_base, levels, word_base + depth); };
        const Classifier classifier;
        // A number or literal that ran to the end of the previous block: the grammar holds its
        // state, and its bytes at the start of this block go on through step() (that state is
        // put back if this block is left).
        bool in_scalar = false;
        json_grammar::scalar_snapshot scalar_state{};
        const auto leave = [&]() noexcept {
            write_back();
            if (in_scalar) {
                g_.restore_scalar(scalar_state);
            } else {
                state_from_carry(carry);
            }
        };
        std::size_t taken = 0;
        for (; taken < count; ++taken, bytes += json_block_size) {
            const json_block block = classifier.template classify_as<Spaced>(bytes);
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
            if (!brackets_fit) {
                break;
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
            const std::uint64_t key_inside = inside & ~(inside + (key_openings | (carry.key_inside >> 63)));
            const std::uint64_t key_closings = closings & follow(key_inside, carry.key_inside);
            const std::uint64_t key_ends = through_spaces(key_closings, carry.key_ends);
            // Every token that starts a value: opening brackets, scalars, and strings that are not keys.
            std::uint64_t value_starts = object_opens | array_opens | (openings ^ key_openings);
            std::uint64_t value_ends = (closings ^ key_closings) | closes;
            if (scalars != 0) {
                value_starts |= scalars & ~(scalars << 1 | std::uint64_t{in_scalar});
                value_ends |= scalars & ~(scalars >> 1);
            }
            const std::uint64_t ends = through_spaces(value_ends, carry.ends);
            const std::uint64_t after_end = follow(ends, carry.ends);
            const std::uint64_t misplaced = (value_starts & ~value_may_start) |
                                            (colons & ~follow(key_ends, carry.key_ends)) | (commas & ~after_end) |
                                            (closes & ~(after_end | follow(opens, carry.opens)));
            if (misplaced != 0 || (scalars != 0 && !scalars_fit(classifier, bytes, scalars, in_scalar, scalar_state))) {
                break;
            }
            levels = block_levels;
            depth = block_depth;
            in_object_now = top_is_object;
            if constexpr (Spaced) {
                if (spaces != 0) {
                    g_.note_removed_whitespace();
                    on_spaces(bytes, spaces, classifier);
                }
            }
            carry = {inside, key_inside, values, keys, ends, key_ends, opens};
            in_scalar = static_cast<std::int64_t>(scalars) < 0;
            if (in_scalar) {
                scalar_state = g_.save_scalar();  // step() left it at the block's last byte
            }
        }
        left = taken < count;
        leave();
        return taken;
    }

    // The numbers and literals of a block (`scalars`, the first run carried in from the previous
    // block when `in_scalar`). Those within the block are checked by masks (numbers_fit), or, where
    // that does not settle them, one by one (tokens_fit); the ones at the block's edges go through
    // the grammar, which carries their state across the boundary.
    template <class Classifier>
    bool scalars_fit(const Classifier& classifier, const char* bytes, std::uint64_t scalars, bool in_scalar,
                     const json_grammar::scalar_snapshot& carried) noexcept {
        if constexpr (!Classifier::numbers_by_mask) {
            static_cast<void>(classifier);
            return (!in_scalar || scalar_goes_on(bytes, scalars, carried)) &&
                   tokens_fit(bytes, in_scalar ? scalars & (scalars + 1) : scalars);
        } else {
            std::uint64_t within = scalars;
            if (in_scalar) {
                if (!scalar_goes_on(bytes, scalars, carried)) {
                    return false;
                }
                within &= scalars + 1;  // without the run at bit 0
            }
            // The run that reaches bit 63 (its first byte is the highest one with a byte before it not in it).
            const std::uint64_t tail = static_cast<std::int64_t>(within) < 0
                                           ? within & (~std::uint64_t{0} << highest_bit((within & ~(within << 1)) | 1))
                                           : 0;
            within &= ~tail;
            return (within == 0 || numbers_fit(classifier, bytes, within) || tokens_fit(bytes, within)) &&
                   (tail == 0 || tokens_fit(bytes, tail));
        }
    }

    // Whether every run of `scalars` (none touching bit 0 or bit 63) is a JSON number without an
    // exponent, -?(0|[1-9][0-9]*)(.[0-9]+)?, or one of true, false and null, decided by word
    // operations on the classifier's masks of digits, zeros, minus signs and dots. False means
    // "not settled here" (an exponent, say): tokens_fit() then decides.
    template <class Classifier>
    static bool numbers_fit(const Classifier& classifier, const char* bytes, std::uint64_t scalars) noexcept {
        const json_number_bytes n = classifier.numbers(bytes);
        const std::uint64_t starts = scalars & ~(scalars << 1);
        const std::uint64_t digits = n.digit & scalars;
        const std::uint64_t minus = n.minus & scalars;
        const std::uint64_t dots = n.dot & scalars;
        const std::uint64_t others = scalars & ~(digits | minus | dots);
        std::uint64_t literals = 0;  // the bytes of the literals, each checked whole
        if (others != 0) {
            for (std::uint64_t rest = starts & others; rest != 0; rest &= rest - 1) {
                const std::size_t from = lowest_bit(rest);
                const std::size_t length = lowest_bit(~scalars & (~std::uint64_t{0} << from)) - from;
                if (!((length == 4 &&
                       (std::memcmp(bytes + from, "true", 4) == 0 || std::memcmp(bytes + from, "null", 4) == 0)) ||
                      (length == 5 && std::memcmp(bytes + from, "false", 5) == 0))) {
                    return false;
                }
                literals |= ((std::uint64_t{1} << length) - 1) << from;
            }
            if ((others & ~literals) != 0) {
                return false;  // a letter, '+' or other byte in a number
            }
        }
        // The rest are numbers made of digits, '-' and '.' only.
        const std::uint64_t first_digits = digits & (starts | (minus << 1));
        const std::uint64_t wrong = (minus & ~starts) |                          // '-' only first
                                    (((minus | dots) << 1) & ~digits) |          // a digit after '-' and after '.'
                                    (dots & ~(digits << 1)) |                    // a digit before '.'
                                    ((digits + (dots << 1)) & dots) |            // no '.' after the digits after a '.'
                                    (((first_digits & n.zero) << 1) & digits) |  // no digit after a leading zero
                                    (starts & ~(digits | minus | literals));     // a digit or '-' first
        return wrong == 0;
    }

    // The bytes of the scalar carried in from the previous block (those up to the block's first
    // byte that is not a scalar byte) through step(); the scalar must be complete where they end.
    bool scalar_goes_on(const char* bytes, std::uint64_t scalars,
                        const json_grammar::scalar_snapshot& carried) noexcept {
        const std::uint64_t lead = scalars & ~(scalars + 1);
        const std::size_t to = lead == ~std::uint64_t{0} ? 64 : lowest_bit(~lead);
        g_.restore_scalar(carried);
        for (std::size_t i = 0; i < to; ++i) {
            if (!g_.scalar_byte(static_cast<unsigned char>(bytes[i]))) {
                return false;
            }
        }
        return to == 64 || g_.scalar_complete();
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

    // Numbers and literals one by one: the common ones settled from one word (common_scalar), any
    // other byte by byte through step(); each must be complete where it ends inside the block. One that
    // runs to the block's end always goes through step(), which leaves its state in the grammar.
    bool tokens_fit(const char* bytes, std::uint64_t scalars) noexcept {
        for (std::uint64_t rest = scalars & ~(scalars << 1); rest != 0; rest &= rest - 1) {
            const std::size_t from = lowest_bit(rest);
            const std::uint64_t beyond = ~scalars & (~std::uint64_t{0} << from);
            const std::size_t to = beyond == 0 ? 64 : lowest_bit(beyond);
            if (to < 64 && common_scalar(bytes, from, to)) {
                continue;
            }
            g_.set_state(state::value);
            for (std::size_t i = from; i < to; ++i) {
                if (!g_.scalar_byte(static_cast<unsigned char>(bytes[i]))) {
                    return false;
                }
            }
            if (to < 64 && !g_.scalar_complete()) {
                return false;
            }
        }
        return true;
    }

    // The 8 bytes at `at` as a number whose lowest byte is the first (whatever the byte order).
    static std::uint64_t load_bytes_in_order(const char* at) noexcept {
        std::uint64_t word = 0;
        std::memcpy(&word, at, 8);
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        word = __builtin_bswap64(word);
#endif
        return word;
    }

    // Whether the scalar bytes[from, to) (to < 64) is one of the common complete scalars, decided
    // from one word: true, false, null, or a number of at most 8 bytes of the form -?int(.digits)?
    // without a leading zero. False means "not settled here": step() then decides.
    static bool common_scalar(const char* bytes, std::size_t from, std::size_t to) noexcept {
        const std::size_t length = to - from;
        if (length > 8) {
            return false;
        }
        if (bytes[from] >= 'a') {
            return (length == 4 &&
                    (std::memcmp(bytes + from, "true", 4) == 0 || std::memcmp(bytes + from, "null", 4) == 0)) ||
                   (length == 5 && std::memcmp(bytes + from, "false", 5) == 0);
        }
        // Eight bytes within the block that hold the token, shifted so that its first byte is lowest.
        const std::size_t at = from + 8 <= json_block_size ? from : json_block_size - 8;
        const std::uint64_t word = load_bytes_in_order(bytes + at) >> (8 * (from - at));
        const std::uint64_t token = length == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * length)) - 1;
        constexpr std::uint64_t ones = 0x0101010101010101U;
        const std::uint64_t x = word ^ (ones * '0');  // digits become 0 to 9
        // The high bit of each byte that is not a digit (x >= 10; no carry crosses a byte).
        const std::uint64_t others = (((x & (ones * 0x7fU)) + ones * 0x76U) | x) & (ones * 0x80U) & token;
        const auto byte = [word](std::size_t k) { return static_cast<unsigned char>(word >> (8 * k)); };
        std::size_t start = 0;  // the first digit
        std::uint64_t rest = others;
        if (byte(0) == '-') {
            start = 1;
            rest &= rest - 1;  // byte 0's bit
        }
        if (start == length || (rest & (std::uint64_t{0x80} << (8 * start))) != 0) {
            return false;  // no digit after the sign
        }
        const bool leading_zero = byte(start) == '0';
        if (rest == 0) {
            return !leading_zero || start + 1 == length;
        }
        if ((rest & (rest - 1)) != 0) {
            return false;  // more than one byte that is not a digit
        }
        const std::size_t dot = lowest_bit(rest) / 8;
        return byte(dot) == '.' && dot + 1 < length && (!leading_zero || dot == start + 1);
    }

    json_grammar& g_;
};

}  // namespace kore::webhook::detail

#endif
