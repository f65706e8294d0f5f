#ifndef KORE_WEBHOOK_ADAPTERS_HTTPLIB_HPP
#define KORE_WEBHOOK_ADAPTERS_HTTPLIB_HPP

// cpp-httplib adapter. Most applications mount the route helper (adapters/route.hpp):
//
//   kore::webhook::adapters::route_config route;
//   route.registered_url = "https://example.com/kore/callback";   // as registered with KORE
//   route.on_callback = [](const kore::webhook::adapters::verified_callback& c) { process(c.body); return 204; };
//   kore::webhook::adapters::httplib::mount_route(svr, verifier, std::move(route));
//
// For a route of your own, register POST with a content reader (the body is hashed as it arrives):
//   svr.Post("/kore/callback", [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader&
//   rd) {
//       const auto r = kore::webhook::adapters::httplib::read_verified(v, registered_url, req, rd);
//       res.status = kore::webhook::http_status(r.verdict);
//       if (r.verdict) process(r.body);
//   });
// What cpp-httplib does that the adapter handles (compressed bodies, the drain before a close,
// the compiled library's flags): docs/servers.md, "cpp-httplib".

#include <kore/webhook/adapters/body.hpp>
#include <kore/webhook/adapters/callback.hpp>
#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/adapters/detail/read.hpp>
#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/request.hpp>
#include <kore/webhook/adapters/route.hpp>
#include <kore/webhook/adapters/status.hpp>
#include <kore/webhook/body_verification.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/verifier.hpp>

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace kore::webhook::adapters::httplib {

namespace detail {

// The headers this adapter reads, found in one walk: a lookup by name in cpp-httplib's multimap
// calls ::tolower per character compared (docs/performance.md has what that cost). Views point
// into `req`, which must outlive this.
struct request_headers {
    request_head head;                               // method, target, signatures, declared length
    bool chunked = false;                            // Transfer-Encoding present: it wins
    std::optional<std::string_view> content_length;  // the first Content-Length
    std::string_view content_type;                   // the first Content-Type, or empty
    std::string_view idempotency_token;              // the first kore-idempotency-token, or empty

    // The declared length, when the body is not chunked (Transfer-Encoding wins over
    // Content-Length).
    [[nodiscard]] std::optional<std::uint64_t> declared_length() const {
        if (chunked || !content_length) {
            return std::nullopt;
        }
        return parse_content_length(*content_length);
    }

    // cpp-httplib's own test (Request::is_multipart_form_data): the first Content-Type starts
    // with "multipart/form-data", case-sensitively. It must be the same test, since it decides
    // whether cpp-httplib hands the body out raw.
    [[nodiscard]] bool multipart_form_data() const {
        constexpr std::string_view multipart = "multipart/form-data";
        return content_type.substr(0, multipart.size()) == multipart;
    }
};

inline request_headers read_headers(const ::httplib::Request& req) {
    request_headers found;
    found.head = request_head(req.method, req.target);
    // Equal names (in any case) are neighbours in the multimap, in the order received: the first
    // met is cpp-httplib's get_header_value().
    for (const auto& [name, value] : req.headers) {
        if (iequals(name, signature_header_name)) {
            found.head.add_signature(value);
        } else if (iequals(name, "Content-Length")) {
            if (!found.content_length) {
                found.content_length = std::string_view(value);
            }
        } else if (iequals(name, "Transfer-Encoding")) {
            found.chunked = true;
        } else if (iequals(name, "Content-Type")) {
            if (found.content_type.data() == nullptr) {
                found.content_type = value;
            }
        } else if (iequals(name, idempotency_token_header_name)) {
            if (found.idempotency_token.data() == nullptr) {
                found.idempotency_token = value;
            }
        }
    }
    if (const auto declared = found.declared_length()) {
        found.head.set_content_length(*declared);
    }
    return found;
}

// Reads and drops the body of a request refused before reading it, within adapters::drain_limits.
inline void drain_unread_body(const ::httplib::ContentReader& content_reader, std::optional<std::uint64_t> declared) {
    if (!adapters::detail::drain_budget::worth_draining(declared)) {
        return;  // more than would be read: close at once
    }
    adapters::detail::drain_budget budget;
    content_reader([&budget](const char*, std::size_t size) { return budget.take(size); });
}

// The header walk and cpp-httplib's content reader, driving one body_verification.
template <class Sink>
verified_body read_body(const verifier& v, std::string_view registered_url, const request_headers& headers,
                        const ::httplib::ContentReader& content_reader, keep_body keep, Sink& sink) {
    body_verification check(v, registered_url, headers.head, keep);
    if (check.error()) {
        drain_unread_body(content_reader, headers.head.content_length());
        return {check.finish(), {}};
    }
    if (headers.multipart_form_data()) {
        // cpp-httplib only hands a multipart body out parsed into parts; its raw bytes, which
        // are what KORE signs, are out of reach. KORE never sends multipart bodies.
        return {result::refused(make_error_code(adapter_errc::body_unavailable)), {}};
    }
    // false from the receiver stops cpp-httplib reading (over the limit and its drain bound, ...);
    // false from the reader itself means the body could not be read to its end.
    adapters::detail::drain_budget budget;
    const bool complete = content_reader([&](const char* data, std::size_t size) {
        if (!check.error() && check.put(std::string_view(data, size), sink)) {
            return true;
        }
        return check.error() == errc::body_too_large && budget.take(size);
    });
    if (!complete) {
        check.fail(make_error_code(adapter_errc::body_incomplete));
    }
    result verdict = check.finish();
    return {verdict, check.take_body()};
}

// A body cpp-httplib has already read into req.body.
inline result verify_read_body(const verifier& v, std::string_view registered_url, const ::httplib::Request& req,
                               const request_headers& headers) {
    return v.verify(headers.head, registered_url, req.body);
}

inline void send(::httplib::Response& res, const route_answer& answer) {
    res.status = answer.status;
    if (answer.allow_header) {
        res.set_header("Allow", std::string(allowed_methods));
    }
    if (answer.close_connection) {
        res.set_header("Connection", "close");
    }
    if (!answer.body.empty()) {
        res.set_content(answer.body, "text/plain");
    }
}

}  // namespace detail

// A route registered with a content reader: the body is streamed into the verifier, no copy kept.
// `registered_url` is the callback URL as registered with KORE, never rebuilt from the request.
inline result verify(const verifier& v, std::string_view registered_url, const ::httplib::Request& req,
                     const ::httplib::ContentReader& content_reader) {
    adapters::detail::no_sink none;
    return detail::read_body(v, registered_url, detail::read_headers(req), content_reader, keep_body::no, none).verdict;
}

// The same, handing each piece of the body to `sink` (callable with std::string_view) as it is
// read, in order, at most options::max_body_size bytes in all. Untrusted until the verdict.
template <class Sink>
result verify(const verifier& v, std::string_view registered_url, const ::httplib::Request& req,
              const ::httplib::ContentReader& content_reader, Sink&& sink) {
    return detail::read_body(v, registered_url, detail::read_headers(req), content_reader, keep_body::no, sink).verdict;
}

// The same, keeping the body: the verdict with the raw bytes it was reached on.
inline verified_body read_verified(const verifier& v, std::string_view registered_url, const ::httplib::Request& req,
                                   const ::httplib::ContentReader& content_reader) {
    adapters::detail::no_sink none;
    return detail::read_body(v, registered_url, detail::read_headers(req), content_reader, keep_body::yes, none);
}

// A route whose body cpp-httplib has already read into req.body (GET routes, plain handlers).
inline result verify(const verifier& v, std::string_view registered_url, const ::httplib::Request& req) {
    return detail::verify_read_body(v, registered_url, req, detail::read_headers(req));
}

// The same, with req.body as the body the verdict was reached on.
inline verified_view read_verified(const verifier& v, std::string_view registered_url, const ::httplib::Request& req) {
    return verified_view{verify(v, registered_url, req), req.body};
}

// cpp-httplib routes by std::regex: a pattern that matches `path` and nothing else (its regex
// metacharacters escaped), for mount_route and for routes of your own beside it.
inline std::string exact_pattern(std::string_view path) {
    std::string pattern;
    for (const char c : path) {
        if (std::string_view(R"(\^$.|?*+()[]{})").find(c) != std::string_view::npos) {
            pattern.push_back('\\');
        }
        pattern.push_back(c);
    }
    return pattern;
}

// Mounts the KORE callback route on `server`: the registered URL's path, POST and GET verified
// (POST streamed through a content reader), PUT, PATCH, DELETE, OPTIONS and HEAD answered 405;
// see adapters/route.hpp. `v` must outlive the server. Requests to other paths are left to the
// server (its default is 404).
inline void mount_route(::httplib::Server& server, const verifier& v, route_config config) {
    const std::string pattern = exact_pattern(route_path(config.registered_url));
    const auto shared = std::make_shared<const route_config>(std::move(config));
    const verifier* verifier_ptr = &v;

    auto facts = [](const ::httplib::Request& req, const detail::request_headers& headers) {
        return route_request{req.method, req.path, headers.content_type, headers.idempotency_token};
    };
    auto refuse_method = [shared](const ::httplib::Request& req, ::httplib::Response& res) {
        detail::send(res, answer_method_not_allowed(*shared, route_request{req.method, req.path, {}, {}}));
    };

    server.Post(pattern, [shared, verifier_ptr, facts](const ::httplib::Request& req, ::httplib::Response& res,
                                                       const ::httplib::ContentReader& reader) {
        const detail::request_headers headers = detail::read_headers(req);
        adapters::detail::no_sink none;
        const verified_body read =
            detail::read_body(*verifier_ptr, shared->registered_url, headers, reader, keep_body::yes, none);
        detail::send(res, answer_judged(*shared, facts(req, headers), read.verdict, read.body));
    });
    server.Get(pattern,
               [shared, verifier_ptr, facts, refuse_method](const ::httplib::Request& req, ::httplib::Response& res) {
                   if (!route_verifies(req.method)) {  // cpp-httplib routes HEAD to GET handlers
                       refuse_method(req, res);
                       return;
                   }
                   const detail::request_headers headers = detail::read_headers(req);
                   const result verdict = detail::verify_read_body(*verifier_ptr, shared->registered_url, req, headers);
                   detail::send(res, answer_judged(*shared, facts(req, headers), verdict, req.body));
               });
    // With a content reader: cpp-httplib then leaves the body unread.
    auto refuse_unread = [refuse_method](const ::httplib::Request& req, ::httplib::Response& res,
                                         const ::httplib::ContentReader&) { refuse_method(req, res); };
    server.Put(pattern, refuse_unread);
    server.Patch(pattern, refuse_unread);
    server.Delete(pattern, refuse_unread);
    server.Options(pattern, refuse_method);
}

}  // namespace kore::webhook::adapters::httplib

#endif
