#ifndef KORE_WEBHOOK_EXAMPLES_HTTPLIB_RECEIVER_HPP
#define KORE_WEBHOOK_EXAMPLES_HTTPLIB_RECEIVER_HPP

// The KORE callback route on a cpp-httplib server, shared by kore-webhook-example-httplib and
// `kore-webhook demo`: POST and GET on the registered URL's path are verified (204, or the
// verdict's status with the error name as the body); other methods there get 405.
// Requests to other paths are left to the server (its default is 404).

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/httplib.hpp>

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace kore_example {

// One judged request, for the application (the demo prints it; the example only logs).
struct delivery {
    std::string_view method;
    std::string_view path;
    int status = 0;
    const kore::webhook::result* verdict = nullptr;  // null for 405
    std::string_view body;                           // the raw body, when receiver_config::keep_body
};

struct receiver_config {
    // The callback URL as registered with KORE: what the signature covers. Its path is the route.
    std::string registered_url;
    // Called once per request on the route, after it was judged; may be empty.
    std::function<void(const delivery&)> on_delivery;
    // Also hand the raw body (up to options::max_body_size) to on_delivery. The verifier itself
    // never needs the body buffered.
    bool keep_body = false;
};

namespace detail {

inline std::string path_of(std::string_view url) {
    url = kore::webhook::signed_url(url);
    const auto scheme = url.find("://");
    const auto path = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
    return path == std::string_view::npos ? std::string("/") : std::string(url.substr(path));
}

// cpp-httplib routes by std::regex: the route must match itself and nothing else.
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

inline void answer(httplib::Response& res, const kore::webhook::result& verdict) {
    res.status = kore::webhook::adapters::http_status(verdict);
    if (!verdict) {
        res.set_content(std::string(kore::webhook::adapters::error_body(verdict)), "text/plain");
    }
}

}  // namespace detail

// Installs the receiver on `server`. The verifier must outlive the server.
inline void install_receiver(httplib::Server& server, const kore::webhook::verifier& verifier, receiver_config config) {
    const std::string pattern = detail::exact_pattern(detail::path_of(config.registered_url));
    auto shared = std::make_shared<const receiver_config>(std::move(config));

    auto report = [shared](const httplib::Request& req, const httplib::Response& res,
                           const kore::webhook::result* verdict, std::string_view body) {
        if (shared->on_delivery) {
            shared->on_delivery(delivery{req.method, req.path, res.status, verdict, body});
        }
    };

    // POST: the body is streamed into the verifier as cpp-httplib reads it.
    server.Post(pattern, [&verifier, shared, report](const httplib::Request& req, httplib::Response& res,
                                                     const httplib::ContentReader& reader) {
        if (!shared->keep_body) {
            const auto verdict =
                kore::webhook::adapters::httplib::verify(verifier, shared->registered_url, req, reader);
            detail::answer(res, verdict);
            report(req, res, &verdict, {});
            return;
        }
        std::string body;
        const std::size_t limit = verifier.get_options().max_body_size;
        const httplib::ContentReader tee(
            [&](httplib::ContentReceiver receiver) {
                return reader([&](const char* data, std::size_t size) {
                    if (body.size() + size <= limit) {
                        body.append(data, size);
                    }
                    return receiver(data, size);
                });
            },
            reader.multipart_reader_);
        const auto verdict = kore::webhook::adapters::httplib::verify(verifier, shared->registered_url, req, tee);
        detail::answer(res, verdict);
        report(req, res, &verdict, verdict ? std::string_view(body) : std::string_view());
    });

    // GET: KORE's GET callbacks have no body; their query is unsigned (refused unless allowed).
    server.Get(pattern, [&verifier, shared, report](const httplib::Request& req, httplib::Response& res) {
        if (req.method != "GET") {  // cpp-httplib routes HEAD to GET handlers
            res.status = 405;
            res.set_header("Allow", "GET, POST");
            res.set_content("method_not_allowed", "text/plain");
            report(req, res, nullptr, {});
            return;
        }
        const auto verdict = kore::webhook::adapters::httplib::verify(verifier, shared->registered_url, req);
        detail::answer(res, verdict);
        report(req, res, &verdict, {});
    });

    // Other methods on the route: 405, without reading the body (content-reader handlers are
    // given the body unread).
    auto refuse = [report](const httplib::Request& req, httplib::Response& res) {
        res.status = 405;
        res.set_header("Allow", "GET, POST");
        res.set_content("method_not_allowed", "text/plain");
        report(req, res, nullptr, {});
    };
    auto refuse_unread = [refuse](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader&) {
        refuse(req, res);
    };
    server.Put(pattern, refuse_unread);
    server.Patch(pattern, refuse_unread);
    server.Delete(pattern, refuse_unread);
    server.Options(pattern, refuse);
}

}  // namespace kore_example

#endif
