// A stream reaches exactly the verdict one-shot verify() reaches for the same bytes, however the
// body is chunked: checked over thousands of random requests (seeded, so failures reproduce).

#include "unit_common.hpp"

#include <kore_cli/forge.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <random>

using namespace kore_unit;
namespace forge = kore_cli::forge;

namespace {

constexpr std::string_view url = "https://hooks.example.com/kore/events?src=kore#x";
const std::array<std::string, 3> secrets = {"stream-secret-one", "the-second-secret-is-longer-0123456789",
                                            "never-configured"};

class generator {
public:
    explicit generator(std::uint32_t seed) : rng_(seed) {}

    std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
    bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }

    std::string form_body() {
        std::string out;
        const std::size_t fields = below(12);
        for (std::size_t i = 0; i < fields; ++i) {
            if (i != 0) {
                out += '&';
            }
            out += word(1 + below(10)) + "=" + word(below(40));
        }
        return out;
    }

    std::string binary_body(std::size_t size) {
        std::string out(size, '\0');
        for (char& c : out) {
            const std::size_t k = below(4);
            c = k == 0 ? '\x80' : k == 1 ? '\0' : static_cast<char>(below(256));
        }
        return out;
    }

    // A random JSON value written twice: with random insignificant whitespace, and without.
    void json(std::string& spaced, std::string& compact, int depth = 0) {
        space(spaced);
        const std::size_t kind = depth >= 4 ? 2 + below(4) : below(6);
        switch (kind) {
            case 0: {  // object
                spaced += '{';
                compact += '{';
                const std::size_t n = below(4);
                for (std::size_t i = 0; i < n; ++i) {
                    if (i != 0) {
                        space(spaced);
                        spaced += ',';
                        compact += ',';
                    }
                    space(spaced);
                    const std::string key = string_literal();
                    spaced += key;
                    compact += key;
                    space(spaced);
                    spaced += ':';
                    compact += ':';
                    json(spaced, compact, depth + 1);
                }
                space(spaced);
                spaced += '}';
                compact += '}';
                break;
            }
            case 1: {  // array
                spaced += '[';
                compact += '[';
                const std::size_t n = below(4);
                for (std::size_t i = 0; i < n; ++i) {
                    if (i != 0) {
                        space(spaced);
                        spaced += ',';
                        compact += ',';
                    }
                    json(spaced, compact, depth + 1);
                }
                space(spaced);
                spaced += ']';
                compact += ']';
                break;
            }
            default: {
                static const std::array<std::string_view, 10> scalars = {
                    "0", "-12", "3.25", "1e-7", "-0.5E+3", "true", "false", "null", "12345678901234567890", "\"\""};
                const std::string token = kind == 2 ? string_literal() : std::string(scalars[below(scalars.size())]);
                spaced += token;
                compact += token;
                break;
            }
        }
        space(spaced);
    }

    // Breaks a JSON text so that it is no longer valid (it keeps its whitespace).
    std::string corrupt(std::string text) {
        switch (below(5)) {
            case 0:
                return text + " ,";
            case 1:
                return text.empty() ? "["
                                    : text.substr(0, text.size() - 1 - below(std::min<std::size_t>(3, text.size())));
            case 2:
                return "[01, " + text + "]";
            case 3:
                return text + " " + text;
            default:
                return "[\"\\u12G4\", " + text + "]";
        }
    }

    // Random cut points: whole, byte by byte, small pieces with empty ones, or around 64/72.
    std::vector<std::size_t> chunking(std::size_t body_size) {
        std::vector<std::size_t> sizes;
        const std::size_t mode = below(4);
        if (mode == 0) {
            return sizes;
        }
        std::size_t total = 0;
        while (total < body_size) {
            std::size_t n = 1;
            if (mode == 2) {
                n = below(20);
            } else if (mode == 3) {
                n = 60 + below(16);
            }
            sizes.push_back(n);
            total += n;
        }
        if (chance(30)) {
            sizes.push_back(0);  // an empty update after the body
        }
        return sizes;
    }

    std::mt19937& engine() { return rng_; }

private:
    std::string word(std::size_t n) {
        static constexpr std::string_view chars = "abcdefghijklmnopqrstuvwxyzABCDEF0123456789%+-._~";
        std::string out;
        for (std::size_t i = 0; i < n; ++i) {
            out += chars[below(chars.size())];
        }
        return out;
    }

    std::string string_literal() {
        static const std::array<std::string_view, 9> pieces = {"a",       " ",   "  x ",     "\\\"", "\\\\",
                                                               "\\u00e9", "\\/", "\xc3\xa9", "\x80"};
        std::string out = "\"";
        const std::size_t n = below(5);
        for (std::size_t i = 0; i < n; ++i) {
            out += pieces[below(pieces.size())];
        }
        return out + "\"";
    }

    void space(std::string& out) {
        static constexpr std::string_view ws = " \t\r\n";
        if (chance(50)) {
            const std::size_t n = 1 + below(3);
            for (std::size_t i = 0; i < n; ++i) {
                out += ws[below(ws.size())];
            }
        }
    }

    std::mt19937 rng_;
};

struct configured {
    kw::verifier verifier;
    std::size_t secret_count;
    std::size_t max_body;
};

std::vector<configured> configurations() {
    std::vector<configured> out;
    for (const std::size_t count : {std::size_t{1}, std::size_t{2}}) {
        for (int variant = 0; variant < 4; ++variant) {
            kw::options opts;
            opts.json_whitespace_fallback = variant != 1;
            opts.allow_unsigned = variant == 2;
            opts.max_body_size = variant == 3 ? 256 : kw::default_max_body_size;
            std::vector<std::string> list(secrets.begin(), secrets.begin() + static_cast<std::ptrdiff_t>(count));
            out.push_back({kw::verifier(list, opts), count, opts.max_body_size});
        }
    }
    return out;
}

std::string upper(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return text;
}

}  // namespace

TEST_CASE("a stream reaches the one-shot verdict for random requests and chunkings") {
    constexpr std::uint32_t seed = 20240925;
    constexpr int rounds = 10000;
    INFO("seed " << seed);
    generator gen(seed);
    const auto configs = configurations();
    std::map<std::string, int> seen;
    int disagreements = 0;

    for (int round = 0; round < rounds; ++round) {
        const configured& config = configs[gen.below(configs.size())];
        const std::string method = gen.chance(90) ? "POST" : "GET";
        std::string body;
        std::string signed_body;  // what the signature is computed over
        std::string kind;
        std::optional<std::string> forged_signature;
        switch (gen.below(7)) {
            case 0:
                kind = "form";
                body = gen.form_body();
                signed_body = body;
                break;
            case 1: {
                kind = "json";
                std::string compact;
                gen.json(body, compact);
                signed_body = gen.chance(70) ? compact : body;
                break;
            }
            case 2: {
                kind = "invalid json";
                std::string compact;
                gen.json(body, compact);
                body = gen.corrupt(body);
                signed_body = body;
                signed_body.erase(
                    std::remove_if(signed_body.begin(), signed_body.end(),
                                   [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }),
                    signed_body.end());
                break;
            }
            case 3:
                kind = "binary";
                body = gen.binary_body(gen.below(300));
                signed_body = body;
                break;
            case 4: {
                kind = "forged";
                const std::size_t which = gen.below(config.secret_count);
                const std::string original = gen.chance(50) ? gen.form_body() : gen.binary_body(gen.below(150));
                const auto f =
                    forge::extend(kw::sign(secrets[which], method, url, original), secrets[which].size(), method,
                                  kw::signed_url(url), original, gen.chance(20) ? std::string() : gen.form_body());
                body = f.body;
                signed_body = body;
                forged_signature = f.signature;
                break;
            }
            case 5:
                kind = "oversize";
                body = std::string(250 + gen.below(13), 'o');
                signed_body = body;
                break;
            default:
                kind = "text";
                body = std::string(gen.below(400), 't');
                signed_body = body;
                break;
        }

        std::optional<std::string> header;
        switch (gen.below(10)) {
            case 0:
                header = std::nullopt;
                break;
            case 1:
                header = gen.chance(50) ? "" : " \t ";
                break;
            case 2:
                header = "sha256=" + kw::sign(secrets[0], method, url, signed_body);
                break;
            case 3:
                header = kw::sign(secrets[2], method, url, signed_body);  // a secret nobody configured
                break;
            case 4:
                header = " " + upper(kw::sign(secrets[gen.below(2)], method, url, signed_body)) + "\t";
                break;
            default:
                header =
                    forged_signature ? *forged_signature : kw::sign(secrets[gen.below(2)], method, url, signed_body);
                break;
        }
        std::optional<std::string_view> header_view;
        if (header) {
            header_view = *header;
        }

        const auto chunks = gen.chunking(body.size());
        const auto one_shot = config.verifier.verify(method, url, body, header_view);
        const auto streamed = stream_verify(config.verifier, method, url, body, header_view, chunks);
        const verdict expected = verdict_of(one_shot);
        const verdict actual = verdict_of(streamed);
        if (expected != actual || one_shot.replay_key() != streamed.replay_key()) {
            ++disagreements;
            CAPTURE(round, kind, body.size(), chunks.size(), config.secret_count, config.max_body);
            CHECK(actual == expected);
            CHECK(streamed.replay_key() == one_shot.replay_key());
        }
        std::string outcome = std::string(kw::error_name(one_shot.error()));
        if (one_shot.verified()) {
            outcome += one_shot.json_normalized() ? " json" : " raw";
            outcome += " index " + std::to_string(one_shot.secret_index());
        }
        if (one_shot.is_unsigned()) {
            outcome += " unsigned";
        }
        ++seen[outcome];
    }
    CHECK(disagreements == 0);

    // The comparison only means something if every kind of verdict came up.
    for (const char* outcome :
         {"ok raw index 0", "ok raw index 1", "ok json index 0", "ok json index 1", "ok unsigned", "length_extension",
          "body_too_large", "signature_mismatch", "malformed_signature", "unsigned_request", "missing_signature"}) {
        CAPTURE(outcome);
        CHECK(seen[outcome] > 10);
    }
}

TEST_CASE("a stream verdict does not depend on where a JSON body is split") {
    const auto v = kore_vector("K2-spaced");
    const kw::verifier verifier(v.secret);
    for (std::size_t a = 0; a <= v.body.size(); ++a) {
        for (std::size_t b = a; b <= v.body.size(); ++b) {
            auto s = verifier.start(v.method, v.registered_url);
            s.update(std::string_view(v.body).substr(0, a));
            s.update(std::string_view(v.body).substr(a, b - a));
            s.update(std::string_view(v.body).substr(b));
            const auto r = s.finish(v.signature);
            if (!r.verified() || !r.json_normalized()) {
                CAPTURE(a, b, kw::error_name(r.error()));
                FAIL_CHECK("split changed the verdict");
            }
        }
    }
    CHECK(stream_verify(verifier, v.method, v.registered_url, v.body, v.signature, {1}).json_normalized());
}

TEST_CASE("a stream verdict does not depend on where a forged body is split") {
    const std::string secret = "split-secret";
    const kw::verifier verifier(secret);
    const std::string original = "SimSid=HS1&Status=active&x=" + std::string(40, 'y');
    const auto f = forge::extend(kw::sign(secret, "POST", url, original), secret.size(), "POST", kw::signed_url(url),
                                 original, "&Status=deleted");
    for (std::size_t a = 0; a <= f.body.size(); ++a) {
        auto s = verifier.start("POST", url);
        s.update(std::string_view(f.body).substr(0, a));
        s.update(std::string_view(f.body).substr(a));
        const auto r = s.finish(f.signature);
        if (r.error() != kw::errc::length_extension) {
            CAPTURE(a, kw::error_name(r.error()));
            FAIL_CHECK("split hid the forgery");
        }
    }
    CHECK(stream_verify(verifier, "POST", url, f.body, f.signature, {1}).error() == kw::errc::length_extension);
}

TEST_CASE("empty updates change nothing") {
    const std::string secret = "empty-updates";
    const kw::verifier verifier(secret);
    const std::string body = "{ \"a\" : 1 }";
    auto s = verifier.start("POST", url);
    s.update("");
    s.update(std::string_view(body).substr(0, 4));
    s.update("");
    s.update("");
    s.update(std::string_view(body).substr(4));
    s.update("");
    CHECK(s.body_size() == body.size());
    const auto r = s.finish(kw::sign(secret, "POST", url, R"({"a":1})"));
    CHECK(r.verified());
    CHECK(r.json_normalized());
    auto nothing = verifier.start("GET", url);
    CHECK(nothing.finish(kw::sign(secret, "GET", url, "")).verified());
}

TEST_CASE("updates after finish are ignored") {
    const std::string secret = "late-updates";
    const kw::verifier verifier(secret);
    auto s = verifier.start("POST", url);
    s.update("abc");
    CHECK(s.finish(kw::sign(secret, "POST", url, "abc")).verified());
    s.update("def");
    CHECK(s.body_size() == 3);
    CHECK(s.finish(kw::sign(secret, "POST", url, "abcdef")).error() == kw::errc::stream_finished);
}
