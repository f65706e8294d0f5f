// cli.https: `kore-webhook send` delivers over https to a cpp-httplib SSLServer started by the
// test with a certificate the test makes (OpenSSL's API, self-signed, valid for one hour). The
// certificate must be trusted (--cacert) and name the URL's host; SNI carries a host name, never
// an address, also when --connect-to sends the connection elsewhere. Every refusal is a transport
// error: exit 2, never retried, and nothing reaches the receiver.

#include "cli_common.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

using namespace kore_cli_test;

namespace {

const std::string active = "https-test-active-secret";

std::string key_file() {
    return scratch().file("https.key", active + "\n");
}

struct certificate {
    std::string cert_file;  // PEM: the server's certificate, and the CA to trust (it signed itself)
    std::string key_file;   // PEM: its private key
};

// A self-signed P-256 certificate whose subjectAltName is `names` ("DNS:localhost", "IP:127.0.0.1").
certificate make_certificate(const std::string& stem, const std::string& names) {
    struct pkey_free {
        void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
    };
    struct x509_free {
        void operator()(X509* x) const noexcept { X509_free(x); }
    };
    struct extension_free {
        void operator()(X509_EXTENSION* e) const noexcept { X509_EXTENSION_free(e); }
    };
    struct bio_free {
        void operator()(BIO* b) const noexcept { BIO_free(b); }
    };
    const std::unique_ptr<EVP_PKEY, pkey_free> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    const std::unique_ptr<X509, x509_free> cert(X509_new());
    REQUIRE(key);
    REQUIRE(cert);
    X509_NAME* subject = X509_get_subject_name(cert.get());
    const auto* common_name = reinterpret_cast<const unsigned char*>("kore-webhook test server");
    REQUIRE(X509_set_version(cert.get(), 2) == 1);
    REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) == 1);
    REQUIRE(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) != nullptr);
    REQUIRE(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600) != nullptr);
    REQUIRE(X509_set_pubkey(cert.get(), key.get()) == 1);
    REQUIRE(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, common_name, -1, -1, 0) == 1);
    REQUIRE(X509_set_issuer_name(cert.get(), subject) == 1);
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, names},
                                     std::pair<int, std::string>{NID_basic_constraints, "critical,CA:TRUE"}}) {
        const std::unique_ptr<X509_EXTENSION, extension_free> extension(
            X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
        REQUIRE(extension);
        REQUIRE(X509_add_ext(cert.get(), extension.get(), -1) == 1);
    }
    REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);

    certificate out{scratch().path(stem + ".crt"), scratch().path(stem + ".pem")};
    const std::unique_ptr<BIO, bio_free> cert_out(BIO_new_file(out.cert_file.c_str(), "w"));
    const std::unique_ptr<BIO, bio_free> key_out(BIO_new_file(out.key_file.c_str(), "w"));
    REQUIRE(cert_out);
    REQUIRE(key_out);
    REQUIRE(PEM_write_bio_X509(cert_out.get(), cert.get()) == 1);
    REQUIRE(PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
    return out;
}

receiver_setup tls_setup(const certificate& cert, const std::string& host) {
    receiver_setup setup;
    setup.cert_file = cert.cert_file;
    setup.key_file = cert.key_file;
    setup.tls_host = host;
    return setup;
}

run_result send(const std::string& url, std::vector<std::string> extra) {
    std::vector<std::string> args{"send", "--secret-file", key_file(), "--url", url, "--retries", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
}

}  // namespace

TEST_CASE("https: a certificate trusted with --cacert and valid for the host name: delivered, verified") {
    const auto cert = make_certificate("localhost", "DNS:localhost");
    receiver rx({active}, tls_setup(cert, "localhost"));
    REQUIRE(rx.url().rfind("https://localhost:", 0) == 0);
    const auto r = send(rx.url(), {"--cacert", cert.cert_file, "--event", "esim-profile"});
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.out == "204 No Content\n");
    CHECK(contains(r.err, "over https (certificate checked against --cacert " + cert.cert_file + ")"));
    const auto records = rx.records();
    REQUIRE(records.size() == 1);
    CHECK(records[0].status == 204);
    CHECK(records[0].processed);
    CHECK(rx.server_names() == std::vector<std::string>{"localhost"});  // SNI
    // The signature covers the https URL: the receiver verified it against exactly that.
    CHECK(send(rx.url(), {"--cacert", cert.cert_file, "--tamper", "body"}).out ==
          "401 Unauthorized\nsignature_mismatch\n");
}

TEST_CASE("https: without --cacert a self-signed certificate is not trusted: exit 2, nothing delivered") {
    const auto cert = make_certificate("untrusted", "DNS:localhost");
    receiver rx({active}, tls_setup(cert, "localhost"));
    const auto r = send(rx.url(), {});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "the TLS certificate of localhost:" + std::to_string(rx.port()) + " is not accepted"));
    CHECK(contains(r.err, "self-signed certificate"));
    CHECK(contains(r.err, "system's trusted CAs"));
    CHECK(rx.records().empty());
}

TEST_CASE("https: the certificate must name the URL's host, by name or by address") {
    const auto by_name = make_certificate("by-name", "DNS:localhost");
    receiver named({active}, tls_setup(by_name, "localhost"));
    const auto address_url = "https://127.0.0.1:" + std::to_string(named.port()) + "/kore/callback";
    const auto wrong_address = send(address_url, {"--cacert", by_name.cert_file});
    CHECK(wrong_address.status == 2);
    CHECK(contains(wrong_address.err, "is not accepted for '127.0.0.1': IP address mismatch"));
    CHECK(named.records().empty());

    const auto by_address = make_certificate("by-address", "IP:127.0.0.1");
    receiver addressed({active}, tls_setup(by_address, "127.0.0.1"));
    const auto ok = send(addressed.url(), {"--cacert", by_address.cert_file});
    CHECK(ok.status == 0);
    CHECK(ok.out == "204 No Content\n");
    for (const auto& name : addressed.server_names()) {
        CHECK(name.empty());  // no SNI for an IP address (RFC 6066, 3)
    }
    const auto name_url = "https://localhost:" + std::to_string(addressed.port()) + "/kore/callback";
    const auto wrong_name = send(name_url, {"--cacert", by_address.cert_file});
    CHECK(wrong_name.status == 2);
    CHECK(contains(wrong_name.err, "is not accepted for 'localhost': hostname mismatch"));
    CHECK(addressed.records().size() == 1);
}

TEST_CASE("https: --connect-to reaches one instance; SNI, certificate name and Host stay the URL's") {
    // The URL names the load balancer's host (.test, reserved: only --connect-to can deliver).
    const auto cert = make_certificate("balanced", "DNS:lb.kore.test");
    receiver_setup setup = tls_setup(cert, "lb.kore.test");
    setup.registered_authority = "lb.kore.test";
    receiver rx({active}, setup);
    REQUIRE(rx.url() == "https://lb.kore.test/kore/callback");
    const std::string instance = "127.0.0.1:" + std::to_string(rx.port());
    const auto r = send(rx.url(), {"--cacert", cert.cert_file, "--connect-to", instance});
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.out == "204 No Content\n");
    CHECK(contains(r.err, "to " + instance +
                              "/kore/callback (--connect-to; Host, SNI and certificate name: "
                              "lb.kore.test) over https"));
    const auto records = rx.records();
    REQUIRE(records.size() == 1);
    CHECK(records[0].processed);  // signed for https://lb.kore.test/kore/callback
    CHECK(rx.server_names() == std::vector<std::string>{"lb.kore.test"});
    const auto dry = send(rx.url(), {"--connect-to", instance, "--dry-run"});
    CHECK(dry.out.rfind("POST /kore/callback HTTP/1.1\r\nHost: lb.kore.test\r\n", 0) == 0);
}

TEST_CASE("https: a refused certificate is never retried, whatever --retries says") {
    // The certificate is valid for localhost; --connect-to keeps the URL's host as the name checked.
    const auto cert = make_certificate("other-name", "DNS:localhost");
    receiver rx({active}, tls_setup(cert, "localhost"));
    const std::string instance = "127.0.0.1:" + std::to_string(rx.port());
    const auto wrong_name = run({"send", "--secret-file", key_file(), "--url", "https://lb.kore.test/kore/callback",
                                 "--connect-to", instance, "--cacert", cert.cert_file, "--retries", "3"});
    CHECK(wrong_name.status == 2);
    CHECK(contains(wrong_name.err,
                   "the TLS certificate of " + instance + " is not accepted for 'lb.kore.test': hostname mismatch"));
    CHECK_FALSE(contains(wrong_name.err, "retrying"));
    const auto untrusted = run({"send", "--secret-file", key_file(), "--url", rx.url(), "--retries", "3"});
    CHECK(untrusted.status == 2);
    CHECK(contains(untrusted.err, "self-signed certificate"));
    CHECK_FALSE(contains(untrusted.err, "retrying"));
    CHECK(rx.records().empty());
    // A failure that may pass is still retried: nothing listens on the port.
    const auto refused = run({"send", "--secret-file", key_file(), "--url", "https://lb.kore.test/kore/callback",
                              "--connect-to", "127.0.0.1:1", "--retries", "1", "--retry-delay", "1"});
    CHECK(refused.status == 2);
    CHECK(contains(refused.err, "attempt 1: cannot connect to 127.0.0.1:1"));
}

TEST_CASE("https: a server that never answers the handshake times out after --timeout: exit 2") {
    // A listening socket nobody accepts on: the kernel completes TCP's handshake, TLS's never starts.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd, 4) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    const std::string port = std::to_string(ntohs(address.sin_port));
    const auto tls = send("https://127.0.0.1:" + port + "/kore/callback", {"--timeout", "1"});
    const auto plain = send("http://127.0.0.1:" + port + "/kore/callback", {"--timeout", "1"});
    ::close(fd);
    CHECK(tls.status == 2);
    CHECK(contains(tls.err, "timed out in the TLS handshake with 127.0.0.1:" + port));
    CHECK(plain.status == 2);
    CHECK(contains(plain.err, "timed out waiting for the response"));
}

TEST_CASE("https: --cacert and --connect-to mistakes are errors with exit 2") {
    const std::string key = key_file();
    const usage_case cases[] = {
        {{"send", "--secret-file", key, "--url", "https://localhost:9/kore", "--cacert", "/nonexistent/ca.pem"},
         "cannot load CA certificates from '/nonexistent/ca.pem'"},
        {{"send", "--secret-file", key, "--url", "https://localhost:9/kore", "--cacert", key},
         "cannot load CA certificates from"},
        {{"send", "--secret-file", key, "--url", "http://127.0.0.1:9/kore", "--cacert", key},
         "--cacert is for https delivery; 'http://127.0.0.1:9/kore' is plain http"},
        {{"send", "--secret-file", key, "--url", "https://localhost/kore", "--connect", "127.0.0.1:9", "--cacert", key},
         "--connect sends over plain http"},
        {{"send", "--secret-file", key, "--url", "https://localhost/kore", "--connect-to", "localhost"},
         "--connect-to needs HOST:PORT, got 'localhost'"},
        {{"send", "--secret-file", key, "--url", "https://localhost/kore", "--connect-to", "127.0.0.1:9", "--connect",
          "127.0.0.1:9"},
         "give --connect or --connect-to, not both"},
    };
    check_usage_errors(cases, active);
}
