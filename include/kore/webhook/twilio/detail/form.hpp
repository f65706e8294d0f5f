#ifndef KORE_WEBHOOK_TWILIO_DETAIL_FORM_HPP
#define KORE_WEBHOOK_TWILIO_DETAIL_FORM_HPP

// application/x-www-form-urlencoded bodies, as the legacy Twilio scheme signs their decoded
// parameters: '&'-separated name=value pairs, '+' for space, %XX escapes.

#include <kore/webhook/detail/hex.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kore::webhook::twilio::detail {

// The core's internals (one layer below) under the names this layer's code gives them.
using namespace kore::webhook::detail;

struct form_parameter {
    std::string name;
    std::string value;
};

// False on a broken escape ('%' not followed by two hex digits).
inline bool percent_decode(std::string_view text, std::string& out) {
    out.clear();
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out.push_back(' ');
        } else if (text[i] == '%') {
            const int high = i + 2 < text.size() ? hex_digit_value(text[i + 1]) : -1;
            const int low = i + 2 < text.size() ? hex_digit_value(text[i + 2]) : -1;
            if (high < 0 || low < 0) {
                return false;
            }
            out.push_back(static_cast<char>((high << 4) | low));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return true;
}

// Appends each decoded pair to `out`, empty pairs skipped; false on a broken escape.
template <class Parameter>
bool parse_form(std::string_view body, std::vector<Parameter>& out) {
    while (!body.empty()) {
        const std::size_t amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        const std::size_t eq = pair.find('=');
        Parameter p;
        if (!percent_decode(pair.substr(0, eq), p.name) ||
            !percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), p.value)) {
            return false;
        }
        out.push_back(std::move(p));
    }
    return true;
}

}  // namespace kore::webhook::twilio::detail

#endif
