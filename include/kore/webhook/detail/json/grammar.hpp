#ifndef KORE_WEBHOOK_DETAIL_JSON_GRAMMAR_HPP
#define KORE_WEBHOOK_DETAIL_JSON_GRAMMAR_HPP

// The reference: RFC 8259's grammar as a byte-by-byte state machine with fixed memory (the kind
// of each open container is one bit). step(c) takes the next byte and says whether it is kept,
// dropped (insignificant whitespace) or makes the text invalid. The block path (block_path.hpp)
// reaches the same states 64 bytes at a time and leaves everything else to step().

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace kore::webhook::detail {

class json_grammar {
public:
    // Deeper documents are treated as invalid (no second try) rather than given unbounded memory.
    static constexpr std::size_t max_depth = 512;

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

    // A number or literal that ends here is complete (or none was open).
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

    // Inside a string most bytes need no decision: everything but '"', '\\' and control
    // characters. Skipping them eight at a time keeps validation off the profile. (Byte order
    // does not matter: the test is for any byte of the word.)
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

    // step() for a byte of a number or literal (from state::value, its first byte), for the block
    // path, whose scalar runs hold no structural byte: a byte that would end the scalar there is
    // an error either way. Not recursive, unlike step(), so it is inlined into the block loop.
    bool scalar_byte(unsigned char c) noexcept {
        switch (state_) {
            case state::value:
                if (c == '-' || is_digit(c)) {
                    state_ = c == '-' ? state::number_minus : c == '0' ? state::number_zero : state::number_int;
                    return true;
                }
                if (c == 't' || c == 'f' || c == 'n') {
                    literal_ = c == 't' ? "true" : c == 'f' ? "false" : "null";
                    literal_pos_ = 1;
                    state_ = state::literal;
                    return true;
                }
                break;
            case state::number_minus:
                if (digit_then(c, c == '0' ? state::number_zero : state::number_int)) {
                    return true;
                }
                break;
            case state::number_zero:
            case state::number_int:
            case state::number_frac:
                if (is_digit(c) && state_ != state::number_zero) {
                    return true;
                }
                if (c == '.' && state_ != state::number_frac) {
                    state_ = state::number_dot;
                    return true;
                }
                if (c == 'e' || c == 'E') {
                    state_ = state::number_e;
                    return true;
                }
                break;
            case state::number_dot:
                if (digit_then(c, state::number_frac)) {
                    return true;
                }
                break;
            case state::number_e:
                if (c == '+' || c == '-') {
                    state_ = state::number_e_sign;
                    return true;
                }
                [[fallthrough]];
            case state::number_e_sign:
            case state::number_exp:
                if (digit_then(c, state::number_exp)) {
                    return true;
                }
                break;
            case state::literal:
                if (static_cast<char>(c) == literal_[literal_pos_]) {
                    if (++literal_pos_ == literal_.size()) {
                        end_value();
                    }
                    return true;
                }
                break;
            default:
                break;
        }
        state_ = state::invalid;
        return false;
    }

    // For the block path, which keeps these in registers while it works and writes them back.
    [[nodiscard]] state current() const noexcept { return state_; }
    void set_state(state s) noexcept { state_ = s; }
    [[nodiscard]] bool string_is_key() const noexcept { return string_is_key_; }
    void set_string_is_key(bool key) noexcept { string_is_key_ = key; }
    void note_removed_whitespace() noexcept { removed_whitespace_ = true; }
    // Everything step() changes inside a number or literal, to put back when a block is left.
    struct scalar_snapshot {
        state at;
        std::size_t literal_pos;
    };
    [[nodiscard]] scalar_snapshot save_scalar() const noexcept { return {state_, literal_pos_}; }
    void restore_scalar(const scalar_snapshot& saved) noexcept {
        state_ = saved.at;
        literal_pos_ = saved.literal_pos;
    }
    [[nodiscard]] std::size_t depth() const noexcept { return depth_; }
    // The levels first .. first + 63 as one word (bit i: level first + i is an object); first a multiple of 64.
    [[nodiscard]] std::uint64_t level_word(std::size_t first) const noexcept { return object_bits_[first / 64]; }
    void set_levels(std::size_t first, std::uint64_t kinds, std::size_t new_depth) noexcept {
        object_bits_[first / 64] = kinds;
        depth_ = new_depth;
    }

private:
    static constexpr bool is_whitespace(unsigned char c) noexcept {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
    static constexpr bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
    static constexpr bool is_hex(unsigned char c) noexcept {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    action fail() noexcept {
        state_ = state::invalid;
        return action::fail;
    }

    // In scalar_byte(): a digit moves the number on to `next`; any other byte is for the caller.
    bool digit_then(unsigned char c, state next) noexcept {
        if (!is_digit(c)) {
            return false;
        }
        state_ = next;
        return true;
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

    [[nodiscard]] bool in_object() const noexcept { return level_is_object(depth_ - 1); }

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

    void end_value() noexcept { state_ = depth_ == 0 ? state::done : state::after_value; }

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

    std::array<std::uint64_t, max_depth / 64> object_bits_{};
    std::size_t depth_ = 0;
    std::string_view literal_;
    std::size_t literal_pos_ = 0;
    state state_ = state::value;
    std::uint8_t unicode_digits_ = 0;
    bool string_is_key_ = false;
    bool removed_whitespace_ = false;
};

}  // namespace kore::webhook::detail

#endif
