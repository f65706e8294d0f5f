#include "connection.hpp"

#include <kore_cli/errors.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace kore_cli::http::wire {

namespace {

int remaining_ms(clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(left);
}

// OpenSSL's queued errors as one line ("" when there are none); empties the queue.
std::string openssl_errors() {
    std::string out;
    while (const unsigned long code = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        out += out.empty() ? ": " : "; ";
        out += text;
    }
    return out;
}

// libssl writes to the socket with write(2), which raises SIGPIPE when the server has already
// closed (it may answer 413 and hang up mid-body). The signal is blocked for this thread while
// libssl writes, and a SIGPIPE it raised is taken back before unblocking, so the process's
// signal handling is never changed.
class sigpipe_blocked {
public:
    sigpipe_blocked() noexcept {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigpending(&pending_before_);
        blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &previous_) == 0;
    }
    ~sigpipe_blocked() {
        if (!blocked_) {
            return;
        }
        sigset_t pending;
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE) == 1 && sigismember(&pending_before_, SIGPIPE) != 1) {
            const timespec no_wait{0, 0};
            sigtimedwait(&pipe_, nullptr, &no_wait);
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    sigpipe_blocked(const sigpipe_blocked&) = delete;
    sigpipe_blocked& operator=(const sigpipe_blocked&) = delete;

private:
    sigset_t pipe_{};
    sigset_t previous_{};
    sigset_t pending_before_{};
    bool blocked_ = false;
};

std::string without_brackets(const std::string& host) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        return host.substr(1, host.size() - 2);
    }
    return host;
}

bool is_ip_literal(const std::string& host) {
    unsigned char address[sizeof(in6_addr)];
    return inet_pton(AF_INET, host.c_str(), address) == 1 || inet_pton(AF_INET6, host.c_str(), address) == 1;
}

int connect_any(const std::string& host_as_written, const std::string& port, clock::time_point deadline) {
    const std::string host = without_brackets(host_as_written);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        throw io_error("cannot resolve '" + host + "': " + ::gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
    std::string last_error = "no address";
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            if (wait_for(fd, POLLOUT, deadline) != 0) {
                int error = 0;
                socklen_t length = sizeof error;
                if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
                    error = errno;
                }
                rc = error == 0 ? 0 : -1;
                errno = error;
            } else {
                errno = ETIMEDOUT;
            }
        }
        if (rc == 0) {
            return fd;
        }
        last_error = std::strerror(errno);
        ::close(fd);
    }
    throw io_error("cannot connect to " + host_as_written + ":" + port + ": " + last_error);
}

// What a send(2) or recv(2) that was not interrupted returned.
io_result plain_result(ssize_t n, io_state would_block) {
    if (n >= 0) {
        return {io_state::progress, static_cast<std::size_t>(n), {}};
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return {would_block, 0, {}};
    }
    return {io_state::failed, 0, std::strerror(errno)};
}

// What a failed SSL_read_ex or SSL_write_ex means.
io_result tls_failure(SSL* ssl, bool reading) {
    switch (SSL_get_error(ssl, 0)) {
        case SSL_ERROR_WANT_READ:
            return {io_state::want_read, 0, {}};
        case SSL_ERROR_WANT_WRITE:
            return {io_state::want_write, 0, {}};
        case SSL_ERROR_ZERO_RETURN:
            if (reading) {
                return {io_state::closed, 0, {}};
            }
            [[fallthrough]];
        default:
            return {io_state::failed, 0, (reading ? "TLS read failed" : "TLS write failed") + openssl_errors()};
    }
}

}  // namespace

short wait_for(int fd, short events, clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r > 0) {
            return p.revents;
        }
        if (r == 0 || errno != EINTR) {
            return 0;
        }
    }
}

ssl_ctx_ptr make_client_context(const tls_options& tls) {
    ERR_clear_error();
    ssl_ctx_ptr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
        throw io_error("OpenSSL cannot create a TLS context" + openssl_errors());
    }
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // A server that closes without close_notify after a complete, framed response is common; the
    // response parser decides whether what arrived is whole.
    SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) {
        throw io_error("OpenSSL refused TLS 1.2 as the minimum version" + openssl_errors());
    }
    if (!tls.ca_file.empty()) {
        if (SSL_CTX_load_verify_file(ctx.get(), tls.ca_file.c_str()) != 1) {
            throw io_error("cannot load CA certificates from '" + tls.ca_file + "' (a PEM file is expected)" +
                           openssl_errors());
        }
    } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
        throw io_error("cannot load the system's trusted CA certificates" + openssl_errors());
    }
    return ctx;
}

connection::connection(const std::string& host, const std::string& port, const tls_options& tls,
                       clock::time_point deadline) {
    if (tls.enabled) {
        ctx_ = make_client_context(tls);  // first: an unreadable --cacert is not the server's fault
    }
    fd_ = connect_any(host, port, deadline);
    if (tls.enabled) {
        try {
            handshake(host + ":" + port, tls, deadline);
        } catch (...) {
            ssl_.reset();
            ::close(fd_);
            throw;
        }
    }
}

connection::~connection() {
    if (ssl_) {
        const sigpipe_blocked guard;
        SSL_shutdown(ssl_.get());  // close_notify, best effort: the response is already complete
        ssl_.reset();
    }
    ::close(fd_);
}

void connection::handshake(const std::string& where, const tls_options& tls, clock::time_point deadline) {
    ssl_.reset(SSL_new(ctx_.get()));
    if (!ssl_ || SSL_set_fd(ssl_.get(), fd_) != 1) {
        throw io_error("OpenSSL cannot start a TLS session" + openssl_errors());
    }
    const std::string name = without_brackets(tls.server_name);
    if (is_ip_literal(name)) {
        // No SNI for addresses (RFC 6066, 3); the certificate must list the address itself.
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), name.c_str()) != 1) {
            throw io_error("OpenSSL cannot check the certificate for the address " + name + openssl_errors());
        }
    } else if (SSL_set_tlsext_host_name(ssl_.get(), name.c_str()) != 1 ||
               SSL_set1_host(ssl_.get(), name.c_str()) != 1) {
        throw io_error("OpenSSL cannot check the certificate for the name '" + name + "'" + openssl_errors());
    }
    for (;;) {
        ERR_clear_error();
        const int rc = SSL_connect(ssl_.get());
        if (rc == 1) {
            return;
        }
        const int error = SSL_get_error(ssl_.get(), rc);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            if (wait_for(fd_, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline) == 0) {
                throw io_error("timed out in the TLS handshake with " + where);
            }
            continue;
        }
        const long verdict = SSL_get_verify_result(ssl_.get());
        if (verdict != X509_V_OK) {
            throw certificate_error("the TLS certificate of " + where + " is not accepted for '" + name +
                                    "': " + X509_verify_cert_error_string(verdict) +
                                    (tls.ca_file.empty()
                                         ? " (checked against the system's trusted CAs; --cacert FILE names "
                                           "the CA that signed it)"
                                         : " (checked against --cacert " + tls.ca_file + ")"));
        }
        const int saved_errno = errno;
        const std::string detail = openssl_errors();
        throw io_error("the TLS handshake with " + where + " failed" +
                       (!detail.empty() ? detail
                        : error == SSL_ERROR_SYSCALL && saved_errno != 0
                            ? ": " + std::string(std::strerror(saved_errno))
                            : ": the server closed the connection"));
    }
}

io_result connection::write_some(std::string_view data) {
    if (!ssl_) {
        ssize_t n = 0;
        do {
            n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        return plain_result(n, io_state::want_write);
    }
    const sigpipe_blocked guard;
    ERR_clear_error();
    std::size_t written = 0;
    if (SSL_write_ex(ssl_.get(), data.data(), data.size(), &written) == 1) {
        return {io_state::progress, written, {}};
    }
    return tls_failure(ssl_.get(), false);
}

io_result connection::read_some(char* buffer, std::size_t size) {
    if (!ssl_) {
        ssize_t n = 0;
        do {
            n = ::recv(fd_, buffer, size, 0);
        } while (n < 0 && errno == EINTR);
        return n == 0 ? io_result{io_state::closed, 0, {}} : plain_result(n, io_state::want_read);
    }
    ERR_clear_error();
    std::size_t received = 0;
    if (SSL_read_ex(ssl_.get(), buffer, size, &received) == 1) {
        return {io_state::progress, received, {}};
    }
    return tls_failure(ssl_.get(), true);
}

}  // namespace kore_cli::http::wire
