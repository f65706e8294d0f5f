#ifndef KORE_WEBHOOK_DETAIL_MINIFIED_DIGESTS_HPP
#define KORE_WEBHOOK_DETAIL_MINIFIED_DIGESTS_HPP

// The JSON fallback over a whole body held in memory: one digest per secret over the body without
// insignificant whitespace, from digest states already keyed with secret, method and URL. Shared
// by one-shot verify() and by a streamed verification that kept the body.

#include <kore/webhook/detail/decision.hpp>
#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/detail/json/minifier.hpp>
#include <kore/webhook/options.hpp>

#include <array>
#include <cstddef>
#include <string_view>

namespace kore::webhook::detail {

// `begin(i, state)` keys state i; it is asked only once the body turned out to have whitespace to
// remove. Up to the first such whitespace the minified body is the raw one, already tried: a body
// that is not JSON, or has nothing to remove, costs no hashing here.
template <class Begin>
minified_result minified_over(std::string_view body, std::size_t count, Begin&& begin, kore_digests& out) noexcept {
    json_minifier json;
    const std::size_t space = json.feed_until_whitespace(body);
    if (space == body.size()) {
        return minified_result::not_applicable;
    }
    std::array<hash_state, max_secrets> states;
    bool ok = true;
    for (std::size_t i = 0; i < count; ++i) {
        ok = begin(i, states[i]) && states[i].update(body.substr(0, space)) && ok;
    }
    json.feed(body.substr(space + 1), [&](std::string_view run) noexcept {
        for (std::size_t i = 0; i < count; ++i) {
            ok = states[i].update(run) && ok;
        }
    });
    if (!json.complete()) {
        return minified_result::not_applicable;
    }
    for (std::size_t i = 0; i < count; ++i) {
        ok = states[i].finish(out[i]) && ok;
    }
    return ok ? minified_result::computed : minified_result::failed;
}

}  // namespace kore::webhook::detail

#endif
