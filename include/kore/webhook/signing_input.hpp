#ifndef KORE_WEBHOOK_SIGNING_INPUT_HPP
#define KORE_WEBHOOK_SIGNING_INPUT_HPP

// How KORE's signed string is assembled (secret || METHOD || URL || body), how the header is
// read, and how computed digests are compared. Shared by one-shot and streaming verification so
// both reach their verdicts the same way.

#include <kore/webhook/digest.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/signature_header.hpp>
#include <kore/webhook/url.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace kore::webhook::detail {

// A digest state that has absorbed one secret. Requests start from copies of it, so the secret
// is hashed once per verifier and never kept anywhere else.
struct keyed_secret {
    hash_state state;
    std::uint64_t secret_length = 0;
};

inline std::error_code check_request(std::string_view method, std::string_view registered_url) noexcept {
    if (!is_http_method(method)) {
        return make_error_code(errc::invalid_method);
    }
    if (!is_registered_url(registered_url)) {
        return make_error_code(errc::invalid_url);
    }
    return {};
}

// secret || METHOD || URL, on a fresh copy of the keyed state.
inline bool begin_signing_input(hash_state& out, const keyed_secret& secret, std::string_view method,
                                std::string_view url) noexcept {
    return out.copy_from(secret.state) && out.update(method) && out.update(url);
}

inline std::uint64_t prefix_length(const keyed_secret& secret, std::string_view method, std::string_view url) noexcept {
    return secret.secret_length + method.size() + url.size();
}

enum class header_state { signature, accepted_unsigned };

// Spec 3.1 and 3.2: absent, empty, malformed, or a decoded digest.
template <class Scheme>
std::error_code read_signature(std::optional<std::string_view> header, const options& opts,
                               typename Scheme::digest_type& expected, header_state& state) noexcept {
    if (!header) {
        return make_error_code(errc::missing_signature);
    }
    const std::string_view value = trim_ows(*header);
    if (value.empty()) {
        if (!opts.allow_unsigned) {
            return make_error_code(errc::unsigned_request);
        }
        state = header_state::accepted_unsigned;
        return {};
    }
    if (!Scheme::decode_signature(value, expected)) {
        return make_error_code(errc::malformed_signature);
    }
    state = header_state::signature;
    return {};
}

// The header's verdict, when it settles the request on its own (a refusal, or an unsigned
// request accepted by option); std::nullopt when `expected` holds a digest to compare.
template <class Scheme>
std::optional<basic_result<Scheme>> judge_header(std::optional<std::string_view> header, const options& opts,
                                                 typename Scheme::digest_type& expected) noexcept {
    header_state state = header_state::signature;
    if (const auto ec = read_signature<Scheme>(header, opts, expected, state)) {
        return basic_result<Scheme>::refused(ec);
    }
    if (state == header_state::accepted_unsigned) {
        return basic_result<Scheme>::accepted_unsigned();
    }
    return std::nullopt;
}

inline constexpr std::size_t no_match = static_cast<std::size_t>(-1);

// Compares the expected digest with every computed one, never stopping early, so the time taken
// does not say which secret matched. Returns the first matching index or no_match.
template <class Digest, std::size_t N>
std::size_t find_match(const std::array<Digest, N>& computed, std::size_t count, const Digest& expected) noexcept {
    std::size_t index = no_match;
    for (std::size_t i = 0; i < count; ++i) {
        const auto take = static_cast<std::size_t>(equal_digests(computed[i], expected) & (index == no_match));
        index = take * i + (1 - take) * index;
    }
    return index;
}

}  // namespace kore::webhook::detail

#endif
