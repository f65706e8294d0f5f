#ifndef KORE_WEBHOOK_ADAPTERS_BEAST_HPP
#define KORE_WEBHOOK_ADAPTERS_BEAST_HPP

// Boost.Beast adapter. verifying_body is a Beast Body whose reader verifies the body as Beast's
// own read loop (http::read, http::async_read) delivers it:
//
//   http::request_parser<kore::webhook::adapters::beast::verifying_body> parser;
//   kore::webhook::adapters::beast::prepare(parser);         // lifts Beast's 1 MB body limit
//   http::read_header(stream, buffer, parser, ec);           // optional: route on the header first
//   parser.get().body().prepare(v, registered_url);          // before the body is read
//   if (judge_header(parser))                                // after read_header: refuse at once
//       http::read(stream, buffer, parser, ec);              // or http::async_read
//   const kore::webhook::result r = parser.get().body().verdict(ec);
//   if (r) process(parser.get().body().body());
//
// A refusal stops the read with verification_stopped(). When the verdict comes with
// !parser.is_done(), the rest of the body is still on the connection: answer with
// Connection: close. A request read whole (string_body) has verify(v, url, req).

#include <kore/webhook/adapters/body.hpp>
#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/request.hpp>
#include <kore/webhook/adapters/route.hpp>
#include <kore/webhook/body_verification.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/verifier.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/optional.hpp>
#include <boost/system/error_code.hpp>

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

// A Beast Body whose reader verifies the body as Beast's own read loop delivers it: http::read()
// and http::async_read() do the looping, the body's value keeps the verdict (and the body). The
// header is judged when the read reaches the body (or its end, for a request without one); a
// refusal decided before the body's end stops the read with verification_stopped(), leaving the
// rest on the connection (parser.is_done() is false), and the verdict says why. Any other read
// error (a timeout, a reset, the end of the connection) makes the verdict body_incomplete. The
// completion of http::async_read is never called from within the initiating call.
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
        void prepare(const verifier& v, const char* registered_url, keep_body keep = keep_body::yes) noexcept {
            prepare(v, std::string_view(registered_url), keep);
        }
        // A temporary string would be gone before the read: keep the URL where it outlives it.
        void prepare(const verifier& v, std::string&& registered_url, keep_body keep = keep_body::yes) = delete;

        // The verdict once the read completed with `read_error` (the error code http::read() or
        // http::async_read() gave), while the parser still holds the message. Call it once.
        [[nodiscard]] result verdict(boost::beast::error_code read_error) noexcept {
            if (verifier_ == nullptr) {
                return result::refused(make_error_code(errc::invalid_url));  // prepare() was not called
            }
            if (!check_ && ended_ && !read_error) {
                start(std::nullopt);  // a request without a body: Beast never reached a body to start on
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
        using head_function = request_head (*)(const void*, std::optional<std::uint64_t>) noexcept;

        // Judges the header (read by now) once; false when that alone refuses the request.
        bool start(std::optional<std::uint64_t> declared) noexcept {
            if (!check_) {
                check_.emplace(*verifier_, registered_url_, head_of_(header_, declared), keep_);
            }
            return !check_->error();
        }
        template <class Allocator>
        friend bool judge_header(boost::beast::http::request_parser<verifying_body, Allocator>& parser) noexcept;

        const verifier* verifier_ = nullptr;
        std::string_view registered_url_;
        keep_body keep_ = keep_body::yes;
        std::optional<body_verification> check_;
        std::string empty_;
        const void* header_ = nullptr;  // the parser's, set by the reader
        head_function head_of_ = nullptr;
        bool ended_ = false;  // the parser finished the message
    };

    class reader {
    public:
        // Beast builds the reader with its parser, before the header is read: the head is taken
        // from the header once it is complete, when the body starts (or in verdict()).
        template <bool IsRequest, class Fields>
        reader(boost::beast::http::header<IsRequest, Fields>& header, value_type& body) : body_(body) {
            static_assert(IsRequest, "verifying_body reads requests: KORE's callbacks");
            body_.header_ = &header;
            body_.head_of_ = &head_from<Fields>;
        }

        void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) {
            // Without prepare() there is nothing to verify against; a refused header stops the read.
            if (body_.verifier_ == nullptr || !body_.start(detail::declared_length(length))) {
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

        void finish(boost::beast::error_code& ec) noexcept {
            body_.ended_ = true;
            ec = {};
        }

    private:
        template <class Fields>
        static request_head head_from(const void* header, std::optional<std::uint64_t> declared) noexcept {
            return detail::head_of(*static_cast<const boost::beast::http::request_header<Fields>*>(header), declared);
        }

        value_type& body_;
    };
};

// After http::read_header / async_read_header and body().prepare(): judges the header now, so
// that a request its header alone refuses (an added query, a declared size over the limit) is
// answered without waiting for body bytes that may never come (Beast reaches the body only once
// some of it arrived). False when refused: skip the body read, answer verdict({}), and close.
template <class Allocator>
bool judge_header(boost::beast::http::request_parser<verifying_body, Allocator>& parser) noexcept {
    verifying_body::value_type& body = parser.get().body();
    return body.verifier_ != nullptr && body.start(detail::declared_length(parser.content_length()));
}

// What a route reads of the request's header (views of it): method, path without the query,
// Content-Type and kore-idempotency-token; for answer_method_not_allowed() and answer_judged().
template <class Fields>
route_request request_of(const boost::beast::http::request_header<Fields>& req) {
    const std::string_view target = detail::view(req.target());
    const auto field = [&req](std::string_view name) {
        return detail::view(req[boost::beast::string_view(name.data(), name.size())]);
    };
    return {detail::view(req.method_string()), target.substr(0, target.find('?')), field("content-type"),
            field(idempotency_token_header_name)};
}

// The response for a route's answer: its status, a text/plain body, Allow on a 405. The
// connection is kept only when the request asked for it, the answer allows it, and the parser
// read the request to its end: after a refusal that stopped the read, the rest of the body is
// still on the connection, and the answer says Connection: close.
template <class Body, class Allocator>
boost::beast::http::response<boost::beast::http::string_body> response_to(
    const boost::beast::http::request_parser<Body, Allocator>& parser, route_answer answer) {
    namespace http = boost::beast::http;
    const auto& req = parser.get();
    http::response<http::string_body> res(static_cast<http::status>(answer.status), req.version());
    if (answer.allow_header) {
        res.set(http::field::allow, boost::beast::string_view(allowed_methods.data(), allowed_methods.size()));
    }
    if (!answer.body.empty()) {
        res.set(http::field::content_type, "text/plain");
        res.body() = std::move(answer.body);
    }
    res.keep_alive(req.keep_alive() && parser.is_done() && !answer.close_connection);
    res.prepare_payload();
    return res;
}

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
