// cli.request_parser: the strict raw-request parser behind `verify --request-file`
// (kore_cli/http_request.hpp). Pure function: every input gives a request or an error. And the
// verdict a parsed request gets (kore_cli/verify.hpp) where the parser's reading decides it.

#include <support/catch.hpp>

#include <kore_cli/http_request.hpp>
#include <kore_cli/verify.hpp>

#include <kore/webhook/sign.hpp>
#include <kore/webhook/verifier.hpp>

#include <cstdint>
#include <random>
#include <string>

namespace http = kore_cli::http;
using http::parse_error;

namespace {

const std::string crlf_request =
    "POST /kore/callback?x=1 HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n"
    "kore-signature: 4fdba0cb1394cc8d17b8dabb04634aa9a951021a7b161f9c7a2186cd490b18b2\r\n"
    "Content-Length: 27\r\n"
    "\r\n"
    "field1=value1&field2=value2";

std::string lf_only(std::string s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
            continue;
        }
        out.push_back(s[i]);
    }
    return out;
}

parse_error error_of(const std::string& raw, const http::limits& lim = {}) {
    const auto r = http::parse(raw, lim);
    REQUIRE_FALSE(r);
    return r.error;
}

}  // namespace

TEST_CASE("a request with CRLF line ends parses into method, target, headers and body") {
    const auto r = http::parse(crlf_request);
    REQUIRE(r);
    CHECK(r.value->method == "POST");
    CHECK(r.value->target == "/kore/callback?x=1");
    CHECK(r.value->version == "HTTP/1.1");
    CHECK(r.value->headers.size() == 4);
    CHECK(r.value->body == "field1=value1&field2=value2");
    CHECK_FALSE(r.value->chunked);
    CHECK(r.value->find("KORE-SIGNATURE").value() ==
          "4fdba0cb1394cc8d17b8dabb04634aa9a951021a7b161f9c7a2186cd490b18b2");
    CHECK(r.value->find("host").value() == "example.com");
}

TEST_CASE("bare LF line ends give the same request") {
    const auto a = http::parse(crlf_request);
    const auto b = http::parse(lf_only(crlf_request));
    REQUIRE(a);
    REQUIRE(b);
    CHECK(b.value->method == a.value->method);
    CHECK(b.value->target == a.value->target);
    CHECK(b.value->body == a.value->body);
    CHECK(b.value->headers.size() == a.value->headers.size());
}

TEST_CASE("header values lose surrounding whitespace, names keep their spelling") {
    const auto r = http::parse("GET / HTTP/1.0\r\nKore-Signature: \t abc \t\r\n\r\n");
    REQUIRE(r);
    CHECK(r.value->headers[0].name == "Kore-Signature");
    CHECK(r.value->headers[0].value == "abc");
    CHECK(r.value->body.empty());
}

TEST_CASE("an empty header value is kept as present and empty") {
    const auto r = http::parse("POST / HTTP/1.1\r\nkore-signature:\r\nContent-Length: 0\r\n\r\n");
    REQUIRE(r);
    REQUIRE(r.value->find("kore-signature"));
    CHECK(r.value->find("kore-signature")->empty());
    CHECK_FALSE(r.value->find("x-other"));
}

TEST_CASE("two kore-signature headers are both kept and counted, whatever their case") {
    const auto r =
        http::parse("POST / HTTP/1.1\r\nkore-signature: a\r\nKORE-Signature: b\r\nContent-Length: 0\r\n\r\n");
    REQUIRE(r);
    CHECK(r.value->count("kore-signature") == 2);
    CHECK(r.value->find("kore-signature").value() == "a");
    CHECK(r.value->count("content-length") == 1);
    CHECK(r.value->count("absent") == 0);
}

TEST_CASE("a chunked body is decoded; extensions are ignored; trailers are kept apart") {
    const std::string raw =
        "POST /cb HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
        "5;name=value\r\nfield\r\n"
        "1\r\n1\r\n"
        "A\r\n=value1&ab\r\n"
        "0\r\nX-Trailer: yes\r\n\r\n";
    const auto r = http::parse(raw);
    REQUIRE(r);
    CHECK(r.value->chunked);
    CHECK(r.value->body == "field1=value1&ab");
    REQUIRE(r.value->trailers.size() == 1);
    CHECK(r.value->trailers[0].name == "X-Trailer");
    CHECK(r.value->trailers[0].value == "yes");
    CHECK_FALSE(r.value->find("x-trailer"));  // a trailer field is not a header field
    CHECK(r.value->headers.size() == 2);
    // and with bare LF line ends
    const auto lf = http::parse(lf_only(raw));
    REQUIRE(lf);
    CHECK(lf.value->body == "field1=value1&ab");
}

namespace {

const std::string trailer_url = "https://testendpoint.com/kore";
const std::string trailer_body = "field1=value1&field2=value2";

// A chunked POST whose header section and trailer section hold the given fields.
std::string chunked_with(const std::string& header_fields, const std::string& trailer_fields) {
    return "POST /kore HTTP/1.1\r\nHost: testendpoint.com\r\n" + header_fields +
           "Transfer-Encoding: chunked\r\n\r\n1b\r\n" + trailer_body + "\r\n0\r\n" + trailer_fields + "\r\n";
}

std::string verdict_of(const std::string& raw) {
    const auto parsed = http::parse(raw);
    REQUIRE(parsed);
    const kore::webhook::verifier v("secret12345");
    return std::string(kore_cli::judge(v, trailer_url, kore_cli::case_from_request(*parsed.value)).error_name());
}

}  // namespace

TEST_CASE("a kore-signature sent only in a trailer is no signature: missing_signature") {
    const std::string genuine = kore::webhook::sign("secret12345", "POST", trailer_url, trailer_body);
    CHECK(verdict_of(chunked_with("kore-signature: " + genuine + "\r\n", "")) == "ok");
    CHECK(verdict_of(chunked_with("", "kore-signature: " + genuine + "\r\n")) == "missing_signature");
}

TEST_CASE("a kore-signature in the headers and in a trailer is no duplicate: the header one counts") {
    const std::string genuine = kore::webhook::sign("secret12345", "POST", trailer_url, trailer_body);
    const std::string other = std::string(64, '0');
    CHECK(verdict_of(chunked_with("kore-signature: " + genuine + "\r\n", "kore-signature: " + other + "\r\n")) == "ok");
    CHECK(verdict_of(chunked_with("kore-signature: " + other + "\r\n", "kore-signature: " + genuine + "\r\n")) ==
          "signature_mismatch");
    // Two in the headers stay a duplicate, whatever the trailer holds.
    CHECK(verdict_of(chunked_with("kore-signature: " + genuine + "\r\nkore-signature: " + genuine + "\r\n", "")) ==
          "duplicate_signature");
}

TEST_CASE("malformed chunked bodies are errors") {
    const std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    CHECK(error_of(head + "zz\r\nabc\r\n0\r\n\r\n") == parse_error::bad_chunk);
    CHECK(error_of(head + "3\r\nabcdef\r\n0\r\n\r\n") == parse_error::bad_chunk);     // size too small
    CHECK(error_of(head + "10\r\nabc\r\n0\r\n\r\n") == parse_error::truncated_body);  // size too large
    CHECK(error_of(head + "3\r\nabc\r\n") == parse_error::bad_chunk);                 // no last chunk
    CHECK(error_of(head + "3\r\nabc\r\n0\r\n") == parse_error::bad_chunk);            // no final empty line
    CHECK(error_of(head + "fffffffffffffffff\r\n") == parse_error::bad_chunk);        // overflowing size
    CHECK(error_of(head + "\r\n") == parse_error::bad_chunk);
    CHECK(error_of(head + "3\r\nabc\r\n0\r\n\r\nextra") == parse_error::trailing_data);
}

TEST_CASE("Content-Length must match the bytes that follow") {
    const std::string head = "POST / HTTP/1.1\r\nContent-Length: ";
    CHECK(http::parse(head + "3\r\n\r\nabc").value->body == "abc");
    CHECK(error_of(head + "4\r\n\r\nabc") == parse_error::truncated_body);
    CHECK(error_of(head + "2\r\n\r\nabc") == parse_error::trailing_data);
    CHECK(error_of(head + "3\r\n\r\nabc\n") == parse_error::trailing_data);  // an editor's newline
    CHECK(error_of(head + "-1\r\n\r\nabc") == parse_error::bad_content_length);
    CHECK(error_of(head + "3x\r\n\r\nabc") == parse_error::bad_content_length);
    CHECK(error_of(head + "\r\n\r\nabc") == parse_error::bad_content_length);
    CHECK(error_of(head + "99999999999999999999\r\n\r\n") == parse_error::bad_content_length);
}

TEST_CASE("a body without Content-Length or chunked coding is an error, no body is fine") {
    CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\n\r\nabc") == parse_error::trailing_data);
    const auto r = http::parse("GET /?a=1 HTTP/1.1\r\nHost: h\r\n\r\n");
    REQUIRE(r);
    CHECK(r.value->body.empty());
}

TEST_CASE("conflicting or unsupported framing is refused (no request smuggling ambiguity)") {
    CHECK(error_of("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na") ==
          parse_error::conflicting_length);
    CHECK(error_of("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n") ==
          parse_error::conflicting_length);
    CHECK(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") ==
          parse_error::unsupported_transfer_coding);
}

TEST_CASE("the request line is checked") {
    CHECK(error_of("POST /\r\n\r\n") == parse_error::bad_request_line);
    CHECK(error_of("POST  / HTTP/1.1\r\n\r\n") == parse_error::bad_request_line);
    CHECK(error_of("POST / HTTP/1.1 extra\r\n\r\n") == parse_error::bad_request_line);
    CHECK(error_of("PO(ST / HTTP/1.1\r\n\r\n") == parse_error::bad_method);
    CHECK(error_of("POST / HTTP/2\r\n\r\n") == parse_error::bad_version);
    CHECK(error_of("POST /\x01 HTTP/1.1\r\n\r\n") == parse_error::bad_target);
    CHECK(error_of("no line end at all") == parse_error::bad_request_line);
    CHECK(error_of("") == parse_error::empty);
}

TEST_CASE("header lines are checked") {
    CHECK(error_of("GET / HTTP/1.1\r\nHost : h\r\n\r\n") == parse_error::bad_header);
    CHECK(error_of("GET / HTTP/1.1\r\nno colon\r\n\r\n") == parse_error::bad_header);
    CHECK(error_of("GET / HTTP/1.1\r\n: empty name\r\n\r\n") == parse_error::bad_header);
    CHECK(error_of("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n") == parse_error::obsolete_line_folding);
    CHECK(error_of("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n") == parse_error::bare_cr);
    CHECK(error_of(std::string("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 26)) == parse_error::bad_header);
    CHECK(error_of("GET / HTTP/1.1\r\nA: b\r\n") == parse_error::no_header_end);
}

TEST_CASE("size caps: input, line length and header count") {
    http::limits lim;
    lim.max_input = 64;
    CHECK(error_of(crlf_request, lim) == parse_error::too_large);

    http::limits lines;
    lines.max_line = 32;
    CHECK(error_of("GET / HTTP/1.1\r\nX: " + std::string(40, 'a') + "\r\n\r\n", lines) == parse_error::line_too_long);
    CHECK(error_of("GET / HTTP/1.1\r\nX: " + std::string(40, 'a'), lines) == parse_error::line_too_long);

    std::string many = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 129; ++i) {
        many += "X-" + std::to_string(i) + ": v\r\n";
    }
    CHECK(error_of(many + "\r\n") == parse_error::too_many_headers);
    // Trailer fields share the cap with the header fields.
    http::limits four;
    four.max_headers = 4;
    const std::string head = "POST / HTTP/1.1\r\nA: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n";
    CHECK(static_cast<bool>(http::parse(head + "B: 2\r\nC: 3\r\n\r\n", four)));
    CHECK(error_of(head + "B: 2\r\nC: 3\r\nD: 4\r\n\r\n", four) == parse_error::too_many_headers);
    CHECK(http::parse(std::string(16 << 20, 'a') + "x").error == parse_error::too_large);
}

TEST_CASE("every error has a description") {
    for (int e = 0; e <= static_cast<int>(parse_error::trailing_data); ++e) {
        CHECK_FALSE(http::describe(static_cast<parse_error>(e)).empty());
        CHECK(http::describe(static_cast<parse_error>(e)) != "unknown error");
    }
}

TEST_CASE("garbage and mutated requests never crash and never give a half request") {
    std::mt19937 rng(20241125);
    const std::string seeds[] = {crlf_request, lf_only(crlf_request),
                                 "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"};
    std::size_t parsed = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string s = seeds[static_cast<std::size_t>(round) % 3];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !s.empty(); ++e) {
            const std::size_t at = rng() % s.size();
            switch (rng() % 4) {
                case 0:
                    s[at] = static_cast<char>(rng() & 0xff);
                    break;
                case 1:
                    s.erase(at, 1 + rng() % 8);
                    break;
                case 2:
                    s.insert(at, 1, "\r\n:; 0\x80"[rng() % 7]);
                    break;
                default:
                    s.resize(at);
                    break;
            }
        }
        const auto r = http::parse(s);
        if (r) {
            ++parsed;
            CHECK_FALSE(r.value->method.empty());
            CHECK(r.value->body.size() <= s.size());
        } else {
            CHECK(r.error != parse_error::none);
            CHECK(r.offset <= s.size() + 1);
        }
    }
    CHECK(parsed > 0);  // some mutations keep the request valid: the loop exercised both paths

    for (int round = 0; round < 2000; ++round) {
        std::string noise(rng() % 512, '\0');
        for (char& c : noise) {
            c = static_cast<char>(rng() & 0xff);
        }
        const auto r = http::parse(noise);
        if (r) {
            CHECK_FALSE(r.value->method.empty());
        } else {
            CHECK(r.error != parse_error::none);
        }
    }
}
