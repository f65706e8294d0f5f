#ifndef KORE_WEBHOOK_ADAPTERS_BEAST_HPP
#define KORE_WEBHOOK_ADAPTERS_BEAST_HPP

// Boost.Beast adapter: judges a callback read with Beast's own parser, hashing the body as it
// is read.
//
//   http::request_parser<http::buffer_body> parser;
//   kore::webhook::adapters::beast::prepare(parser);          // before the header is read
//   http::read_header(socket, buffer, parser);
//   const auto r = kore::webhook::adapters::beast::read_verified(v, registered_url, socket, buffer, parser);
//   res.result(kore::webhook::adapters::http_status(r.verdict));
//   if (r.verdict) process(r.body);
//
// The body is read here, in pieces, and reading stops as soon as it passes
// options::max_body_size; a declared Content-Length over the limit is refused without reading
// the body. verify(...) keeps no copy of the body; read_verified(...) keeps one (returned with
// the verdict); verify(..., sink) hands each piece to `sink` as it is read. Nothing may be acted
// on before the verdict (adapters/body.hpp). When the verdict comes back with
// `!parser.is_done()`, the rest of the body is still on the connection: answer with
// `Connection: close` and close it.
//
// A request whose query is not exactly the registered URL's is refused (errc::query_not_signed;
// adapters/query.hpp): query parameters are not authenticated.
//
// For a request already read whole (http::request<http::string_body>), use the overloads that
// take it.

#include <kore/webhook/adapters/body.hpp>
#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/request.hpp>
#include <kore/webhook/detail/body_intake.hpp>
#include <kore/webhook/verifier.hpp>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/optional.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kore::webhook::adapters::beast {

namespace detail {

inline std::string_view view(boost::beast::string_view s) noexcept {
    return {s.data(), s.size()};
}

template <class Fields>
signature_lookup find_signature(const Fields& fields) {
    signature_lookup signature;
    for (const auto& field : fields) {
        signature.offer(view(field.name_string()), view(field.value()));
    }
    return signature;
}

}  // namespace detail

// Beast's request parser refuses bodies over 1 MB on its own by default, with an error instead
// of a verdict. Lift that limit before the header is read; the verifier enforces
// options::max_body_size itself. (Not with boost::none: Boost 1.74 compares the declared length
// against the optional itself, and every Content-Length then exceeds a disengaged limit.)
template <class Body, class Allocator>
void prepare(boost::beast::http::request_parser<Body, Allocator>& parser) {
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
}

namespace detail {

template <class SyncReadStream, class DynamicBuffer, class Allocator, class Sink>
result read_body(const verifier& v, std::string_view registered_url, SyncReadStream& stream, DynamicBuffer& buffer,
                 boost::beast::http::request_parser<boost::beast::http::buffer_body, Allocator>& parser,
                 std::string* kept, Sink& sink) {
    namespace http = boost::beast::http;
    auto& req = parser.get();
    const signature_lookup signature = find_signature(req.base());
    const std::string_view method = view(req.method_string());
    const auto length = parser.content_length();
    const std::optional<std::uint64_t> declared =
        length ? std::optional<std::uint64_t>(*length) : std::optional<std::uint64_t>();
    if (const auto ec =
            check_before_body(method, registered_url, view(req.target()), signature, declared, v.get_options())) {
        return result::refused(ec);
    }
    auto body = v.start(method, registered_url);
    kore::webhook::detail::body_intake<Sink> intake(body, kept, sink);
    intake.expect(declared, v.get_options().max_body_size);
    std::array<char, 16384> piece{};
    // The parser knows where the body ends (Content-Length or the last chunk): the loop ends
    // there, or at the first error, never at a connection that merely closed.
    while (!intake.error() && !parser.is_done()) {
        req.body().data = piece.data();
        req.body().size = piece.size();
        boost::beast::error_code ec;
        http::read(stream, buffer, parser, ec);
        if (ec == http::error::need_buffer) {
            ec = {};
        }
        if (ec) {
            return result::refused(make_error_code(adapter_errc::body_incomplete));
        }
        intake.take(std::string_view(piece.data(), piece.size() - req.body().size));
    }
    return intake.finish(signature.header());
}

}  // namespace detail

// Reads and judges the body of a request whose header `parser` has read (read_header). `stream`
// and `buffer` are the ones the header was read with. `registered_url` is the callback URL as
// registered with KORE, never rebuilt from the request. No copy of the body is kept.
template <class SyncReadStream, class DynamicBuffer, class Allocator>
result verify(const verifier& v, std::string_view registered_url, SyncReadStream& stream, DynamicBuffer& buffer,
              boost::beast::http::request_parser<boost::beast::http::buffer_body, Allocator>& parser) {
    kore::webhook::detail::no_sink none;
    return detail::read_body(v, registered_url, stream, buffer, parser, nullptr, none);
}

// The same, handing each piece of the body to `sink` (callable with std::string_view) as it is
// read, in order, at most options::max_body_size bytes in all. Untrusted until the verdict.
template <class SyncReadStream, class DynamicBuffer, class Allocator, class Sink>
result verify(const verifier& v, std::string_view registered_url, SyncReadStream& stream, DynamicBuffer& buffer,
              boost::beast::http::request_parser<boost::beast::http::buffer_body, Allocator>& parser, Sink&& sink) {
    return detail::read_body(v, registered_url, stream, buffer, parser, nullptr, sink);
}

// The same, keeping the body: the verdict with the raw bytes it was reached on.
template <class SyncReadStream, class DynamicBuffer, class Allocator>
verified_body read_verified(const verifier& v, std::string_view registered_url, SyncReadStream& stream,
                            DynamicBuffer& buffer,
                            boost::beast::http::request_parser<boost::beast::http::buffer_body, Allocator>& parser) {
    std::string body;
    kore::webhook::detail::no_sink none;
    result verdict = detail::read_body(v, registered_url, stream, buffer, parser, &body, none);
    return verified_body{verdict, std::move(body)};
}

// A request Beast has already read whole.
template <class Fields>
result verify(const verifier& v, std::string_view registered_url,
              const boost::beast::http::request<boost::beast::http::string_body, Fields>& req) {
    const signature_lookup signature = detail::find_signature(req.base());
    const std::string_view method = detail::view(req.method_string());
    if (const auto ec = check_before_body(method, registered_url, detail::view(req.target()), signature, std::nullopt,
                                          v.get_options())) {
        return result::refused(ec);
    }
    return v.verify(method, registered_url, req.body(), signature.header());
}

// The same, with req.body() as the body the verdict was reached on.
template <class Fields>
verified_view read_verified(const verifier& v, std::string_view registered_url,
                            const boost::beast::http::request<boost::beast::http::string_body, Fields>& req) {
    return verified_view{verify(v, registered_url, req), req.body()};
}

}  // namespace kore::webhook::adapters::beast

#endif
