#ifndef KORE_WEBHOOK_DETAIL_HTTP_TEXT_HPP
#define KORE_WEBHOOK_DETAIL_HTTP_TEXT_HPP

// The few pieces of HTTP's grammar the library needs (RFC 9110): optional whitespace, tokens,
// ASCII case folding. No locale is involved anywhere.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kore::webhook::detail {

// Optional whitespace: space and horizontal tab only.
constexpr std::string_view trim_ows(std::string_view value) noexcept {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
    }
    return value;
}

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive equality, for header names and URL schemes.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) {
            return false;
        }
    }
    return true;
}

constexpr bool starts_with_nocase(std::string_view text, std::string_view prefix) noexcept {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

// Token characters: what an HTTP method may be made of.
constexpr bool is_tchar(char c) noexcept {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        return true;
    }
    switch (c) {
        case '!':
        case '#':
        case '$':
        case '%':
        case '&':
        case '\'':
        case '*':
        case '+':
        case '-':
        case '.':
        case '^':
        case '_':
        case '`':
        case '|':
        case '~':
            return true;
        default:
            return false;
    }
}

// is_tchar for every byte, as a 256-bit set: a method is checked with one lookup per character.
inline constexpr std::array<std::uint64_t, 4> tchar_set = [] {
    std::array<std::uint64_t, 4> set{};
    for (unsigned c = 0; c < 256; ++c) {
        if (is_tchar(static_cast<char>(c))) {
            set[c / 64] |= std::uint64_t{1} << (c % 64);
        }
    }
    return set;
}();

constexpr bool is_http_method(std::string_view method) noexcept {
    // A loop rather than std::all_of, which is constexpr only from C++20.
    std::uint64_t token = method.empty() ? 0 : 1;
    for (const char c : method) {
        const auto byte = static_cast<unsigned char>(c);
        token &= tchar_set[byte / 64] >> (byte % 64);
    }
    return token != 0;
}

}  // namespace kore::webhook::detail

#endif
