#ifndef KORE_WEBHOOK_URL_HPP
#define KORE_WEBHOOK_URL_HPP

// What of a URL KORE signs: the registered URL cut at the first '?' or '#', nothing else changed
// (docs/protocol.md, section 3.3).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kore::webhook {

namespace detail {

// Eight bytes of `text` from `at` as one little-endian word. Spelled out byte by byte so that it
// stays constexpr; compilers merge the eight loads into one.
constexpr std::uint64_t load_word(std::string_view text, std::size_t at) noexcept {
    const char* p = text.data() + at;
    return std::uint64_t{static_cast<unsigned char>(p[0])} | std::uint64_t{static_cast<unsigned char>(p[1])} << 8 |
           std::uint64_t{static_cast<unsigned char>(p[2])} << 16 |
           std::uint64_t{static_cast<unsigned char>(p[3])} << 24 |
           std::uint64_t{static_cast<unsigned char>(p[4])} << 32 |
           std::uint64_t{static_cast<unsigned char>(p[5])} << 40 |
           std::uint64_t{static_cast<unsigned char>(p[6])} << 48 |
           std::uint64_t{static_cast<unsigned char>(p[7])} << 56;
}

// Non-zero when some byte of `word` equals `byte` (the classic has-zero-byte test on word ^ byte).
constexpr std::uint64_t has_byte(std::uint64_t word, unsigned char byte) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101U;
    const std::uint64_t x = word ^ (ones * byte);
    return (x - ones) & ~x & (ones << 7);
}

}  // namespace detail

// The part of a registered callback URL that goes into the signature.
constexpr std::string_view signed_url(std::string_view registered_url) noexcept {
    // Every verification cuts the URL, so eight bytes are tested at a time for '?' and '#'; the
    // word holding the first one is then searched byte by byte.
    std::size_t end = 0;
    for (; end + 8 <= registered_url.size(); end += 8) {
        const std::uint64_t word = detail::load_word(registered_url, end);
        if ((detail::has_byte(word, '?') | detail::has_byte(word, '#')) != 0) {
            break;
        }
    }
    while (end < registered_url.size() && registered_url[end] != '?' && registered_url[end] != '#') {
        ++end;
    }
    return registered_url.substr(0, end);
}

// True when a request target ("/path?x=1") carries a query. KORE does not sign the query, so a
// verified request proves nothing about these parameters (docs/protocol.md, section 3.5).
constexpr bool target_has_query(std::string_view request_target) noexcept {
    const auto fragment = request_target.find('#');
    const auto query = request_target.find('?');
    return query != std::string_view::npos && query < fragment && query + 1 < request_target.size() &&
           request_target[query + 1] != '#';
}

}  // namespace kore::webhook

#endif
