#ifndef KORE_WEBHOOK_ADAPTERS_CIVETWEB_HPP
#define KORE_WEBHOOK_ADAPTERS_CIVETWEB_HPP

// CivetWeb adapter: judges a callback inside a request handler, reading it with mg_read().
//
//   int on_callback(struct mg_connection* conn, void* cbdata) {
//       const auto r = kore::webhook::adapters::civetweb::read_verified(v, registered_url, conn);
//       const int status = kore::webhook::http_status(r.verdict);
//       if (r.verdict) process(r.body);
//       mg_response_header_start(conn, status);
//       ...
//   }
//
// verify(v, url, conn[, sink]) keeps no copy of the body. Every call is noexcept (CivetWeb calls
// from C). Before answering a refusal that left the body unread (body_left_unread()), call
// mg_disable_connection_keep_alive(conn). Routing and chunked bodies: docs/servers.md, "CivetWeb".

#include <kore/webhook/adapters/body.hpp>
#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/adapters/detail/read.hpp>
#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/request.hpp>
#include <kore/webhook/body_verification.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/verifier.hpp>

#include <civetweb.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kore::webhook::adapters::civetweb {

namespace detail {

// The header walk and CivetWeb's read loop, driving one body_verification.
template <class Sink>
verified_body read_body(const verifier& v, std::string_view registered_url, struct mg_connection* conn, keep_body keep,
                        Sink& sink) noexcept {
    const struct mg_request_info* info = mg_get_request_info(conn);
    if (info == nullptr || info->request_method == nullptr) {
        return {result::refused(make_error_code(errc::invalid_method)), {}};
    }
    request_head head(info->request_method);
    for (int i = 0; i < info->num_headers; ++i) {  // every header line, repeated names included
        const auto& header = info->http_headers[i];
        head.offer_header(header.name != nullptr ? header.name : "", header.value != nullptr ? header.value : "");
    }
    // CivetWeb reports -1 when the length is unknown (chunked, or no body).
    if (info->content_length >= 0) {
        head.set_content_length(static_cast<std::uint64_t>(info->content_length));
    }
    // query_string is the raw query, as received (CivetWeb decodes only local_uri).
    head.set_query(info->query_string != nullptr ? info->query_string : "");
    body_verification check(v, registered_url, head, keep);
    adapters::detail::body_piece piece;  // NOLINT(cppcoreguidelines-pro-type-member-init): see body_piece
    std::uint64_t total = 0;
    while (!check.error()) {
        const int got = mg_read(conn, piece.data(), piece.size());
        if (got <= 0) {
            if (got < 0) {
                check.fail(make_error_code(adapter_errc::body_incomplete));
            }
            break;
        }
        total += static_cast<std::uint64_t>(got);
        check.put(std::string_view(piece.data(), static_cast<std::size_t>(got)), sink);
    }
    if (const auto declared = head.content_length(); !check.error() && declared && total != *declared) {
        check.fail(make_error_code(adapter_errc::body_incomplete));  // the connection ended early
    }
    result verdict = check.finish();
    return {verdict, check.take_body()};
}

}  // namespace detail

// `registered_url` is the callback URL as registered with KORE, never rebuilt from the request
// (CivetWeb's request_uri and local_uri are percent-decoded, and not what KORE signed anyway).
// No copy of the body is kept.
inline result verify(const verifier& v, std::string_view registered_url, struct mg_connection* conn) noexcept {
    adapters::detail::no_sink none;
    return detail::read_body(v, registered_url, conn, keep_body::no, none).verdict;
}

// The same, handing each piece of the body to `sink` (callable with std::string_view) as it is
// read, in order, at most options::max_body_size bytes in all. Untrusted until the verdict.
template <class Sink>
result verify(const verifier& v, std::string_view registered_url, struct mg_connection* conn, Sink&& sink) noexcept {
    return detail::read_body(v, registered_url, conn, keep_body::no, sink).verdict;
}

// The same, keeping the body: the verdict with the raw bytes it was reached on.
inline verified_body read_verified(const verifier& v, std::string_view registered_url,
                                   struct mg_connection* conn) noexcept {
    adapters::detail::no_sink none;
    return detail::read_body(v, registered_url, conn, keep_body::yes, none);
}

}  // namespace kore::webhook::adapters::civetweb

#endif
