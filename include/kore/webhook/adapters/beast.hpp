#ifndef KORE_WEBHOOK_ADAPTERS_BEAST_HPP
#define KORE_WEBHOOK_ADAPTERS_BEAST_HPP

// Boost.Beast adapter. The Body type lets Beast's own read loop verify the body as it is read:
//
//   http::request_parser<kore::webhook::adapters::beast::verifying_body> parser;
//   kore::webhook::adapters::beast::prepare(parser);             // lifts Beast's 1 MB body limit
//   parser.get().body().prepare(v, registered_url);              // before the header is read
//   http::read(stream, buffer, parser, ec);                      // or http::async_read
//   const kore::webhook::result r = parser.get().body().verdict(ec);
//   if (r) process(parser.get().body().body());
//
// With a buffer_body parser whose header was read: read_verified(v, url, stream, buffer, parser),
// verify(...[, sink]) and async_read_verified(...) do the same; a request read whole
// (string_body) has verify(v, url, req). When the verdict comes with !parser.is_done(), the body
// is still on the connection: answer with Connection: close.

#include <kore/webhook/adapters/body.hpp>
#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/adapters/detail/read.hpp>
#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/request.hpp>
#include <kore/webhook/body_verification.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/verifier.hpp>

#include <boost/asio/buffer.hpp>
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
#include <boost/system/error_code.hpp>

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

// The header walk: method, target and every kore-signature field; the declared length is the
// parser's (Transfer-Encoding wins over Content-Length there).
template <class Fields>
request_head head_of(const boost::beast::http::request_header<Fields>& req,
                     std::optional<std::uint64_t> declared) noexcept {
    request_head head(view(req.method_string()), view(req.target()));
    for (const auto& field : req) {
        head.offer_header(view(field.name_string()), view(field.value()));
    }
    if (declared) {
        head.set_content_length(*declared);
    }
    return head;
}

}  // namespace detail

namespace detail {

class stopped_category final : public boost::system::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "kore.webhook.beast"; }
    [[nodiscard]] std::string message(int /*ev*/) const override {
        return "the callback was refused before its body was read to its end (the body's verdict says why)";
    }
};

}  // namespace detail

// The error with which verifying_body stops a read it has refused.
inline boost::beast::error_code verification_stopped() noexcept {
    static const detail::stopped_category category;
    return {1, category};
}

// Beast's request parser refuses bodies over 1 MB on its own by default, with an error instead
// of a verdict. Lift that limit before the header is read; the verifier enforces
// options::max_body_size itself. (Not with boost::none: Boost 1.74 compares the declared length
// against the optional itself, and every Content-Length then exceeds a disengaged limit.)
template <class Body, class Allocator>
void prepare(boost::beast::http::request_parser<Body, Allocator>& parser) {
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
}

namespace detail {

// Beast's blocking reads, driving one body_verification.
template <class SyncReadStream, class DynamicBuffer, class Allocator, class Sink>
verified_body read_body(const verifier& v, std::string_view registered_url, SyncReadStream& stream,
                        DynamicBuffer& buffer,
                        boost::beast::http::request_parser<boost::beast::http::buffer_body, Allocator>& parser,
                        keep_body keep, Sink& sink) {
    namespace http = boost::beast::http;
    auto& req = parser.get();
    body_verification check(v, registered_url, head_of(req.base(), declared_length(parser.content_length())), keep);
    adapters::detail::body_piece piece;  // NOLINT(cppcoreguidelines-pro-type-member-init): see body_piece
    // The parser knows where the body ends (Content-Length or the last chunk): the loop ends
    // there, or at the first error, never at a connection that merely closed.
    while (!check.error() && !parser.is_done()) {
        req.body().data = piece.data();
        req.body().size = piece.size();
        boost::beast::error_code ec;
        http::read(stream, buffer, parser, ec);
        if (ec == http::error::need_buffer) {
            ec = {};
        }
        if (ec) {
            check.fail(make_error_code(adapter_errc::body_incomplete));
            break;
        }
        check.put(std::string_view(piece.data(), piece.size() - req.body().size), sink);
    }
    result verdict = check.finish();
    return {verdict, check.take_body()};
}

}  // namespace detail

// Reads and judges the body of a request whose header `parser` has read (read_header). `stream`
// and `buffer` are the ones the header was read with. `registered_url` is the callback URL as
// registered with KORE, never rebuilt from the request. No copy of the body is kept.
template <class SyncReadStream, class DynamicBuffer, class Allocator>
result verify(const verifier& v, std::string_view registered_url, SyncReadStream& stream, DynamicBuffer& buffer,
              boost::beast::http::request_parser<boost::beast::http::buffer_body, Allocator>& parser) {
    adapters::detail::no_sink none;
    return detail::read_body(v, registered_url, stream, buffer, parser, keep_body::no, none).verdict;
}

// The same, handing each piece of the body to `sink` (callable with std::string_view) as it is
// read, in order, at most options::max_body_size bytes in all. Untrusted until the verdict.
template <class SyncReadStream, class DynamicBuffer, class Allocator, class Sink>
result verify(const verifier& v, std::string_view registered_url, SyncReadStream& stream, DynamicBuffer& buffer,
              boost::beast::http::request_parser<boost::beast::http::buffer_body, Allocator>& parser, Sink&& sink) {
    return detail::read_body(v, registered_url, stream, buffer, parser, keep_body::no, sink).verdict;
}

// The same, keeping the body: the verdict with the raw bytes it was reached on.
template <class SyncReadStream, class DynamicBuffer, class Allocator>
verified_body read_verified(const verifier& v, std::string_view registered_url, SyncReadStream& stream,
                            DynamicBuffer& buffer,
                            boost::beast::http::request_parser<boost::beast::http::buffer_body, Allocator>& parser) {
    adapters::detail::no_sink none;
    return detail::read_body(v, registered_url, stream, buffer, parser, keep_body::yes, none);
}

namespace detail {

// What one async_read_verified() works on. It lives on the heap: the operation moves from handler
// to handler, and the verification must stay where it is.
struct async_body_state {
    explicit async_body_state(body_verification verification) : check(std::move(verification)) {}

    // Where the parser puts each piece of the body: as long as a shorter declared length, else
    // body_piece_size, so that a small callback is two small allocations (docs/performance.md).
    void make_piece(std::optional<std::uint64_t> declared) {
        using adapters::detail::body_piece_size;
        piece_size = declared && *declared < body_piece_size ? std::max<std::size_t>(*declared, 1) : body_piece_size;
        piece.reset(new char[piece_size]);  // NOLINT(cppcoreguidelines-owning-memory): not zeroed, written first
    }

    body_verification check;
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
            const auto declared = declared_length(parser_->content_length());
            state_ = std::make_unique<async_body_state>(
                body_verification(*verifier_, registered_url_, head_of(req.base(), declared), keep_body::yes));
            if (state_->check.error()) {
                return finish_later(self);
            }
            state_->make_piece(declared);
            step_ = step::read_body;
        } else if (step_ == step::read_piece) {
            if (ec == http::error::need_buffer) {
                ec = {};  // the piece is full: not an error
            }
            if (ec) {
                // Whatever ended the stream (a timeout, a reset, the end of the connection), the
                // body was not read to its end.
                state_->check.fail(make_error_code(adapter_errc::body_incomplete));
                self.complete(ec, verified_body{state_->check.finish(), state_->check.take_body()});
                return;
            }
            state_->check.put(std::string_view(state_->piece.get(), state_->piece_size - req.body().size));
            step_ = step::read_body;
        } else if (step_ == step::complete) {
            return complete(self);
        }
        // The parser knows where the body ends (Content-Length or the last chunk): reading ends
        // there, or at the first error, never at a connection that merely closed.
        if (!state_->check.error() && !parser_->is_done()) {
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
        result verdict = state_->check.finish();
        self.complete(boost::beast::error_code{}, verified_body{verdict, state_->check.take_body()});
    }

    const verifier* verifier_;
    std::string_view registered_url_;
    AsyncReadStream* stream_;
    DynamicBuffer* buffer_;
    parser_type* parser_;
    std::unique_ptr<async_body_state> state_;
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

// A Beast Body whose reader verifies the body as Beast's own read loop delivers it: http::read()
// and http::async_read() do the looping, the body's value keeps the verdict (and the body).
//
//   http::request_parser<kore::webhook::adapters::beast::verifying_body> parser;
//   kore::webhook::adapters::beast::prepare(parser);
//   parser.get().body().prepare(v, registered_url);        // before the header is read
//   http::async_read(stream, buffer, parser, [&](boost::beast::error_code ec, std::size_t) {
//       const kore::webhook::result r = parser.get().body().verdict(ec);
//   });
//
// A refusal decided before the body's end stops the read with verification_stopped(); the
// verdict says why. Any other read error makes the verdict body_incomplete.
struct verifying_body {
    class reader;

    class value_type {
    public:
        // What the reader verifies against; the verifier and the URL's characters must outlive the
        // read. keep_body::yes (the default) keeps the body for body() and take_body().
        void prepare(const verifier& v, std::string_view registered_url, keep_body keep = keep_body::yes) noexcept {
            verifier_ = &v;
            registered_url_ = registered_url;
            keep_ = keep;
            check_.reset();
        }

        // The verdict once the read completed with `read_error` (the error code http::read() or
        // http::async_read() gave). Call it once.
        [[nodiscard]] result verdict(boost::beast::error_code read_error) noexcept {
            if (verifier_ == nullptr) {
                return result::refused(make_error_code(errc::invalid_url));  // prepare() was not called
            }
            if (!check_) {
                return result::refused(make_error_code(adapter_errc::body_incomplete));  // no header was read
            }
            if (read_error && !check_->error()) {
                check_->fail(make_error_code(adapter_errc::body_incomplete));
            }
            return check_->finish();
        }

        [[nodiscard]] const std::string& body() const noexcept { return check_ ? check_->body() : empty_; }
        [[nodiscard]] std::string take_body() noexcept { return check_ ? check_->take_body() : std::string(); }

    private:
        friend class reader;

        const verifier* verifier_ = nullptr;
        std::string_view registered_url_;
        keep_body keep_ = keep_body::yes;
        std::optional<body_verification> check_;
        std::string empty_;
    };

    class reader {
    public:
        // Beast builds the reader with its parser, before the header is read: the head is taken
        // from the header in init(), once it is complete.
        template <bool IsRequest, class Fields>
        reader(boost::beast::http::header<IsRequest, Fields>& header, value_type& body)
            : header_(&header), head_of_(&head_from<Fields>), body_(body) {
            static_assert(IsRequest, "verifying_body reads requests: KORE's callbacks");
        }

        void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) {
            if (body_.verifier_ == nullptr) {
                ec = verification_stopped();  // prepare() was not called: nothing to verify against
                return;
            }
            body_.check_.emplace(*body_.verifier_, body_.registered_url_,
                                 head_of_(header_, detail::declared_length(length)), body_.keep_);
            if (body_.check_->error()) {
                ec = verification_stopped();
            }
        }

        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
            std::size_t taken = 0;
            for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
                 ++it) {
                const boost::asio::const_buffer piece = *it;
                taken += piece.size();
                if (!body_.check_->put(std::string_view(static_cast<const char*>(piece.data()), piece.size()))) {
                    ec = verification_stopped();
                    break;
                }
            }
            return taken;
        }

        void finish(boost::beast::error_code& ec) { ec = {}; }

    private:
        template <class Fields>
        static request_head head_from(const void* header, std::optional<std::uint64_t> declared) noexcept {
            return detail::head_of(*static_cast<const boost::beast::http::request_header<Fields>*>(header), declared);
        }

        const void* header_;
        request_head (*head_of_)(const void*, std::optional<std::uint64_t>) noexcept;
        value_type& body_;
    };
};

// A request Beast has already read whole.
template <class Fields>
result verify(const verifier& v, std::string_view registered_url,
              const boost::beast::http::request<boost::beast::http::string_body, Fields>& req) {
    return v.verify(detail::head_of(req.base(), std::nullopt), registered_url, req.body());
}

// The same, with req.body() as the body the verdict was reached on.
template <class Fields>
verified_view read_verified(const verifier& v, std::string_view registered_url,
                            const boost::beast::http::request<boost::beast::http::string_body, Fields>& req) {
    return verified_view{verify(v, registered_url, req), req.body()};
}

}  // namespace kore::webhook::adapters::beast

#endif
