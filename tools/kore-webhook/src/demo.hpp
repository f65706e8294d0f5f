#ifndef KORE_WEBHOOK_CLI_SRC_DEMO_HPP
#define KORE_WEBHOOK_CLI_SRC_DEMO_HPP

// `kore-webhook demo`, built into the executable only: it runs a cpp-httplib server (the library's
// httplib route helper), which the command libraries do not link.

#include <kore_cli/command_line.hpp>

#include <ostream>

namespace kore_cli {

int run_demo(const demo_command& command, std::ostream& out, std::ostream& err);

}  // namespace kore_cli

#endif
