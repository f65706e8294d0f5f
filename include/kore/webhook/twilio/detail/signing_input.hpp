#ifndef KORE_WEBHOOK_TWILIO_DETAIL_SIGNING_INPUT_HPP
#define KORE_WEBHOOK_TWILIO_DETAIL_SIGNING_INPUT_HPP

// The one place the legacy Twilio signed string is assembled: URL || name1 || value1 || ...,
// parameters sorted by name, then value. twilio::sign() and twilio::verifier both use it.

#include <kore/webhook/detail/digest.hpp>

#include <algorithm>
#include <string_view>
#include <tuple>
#include <vector>

namespace kore::webhook::twilio::detail {

// The core's internals (one layer below) under the names this layer's code gives them.
using namespace kore::webhook::detail;

template <class Parameter>
void sort_twilio_parameters(std::vector<Parameter>& params) {
    std::sort(params.begin(), params.end(), [](const Parameter& a, const Parameter& b) {
        return std::tie(a.name, a.value) < std::tie(b.name, b.value);
    });
}

// Appends the URL and the (already sorted) parameters to a keyed HMAC state.
template <class Parameter>
bool add_twilio_signing_input(mac_state& state, std::string_view url, const std::vector<Parameter>& sorted) noexcept {
    bool ok = state.update(url);
    for (const Parameter& p : sorted) {
        ok = ok && state.update(p.name) && state.update(p.value);
    }
    return ok;
}

}  // namespace kore::webhook::twilio::detail

#endif
