// What clang-tidy reads: every public header of the library, used once.
#include <kore/webhook.hpp>
#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/replay_guard_async.hpp>
#include <kore/webhook/replay_guard_memory.hpp>
#include <kore/webhook/twilio.hpp>
#if __has_include(<hiredis/hiredis.h>)
#include <kore/webhook/replay_guard_redis.hpp>
#endif

#include <optional>

int main() noexcept {
    try {
        const kore::webhook::verifier verifier{"secret"};
        const kore::webhook::twilio::verifier legacy{"token"};
        const auto verdict = verifier.verify("POST", "https://example.com", "{}", std::nullopt);
        const kore::webhook::verifier bound{"secret", "https://example.com/k"};
        kore::webhook::body_verification check{bound, kore::webhook::request_head{"POST", "/k?x"},
                                               kore::webhook::keep_body::yes};
        check.put("{}");
        const bool refused = kore::webhook::http_status(check.finish()) == 401;
        kore::webhook::memory_replay_store memory;
        kore::webhook::replay_guard guard(memory);
        auto ticket = guard.claim("POST", verdict, "token");
        const bool fresh = ticket.should_process() && !ticket.commit();
#if __has_include(<hiredis/hiredis.h>)
        kore::webhook::redis_replay_store redis{kore::webhook::redis_replay_store_options{}};
        kore::webhook::replay_guard shared(redis);
        auto shared_ticket = shared.claim("POST", verdict);
        const bool shared_fresh = shared_ticket.should_process() && !shared_ticket.release();
#else
        const bool shared_fresh = false;
#endif
        return verdict || !refused || legacy.verify_form("https://example.com", "a=b", std::nullopt) || fresh ||
                       shared_fresh
                   ? 1
                   : 0;
    } catch (...) {
        return 2;
    }
}
