// The `serve` command: its options and help; the gateway itself is src/serve/, linked into the
// executable only, which hands its entry point to the command line.

#include "command.hpp"
#include "serve/command.hpp"

#include <memory>

namespace kore_cli {

void define_serve(command& c, serve_runner serve) {
    c.describe("serve", serve::serve_summary(), serve::serve_description(), serve::serve_exit_statuses());
    auto args = std::make_shared<serve::serve_args>();
    serve::add_serve_options(*c.app(), *args);
    c.runs([args, serve](std::ostream& out, std::ostream& err) { return serve(*args, out, err); });
}

}  // namespace kore_cli
