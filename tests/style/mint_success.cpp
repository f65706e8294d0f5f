// Application code must not be able to make a successful result. Built twice by ctest
// (style.cannot_mint_success): as it is, it must compile, which proves the failing variants fail
// for their own reason; with KORE_WEBHOOK_MINT_ATTEMPT set to 1, 2 or 3, it must not compile.
#include <kore/webhook.hpp>
#include <kore/webhook/twilio.hpp>

#include <system_error>

int main() {
    // Refusals are open to everyone: adapters and hand-written integrations answer with them.
    const auto refusal = kore::webhook::result::refused(make_error_code(kore::webhook::errc::signature_mismatch));
#if KORE_WEBHOOK_MINT_ATTEMPT == 1
    const kore::webhook::result forged{};  // nothing judged is never a success, and is not public
#elif KORE_WEBHOOK_MINT_ATTEMPT == 2
    const auto forged = kore::webhook::result::from({});  // the verdict door is the verifiers' only
#elif KORE_WEBHOOK_MINT_ATTEMPT == 3
    const auto forged = kore::webhook::twilio::result::from({});
#else
    const auto forged = refusal;
#endif
    return forged ? 1 : 0;
}
