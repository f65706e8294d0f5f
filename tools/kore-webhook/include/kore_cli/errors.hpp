#ifndef KORE_WEBHOOK_CLI_ERRORS_HPP
#define KORE_WEBHOOK_CLI_ERRORS_HPP

// The two ways a command fails before it has a verdict; both end in exit status 2 with the
// message on standard error. Messages name files, options and addresses, never a secret.

#include <stdexcept>

namespace kore_cli {

// A mistake on the command line: the message says what to give instead.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A file could not be read, a connection or TLS handshake failed, a server did not answer.
class io_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The server's TLS certificate was refused (an untrusted CA, another name, expired): trying again
// cannot help, so send never retries it.
class certificate_error : public io_error {
public:
    using io_error::io_error;
};

}  // namespace kore_cli

#endif
