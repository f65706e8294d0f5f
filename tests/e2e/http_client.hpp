#ifndef KORE_WEBHOOK_TESTS_E2E_HTTP_CLIENT_HPP
#define KORE_WEBHOOK_TESTS_E2E_HTTP_CLIENT_HPP

// A deliberately small HTTP/1.1 client over POSIX sockets for the end-to-end tests: it sends
// exactly the header lines it is given (repeated, empty or oddly cased ones included), frames the
// body with Content-Length or chunked encoding, stops sending as soon as the server answers (a
// server may refuse an oversize body without reading it), and reads one response.
//
// Over plain TCP, or over TLS with the connector of tls_client.hpp (kept apart, so that only the
// tests that speak TLS link libssl).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace e2e {

enum class framing { none, content_length, chunked };

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

namespace detail {

using clock = std::chrono::steady_clock;

inline int remaining_ms(clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace detail

// One non-blocking TCP connection to 127.0.0.1:port. Reads and writes never block: the caller
// polls fd() (always for POLLIN, and for POLLOUT while it has something to send). This class
// speaks plain TCP; tls_client.hpp's connection speaks TLS over the same socket.
class connection {
public:
    enum class io { progress, would_block, closed };

    explicit connection(unsigned short port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) {
            error_ = std::string("socket: ") + std::strerror(errno);
            return;
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
            error_ = std::string("connect: ") + std::strerror(errno);
        } else if (::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK) != 0) {
            error_ = std::string("fcntl: ") + std::strerror(errno);
        }
    }
    virtual ~connection() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    [[nodiscard]] bool ok() const noexcept { return error_.empty(); }
    [[nodiscard]] const std::string& error() const noexcept { return error_; }
    [[nodiscard]] int fd() const noexcept { return fd_; }

    // Writes a prefix of `data`; `written` is how much. closed: the server closed or reset.
    virtual io send_some(std::string_view data, std::size_t& written) {
        written = 0;
        const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n >= 0) {
            written = static_cast<std::size_t>(n);
            return io::progress;
        }
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? io::would_block : io::closed;
    }

    // Appends whatever data is available. progress: some arrived; closed: the server closed or
    // reset the connection (after anything appended).
    virtual io receive(std::string& into) {
        bool got = false;
        char buffer[16384];
        while (true) {
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n > 0) {
                into.append(buffer, static_cast<std::size_t>(n));
                got = true;
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                return io::closed;  // orderly close, or a reset after the server answered early
            }
            return got ? io::progress : io::would_block;
        }
    }

    // Ends the sending side for good; the server may still answer.
    virtual void half_close() { ::shutdown(fd_, SHUT_WR); }

protected:
    void fail(std::string why) { error_ = std::move(why); }

private:
    int fd_ = -1;
    std::string error_;
};

// Opens the connections a request goes over: plain TCP here; tls_client (tls_client.hpp) opens
// TLS connections.
class connector {
public:
    virtual ~connector() = default;
    // A connection that is ready for the request, or one whose error() says why not.
    [[nodiscard]] virtual std::unique_ptr<connection> open(unsigned short port,
                                                           std::chrono::steady_clock::time_point deadline) const {
        static_cast<void>(deadline);  // connecting on loopback does not wait
        return std::make_unique<connection>(port);
    }
};

namespace detail {

inline std::string hex(std::size_t n) {
    char text[32];
    std::snprintf(text, sizeof text, "%zx", n);
    return text;
}

// Parses what was received so far; true once one whole response is in `data`.
inline bool parse_response(const std::string& data, bool closed, response& out) {
    const auto head_end = data.find("\r\n\r\n");
    if (head_end == std::string::npos) {
        return false;
    }
    const std::string head = data.substr(0, head_end);
    if (head.compare(0, 5, "HTTP/") != 0 || head.size() < 12) {
        out.error = "not an HTTP response";
        return true;
    }
    out.status = std::atoi(head.c_str() + head.find(' ') + 1);
    long long length = -1;
    bool chunked = false;
    std::size_t line = head.find("\r\n");
    while (line != std::string::npos) {
        const std::size_t next = head.find("\r\n", line + 2);
        std::string field = head.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
        for (auto& c : field) {
            if (c == ':') {
                break;
            }
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (field.rfind("content-length:", 0) == 0) {
            length = std::atoll(field.c_str() + 15);
        } else if (field.rfind("transfer-encoding:", 0) == 0 && field.find("chunked") != std::string::npos) {
            chunked = true;
        }
        line = next;
    }
    const std::string rest = data.substr(head_end + 4);
    if (out.status == 204 || out.status == 304 || (out.status >= 100 && out.status < 200)) {
        if (out.status == 100) {  // an interim answer: the real one follows
            out.status = 0;
            return false;
        }
        out.body.clear();
        return true;
    }
    if (chunked) {
        std::string body;
        std::size_t pos = 0;
        while (true) {
            const auto eol = rest.find("\r\n", pos);
            if (eol == std::string::npos) {
                return closed;
            }
            const std::size_t size = std::strtoul(rest.c_str() + pos, nullptr, 16);
            if (size == 0) {
                out.body = body;
                return true;
            }
            if (rest.size() < eol + 2 + size + 2) {
                return closed;
            }
            body.append(rest, eol + 2, size);
            pos = eol + 2 + size + 2;
        }
    }
    if (length >= 0) {
        if (rest.size() < static_cast<std::size_t>(length)) {
            return closed;
        }
        out.body = rest.substr(0, static_cast<std::size_t>(length));
        return true;
    }
    out.body = rest;
    return closed;
}

}  // namespace detail

// Sends `req` to 127.0.0.1:`port` over what `via` opens (plain TCP by default) and reads the
// answer.
inline response send(unsigned short port, const request& req,
                     std::chrono::milliseconds timeout = std::chrono::seconds(15), const connector& via = connector()) {
    response out;
    const auto deadline = detail::clock::now() + timeout;
    const std::unique_ptr<connection> opened = via.open(port, deadline);
    connection& conn = *opened;
    if (!conn.ok()) {
        out.error = conn.error();
        return out;
    }

    // Everything to send, in pieces, so that sending can stop between them.
    std::vector<std::string> pieces;
    std::string head = req.method + " " + req.target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                       "\r\nConnection: close\r\n";
    for (const auto& [name, value] : req.headers) {
        head += name + ": " + value + "\r\n";
    }
    if (req.body_framing == framing::content_length) {
        head += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
    } else if (req.body_framing == framing::chunked) {
        head += "Transfer-Encoding: chunked\r\n";
    }
    head += "\r\n";
    pieces.push_back(std::move(head));
    constexpr std::size_t piece_size = 16 * 1024;
    for (std::size_t pos = 0; pos < req.body.size(); pos += piece_size) {
        const std::string part = req.body.substr(pos, piece_size);
        if (req.body_framing == framing::chunked) {
            pieces.push_back(detail::hex(part.size()) + "\r\n" + part + "\r\n");
        } else {
            pieces.push_back(part);
        }
    }
    if (req.body_framing == framing::chunked) {
        pieces.emplace_back("0\r\n\r\n");
    }

    std::string received;
    bool closed = false;
    std::size_t piece = 0;
    std::size_t offset = 0;
    bool sending = true;
    while (!detail::parse_response(received, closed, out) && !closed) {
        pollfd p{conn.fd(), static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), 0};
        const int left = detail::remaining_ms(deadline);
        if (left == 0) {
            out.error = "timed out waiting for the response";
            return out;
        }
        if (::poll(&p, 1, left) < 0) {
            if (errno == EINTR) {
                continue;
            }
            out.error = std::string("poll: ") + std::strerror(errno);
            return out;
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            const connection::io r = conn.receive(received);
            closed = r == connection::io::closed;
            if (r != connection::io::would_block) {
                sending = false;  // the server answered (or gave up): send nothing more
            }
            continue;
        }
        if (sending && (p.revents & POLLOUT)) {
            const std::string& data = pieces[piece];
            std::size_t n = 0;
            if (conn.send_some(std::string_view(data).substr(offset), n) == connection::io::closed) {
                sending = false;  // the server closed its side; read whatever it said
                continue;
            }
            offset += n;
            if (offset == data.size()) {
                offset = 0;
                if (++piece == pieces.size()) {
                    sending = false;
                }
            }
        }
    }
    if (!detail::parse_response(received, true, out) && out.error.empty()) {
        out.error = received.empty() ? "the connection closed without a response" : "incomplete response";
    }
    return out;
}

}  // namespace e2e

#endif
