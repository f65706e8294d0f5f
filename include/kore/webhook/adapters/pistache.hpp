#ifndef KORE_WEBHOOK_ADAPTERS_PISTACHE_HPP
#define KORE_WEBHOOK_ADAPTERS_PISTACHE_HPP

// Pistache adapter: judges a callback from a Pistache::Http::Request.
//
//   void onRequest(const Pistache::Http::Request& req, Pistache::Http::ResponseWriter res) override {
//       const auto verdict = kore::webhook::adapters::pistache::verify(v, registered_url, req);
//       res.send(static_cast<Pistache::Http::Code>(kore::webhook::adapters::http_status(verdict)));
//   }
//
// Pistache reads the whole request into memory before any handler runs, so there is nothing to
// stream: the body is verified in one piece. Size the endpoint for it:
// Endpoint::options().maxRequestSize(max_body_size + room for the header). Pistache itself
// answers 413 ("Request exceeded maximum buffer size") to anything larger, before this adapter
// is reached.
//
// Known limit (Pistache 0.0.5, Debian 12): its header collection keeps only the first of
// several headers with the same name and drops the rest without trace, so a repeated
// kore-signature cannot be refused with errc::duplicate_signature here; the first value is
// judged. An absent and an empty header are still told apart.

#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/verifier.hpp>

#include <pistache/http.h>
#include <pistache/http_defs.h>

#include <string_view>

namespace kore::webhook::adapters::pistache {

// `registered_url` is the callback URL as registered with KORE, never rebuilt from the request.
inline result verify(const verifier& v, std::string_view registered_url, const Pistache::Http::Request& req) {
    signature_lookup signature;
    if (const auto raw = req.headers().tryGetRaw(std::string(signature_header_name))) {
        signature.add(raw->value());
    }
    const std::string_view method = Pistache::Http::methodString(req.method());
    const bool has_query = req.query().parameters_begin() != req.query().parameters_end();
    if (const auto ec = check_before_body(method, has_query, signature, std::nullopt, v.get_options())) {
        return result::refused(ec);
    }
    return v.verify(method, registered_url, req.body(), signature.header());
}

}  // namespace kore::webhook::adapters::pistache

#endif
