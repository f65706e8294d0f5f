// Verifies KORE's published vector K3 (current KORE documentation, form example).
#include <kore/webhook.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

int main() {
    const kore::webhook::verifier verifier{std::string{"12345"}};
    const auto result = verifier.verify(
        "POST", "https://testendpoint.com", "field1=value1&field2=value2",
        std::optional<std::string_view>{"f562d3959f68b5a30fc7a63f8bbf40987f633575f4231ffceb4f76dd154ea3ce"});
    if (!result) {
        std::fprintf(stderr, "kore-webhook %d.%d.%d: published vector K3 did not verify: %s\n",
                     kore::webhook::version_major, kore::webhook::version_minor, kore::webhook::version_patch,
                     result.error().message().c_str());
        return 1;
    }
    std::printf("kore-webhook %d.%d.%d: published vector K3 verified\n", kore::webhook::version_major,
                kore::webhook::version_minor, kore::webhook::version_patch);
    return 0;
}
