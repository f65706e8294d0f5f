// kore-webhook: sign, verify, send and demo KORE Wireless webhook callbacks. Everything but the
// demo is in the kore_webhook_cli library (command_line.cpp describes the commands).

#include "demo.hpp"

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
