#ifndef KORE_WEBHOOK_ADAPTERS_PISTACHE_HPP
#define KORE_WEBHOOK_ADAPTERS_PISTACHE_HPP

// Pistache adapter. Most applications mount the route helper on a Pistache::Rest::Router:
//
//   kore::webhook::adapters::route_config route;
//   route.registered_url = "https://example.com/kore/callback";   // as registered with KORE
//   route.on_callback = [](const kore::webhook::adapters::verified_callback& c) { process(c.body); return 204; };
//   kore::webhook::adapters::pistache::mount_route(router, verifier, std::move(route));
//
// For a handler of your own: read_verified(v, registered_url, req) gives the verdict and a view
// of req.body() (Pistache reads the whole request before any handler runs); answer
// kore::webhook::http_status(r.verdict) with set_connection_header(req, res, close).
//
// Size the endpoint for the body (maxRequestSize). Pistache 0.0.5 keeps only the first of
// repeated headers, so a repeated kore-signature cannot be told here; its query is compared
// parsed; its Connection header needs fixing: docs/servers.md, "Pistache".

#include <kore/webhook/adapters/body.hpp>
#include <kore/webhook/adapters/callback.hpp>
#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/request.hpp>
#include <kore/webhook/adapters/route.hpp>
#include <kore/webhook/body_verification.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/verifier.hpp>

#include <pistache/http.h>
#include <pistache/http_defs.h>
#include <pistache/http_header.h>
#include <pistache/mime.h>
#include <pistache/router.h>

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace kore::webhook::adapters::pistache {

namespace detail {

inline std::string header_value(const Pistache::Http::Request& req, std::string_view name) {
    if (const auto raw = req.headers().tryGetRaw(std::string(name))) {
        return raw->value();
    }
    return {};
}

// Pistache's parsing of a query, applied to the registered URL's: '&'-separated, the name up to
// the first '=', nothing decoded, the first of repeated names kept.
inline std::unordered_map<std::string, std::string> parse_query(std::string_view query) {
    std::unordered_map<std::string, std::string> parameters;
    if (query.empty()) {
        return parameters;
    }
    std::size_t start = 0;
    while (true) {
        const std::size_t end = std::min(query.find('&', start), query.size());
        const std::string_view item = query.substr(start, end - start);
        const std::size_t equals = item.find('=');
        parameters.emplace(std::string(item.substr(0, equals)),
                           equals == std::string_view::npos ? std::string() : std::string(item.substr(equals + 1)));
        if (end == query.size()) {
            return parameters;
        }
        start = end + 1;
    }
}

inline bool query_is_registered(const Pistache::Http::Uri::Query& query, std::string_view registered_url) {
    const auto expected = parse_query(query_of(registered_url));
    const auto count = static_cast<std::size_t>(std::distance(query.parameters_begin(), query.parameters_end()));
    if (count != expected.size()) {
        return false;
    }
    for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it) {
        const auto found = expected.find(it->first);
        if (found == expected.end() || found->second != it->second) {
            return false;
        }
    }
    return true;
}

// The header walk: the method, the signature, and the query as Pistache compared it.
inline request_head head_of(std::string_view registered_url, const Pistache::Http::Request& req) {
    request_head head(Pistache::Http::methodString(req.method()));
    if (const auto raw = req.headers().tryGetRaw(std::string(signature_header_name))) {
        head.add_signature(raw->value());
    }
    head.set_query_registered(query_is_registered(req.query(), registered_url));
    return head;
}

}  // namespace detail

// `registered_url` is the callback URL as registered with KORE, never rebuilt from the request.
inline result verify(const verifier& v, std::string_view registered_url, const Pistache::Http::Request& req) {
    return v.verify(detail::head_of(registered_url, req), registered_url, req.body());
}

// The same, handing the body to `sink` (callable with std::string_view) first, in one piece (at
// most options::max_body_size bytes). Untrusted until the verdict.
template <class Sink>
result verify(const verifier& v, std::string_view registered_url, const Pistache::Http::Request& req, Sink&& sink) {
    body_verification check(v, registered_url, detail::head_of(registered_url, req));
    check.put(req.body(), sink);
    return check.finish();
}

// The verdict with the body it was reached on: a view of req.body(), valid while `req` lives.
inline verified_view read_verified(const verifier& v, std::string_view registered_url,
                                   const Pistache::Http::Request& req) {
    return verified_view{verify(v, registered_url, req), req.body()};
}

// Pistache 0.0.5 answers "Connection: Close" to every request without a Connection header, so a
// client that believes it opens a new connection per callback (docs/servers.md, "Pistache").
// This sets the answer's Connection header to what HTTP/1.1 says (RFC 9112, 9.3), or to Close
// when `close_connection` (an answer that leaves request bytes unread). Call it before
// res.send(); mount_route() does, for every answer of the route.
inline void set_connection_header(const Pistache::Http::Request& req, Pistache::Http::ResponseWriter& res,
                                  bool close_connection = false) {
    using Pistache::Http::ConnectionControl;
    const auto asked = req.headers().tryGet<Pistache::Http::Header::Connection>();
    bool persistent = false;
    if (req.version() == Pistache::Http::Version::Http11) {
        persistent = !asked || asked->control() != ConnectionControl::Close;
    } else {
        persistent = asked && asked->control() == ConnectionControl::KeepAlive;
    }
    res.headers().remove<Pistache::Http::Header::Connection>();
    res.headers().add<Pistache::Http::Header::Connection>(persistent && !close_connection ? ConnectionControl::KeepAlive
                                                                                          : ConnectionControl::Close);
}

// Mounts the KORE callback route on `router`: the registered URL's path, POST and GET verified,
// PUT, PATCH, DELETE, OPTIONS and HEAD answered 405; see adapters/route.hpp. `v` must outlive
// the server. Throws std::invalid_argument when the path has a segment Pistache's router would
// read as a parameter (":name") or a wildcard ("*").
inline void mount_route(Pistache::Rest::Router& router, const verifier& v, route_config config) {
    const std::string path = route_path(config.registered_url);
    for (std::size_t segment = path.find('/'); segment != std::string::npos; segment = path.find('/', segment + 1)) {
        if (segment + 1 < path.size() && (path[segment + 1] == ':' || path[segment + 1] == '*')) {
            throw std::invalid_argument(
                "kore-webhook: the registered URL's path has a segment that Pistache's router "
                "reads as a parameter or a wildcard (':' or '*'); route it yourself");
        }
    }
    const auto shared = std::make_shared<const route_config>(std::move(config));
    const verifier* verifier_ptr = &v;

    auto send = [](const Pistache::Http::Request& req, Pistache::Http::ResponseWriter& res,
                   const route_answer& answer) {
        set_connection_header(req, res, answer.close_connection);
        if (answer.allow_header) {
            // Typed: Pistache 0.0.5 does not send raw headers added to a response.
            res.headers().add<Pistache::Http::Header::Allow>(std::initializer_list<Pistache::Http::Method>{
                Pistache::Http::Method::Get, Pistache::Http::Method::Post});
        }
        if (!answer.body.empty()) {
            res.headers().add<Pistache::Http::Header::ContentType>(MIME(Text, Plain));
        }
        res.send(static_cast<Pistache::Http::Code>(answer.status), answer.body);
    };
    auto judged = [shared, verifier_ptr, send](const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter res) {
        const std::string method = Pistache::Http::methodString(req.method());
        const verified_view r = read_verified(*verifier_ptr, shared->registered_url, req);
        std::string content_type = detail::header_value(req, "Content-Type");
        if (content_type.empty()) {
            if (const auto typed = req.headers().tryGet<Pistache::Http::Header::ContentType>()) {
                content_type = typed->mime().toString();  // Pistache keeps known headers parsed only
            }
        }
        const std::string token = detail::header_value(req, idempotency_token_header_name);
        send(req, res,
             answer_judged(*shared, route_request{method, req.resource(), content_type, token}, r.verdict, r.body));
        return Pistache::Rest::Route::Result::Ok;
    };
    auto not_allowed = [shared, send](const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter res) {
        const std::string method = Pistache::Http::methodString(req.method());
        send(req, res, answer_method_not_allowed(*shared, route_request{method, req.resource(), {}, {}}));
        return Pistache::Rest::Route::Result::Ok;
    };
    namespace routes = Pistache::Rest::Routes;
    for (const auto add : {&routes::Post, &routes::Get}) {
        add(router, path, judged);
    }
    for (const auto add : {&routes::Put, &routes::Patch, &routes::Delete, &routes::Options, &routes::Head}) {
        add(router, path, not_allowed);
    }
}

}  // namespace kore::webhook::adapters::pistache

#endif
