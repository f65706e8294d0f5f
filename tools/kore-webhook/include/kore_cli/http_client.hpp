#ifndef KORE_WEBHOOK_CLI_HTTP_CLIENT_HPP
#define KORE_WEBHOOK_CLI_HTTP_CLIENT_HPP

// The repository's one raw HTTP/1.1 client (`kore-webhook send`, `demo`, and the end-to-end
// tests): one request per connection (Connection: close), over plain TCP or TLS, a deadline on
// every step and a cap on the response. It writes exactly the header fields it is given, in
// order, so a sender controls the wire (repeated, empty or oddly cased fields included), and it
// stops sending as soon as the server answers (a server may refuse an oversize body unread).
//
// TLS: the server's certificate chain is verified against --cacert or the system trust store,
// and its name against the host (SSL_set1_host for names, the IP address for literals); SNI is
// sent for names. There is no way to turn verification off.

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace kore_cli::http {

struct outgoing {
    std::string host;  // to connect to; IPv6 literals may keep their brackets
    std::string port;
    std::string method;
    std::string target;                                        // "/path?query"
    std::vector<std::pair<std::string, std::string>> headers;  // sent as given (Host included)
    std::string body;
    // Send the body with chunked transfer coding (in three chunks when it is short, so receivers
    // really reassemble; in 16 KiB chunks otherwise).
    bool chunked = false;
};

struct response {
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct tls_options {
    bool enabled = false;
    // The name the certificate must carry, and the SNI: the URL's host (brackets of an IPv6
    // literal removed by the client), whatever address the connection goes to.
    std::string server_name;
    std::string ca_file;  // PEM file of trusted CA certificates; empty: the system trust store
};

struct exchange_options {
    std::chrono::milliseconds timeout{15000};  // for everything: connect, handshake, send, receive
    std::size_t max_response = std::size_t{4} << 20;
    tls_options tls;
};

// Loads what `tls` names (the CA file, or the system's trust store) as exchange() would, so that a
// mistake there is reported once, before any connection. Throws io_error.
void check_tls_options(const tls_options& tls);

// The bytes `exchange` writes for `req`: Content-Length (or chunked coding) added when the
// headers have neither, except for a GET without a body; "Connection: close" last.
std::string serialize(const outgoing& req);

// Sends `req` and reads one whole response (interim 1xx answers skipped). Throws io_error on
// resolution, connection, TLS, timeout or protocol failures, and when the response is larger
// than options.max_response.
response exchange(const outgoing& req, const exchange_options& options);

}  // namespace kore_cli::http

#endif
