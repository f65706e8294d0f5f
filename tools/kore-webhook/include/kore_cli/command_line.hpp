#ifndef KORE_WEBHOOK_CLI_COMMAND_LINE_HPP
#define KORE_WEBHOOK_CLI_COMMAND_LINE_HPP

// The kore-webhook command line (CLI11): the commands, their options, exclusions and generated
// help, and the exit statuses: 0 success; 1 refused (verify), non-2xx (send) or a wrong verdict
// (demo); 2 usage, I/O, connection or TLS error.

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace kore_cli {

namespace serve {
struct serve_args;
}

struct demo_command {
    std::size_t port = 0;  // 0: any free port
};

// `demo` lives with the executable (it embeds the example receiver); the library calls it here.
using demo_runner = int (*)(const demo_command&, std::ostream& out, std::ostream& err);

// `serve` (the gateway, src/serve/) lives with the executable too; null when it was not built.
using serve_runner = int (*)(const serve::serve_args&, std::ostream& out, std::ostream& err);

// Runs one command line (the words after the program name). Returns the exit status; messages
// go to `err`, results to `out`. Never throws.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, demo_runner demo,
        serve_runner serve = nullptr);

// Strict non-negative decimal up to `max`, for counts and sizes. Throws usage_error naming `option`.
std::size_t parse_count(std::string_view option, std::string_view text, std::size_t max);

}  // namespace kore_cli

#endif
