#include <kore/webhook.hpp>

#include <optional>
#include <string>
#include <string_view>

int main() {
    // KORE's published vector K3.
    const kore::webhook::verifier verifier{std::string{"12345"}};
    const auto result = verifier.verify(
        "POST", "https://testendpoint.com", "field1=value1&field2=value2",
        std::optional<std::string_view>{"f562d3959f68b5a30fc7a63f8bbf40987f633575f4231ffceb4f76dd154ea3ce"});
    return result ? 0 : 1;
}
