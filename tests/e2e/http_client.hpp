#ifndef KORE_WEBHOOK_TESTS_E2E_HTTP_CLIENT_HPP
#define KORE_WEBHOOK_TESTS_E2E_HTTP_CLIENT_HPP

// The end-to-end tests' requests, sent with the repository's one raw HTTP client (the command-line
// tool's, kore_cli/http_client.hpp): exactly the header lines given (repeated, empty or oddly
// cased ones included), the body framed with Content-Length or chunked coding, sending stopped as
// soon as the server answers (a server may refuse an oversize body without reading it), one
// response read. This file only maps the tests' vocabulary onto it.
//
// HTTPS too: given the client's TLS options (the test's certificate as the only trust anchor, the
// name it must carry, sent as SNI), the request goes over TLS to the same 127.0.0.1:<port>.

#include <kore_cli/errors.hpp>
#include <kore_cli/http_client.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace e2e {

enum class framing {
    none,            // no length field and no body (a GET)
    content_length,  // Content-Length, even for an empty body
    chunked,
};

struct request {
    std::string method = "POST";
    std::string target = "/";
    std::vector<std::pair<std::string, std::string>> headers;  // sent as given, in order
    std::string body;
    framing body_framing = framing::content_length;
};

struct response {
    int status = 0;  // 0: no response (the error says why)
    std::string body;
    std::string error;
};

// Sends `req` to 127.0.0.1:`port` (Host: 127.0.0.1:<port>) and reads the answer; over TLS when
// `tls` is given and enabled.
inline response send(unsigned short port, const request& req,
                     std::chrono::milliseconds timeout = std::chrono::seconds(15),
                     const kore_cli::http::tls_options* tls = nullptr) {
    kore_cli::http::outgoing out;
    out.host = "127.0.0.1";
    out.port = std::to_string(port);
    out.method = req.method;
    out.target = req.target;
    out.headers.emplace_back("Host", "127.0.0.1:" + std::to_string(port));
    out.headers.insert(out.headers.end(), req.headers.begin(), req.headers.end());
    out.body = req.body;
    if (req.body_framing == framing::content_length) {
        out.headers.emplace_back("Content-Length", std::to_string(req.body.size()));
    } else if (req.body_framing == framing::chunked) {
        out.chunked = true;
    } else if (req.method != "GET" || !req.body.empty()) {
        // The client leaves the length field out only for a GET without a body.
        return {0, {}, "framing::none is for a GET without a body"};
    }
    kore_cli::http::exchange_options options;
    options.timeout = timeout;
    if (tls != nullptr) {
        options.tls = *tls;
    }
    try {
        const auto answer = kore_cli::http::exchange(out, options);
        return {answer.status, answer.body, {}};
    } catch (const kore_cli::io_error& e) {
        return {0, {}, e.what()};
    }
}

}  // namespace e2e

#endif
