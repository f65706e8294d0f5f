// adapters::beast::verifying_body: Beast's own read loop (http::read) drives the verification,
// and the body's value holds the verdict. A stream over a string hands the request out in small
// pieces, so that the body arrives in several puts and a refusal can stop reading mid-way.
#include <support/catch.hpp>

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/beast.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace {

namespace kw = kore::webhook;
namespace http = boost::beast::http;
using kore::webhook::adapters::beast::verifying_body;

const std::string secret = "secret";
const std::string url = "https://hooks.example.com/kore";
const std::string body = "SimSid=HS01&Status=active";

// A SyncReadStream over a fixed text, at most `piece` bytes a read; the end of the text is the
// end of the connection.
class text_stream {
public:
    text_stream(std::string text, std::size_t piece) : text_(std::move(text)), piece_(piece) {}

    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers, boost::beast::error_code& ec) {
        if (at_ == text_.size()) {
            ec = boost::asio::error::eof;
            return 0;
        }
        const std::size_t n = boost::asio::buffer_copy(
            buffers, boost::asio::buffer(text_.data() + at_, std::min(piece_, text_.size() - at_)));
        at_ += n;
        ec = {};
        return n;
    }
    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers) {
        boost::beast::error_code ec;
        const std::size_t n = read_some(buffers, ec);
        if (ec) {
            throw boost::system::system_error(ec);
        }
        return n;
    }

    [[nodiscard]] std::size_t unread() const { return text_.size() - at_; }

private:
    std::string text_;
    std::size_t piece_;
    std::size_t at_ = 0;
};

struct outcome {
    kw::result verdict;
    boost::beast::error_code read_error;
    std::string kept;
    std::size_t unread;
    bool done;  // the parser read the request to its end: the connection may be kept
};

outcome read_request(const std::string& request, const kw::verifier& v, std::size_t piece = 7) {
    text_stream stream(request, piece);
    boost::beast::flat_buffer buffer;
    http::request_parser<verifying_body> parser;
    kore::webhook::adapters::beast::prepare(parser);
    parser.get().body().prepare(v, url);
    boost::beast::error_code ec;
    http::read(stream, buffer, parser, ec);
    kw::result verdict = parser.get().body().verdict(ec);
    return {verdict, ec, parser.get().body().take_body(), stream.unread(), parser.is_done()};
}

std::string post(std::string_view target, std::string_view payload, std::string_view extra_headers = "") {
    return "POST " + std::string(target) +
           " HTTP/1.1\r\nHost: hooks.example.com\r\nkore-signature: " + kw::sign(secret, "POST", url, payload) +
           "\r\nContent-Length: " + std::to_string(payload.size()) + "\r\n" + std::string(extra_headers) + "\r\n" +
           std::string(payload);
}

// A parser that has read the header of `request` (from 7-byte pieces), its body prepared: what a
// server has once it routed on the header.
struct after_header {
    after_header(const std::string& request, const kw::verifier& v) : stream(request, 7) {
        kore::webhook::adapters::beast::prepare(parser);
        http::read_header(stream, buffer, parser, ec);
        REQUIRE_FALSE(ec);
        parser.get().body().prepare(v, url);
    }
    text_stream stream;
    boost::beast::flat_buffer buffer;
    http::request_parser<verifying_body> parser;
    boost::beast::error_code ec;
};

}  // namespace

TEST_CASE("Beast's read loop verifies a genuine callback through verifying_body and keeps its body") {
    const kw::verifier v{secret};
    const auto r = read_request(post("/kore", body), v);
    CHECK_FALSE(r.read_error);
    CHECK(r.verdict.verified());
    CHECK(r.kept == body);
}

TEST_CASE("a chunked genuine callback is verified as Beast decodes it") {
    const kw::verifier v{secret};
    const std::string request =
        "POST /kore HTTP/1.1\r\nHost: h\r\nkore-signature: " + kw::sign(secret, "POST", url, body) +
        "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nSimSi\r\n14\r\nd=HS01&Status=active\r\n0\r\n\r\n";
    const auto r = read_request(request, v, 3);
    CHECK(r.verdict.verified());
    CHECK(r.kept == body);
}

TEST_CASE("an added query stops the read before the body, with the verdict saying why") {
    const kw::verifier v{secret};
    const auto r = read_request(post("/kore?Status=deleted", body), v);
    CHECK(r.read_error == kore::webhook::adapters::beast::verification_stopped());
    CHECK(r.verdict.error() == kw::errc::query_not_signed);
    CHECK(r.kept.empty());
    CHECK(r.unread > 0);  // the body was left on the connection
    CHECK_FALSE(r.done);  // so the answer must close it
}

TEST_CASE("a body over max_body_size stops the read at the limit") {
    kw::options small;
    small.max_body_size = 10;
    const kw::verifier v{secret, small};
    const std::string request =
        "POST /kore HTTP/1.1\r\nHost: h\r\nkore-signature: " + kw::sign(secret, "POST", url, body) +
        "\r\nTransfer-Encoding: chunked\r\n\r\n19\r\n" + body + "\r\n0\r\n\r\n";
    const auto r = read_request(request, v);
    CHECK(r.read_error == kore::webhook::adapters::beast::verification_stopped());
    CHECK(r.verdict.error() == kw::errc::body_too_large);
}

TEST_CASE("a repeated kore-signature field is refused before the body") {
    const kw::verifier v{secret};
    const auto r =
        read_request(post("/kore", body, "KORE-Signature: " + kw::sign(secret, "POST", url, body) + "\r\n"), v);
    CHECK(r.verdict.error() == kw::errc::duplicate_signature);
}

TEST_CASE("a connection that ends inside the body is body_incomplete, not a verdict on part of it") {
    const kw::verifier v{secret};
    std::string request = post("/kore", body);
    request.resize(request.size() - 4);
    const auto r = read_request(request, v);
    CHECK(r.read_error);
    CHECK(r.verdict.error() == kw::adapter_errc::body_incomplete);
}

TEST_CASE("a tampered body is refused once Beast has read all of it") {
    const kw::verifier v{secret};
    std::string request = post("/kore", body);
    request.back() = 'X';
    const auto r = read_request(request, v);
    CHECK_FALSE(r.read_error);
    CHECK(r.verdict.error() == kw::errc::signature_mismatch);
    CHECK(r.done);  // read to its end: the connection may be kept
}

TEST_CASE("a request without a body is judged though Beast never starts a body on it") {
    const kw::verifier v{secret};
    const auto r = read_request(post("/kore", ""), v);
    CHECK_FALSE(r.read_error);
    CHECK(r.verdict.verified());
    CHECK(r.kept.empty());

    const auto unsigned_request = read_request("POST /kore HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", v);
    CHECK_FALSE(unsigned_request.read_error);
    CHECK(unsigned_request.verdict.error() == kw::errc::missing_signature);
}

TEST_CASE("the body may be prepared after read_header, once the server has routed on the header") {
    const kw::verifier v{secret};
    for (const std::string& payload : {body, std::string()}) {
        INFO(payload.size() << " bytes");
        after_header r(post("/kore", payload), v);
        http::read(r.stream, r.buffer, r.parser, r.ec);
        CHECK_FALSE(r.ec);
        CHECK(r.parser.is_done());
        CHECK(r.parser.get().body().verdict(r.ec).verified());
        CHECK(r.parser.get().body().body() == payload);
    }
}

TEST_CASE("a read that ends before the header is body_incomplete, and one never prepared invalid_url") {
    const kw::verifier v{secret};
    const auto cut = read_request("POST /kore HTTP/1.1\r\nHost: h\r\n", v);
    CHECK(cut.read_error);
    CHECK(cut.verdict.error() == kw::adapter_errc::body_incomplete);

    text_stream stream(post("/kore", body), 7);
    boost::beast::flat_buffer buffer;
    http::request_parser<verifying_body> parser;
    boost::beast::error_code ec;
    http::read(stream, buffer, parser, ec);
    CHECK(ec == kore::webhook::adapters::beast::verification_stopped());
    CHECK(parser.get().body().verdict(ec).error() == kw::errc::invalid_url);
}

TEST_CASE("judge_header refuses a declared size over the limit after read_header, before any body byte") {
    kw::options o;
    o.max_body_size = 64;
    const kw::verifier v{secret, o};
    // Only the header is sent: a server waiting for the body would wait until its deadline.
    std::string request = post("/kore", std::string(65, 'x'));
    request.resize(request.find("\r\n\r\n") + 4);
    after_header r(request, v);
    CHECK_FALSE(kore::webhook::adapters::beast::judge_header(r.parser));
    CHECK(r.parser.get().body().verdict({}).error() == kw::errc::body_too_large);
    CHECK_FALSE(r.parser.is_done());  // the answer closes the connection
}

TEST_CASE("judge_header passes a sound header, and the read that follows verifies the body once") {
    const kw::verifier v{secret};
    after_header r(post("/kore", body), v);
    CHECK(kore::webhook::adapters::beast::judge_header(r.parser));
    http::read(r.stream, r.buffer, r.parser, r.ec);
    CHECK_FALSE(r.ec);
    CHECK(r.parser.get().body().verdict(r.ec).verified());
    CHECK(r.parser.get().body().body() == body);
}
