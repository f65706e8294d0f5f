#include <kore_cli/http_client.hpp>

#include "connection.hpp"

#include <kore_cli/errors.hpp>
#include <kore_cli/http_request.hpp>

#include <kore/webhook/detail/http_text.hpp>

#include <poll.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>

namespace kore_cli::http {

namespace kwd = kore::webhook::detail;

namespace {

// Appends the body of a chunked response to `body`; true once the last chunk (and any trailer) is in.
bool dechunk(std::string_view in, std::string& body) {
    std::string_view line;
    for (;;) {
        if (!next_line(in, line)) {
            return false;
        }
        const auto size = chunk_size(line);
        if (!size) {
            throw io_error("the server's answer has a malformed chunked body");
        }
        if (*size == 0) {
            while (next_line(in, line)) {
                if (line.empty()) {
                    return true;
                }
            }
            return false;
        }
        if (in.size() < *size) {
            body.append(in);
            return false;
        }
        body.append(in.substr(0, *size));
        in.remove_prefix(*size);
        if (!next_line(in, line)) {
            return false;
        }
    }
}

// Parses what has arrived. True once one whole final response is in `data`, or the connection
// closed with at least a header section (the body is then what arrived). Throws io_error for
// bytes that are not an HTTP response.
bool parse_response(std::string_view data, bool closed, bool head_request, response& out) {
    for (;;) {
        out = response{};
        std::string_view rest = data;
        std::string_view line;
        if (!next_line(rest, line)) {
            return false;
        }
        if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[8] != ' ') {
            throw io_error("the server's answer is not an HTTP response");
        }
        const auto status = decimal(line.substr(9, 3));
        if (!status || *status < 100 || *status > 999) {
            throw io_error("the server's answer has no valid status code");
        }
        out.status = static_cast<int>(*status);
        out.reason = line.size() > 13 ? std::string(line.substr(13)) : std::string();
        std::optional<std::size_t> length;
        bool chunked = false;
        bool header_end = false;
        while (next_line(rest, line)) {
            if (line.empty()) {
                header_end = true;
                break;
            }
            const std::size_t colon = line.find(':');
            if (colon == std::string_view::npos) {
                throw io_error("the server's answer has a malformed header line");
            }
            const std::string_view name = line.substr(0, colon);
            const std::string_view value = kwd::trim_ows(line.substr(colon + 1));
            if (kwd::iequals(name, "content-length")) {
                length = decimal(value);
            } else if (kwd::iequals(name, "transfer-encoding") && kwd::iequals(value, "chunked")) {
                chunked = true;
            }
            out.headers.emplace_back(std::string(name), std::string(value));
        }
        if (!header_end) {
            if (closed) {
                throw io_error("the server's answer ended inside its header section");
            }
            return false;
        }
        if (out.status < 200) {  // 100 Continue and other interim answers: the real one follows
            data = rest;
            continue;
        }
        if (head_request || out.status == 204 || out.status == 304) {
            return true;
        }
        if (chunked) {
            return dechunk(rest, out.body) || closed;
        }
        if (length) {
            out.body = std::string(rest.substr(0, *length));
            return rest.size() >= *length || closed;
        }
        out.body = std::string(rest);
        return closed;
    }
}

}  // namespace

void check_tls_options(const tls_options& tls) {
    wire::make_client_context(tls);
}

std::string serialize(const outgoing& req) {
    std::string out = req.method + " " + req.target + " HTTP/1.1\r\n";
    bool has_length = false;
    for (const auto& [name, value] : req.headers) {
        out += name + (value.empty() ? ":" : ": ") + value + "\r\n";
        has_length = has_length || kwd::iequals(name, "content-length") || kwd::iequals(name, "transfer-encoding");
    }
    if (!has_length) {
        if (req.chunked) {
            out += "Transfer-Encoding: chunked\r\n";
        } else if (!req.body.empty() || req.method != "GET") {
            out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
        }
    }
    out += "Connection: close\r\n\r\n";
    if (!req.chunked) {
        return out + req.body;
    }
    const std::size_t piece = std::min<std::size_t>(req.body.size() / 3 + 1, 16 * 1024);
    for (std::size_t at = 0; at < req.body.size(); at += piece) {
        const std::string_view chunk = std::string_view(req.body).substr(at, piece);
        char size[20];
        std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
        out += size;
        out.append(chunk);
        out += "\r\n";
    }
    return out + "0\r\n\r\n";
}

response exchange(const outgoing& req, const exchange_options& options) {
    const auto deadline = wire::clock::now() + options.timeout;
    wire::connection conn(req.host, req.port, options.tls, deadline);

    const std::string wire_bytes = serialize(req);
    std::string_view unsent = wire_bytes;
    bool sending = true;
    wire::io_state write_waits = wire::io_state::want_write;
    wire::io_state read_waits = wire::io_state::want_read;
    std::string received;
    bool closed = false;
    response out;
    const bool head_request = req.method == "HEAD";

    while (!parse_response(received, closed, head_request, out)) {
        if (closed) {
            throw io_error(received.empty() ? "the server closed the connection without an answer"
                                            : "the server closed the connection in the middle of its answer");
        }
        short events = read_waits == wire::io_state::want_write ? POLLOUT : POLLIN;
        if (sending) {
            events = static_cast<short>(events | (write_waits == wire::io_state::want_read ? POLLIN : POLLOUT));
        }
        const short ready = wire::wait_for(conn.fd(), events, deadline);
        if (ready == 0) {
            throw io_error(sending ? "timed out sending the request" : "timed out waiting for the response");
        }
        // Read first: an answer that arrives while the request is still going out (413 for an
        // oversize body) ends the sending.
        if ((ready & (POLLIN | POLLHUP | POLLERR)) != 0 || read_waits == wire::io_state::want_write) {
            for (;;) {
                char buffer[16384];
                const wire::io_result r = conn.read_some(buffer, sizeof buffer);
                read_waits = r.state;
                if (r.state == wire::io_state::progress) {
                    received.append(buffer, r.bytes);
                    sending = false;
                    if (received.size() > options.max_response) {
                        throw io_error("the response is larger than " + std::to_string(options.max_response >> 20) +
                                       " MiB");
                    }
                    continue;
                }
                if (r.state == wire::io_state::closed) {
                    closed = true;
                } else if (r.state == wire::io_state::failed) {
                    if (received.empty()) {
                        throw io_error("connection failed while reading the response: " + r.error);
                    }
                    closed = true;  // a reset after a complete answer
                }
                break;
            }
        }
        if (sending && !closed) {
            const wire::io_result w = conn.write_some(unsent);
            write_waits = w.state;
            if (w.state == wire::io_state::progress) {
                unsent.remove_prefix(w.bytes);
                sending = !unsent.empty();
            } else if (w.state == wire::io_state::failed) {
                sending = false;  // the server closed its side; read whatever it said
            }
        }
    }
    return out;
}

}  // namespace kore_cli::http
