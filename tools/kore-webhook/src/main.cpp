// kore-webhook: sign, verify, send and demo KORE Wireless webhook callbacks. Everything but the
// demo is in the kore_webhook_cli library (command_line.cpp describes the commands).

#include "demo.hpp"

#include <kore_cli/command_line.hpp>

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const int status = kore_cli::run(args, std::cout, std::cerr, &kore_cli::run_demo);
    std::cout.flush();
    return status;
}
