#ifndef KORE_WEBHOOK_DETAIL_SIGNATURE_VALUE_HPP
#define KORE_WEBHOOK_DETAIL_SIGNATURE_VALUE_HPP

// Reading a signature header's value (docs/protocol.md, sections 3.1 and 3.2): absent, empty,
// malformed, or a decoded digest. The scheme decides the encoding (hex for KORE, base64 for
// legacy Twilio).

#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/errors.hpp>

#include <optional>
#include <string_view>
#include <system_error>

namespace kore::webhook::detail {

enum class signature_value { digest, empty };

// On success `expected` holds the decoded digest (signature_value::digest), or the header was
// present but empty and the caller allowed that (signature_value::empty).
template <class Scheme>
std::error_code read_signature(std::optional<std::string_view> header, bool allow_empty,
                               typename Scheme::digest_type& expected, signature_value& kind) noexcept {
    if (!header) {
        return make_error_code(errc::missing_signature);
    }
    const std::string_view value = trim_ows(*header);
    if (value.empty()) {
        if (!allow_empty) {
            return make_error_code(errc::unsigned_request);
        }
        kind = signature_value::empty;
        return {};
    }
    if (!Scheme::decode_signature(value, expected)) {
        return make_error_code(errc::malformed_signature);
    }
    kind = signature_value::digest;
    return {};
}

}  // namespace kore::webhook::detail

#endif
