// Built once per language standard; proves the headers work there, not only that they parse.
#include <kore/webhook.hpp>

#include <cstdio>
#include <optional>
#include <string_view>

int main() {
    const kore::webhook::verifier verifier{"secret12345"};
    const auto verdict =
        verifier.verify("POST", "https://testendpoint.com", "field1=value1&field2=value2",
                        std::string_view("4fdba0cb1394cc8d17b8dabb04634aa9a951021a7b161f9c7a2186cd490b18b2"));
    if (!verdict) {
        std::printf("K1 refused: %s\n", verdict.error().message().c_str());
        return 1;
    }
    std::printf("K1 verified as C++%ld\n", static_cast<long>(__cplusplus / 100 % 100));
    return 0;
}
