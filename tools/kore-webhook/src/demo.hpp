#ifndef KORE_WEBHOOK_CLI_SRC_DEMO_HPP
#define KORE_WEBHOOK_CLI_SRC_DEMO_HPP

// `kore-webhook demo`, built into the executable only: it embeds the project's cpp-httplib
// example receiver (examples/httplib/receiver.hpp), which shipped library code must not include.

#include <kore_cli/command_line.hpp>

#include <ostream>

namespace kore_cli {

int run_demo(const demo_command& command, std::ostream& out, std::ostream& err);

}  // namespace kore_cli

#endif
