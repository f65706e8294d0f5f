// README's "Integration in 15 lines", as a program: it verifies published vector K1, acknowledges
// its replay without processing it again, and refuses a tampered copy and one with an added query. Run:
// KORE_WEBHOOK_SECRET=secret12345
// ./kore-webhook-quickstart
#include <kore/webhook.hpp>
#include <kore/webhook/replay_guard_memory.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

void process(std::string_view body) {
    std::cout << "processing " << body.size() << " bytes\n";
}
template <class... Parts>
void log(const Parts&... parts) {
    (std::cerr << ... << parts) << '\n';
}

const char* secret_from_environment() {
    const char* secret = std::getenv("KORE_WEBHOOK_SECRET");
    if (secret == nullptr || *secret == '\0') {
        std::cerr << "set KORE_WEBHOOK_SECRET (published vector K1 uses secret12345)\n";
        std::exit(2);
    }
    return secret;
}

// --- README snippet starts here ---
// Once, at start-up: the secret from the KORE console, the URL exactly as registered there, and
// a replay guard (in memory here; replay_guard_redis.hpp shares one across a fleet).
const kore::webhook::verifier verifier{secret_from_environment(), "https://testendpoint.com"};
kore::webhook::memory_replay_store replay_store;
kore::webhook::replay_guard replay_guard{replay_store};

// Per request: method and target as received, the kore-signature header (std::nullopt when it is
// absent), the raw body, and kore-idempotency-token (unsigned: a hint for the logs, never the key).
int on_callback(std::string_view method, std::string_view target, std::optional<std::string_view> kore_signature,
                std::string_view raw_body, std::string_view idempotency_token) {
    const kore::webhook::result r = verifier.verify({method, target, kore_signature}, raw_body);
    if (!r) {
        log("refused KORE callback: ", r.error_name(), ": ", r.message());
        return kore::webhook::http_status(r);  // 401, 400, 413...; the body: kore::webhook::error_body(r)
    }
    kore::webhook::replay_claim claim = replay_guard.claim(method, r, idempotency_token);
    if (!claim.should_process()) {
        return claim.http_status();  // 200: a replay or KORE redelivery; 423: the first is still in work
    }
    process(raw_body);  // if this throws, the claim is released and KORE's retry gets processed
    static_cast<void>(claim.commit());
    return 204;
}
// --- README snippet ends here ---

}  // namespace

int main() {
    const std::string_view signature = "4fdba0cb1394cc8d17b8dabb04634aa9a951021a7b161f9c7a2186cd490b18b2";
    const std::string_view form = "field1=value1&field2=value2";
    const int good = on_callback("POST", "/", signature, form, "token-1");
    // The same signed request again, with another token: caught by its digest, not processed.
    const int replay = on_callback("POST", "/", signature, form, "token-2");
    const int tampered = on_callback("POST", "/", signature, "field1=value1&field2=evil", "token-3");
    // The signed body with a query KORE did not send: the parameters are not authenticated.
    const int added_query = on_callback("POST", "/?field2=evil", signature, form, "token-4");
    const int unsigned_request = on_callback("POST", "/", std::nullopt, form, "token-5");
    std::printf("K1: %d, replay: %d, tampered: %d, added query: %d, unsigned: %d\n", good, replay, tampered,
                added_query, unsigned_request);
    return good == 204 && replay == 200 && tampered == 401 && added_query == 401 && unsigned_request == 401 ? 0 : 1;
}
