#ifndef KORE_WEBHOOK_CLI_SERVE_SERVE_HPP
#define KORE_WEBHOOK_CLI_SERVE_SERVE_HPP

// `kore-webhook serve --config FILE [--check]`: the verifying gateway (docs/gateway.md).
//   --check  validate FILE (every key, every secret file) and exit: 0, or 2 with one line
//            "kore-webhook serve: KEY: problem"
// Otherwise it runs until SIGTERM or SIGINT (then: stop accepting, finish what is in flight, exit
// 0); SIGHUP re-reads FILE and every secret file. Prints "listening on HOST:PORT" (and "admin on
// HOST:PORT") on `out` when ready. Exit status 2 when it cannot start.

#include <ostream>
#include <string>

namespace kore_cli::serve {

struct serve_args {
    std::string config_file;
    bool check = false;
};

int run_serve(const serve_args& args, std::ostream& out, std::ostream& err);

}  // namespace kore_cli::serve

#endif
