#ifndef KORE_WEBHOOK_ADAPTERS_CIVETWEB_HPP
#define KORE_WEBHOOK_ADAPTERS_CIVETWEB_HPP

// CivetWeb adapter: judges a callback inside a CivetWeb request handler, reading the body with
// mg_read() in pieces and hashing it as it comes, without buffering it.
//
//   int on_callback(struct mg_connection* conn, void* cbdata) {
//       const auto verdict = kore::webhook::adapters::civetweb::verify(v, registered_url, conn);
//       const int status = kore::webhook::adapters::http_status(verdict);
//       mg_response_header_start(conn, status);
//       ...
//   }
//
// Reading stops as soon as the body passes options::max_body_size, and a declared
// Content-Length over it is refused without reading; the rest of such a body is still on the
// connection: call mg_disable_connection_keep_alive(conn) before answering. Chunked bodies
// arrive de-chunked from mg_read(), as the raw bytes KORE signed.

#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/verifier.hpp>

#include <civetweb.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kore::webhook::adapters::civetweb {

// `registered_url` is the callback URL as registered with KORE, never rebuilt from the request
// (CivetWeb's request_uri and local_uri are percent-decoded, and not what KORE signed anyway).
inline result verify(const verifier& v, std::string_view registered_url, struct mg_connection* conn) {
    const struct mg_request_info* info = mg_get_request_info(conn);
    if (info == nullptr || info->request_method == nullptr) {
        return result::refused(make_error_code(errc::invalid_method));
    }
    signature_lookup signature;
    for (int i = 0; i < info->num_headers; ++i) {  // every header line, repeated names included
        const auto& header = info->http_headers[i];
        signature.offer(header.name != nullptr ? header.name : "", header.value != nullptr ? header.value : "");
    }
    // CivetWeb reports -1 when the length is unknown (chunked, or no body).
    std::optional<std::uint64_t> declared;
    if (info->content_length >= 0) {
        declared = static_cast<std::uint64_t>(info->content_length);
    }
    const std::string_view method = info->request_method;
    const bool has_query = info->query_string != nullptr && info->query_string[0] != '\0';
    if (const auto ec = check_before_body(method, has_query, signature, declared, v.get_options())) {
        return result::refused(ec);
    }
    auto body = v.start(method, registered_url);
    std::array<char, 16384> piece{};
    while (!body.error()) {
        const int got = mg_read(conn, piece.data(), piece.size());
        if (got == 0) {
            break;
        }
        if (got < 0) {
            return result::refused(make_error_code(adapter_errc::body_incomplete));
        }
        body.update(std::string_view(piece.data(), static_cast<std::size_t>(got)));
    }
    if (body.error()) {
        return result::refused(body.error());
    }
    return body.finish(signature.header());
}

}  // namespace kore::webhook::adapters::civetweb

#endif
