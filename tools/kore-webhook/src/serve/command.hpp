#ifndef KORE_WEBHOOK_CLI_SERVE_COMMAND_HPP
#define KORE_WEBHOOK_CLI_SERVE_COMMAND_HPP

// The `serve` command's options, added to the CLI11 subcommand that the command line made for it;
// the command line then calls run_serve (serve.hpp) with what was parsed.

#include "serve.hpp"

#include <CLI/CLI.hpp>

namespace kore_cli::serve {

inline void add_serve_options(CLI::App& command, serve_args& into) {
    command.add_option("--config", into.config_file, "the gateway's configuration (TOML; docs/gateway.md)")
        ->type_name("FILE")
        ->required();
    command.add_flag("--check", into.check, "check the configuration and its secret files, then exit (0 or 2)")
        ->disable_flag_override();
}

inline const char* serve_summary() {
    return "run the verifying gateway: genuine callbacks handed on once, as Standard Webhooks";
}

inline const char* serve_description() {
    return "Runs the verifying gateway configured in FILE (docs/gateway.md): each KORE callback is verified,\n"
           "claimed on the replay guard, forwarded re-signed as a Standard Webhook (or added to a Redis\n"
           "stream), and only then answered 204. --check validates FILE and its secret files and exits.\n"
           "SIGHUP reloads FILE; SIGTERM stops accepting, finishes what is in flight and exits 0.";
}

inline const char* serve_exit_statuses() {
    return "Exit status: 0 configuration valid (--check) or stopped by SIGTERM; 2 bad configuration or\n"
           "cannot start.";
}

}  // namespace kore_cli::serve

#endif
