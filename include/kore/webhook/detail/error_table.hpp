#ifndef KORE_WEBHOOK_DETAIL_ERROR_TABLE_HPP
#define KORE_WEBHOOK_DETAIL_ERROR_TABLE_HPP

// One std::error_category for every error enum of the library. An enum whose values run 1..N
// specialises error_table<Enum> with its category name, its texts in enum order and the text of an
// unknown value; describe(), the category and the name lookup are then the same code for all.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace kore::webhook::detail {

struct error_text {
    std::string_view name;
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
constexpr error_text describe(Enum e) noexcept {
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

// The name of ec's value if ec belongs to one of Enums' categories; "ok" for no error, else "unknown".
template <class... Enums>
std::string_view name_among(std::error_code ec) noexcept {
    if (!ec) {
        return "ok";
    }
    std::string_view name = "unknown";
    static_cast<void>(
        ((ec.category() == category_of<Enums>() ? (name = describe(static_cast<Enums>(ec.value())).name, true)
                                                : false) ||
         ...));
    return name;
}

}  // namespace kore::webhook::detail

#endif
