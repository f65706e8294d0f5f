#ifndef KORE_WEBHOOK_CLI_COMMAND_LINE_HPP
#define KORE_WEBHOOK_CLI_COMMAND_LINE_HPP

// The kore-webhook command line (CLI11): the commands, their options, exclusions and generated
// help, and the exit statuses: 0 success; 1 refused (verify), non-2xx (send) or a wrong verdict
// (demo); 2 usage, I/O, connection or TLS error.

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace kore_cli {

struct demo_command {
    std::size_t port = 0;  // 0: any free port
};

using demo_runner = int (*)(const demo_command&, std::ostream& out, std::ostream& err);

// The demo (demo.cpp): starts a receiver on 127.0.0.1 and sends it genuine and broken callbacks.
int run_demo(const demo_command& command, std::ostream& out, std::ostream& err);

namespace serve {
struct serve_args;
}  // namespace serve

// `serve`, the gateway (src/serve/), lives with the executable; null when it was not built.
using serve_runner = int (*)(const serve::serve_args&, std::ostream& out, std::ostream& err);

// Runs one command line (the words after the program name). Returns the exit status; messages
// go to `err`, results to `out`. Never throws. `demo` runs the demo command (tests pass their own).
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, demo_runner demo = &run_demo,
        serve_runner serve = nullptr);

}  // namespace kore_cli

#endif
