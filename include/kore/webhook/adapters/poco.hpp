#ifndef KORE_WEBHOOK_ADAPTERS_POCO_HPP
#define KORE_WEBHOOK_ADAPTERS_POCO_HPP

// POCO (PocoNet) adapter. Most applications ask the route helper first in their factory:
//
//   kore::webhook::adapters::poco::route callback_route(verifier, std::move(config));  // route_config
//   Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& req) override {
//       if (auto* handler = callback_route.handler_for(req)) return handler;
//       return ...;                                        // the application's other paths
//   }
//
// For a handler of your own: read_verified(v, registered_url, req) gives the verdict and the body,
// verify(v, url, req[, sink]) keeps none; answer kore::webhook::http_status(r.verdict), and call
// drain_before_close(req) after an answer that leaves the body unread (body_left_unread()).
//
// Why the adapter counts Content-Length bodies and decodes chunked ones itself, and why a close
// is drained first: docs/servers.md, "POCO".

#include <kore/webhook/adapters/body.hpp>
#include <kore/webhook/adapters/callback.hpp>
#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/adapters/detail/chunked_decoder.hpp>
#include <kore/webhook/adapters/detail/read.hpp>
#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/request.hpp>
#include <kore/webhook/adapters/route.hpp>
#include <kore/webhook/body_verification.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/verifier.hpp>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/HTTPSession.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace kore::webhook::adapters::poco {

namespace detail {

// HTTPSession's byte reads are protected: POCO's own body streams, its friends, use them. Naming
// them through a derived class gives pointers to those members, so that a chunked body can be
// read byte-exactly from the session's buffer, framing checked here. Never instantiated.
struct session_access : Poco::Net::HTTPSession {
    using Poco::Net::HTTPSession::get;
    using Poco::Net::HTTPSession::read;
};

// Reads a chunked body from the session, up to and including the empty line after the last chunk
// and never beyond it (the next request on the connection stays where POCO expects it). False
// when the connection ended or the framing broke before that.
template <class Sink>
bool read_chunked(Poco::Net::HTTPSession& session, body_verification& check, Sink& sink) {
    int (Poco::Net::HTTPSession::*const get_byte)() = &session_access::get;
    int (Poco::Net::HTTPSession::*const read_bytes)(char*, std::streamsize) = &session_access::read;
    adapters::detail::chunked_decoder decoder;
    auto deliver = [&check, &sink](std::string_view run) { check.put(run, sink); };
    adapters::detail::body_piece piece;  // NOLINT(cppcoreguidelines-pro-type-member-init): see body_piece
    while (!decoder.done() && !decoder.failed() && !check.error()) {
        const std::uint64_t limit = decoder.next_read_limit();
        if (limit > 1) {  // chunk data: as much of it as fits
            const auto wanted = static_cast<std::streamsize>(std::min<std::uint64_t>(limit, piece.size()));
            const int got = (session.*read_bytes)(piece.data(), wanted);
            if (got <= 0) {
                return false;
            }
            decoder.feed(std::string_view(piece.data(), static_cast<std::size_t>(got)), deliver);
        } else {  // framing, one byte at a time from the session's buffer
            const int c = (session.*get_byte)();
            if (c == std::char_traits<char>::eof()) {
                return false;
            }
            const char byte = static_cast<char>(c);
            decoder.feed(std::string_view(&byte, 1), deliver);
        }
    }
    return decoder.done() || check.error();
}

// Reads a body POCO delimits itself (Content-Length, or until the connection closes when a
// request has neither length nor chunking). False when it ended before its declared length.
template <class Sink>
bool read_delimited(std::istream& in, std::optional<std::uint64_t> declared, body_verification& check, Sink& sink) {
    adapters::detail::body_piece piece;  // NOLINT(cppcoreguidelines-pro-type-member-init): see body_piece
    std::uint64_t total = 0;
    while (!check.error() && in) {
        in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
        const auto got = in.gcount();
        if (got > 0) {
            total += static_cast<std::uint64_t>(got);
            check.put(std::string_view(piece.data(), static_cast<std::size_t>(got)), sink);
        }
    }
    if (check.error()) {
        return true;  // stopped on purpose; the verification says why
    }
    return !in.bad() && (!declared || total == *declared);
}

inline std::optional<std::uint64_t> declared_length(const Poco::Net::HTTPServerRequest& req) {
    if (req.hasContentLength() && !req.getChunkedTransferEncoding() && req.getContentLength64() >= 0) {
        return static_cast<std::uint64_t>(req.getContentLength64());
    }
    return std::nullopt;
}

// The header walk and POCO's body streams, driving one body_verification.
template <class Sink>
verified_body read_body(const verifier& v, std::string_view registered_url, Poco::Net::HTTPServerRequest& req,
                        keep_body keep, Sink& sink) {
    request_head head(req.getMethod(), req.getURI());
    for (const auto& header : req) {  // every header line, repeated names included
        head.offer_header(header.first, header.second);
    }
    const auto declared = declared_length(req);
    if (declared) {
        head.set_content_length(*declared);
    }
    body_verification check(v, registered_url, head, keep);
    if (check.error()) {
        return {check.finish(), {}};
    }
    bool complete = false;
    try {
        if (req.getChunkedTransferEncoding()) {
            auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&req);
            if (impl == nullptr) {
                // Not POCO's own server request: its chunked stream cannot say whether the body
                // is complete, so it is not judged.
                return {result::refused(make_error_code(adapter_errc::body_unavailable)), {}};
            }
            complete = read_chunked(impl->session(), check, sink);
        } else {
            complete = read_delimited(req.stream(), declared, check, sink);
        }
    } catch (const Poco::Exception&) {  // a timeout or a reset connection mid-body
        complete = false;
    }
    if (!complete) {
        check.fail(make_error_code(adapter_errc::body_incomplete));
    }
    result verdict = check.finish();
    return {verdict, check.take_body()};
}

}  // namespace detail

// `registered_url` is the callback URL as registered with KORE, never rebuilt from the request.
// No copy of the body is kept.
inline result verify(const verifier& v, std::string_view registered_url, Poco::Net::HTTPServerRequest& req) {
    adapters::detail::no_sink none;
    return detail::read_body(v, registered_url, req, keep_body::no, none).verdict;
}

// The same, handing each piece of the body to `sink` (callable with std::string_view) as it is
// read, in order, at most options::max_body_size bytes in all. Untrusted until the verdict.
template <class Sink>
result verify(const verifier& v, std::string_view registered_url, Poco::Net::HTTPServerRequest& req, Sink&& sink) {
    return detail::read_body(v, registered_url, req, keep_body::no, sink).verdict;
}

// The same, keeping the body: the verdict with the raw bytes it was reached on.
inline verified_body read_verified(const verifier& v, std::string_view registered_url,
                                   Poco::Net::HTTPServerRequest& req) {
    adapters::detail::no_sink none;
    return detail::read_body(v, registered_url, req, keep_body::yes, none);
}

using adapters::drain_limits;

// Call after the answer is sent (its stream flushed) when it leaves request bytes unread
// (adapters::body_left_unread(), a 405, a 404 with a body) and the connection closes: stops
// writing (a FIN on a plain connection, which also tells the client the answer is complete), then
// reads and drops what the client still sends until it closes, at most `limits.bytes` for at
// most `limits.time`. POCO then closes a drained socket in order. Blocks the handler's thread
// for that long at most. Never throws.
inline void drain_before_close(Poco::Net::HTTPServerRequest& req, drain_limits limits = {}) noexcept {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&req);
    if (impl == nullptr) {
        return;  // not POCO's own server request: its socket is out of reach
    }
    try {
        Poco::Net::StreamSocket& socket = impl->socket();
        socket.shutdownSend();  // a no-op on a TLS socket: its answer is complete by Content-Length
        const auto give_up = std::chrono::steady_clock::now() + limits.time;
        adapters::detail::body_piece dropped;  // NOLINT(cppcoreguidelines-pro-type-member-init): see body_piece
        std::uint64_t total = 0;
        while (total < limits.bytes) {
            const auto left =
                std::chrono::duration_cast<std::chrono::microseconds>(give_up - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                break;
            }
            socket.setReceiveTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(left.count())));
            const int got = socket.receiveBytes(dropped.data(), static_cast<int>(dropped.size()));
            if (got <= 0) {
                break;  // the client closed: the close is orderly now
            }
            total += static_cast<std::uint64_t>(got);
        }
    } catch (...) {  // a timeout or a reset: the connection closes all the same
    }
}

// The KORE callback route for a POCO server: handler_for() gives a request handler for requests
// on the registered URL's path (see adapters/route.hpp for what it answers). The route and the
// verifier must outlive the server.
class route {
public:
    route(const verifier& v, route_config config)
        : verifier_(&v),
          config_(std::make_shared<const route_config>(std::move(config))),
          path_(route_path(config_->registered_url)) {}

    // The path served: the registered URL's, as registered.
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

    // For HTTPRequestHandlerFactory::createRequestHandler: a new handler (POCO's server deletes it)
    // when the request's path is the route's, nullptr otherwise.
    [[nodiscard]] Poco::Net::HTTPRequestHandler* handler_for(const Poco::Net::HTTPServerRequest& req) const {
        const std::string& target = req.getURI();
        if (std::string_view(target).substr(0, target.find('?')) != path_) {
            return nullptr;
        }
        return new handler(*verifier_, config_);
    }

private:
    class handler final : public Poco::Net::HTTPRequestHandler {
    public:
        handler(const verifier& v, std::shared_ptr<const route_config> config)
            : verifier_(v), config_(std::move(config)) {}

        void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
            const std::string& method = req.getMethod();
            const std::string& target = req.getURI();
            const std::string_view path = std::string_view(target).substr(0, target.find('?'));
            if (!route_verifies(method)) {
                send(req, res, answer_method_not_allowed(*config_, route_request{method, path, {}, {}}));
                return;
            }
            const verified_body r = read_verified(verifier_, config_->registered_url, req);
            const std::string& content_type = req.get("Content-Type", empty_);
            const std::string& token = req.get(std::string(idempotency_token_header_name), empty_);
            send(req, res,
                 answer_judged(*config_, route_request{method, path, content_type, token}, r.verdict, r.body));
        }

    private:
        static void send(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                         const route_answer& answer) {
            res.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
            if (answer.close_connection) {
                res.setKeepAlive(false);
            }
            if (answer.allow_header) {
                res.set("Allow", std::string(allowed_methods));
            }
            if (!answer.body.empty()) {
                res.setContentType("text/plain");
            }
            res.setContentLength(static_cast<std::streamsize>(answer.body.size()));
            // POCO buffers the header and the body and writes them together when flushed.
            std::ostream& out = res.send();
            out << answer.body;
            out.flush();
            if (answer.close_connection) {
                drain_before_close(req);
            }
        }

        const verifier& verifier_;
        std::shared_ptr<const route_config> config_;
        const std::string empty_;
    };

    const verifier* verifier_;
    std::shared_ptr<const route_config> config_;
    std::string path_;
};

}  // namespace kore::webhook::adapters::poco

#endif
