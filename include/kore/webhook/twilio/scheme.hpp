#ifndef KORE_WEBHOOK_TWILIO_SCHEME_HPP
#define KORE_WEBHOOK_TWILIO_SCHEME_HPP

// The legacy Twilio scheme as a result sees it (docs/protocol.md, section 4): base64 HMAC-SHA1 in
// X-Twilio-Signature, and the form parameter type its signer and verifier take.

#include <kore/webhook/detail/base64.hpp>
#include <kore/webhook/detail/signature_encoding.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/result.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace kore::webhook {

// A signature is strict base64 of exactly 20 bytes.
struct twilio_hmac_sha1 : detail::signature_encoding<20, &detail::decode_base64<20>, &detail::encode_base64<20>> {
    static constexpr std::string_view header_name = "X-Twilio-Signature";

    // The refusals that concern the header, in Twilio's terms; the others as the category says.
    static std::string message(std::error_code error) {
        if (error.category() == webhook_category()) {
            switch (static_cast<errc>(error.value())) {
                case errc::missing_signature:
                    return "the request has no X-Twilio-Signature header; it did not come from Twilio, or a "
                           "proxy dropped the header";
                case errc::unsigned_request:
                    return "the X-Twilio-Signature header is empty; Twilio always signs, so the request is "
                           "not proven to come from Twilio";
                case errc::malformed_signature:
                    return "the X-Twilio-Signature header is not base64 of a 20-byte HMAC-SHA1";
                case errc::signature_mismatch:
                    return "the X-Twilio-Signature does not match: check that the URL is the full URL Twilio "
                           "requested (scheme, host, port, path and query), that the form parameters are the "
                           "ones received, and that the auth token is current";
                case errc::duplicate_signature:
                    return "the request carries more than one X-Twilio-Signature header";
                default:
                    break;
            }
        }
        return error.message();
    }
};

namespace twilio {

inline constexpr std::string_view signature_header_name = twilio_hmac_sha1::header_name;
inline constexpr std::string_view body_hash_parameter = "bodySHA256";

using result = basic_result<twilio_hmac_sha1>;

// One decoded form parameter (or, for a GET, one decoded query parameter).
struct parameter {
    std::string name;
    std::string value;
};

}  // namespace twilio
}  // namespace kore::webhook

#endif
