#ifndef KORE_WEBHOOK_DETAIL_DECISION_HPP
#define KORE_WEBHOOK_DETAIL_DECISION_HPP

// The rules that turn a signature header and the computed digests into a verdict
// (docs/protocol.md, section 3), written once for one-shot and streamed verification alike.

#include <kore/webhook/detail/ct_audit.hpp>
#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/detail/signature_value.hpp>
#include <kore/webhook/detail/verdict.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/scheme.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <system_error>

namespace kore::webhook::detail {

using kore_digests = std::array<kore_sha256::digest_type, max_secrets>;

// What a verification has computed, asked for only when the header leaves something to compare:
//   bool raw_digests(kore_digests&)               one digest per secret over the raw body
//   bool extended(std::size_t secret)             the body carries length-extension glue aligned
//                                                 for that secret
//   minified_result minified_digests(kore_digests&)  one digest per secret over the JSON body
//                                                 without insignificant whitespace, when the
//                                                 body is one JSON text that had some
enum class minified_result { not_applicable, computed, failed };

// The header first (an absent, empty or malformed one costs no hashing), then the raw body, then
// the JSON fallback, which can only ever add a success for a valid JSON text.
using kore_verdict = verdict<kore_sha256::digest_type>;

template <class Digests>
kore_verdict decide(std::optional<std::string_view> header, const options& opts, std::size_t secret_count,
                    Digests& digests) noexcept {
    kore_sha256::digest_type expected{};
    signature_value kind = signature_value::digest;
    if (const auto ec = read_signature<kore_sha256>(header, opts.allow_unsigned, expected, kind)) {
        return kore_verdict::refuse(ec);
    }
    if (kind == signature_value::empty) {
        return kore_verdict::accept_unsigned();
    }
    KORE_WEBHOOK_CT_POISON(expected.data(), expected.size());
    kore_digests computed{};
    if (!digests.raw_digests(computed)) {
        return kore_verdict::refuse(make_error_code(errc::crypto_failure));
    }
    KORE_WEBHOOK_CT_POISON(computed.data(), sizeof(computed));
    std::size_t match = find_match(computed, secret_count, expected);
    KORE_WEBHOOK_CT_UNPOISON(&match, sizeof(match));
    if (match != no_match) {
        // A valid JSON text never holds the NUL bytes of glue, so only a raw match needs the look.
        if (digests.extended(match)) {
            return kore_verdict::refuse(make_error_code(errc::length_extension));
        }
        KORE_WEBHOOK_CT_UNPOISON(expected.data(), expected.size());
        return kore_verdict::verified(expected, match, false);
    }
    if (!opts.json_whitespace_fallback) {
        return kore_verdict::refuse(make_error_code(errc::signature_mismatch));
    }
    switch (digests.minified_digests(computed)) {
        case minified_result::not_applicable:
            return kore_verdict::refuse(make_error_code(errc::signature_mismatch));
        case minified_result::failed:
            return kore_verdict::refuse(make_error_code(errc::crypto_failure));
        case minified_result::computed:
            break;
    }
    KORE_WEBHOOK_CT_POISON(computed.data(), sizeof(computed));
    match = find_match(computed, secret_count, expected);
    KORE_WEBHOOK_CT_UNPOISON(&match, sizeof(match));
    if (match != no_match) {
        KORE_WEBHOOK_CT_UNPOISON(expected.data(), expected.size());
        return kore_verdict::verified(expected, match, true);
    }
    return kore_verdict::refuse(make_error_code(errc::signature_mismatch));
}

}  // namespace kore::webhook::detail

#endif
