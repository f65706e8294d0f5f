// A downstream program, as a user would write it: verifies KORE's published vector K1 and
// rejects the same request with a tampered body. Exit 0 only if both hold.
#include <kore/webhook.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

int main() {
    const std::string secret = "secret12345";
    constexpr std::string_view method = "POST";
    constexpr std::string_view url = "https://testendpoint.com";
    constexpr std::string_view body = "field1=value1&field2=value2";
    constexpr std::string_view signature = "4fdba0cb1394cc8d17b8dabb04634aa9a951021a7b161f9c7a2186cd490b18b2";

    const kore::webhook::verifier verifier{secret};

    const auto genuine = verifier.verify(method, url, body, std::optional<std::string_view>{signature});
    if (!genuine) {
        std::fprintf(stderr, "consumer: published vector K1 did not verify: %s\n", genuine.error().message().c_str());
        return 1;
    }
    const auto tampered =
        verifier.verify(method, url, "field1=value1&field2=value3", std::optional<std::string_view>{signature});
    if (tampered) {
        std::fprintf(stderr, "consumer: a tampered body verified\n");
        return 1;
    }
    if (kore::webhook::sign(secret, method, url, body) != signature) {
        std::fprintf(stderr, "consumer: sign() does not reproduce K1\n");
        return 1;
    }
    std::printf("consumer: K1 verified, tampered body rejected\n");
    return 0;
}
