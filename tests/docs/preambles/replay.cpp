// docs/replay.md's fragments: `kw` and a request handler's parts.
#include <kore/webhook.hpp>
#include <kore/webhook/adapters/status.hpp>
#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/replay_guard_async.hpp>
#include <kore/webhook/replay_guard_memory.hpp>
#include <kore/webhook/replay_guard_redis.hpp>  // hiredis: the Redis snippet

#include <optional>
#include <string>
#include <string_view>

namespace kw = kore::webhook;

int reply(int status, std::string_view body);
void process(std::string_view body);
void log_warning(const std::string& message);
std::string read_secret(std::string_view name);

int snippet(const kw::verifier& verifier, const kw::request_head& head, std::string_view method, std::string_view body,
            std::string_view idempotency_token) {
    // SNIPPET
    return 0;
}
