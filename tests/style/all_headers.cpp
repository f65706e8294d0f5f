// What clang-tidy reads: every public header of the library, used once.
#include <kore/webhook.hpp>
#include <kore/webhook/twilio.hpp>

#include <optional>

int main() noexcept {
    try {
        const kore::webhook::verifier verifier{"secret"};
        const kore::webhook::twilio::verifier legacy{"token"};
        return verifier.verify("POST", "https://example.com", "{}", std::nullopt) ||
                       legacy.verify_form("https://example.com", "a=b", std::nullopt)
                   ? 1
                   : 0;
    } catch (...) {
        return 2;
    }
}
