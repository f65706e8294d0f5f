#ifndef KORE_WEBHOOK_ADAPTERS_BEAST_HPP
#define KORE_WEBHOOK_ADAPTERS_BEAST_HPP

// Boost.Beast adapter: judges a callback read with Beast's own parser, hashing the body as it
// is read, without buffering it.
//
//   http::request_parser<http::buffer_body> parser;
//   kore::webhook::adapters::beast::prepare(parser);          // before the header is read
//   http::read_header(socket, buffer, parser);
//   const auto verdict = kore::webhook::adapters::beast::verify(v, registered_url, socket, buffer, parser);
//   res.result(kore::webhook::adapters::http_status(verdict));
//
// The body is read here, in pieces, and reading stops as soon as it passes
// options::max_body_size; a declared Content-Length over the limit is refused without reading
// the body. When the verdict comes back with `!parser.is_done()`, the rest of the body is still
// on the connection: answer with `Connection: close` and close it.
//
// For a request already read whole (http::request<http::string_body>), use the second overload.

#include <kore/webhook/adapters/common.hpp>
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
#include <string_view>

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

// Reads and judges the body of a request whose header `parser` has read (read_header). `stream`
// and `buffer` are the ones the header was read with. `registered_url` is the callback URL as
// registered with KORE, never rebuilt from the request.
template <class SyncReadStream, class DynamicBuffer, class Allocator>
result verify(const verifier& v, std::string_view registered_url, SyncReadStream& stream, DynamicBuffer& buffer,
              boost::beast::http::request_parser<boost::beast::http::buffer_body, Allocator>& parser) {
    namespace http = boost::beast::http;
    auto& req = parser.get();
    const signature_lookup signature = detail::find_signature(req.base());
    const std::string_view method = detail::view(req.method_string());
    const auto declared = parser.content_length();
    if (const auto ec =
            check_before_body(method, target_has_query(detail::view(req.target())), signature,
                              declared ? std::optional<std::uint64_t>(*declared) : std::nullopt, v.get_options())) {
        return result::refused(ec);
    }
    auto body = v.start(method, registered_url);
    std::array<char, 16384> piece{};
    while (!body.error() && !parser.is_done()) {
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
        body.update(std::string_view(piece.data(), piece.size() - req.body().size));
    }
    if (body.error()) {
        return result::refused(body.error());
    }
    return body.finish(signature.header());
}

// A request Beast has already read whole.
template <class Fields>
result verify(const verifier& v, std::string_view registered_url,
              const boost::beast::http::request<boost::beast::http::string_body, Fields>& req) {
    const signature_lookup signature = detail::find_signature(req.base());
    const std::string_view method = detail::view(req.method_string());
    if (const auto ec = check_before_body(method, target_has_query(detail::view(req.target())), signature, std::nullopt,
                                          v.get_options())) {
        return result::refused(ec);
    }
    return v.verify(method, registered_url, req.body(), signature.header());
}

}  // namespace kore::webhook::adapters::beast

#endif
