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

// Specialised per enum: static constexpr const char* category; static constexpr error_text unknown;
// static constexpr std::array<error_text, N> texts, where texts[i] describes the value i + 1.
template <class Enum>
struct error_table;

template <class Enum>
constexpr error_text describe(Enum e) noexcept {
    using table = error_table<Enum>;
    const auto value = static_cast<long long>(e);
    if (value < 1 || value > static_cast<long long>(table::texts.size())) {
        return table::unknown;
    }
    return table::texts[static_cast<std::size_t>(value - 1)];
}

template <class Enum>
class table_category final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return error_table<Enum>::category; }
    [[nodiscard]] std::string message(int ev) const override {
        return std::string(describe(static_cast<Enum>(ev)).message);
    }
};

template <class Enum>
const std::error_category& category_of() noexcept {
    static const table_category<Enum> instance;
    return instance;
}

template <class Enum>
std::error_code code_of(Enum e) noexcept {
    return {static_cast<int>(e), category_of<Enum>()};
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
