#ifndef KORE_WEBHOOK_CLI_SEND_HPP
#define KORE_WEBHOOK_CLI_SEND_HPP

// `kore-webhook send`: deliver a callback the way KORE does (headers, signature, retries), or a
// deliberately broken one (--tamper) to check that a receiver refuses it. The plan (what goes on
// the wire) is built apart from the delivery, so `demo` and --dry-run reuse it.

#include "args.hpp"
#include "events.hpp"
#include "http_client.hpp"
#include "http_request.hpp"
#include "io.hpp"
#include "json_format.hpp"
#include "secrets.hpp"
#include "url_parts.hpp"

#include <kore/webhook.hpp>
#include <support/length_extension_forge.hpp>

#include <chrono>
#include <cstddef>
#include <ctime>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace kore_cli {

inline constexpr std::string_view send_help =
    R"(usage: kore-webhook send --secret-file FILE --url URL [--event NAME | --body-file FILE [--content-type TYPE]]
                         [--method POST|GET] [--tamper MODE] [--retries N] [options]

Delivers a signed KORE-style callback to URL over plain HTTP and prints the response status and body.
The registered URL (cut at '?' or '#') is what is signed; the request goes to its host:port and
path+query. https is not supported for delivery: use --connect to send to a local plain-http port
while signing the https URL, or --dry-run to print the request.
Exit status: 0 every delivery answered 2xx; 1 a delivery was answered otherwise; 2 usage, I/O or
connection error.

  --secret-file FILE, --secret-env NAME, --secret SECRET
                         the webhook secret to sign with (as for verify; exactly one)
  --url URL              the callback URL as registered with KORE
  --event NAME           a built-in callback (default sim-status):
                           sim-status          Super SIM status update (form)
                           sms-command         SMS Command status (form)
                           ip-command          IP Command received from a device (form)
                           esim-profile        eSIM profile status (JSON)
                           event-streams-test  Event Streams test event: JSON array of CloudEvents
  --body-file FILE       send this body instead ('-' for standard input)
  --content-type TYPE    with --body-file (default: application/json when the body starts with
                         '{' or '[', else application/x-www-form-urlencoded)
  --method POST|GET      default POST; a GET carries a form event in its query (KORE does not sign
                         the query) and has no body
  --tamper MODE          body               change the body after signing
                         signature          change one digit of the signature
                         unsigned           send an empty kore-signature header
                         missing            send no kore-signature header
                         replay             send the same signed request twice (new token and date)
                         length-extension   forge a longer body from the real signature (SHA-256
                                            length extension: no secret needed by an attacker)
                         wrong-url          sign for another URL than the one registered
  --retries N            retries on 408, 423, 429 and 5xx, as KORE does (default 2)
  --retry-delay MS       first delay between attempts, doubled each time (default 500)
  --timeout SECONDS      per attempt (default 15, KORE's read timeout for callbacks)
  --header 'Name: value' add a header, or replace the default header of that name (repeatable;
                         repeating a name sends it several times)
  --chunked              send the body with chunked transfer coding
  --pretty-json          send JSON indented while the signature is over the minified text
  --body-size N          pad the body to N bytes before signing
  --path-override PATH   send to PATH (with its own query) instead of the URL's path; the URL is
                         still what is signed
  --connect HOST:PORT    connect here instead of the URL's host and port (Host still says the URL's)
  --dry-run              print the raw request(s) instead of sending; nothing is signed differently
  -h, --help             this text
)";

inline constexpr std::string_view tamper_modes[] = {"body",   "signature",        "unsigned", "missing",
                                                    "replay", "length-extension", "wrong-url"};

// Everything that defines a delivery, decided before anything is sent.
struct send_plan {
    std::string registered_url;
    std::string event_name;  // or "body-file"
    std::string method = "POST";
    std::string content_type;
    std::string body;       // as sent
    std::string signature;  // header value (when sent)
    bool send_signature = true;
    http::outgoing request;      // the wire form of the first delivery
    std::size_t deliveries = 1;  // 2 for replay
    std::size_t retries = 2;
    std::chrono::milliseconds retry_delay{500};
    std::chrono::milliseconds timeout{15000};
};

struct send_settings {
    std::string registered_url;
    std::string event = "sim-status";
    std::optional<std::string> body;  // replaces the event
    std::optional<std::string> content_type;
    std::string method = "POST";
    std::string tamper;
    std::vector<std::string> headers;  // "Name: value"
    bool chunked = false;
    bool pretty_json = false;
    std::optional<std::size_t> body_size;
    std::optional<std::string> path_override;
    std::optional<std::string> connect;  // host:port
    std::size_t retries = 2;
    std::chrono::milliseconds retry_delay{500};
    std::chrono::milliseconds timeout{15000};
    bool dry_run = false;
};

namespace detail {

inline std::string pad_body(std::string body, std::size_t size, bool json_body) {
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
inline std::string altered(std::string body) {
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

inline std::pair<std::string, std::string> split_header(const std::string& text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string::npos || colon == 0) {
        throw usage_error("--header needs 'Name: value', got '" + text + "'");
    }
    std::string name = text.substr(0, colon);
    std::string value = text.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.erase(0, 1);
    }
    for (const char c : name) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            throw usage_error("--header name '" + name + "' holds whitespace");
        }
    }
    if (value.find_first_of("\r\n") != std::string::npos) {
        throw usage_error("--header value for '" + name + "' holds a line break");
    }
    return {name, value};
}

inline bool iequal(std::string_view a, std::string_view b) {
    return http::detail::iequal(a, b);
}

}  // namespace detail

// Builds what will be sent. `secret` signs; it is not kept in the plan.
inline send_plan make_plan(const send_settings& s, std::string_view secret, std::time_t now) {
    send_plan plan;
    plan.registered_url = s.registered_url;
    plan.method = s.method;
    plan.retries = s.retries;
    plan.retry_delay = s.retry_delay;
    plan.timeout = s.timeout;

    const auto url = split_url(s.registered_url);
    if (!url || kore::webhook::signed_url(s.registered_url).size() <= url->scheme.size() + 3) {
        throw usage_error("--url must be an absolute http(s) URL as registered with KORE, got '" + s.registered_url +
                          "'");
    }
    if (url->is_https() && !s.connect && !s.dry_run) {
        throw usage_error(
            "send delivers over plain http only; for an https URL use --connect HOST:PORT (a local "
            "plain-http port; the https URL is still what is signed) or --dry-run");
    }
    if (!http::detail::is_token(s.method)) {
        throw usage_error("--method must be an HTTP method such as POST or GET, got '" + s.method + "'");
    }
    if (!s.tamper.empty()) {
        bool known = false;
        for (const auto m : tamper_modes) {
            known = known || m == s.tamper;
        }
        if (!known) {
            throw usage_error("unknown --tamper mode '" + s.tamper +
                              "' (body, signature, unsigned, missing, replay, length-extension, wrong-url)");
        }
    }

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
            std::string names;
            for (const auto& info : event_catalog) {
                names += names.empty() ? "" : ", ";
                names += info.name;
            }
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
        body = detail::pad_body(std::move(body), *s.body_size, json_body);
    }
    std::string signed_body = body;
    std::string sent_body = body;
    if (s.pretty_json) {
        const auto minified = json::reformat(body, json::minified);
        const auto pretty = minified ? json::reformat(*minified, json::pretty2) : std::nullopt;
        if (!json_body || !pretty) {
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
        sent_body = detail::altered(sent_body);
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
        const auto forged = kore::webhook::forge::extend(
            plan.signature, secret.size(), s.method, kore::webhook::signed_url(s.registered_url), signed_body, suffix);
        sent_body = forged.body;
        plan.signature = forged.signature;
    }
    plan.body = sent_body;

    // The wire form.
    http::outgoing& req = plan.request;
    req.method = s.method;
    req.host = url->host;
    req.port = url->port.empty() ? url->default_port() : url->port;
    if (s.connect) {
        const std::size_t colon = s.connect->rfind(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == s.connect->size()) {
            throw usage_error("--connect needs HOST:PORT, got '" + *s.connect + "'");
        }
        req.host = s.connect->substr(0, colon);
        req.port = s.connect->substr(colon + 1);
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
    std::vector<std::string> replaced;
    for (const auto& text : s.headers) {
        auto [name, value] = detail::split_header(text);
        bool done = false;
        for (const auto& r : replaced) {
            done = done || detail::iequal(r, name);
        }
        if (!done) {
            for (auto& h : req.headers) {
                if (detail::iequal(h.first, name)) {
                    h = {name, value};
                    done = true;
                    break;
                }
            }
            replaced.push_back(name);
            if (done) {
                continue;
            }
        }
        req.headers.emplace_back(name, value);
    }
    return plan;
}

// The request of delivery `index` (0-based): a replay rewrites the unsigned headers, as an
// attacker replaying a captured request is free to.
inline http::outgoing delivery_request(const send_plan& plan, std::size_t index, std::time_t now) {
    http::outgoing req = plan.request;
    if (index > 0) {
        for (auto& h : req.headers) {
            if (detail::iequal(h.first, "kore-idempotency-token")) {
                h.second = uuid4();
            } else if (detail::iequal(h.first, "date")) {
                h.second = kore_date(now);
            }
        }
    }
    return req;
}

inline bool retryable(int status) {
    return status == 408 || status == 423 || status == 429 || status >= 500;
}

// Delivers every request of the plan, retrying like KORE. Progress goes to `log`.
// Throws io_error when a delivery cannot get any answer.
inline std::vector<http::response> deliver(const send_plan& plan, std::ostream& log) {
    std::vector<http::response> out;
    for (std::size_t d = 0; d < plan.deliveries; ++d) {
        const http::outgoing req = delivery_request(plan, d, std::time(nullptr));
        auto delay = plan.retry_delay;
        for (std::size_t attempt = 0;; ++attempt) {
            std::optional<http::response> res;
            std::string failure;
            try {
                res = http::exchange(req, plan.timeout);
            } catch (const io_error& e) {
                failure = e.what();
            }
            const bool again = attempt < plan.retries && (!res || retryable(res->status));
            if (!again) {
                if (!res) {
                    throw io_error(failure);
                }
                out.push_back(std::move(*res));
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

inline send_settings settings_from(const parsed_args& args) {
    send_settings s;
    s.registered_url = *args.get("--url");
    if (args.has("--event") && args.has("--body-file")) {
        throw usage_error("give --event or --body-file, not both");
    }
    if (args.has("--content-type") && !args.has("--body-file")) {
        throw usage_error("--content-type goes with --body-file (events have their own type)");
    }
    s.event = args.get_or("--event", "sim-status");
    if (const auto b = args.get("--body-file")) {
        s.body = read_file(*b);
    }
    s.content_type = args.get("--content-type");
    s.method = args.get_or("--method", "POST");
    s.tamper = args.get_or("--tamper", "");
    s.headers = args.all("--header");
    s.chunked = args.has("--chunked");
    s.pretty_json = args.has("--pretty-json");
    if (const auto n = args.get("--body-size")) {
        s.body_size = parse_count("--body-size", *n, max_file_size);
    }
    s.path_override = args.get("--path-override");
    s.connect = args.get("--connect");
    if (const auto n = args.get("--retries")) {
        s.retries = parse_count("--retries", *n, 10);
    }
    if (const auto n = args.get("--retry-delay")) {
        s.retry_delay = std::chrono::milliseconds(parse_count("--retry-delay", *n, 60000));
    }
    if (const auto n = args.get("--timeout")) {
        s.timeout = std::chrono::seconds(parse_count("--timeout", *n, 600));
    }
    if (s.timeout.count() == 0) {
        throw usage_error("--timeout must be at least 1 second");
    }
    s.dry_run = args.has("--dry-run");
    return s;
}

inline int run_send(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
    const parsed_args args = parse_args(words,
                                        {{"--secret-file", "FILE", true},
                                         {"--secret-env", "NAME", true},
                                         {"--secret", "SECRET", true},
                                         {"--url", "URL"},
                                         {"--event", "NAME"},
                                         {"--body-file", "FILE"},
                                         {"--content-type", "TYPE"},
                                         {"--method", "METHOD"},
                                         {"--tamper", "MODE"},
                                         {"--retries", "N"},
                                         {"--retry-delay", "MS"},
                                         {"--timeout", "SECONDS"},
                                         {"--header", "'NAME: VALUE'", true},
                                         {"--chunked", ""},
                                         {"--pretty-json", ""},
                                         {"--body-size", "N"},
                                         {"--path-override", "PATH"},
                                         {"--connect", "HOST:PORT"},
                                         {"--dry-run", ""}},
                                        "send");
    if (args.has("--help")) {
        out << send_help;
        return 0;
    }
    if (!args.has("--url")) {
        throw usage_error("send needs --url: the callback URL as registered with KORE (see: kore-webhook send --help)");
    }
    const send_settings settings = settings_from(args);
    const std::vector<secret> secrets = load_secrets(args, err);
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
    err << "sending " << plan.event_name << " (" << plan.method << ", " << plan.body.size() << " bytes"
        << (settings.tamper.empty() ? std::string() : ", tamper: " + settings.tamper) << ") to " << plan.request.host
        << ":" << plan.request.port << plan.request.target << "\n";
    const auto responses = deliver(plan, err);
    bool all_ok = true;
    for (const auto& r : responses) {
        out << r.status << (r.reason.empty() ? "" : " ") << r.reason << "\n";
        if (!r.body.empty()) {
            out << r.body << (r.body.back() == '\n' ? "" : "\n");
        }
        all_ok = all_ok && r.status >= 200 && r.status < 300;
    }
    return all_ok ? 0 : 1;
}

}  // namespace kore_cli

#endif
