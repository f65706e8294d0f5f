// `kore-webhook send`: its options; the plan (what goes on the wire, decided before anything is
// sent, which demo reuses); the delivery with KORE's retries.

#include <kore_cli/send.hpp>

#include "command.hpp"

#include <kore_cli/errors.hpp>
#include <kore_cli/events.hpp>
#include <kore_cli/forge.hpp>
#include <kore_cli/io.hpp>
#include <kore_cli/json_text.hpp>
#include <kore_cli/url_parts.hpp>

#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/sign.hpp>
#include <kore/webhook/url.hpp>

#include <algorithm>
#include <iterator>
#include <memory>
#include <thread>
#include <utility>

namespace kore_cli {

namespace kwd = kore::webhook::detail;

namespace {

std::string pad_body(std::string body, std::size_t size, bool json_body) {
    if (body.size() > size) {
        throw usage_error("--body-size " + std::to_string(size) + " is smaller than the body (" +
                          std::to_string(body.size()) + " bytes)");
    }
    if (json_body) {
        body.append(size - body.size(), ' ');  // whitespace after a JSON text keeps it valid
        return body;
    }
    const std::string field = body.empty() ? "padding=" : "&padding=";
    if (body.size() + field.size() <= size) {
        body += field;
    }
    body.append(size - body.size(), 'x');
    return body;
}

// One letter or digit of the body changed: what an attacker editing a captured callback does.
std::string altered(std::string body) {
    for (std::size_t i = body.size(); i-- > 0;) {
        char& c = body[i];
        if ((c >= 'a' && c <= 'y') || (c >= 'A' && c <= 'Y') || (c >= '0' && c <= '8')) {
            ++c;
            return body;
        }
        if (c == 'z' || c == 'Z' || c == '9') {
            c = c == '9' ? '0' : static_cast<char>(c - 25);
            return body;
        }
    }
    return body + "x";
}

std::pair<std::string, std::string> split_header(const std::string& text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string::npos || colon == 0) {
        throw usage_error("--header needs 'Name: value', got '" + text + "'");
    }
    std::string name = text.substr(0, colon);
    std::string value = text.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (name.find_first_of(" \t\r\n") != std::string::npos) {
        throw usage_error("--header name '" + name + "' holds whitespace");
    }
    if (value.find_first_of("\r\n") != std::string::npos) {
        throw usage_error("--header value for '" + name + "' holds a line break");
    }
    return {name, value};
}

std::string header_value(const http::outgoing& req, std::string_view name) {
    const auto h = std::find_if(req.headers.begin(), req.headers.end(),
                                [name](const auto& field) { return kwd::iequals(field.first, name); });
    return h != req.headers.end() ? h->second : "(none)";
}

bool retryable(int status) {
    return status == 408 || status == 423 || status == 429 || status >= 500;
}

bool success(int status) {
    return status >= 200 && status < 300;
}

void print_response(std::ostream& out, const http::response& r) {
    out << r.status << (r.reason.empty() ? "" : " ") << r.reason << "\n";
    if (!r.body.empty()) {
        out << r.body << (r.body.back() == '\n' ? "" : "\n");
    }
}

// What the second answer of --tamper replay says about the receiver.
std::string replay_verdict(const http::response& original, const http::response& replay) {
    const std::string second = std::to_string(replay.status);
    if (!success(original.status)) {
        return "the original was not accepted (" + std::to_string(original.status) +
               "), so the replay shows nothing: make the original verify first";
    }
    if (success(replay.status) && kwd::iequals(kwd::trim_ows(replay.body), "duplicate")) {
        return "recognised as a duplicate (" + second + " duplicate): not processed again";
    }
    if (success(replay.status)) {
        return "accepted like a new callback (" + second +
               "): unless the receiver skips it silently, it processed this callback twice (a replay guard "
               "keyed on the signature answers 200 duplicate)";
    }
    return "refused (" + second + "): not processed again";
}

}  // namespace

send_plan make_plan(const send_settings& s, std::string_view secret, std::time_t now) {
    send_plan plan;
    plan.retries = s.retries;
    plan.retry_delay = s.retry_delay;
    plan.transport.timeout = s.timeout;
    plan.created = now;

    const auto url = split_url(s.registered_url);
    if (!url || kore::webhook::signed_url(s.registered_url).size() <= url->scheme.size() + 3) {
        throw usage_error("--url must be an absolute http(s) URL as registered with KORE, got '" + s.registered_url +
                          "'");
    }
    if (!kwd::is_http_method(s.method)) {
        throw usage_error("--method must be an HTTP method such as POST or GET, got '" + s.method + "'");
    }
    if (!s.tamper.empty() &&
        std::find(std::begin(tamper_modes), std::end(tamper_modes), s.tamper) == std::end(tamper_modes)) {
        throw usage_error("unknown --tamper mode '" + s.tamper +
                          "' (body, signature, unsigned, missing, replay, length-extension, wrong-url)");
    }
    if (s.connect && s.connect_to) {  // not a CLI11 exclusion: --connect's help line stays as it was
        throw usage_error("give --connect or --connect-to, not both");
    }
    const bool tls = url->is_https() && !s.connect;
    if (s.ca_file && !tls) {
        throw usage_error(s.connect ? "--cacert is for https delivery; --connect sends over plain http"
                                    : "--cacert is for https delivery; '" + s.registered_url + "' is plain http");
    }
    plan.transport.tls.enabled = tls;
    plan.transport.tls.server_name = url->host;
    plan.transport.tls.ca_file = s.ca_file.value_or("");

    // The body and its type.
    std::string body;
    if (s.body) {
        plan.event_name = "body-file";
        body = *s.body;
        plan.content_type = s.content_type                ? *s.content_type
                            : json::looks_like_json(body) ? std::string(json_content_type)
                                                          : std::string(form_content_type);
    } else {
        const auto e = make_event(s.event, now);
        if (!e) {
            const auto name = [](const event_info& info) { return info.name; };
            const std::string names = CLI::detail::join(event_catalog, name, ", ");
            throw usage_error("unknown --event '" + s.event + "' (" + names + ")");
        }
        plan.event_name = e->name;
        body = e->body;
        plan.content_type = s.content_type ? *s.content_type : e->content_type;
    }
    const bool json_body = plan.content_type.find("json") != std::string::npos;

    // A GET carries its data in the query, which is not signed; the signed body is empty.
    std::string query = url->rest.substr(0, url->rest.find('#'));
    const bool is_get = s.method == "GET";
    if (is_get) {
        if (!body.empty()) {
            if (json_body) {
                throw usage_error("a GET callback has no body: use a form event or --method POST for JSON");
            }
            query += (query.empty() ? "?" : "&") + body;
        }
        body.clear();
    }
    if (s.body_size) {
        body = pad_body(std::move(body), *s.body_size, json_body);
    }
    std::string signed_body = body;
    std::string sent_body = body;
    if (s.pretty_json) {
        // Sent indented; signed over what the receiver's JSON fallback recovers from it: the same
        // text without insignificant whitespace (the library's minifier, as the verifier uses).
        const auto pretty = json_body ? json::rewritten(body, json::layout::indent2) : std::nullopt;
        const auto minified = pretty ? json::minified(*pretty) : std::nullopt;
        if (!minified) {
            throw usage_error("--pretty-json needs a JSON body");
        }
        signed_body = *minified;
        sent_body = *pretty;
    }

    // The signature, and what the tamper mode does to it.
    std::string sign_url = s.registered_url;
    if (s.tamper == "wrong-url") {
        url_parts other = *url;
        other.path = "/not-your-endpoint";
        other.rest.clear();
        sign_url = other.str();
    }
    plan.signature = kore::webhook::sign(secret, s.method, sign_url, signed_body);
    if (s.tamper == "body") {
        sent_body = altered(sent_body);
    } else if (s.tamper == "signature") {
        plan.signature[0] = plan.signature[0] == '0' ? '1' : '0';
    } else if (s.tamper == "unsigned") {
        plan.signature.clear();
    } else if (s.tamper == "missing") {
        plan.send_signature = false;
    } else if (s.tamper == "replay") {
        plan.deliveries = 2;
    } else if (s.tamper == "length-extension") {
        const std::string suffix = json_body ? ",{\"admin\":true}" : "&SimStatus=deactivated&admin=true";
        const auto forged = forge::extend(plan.signature, secret.size(), s.method,
                                          kore::webhook::signed_url(s.registered_url), signed_body, suffix);
        sent_body = forged.body;
        plan.signature = forged.signature;
    }
    plan.body = sent_body;

    // The wire form.
    http::outgoing& req = plan.request;
    req.method = s.method;
    req.host = url->host;
    req.port = url->port.empty() ? url->default_port() : url->port;
    if (s.connect || s.connect_to) {
        // Only where the TCP connection goes: Host, SNI and the certificate's name stay the URL's.
        const std::string& to = s.connect ? *s.connect : *s.connect_to;
        const std::size_t colon = to.rfind(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == to.size()) {
            throw usage_error(std::string(s.connect ? "--connect" : "--connect-to") + " needs HOST:PORT, got '" + to +
                              "'");
        }
        req.host = to.substr(0, colon);
        req.port = to.substr(colon + 1);
    }
    req.target = s.path_override ? *s.path_override : (url->path.empty() ? "/" : url->path) + query;
    if (req.target.empty() || req.target.find_first_of(" \r\n") != std::string::npos) {
        throw usage_error("--path-override must be a path without spaces");
    }
    req.body = sent_body;
    req.chunked = s.chunked;
    req.headers = {{"Host", url->authority()}, {"user-agent", "KoreProxy/1.1"}};
    if (!sent_body.empty() || !is_get) {
        req.headers.emplace_back("content-type", plan.content_type);
    }
    if (plan.send_signature) {
        req.headers.emplace_back("kore-signature", plan.signature);
    }
    req.headers.emplace_back("kore-idempotency-token", uuid4());
    req.headers.emplace_back("date", kore_date(now));
    // The first --header of a name replaces the default header of that name, if any; the others
    // are added.
    std::vector<std::string> given;
    for (const auto& text : s.headers) {
        auto [name, value] = split_header(text);
        const auto named = [&name = name](const std::string& n) { return kwd::iequals(n, name); };
        const bool first = std::none_of(given.begin(), given.end(), named);
        given.push_back(name);
        const auto h =
            std::find_if(req.headers.begin(), req.headers.end(), [&](const auto& f) { return named(f.first); });
        if (first && h != req.headers.end()) {
            *h = {name, value};
        } else {
            req.headers.emplace_back(name, value);
        }
    }
    return plan;
}

http::outgoing delivery_request(const send_plan& plan, std::size_t index, std::time_t now) {
    http::outgoing req = plan.request;
    if (index > 0) {
        const std::time_t later = std::max<std::time_t>(now, plan.created + static_cast<std::time_t>(index));
        for (auto& h : req.headers) {
            if (kwd::iequals(h.first, "kore-idempotency-token")) {
                h.second = uuid4();
            } else if (kwd::iequals(h.first, "date")) {
                h.second = kore_date(later);
            }
        }
    }
    return req;
}

std::vector<delivery> deliver(const send_plan& plan, std::ostream& log) {
    std::vector<delivery> out;
    for (std::size_t d = 0; d < plan.deliveries; ++d) {
        http::outgoing req = delivery_request(plan, d, std::time(nullptr));
        auto delay = plan.retry_delay;
        for (std::size_t attempt = 0;; ++attempt) {
            std::optional<http::response> res;
            std::string failure;
            try {
                res = http::exchange(req, plan.transport);
            } catch (const certificate_error&) {
                throw;  // the same certificate again would be refused again
            } catch (const io_error& e) {
                failure = e.what();
            }
            const bool again = attempt < plan.retries && (!res || retryable(res->status));
            if (!again) {
                if (!res) {
                    throw io_error(failure);
                }
                out.push_back({std::move(req), std::move(*res)});
                break;
            }
            log << "attempt " << attempt + 1 << ": "
                << (res ? std::to_string(res->status) + " " + res->reason : failure) << "; retrying in "
                << delay.count() << " ms\n";
            std::this_thread::sleep_for(delay);
            delay *= 2;
        }
    }
    return out;
}

namespace {

struct send_command {
    std::vector<secret_source> secrets;  // exactly one
    send_settings settings;              // settings.body is read from body_file
    std::optional<std::string> body_file;
};

// Delivers (or with --dry-run prints) the plan. Returns 0 when every delivery was answered 2xx,
// 1 otherwise; throws usage_error or io_error.
int run_send(const send_command& command, std::ostream& out, std::ostream& err) {
    send_settings settings = command.settings;
    if (command.body_file) {
        settings.body = read_file(*command.body_file);
    }
    const std::vector<secret> secrets = load_secrets(command.secrets, err);
    if (secrets.size() != 1) {
        throw usage_error("send signs with exactly one secret: --secret-file FILE or --secret-env NAME");
    }
    const send_plan plan = make_plan(settings, secrets.front().value, std::time(nullptr));

    if (settings.dry_run) {
        for (std::size_t d = 0; d < plan.deliveries; ++d) {
            out << http::serialize(delivery_request(plan, d, std::time(nullptr)));
        }
        return 0;
    }
    const http::tls_options& tls = plan.transport.tls;
    if (tls.enabled) {
        http::check_tls_options(tls);  // a bad --cacert is not worth a retry
    }
    err << "sending " << plan.event_name << " (" << plan.request.method << ", " << plan.body.size() << " bytes"
        << (settings.tamper.empty() ? std::string() : ", tamper: " + settings.tamper) << ") to " << plan.request.host
        << ":" << plan.request.port << plan.request.target
        << (settings.connect_to
                ? " (--connect-to; Host" + std::string(tls.enabled ? ", SNI and certificate name" : "") + ": " +
                      tls.server_name + ")"
                : std::string())
        << (!tls.enabled          ? std::string()
            : tls.ca_file.empty() ? std::string(" over https (certificate checked against the system's trusted CAs)")
                                  : " over https (certificate checked against --cacert " + tls.ca_file + ")")
        << "\n";
    const auto deliveries = deliver(plan, err);
    bool all_ok = true;
    for (std::size_t d = 0; d < deliveries.size(); ++d) {
        const delivery& one = deliveries[d];
        if (plan.deliveries > 1) {
            out << (d == 0 ? "original: " : "replay (same body and kore-signature): ") << "kore-idempotency-token "
                << header_value(one.request, "kore-idempotency-token") << ", date " << header_value(one.request, "date")
                << "\n";
        }
        print_response(out, one.response);
        all_ok = all_ok && success(one.response.status);
    }
    if (deliveries.size() == 2) {
        out << "replay: " << replay_verdict(deliveries[0].response, deliveries[1].response) << "\n";
    }
    return all_ok ? 0 : 1;
}

}  // namespace

void define_send(command& c) {
    std::string events;
    for (const auto& e : event_catalog) {
        std::string name(e.name);
        name.resize(20, ' ');
        events += "\n  " + name + std::string(e.summary);
    }
    c.describe("send", "deliver a KORE-style callback (or a tampered one) to a URL over http or https",
               "Delivers a signed KORE-style callback to URL and prints the response status and body. The\n"
               "registered URL (cut at '?' or '#') is what is signed; the request goes to its host:port and\n"
               "path+query, over https when the URL says so: the server's certificate must be valid for the\n"
               "URL's host and signed by a CA of --cacert FILE or of the system's trust store (there is no way\n"
               "to skip the check). --connect sends to another address over plain http; --dry-run prints the\n"
               "request(s) instead. Give exactly one secret.",
               "Exit status: 0 every delivery answered 2xx; 1 a delivery was answered otherwise; 2 usage, I/O,\n"
               "connection or TLS error (an untrusted certificate or a wrong host name included).");
    auto args = std::make_shared<send_command>();
    send_settings& s = args->settings;
    c.secrets(args->secrets, "the webhook secret to sign with");
    c.text("--url", s.registered_url, "URL", "the callback URL as registered with KORE (http or https)")->required();
    CLI::Option* event = c.text("--event", s.event, "NAME", "a built-in callback (default sim-status):" + events);
    CLI::Option* body =
        c.text("--body-file", args->body_file, "FILE", "send this body instead ('-' for standard input)");
    event->excludes(body);
    c.text("--content-type", s.content_type, "TYPE",
           "with --body-file (default: application/json when the body starts with\n"
           "'{' or '[', else application/x-www-form-urlencoded)")
        ->needs(body);
    c.text("--method", s.method, "METHOD",
           "POST (default) or GET; a GET carries a form event in its query (KORE does\n"
           "not sign the query) and has no body");
    c.text("--tamper", s.tamper, "MODE",
           "body               change the body after signing\n"
           "signature          change one digit of the signature\n"
           "unsigned           send an empty kore-signature header\n"
           "missing            send no kore-signature header\n"
           "replay             send the same signed request twice, the second\n"
           "                   time with a new kore-idempotency-token and date;\n"
           "                   prints both answers and whether the receiver\n"
           "                   recognised the replay (200 duplicate), refused it,\n"
           "                   or accepted it like a new callback\n"
           "length-extension   forge a longer body from the real signature (SHA-256\n"
           "                   length extension: no secret needed by an attacker)\n"
           "wrong-url          sign for another URL than the one registered");
    c.number("--retries", 10, "N", "retries on 408, 423, 429 and 5xx, as KORE does (default 2)",
             [&s](std::size_t n) { s.retries = n; });
    c.number("--retry-delay", 60000, "MS", "first delay between attempts, doubled each time (default 500)",
             [&s](std::size_t n) { s.retry_delay = std::chrono::milliseconds(n); });
    c.number("--timeout", 600, "SECONDS",
             "per attempt: connect, TLS handshake, send and answer (default 15, KORE's\n"
             "read timeout for callbacks)",
             [&s](std::size_t n) { s.timeout = std::chrono::seconds(n); });
    c.repeated(
        "--header", [&s](const std::string& value) { s.headers.push_back(value); }, "'NAME: VALUE'",
        "add a header, or replace the default header of that name (repeatable;\n"
        "repeating a name sends it several times)");
    c.flag("--chunked", s.chunked, "send the body with chunked transfer coding");
    c.flag("--pretty-json", s.pretty_json, "send JSON indented while the signature is over the minified text");
    c.number("--body-size", max_file_size, "N", "pad the body to N bytes before signing",
             [&s](std::size_t n) { s.body_size = n; });
    c.text("--path-override", s.path_override, "PATH",
           "send to PATH (with its own query) instead of the URL's path; the URL is\n"
           "still what is signed");
    c.text("--connect", s.connect, "HOST:PORT",
           "send over plain http to HOST:PORT instead of the URL's address (a local\n"
           "port behind a TLS-terminating proxy); Host still says the URL's, and the\n"
           "URL is still what is signed");
    c.text("--connect-to", s.connect_to, "HOST:PORT",
           "connect to HOST:PORT instead of the URL's address (one instance behind a\n"
           "load balancer), over https if the URL says so: SNI, the certificate's\n"
           "name and Host are still the URL's host, and the URL is what is signed");
    c.text("--cacert", s.ca_file, "FILE",
           "https: trust the CA certificates in this PEM file instead of the system's\n"
           "(a private CA, or a test server's self-signed certificate)");
    c.flag("--dry-run", s.dry_run, "print the raw request(s) instead of sending; nothing is signed differently");
    c.runs([args](std::ostream& out, std::ostream& err) {
        if (args->settings.timeout.count() == 0) {
            throw usage_error("--timeout must be at least 1 second");
        }
        return run_send(*args, out, err);
    });
}

}  // namespace kore_cli
