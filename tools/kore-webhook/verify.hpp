#ifndef KORE_WEBHOOK_CLI_VERIFY_HPP
#define KORE_WEBHOOK_CLI_VERIFY_HPP

// `kore-webhook verify`: judge one captured callback exactly as a receiver built on the library
// would (kore::webhook::verifier, plus the adapters' rules for repeated headers and GET queries),
// and with --explain say why a refused one was refused.

#include "args.hpp"
#include "explain.hpp"
#include "http_request.hpp"
#include "io.hpp"
#include "secrets.hpp"

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/common.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kore_cli {

inline constexpr std::string_view verify_help =
    R"(usage: kore-webhook verify --secret-file FILE [...] --url URL --request-file REQUEST [--explain]
       kore-webhook verify --secret-file FILE [...] --url URL --method METHOD
                           [--body-file BODY] [--signature SIG | --no-signature] [--explain]

Judges one callback exactly as a receiver built on kore-webhook does.
Exit status: 0 verified; 1 refused (the error name and its meaning are printed); 2 usage or I/O error.

  --secret-file FILE     the webhook secret: the file's content, one trailing newline removed
  --secret-env NAME      the webhook secret from environment variable NAME
  --secret SECRET        the secret itself (shows in `ps` and shell history: experiments only)
                         Repeat these to accept several secrets (Active and Pending during a rotation).
  --url URL              the callback URL exactly as registered with KORE (its query and fragment are
                         not signed); never the URL the request arrived at
  --request-file FILE    a raw HTTP/1.1 request as captured on the wire ('-' for standard input):
                         method from the request line, kore-signature header, body (Content-Length
                         or chunked); CRLF or LF line ends
  --method METHOD        without --request-file: the request's method (POST or GET)
  --body-file FILE       without --request-file: the raw body ('-' for standard input; default empty)
  --signature SIG        without --request-file: the kore-signature header value
  --no-signature         without --request-file: the request had no kore-signature header
  --explain              when refused, test the usual causes (URL spelling, body changed, method
                         case, other or mis-read secrets) and report which would have matched;
                         the verdict and exit status stay the same; no secret is ever printed
  --explain-secret-file FILE, --explain-secret-env NAME
                         secrets that are NOT accepted but that --explain tests (the previous or
                         the pending secret, another environment's)
  --max-body-size BYTES  refuse larger bodies (default 1048576)
  --allow-get-query      accept a GET callback whose request target has a query (it is not signed)
  -h, --help             this text
)";

struct verify_case {
    std::string method;
    std::string body;
    std::optional<std::string> signature;
    std::size_t signature_count = 0;
    std::optional<std::string> target;
    std::optional<std::string> host;
    std::vector<std::string> header_names;
};

// The verdict a library-based receiver gives: the adapters' checks before the body (a repeated
// header, a GET with a query), then the verifier's own.
inline kore::webhook::result judge(const kore::webhook::verifier& v, const std::string& registered_url,
                                   const verify_case& c) {
    namespace kw = kore::webhook;
    if (c.signature_count > 1) {
        return kw::result::refused(kw::make_error_code(kw::errc::duplicate_signature));
    }
    const bool has_query = c.target && kw::target_has_query(*c.target);
    if (const auto ec = kw::adapters::check_get_query(c.method, has_query, v.get_options())) {
        return kw::result::refused(ec);
    }
    const std::optional<std::string_view> header =
        c.signature ? std::optional<std::string_view>(*c.signature) : std::nullopt;
    return v.verify(c.method, registered_url, c.body, header);
}

inline verify_case case_from_request(const http::request& req) {
    verify_case c;
    c.method = req.method;
    c.body = req.body;
    c.signature_count = req.count(kore::webhook::signature_header_name);
    if (const auto s = req.find(kore::webhook::signature_header_name)) {
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

inline int run_verify(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
    const parsed_args args = parse_args(words,
                                        {{"--secret-file", "FILE", true},
                                         {"--secret-env", "NAME", true},
                                         {"--secret", "SECRET", true},
                                         {"--explain-secret-file", "FILE", true},
                                         {"--explain-secret-env", "NAME", true},
                                         {"--url", "URL"},
                                         {"--request-file", "FILE"},
                                         {"--method", "METHOD"},
                                         {"--body-file", "FILE"},
                                         {"--signature", "SIG"},
                                         {"--no-signature", ""},
                                         {"--explain", ""},
                                         {"--max-body-size", "BYTES"},
                                         {"--allow-get-query", ""}},
                                        "verify");
    if (args.has("--help")) {
        out << verify_help;
        return 0;
    }
    const auto url = args.get("--url");
    if (!url) {
        throw usage_error(
            "verify needs --url: the callback URL as registered with KORE (see: kore-webhook verify --help)");
    }
    const bool from_request = args.has("--request-file");
    if (from_request) {
        for (const char* other : {"--method", "--body-file", "--signature", "--no-signature"}) {
            if (args.has(other)) {
                throw usage_error(std::string(other) + " cannot be combined with --request-file: the request says it");
            }
        }
    } else {
        if (!args.has("--method")) {
            throw usage_error("verify needs --request-file, or --method with --signature or --no-signature");
        }
        if (args.has("--signature") == args.has("--no-signature")) {
            throw usage_error("give exactly one of --signature SIG and --no-signature");
        }
    }

    kore::webhook::options opts;
    if (const auto m = args.get("--max-body-size")) {
        opts.max_body_size = parse_count("--max-body-size", *m, max_file_size);
    }
    opts.allow_get_query = args.has("--allow-get-query");

    std::vector<secret> secrets = load_secrets(args, err);
    if (secrets.empty()) {
        throw usage_error("verify needs a secret: --secret-file FILE or --secret-env NAME");
    }
    if (secrets.size() > kore::webhook::max_secrets) {
        throw usage_error("at most " + std::to_string(kore::webhook::max_secrets) + " secrets can be accepted at once");
    }
    const std::vector<secret> others =
        load_secrets(args, err, {"--explain-secret-file", "--explain-secret-env", "--explain-secret"});

    verify_case c;
    if (from_request) {
        const std::string path = *args.get("--request-file");
        const std::string raw = read_file(path);
        const http::parse_result parsed = http::parse(raw);
        if (!parsed) {
            throw io_error("cannot parse the request in '" + path + "': " + std::string(http::describe(parsed.error)) +
                           " (at byte " + std::to_string(parsed.offset) + ")");
        }
        c = case_from_request(*parsed.value);
    } else {
        c.method = *args.get("--method");
        if (const auto b = args.get("--body-file")) {
            c.body = read_file(*b);
        }
        if (const auto s = args.get("--signature")) {
            c.signature = *s;
            c.signature_count = 1;
        }
    }

    std::vector<std::string> values;
    values.reserve(secrets.size());
    for (const auto& s : secrets) {
        values.push_back(s.value);
    }
    const kore::webhook::verifier v(std::move(values), opts);
    // A URL or method the library cannot sign with is a mistake on the command line, not a verdict.
    const std::error_code setup = v.start(c.method, *url).error();
    if (setup == kore::webhook::errc::invalid_url) {
        throw usage_error("--url must be the absolute http(s) callback URL as registered with KORE, got '" + *url +
                          "'");
    }
    if (setup == kore::webhook::errc::invalid_method) {
        throw usage_error("--method must be an HTTP method such as POST or GET, got '" + c.method + "'");
    }
    const kore::webhook::result verdict = judge(v, *url, c);

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
    if (args.has("--explain")) {
        explain::request_facts facts;
        facts.method = c.method;
        facts.registered_url = *url;
        facts.body = c.body;
        facts.signature = c.signature;
        facts.target = c.target;
        facts.host = c.host;
        facts.header_names = c.header_names;
        explain::print(out, verdict.error(), facts, secrets, others);
    }
    return 1;
}

}  // namespace kore_cli

#endif
