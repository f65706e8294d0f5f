// docs/api.md's core fragments: a verifier bound to its registered URL, a request as a server
// hands it out, a source of body pieces, and the application's processing.
#include <kore/webhook.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct request {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct server_reader {
    bool more();
    std::string_view read_some();
};

void process(std::string_view body);

kore::webhook::result snippet(const kore::webhook::verifier& verifier, const request& req,
                              const kore::webhook::request_head& head, server_reader& server) {
    // SNIPPET
    return r;
}
