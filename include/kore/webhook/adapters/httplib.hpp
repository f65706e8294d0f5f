#ifndef KORE_WEBHOOK_ADAPTERS_HTTPLIB_HPP
#define KORE_WEBHOOK_ADAPTERS_HTTPLIB_HPP

// cpp-httplib adapter: judges a callback from httplib's own request types.
//
//   svr.Post("/kore/callback", [&](const httplib::Request& req, httplib::Response& res,
//                                  const httplib::ContentReader& body) {
//       const auto verdict = kore::webhook::adapters::httplib::verify(v, registered_url, req, body);
//       res.status = kore::webhook::adapters::http_status(verdict);
//   });
//
// Register POST routes with a content reader (as above): the body is then hashed as it arrives
// and never buffered, and reading stops as soon as it passes options::max_body_size. A route with
// a plain handler (every GET route, or Post with a two-argument handler) has the body in req.body
// already; the second overload takes that.
//
// cpp-httplib decompresses a body sent with Content-Encoding (gzip, deflate, br) before any
// handler sees it. KORE does not compress callbacks; a compressed request is judged on the
// decompressed bytes and so fails to verify. When the reader is left unread (a declared length
// over the limit, a refused GET), the unread bytes stay on a kept-alive connection; send
// `Connection: close` on such answers or limit keep-alive if that matters to you.
//
// Debian's cpp-httplib is a compiled library: build with the flags pkg-config gives
// (CPPHTTPLIB_OPENSSL_SUPPORT, ..._ZLIB_SUPPORT, ..._BROTLI_SUPPORT), or its classes change layout.

#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/verifier.hpp>

#include <httplib.h>

#include <cstddef>
#include <string_view>
#include <system_error>

namespace kore::webhook::adapters::httplib {

namespace detail {

inline signature_lookup find_signature(const ::httplib::Request& req) {
    signature_lookup signature;
    const auto range = req.headers.equal_range(std::string(signature_header_name));
    for (auto it = range.first; it != range.second; ++it) {
        signature.add(it->second);
    }
    return signature;
}

// The declared length, when the body is not chunked (Transfer-Encoding wins over Content-Length).
inline std::optional<std::uint64_t> declared_length(const ::httplib::Request& req) {
    if (req.has_header("Transfer-Encoding") || !req.has_header("Content-Length")) {
        return std::nullopt;
    }
    const std::string value = req.get_header_value("Content-Length");  // by value: keep it alive
    return parse_content_length(value);
}

}  // namespace detail

// A route registered with a content reader: the body is streamed into the verifier.
// `registered_url` is the callback URL as registered with KORE, never rebuilt from the request.
inline result verify(const verifier& v, std::string_view registered_url, const ::httplib::Request& req,
                     const ::httplib::ContentReader& content_reader) {
    const signature_lookup signature = detail::find_signature(req);
    if (const auto ec = check_before_body(req.method, target_has_query(req.target), signature,
                                          detail::declared_length(req), v.get_options())) {
        return result::refused(ec);
    }
    if (req.is_multipart_form_data()) {
        // cpp-httplib only hands a multipart body out parsed into parts; its raw bytes, which
        // are what KORE signs, are out of reach. KORE never sends multipart bodies.
        return result::refused(make_error_code(adapter_errc::body_unavailable));
    }
    auto stream = v.start(req.method, registered_url);
    const bool complete = stream.error() ? false : content_reader([&stream](const char* data, std::size_t size) {
        stream.update(std::string_view(data, size));
        return !stream.error();  // false stops cpp-httplib reading: over the limit
    });
    if (stream.error()) {
        return result::refused(stream.error());
    }
    if (!complete) {
        return result::refused(make_error_code(adapter_errc::body_incomplete));
    }
    return stream.finish(signature.header());
}

// A route whose body cpp-httplib has already read into req.body (GET routes, plain handlers).
inline result verify(const verifier& v, std::string_view registered_url, const ::httplib::Request& req) {
    const signature_lookup signature = detail::find_signature(req);
    if (const auto ec =
            check_before_body(req.method, target_has_query(req.target), signature, std::nullopt, v.get_options())) {
        return result::refused(ec);
    }
    return v.verify(req.method, registered_url, req.body, signature.header());
}

}  // namespace kore::webhook::adapters::httplib

#endif
