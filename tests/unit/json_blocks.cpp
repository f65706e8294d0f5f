// The minifier's block-at-a-time paths decide exactly as its byte-by-byte path: the classifiers
// agree with each other byte for byte, and every minifier, fed the same text in the same pieces
// the way the stream feeds it, reports the same whitespace positions, failures, verdicts and
// minified text as basic_json_minifier<json_blocks_none>. Inputs are seeded random JSON texts,
// compact and spaced, and mutations of them.

#include "unit_common.hpp"

#include <kore/webhook/detail/json/blocks.hpp>
#include <kore/webhook/detail/json/minifier.hpp>

#include <cstdint>
#include <iterator>
#include <random>

using namespace kore_unit;
namespace detail = kw::detail;

namespace {

class generator {
public:
    explicit generator(std::uint32_t seed) : rng_(seed) {}

    std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
    bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }

    // A random JSON value, and the same value with random insignificant whitespace.
    void value(std::string& compact, std::string& spaced, int depth) {
        space(spaced);
        const std::size_t kind = depth >= max_depth_ ? 2 + below(4) : below(7);
        switch (kind) {
            case 0:
            case 6:
                container(compact, spaced, depth, '{', '}');
                break;
            case 1:
                container(compact, spaced, depth, '[', ']');
                break;
            case 2:
                both(compact, spaced, string());
                break;
            case 3:
                both(compact, spaced, number());
                break;
            case 4:
                both(compact, spaced, std::string(chance(50) ? "true" : chance(50) ? "false" : "null"));
                break;
            default:
                both(compact, spaced, string());
                break;
        }
        space(spaced);
    }

    // Text with some bytes replaced, inserted or deleted, from those that matter to JSON.
    std::string mutate(std::string text) {
        constexpr std::string_view alphabet = "{}[]:,\"\\ \t\n\r0123456789.+-eEaflnrstux/\x01\x7f\x80\xff";
        const std::size_t changes = 1 + below(3);
        for (std::size_t i = 0; i < changes; ++i) {
            const char c = chance(90) ? alphabet[below(alphabet.size())] : static_cast<char>(below(256));
            const std::size_t at = text.empty() ? 0 : below(text.size());
            switch (below(3)) {
                case 0:
                    if (!text.empty()) {
                        text[at] = c;
                    }
                    break;
                case 1:
                    text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
                    break;
                default:
                    if (!text.empty()) {
                        text.erase(at, 1);
                    }
                    break;
            }
        }
        return text;
    }

    void set_max_depth(int depth) { max_depth_ = depth; }

private:
    static void both(std::string& compact, std::string& spaced, const std::string& text) {
        compact += text;
        spaced += text;
    }

    void space(std::string& spaced) {
        if (chance(70)) {
            return;
        }
        constexpr std::string_view blanks = " \t\n\r";
        for (std::size_t n = 1 + below(chance(80) ? 2 : 70); n > 0; --n) {
            spaced += blanks[chance(70) ? 0 : below(blanks.size())];
        }
    }

    void container(std::string& compact, std::string& spaced, int depth, char open, char close) {
        both(compact, spaced, std::string(1, open));
        const std::size_t members = chance(15) ? 0 : below(chance(20) ? 30 : 6);
        for (std::size_t i = 0; i < members; ++i) {
            if (i != 0) {
                both(compact, spaced, ",");
            }
            if (open == '{') {
                space(spaced);
                both(compact, spaced, string());
                space(spaced);
                both(compact, spaced, ":");
            }
            value(compact, spaced, depth + 1);
        }
        space(spaced);
        both(compact, spaced, std::string(1, close));
    }

    std::string string() {
        std::string s = "\"";
        const std::size_t length = chance(10) ? below(200) : below(12);
        for (std::size_t i = 0; i < length; ++i) {
            const std::size_t pick = below(100);
            if (pick < 3) {
                constexpr std::string_view escapes[] = {"\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\uD83D"};
                s += escapes[below(std::size(escapes))];
            } else if (pick < 10) {
                s += ' ';
            } else if (pick < 14) {
                s += "{}[]:,"[below(6)];
            } else if (pick < 16) {
                s += static_cast<char>(0x80 + below(128));  // bytes of UTF-8 text, left alone
            } else {
                s += static_cast<char>('a' + below(26));
            }
        }
        return s + "\"";
    }

    std::string number() {
        std::string n = chance(30) ? "-" : "";
        n += chance(20) ? "0" : std::to_string(1 + below(100000));
        if (chance(30)) {
            n += "." + std::to_string(below(1000));
        }
        if (chance(20)) {
            n += chance(50) ? "e" : "E";
            n += chance(30) ? "+" : chance(30) ? "-" : "";
            n += std::to_string(below(300));
        }
        return n;
    }

    std::mt19937 rng_;
    int max_depth_ = 6;
};

// What the stream observes of a minifier: where feed_until_whitespace stopped in each piece,
// whether the text had failed after each piece, the minified bytes, and the final verdicts.
struct trace {
    std::vector<std::size_t> stops;
    std::vector<bool> failed;
    std::string minified;
    bool complete = false;
    bool removed_whitespace = false;

    // Once a text has failed its minified bytes are never used, and a path may have passed on
    // bytes of the run the failure interrupted: those are compared only for texts still valid.
    bool operator==(const trace& other) const {
        const bool valid = failed.empty() || !failed.back();
        return stops == other.stops && failed == other.failed && (!valid || minified == other.minified) &&
               complete == other.complete && removed_whitespace == other.removed_whitespace;
    }
};

// For a failure message: everything but the minified text, which the captured input shows.
std::string describe(const trace& t) {
    std::string out = "stops";
    for (const std::size_t stop : t.stops) {
        out += " " + std::to_string(stop);
    }
    out += "; failed after pieces";
    for (const bool failed : t.failed) {
        out += failed ? " 1" : " 0";
    }
    out += "; complete " + std::to_string(t.complete) + "; removed " + std::to_string(t.removed_whitespace) +
           "; minified " + std::to_string(t.minified.size()) + " bytes";
    return out;
}

template <class Blocks>
trace run(std::string_view text, const std::vector<std::size_t>& pieces) {
    detail::basic_json_minifier<Blocks> json;
    trace t;
    bool forked = false;
    const auto append = [&t](std::string_view run) { t.minified.append(run); };
    std::size_t at = 0;
    for (std::size_t i = 0; at < text.size(); ++i) {
        const std::string_view piece = text.substr(at, pieces[i % pieces.size()]);
        at += piece.size();
        if (forked) {
            json.feed(piece, append);
        } else {
            const std::size_t stop = json.feed_until_whitespace(piece);
            t.stops.push_back(stop);
            t.minified.append(piece.substr(0, stop));
            if (stop < piece.size()) {
                forked = true;
                json.feed(piece.substr(stop + 1), append);
            }
        }
        t.failed.push_back(json.failed());
    }
    t.complete = json.complete();
    t.removed_whitespace = json.removed_whitespace();
    return t;
}

std::vector<std::vector<std::size_t>> piece_plans(generator& g, std::size_t size) {
    return {{size + 1}, {1}, {7}, {63}, {64}, {65}, {100, 3}, {4096}, {1 + g.below(300), 1 + g.below(70)}};
}

template <class Blocks>
void check_against(const trace& reference, std::string_view text, const std::vector<std::size_t>& pieces) {
    const trace observed = run<Blocks>(text, pieces);
    INFO("byte by byte: " << describe(reference));
    INFO("this path:    " << describe(observed));
    CHECK(observed == reference);
}

// Every minifier the build has, against the byte-by-byte one.
void check_all(generator& g, const std::string& text) {
    for (const auto& pieces : piece_plans(g, text.size())) {
        const trace reference = run<detail::json_blocks_none>(text, pieces);
        CAPTURE(text, pieces);
        check_against<detail::json_blocks_portable>(reference, text, pieces);
        check_against<detail::json_blocks_default>(reference, text, pieces);
#if KORE_WEBHOOK_SSE2
        check_against<detail::json_blocks_sse2>(reference, text, pieces);
#endif
#if KORE_WEBHOOK_AVX2_DISPATCH
        if (detail::cpu_has_avx2()) {
            check_against<detail::json_blocks_avx2>(reference, text, pieces);
        }
#endif
    }
}

[[maybe_unused]] bool same(const detail::json_block& a, const detail::json_block& b) {
    return a.quote == b.quote && a.bracket == b.bracket && a.colon == b.colon && a.comma == b.comma &&
           a.space == b.space && a.control == b.control && a.rare == b.rare;
}

// A block of mostly `alphabet`'s bytes (80 %), the rest any byte.
void fill_block(generator& g, std::string_view alphabet, char (&block)[detail::json_block_size]) {
    for (char& c : block) {
        c = g.chance(80) ? alphabet[g.below(alphabet.size())] : static_cast<char>(g.below(256));
    }
}

}  // namespace

TEST_CASE("the SSE2 and AVX2 classifiers give the portable classifier's masks") {
    generator g(1);
    constexpr std::string_view alphabet = "{}[]:,\"\\ \t\n\r0a\x01\x1f\x20\x5b\x7b\x7d\x5d\x80\xff";
    for (int round = 0; round < 20000; ++round) {
        char block[detail::json_block_size];
        fill_block(g, alphabet, block);
        const detail::json_block full = detail::json_blocks_portable::classify(block);
        const detail::json_block tokens = detail::json_blocks_portable::classify_tokens(block);
        CHECK((tokens.rare == (full.rare || full.control != 0)));
#if KORE_WEBHOOK_SSE2
        CHECK(same(detail::json_blocks_sse2::classify(block), full));
        CHECK(same(detail::json_blocks_sse2::classify_tokens(block), tokens));
        CHECK(detail::json_blocks_sse2::inside_quotes(full.quote) == detail::prefix_xor(full.quote));
#endif
#if KORE_WEBHOOK_AVX2_DISPATCH
        if (detail::cpu_has_avx2()) {
            CHECK(same(detail::json_blocks_avx2::classify(block), full));
            CHECK(same(detail::json_blocks_avx2::classify_tokens(block), tokens));
            CHECK(detail::json_blocks_avx2::inside_quotes(full.quote) == detail::prefix_xor(full.quote));
        }
#endif
    }
}

TEST_CASE("the AVX2 classifier gives the portable classifier's number masks") {
    generator g(7);
    constexpr std::string_view alphabet = "0123456789-.+eE/:\x2f\x3a\x2c\x2e\x2d\x30\x39\xb0\xb9";
    for (int round = 0; round < 20000; ++round) {
        char block[detail::json_block_size];
        fill_block(g, alphabet, block);
        const detail::json_number_bytes reference = detail::json_blocks_portable::numbers(block);
        for (std::size_t i = 0; i < detail::json_block_size; ++i) {
            const auto c = static_cast<unsigned char>(block[i]);
            CHECK((((reference.digit >> i) & 1U) != 0) == (c >= '0' && c <= '9'));
            CHECK((((reference.zero >> i) & 1U) != 0) == (c == '0'));
            CHECK((((reference.minus >> i) & 1U) != 0) == (c == '-'));
            CHECK((((reference.dot >> i) & 1U) != 0) == (c == '.'));
        }
#if KORE_WEBHOOK_AVX2_DISPATCH
        if (detail::cpu_has_avx2()) {
            const detail::json_number_bytes avx2 = detail::json_blocks_avx2{}.numbers(block);
            CHECK(avx2.digit == reference.digit);
            CHECK(avx2.zero == reference.zero);
            CHECK(avx2.minus == reference.minus);
            CHECK(avx2.dot == reference.dot);
        }
#endif
    }
}

TEST_CASE("highest_bit and lowest_bit find the set bit at each end") {
    for (std::size_t i = 0; i < 64; ++i) {
        const std::uint64_t bit = std::uint64_t{1} << i;
        CHECK(detail::highest_bit(bit) == i);
        CHECK(detail::lowest_bit(bit) == i);
        CHECK(detail::highest_bit(bit | 1U) == i);
        CHECK(detail::lowest_bit(bit | (std::uint64_t{1} << 63)) == i);
    }
}

TEST_CASE("prefix_xor marks the bytes from each opening quote up to its closing one") {
    CHECK(detail::prefix_xor(0) == 0);
    CHECK(detail::prefix_xor(0b1001) == 0b0111);
    CHECK(detail::prefix_xor(std::uint64_t{1} << 63) == std::uint64_t{1} << 63);
    CHECK(detail::prefix_xor(1) == ~std::uint64_t{0});
}

TEST_CASE("block minifiers match the byte-by-byte minifier on random compact and spaced JSON") {
    generator g(2);
    for (int round = 0; round < 1500; ++round) {
        std::string compact;
        std::string spaced;
        g.value(compact, spaced, 0);
        check_all(g, compact);
        check_all(g, spaced);
    }
}

TEST_CASE("block minifiers match the byte-by-byte minifier on mutated JSON") {
    generator g(3);
    for (int round = 0; round < 3000; ++round) {
        std::string compact;
        std::string spaced;
        g.value(compact, spaced, 0);
        check_all(g, g.mutate(g.chance(50) ? compact : spaced));
    }
}

TEST_CASE("block minifiers match the byte-by-byte minifier around 64-level words and max_depth") {
    generator g(4);
    for (const std::size_t depth :
         {std::size_t{62}, std::size_t{63}, std::size_t{64}, std::size_t{65}, std::size_t{127}, std::size_t{128},
          std::size_t{129}, std::size_t{447}, std::size_t{448}, std::size_t{511}, std::size_t{512}, std::size_t{513}}) {
        for (int round = 0; round < 6; ++round) {
            std::string text;
            std::string closing;
            for (std::size_t level = 0; level < depth; ++level) {
                const bool object = g.chance(50);
                text += object ? "{\"k\":" : "[";
                closing.insert(closing.begin(), object ? '}' : ']');
                if (g.chance(20)) {
                    text += object ? "1,\"n\":" : "\"s\",";
                }
            }
            text += "0" + closing;
            CAPTURE(depth);
            check_all(g, text);
            check_all(g, g.mutate(text));
        }
    }
}

TEST_CASE("block minifiers match the byte-by-byte minifier on long flat arrays of every token") {
    generator g(5);
    g.set_max_depth(1);
    for (int round = 0; round < 200; ++round) {
        std::string compact = "[";
        std::string spaced = "[";
        for (std::size_t i = 0, n = 20 + g.below(200); i < n; ++i) {
            if (i != 0) {
                compact += ',';
                spaced += ',';
            }
            g.value(compact, spaced, 1);
        }
        compact += ']';
        spaced += ']';
        check_all(g, compact);
        check_all(g, spaced);
    }
}

TEST_CASE("whitespace beside punctuation in a body that is not JSON gets no second try") {
    // The counterexample to a cheaper check (docs/performance.md): no whitespace sits inside a
    // token, and the minified form is exactly what KORE signed, yet the body is not JSON.
    constexpr std::string_view url = "https://hooks.example.com/kore";
    const std::string secret = "json-blocks-secret";
    const kw::verifier verifier(secret);
    const std::string signature = kw::sign(secret, "POST", url, "a=[1,2]");
    const kw::result one_shot = verifier.verify("POST", url, "a=[1, 2]", signature);
    CHECK(one_shot.error() == kw::errc::signature_mismatch);
    auto stream = verifier.start("POST", url);
    stream.update("a=[1, 2]");
    CHECK(stream.finish(signature).error() == kw::errc::signature_mismatch);
    CHECK(verifier.verify("POST", url, "a=[1,2]", signature).verified());
}

TEST_CASE("block minifiers settle every short number and literal as the byte-by-byte minifier does") {
    // The block path decides the common scalars from one word (common_scalar) and carries a
    // scalar that runs past a block's end into the next block: each token, valid or not, at
    // every offset around the block boundary, must get the byte-by-byte path's verdict.
    generator g(6);
    constexpr std::string_view alphabet = "0123456789-+.eE";
    std::vector<std::string> tokens = {
        "0",    "-0",       "00",        "01",       "-01",       "1.",       ".1",       "-",     "1.5",    "0.5",
        "-0.5", "00.5",     "1.2.3",     "1..2",     "1-2",       "--1",      "-.5",      "1e5",   "1E+5",   "1e",
        "1e-",  "true",     "false",     "null",     "tru",       "nul",      "fals",     "truex", "falsey", "nulls",
        "True", "12345678", "123456789", "-1234567", "-12345678", "1234567.", "0.000001", "9.9"};
    for (int i = 0; i < 400; ++i) {
        std::string token;
        for (std::size_t n = 1 + g.below(10); n > 0; --n) {
            token += alphabet[g.chance(70) ? g.below(10) : g.below(alphabet.size())];
        }
        tokens.push_back(token);
    }
    for (const std::string& token : tokens) {
        for (std::size_t pad = 40; pad < 72; ++pad) {
            const std::string text = "[\"" + std::string(pad, 'p') + "\"," + token + ",{\"k\":" + token + "}]";
            CAPTURE(token, pad);
            check_all(g, text);
        }
    }
}

TEST_CASE("block minifiers settle blocks dense with numbers and literals as the byte-by-byte minifier does") {
    // Many scalars to a block, most within it (checked by masks: numbers_fit), valid or not: an
    // exponent, a sign or a letter in a number, a literal cut or run on, a leading zero, two dots.
    generator g(8);
    constexpr std::string_view alphabet = "0123456789-.";
    constexpr std::string_view odd[] = {"1e5", "-1E+2", "true", "false", "null", "tru", "nul1", "+1",    "01", "1.",
                                        ".5",  "1.2.3", "--1",  "-",     "0.0",  "-0",  "10",   "truex", "1-", "0x1"};
    for (int round = 0; round < 600; ++round) {
        std::string text = g.chance(50) ? "[" : "{\"k\":[";
        for (std::size_t i = 0, n = 10 + g.below(60); i < n; ++i) {
            if (i != 0) {
                text += ',';
            }
            if (g.chance(round % 2 == 0 ? 2 : 10)) {
                text += odd[g.below(std::size(odd))];
            } else {
                std::string token = g.chance(30) ? "-" : "";
                token += static_cast<char>('1' + g.below(9));
                for (std::size_t d = g.below(8); d > 0; --d) {
                    token += alphabet[g.below(10)];
                }
                if (g.chance(40)) {
                    token += '.';
                    for (std::size_t d = 1 + g.below(6); d > 0; --d) {
                        token += alphabet[g.below(10)];
                    }
                }
                if (g.chance(1)) {
                    token[g.below(token.size())] = alphabet[g.below(alphabet.size())];
                }
                text += token;
            }
        }
        text += text[0] == '[' ? "]" : "]}";
        check_all(g, text);
    }
}

TEST_CASE("a stream refuses the second try when a number or literal is not JSON") {
    // KORE signed text that is not JSON (the minified form of the spaced body): the spaced body
    // must not verify through the minifier, wherever the bad token falls in a block.
    constexpr std::string_view url = "https://hooks.example.com/kore";
    const std::string secret = "json-scalars-secret";
    const kw::verifier verifier(secret);
    for (const std::string_view token : {"01", "1.", "-", "1.2.3", "tru", "nulll", "--1", ".5"}) {
        for (std::size_t pad = 50; pad < 70; ++pad) {
            const std::string id(pad, 'i');
            const std::string compact = "[{\"id\":\"" + id + "\",\"n\":" + std::string(token) + "}]";
            const std::string spaced = "[{\"id\": \"" + id + "\", \"n\": " + std::string(token) + "}]";
            CAPTURE(token, pad);
            auto stream = verifier.start("POST", url);
            stream.update(spaced);
            CHECK(stream.finish(kw::sign(secret, "POST", url, compact)).error() == kw::errc::signature_mismatch);
        }
    }
    // The control: the same shapes with valid tokens do get the second try.
    for (const std::string_view token : {"0", "1.5", "-7", "true", "null", "12345678", "1e5"}) {
        const std::string compact = "[{\"id\":\"" + std::string(60, 'i') + "\",\"n\":" + std::string(token) + "}]";
        const std::string spaced = "[{\"id\": \"" + std::string(60, 'i') + "\", \"n\": " + std::string(token) + "}]";
        auto stream = verifier.start("POST", url);
        stream.update(spaced);
        CHECK(stream.finish(kw::sign(secret, "POST", url, compact)).json_normalized());
    }
}
