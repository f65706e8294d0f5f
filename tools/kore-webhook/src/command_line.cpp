// The kore-webhook command line: the list of commands (each defined in its own file), the help
// layout, and the one place where CLI11's objections become the tool's messages.

#include "command.hpp"

#include <kore_cli/errors.hpp>
#include <kore_cli/http_request.hpp>

#include <kore/webhook/version.hpp>

#include <exception>
#include <list>
#include <map>
#include <memory>
#include <sstream>

namespace kore_cli {

CLI::Option* command::number(const std::string& flag, std::size_t max, const std::string& type, const std::string& what,
                             std::function<void(std::size_t)> take) {
    // CLI11 2.1 converts integers with strtoull(base 0): "0x10" and "-1" would pass and "010"
    // would be 8. So the text must be 1 to 12 decimal digits, and CLI11 is handed the number
    // without leading zeros. A mistake is kept, not thrown, so that help, unknown words and
    // missing options are reported first, as they always were (run() reports it).
    const CLI::Validator decimal(
        [this, flag, max](std::string& text) {
            const auto n = http::decimal(text);
            if (n && *n <= max) {
                text = std::to_string(*n);
                return std::string();
            }
            if (number_problem_.empty()) {
                number_problem_ =
                    n ? flag + " is at most " + std::to_string(max) : flag + " needs a number, got '" + text + "'";
            }
            text = "0";
            return std::string();
        },
        std::string());
    return app_->add_option_function<std::size_t>(flag, std::move(take), what)->transform(decimal)->type_name(type);
}

void command::check_words() const {
    const std::vector<std::string> extra = app_->remaining();
    if (!extra.empty()) {
        const std::string& word = extra.front();
        if (word.size() >= 3 && word.compare(0, 2, "--") == 0) {
            throw usage_error("unknown option " + word.substr(0, word.find('=')) + " for '" + name() + "'" + hint());
        }
        throw usage_error("unexpected argument '" + word + "'" + hint());
    }
    for (const CLI::Option* option : app_->get_options()) {
        if (option->count() > 1 && option->get_multi_option_policy() != CLI::MultiOptionPolicy::TakeAll) {
            throw usage_error(option->get_name() + " given twice" + hint());
        }
    }
}

int command::run(std::ostream& out, std::ostream& err) const {
    check_words();
    if (!number_problem_.empty()) {
        throw usage_error(number_problem_);
    }
    return action_(out, err);
}

namespace {

std::string exclusion(const std::string& a, const std::string& b) {
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

}  // namespace

std::string command::explain(const CLI::ParseError& e, const std::string& stopped_at) const {
    check_words();  // an unknown or repeated option explains more than what CLI11 saw next
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
        // CLI11 stopped at an option: a flag given a value, or an option left without one.
        const std::string option = stopped_at.substr(0, stopped_at.find('='));
        if (const CLI::Option* o = app_->get_option_no_throw(option)) {
            return option +
                   (o->get_expected_max() == 0 ? " takes no value" : " needs a value (" + o->get_type_name() + ")") +
                   hint();
        }
        return e.what() + hint();
    }
    // The first of required, needs and excludes the line breaks, found as CLI11 found it (option
    // by option in definition order): the message names the options CLI11 objected to.
    for (const CLI::Option* o : app_->get_options()) {
        const std::string& option = o->get_name();
        if (o->get_required() && o->count() == 0) {
            return name() + " needs " + option +
                   (option == "--url" ? ": the callback URL as registered with KORE" : std::string()) + hint();
        }
        for (const CLI::Option* needed : o->get_needs()) {
            if (o->count() > 0 && needed->count() == 0) {
                return option == "--content-type" ? "--content-type goes with --body-file (events have their own type)"
                                                  : option + " goes with " + needed->get_name() + hint();
            }
        }
        for (const CLI::Option* excluded : o->get_excludes()) {
            if (o->count() > 0 && excluded->count() > 0) {
                return exclusion(option, excluded->get_name());
            }
        }
    }
    return e.what() + hint();
}

std::string version_text() {
    return "kore-webhook " + std::to_string(KORE_WEBHOOK_VERSION_MAJOR) + "." +
           std::to_string(KORE_WEBHOOK_VERSION_MINOR) + "." + std::to_string(KORE_WEBHOOK_VERSION_PATCH);
}

namespace {

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

// The whole command line. The commands are listed in the order --help shows them; a new one is
// a file src/<name>.cpp with define_<name>(command&), declared in command.hpp, and a line here.
struct tool {
    tool(demo_runner demo, serve_runner serve) {
        app.name("kore-webhook");
        app.footer(
            "Secrets are read from files (--secret-file) or environment variables (--secret-env), never\n"
            "printed. Run `kore-webhook <command> --help` for a command's options.\n"
            "Exit status: 0 success; 1 refused (verify), non-2xx answer (send) or a wrong verdict (demo);\n"
            "2 usage, I/O, connection or TLS error.");
        app.formatter(help);
        app.option_defaults()->group("options");
        app.set_help_flag("-h,--help", "this text");
        app.set_version_flag("--version", version_text(), "print the version");
        app.allow_extras();
        app.require_subcommand(0, 1);
        const auto add = [this]() -> command& { return commands.emplace_back(app.add_subcommand()); };
        define_demo(add(), demo);
        define_sign(add());
        define_verify(add());
        define_send(add());
        if (serve != nullptr) {
            define_serve(add(), serve);
        }
        for (const command& c : commands) {
            help->summary(c.app(), c.summary());
        }
    }

    std::shared_ptr<help_formatter> help = std::make_shared<help_formatter>();
    CLI::App app{
        "Sign, verify and send KORE Wireless webhook callbacks (kore-signature: SHA-256 of\n"
        "secret || METHOD || registered URL || body)."};
    std::list<command> commands;  // never moved: their validators point at them
};

int run_or_throw(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, demo_runner demo,
                 serve_runner serve) {
    tool t(demo, serve);
    if (args.empty()) {
        err << t.app.help();
        return 2;
    }
    if (args.front() == "help") {
        out << t.app.help();
        return 0;
    }
    if (args.front() == "version") {
        out << version_text() << "\n";
        return 0;
    }
    std::vector<std::string> unread(args.rbegin(), args.rend());  // CLI11 takes the words last first
    const auto selected = [&t]() -> const command* {
        for (const command& c : t.commands) {
            if (t.app.got_subcommand(c.app())) {
                return &c;
            }
        }
        return nullptr;
    };
    try {
        t.app.parse(unread);
    } catch (const CLI::CallForHelp&) {
        out << t.app.help();
        return 0;
    } catch (const CLI::CallForVersion& e) {
        out << e.what() << "\n";
        return 0;
    } catch (const CLI::ParseError& e) {
        const command* c = selected();
        if (c == nullptr) {
            throw usage_error(std::string(e.what()) + " (see: kore-webhook --help)");
        }
        const std::size_t read = args.size() - unread.size();
        throw usage_error(c->explain(e, read > 0 ? args[read - 1] : std::string()));
    }
    if (const command* c = selected()) {
        return c->run(out, err);
    }
    const std::vector<std::string> extra = t.app.remaining();
    // The four commands, as the message has always listed them (serve is not among them).
    throw usage_error("unknown command '" + (extra.empty() ? std::string() : extra.front()) +
                      "' (demo, sign, verify, send; see: kore-webhook --help)");
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
