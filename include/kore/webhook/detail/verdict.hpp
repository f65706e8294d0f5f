#ifndef KORE_WEBHOOK_DETAIL_VERDICT_HPP
#define KORE_WEBHOOK_DETAIL_VERDICT_HPP

// What the verification rules decided, before it becomes a public result. Only the verifiers
// turn a verdict into a result (result.hpp makes them its only friends), so application code can
// hold a refusal of its own making but never mint a success.

#include <cstddef>
#include <system_error>

namespace kore::webhook::detail {

enum class verdict_kind { refused, verified, accepted_unsigned };

template <class Digest>
struct verdict {
    verdict_kind kind = verdict_kind::refused;
    std::error_code error;
    Digest digest{};  // the verified digest (the header's, which a configured secret reproduced)
    std::size_t secret_index = 0;
    bool json_normalized = false;

    static verdict refuse(std::error_code why) noexcept { return {verdict_kind::refused, why, {}, 0, false}; }
    static verdict accept_unsigned() noexcept { return {verdict_kind::accepted_unsigned, {}, {}, 0, false}; }
    static verdict verified(const Digest& digest, std::size_t secret, bool json_normalized) noexcept {
        return {verdict_kind::verified, {}, digest, secret, json_normalized};
    }
};

}  // namespace kore::webhook::detail

#endif
