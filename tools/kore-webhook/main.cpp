// kore-webhook: sign, verify, send and demo KORE Wireless webhook callbacks.
// Exit status: 0 success; 1 refused (verify), non-2xx (send) or a wrong verdict (demo);
// 2 usage or I/O error.

#include "args.hpp"
#include "demo.hpp"
#include "http_request.hpp"
#include "io.hpp"
#include "secrets.hpp"
#include "send.hpp"
#include "url_parts.hpp"
#include "verify.hpp"

#include <kore/webhook.hpp>

#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace kore_cli {

inline constexpr std::string_view main_help = R"(usage: kore-webhook <command> [options]

Sign, verify and send KORE Wireless webhook callbacks (kore-signature: SHA-256 of
secret || METHOD || registered URL || body).

commands:
  demo     start a local receiver and show it accepting genuine and refusing forged callbacks
  sign     print the kore-signature of a request
  verify   judge a captured callback as a receiver does; --explain says why it was refused
  send     deliver a KORE-style callback (or a tampered one) to a URL over HTTP

Secrets are read from files (--secret-file) or environment variables (--secret-env), never
printed. Run `kore-webhook <command> --help` for a command's options.
  --version    print the version
)";

inline constexpr std::string_view sign_help =
    R"(usage: kore-webhook sign --secret-file FILE --url URL [--method METHOD] [--body-file FILE | --body-file -]

Prints the kore-signature (64 lowercase hex digits) KORE would send for this request.
Exit status: 0 printed; 2 usage or I/O error.

  --secret-file FILE   the webhook secret: the file's content, one trailing newline removed
  --secret-env NAME    the webhook secret from environment variable NAME
  --secret SECRET      the secret itself (shows in `ps` and shell history: experiments only)
  --method METHOD      the HTTP method, signed as given (default POST; KORE uses POST or GET)
  --url URL            the callback URL as registered with KORE; its query and fragment are not signed
  --body-file FILE     the raw body ('-' for standard input); no option means an empty body
  -h, --help           this text
)";

inline int run_sign(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
    const parsed_args args = parse_args(words,
                                        {{"--secret-file", "FILE", true},
                                         {"--secret-env", "NAME", true},
                                         {"--secret", "SECRET", true},
                                         {"--method", "METHOD"},
                                         {"--url", "URL"},
                                         {"--body-file", "FILE"}},
                                        "sign");
    if (args.has("--help")) {
        out << sign_help;
        return 0;
    }
    const auto url = args.get("--url");
    if (!url) {
        throw usage_error("sign needs --url: the callback URL as registered with KORE (see: kore-webhook sign --help)");
    }
    const std::string method = args.get_or("--method", "POST");
    if (!http::detail::is_token(method)) {
        throw usage_error("--method must be an HTTP method such as POST or GET, got '" + method + "'");
    }
    const auto parts = split_url(*url);
    if (!parts || kore::webhook::signed_url(*url).size() <= parts->scheme.size() + 3) {
        throw usage_error("--url must be the absolute http(s) callback URL as registered with KORE, got '" + *url +
                          "'");
    }
    const std::vector<secret> secrets = load_secrets(args, err);
    if (secrets.size() != 1) {
        throw usage_error("sign uses exactly one secret: --secret-file FILE or --secret-env NAME");
    }
    const std::string body = args.has("--body-file") ? read_file(*args.get("--body-file")) : std::string();
    if (method != "POST" && method != "GET") {
        err << "note: KORE sends POST or GET; '" << method << "' is signed exactly as written\n";
    }
    out << kore::webhook::sign(secrets.front().value, method, *url, body) << "\n";
    return 0;
}

inline int run(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    if (argv.empty()) {
        err << main_help;
        return 2;
    }
    const std::string& command = argv.front();
    const std::vector<std::string> rest(argv.begin() + 1, argv.end());
    try {
        if (command == "-h" || command == "--help" || command == "help") {
            out << main_help;
            return 0;
        }
        if (command == "--version" || command == "version") {
            out << "kore-webhook " << KORE_WEBHOOK_VERSION_MAJOR << "." << KORE_WEBHOOK_VERSION_MINOR << "."
                << KORE_WEBHOOK_VERSION_PATCH << "\n";
            return 0;
        }
        if (command == "sign") {
            return run_sign(rest, out, err);
        }
        if (command == "verify") {
            return run_verify(rest, out, err);
        }
        if (command == "send") {
            return run_send(rest, out, err);
        }
        if (command == "demo") {
            return run_demo(rest, out, err);
        }
        throw usage_error("unknown command '" + command + "' (demo, sign, verify, send; see: kore-webhook --help)");
    } catch (const usage_error& e) {
        err << "kore-webhook: " << e.what() << "\n";
        return 2;
    } catch (const io_error& e) {
        err << "kore-webhook: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        // Library and OpenSSL failures: their messages never hold a secret.
        err << "kore-webhook: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace kore_cli

int main(int argc, char** argv) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        args.emplace_back(argv[i]);
    }
    const int status = kore_cli::run(args, std::cout, std::cerr);
    std::cout.flush();
    return status;
}
