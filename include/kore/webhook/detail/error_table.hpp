#ifndef KORE_WEBHOOK_DETAIL_ERROR_TABLE_HPP
#define KORE_WEBHOOK_DETAIL_ERROR_TABLE_HPP

// One std::error_category for every error enum of the library. An enum whose values run 1..N
// specialises error_table<Enum> with its category name, a row per value in enum order (name, the
// HTTP status a receiver answers with, message) and the row of an unknown value; describe(), the
// category and the name and status lookups are then the same code for all.

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
    error_text unknown;                // for a value outside 1..N
    std::array<error_text, N> values;  // values[i] describes the value i + 1
};

// Specialised per enum with one member: static constexpr error_texts<N> texts.
template <class Enum>
struct error_table;

template <class Enum>
constexpr const error_text& describe(Enum e) noexcept {
    constexpr const auto& texts = error_table<Enum>::texts;
    const auto value = static_cast<long long>(e);
    if (value < 1 || value > static_cast<long long>(texts.values.size())) {
        return texts.unknown;
    }
    return texts.values[static_cast<std::size_t>(value - 1)];
}

template <class Enum>
class table_category final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return error_table<Enum>::texts.category; }
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
