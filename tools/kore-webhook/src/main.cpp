// kore-webhook: sign, verify, send and demo KORE Wireless webhook callbacks. Everything is in the
// kore_webhook_cli library; src/command_line.cpp lists the commands, one file each.

#include <kore_cli/command_line.hpp>

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const int status = kore_cli::run(args, std::cout, std::cerr);
    std::cout.flush();
    return status;
}
