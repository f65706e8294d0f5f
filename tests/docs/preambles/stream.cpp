// A streamed verification: the request's parts and a source of body pieces.
#include <kore/webhook.hpp>

#include <optional>
#include <string>
#include <string_view>

std::optional<std::string_view> read_some();

kore::webhook::result snippet(const kore::webhook::verifier& verifier, std::string_view method,
                              std::string_view registered_url, std::optional<std::string_view> kore_signature) {
    // SNIPPET
    return r;
}
