#ifndef KORE_WEBHOOK_TWILIO_SIGN_HPP
#define KORE_WEBHOOK_TWILIO_SIGN_HPP

// Computing an X-Twilio-Signature as Twilio does: for tests and simulators.

#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/twilio/detail/signing_input.hpp>
#include <kore/webhook/twilio/scheme.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kore::webhook::twilio {

// base64 HMAC-SHA1(auth token, url || sorted parameters). Throws std::invalid_argument for an
// empty token and std::runtime_error when OpenSSL fails.
inline std::string sign(std::string_view auth_token, std::string_view url, std::vector<parameter> params) {
    if (auth_token.empty()) {
        throw std::invalid_argument("kore-webhook: a Twilio auth token must not be empty");
    }
    // Fetched once per program; never modified after that.
    static const detail::evp_mac_ptr hmac = detail::fetch_mac("HMAC");
    detail::sort_twilio_parameters(params);
    detail::mac_state state;
    twilio_hmac_sha1::digest_type digest{};
    if (!state.init(hmac.get(), "SHA1", auth_token) || !detail::add_twilio_signing_input(state, url, params) ||
        !state.finish(digest)) {
        throw std::runtime_error("kore-webhook: OpenSSL failed to compute HMAC-SHA1");
    }
    return twilio_hmac_sha1::encode_signature(digest);
}

}  // namespace kore::webhook::twilio

#endif
