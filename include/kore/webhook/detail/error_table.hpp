#ifndef KORE_WEBHOOK_DETAIL_ERROR_TABLE_HPP
#define KORE_WEBHOOK_DETAIL_ERROR_TABLE_HPP

// One std::error_category for every error enum of the library. An enum whose values run 1..N
// specialises error_table<Enum> with its category name and a row per value in enum order (name,
// the HTTP status a receiver answers with, message); describe(), the category and the name and
// status lookups are then the same code for all.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace kore::webhook::detail {

struct error_text {
    std::string_view name;
    int http_status = 0;
    std::string_view message;
};

template <std::size_t N>
struct error_texts {
    const char* category = nullptr;    // std::error_category::name()
    std::array<error_text, N> values;  // values[i] describes the value i + 1
};

// A value outside 1..N: answered 500, which KORE retries.
inline constexpr error_text unknown_error{"unknown", 500, "unknown error code"};

// Specialised per error enum as an error_texts<N>; the primary, which has no rows, marks the
// enums that are not the library's.
template <class Enum>
inline constexpr bool error_table = false;

template <class Enum>
constexpr const error_text& describe(Enum e) noexcept {
    constexpr const auto& texts = error_table<Enum>;
    const auto value = static_cast<long long>(e);
    if (value < 1 || value > static_cast<long long>(texts.values.size())) {
        return unknown_error;
    }
    return texts.values[static_cast<std::size_t>(value - 1)];
}

template <class Enum>
class table_category final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return error_table<Enum>.category; }
    [[nodiscard]] std::string message(int ev) const override {
        return std::string(describe(static_cast<Enum>(ev)).message);
    }
};

template <class Enum>
const std::error_category& category_of() noexcept {
    static const table_category<Enum> instance;
    return instance;
}

// The row of ec's value if ec belongs to one of Enums' categories, else nullptr.
template <class... Enums>
const error_text* text_among(std::error_code ec) noexcept {
    const error_text* text = nullptr;
    static_cast<void>(
        ((ec.category() == category_of<Enums>() ? (text = &describe(static_cast<Enums>(ec.value())), true) : false) ||
         ...));
    return text;
}

}  // namespace kore::webhook::detail

#endif
