#include <kore_cli/verify.hpp>

#include "command.hpp"

#include <kore_cli/errors.hpp>
#include <kore_cli/io.hpp>

#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/signature_header.hpp>
#include <kore/webhook/url.hpp>

#include <algorithm>
#include <memory>
#include <string_view>
#include <system_error>
#include <utility>

namespace kore_cli {

namespace kw = kore::webhook;

// The request's head as the server adapters give it to the core, which applies every rule of
// docs/protocol.md section 3 (the repeated header, the query, the signature) in one place.
kw::result judge(const kw::verifier& v, const std::string& registered_url, const verify_case& c) {
    kw::request_head head(c.method);
    if (c.target) {
        head.set_target(*c.target);
    }
    for (std::size_t i = 0; i < c.signature_count; ++i) {
        head.add_signature(c.signature ? std::string_view(*c.signature) : std::string_view());
    }
    return v.verify(head, registered_url, c.body);
}

verify_case case_from_request(const http::request& req) {
    verify_case c;
    c.method = req.method;
    c.body = req.body;
    c.signature_count = req.count(kw::signature_header_name);
    if (const auto s = req.find(kw::signature_header_name)) {
        c.signature = std::string(*s);
    }
    c.target = req.target;
    if (const auto h = req.find("host")) {
        c.host = std::string(*h);
    }
    for (const auto& h : req.headers) {
        c.header_names.push_back(h.name);
    }
    return c;
}

namespace {

struct verify_command {
    std::vector<secret_source> secrets;          // accepted, in rotation order
    std::vector<secret_source> explain_secrets;  // not accepted; --explain tests them
    std::string url;
    // Either a captured request...
    std::optional<std::string> request_file;
    // ...or its parts.
    std::optional<std::string> method;
    std::optional<std::string> body_file;
    std::optional<std::string> signature;
    bool no_signature = false;
    bool explain = false;
    kore::webhook::options options;
};

// Prints "verified" or "<error_name>: <message>" (and --explain's findings) on `out`, notes on
// `err`. Returns 0 verified, 1 refused; throws usage_error or io_error.
int run_verify(const verify_command& command, std::ostream& out, std::ostream& err) {
    if (!command.request_file) {
        if (!command.method) {
            throw usage_error("verify needs --request-file, or --method with --signature or --no-signature");
        }
        if (command.signature.has_value() == command.no_signature) {
            throw usage_error("give exactly one of --signature SIG and --no-signature");
        }
    }
    std::vector<secret> secrets = load_secrets(command.secrets, err);
    if (secrets.empty()) {
        throw usage_error("verify needs a secret: --secret-file FILE or --secret-env NAME");
    }
    if (secrets.size() > kw::max_secrets) {
        throw usage_error("at most " + std::to_string(kw::max_secrets) + " secrets can be accepted at once");
    }
    const std::vector<secret> others = load_secrets(command.explain_secrets, err);

    verify_case c;
    if (command.request_file) {
        const std::string& path = *command.request_file;
        const std::string raw = read_file(path);
        const http::parse_result parsed = http::parse(raw);
        if (!parsed) {
            throw io_error("cannot parse the request in '" + path + "': " + std::string(http::describe(parsed.error)) +
                           " (at byte " + std::to_string(parsed.offset) + ")");
        }
        c = case_from_request(*parsed.value);
    } else {
        c.method = *command.method;
        if (command.body_file) {
            c.body = read_file(*command.body_file);
        }
        if (command.signature) {
            c.signature = *command.signature;
            c.signature_count = 1;
        }
    }

    std::vector<std::string> values(secrets.size());
    std::transform(secrets.begin(), secrets.end(), values.begin(), [](const secret& s) { return s.value; });
    const kw::verifier v(std::move(values), command.options);
    // A URL or method the library cannot sign with is a mistake on the command line, not a verdict.
    const std::error_code setup = v.start(c.method, command.url).error();
    if (setup == kw::errc::invalid_url) {
        throw usage_error("--url must be the absolute http(s) callback URL as registered with KORE, got '" +
                          command.url + "'");
    }
    if (setup == kw::errc::invalid_method) {
        throw usage_error("--method must be an HTTP method such as POST or GET, got '" + c.method + "'");
    }
    const kw::result verdict = judge(v, command.url, c);

    if (verdict.verified()) {
        out << "verified\n";
        if (secrets.size() > 1) {
            err << "note: the signature was made with the secret from " << secrets[verdict.secret_index()].label
                << "\n";
        }
        if (verdict.json_normalized()) {
            err << "note: it matched only once insignificant JSON whitespace was removed from the body\n";
        }
        return 0;
    }
    out << verdict.error_name() << ": " << verdict.error().message() << "\n";
    if (command.explain) {
        explain::print(out, verdict.error(), c, command.url, secrets, others);
    }
    return 1;
}

}  // namespace

void define_verify(command& c) {
    c.describe("verify", "judge a captured callback as a receiver does; --explain says why it was refused",
               "Judges one callback exactly as a receiver built on kore-webhook does, in one of two forms:\n"
               "  verify --secret-file FILE [...] --url URL --request-file REQUEST [--explain]\n"
               "  verify --secret-file FILE [...] --url URL --method METHOD [--body-file BODY]\n"
               "         (--signature SIG | --no-signature) [--explain]",
               "Exit status: 0 verified; 1 refused (the error name and its meaning are printed); 2 usage or I/O\n"
               "error.");
    auto v = std::make_shared<verify_command>();
    c.secrets(v->secrets,
              "the webhook secret: the file's content, one trailing newline removed\nRepeat the secret "
              "options to accept several secrets (Active and\nPending during a rotation); the first that "
              "verifies is reported.");
    c.text("--url", v->url, "URL",
           "the callback URL exactly as registered with KORE (its query and\n"
           "fragment are not signed); never the URL the request arrived at")
        ->required();
    CLI::Option* request = c.text("--request-file", v->request_file, "FILE",
                                  "a raw HTTP/1.1 request as captured on the wire ('-' for standard input):\n"
                                  "method from the request line, kore-signature header, body (Content-Length\n"
                                  "or chunked); CRLF or LF line ends");
    CLI::Option* method =
        c.text("--method", v->method, "METHOD", "without --request-file: the request's method (POST or GET)");
    CLI::Option* body = c.text("--body-file", v->body_file, "FILE",
                               "without --request-file: the raw body ('-' for standard input;\n"
                               "default empty)");
    CLI::Option* signature =
        c.text("--signature", v->signature, "SIG", "without --request-file: the kore-signature header value");
    CLI::Option* unsigned_request =
        c.flag("--no-signature", v->no_signature, "without --request-file: the request had no kore-signature header");
    for (CLI::Option* part : {method, body, signature, unsigned_request}) {
        request->excludes(part);
    }
    signature->excludes(unsigned_request);
    c.flag("--explain", v->explain,
           "when refused, test the usual causes (URL spelling, body changed, method\n"
           "case, other or mis-read secrets) and report which would have matched;\n"
           "the verdict and exit status stay the same; no secret is ever printed");
    c.secret("--explain-secret-file", secret_source::kind::file, v->explain_secrets, "FILE",
             "a secret that is NOT accepted but that --explain tests (the previous or\n"
             "the pending secret, another environment's)");
    c.secret("--explain-secret-env", secret_source::kind::env, v->explain_secrets, "NAME",
             "the same, from environment variable NAME");
    c.number("--max-body-size", max_file_size, "BYTES", "refuse larger bodies (default 1048576)",
             [v](std::size_t n) { v->options.max_body_size = n; });
    c.flag("--allow-get-query", v->options.allow_get_query,
           "accept a GET callback whose request target has a query (it is not signed)");
    c.runs([v](std::ostream& out, std::ostream& err) { return run_verify(*v, out, err); });
}

}  // namespace kore_cli
