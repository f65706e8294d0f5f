// The fast paths of issue #11 decide exactly as the plain code they replaced: each is checked
// against a straightforward reference written here, over adversarial and seeded random inputs.

#include "unit_common.hpp"

#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/detail/hex.hpp>
#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/detail/length_extension_guard.hpp>
#include <kore/webhook/detail/request_check.hpp>

#include <array>
#include <cstdint>
#include <random>

using namespace kore_unit;
namespace detail = kw::detail;

namespace {

// The decoder as it was: three range tests per digit.
template <std::size_t N>
bool reference_decode_hex(std::string_view text, std::array<unsigned char, N>& out) {
    if (text.size() != 2 * N) {
        return false;
    }
    for (std::size_t i = 0; i < N; ++i) {
        const int high = detail::hex_digit_value(text[2 * i]);
        const int low = detail::hex_digit_value(text[2 * i + 1]);
        if (high < 0 || low < 0) {
            return false;
        }
        out[i] = static_cast<unsigned char>((high << 4) | low);
    }
    return true;
}

// Every decoder there is must agree with the reference, in verdict and, when valid, in bytes.
template <std::size_t N>
void check_decoders(std::string_view text) {
    std::array<unsigned char, N> expected{};
    const bool valid = reference_decode_hex(text, expected);
    std::array<unsigned char, N> portable{};
    CHECK(detail::decode_hex_portable(text, portable) == valid);
    std::array<unsigned char, N> chosen{};
    CHECK(detail::decode_hex(text, chosen) == valid);
#if KORE_WEBHOOK_SSE2
    std::array<unsigned char, N> sse2{};
    CHECK(detail::decode_hex_sse2(text, sse2) == valid);
    if (valid) {
        CHECK(sse2 == expected);
    }
#endif
    if (valid) {
        CHECK(portable == expected);
        CHECK(chosen == expected);
    }
}

std::string random_hex(std::mt19937& rng, std::size_t digits) {
    constexpr std::string_view alphabet = "0123456789abcdefABCDEF";
    std::string text;
    for (std::size_t i = 0; i < digits; ++i) {
        text += alphabet[rng() % alphabet.size()];
    }
    return text;
}

// The length-extension rule checked at every boundary of a whole body, with no shortcut.
bool reference_extended(std::string_view body, std::uint64_t prefix) {
    const auto at = [&](std::uint64_t i) { return static_cast<unsigned char>(body[static_cast<std::size_t>(i)]); };
    for (std::uint64_t p = 64 - prefix % 64; p <= body.size(); p += 64) {
        if (p < 9) {
            continue;
        }
        std::uint64_t bits = 0;
        for (std::uint64_t i = p - 8; i < p; ++i) {
            bits = (bits << 8) | at(i);
        }
        const std::uint64_t n = bits / 8;
        const std::uint64_t end = prefix + p;
        if (bits % 8 != 0 || n < prefix || n + 9 > end || n + 9 + 64 <= end || at(n - prefix) != 0x80) {
            continue;
        }
        bool zeros = true;
        for (std::uint64_t i = n - prefix + 1; i < p - 8; ++i) {
            zeros = zeros && at(i) == 0;
        }
        if (zeros) {
            return true;
        }
    }
    return false;
}

bool guard_finds(std::string_view body, std::uint64_t prefix, std::size_t chunk) {
    detail::body_window window;
    detail::length_extension_guard guard(prefix);
    for (std::size_t at = 0; at < body.size() || at == 0; at += chunk) {
        window.advance(body.substr(std::min(at, body.size()), chunk));
        guard.scan(window);
        window.retire_chunk();
        if (body.empty()) {
            break;
        }
    }
    return guard.found();
}

// Glue for an n-byte original message placed so that it ends on a block boundary of prefix || body.
std::string glued_body(std::uint64_t prefix, std::size_t original_body, std::mt19937& rng) {
    std::string body(original_body, 'a');
    for (char& c : body) {
        c = static_cast<char>('a' + rng() % 26);
    }
    const std::uint64_t n = prefix + original_body;
    body += '\x80';
    while ((prefix + body.size()) % 64 != 56) {
        body += '\0';
    }
    for (int shift = 56; shift >= 0; shift -= 8) {
        body += static_cast<char>(((8 * n) >> shift) & 0xffU);
    }
    return body + "&more";
}

}  // namespace

TEST_CASE("the hex decoders agree with the plain decoder on every byte at every position") {
    std::mt19937 rng(1);
    for (int round = 0; round < 4; ++round) {
        const std::string valid = random_hex(rng, 64);
        check_decoders<32>(valid);
        for (std::size_t position = 0; position < valid.size(); ++position) {
            for (int byte = 0; byte < 256; ++byte) {
                std::string text = valid;
                text[position] = static_cast<char>(byte);
                check_decoders<32>(text);
            }
        }
    }
}

TEST_CASE("the hex decoders agree on random text of every length around a digest's") {
    std::mt19937 rng(2);
    for (int round = 0; round < 2000; ++round) {
        std::string text = random_hex(rng, 60 + rng() % 9);
        if (rng() % 2 == 0) {
            text[rng() % text.size()] = static_cast<char>(rng() % 256);
        }
        check_decoders<32>(text);
        check_decoders<20>(text.substr(0, std::min<std::size_t>(text.size(), 40 + rng() % 2)));
    }
}

TEST_CASE("equal_digests says unequal for a difference in any bit of any byte") {
    std::mt19937 rng(3);
    std::array<unsigned char, 32> a{};
    std::array<unsigned char, 20> c{};
    for (auto& byte : a) {
        byte = static_cast<unsigned char>(rng());
    }
    for (auto& byte : c) {
        byte = static_cast<unsigned char>(rng());
    }
    CHECK(detail::equal_digests(a, a));
    CHECK(detail::equal_digests(c, c));
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto b = a;
            b[i] = static_cast<unsigned char>(b[i] ^ (1U << bit));
            CHECK_FALSE(detail::equal_digests(a, b));
            if (i < c.size()) {
                auto d = c;
                d[i] = static_cast<unsigned char>(d[i] ^ (1U << bit));
                CHECK_FALSE(detail::equal_digests(c, d));
            }
        }
    }
}

TEST_CASE("signed_url finds the first '?' or '#' wherever it falls in a word") {
    const std::string base = "https://example.com/a/long/path/to/the/kore/callback/endpoint";
    for (std::size_t length = 0; length <= base.size(); ++length) {
        const std::string url = base.substr(0, length);
        CHECK(kw::signed_url(url) == url);
        for (std::size_t cut = 0; cut < length; ++cut) {
            for (const char mark : {'?', '#'}) {
                std::string marked = url;
                marked[cut] = mark;
                CAPTURE(marked);
                CHECK(kw::signed_url(marked) == std::string_view(marked).substr(0, cut));
                std::string both = marked;
                if (cut + 3 < both.size()) {
                    both[cut + 3] = mark == '?' ? '#' : '?';
                    CHECK(kw::signed_url(both) == std::string_view(both).substr(0, cut));
                }
            }
        }
    }
}

TEST_CASE("the hex encoder's vector path writes exactly the plain encoder's digits for every byte") {
    const auto reference = [](const auto& bytes) {
        std::string text;
        for (const unsigned char b : bytes) {
            text += "0123456789abcdef"[b >> 4];
            text += "0123456789abcdef"[b & 0x0f];
        }
        return text;
    };
    std::array<unsigned char, 32> bytes{};
    for (unsigned value = 0; value < 256; ++value) {
        for (std::size_t at = 0; at < bytes.size(); ++at) {
            bytes.fill(static_cast<unsigned char>(at * 37));
            bytes[at] = static_cast<unsigned char>(value);
            const std::string expected = reference(bytes);
            std::array<char, 64> written{};
            detail::encode_hex_to(bytes, written.data());
            CAPTURE(value, at);
            CHECK(std::string_view(written.data(), written.size()) == expected);
            CHECK(detail::encode_hex(bytes) == expected);
        }
    }
    const std::array<unsigned char, 5> odd{0x00, 0x9f, 0xa0, 0xff, 0x5a};  // a size the vector path leaves alone
    CHECK(detail::encode_hex(odd) == "009fa0ff5a");
}

TEST_CASE("query_of finds the query wherever '?' and '#' fall, as the byte-by-byte rule") {
    const auto reference = [](std::string_view s) -> std::string_view {
        std::size_t start = 0;
        while (start < s.size() && s[start] != '?' && s[start] != '#') {
            ++start;
        }
        if (start == s.size() || s[start] == '#') {
            return {};
        }
        std::size_t end = ++start;
        while (end < s.size() && s[end] != '#') {
            ++end;
        }
        return s.substr(start, end - start);
    };
    const std::string base = "https://example.com/a/long/path/to/the/kore/callback/endpoint";
    for (std::size_t length = 0; length <= base.size(); ++length) {
        const std::string url = base.substr(0, length);
        CHECK(kw::query_of(url).empty());
        for (std::size_t q = 0; q < length; ++q) {
            for (std::size_t h = 0; h <= length; ++h) {
                std::string marked = url;
                marked[q] = '?';
                if (h < length && h != q) {
                    marked[h] = '#';
                }
                CAPTURE(marked);
                const std::string_view found = kw::query_of(marked);
                const std::string_view expected = reference(marked);
                CHECK(found == expected);
                if (!expected.empty()) {  // a view into the text, not a copy
                    CHECK(found.data() == expected.data());
                }
            }
        }
    }
    CHECK(kw::query_of("/kore/callback?").empty());
    CHECK(kw::query_of("/kore/callback?#x").empty());
    CHECK(kw::query_of("/kore/callback?a=1&b=2#x?y") == "a=1&b=2");
}

TEST_CASE("a registered URL is checked as before: http or https in any case, then something") {
    const auto reference = [](std::string_view url) {
        const std::string_view cut = kw::signed_url(url);
        const std::size_t scheme = detail::starts_with_nocase(cut, "https://")  ? 8
                                   : detail::starts_with_nocase(cut, "http://") ? 7
                                                                                : 0;
        return scheme != 0 && cut.size() > scheme;
    };
    const std::vector<std::string> urls = {"https://x",
                                           "http://x",
                                           "https://",
                                           "http://",
                                           "https:/x",
                                           "http:/xx",
                                           "HTTPS://X",
                                           "HtTp://x",
                                           "https//xx",
                                           "httpx://x",
                                           "ftp://xyz",
                                           "",
                                           "h",
                                           "http://?x",
                                           "https://#x",
                                           "https://a?b",
                                           "http://a#b",
                                           "http\x1a//x",
                                           "/kore/cb",
                                           "https:\x0f/x",
                                           "HTTP:/\x0f/x",
                                           "https://x/y",
                                           "http://\0x",
                                           "HTTPS://?",
                                           "httpS://host",
                                           "hTTPs://host/",
                                           "http:///",
                                           "https:///",
                                           "xhttp://host",
                                           "http://h"};
    for (const std::string& url : urls) {
        CAPTURE(url);
        CHECK(detail::is_registered_url(url) == reference(url));
    }
    std::mt19937 rng(4);
    for (int round = 0; round < 20000; ++round) {
        std::string url = rng() % 2 == 0 ? "https://host" : "http://host";
        url.resize(rng() % (url.size() + 2), 'h');
        for (int flips = static_cast<int>(rng() % 3); flips > 0 && !url.empty(); --flips) {
            const std::size_t i = rng() % url.size();
            url[i] = static_cast<char>(rng() % 4 == 0 ? static_cast<unsigned>(rng() % 256)
                                                      : static_cast<unsigned>(url[i] ^ 0x20));
        }
        CAPTURE(url);
        CHECK(detail::is_registered_url(url) == reference(url));
    }
}

TEST_CASE("is_http_method accepts exactly the strings of token characters") {
    for (int byte = 0; byte < 256; ++byte) {
        const std::string one(1, static_cast<char>(byte));
        CAPTURE(byte);
        CHECK(detail::is_http_method(one) == detail::is_tchar(one[0]));
        CHECK(detail::is_http_method("P" + one + "ST") == detail::is_tchar(one[0]));
    }
    CHECK_FALSE(detail::is_http_method(""));
    CHECK(detail::is_http_method("POST"));
    CHECK_FALSE(detail::is_http_method("PO ST"));
}

TEST_CASE("the guard's quick look never hides glue, at any alignment or chunking") {
    std::mt19937 rng(5);
    for (int round = 0; round < 400; ++round) {
        const std::uint64_t prefix = 1 + rng() % 200;
        const std::string body = glued_body(prefix, rng() % 300, rng);
        REQUIRE(reference_extended(body, prefix));
        for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{63}, std::size_t{64},
                                        std::size_t{65}, std::size_t{4096}, std::size_t{1} + rng() % 100}) {
            CAPTURE(prefix, body.size(), chunk);
            CHECK(guard_finds(body, prefix, chunk));
        }
    }
}

TEST_CASE("the guard decides as the plain rule on binary bodies full of NUL bytes") {
    std::mt19937 rng(6);
    for (int round = 0; round < 3000; ++round) {
        const std::uint64_t prefix = 1 + rng() % 150;
        std::string body(rng() % 400, '\0');
        for (char& c : body) {
            const auto pick = rng() % 8;
            c = pick < 5 ? '\0' : pick == 5 ? '\x80' : static_cast<char>(rng());
        }
        const bool expected = reference_extended(body, prefix);
        for (const std::size_t chunk : {std::size_t{1}, std::size_t{9}, std::size_t{64}, body.size() + 1}) {
            CAPTURE(prefix, body.size(), chunk);
            CHECK(guard_finds(body, prefix, chunk) == expected);
        }
    }
}
