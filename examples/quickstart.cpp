// README's "Integration in 15 lines", as a program: it verifies published vector K1 and refuses
// a tampered copy. Run: KORE_WEBHOOK_SECRET=secret12345 ./kore-webhook-quickstart
#include <kore/webhook.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace {

std::set<std::string> seen;  // stands in for the application's de-duplication store
bool already_processed(const std::string& key) {
    return !seen.insert(key).second;
}
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
// Once, at start-up: the secret from the KORE console, and the URL exactly as registered there.
const kore::webhook::verifier verifier{secret_from_environment()};
const std::string registered_url = "https://testendpoint.com";

// Per request: method, raw body bytes, and the header (std::nullopt when it is absent).
int on_callback(std::string_view method, std::string_view raw_body, std::optional<std::string_view> kore_signature) {
    const kore::webhook::result r = verifier.verify(method, registered_url, raw_body, kore_signature);
    if (!r) {
        log("refused KORE callback: ", r.error_name(), ": ", r.error().message());
        return r.error() == kore::webhook::errc::body_too_large ? 413 : 401;
    }
    if (already_processed(r.replay_key())) {
        return 204;  // a replay or a KORE redelivery: acknowledge, do not process again
    }
    process(raw_body);
    return 204;
}
// --- README snippet ends here ---

}  // namespace

int main() {
    const std::string_view signature = "4fdba0cb1394cc8d17b8dabb04634aa9a951021a7b161f9c7a2186cd490b18b2";
    const int good = on_callback("POST", "field1=value1&field2=value2", signature);
    const int replay = on_callback("POST", "field1=value1&field2=value2", signature);
    const int tampered = on_callback("POST", "field1=value1&field2=evil", signature);
    const int unsigned_request = on_callback("POST", "field1=value1&field2=value2", std::string_view());
    std::printf("K1: %d, replay: %d, tampered: %d, unsigned: %d\n", good, replay, tampered, unsigned_request);
    return good == 204 && replay == 204 && tampered == 401 && unsigned_request == 401 ? 0 : 1;
}
