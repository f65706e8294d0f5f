// docs/servers.md's POCO snippet: a member of a request handler.
#include <kore/webhook.hpp>
#include <kore/webhook/adapters/poco.hpp>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <ostream>
#include <string>

extern const kore::webhook::verifier v;
extern const std::string registered_url;

class kore_handler final : public Poco::Net::HTTPRequestHandler {
public:
    // SNIPPET
};
