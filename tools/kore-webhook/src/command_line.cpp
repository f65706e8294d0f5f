#include <kore_cli/command_line.hpp>

#include <kore_cli/errors.hpp>
#include <kore_cli/events.hpp>
#include <kore_cli/io.hpp>
#include <kore_cli/send.hpp>
#include <kore_cli/sign.hpp>
#include <kore_cli/verify.hpp>

#include "serve/command.hpp"

#include <kore/webhook/options.hpp>
#include <kore/webhook/version.hpp>

#include <CLI/CLI.hpp>

#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

namespace kore_cli {

std::size_t parse_count(std::string_view option, std::string_view text, std::size_t max) {
    if (text.empty() || text.size() > 12) {
        throw usage_error(std::string(option) + " needs a number, got '" + std::string(text) + "'");
    }
    std::size_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            throw usage_error(std::string(option) + " needs a number, got '" + std::string(text) + "'");
        }
        value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    if (value > max) {
        throw usage_error(std::string(option) + " is at most " + std::to_string(max));
    }
    return value;
}

namespace {

std::string version_text() {
    return "kore-webhook " + std::to_string(KORE_WEBHOOK_VERSION_MAJOR) + "." +
           std::to_string(KORE_WEBHOOK_VERSION_MINOR) + "." + std::to_string(KORE_WEBHOOK_VERSION_PATCH);
}

// Help in the tool's layout: the usage line, what the command does, its commands or options (as
// CLI11 generates them from their definitions), then the footer with the exit statuses. Lines
// stay within 100 columns (a unit test checks every help).
class help_formatter : public CLI::Formatter {
public:
    help_formatter() {
        column_width(26);
        label("REQUIRED", "(required)");
        label("Excludes", "not with");
        label("Needs", "needs");
    }

    // The one-line summary a command has in the list of commands (its --help has more).
    void summary(const CLI::App* command, std::string text) { summaries_[command] = std::move(text); }

    std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override {
        std::ostringstream out;
        out << "usage: " << name << (app->get_parent() == nullptr ? " <command> [options]" : " [options]") << "\n\n"
            << app->get_description() << "\n"
            << make_subcommands(app, mode) << make_groups(app, mode);
        if (!app->get_footer().empty()) {
            out << "\n" << app->get_footer() << "\n";
        }
        return out.str();
    }

    std::string make_subcommand(const CLI::App* sub) const override {
        const auto found = summaries_.find(sub);
        std::ostringstream out;
        CLI::detail::format_help(out, sub->get_name(),
                                 found != summaries_.end() ? found->second : sub->get_description(), 11);
        return out.str();
    }

private:
    std::map<const CLI::App*, std::string> summaries_;
};

// One command's options, and which of them may be repeated.
class command {
public:
    command() = default;
    command(CLI::App& parent, help_formatter& help, const std::string& name, const std::string& summary,
            const std::string& description, const std::string& exit_statuses)
        : app_(parent.add_subcommand(name, description)) {
        help.summary(app_, summary);
        app_->group("commands");
        app_->footer(exit_statuses);
        app_->set_help_flag("-h,--help", "this text");
        // Unknown words are collected and reported by check_parsed() in the tool's words.
        app_->allow_extras();
        app_->option_defaults()->group("options");
        // A repeated option is reported by check_parsed() ("--url given twice").
        app_->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }

    CLI::App* app() const noexcept { return app_; }
    const std::string& name() const { return app_->get_name(); }
    std::string hint() const { return " (see: kore-webhook " + name() + " --help)"; }

    CLI::Option* text(const std::string& flag, std::string& into, const std::string& type, const std::string& what) {
        return app_->add_option(flag, into, what)->type_name(type);
    }
    CLI::Option* text(const std::string& flag, std::optional<std::string>& into, const std::string& type,
                      const std::string& what) {
        return app_
            ->add_option_function<std::string>(
                flag, [&into](const std::string& value) { into = value; }, what)
            ->type_name(type);
    }
    CLI::Option* flag(const std::string& flag, bool& into, const std::string& what) {
        return app_->add_flag(flag, into, what)->disable_flag_override();
    }
    // Kept in command-line order across all the options that share `into`.
    CLI::Option* repeated(const std::string& flag, std::function<void(const std::string&)> take,
                          const std::string& type, const std::string& what) {
        CLI::Option* option = app_->add_option_function<std::string>(flag, std::move(take), what)
                                  ->type_name(type)
                                  ->trigger_on_parse()
                                  ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
        repeatable_.insert(option);
        return option;
    }
    CLI::Option* secret(const std::string& flag, secret_source::kind kind, std::vector<secret_source>& into,
                        const std::string& type, const std::string& what) {
        return repeated(
            flag,
            [&into, flag, kind](const std::string& value) {
                into.push_back({kind, flag, value});
            },
            type, what);
    }

    // After a successful parse: unknown words and repeated single options are usage errors.
    void check_parsed() const {
        const std::vector<std::string> extra = app_->remaining();
        if (!extra.empty()) {
            const std::string& word = extra.front();
            if (word.size() >= 3 && word.compare(0, 2, "--") == 0) {
                throw usage_error("unknown option " + word.substr(0, word.find('=')) + " for '" + name() + "'" +
                                  hint());
            }
            throw usage_error("unexpected argument '" + word + "'" + hint());
        }
        for (const CLI::Option* option : app_->get_options()) {
            if (option->count() > 1 && repeatable_.count(option) == 0) {
                throw usage_error(option->get_name() + " given twice" + hint());
            }
        }
    }

    // CLI11's objection, in the tool's words.
    std::string explain(const CLI::ParseError& e) const {
        check_parsed();  // an unknown option explains more than a missing one
        const std::string what = e.what();
        const auto word = [&](std::size_t n) {
            std::istringstream in(what);
            std::string w;
            for (std::size_t i = 0; i <= n; ++i) {
                in >> w;
            }
            return w;
        };
        if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
            const std::string option = word(0);  // "--url is required"
            return name() + " needs " + option +
                   (option == "--url" ? ": the callback URL as registered with KORE" : std::string()) + hint();
        }
        if (dynamic_cast<const CLI::ExcludesError*>(&e) != nullptr) {
            return exclusion(word(0), word(2));  // "--a excludes --b"
        }
        if (dynamic_cast<const CLI::RequiresError*>(&e) != nullptr) {
            const std::string option = word(0);  // "--a requires --b"
            if (option == "--content-type") {
                return "--content-type goes with --body-file (events have their own type)";
            }
            return option + " goes with " + word(2) + hint();
        }
        if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
            std::string option = what.substr(0, what.find_first_of(": "));
            if (option.compare(0, 1, "-") != 0) {
                option = "--" + option;  // a flag override names the flag without its dashes
            }
            if (what.find("flag override") != std::string::npos) {
                return option + " takes no value" + hint();
            }
            const CLI::Option* o = app_->get_option_no_throw(option);
            if (o != nullptr && what.find(" missing") != std::string::npos) {
                return option + " needs a value (" + o->get_type_name() + ")" + hint();
            }
        }
        return what + hint();
    }

private:
    static std::string exclusion(const std::string& a, const std::string& b) {
        const auto either = [&](const char* x, const char* y) { return (a == x && b == y) || (a == y && b == x); };
        if (either("--signature", "--no-signature")) {
            return "give exactly one of --signature SIG and --no-signature";
        }
        if (either("--event", "--body-file")) {
            return "give --event or --body-file, not both";
        }
        if (a == "--request-file" || b == "--request-file") {
            return (a == "--request-file" ? b : a) + " cannot be combined with --request-file: the request says it";
        }
        return a + " cannot be combined with " + b;
    }

    CLI::App* app_ = nullptr;
    std::set<const CLI::Option*> repeatable_;
};

const char* const secret_file_help = "the webhook secret: the file's content, one trailing newline removed";
const char* const secret_env_help = "the webhook secret from environment variable NAME";
const char* const secret_plain_help = "the secret itself (shows in `ps` and shell history: experiments only)";

// The whole command line: what each command accepts, bound to what it runs with.
class tool {
public:
    tool() {
        app_.name("kore-webhook");
        app_.description(
            "Sign, verify and send KORE Wireless webhook callbacks (kore-signature: SHA-256 of\n"
            "secret || METHOD || registered URL || body).");
        app_.footer(
            "Secrets are read from files (--secret-file) or environment variables (--secret-env), never\n"
            "printed. Run `kore-webhook <command> --help` for a command's options.\n"
            "Exit status: 0 success; 1 refused (verify), non-2xx answer (send) or a wrong verdict (demo);\n"
            "2 usage, I/O, connection or TLS error.");
        app_.formatter(help_);
        app_.option_defaults()->group("options");
        app_.set_help_flag("-h,--help", "this text");
        app_.set_version_flag("--version", version_text(), "print the version");
        app_.allow_extras();
        app_.require_subcommand(0, 1);
        define_demo();
        define_sign();
        define_verify();
        define_send();
        define_serve();
    }

    CLI::App& app() noexcept { return app_; }

    // The command the line selected, or null.
    const command* selected() const {
        for (const command* c : {&demo_, &sign_, &verify_, &send_, &serve_}) {
            if (c->app() != nullptr && app_.got_subcommand(c->app())) {
                return c;
            }
        }
        return nullptr;
    }

    int dispatch(const command& c, std::ostream& out, std::ostream& err, demo_runner demo, serve_runner serve) {
        c.check_parsed();
        if (&c == &serve_) {
            if (serve == nullptr) {
                throw usage_error("this build of kore-webhook has no gateway (serve needs toml++, hiredis and Boost)");
            }
            return serve(serve_args_, out, err);
        }
        if (&c == &sign_) {
            return run_sign(sign_command_, out, err);
        }
        if (&c == &verify_) {
            if (verify_max_body_) {
                verify_command_.options.max_body_size =
                    parse_count("--max-body-size", *verify_max_body_, max_file_size);
            }
            return run_verify(verify_command_, out, err);
        }
        if (&c == &send_) {
            send_settings& s = send_command_.settings;
            if (send_body_size_) {
                s.body_size = parse_count("--body-size", *send_body_size_, max_file_size);
            }
            if (send_retries_) {
                s.retries = parse_count("--retries", *send_retries_, 10);
            }
            if (send_retry_delay_) {
                s.retry_delay = std::chrono::milliseconds(parse_count("--retry-delay", *send_retry_delay_, 60000));
            }
            if (send_timeout_) {
                s.timeout = std::chrono::seconds(parse_count("--timeout", *send_timeout_, 600));
            }
            if (s.timeout.count() == 0) {
                throw usage_error("--timeout must be at least 1 second");
            }
            return run_send(send_command_, out, err);
        }
        demo_command d;
        if (demo_port_) {
            d.port = parse_count("--port", *demo_port_, 65535);
        }
        if (demo == nullptr) {
            throw usage_error("this build of kore-webhook has no demo");
        }
        return demo(d, out, err);
    }

private:
    void define_demo() {
        demo_ = command(app_, *help_, "demo",
                        "start a local receiver and show it accepting genuine and refusing forged callbacks",
                        "Starts a KORE callback receiver on 127.0.0.1 (cpp-httplib + kore-webhook's httplib route "
                        "helper)\n"
                        "configured with two random secrets (Active and Pending), sends it genuine "
                        "callbacks and\n"
                        "forged or broken ones, and prints a table: each case, what a correct receiver must do, "
                        "what\n"
                        "happened and why. Nothing leaves this machine; no secret is printed.",
                        "Exit status: 0 every verdict was right; 1 a verdict was wrong; 2 the receiver could not "
                        "start.");
        demo_.text("--port", demo_port_, "N", "listen on this port (default: any free port)");
    }

    void define_sign() {
        sign_ = command(app_, *help_, "sign", "print the kore-signature of a request",
                        "Prints the kore-signature (64 lowercase hex digits) KORE would send for this request.\n"
                        "Give exactly one secret.",
                        "Exit status: 0 printed; 2 usage or I/O error.");
        auto& into = sign_command_.secrets;
        sign_.secret("--secret-file", secret_source::kind::file, into, "FILE", secret_file_help);
        sign_.secret("--secret-env", secret_source::kind::env, into, "NAME", secret_env_help);
        sign_.secret("--secret", secret_source::kind::plain, into, "SECRET", secret_plain_help);
        sign_.text("--method", sign_command_.method, "METHOD",
                   "the HTTP method, signed as given (default POST; KORE uses POST or GET)");
        sign_
            .text("--url", sign_command_.url, "URL",
                  "the callback URL as registered with KORE; its query and fragment are\n"
                  "not signed")
            ->required();
        sign_.text("--body-file", sign_command_.body_file, "FILE",
                   "the raw body ('-' for standard input); no option means an empty body");
    }

    void define_verify() {
        verify_ = command(
            app_, *help_, "verify", "judge a captured callback as a receiver does; --explain says why it was refused",
            "Judges one callback exactly as a receiver built on kore-webhook does, in one of two forms:\n"
            "  verify --secret-file FILE [...] --url URL --request-file REQUEST [--explain]\n"
            "  verify --secret-file FILE [...] --url URL --method METHOD [--body-file BODY]\n"
            "         (--signature SIG | --no-signature) [--explain]",
            "Exit status: 0 verified; 1 refused (the error name and its meaning are printed); 2 usage or I/O\n"
            "error.");
        verify_command& v = verify_command_;
        verify_.secret("--secret-file", secret_source::kind::file, v.secrets, "FILE",
                       std::string(secret_file_help) +
                           "\nRepeat the secret options to accept several secrets (Active and\n"
                           "Pending during a rotation); the first that verifies is reported.");
        verify_.secret("--secret-env", secret_source::kind::env, v.secrets, "NAME", secret_env_help);
        verify_.secret("--secret", secret_source::kind::plain, v.secrets, "SECRET", secret_plain_help);
        verify_
            .text("--url", v.url, "URL",
                  "the callback URL exactly as registered with KORE (its query and\n"
                  "fragment are not signed); never the URL the request arrived at")
            ->required();
        CLI::Option* request =
            verify_.text("--request-file", v.request_file, "FILE",
                         "a raw HTTP/1.1 request as captured on the wire ('-' for standard input):\n"
                         "method from the request line, kore-signature header, body (Content-Length\n"
                         "or chunked); CRLF or LF line ends");
        CLI::Option* method =
            verify_.text("--method", v.method, "METHOD", "without --request-file: the request's method (POST or GET)");
        CLI::Option* body = verify_.text("--body-file", v.body_file, "FILE",
                                         "without --request-file: the raw body ('-' for standard input;\n"
                                         "default empty)");
        CLI::Option* signature =
            verify_.text("--signature", v.signature, "SIG", "without --request-file: the kore-signature header value");
        CLI::Option* unsigned_request = verify_.flag("--no-signature", v.no_signature,
                                                     "without --request-file: the request had no kore-signature "
                                                     "header");
        for (CLI::Option* part : {method, body, signature, unsigned_request}) {
            request->excludes(part);
        }
        signature->excludes(unsigned_request);
        verify_.flag("--explain", v.explain,
                     "when refused, test the usual causes (URL spelling, body changed, method\n"
                     "case, other or mis-read secrets) and report which would have matched;\n"
                     "the verdict and exit status stay the same; no secret is ever printed");
        verify_.secret("--explain-secret-file", secret_source::kind::file, v.explain_secrets, "FILE",
                       "a secret that is NOT accepted but that --explain tests (the previous or\n"
                       "the pending secret, another environment's)");
        verify_.secret("--explain-secret-env", secret_source::kind::env, v.explain_secrets, "NAME",
                       "the same, from environment variable NAME");
        verify_.text("--max-body-size", verify_max_body_, "BYTES", "refuse larger bodies (default 1048576)");
        verify_.flag("--allow-get-query", v.options.allow_get_query,
                     "accept a GET callback whose request target has a query (it is not signed)");
    }

    void define_send() {
        std::string events;
        for (const auto& e : event_catalog) {
            std::string name(e.name);
            name.resize(20, ' ');
            events += "\n  " + name + std::string(e.summary);
        }
        send_ = command(
            app_, *help_, "send", "deliver a KORE-style callback (or a tampered one) to a URL over http or https",
            "Delivers a signed KORE-style callback to URL and prints the response status and body. The\n"
            "registered URL (cut at '?' or '#') is what is signed; the request goes to its host:port and\n"
            "path+query, over https when the URL says so: the server's certificate must be valid for the\n"
            "URL's host and signed by a CA of --cacert FILE or of the system's trust store (there is no way\n"
            "to skip the check). --connect sends to another address over plain http; --dry-run prints the\n"
            "request(s) instead. Give exactly one secret.",
            "Exit status: 0 every delivery answered 2xx; 1 a delivery was answered otherwise; 2 usage, I/O,\n"
            "connection or TLS error (an untrusted certificate or a wrong host name included).");
        send_settings& s = send_command_.settings;
        auto& into = send_command_.secrets;
        send_.secret("--secret-file", secret_source::kind::file, into, "FILE", "the webhook secret to sign with");
        send_.secret("--secret-env", secret_source::kind::env, into, "NAME", secret_env_help);
        send_.secret("--secret", secret_source::kind::plain, into, "SECRET", secret_plain_help);
        send_.text("--url", s.registered_url, "URL", "the callback URL as registered with KORE (http or https)")
            ->required();
        CLI::Option* event =
            send_.text("--event", s.event, "NAME", "a built-in callback (default sim-status):" + events);
        CLI::Option* body = send_.text("--body-file", send_command_.body_file, "FILE",
                                       "send this body instead ('-' for standard input)");
        event->excludes(body);
        send_
            .text("--content-type", s.content_type, "TYPE",
                  "with --body-file (default: application/json when the body starts with\n"
                  "'{' or '[', else application/x-www-form-urlencoded)")
            ->needs(body);
        send_.text("--method", s.method, "METHOD",
                   "POST (default) or GET; a GET carries a form event in its query (KORE does\n"
                   "not sign the query) and has no body");
        send_.text("--tamper", s.tamper, "MODE",
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
        send_.text("--retries", send_retries_, "N", "retries on 408, 423, 429 and 5xx, as KORE does (default 2)");
        send_.text("--retry-delay", send_retry_delay_, "MS",
                   "first delay between attempts, doubled each time (default 500)");
        send_.text("--timeout", send_timeout_, "SECONDS",
                   "per attempt: connect, TLS handshake, send and answer (default 15, KORE's\n"
                   "read timeout for callbacks)");
        send_.repeated(
            "--header", [&s](const std::string& value) { s.headers.push_back(value); }, "'NAME: VALUE'",
            "add a header, or replace the default header of that name (repeatable;\n"
            "repeating a name sends it several times)");
        send_.flag("--chunked", s.chunked, "send the body with chunked transfer coding");
        send_.flag("--pretty-json", s.pretty_json, "send JSON indented while the signature is over the minified text");
        send_.text("--body-size", send_body_size_, "N", "pad the body to N bytes before signing");
        send_.text("--path-override", s.path_override, "PATH",
                   "send to PATH (with its own query) instead of the URL's path; the URL is\n"
                   "still what is signed");
        send_.text("--connect", s.connect, "HOST:PORT",
                   "send over plain http to HOST:PORT instead of the URL's address (a local\n"
                   "port behind a TLS-terminating proxy); Host still says the URL's, and the\n"
                   "URL is still what is signed");
        send_.text("--cacert", s.ca_file, "FILE",
                   "https: trust the CA certificates in this PEM file instead of the system's\n"
                   "(a private CA, or a test server's self-signed certificate)");
        send_.flag("--dry-run", s.dry_run,
                   "print the raw request(s) instead of sending; nothing is signed differently");
    }

    void define_serve() {
        serve_ = command(app_, *help_, "serve", serve::serve_summary(), serve::serve_description(),
                         serve::serve_exit_statuses());
        serve::add_serve_options(*serve_.app(), serve_args_);
    }

    std::shared_ptr<help_formatter> help_ = std::make_shared<help_formatter>();
    CLI::App app_;
    command demo_;
    command sign_;
    command verify_;
    command send_;
    command serve_;
    serve::serve_args serve_args_;

    std::optional<std::string> demo_port_;
    sign_command sign_command_;
    verify_command verify_command_;
    std::optional<std::string> verify_max_body_;
    send_command send_command_;
    std::optional<std::string> send_body_size_;
    std::optional<std::string> send_retries_;
    std::optional<std::string> send_retry_delay_;
    std::optional<std::string> send_timeout_;
};

int run_or_throw(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, demo_runner demo,
                 serve_runner serve) {
    tool t;
    if (args.empty()) {
        err << t.app().help();
        return 2;
    }
    if (args.front() == "help") {
        out << t.app().help();
        return 0;
    }
    if (args.front() == "version") {
        out << version_text() << "\n";
        return 0;
    }
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes the words last first
    try {
        t.app().parse(reversed);
    } catch (const CLI::CallForHelp&) {
        out << t.app().help();
        return 0;
    } catch (const CLI::CallForVersion& e) {
        out << e.what() << "\n";
        return 0;
    } catch (const CLI::ParseError& e) {
        if (const command* c = t.selected()) {
            throw usage_error(c->explain(e));
        }
        throw usage_error(std::string(e.what()) + " (see: kore-webhook --help)");
    }
    const command* c = t.selected();
    if (c == nullptr) {
        const std::vector<std::string> extra = t.app().remaining();
        throw usage_error("unknown command '" + (extra.empty() ? std::string() : extra.front()) +
                          "' (demo, sign, verify, send; see: kore-webhook --help)");
    }
    return t.dispatch(*c, out, err, demo, serve);
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, demo_runner demo,
        serve_runner serve) {
    try {
        return run_or_throw(args, out, err, demo, serve);
    } catch (const std::exception& e) {
        // usage_error, io_error, and library or OpenSSL failures: no message holds a secret.
        err << "kore-webhook: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace kore_cli
