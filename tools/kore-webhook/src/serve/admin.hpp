#ifndef KORE_WEBHOOK_CLI_SERVE_ADMIN_HPP
#define KORE_WEBHOOK_CLI_SERVE_ADMIN_HPP

// The admin listener (admin_listen, never the callback port): GET /healthz (200 while the process
// runs), GET /readyz (200 when a configuration is loaded and Redis, if configured, answers PING;
// the PING runs on the worker pool), GET /metrics (metrics.hpp). Plain HTTP, one request per
// connection, every phase bounded.

#include "config.hpp"
#include "gateway.hpp"

#include <memory>
#include <string>

namespace kore_cli::serve {

class admin_listener;

std::shared_ptr<admin_listener> open_admin_listener(gateway& g, const host_port& at);
std::string bound_address(const admin_listener& l);
void start(admin_listener& l);
void stop(admin_listener& l);

}  // namespace kore_cli::serve

#endif
