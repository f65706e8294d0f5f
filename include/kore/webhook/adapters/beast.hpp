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
//
// An asynchronous server reads the body with async_read_verified(), which completes with
// (error_code, verified_body): the same verdict and kept body as read_verified(), the error code
// being the stream's when it ended the body (the verdict is then body_incomplete). Its reads are
// the stream's own async reads, so a beast::tcp_stream's expires_after() bounds the body phase:
//
//   kore::webhook::adapters::beast::async_read_verified(v, registered_url, stream, buffer, parser,
//       [](boost::beast::error_code ec, kore::webhook::adapters::verified_body r) { ... });

#include <kore/webhook/adapters/body.hpp>
#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/request.hpp>
#include <kore/webhook/detail/body_intake.hpp>
#include <kore/webhook/verifier.hpp>

#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/optional.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kore::webhook::adapters::beast {

namespace detail {

inline std::string_view view(boost::beast::string_view s) noexcept {
    return {s.data(), s.size()};
}

// The parser's Content-Length as a std::optional. Made engaged, then reset when there is none, so
// that its storage is never uninitialised: GCC 12 otherwise warns, wrongly, that copying an empty
// optional reads its value.
inline std::optional<std::uint64_t> declared_length(const boost::optional<std::uint64_t>& length) noexcept {
    std::optional<std::uint64_t> declared(std::in_place, length.value_or(0));
    if (!length) {
        declared.reset();
    }
    return declared;
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
    const std::optional<std::uint64_t> declared = declared_length(parser.content_length());
    if (const auto ec =
            check_before_body(method, registered_url, view(req.target()), signature, declared, v.get_options())) {
        return result::refused(ec);
    }
    auto body = v.start(method, registered_url);
    kore::webhook::detail::body_intake<Sink> intake(body, kept, sink);
    intake.expect(declared, v.get_options().max_body_size);
    kore::webhook::detail::body_piece piece;  // NOLINT(cppcoreguidelines-pro-type-member-init): see body_piece
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

namespace detail {

// What one async_read_verified() works on. It lives on the heap: the operation moves from handler
// to handler, and the intake holds references to the verification stream and the kept body.
struct async_body_state {
    async_body_state(const verifier& v, std::string_view method, std::string_view registered_url)
        : verification(v.start(method, registered_url)), intake(verification, &body, sink) {}

    // Where the parser puts each piece of the body: as long as the declared length when that is
    // shorter than body_piece_size, else body_piece_size. A 16 KiB piece inside this state made
    // every callback a large allocation, for which glibc first consolidates its free lists, and
    // zeroed it: 0.4 of the 2.3 µs of server CPU a genuine callback cost the Beast example beyond
    // its unverified control route (7.65 -> 7.26 µs a request). Sized to a small callback, the
    // state and its piece are two small allocations.
    void make_piece(std::optional<std::uint64_t> declared) {
        using kore::webhook::detail::body_piece_size;
        piece_size = declared && *declared < body_piece_size ? std::max<std::size_t>(*declared, 1) : body_piece_size;
        piece.reset(new char[piece_size]);  // NOLINT(cppcoreguidelines-owning-memory): not zeroed, written first
    }

    kore::webhook::stream verification;
    std::string body;
    kore::webhook::detail::no_sink sink;
    kore::webhook::detail::body_intake<kore::webhook::detail::no_sink> intake;
    signature_lookup signature;
    std::unique_ptr<char[]> piece;  // NOLINT(cppcoreguidelines-avoid-c-arrays, modernize-avoid-c-arrays)
    std::size_t piece_size = 0;
};

// The composed operation behind async_read_verified(): checks the header, then reads the body a
// piece at a time into the intake, as read_body() does with blocking reads.
template <class AsyncReadStream, class DynamicBuffer, class Allocator>
class async_read_verified_op {
public:
    using parser_type = boost::beast::http::request_parser<boost::beast::http::buffer_body, Allocator>;

    async_read_verified_op(const verifier& v, std::string_view registered_url, AsyncReadStream& stream,
                           DynamicBuffer& buffer, parser_type& parser)
        : verifier_(&v), registered_url_(registered_url), stream_(&stream), buffer_(&buffer), parser_(&parser) {}

    template <class Self>
    void operator()(Self& self, boost::beast::error_code ec = {}, std::size_t /*bytes*/ = 0) {
        namespace http = boost::beast::http;
        auto& req = parser_->get();
        if (step_ == step::check_header) {
            const std::string_view method = view(req.method_string());
            state_ = std::make_unique<async_body_state>(*verifier_, method, registered_url_);
            state_->signature = find_signature(req.base());
            declared_ = declared_length(parser_->content_length());
            if (const auto refused = check_before_body(method, registered_url_, view(req.target()), state_->signature,
                                                       declared_, verifier_->get_options())) {
                early_ = refused;
                return finish_later(self);
            }
            state_->intake.expect(declared_, verifier_->get_options().max_body_size);
            state_->make_piece(declared_);
            step_ = step::read_body;
        } else if (step_ == step::read_piece) {
            if (ec == http::error::need_buffer) {
                ec = {};  // the piece is full: not an error
            }
            if (ec) {
                // Whatever ended the stream (a timeout, a reset, the end of the connection), the
                // body was not read to its end.
                self.complete(ec, verified_body{result::refused(make_error_code(adapter_errc::body_incomplete)),
                                                std::move(state_->body)});
                return;
            }
            state_->intake.take(std::string_view(state_->piece.get(), state_->piece_size - req.body().size));
            step_ = step::read_body;
        } else if (step_ == step::complete) {
            return complete(self);
        }
        // The parser knows where the body ends (Content-Length or the last chunk): reading ends
        // there, or at the first error, never at a connection that merely closed.
        if (!state_->intake.error() && !parser_->is_done()) {
            req.body().data = state_->piece.get();
            req.body().size = state_->piece_size;
            step_ = step::read_piece;
            started_reading_ = true;
            http::async_read(*stream_, *buffer_, *parser_, std::move(self));
            return;
        }
        if (!started_reading_) {
            return finish_later(self);  // nothing was read: never complete inside the initiating call
        }
        complete(self);
    }

private:
    enum class step { check_header, read_body, read_piece, complete };

    template <class Self>
    void finish_later(Self& self) {
        step_ = step::complete;
        boost::asio::post(stream_->get_executor(), std::move(self));
    }

    template <class Self>
    void complete(Self& self) {
        if (early_) {
            self.complete(boost::beast::error_code{}, verified_body{result::refused(early_), {}});
            return;
        }
        result verdict = state_->intake.finish(state_->signature.header());
        self.complete(boost::beast::error_code{}, verified_body{verdict, std::move(state_->body)});
    }

    const verifier* verifier_;
    std::string_view registered_url_;
    AsyncReadStream* stream_;
    DynamicBuffer* buffer_;
    parser_type* parser_;
    std::unique_ptr<async_body_state> state_;
    std::optional<std::uint64_t> declared_;
    std::error_code early_;  // refused on the header alone
    step step_ = step::check_header;
    bool started_reading_ = false;
};

}  // namespace detail

// Reads and judges the body of a request whose header `parser` has read (async_read_header),
// asynchronously; completes with (boost::beast::error_code, verified_body) as read_verified()
// returns: the verdict and the kept body. The error code is the stream's when a read failed (a
// timeout, a reset, the end of the connection); the verdict is then body_incomplete. The
// verifier, `registered_url`'s characters, `stream`, `buffer` and `parser` must outlive the
// operation; `stream` and `buffer` are the ones the header was read with. The handler is never
// called from within this call.
template <class AsyncReadStream, class DynamicBuffer, class Allocator, class CompletionToken>
auto async_read_verified(const verifier& v, std::string_view registered_url, AsyncReadStream& stream,
                         DynamicBuffer& buffer,
                         boost::beast::http::request_parser<boost::beast::http::buffer_body, Allocator>& parser,
                         CompletionToken&& token) {
    return boost::asio::async_compose<CompletionToken, void(boost::beast::error_code, verified_body)>(
        detail::async_read_verified_op<AsyncReadStream, DynamicBuffer, Allocator>(v, registered_url, stream, buffer,
                                                                                  parser),
        token, stream);
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
