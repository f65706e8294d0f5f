#ifndef KORE_WEBHOOK_ADAPTERS_POCO_HPP
#define KORE_WEBHOOK_ADAPTERS_POCO_HPP

// POCO (PocoNet) adapter: judges a callback from Poco::Net::HTTPServerRequest, reading the body
// from request.stream() in pieces and hashing it as it comes, without buffering it.
//
//   void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
//       const auto verdict = kore::webhook::adapters::poco::verify(v, registered_url, req);
//       res.setStatus(std::to_string(kore::webhook::adapters::http_status(verdict)));
//       res.send();
//   }
//
// Reading stops as soon as the body passes options::max_body_size, and a declared
// Content-Length over it is refused without reading; the rest of such a body is still on the
// connection, so answer it with res.setKeepAlive(false). Chunked bodies arrive de-chunked, as
// the raw bytes KORE signed.

#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/verifier.hpp>

#include <Poco/Net/HTTPServerRequest.h>

#include <array>
#include <cstdint>
#include <istream>
#include <optional>
#include <string_view>

namespace kore::webhook::adapters::poco {

// `registered_url` is the callback URL as registered with KORE, never rebuilt from the request.
// POCO reports a connection that breaks mid-body by throwing (Poco::Exception) from the stream;
// such exceptions propagate, and POCO's server answers them itself.
inline result verify(const verifier& v, std::string_view registered_url, Poco::Net::HTTPServerRequest& req) {
    signature_lookup signature;
    for (const auto& header : req) {  // every header line, repeated names included
        signature.offer(header.first, header.second);
    }
    std::optional<std::uint64_t> declared;
    if (req.hasContentLength() && !req.getChunkedTransferEncoding() && req.getContentLength64() >= 0) {
        declared = static_cast<std::uint64_t>(req.getContentLength64());
    }
    const std::string& method = req.getMethod();
    if (const auto ec =
            check_before_body(method, target_has_query(req.getURI()), signature, declared, v.get_options())) {
        return result::refused(ec);
    }
    auto body = v.start(method, registered_url);
    std::istream& in = req.stream();
    std::array<char, 16384> piece{};
    while (!body.error() && in) {
        in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
        const auto got = in.gcount();
        if (got > 0) {
            body.update(std::string_view(piece.data(), static_cast<std::size_t>(got)));
        }
    }
    if (body.error()) {
        return result::refused(body.error());
    }
    if (in.bad()) {
        return result::refused(make_error_code(adapter_errc::body_incomplete));
    }
    return body.finish(signature.header());
}

}  // namespace kore::webhook::adapters::poco

#endif
