// docs/protocol.md, section 2: the second try over JSON without insignificant whitespace. The
// minifier removes only whitespace outside strings, validates as it goes, and invalid JSON gets no
// second try.

#include "unit_common.hpp"

#include <kore/webhook/detail/json/minifier.hpp>

using namespace kore_unit;
using kw::detail::json_minifier;

namespace {

struct minified {
    std::string text;
    bool complete = false;
    bool failed = false;
    bool removed_whitespace = false;
};

// Feeds `input` in pieces of `piece` bytes (0: all at once).
minified minify(std::string_view input, std::size_t piece = 0) {
    json_minifier m;
    minified out;
    const auto sink = [&](std::string_view run) { out.text.append(run); };
    if (piece == 0) {
        m.feed(input, sink);
    } else {
        for (std::size_t at = 0; at < input.size(); at += piece) {
            m.feed(input.substr(at, piece), sink);
        }
    }
    out.complete = m.complete();
    out.failed = m.failed();
    out.removed_whitespace = m.removed_whitespace();
    return out;
}

constexpr std::string_view secret = "json-test-secret";
constexpr std::string_view url = "https://hooks.example.com/events";

}  // namespace

TEST_CASE("insignificant whitespace is removed and nothing else changes") {
    struct sample {
        std::string_view in;
        std::string_view out;
    };
    const sample s = GENERATE(values<sample>({
        {"{ \"a\" : [ 1 , 2 ] }", R"({"a":[1,2]})"},
        {" \t\r\n{\"a\":1}\n", R"({"a":1})"},
        {"[ true , false , null ]", "[true,false,null]"},
        {"{ \"b\" : 1 , \"a\" : 2 }", R"({"b":1,"a":2})"},           // key order kept
        {"[ 1.50 , 1E+2 , -0 , 1e-007 ]", "[1.50,1E+2,-0,1e-007]"},  // number spellings kept
        {"[ \"\\u00E9\" , \"\\/\" ]", R"(["\u00E9","\/"])"},         // escapes kept
        {"[ {} , [ ] , { } ]", "[{},[],{}]"},
        {" 42 ", "42"},
        {"\"top\"\n", "\"top\""},
    }));
    CAPTURE(s.in);
    const auto m = minify(s.in);
    CHECK(m.text == s.out);
    CHECK(m.complete);
    CHECK_FALSE(m.failed);
    CHECK(m.removed_whitespace);
}

TEST_CASE("JSON without insignificant whitespace passes through untouched") {
    const std::string_view in = GENERATE(as<std::string_view>{}, R"({"a":[1,2],"b":"x y"})", "0", "[]", R"("a b")");
    CAPTURE(in);
    const auto m = minify(in);
    CHECK(m.text == in);
    CHECK(m.complete);
    CHECK_FALSE(m.removed_whitespace);
}

TEST_CASE("whitespace inside strings is kept") {
    const auto m = minify("{ \"a key\" : \" spaced  value \" }");
    CHECK(m.text == R"({"a key":" spaced  value "})");
    CHECK(m.complete);
}

TEST_CASE("an escaped quote does not end a string") {
    // Were the escaped quote taken as the end, " }" would close the object and this would be complete.
    const auto m = minify(R"({ "a" : "x\" } )");
    CHECK_FALSE(m.failed);
    CHECK_FALSE(m.complete);  // still inside the string
    const auto closed = minify(R"({ "a" : "x\" }, [ " , "b" : 1 })");
    CHECK(closed.text == R"({"a":"x\" }, [ ","b":1})");
    CHECK(closed.complete);
}

TEST_CASE("an escaped backslash before a quote ends the string") {
    const auto m = minify(R"({ "a" : "x\\" , "b" : "\\\\" })");
    CHECK(m.text == R"({"a":"x\\","b":"\\\\"})");
    CHECK(m.complete);
    // If the quote after \\ were taken as escaped, the string would run on and this would not close.
    const auto odd = minify(R"(["\\\" ]" ])");
    CHECK(odd.text == R"(["\\\" ]"])");
    CHECK(odd.complete);
}

TEST_CASE("\\u escapes need four hex digits") {
    SECTION("valid") {
        const std::string_view in = GENERATE(as<std::string_view>{}, R"("\u0000")", R"("\uABCD")", R"("\uabcd")",
                                             R"("\ud83d\ude00")", R"(["\u12aF" ])");
        CAPTURE(in);
        CHECK(minify(in).complete);
    }
    SECTION("invalid") {
        const std::string_view in = GENERATE(as<std::string_view>{}, R"("\u12G4")", R"("\u12")", R"("\u")",
                                             R"("\u 123")", R"("\U1234")", R"("\uXYZW")");
        CAPTURE(in);
        const auto m = minify(in);
        CHECK(m.failed);
        CHECK_FALSE(m.complete);
    }
}

TEST_CASE("only JSON's escapes are accepted") {
    const char escape = GENERATE('"', '\\', '/', 'b', 'f', 'n', 'r', 't');
    CHECK(minify(std::string("\"\\") + escape + "\"").complete);
    const char bad = GENERATE('x', '\'', 'a', '0', 'v', ' ', 'U');
    CAPTURE(bad);
    CHECK(minify(std::string("\"\\") + bad + "\"").failed);
}

TEST_CASE("nesting up to max_depth is accepted, one level deeper is refused") {
    constexpr std::size_t max = json_minifier::max_depth;
    SECTION("arrays") {
        CHECK(minify(std::string(max, '[') + std::string(max, ']')).complete);
        const auto deeper = minify(std::string(max + 1, '[') + std::string(max + 1, ']'));
        CHECK(deeper.failed);
        CHECK_FALSE(deeper.complete);
    }
    SECTION("objects") {
        std::string ok;
        for (std::size_t i = 0; i < max; ++i) {
            ok += R"({"k": )";
        }
        ok += "1" + std::string(max, '}');
        CHECK(minify(ok).complete);
        std::string deep;
        for (std::size_t i = 0; i < max + 1; ++i) {
            deep += R"({"k":)";
        }
        deep += "1" + std::string(max + 1, '}');
        CHECK(minify(deep).failed);
    }
    SECTION("mixed, with the object/array kind remembered at every level") {
        std::string open;
        std::string close;
        for (std::size_t i = 0; i < max; ++i) {
            if (i % 3 == 0) {
                open += R"({"k":)";
                close.insert(0, "}");
            } else {
                open += "[";
                close.insert(0, "]");
            }
        }
        CHECK(minify(open + "null" + close).complete);
        // Swap one closing bracket for the other kind, deep down: must be refused.
        std::string wrong = close;
        wrong[100] = wrong[100] == '}' ? ']' : '}';
        CHECK(minify(open + "null" + wrong).failed);
    }
}

TEST_CASE("invalid JSON is refused by the minifier") {
    const std::string in =
        GENERATE(as<std::string>{}, "[1,]", "{\"a\":1,}", "[1 , ]", ",", "[,1]",  // trailing or stray commas
                 "01", "[01]", "-01", "00",                                       // leading zeros
                 "1.", "[1.]", ".5", "1.e3", "-", "[-]", "+1",                    // broken numbers
                 "1e", "1e+", "1E-", "[1e]", "tru", "nul", "fals", "True", "nulll", "[truee]",  // broken literals
                 "[1", "{\"a\":1", "\"abc", "[[]", "{",                                         // unclosed
                 "]", "}", "[}", "{]", "[1}",                                                   // bad closers
                 "1 2", "{} {}", "[] 1", "\"a\" \"b\"", "1 x", "null null",                     // two top-level values
                 std::string("\"a\nb\""), std::string("\"a\tb\""), std::string("\"\x01\""),
                 std::string("\"\x1f\""),                                                    // raw control chars
                 std::string("\"a\0b\"", 5), std::string("[1]\0", 4), std::string("\0", 1),  // NUL
                 "{\"a\" 1}", "{1:2}", "{\"a\":}", "{:1}", "[1 2]", "{\"a\":1 \"b\":2}", "{\"a\",1}", "", " ",
                 "\n\t ",                            // no value at all
                 "'a'", "[1]x", "\xef\xbb\xbf[1]");  // quotes, junk, a byte order mark
    CAPTURE(in);
    const auto m = minify(in);
    CHECK_FALSE(m.complete);
}

TEST_CASE("valid numbers of every shape are accepted") {
    const std::string in = GENERATE(as<std::string>{}, "0", "-0", "7", "-7", "10", "0.0", "1.25", "-0.5", "1e5", "1E5",
                                    "1e+5", "1e-5", "1.5e10", "-12.0E-07", "[0,1.0,2e2]", "{\"a\":-1}");
    CAPTURE(in);
    CHECK(minify(in).complete);
}

TEST_CASE("every chunking gives the same minified text and verdict") {
    const std::string in =
        GENERATE(as<std::string>{}, R"({ "a\"b" : [ 1.5e-3 , "x \\" , true , null ] , "u" : "\u12aB" } )", "[ 01 ]",
                 "[ \"\\u12G4\" ]", " 12 ", "{ \"k\" : tru }");
    CAPTURE(in);
    const auto whole = minify(in);
    for (std::size_t piece = 1; piece <= in.size(); ++piece) {
        CAPTURE(piece);
        const auto split = minify(in, piece);
        CHECK(split.complete == whole.complete);
        CHECK(split.failed == whole.failed);
        CHECK(split.removed_whitespace == whole.removed_whitespace);
        if (whole.complete) {
            CHECK(split.text == whole.text);
        }
    }
}

TEST_CASE("feed_until_whitespace stops at the first insignificant whitespace") {
    json_minifier m;
    const std::string_view in = R"({"a b":1, "c":2})";
    const std::size_t space = m.feed_until_whitespace(in);
    CHECK(space == 9);  // the space inside "a b" does not count
    CHECK(m.removed_whitespace());
    std::string rest;
    m.feed(in.substr(space + 1), [&](std::string_view run) { rest.append(run); });
    CHECK(rest == R"("c":2})");
    CHECK(m.complete());
    json_minifier none;
    CHECK(none.feed_until_whitespace(R"({"a":1})") == 7);
    CHECK_FALSE(none.removed_whitespace());
}

// ---- the verifier's second try --------------------------------------------------------------------

TEST_CASE("a valid JSON body signed over its minified text verifies, marked json_normalized") {
    const kw::verifier verifier(secret);
    const std::string spaced = "[\n  {\"id\": \"e1\", \"data\": {\"note\": \"a  b\"}},\n  {\"id\": 2}\n]\n";
    const std::string signature = kw::sign(secret, "POST", url, R"([{"id":"e1","data":{"note":"a  b"}},{"id":2}])");
    const auto r = verifier.verify("POST", url, spaced, signature);
    CHECK(r.verified());
    CHECK(r.json_normalized());
}

TEST_CASE("whitespace inside JSON strings is signed: removing it does not verify") {
    const kw::verifier verifier(secret);
    const std::string body = R"({"a":"x y"})";
    CHECK(verifier.verify("POST", url, body, kw::sign(secret, "POST", url, R"({"a":"xy"})")).error() ==
          kw::errc::signature_mismatch);
}

TEST_CASE("invalid JSON gets no second try, even when its naive minification matches") {
    struct pair {
        std::string body;   // what arrives
        std::string naive;  // whitespace removed outside quotes, without validating
    };
    const pair p = GENERATE(values<pair>({
        {"[1, 2,]", "[1,2,]"},
        {"{\"a\": 1,}", "{\"a\":1,}"},
        {"[01, 2]", "[01,2]"},
        {"[1., 2]", "[1.,2]"},
        {"[-, 2]", "[-,2]"},
        {"[tru, 1]", "[tru,1]"},
        {"[1, 2", "[1,2"},
        {"1 2", "12"},
        {"[- 1]", "[-1]"},  // whitespace inside a token: naive removal would make it valid
        {"[1. 5]", "[1.5]"},
        {"[1 .5]", "[1.5]"},
        {"[1e 5]", "[1e5]"},
        {"[1 0]", "[10]"},
        {"[tr ue]", "[true]"},
        {"[n ull]", "[null]"},
        {"{} {}", "{}{}"},
        {"[\"a\nb\", 1]", "[\"a\nb\",1]"},
        {"[\"a\", \"\x01\"]", "[\"a\",\"\x01\"]"},
        {std::string("[1, 2]\0", 7), std::string("[1,2]\0", 6)},
        {std::string("[\"a\0\", 1]", 9), std::string("[\"a\0\",1]", 8)},
        {"[\"\\u12G4\", 1]", "[\"\\u12G4\",1]"},
        {"[\"\\x\", 1]", "[\"\\x\",1]"},
        {"{\"a\" 1, \"b\": 2}", "{\"a\"1,\"b\":2}"},
        {std::string(json_minifier::max_depth + 1, '[') + " " + std::string(json_minifier::max_depth + 1, ']'),
         std::string(json_minifier::max_depth + 1, '[') + std::string(json_minifier::max_depth + 1, ']')},
    }));
    CAPTURE(p.body);
    const kw::verifier verifier(secret);
    const std::string signature = kw::sign(secret, "POST", url, p.naive);
    const auto r = verifier.verify("POST", url, p.body, signature);
    CHECK_FALSE(r);
    CHECK(r.error() == kw::errc::signature_mismatch);
    CHECK_FALSE(r.json_normalized());
    CHECK(stream_verify(verifier, "POST", url, p.body, signature, {1}).error() == kw::errc::signature_mismatch);
    CHECK(stream_verify(verifier, "POST", url, p.body, signature, {}).error() == kw::errc::signature_mismatch);
}

TEST_CASE("a valid JSON text followed by more bytes gets no second try over the valid part") {
    struct pair {
        std::string body;
        std::string valid_part;
    };
    const pair p = GENERATE(values<pair>({
        {"{\"a\": 1} x", "{\"a\":1}"},
        {"[1, 2] [3]", "[1,2]"},
        {"[1, 2] ,", "[1,2]"},
        {std::string("{\"a\": 1}\0", 9), "{\"a\":1}"},
        {"{\"a\": 1}\n\n&admin=true", "{\"a\":1}"},
    }));
    CAPTURE(p.body);
    const kw::verifier verifier(secret);
    const std::string signature = kw::sign(secret, "POST", url, p.valid_part);
    CHECK(verifier.verify("POST", url, p.body, signature).error() == kw::errc::signature_mismatch);
    CHECK(stream_verify(verifier, "POST", url, p.body, signature, {2}).error() == kw::errc::signature_mismatch);
}

TEST_CASE("the control: the same shapes made valid do get the second try") {
    struct pair {
        std::string body;
        std::string minified;
    };
    const pair p = GENERATE(values<pair>({
        {"[1, 2]", "[1,2]"},
        {"{\"a\": 1}", "{\"a\":1}"},
        {"[\"a\\nb\", 1]", "[\"a\\nb\",1]"},
        {"[\"\\u12F4\", 1]", "[\"\\u12F4\",1]"},
        {std::string(json_minifier::max_depth, '[') + " " + std::string(json_minifier::max_depth, ']'),
         std::string(json_minifier::max_depth, '[') + std::string(json_minifier::max_depth, ']')},
    }));
    CAPTURE(p.body);
    const kw::verifier verifier(secret);
    const std::string signature = kw::sign(secret, "POST", url, p.minified);
    const auto r = verifier.verify("POST", url, p.body, signature);
    CHECK(r.verified());
    CHECK(r.json_normalized());
    CHECK(stream_verify(verifier, "POST", url, p.body, signature, {1}).json_normalized());
}

TEST_CASE("a body that is not JSON gets no second try") {
    const kw::verifier verifier(secret);
    const std::string body = "field1=value 1&field2=value2";
    CHECK(verifier.verify("POST", url, body, kw::sign(secret, "POST", url, "field1=value1&field2=value2")).error() ==
          kw::errc::signature_mismatch);
}

TEST_CASE("a raw-body match is not marked json_normalized") {
    const kw::verifier verifier(secret);
    const std::string body = "{ \"a\": 1 }";
    const auto r = verifier.verify("POST", url, body, kw::sign(secret, "POST", url, body));
    CHECK(r.verified());
    CHECK_FALSE(r.json_normalized());
}
