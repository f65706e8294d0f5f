// README's "Integration in 15 lines": what the snippet leaves to the application.
#include <optional>
#include <string>
#include <string_view>

std::string secret_from_environment();
template <class... Parts>
void log(const Parts&... parts);
void process(std::string_view raw_body);

// SNIPPET
