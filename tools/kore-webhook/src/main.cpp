// kore-webhook: sign, verify, send and demo KORE Wireless webhook callbacks, and serve them as a
// gateway. Everything is in the kore_webhook_cli library; src/command_line.cpp lists the commands,
// one file each. The gateway (src/serve/) is linked here when its dependencies were found.

#include <kore_cli/command_line.hpp>

#ifdef KORE_WEBHOOK_CLI_HAS_SERVE
#include "serve/serve.hpp"
#endif

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
#ifdef KORE_WEBHOOK_CLI_HAS_SERVE
    const kore_cli::serve_runner serve = &kore_cli::serve::run_serve;
#else
    const kore_cli::serve_runner serve = nullptr;
#endif
    const int status = kore_cli::run(args, std::cout, std::cerr, &kore_cli::run_demo, serve);
    std::cout.flush();
    return status;
}
