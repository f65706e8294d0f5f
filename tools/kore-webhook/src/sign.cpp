// `kore-webhook sign`: the kore-signature KORE would send for a request.

#include "command.hpp"

#include <kore_cli/errors.hpp>
#include <kore_cli/io.hpp>
#include <kore_cli/url_parts.hpp>

#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/sign.hpp>
#include <kore/webhook/url.hpp>

#include <memory>

namespace kore_cli {

namespace {

struct sign_command {
    std::vector<secret_source> secrets;  // exactly one
    std::string url;
    std::string method = "POST";
    std::optional<std::string> body_file;  // no option: an empty body
};

// Prints the signature on `out`; notes and warnings on `err`. Returns 0; throws usage_error or
// io_error.
int run_sign(const sign_command& command, std::ostream& out, std::ostream& err) {
    const std::string& method = command.method;
    if (!kore::webhook::detail::is_http_method(method)) {
        throw usage_error("--method must be an HTTP method such as POST or GET, got '" + method + "'");
    }
    const auto parts = split_url(command.url);
    if (!parts || kore::webhook::signed_url(command.url).size() <= parts->scheme.size() + 3) {
        throw usage_error("--url must be the absolute http(s) callback URL as registered with KORE, got '" +
                          command.url + "'");
    }
    const std::vector<secret> secrets = load_secrets(command.secrets, err);
    if (secrets.size() != 1) {
        throw usage_error("sign uses exactly one secret: --secret-file FILE or --secret-env NAME");
    }
    const std::string body = command.body_file ? read_file(*command.body_file) : std::string();
    if (method != "POST" && method != "GET") {
        err << "note: KORE sends POST or GET; '" << method << "' is signed exactly as written\n";
    }
    out << kore::webhook::sign(secrets.front().value, method, command.url, body) << "\n";
    return 0;
}

}  // namespace

void define_sign(command& c) {
    c.describe("sign", "print the kore-signature of a request",
               "Prints the kore-signature (64 lowercase hex digits) KORE would send for this request.\n"
               "Give exactly one secret.",
               "Exit status: 0 printed; 2 usage or I/O error.");
    auto args = std::make_shared<sign_command>();
    c.secrets(args->secrets, "the webhook secret: the file's content, one trailing newline removed");
    c.text("--method", args->method, "METHOD",
           "the HTTP method, signed as given (default POST; KORE uses POST or GET)");
    c.text("--url", args->url, "URL",
           "the callback URL as registered with KORE; its query and fragment are\n"
           "not signed")
        ->required();
    c.text("--body-file", args->body_file, "FILE",
           "the raw body ('-' for standard input); no option means an empty body");
    c.runs([args](std::ostream& out, std::ostream& err) { return run_sign(*args, out, err); });
}

}  // namespace kore_cli
