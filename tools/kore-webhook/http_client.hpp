#ifndef KORE_WEBHOOK_CLI_HTTP_CLIENT_HPP
#define KORE_WEBHOOK_CLI_HTTP_CLIENT_HPP

// A small blocking HTTP/1.1 client over POSIX sockets: one request per connection
// (Connection: close), plain http only, a deadline on every step, a cap on the response size.
// It writes exactly the header fields it is given, in order: the sender controls the wire.

#include "io.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
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
    bool chunked = false;  // send the body with chunked transfer coding
};

struct response {
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

namespace detail {

class socket_handle {
public:
    explicit socket_handle(int fd) noexcept : fd_(fd) {}
    socket_handle(const socket_handle&) = delete;
    socket_handle& operator=(const socket_handle&) = delete;
    ~socket_handle() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

using clock = std::chrono::steady_clock;

inline int remaining_ms(clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(left);
}

inline bool wait_for(int fd, short events, clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r > 0) {
            return true;
        }
        if (r == 0) {
            return false;
        }
        if (errno != EINTR) {
            return false;
        }
    }
}

inline int connect_to(const std::string& host_in, const std::string& port, clock::time_point deadline) {
    std::string host = host_in;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        throw io_error("cannot resolve '" + host + "': " + ::gai_strerror(rc));
    }
    std::string last_error = "no address";
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        const int flags = ::fcntl(fd, F_GETFL, 0);
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            if (wait_for(fd, POLLOUT, deadline)) {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
                rc = err == 0 ? 0 : -1;
                errno = err;
            } else {
                errno = ETIMEDOUT;
            }
        }
        if (rc == 0) {
            ::freeaddrinfo(found);
            return fd;
        }
        last_error = std::strerror(errno);
        ::close(fd);
    }
    ::freeaddrinfo(found);
    throw io_error("cannot connect to " + host_in + ":" + port + ": " + last_error);
}

inline void send_all(int fd, std::string_view data, clock::time_point deadline) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (!wait_for(fd, POLLOUT, deadline)) {
                throw io_error("timed out sending the request");
            }
            continue;
        }
        // The receiver may answer early (413) and close; the response is still worth reading.
        return;
    }
}

inline std::string receive_all(int fd, clock::time_point deadline, std::size_t cap) {
    std::string out;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            out.append(buffer, static_cast<std::size_t>(n));
            if (out.size() > cap) {
                throw io_error("the response is larger than " + std::to_string(cap >> 20) + " MiB");
            }
            continue;
        }
        if (n == 0) {
            return out;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            if (!wait_for(fd, POLLIN, deadline)) {
                throw io_error("timed out waiting for the response");
            }
            continue;
        }
        if (!out.empty()) {
            return out;  // a reset after a complete answer
        }
        throw io_error(std::string("connection failed while reading the response: ") + std::strerror(errno));
    }
}

inline bool next_line(std::string_view& in, std::string_view& line) {
    const std::size_t lf = in.find('\n');
    if (lf == std::string_view::npos) {
        return false;
    }
    line = in.substr(0, lf);
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    in.remove_prefix(lf + 1);
    return true;
}

inline bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto l = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
        if (l(a[i]) != l(b[i])) {
            return false;
        }
    }
    return true;
}

inline response parse_response(std::string_view raw) {
    response r;
    std::string_view line;
    if (!next_line(raw, line) || line.size() < 12 || line.substr(0, 5) != "HTTP/") {
        throw io_error("the server's answer is not an HTTP response");
    }
    const std::string_view code = line.substr(9, 3);
    if (code.find_first_not_of("0123456789") != std::string_view::npos) {
        throw io_error("the server's answer has no valid status code");
    }
    r.status = std::stoi(std::string(code));
    r.reason = line.size() > 13 ? std::string(line.substr(13)) : std::string();
    std::size_t length = std::string_view::npos;
    bool chunked = false;
    for (;;) {
        if (!next_line(raw, line)) {
            throw io_error("the server's answer ended inside its header section");
        }
        if (line.empty()) {
            break;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            throw io_error("the server's answer has a malformed header line");
        }
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
            value.remove_suffix(1);
        const std::string_view name = line.substr(0, colon);
        if (iequal(name, "content-length") && value.find_first_not_of("0123456789") == std::string_view::npos &&
            !value.empty() && value.size() < 12) {
            length = static_cast<std::size_t>(std::stoull(std::string(value)));
        }
        if (iequal(name, "transfer-encoding") && iequal(value, "chunked")) {
            chunked = true;
        }
        r.headers.emplace_back(std::string(name), std::string(value));
    }
    if (chunked) {
        for (;;) {
            if (!next_line(raw, line)) {
                break;
            }
            const std::size_t size = static_cast<std::size_t>(
                std::strtoull(std::string(line.substr(0, line.find(';'))).c_str(), nullptr, 16));
            if (size == 0 || size > raw.size()) {
                break;
            }
            r.body.append(raw.substr(0, size));
            raw.remove_prefix(size);
            next_line(raw, line);
        }
    } else {
        r.body = std::string(raw.substr(0, length));
    }
    return r;
}

}  // namespace detail

// The bytes `exchange` writes for `req` (exposed so tests and --verbose can show the wire form).
inline std::string serialize(const outgoing& req) {
    std::string out = req.method + " " + req.target + " HTTP/1.1\r\n";
    bool has_length = false;
    for (const auto& [name, value] : req.headers) {
        out += name + (value.empty() ? ":" : ": ") + value + "\r\n";
        has_length = has_length || detail::iequal(name, "content-length") || detail::iequal(name, "transfer-encoding");
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
    // Three chunks when the body allows it, so receivers really have to reassemble.
    const std::size_t piece = req.body.size() / 3 + 1;
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

// Sends `req` and reads the whole response. Throws io_error on resolution, connection, timeout
// or protocol failures.
inline response exchange(const outgoing& req, std::chrono::milliseconds timeout,
                         std::size_t max_response = std::size_t{4} << 20) {
    const auto deadline = detail::clock::now() + timeout;
    detail::socket_handle sock(detail::connect_to(req.host, req.port, deadline));
    detail::send_all(sock.get(), serialize(req), deadline);
    return detail::parse_response(detail::receive_all(sock.get(), deadline, max_response));
}

}  // namespace kore_cli::http

#endif
