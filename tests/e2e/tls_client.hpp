#ifndef KORE_WEBHOOK_TESTS_E2E_TLS_CLIENT_HPP
#define KORE_WEBHOOK_TESTS_E2E_TLS_CLIENT_HPP

// HTTPS for the end-to-end tests' client (http_client.hpp): a connector that opens TLS
// connections (OpenSSL libssl) and checks the server as KORE's HTTPS client would: the
// certificate chain against one trust anchor (the test's self-signed certificate), the name it
// must carry (SNI sent for a DNS name; an IP address checked against the IP SAN, without SNI).
// The command-line tool's client (tools/kore-webhook, branch cli) does the same for
// `kore-webhook send`; when it is on main the tests can send through it instead.

#include "http_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace e2e {

namespace detail {

// The OpenSSL error queue as text (and emptied), for a failed handshake.
inline std::string openssl_errors() {
    std::string text;
    while (const unsigned long e = ERR_get_error()) {
        char line[256];
        ERR_error_string_n(e, line, sizeof line);
        text += text.empty() ? std::string(line) : "; " + std::string(line);
    }
    return text.empty() ? "no OpenSSL error" : text;
}

struct ssl_free {
    void operator()(SSL* s) const noexcept { SSL_free(s); }
};
struct ssl_ctx_free {
    void operator()(SSL_CTX* c) const noexcept { SSL_CTX_free(c); }
};

}  // namespace detail

// A TLS connection over connection's socket. Non-blocking like it: TLS records that carry no
// application data (TLS 1.3 session tickets) count as nothing received.
class tls_connection : public connection {
public:
    tls_connection(unsigned short port, SSL_CTX* context, const std::string& server_name, bool name_is_ip,
                   std::chrono::steady_clock::time_point deadline)
        : connection(port) {
        if (ok()) {
            handshake(context, server_name, name_is_ip, deadline);
        }
    }

    io send_some(std::string_view data, std::size_t& written) override {
        written = 0;
        const int n = SSL_write(ssl_.get(), data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20)));
        if (n > 0) {
            written = static_cast<std::size_t>(n);
            return io::progress;
        }
        const int reason = SSL_get_error(ssl_.get(), n);
        if (reason == SSL_ERROR_WANT_WRITE || reason == SSL_ERROR_WANT_READ) {
            return io::would_block;
        }
        ERR_clear_error();
        return io::closed;
    }

    io receive(std::string& into) override {
        bool got = false;
        char buffer[16384];
        while (true) {
            const int n = SSL_read(ssl_.get(), buffer, static_cast<int>(sizeof buffer));
            if (n > 0) {
                into.append(buffer, static_cast<std::size_t>(n));
                got = true;
                continue;
            }
            const int reason = SSL_get_error(ssl_.get(), n);
            if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) {
                return got ? io::progress : io::would_block;
            }
            // close_notify, or a close or reset without it (what many servers do after answering).
            ERR_clear_error();
            return io::closed;
        }
    }

    // close_notify, then the socket's sending side: the request can never be completed.
    void half_close() override {
        static_cast<void>(SSL_shutdown(ssl_.get()));  // 0: sent; the server's close_notify not awaited
        ERR_clear_error();
        connection::half_close();
    }

private:
    void handshake(SSL_CTX* context, const std::string& server_name, bool name_is_ip,
                   std::chrono::steady_clock::time_point deadline) {
        ssl_.reset(SSL_new(context));
        if (!ssl_ || SSL_set_fd(ssl_.get(), fd()) != 1) {
            fail("SSL_new failed: " + detail::openssl_errors());
            return;
        }
        if (name_is_ip) {
            // No SNI for an address (RFC 6066, section 3): the certificate must carry the IP.
            if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), server_name.c_str()) != 1) {
                fail("cannot expect the IP address " + server_name);
                return;
            }
        } else if (SSL_set_tlsext_host_name(ssl_.get(), server_name.c_str()) != 1 ||
                   SSL_set1_host(ssl_.get(), server_name.c_str()) != 1) {
            fail("cannot expect the name " + server_name);
            return;
        }
        while (true) {
            const int r = SSL_connect(ssl_.get());
            if (r == 1) {
                return;
            }
            const int reason = SSL_get_error(ssl_.get(), r);
            if (reason != SSL_ERROR_WANT_READ && reason != SSL_ERROR_WANT_WRITE) {
                const long verify = SSL_get_verify_result(ssl_.get());
                std::string why = "TLS handshake failed: " + detail::openssl_errors();
                if (verify != X509_V_OK) {
                    why += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) + ")";
                }
                fail(why);
                return;
            }
            pollfd p{fd(), static_cast<short>(reason == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
            const int left = detail::remaining_ms(deadline);
            if (left == 0 || (::poll(&p, 1, left) < 0 && errno != EINTR)) {
                fail("timed out in the TLS handshake");
                return;
            }
        }
    }

    std::unique_ptr<SSL, detail::ssl_free> ssl_;
};

// What an HTTPS request trusts and checks; one per test, shared by its threads (read-only once
// constructed).
class tls_client : public connector {
public:
    // `ca_file`: PEM certificate(s) trusted as anchors; `server_name`: the DNS name (sent as SNI)
    // or the IP address the server's certificate must carry. Throws std::runtime_error.
    tls_client(const std::string& ca_file, std::string server_name) : server_name_(std::move(server_name)) {
        ctx_.reset(SSL_CTX_new(TLS_client_method()));
        if (!ctx_) {
            throw std::runtime_error("SSL_CTX_new failed: " + detail::openssl_errors());
        }
        if (SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_2_VERSION) != 1) {
            throw std::runtime_error("cannot require TLS 1.2: " + detail::openssl_errors());
        }
        if (SSL_CTX_load_verify_locations(ctx_.get(), ca_file.c_str(), nullptr) != 1) {
            throw std::runtime_error("cannot load the trust anchor " + ca_file + ": " + detail::openssl_errors());
        }
        SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
        // A write may stop part-way (the server answered early) and go on from another buffer.
        SSL_CTX_set_mode(ctx_.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        in6_addr address{};
        name_is_ip_ = ::inet_pton(AF_INET, server_name_.c_str(), &address) == 1 ||
                      ::inet_pton(AF_INET6, server_name_.c_str(), &address) == 1;
    }

    [[nodiscard]] std::unique_ptr<connection> open(unsigned short port,
                                                   std::chrono::steady_clock::time_point deadline) const override {
        return std::make_unique<tls_connection>(port, ctx_.get(), server_name_, name_is_ip_, deadline);
    }

private:
    std::unique_ptr<SSL_CTX, detail::ssl_ctx_free> ctx_;
    std::string server_name_;
    bool name_is_ip_ = false;
};

}  // namespace e2e

#endif
