// Header decoding: whatever the bytes, a decoded KORE header re-encodes to the trimmed input in
// lower case, and Twilio's base64 round-trips exactly.
#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/scheme.hpp>
#include <kore/webhook/signature_header.hpp>
#include <kore/webhook/twilio.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::string_view trimmed = kore::webhook::detail::trim_ows(input);

    kore::webhook::kore_sha256::digest_type hex{};
    if (kore::webhook::kore_sha256::decode_signature(trimmed, hex)) {
        std::string lowered(trimmed);
        for (char& c : lowered) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (kore::webhook::kore_sha256::encode_signature(hex) != lowered) {
            std::abort();
        }
    }
    kore::webhook::twilio_hmac_sha1::digest_type b64{};
    if (kore::webhook::twilio_hmac_sha1::decode_signature(trimmed, b64) &&
        kore::webhook::twilio_hmac_sha1::encode_signature(b64) != trimmed) {
        std::abort();
    }
    return 0;
}
