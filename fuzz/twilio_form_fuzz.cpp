// The legacy Twilio scheme's decoding (docs/protocol.md, section 4) against plain references:
// application/x-www-form-urlencoded bodies (percent_decode, parse_form), the X-Twilio-Signature
// base64, and what verify_form() makes of a form signed over its reference decoding.
// Input: the first byte picks the auth token; the rest is the form body and, after a NUL, a
// header value.
#include <kore/webhook/detail/base64.hpp>
#include <kore/webhook/twilio.hpp>
#include <kore/webhook/twilio/detail/form.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace kw = kore::webhook;
namespace tw = kore::webhook::twilio;

int reference_hex(char c) {
    const std::string_view digits = "0123456789abcdef";
    const char lower = (c >= 'A' && c <= 'F') ? static_cast<char>(c + ('a' - 'A')) : c;
    const std::size_t at = digits.find(lower);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// '+' is a space, "%XY" the byte 0xXY, anything else itself; a '%' without two hex digits fails.
std::optional<std::string> reference_decode(std::string_view text) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '%') {
            if (text.size() - i < 3 || reference_hex(text[i + 1]) < 0 || reference_hex(text[i + 2]) < 0) {
                return std::nullopt;
            }
            out += static_cast<char>(reference_hex(text[i + 1]) * 16 + reference_hex(text[i + 2]));
            i += 3;
        } else {
            out += text[i] == '+' ? ' ' : text[i];
            i += 1;
        }
    }
    return out;
}

// Split at every '&', skip empty pairs, split each at its first '=', decode both halves.
std::optional<std::vector<tw::parameter>> reference_form(std::string_view body) {
    std::vector<tw::parameter> out;
    std::string pair;
    const std::string text = std::string(body) + "&";
    for (const char c : text) {
        if (c != '&') {
            pair += c;
            continue;
        }
        if (!pair.empty()) {
            const std::size_t eq = pair.find('=');
            const auto name = reference_decode(pair.substr(0, eq));
            const auto value = reference_decode(eq == std::string::npos ? std::string() : pair.substr(eq + 1));
            if (!name || !value) {
                return std::nullopt;
            }
            out.push_back({*name, *value});
        }
        pair.clear();
    }
    return out;
}

// 28 characters: 27 from the alphabet, then '='; 162 bits whose last 2 are zero.
std::optional<tw::verifier::digest_type> reference_base64(std::string_view text) {
    const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (text.size() != 28 || text[27] != '=') {
        return std::nullopt;
    }
    std::vector<int> bits;
    for (std::size_t i = 0; i < 27; ++i) {
        const std::size_t value = alphabet.find(text[i]);
        if (value == std::string_view::npos) {
            return std::nullopt;
        }
        for (int b = 5; b >= 0; --b) {
            bits.push_back(static_cast<int>((value >> b) & 1U));
        }
    }
    if (bits[160] != 0 || bits[161] != 0) {
        return std::nullopt;
    }
    tw::verifier::digest_type out{};
    for (std::size_t i = 0; i < 160; ++i) {
        out[i / 8] = static_cast<unsigned char>((out[i / 8] << 1) | bits[i]);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const std::string token = "token-" + std::to_string(data[0] % 3);
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::string_view body = input.substr(0, input.find('\0'));
    const std::string_view header =
        body.size() < input.size() ? input.substr(body.size() + 1) : std::string_view("AAAAAAAAAAAAAAAAAAAAAAAAAAA=");

    std::string decoded;
    const auto reference_text = reference_decode(body);
    if (kw::twilio::detail::percent_decode(body, decoded) != reference_text.has_value() ||
        (reference_text && decoded != *reference_text)) {
        std::abort();
    }
    std::vector<tw::parameter> parsed;
    const auto reference_params = reference_form(body);
    if (kw::twilio::detail::parse_form(body, parsed) != reference_params.has_value()) {
        std::abort();
    }
    if (reference_params) {
        if (parsed.size() != reference_params->size()) {
            std::abort();
        }
        for (std::size_t i = 0; i < parsed.size(); ++i) {
            if (parsed[i].name != (*reference_params)[i].name || parsed[i].value != (*reference_params)[i].value) {
                std::abort();
            }
        }
    }

    tw::verifier::digest_type digest{};
    const auto reference_digest = reference_base64(header);
    const bool decoded_header = kw::detail::decode_base64(header, digest);
    if (decoded_header != reference_digest.has_value() || (decoded_header && digest != *reference_digest) ||
        (decoded_header && kw::detail::encode_base64(digest) != header)) {
        std::abort();
    }

    // A form signed over its reference decoding verifies, under the signing token only; a
    // broken form is malformed_body whatever the header.
    static const tw::verifier verifier(std::vector<std::string>{"token-0", "token-1"});  // fetched once
    const std::string url = "https://x.example/sms?q=1";
    if (!reference_params) {
        if (verifier.verify_form(url, body, header).error() != kw::errc::malformed_body) {
            std::abort();
        }
        return 0;
    }
    const std::string signature = tw::sign(token, url, *reference_params);
    const tw::result r = verifier.verify_form(url, body, std::string_view(signature));
    if (token == "token-2" ? r.error() != kw::errc::signature_mismatch
                           : !(r.verified() && r.secret_index() == static_cast<std::size_t>(data[0] % 3))) {
        std::abort();
    }
    const tw::result fuzzed = verifier.verify_form(url, body, header);
    if (fuzzed && kw::detail::encode_base64(fuzzed.digest()) != signature) {
        std::abort();  // only the true signature can verify
    }
    return 0;
}
