#ifndef KORE_WEBHOOK_CLI_SRC_COMMAND_HPP
#define KORE_WEBHOOK_CLI_SRC_COMMAND_HPP

// One kore-webhook command as its own file declares it (CLI11 2.1): its texts, its options bound
// to its arguments, and what runs once the command line is accepted. command_line.cpp lists the
// commands (the one place a new one is registered) and words CLI11's objections the tool's way.

#include <kore_cli/command_line.hpp>
#include <kore_cli/secrets.hpp>

#include <CLI/CLI.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace kore_cli {

// What a selected command runs: returns the exit status (0 or 1); throws usage_error or io_error.
using action = std::function<int(std::ostream& out, std::ostream& err)>;

class command {
public:
    explicit command(CLI::App* app) : app_(app) {
        app_->group("commands");
        app_->set_help_flag("-h,--help", "this text");
        app_->allow_extras();  // unknown words are reported by run() and explain(), in the tool's words
        app_->option_defaults()->group("options");
        // A repeated option is reported the same way ("--url given twice").
        app_->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
    command(const command&) = delete;  // validators keep a pointer to it
    command& operator=(const command&) = delete;

    // Its name, the one line of the command list, its --help text and the exit statuses under it.
    void describe(const std::string& name, std::string summary, const std::string& description,
                  const std::string& exit_statuses) {
        app_->name(name);
        app_->description(description);
        app_->footer(exit_statuses);
        summary_ = std::move(summary);
    }
    // Run when the command is selected and its line is accepted.
    void runs(action a) { action_ = std::move(a); }

    // `into`: a std::string, or a std::optional<std::string> set only when the option is given.
    template <typename Text>
    CLI::Option* text(const std::string& flag, Text& into, const std::string& type, const std::string& what) {
        return app_->add_option(flag, into, what)->type_name(type);
    }
    CLI::Option* flag(const std::string& flag, bool& into, const std::string& what) {
        return app_->add_flag(flag, into, what)->disable_flag_override();
    }
    // A count or size: decimal digits only, at most `max`, handed to `take`.
    CLI::Option* number(const std::string& flag, std::size_t max, const std::string& type, const std::string& what,
                        std::function<void(std::size_t)> take);
    // May be given several times; `take` sees each value in command-line order.
    CLI::Option* repeated(const std::string& flag, std::function<void(const std::string&)> take,
                          const std::string& type, const std::string& what) {
        return app_->add_option_function<std::string>(flag, std::move(take), what)
            ->type_name(type)
            ->trigger_on_parse()
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    }
    // A secret option; all those sharing `into` keep their command-line order (the rotation order).
    CLI::Option* secret(const std::string& flag, secret_source::kind kind, std::vector<secret_source>& into,
                        const std::string& type, const std::string& what) {
        const auto take = [&into, flag, kind](const std::string& value) { into.push_back({kind, flag, value}); };
        return repeated(flag, take, type, what);
    }
    // --secret-file, --secret-env and --secret, the same in every command that takes a secret.
    void secrets(std::vector<secret_source>& into, const std::string& file_help) {
        secret("--secret-file", secret_source::kind::file, into, "FILE", file_help);
        secret("--secret-env", secret_source::kind::env, into, "NAME",
               "the webhook secret from environment variable NAME");
        secret("--secret", secret_source::kind::plain, into, "SECRET",
               "the secret itself (shows in `ps` and shell history: experiments only)");
    }

    // For command_line.cpp.
    CLI::App* app() const noexcept { return app_; }
    const std::string& name() const { return app_->get_name(); }
    const std::string& summary() const noexcept { return summary_; }
    // " (see: kore-webhook NAME --help)", the end of most usage errors.
    std::string hint() const { return " (see: kore-webhook " + name() + " --help)"; }
    // After CLI11 accepted the line: unknown words, then repeated options, then bad numbers are
    // usage errors (thrown), in that order; then the action runs.
    int run(std::ostream& out, std::ostream& err) const;
    // The tool's words for CLI11's objection; `stopped_at` is the word CLI11 stopped at.
    std::string explain(const CLI::ParseError& e, const std::string& stopped_at) const;

private:
    void check_words() const;

    CLI::App* app_;
    std::string summary_;
    action action_;
    std::string number_problem_;  // the first bad number, reported once the parse is through
};

// "kore-webhook 0.2.0", for --version, `version` and the demo's banner.
std::string version_text();

// Each command's file defines its command: src/<name>.cpp. The list is in command_line.cpp.
void define_demo(command& c, demo_runner demo);
void define_sign(command& c);
void define_verify(command& c);
void define_send(command& c);
void define_serve(command& c, serve_runner serve);

}  // namespace kore_cli

#endif
