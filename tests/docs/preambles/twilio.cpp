// The legacy Twilio scheme's snippets: the request's parts, as the application has them.
#include <kore/webhook/twilio.hpp>

#include <optional>
#include <string>
#include <string_view>

void snippet(const std::string& auth_token, const std::string& full_url_with_query, const std::string& raw_form_body,
             const std::string& full_url_with_body_sha256, const std::string& raw_json_body,
             const std::string& full_url, std::optional<std::string_view> x_twilio_signature) {
    static_cast<void>(full_url_with_body_sha256);
    static_cast<void>(raw_json_body);
    static_cast<void>(full_url);
    // SNIPPET
}
