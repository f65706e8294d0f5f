#ifndef KORE_WEBHOOK_EXAMPLES_TLS_FILES_HPP
#define KORE_WEBHOOK_EXAMPLES_TLS_FILES_HPP

// The certificate and key an example serves HTTPS with (KORE_WEBHOOK_TLS_CERT and
// KORE_WEBHOOK_TLS_KEY), read and checked once at startup by the same code for every server, so
// that all six refuse a bad pair with the same message and exit status, before any server library
// sees the files (some only fail at the first handshake, others with an OpenSSL error stack).
// The messages name the variable and the file, never what a key file holds.

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace kore_example {

struct tls_files {
    std::string cert_path;  // PEM: the server certificate, then its chain
    std::string key_path;   // PEM: the certificate's private key, unencrypted
    std::string cert_pem;   // the files' contents, for servers that take PEM text (libmicrohttpd)
    std::string key_pem;
};

namespace tls_detail {

struct bio_free {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct x509_free {
    void operator()(X509* x) const noexcept { X509_free(x); }
};
struct pkey_free {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};

// A certificate file or key is a few KiB; anything this large is not one.
inline constexpr long max_pem_size = 1L << 20;

// Reads a whole file; on failure returns false with the reason in `error`.
inline bool read_file(const std::string& path, std::string& out, std::string& error) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
        error = std::strerror(errno);
        return false;
    }
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(file, &std::fclose);
    char buffer[4096];
    while (true) {
        const std::size_t n = std::fread(buffer, 1, sizeof buffer, file);
        out.append(buffer, n);
        if (out.size() > static_cast<std::size_t>(max_pem_size)) {
            error = "larger than 1 MiB, not a PEM certificate or key";
            return false;
        }
        if (n < sizeof buffer) {
            break;
        }
    }
    if (std::ferror(file) != 0) {
        error = std::strerror(errno);
        return false;
    }
    return true;
}

inline std::unique_ptr<BIO, bio_free> memory_bio(const std::string& text) {
    return std::unique_ptr<BIO, bio_free>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// OpenSSL would prompt on the terminal for the pass phrase of an encrypted key: refuse instead.
inline int no_pass_phrase(char*, int, int, void*) {
    return 0;
}

}  // namespace tls_detail

// Reads both files and checks that the first holds a certificate, the second an unencrypted
// private key, and that they belong together. Returns an empty string on success, else the
// reason, ready to print.
inline std::string load_tls_files(const std::string& cert_path, const std::string& key_path, tls_files& out) {
    out.cert_path = cert_path;
    out.key_path = key_path;
    std::string error;
    if (!tls_detail::read_file(cert_path, out.cert_pem, error)) {
        return "cannot read KORE_WEBHOOK_TLS_CERT (" + cert_path + "): " + error;
    }
    if (!tls_detail::read_file(key_path, out.key_pem, error)) {
        return "cannot read KORE_WEBHOOK_TLS_KEY (" + key_path + "): " + error;
    }
    const auto cert_bio = tls_detail::memory_bio(out.cert_pem);
    const auto key_bio = tls_detail::memory_bio(out.key_pem);
    if (!cert_bio || !key_bio) {
        return "cannot check the TLS files: out of memory";
    }
    const std::unique_ptr<X509, tls_detail::x509_free> cert(
        PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    const std::unique_ptr<EVP_PKEY, tls_detail::pkey_free> key(
        PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &tls_detail::no_pass_phrase, nullptr));
    ERR_clear_error();  // the reasons are said below; leave no stale error for the server library
    if (!cert) {
        return "KORE_WEBHOOK_TLS_CERT (" + cert_path + ") holds no PEM certificate";
    }
    if (!key) {
        return "KORE_WEBHOOK_TLS_KEY (" + key_path + ") holds no unencrypted PEM private key";
    }
    const bool match = X509_check_private_key(cert.get(), key.get()) == 1;
    ERR_clear_error();
    if (!match) {
        return "KORE_WEBHOOK_TLS_KEY (" + key_path + ") is not the private key of KORE_WEBHOOK_TLS_CERT (" + cert_path +
               ")";
    }
    if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) <= 0) {
        return "KORE_WEBHOOK_TLS_CERT (" + cert_path + ") has expired: KORE would refuse it";
    }
    return {};
}

}  // namespace kore_example

#endif
