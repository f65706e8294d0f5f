#include <kore_cli/verify.hpp>

#include <kore_cli/errors.hpp>
#include <kore_cli/explain.hpp>
#include <kore_cli/io.hpp>

#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/signature_header.hpp>
#include <kore/webhook/url.hpp>

#include <string_view>
#include <system_error>
#include <utility>

namespace kore_cli {

namespace kw = kore::webhook;

kw::result judge(const kw::verifier& v, const std::string& registered_url, const verify_case& c) {
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

    std::vector<std::string> values;
    values.reserve(secrets.size());
    for (const auto& s : secrets) {
        values.push_back(s.value);
    }
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
        explain::request_facts facts;
        facts.method = c.method;
        facts.registered_url = command.url;
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
