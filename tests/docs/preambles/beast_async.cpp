// docs/servers.md's asynchronous Beast snippet: a session's stream, buffer and parser.
#include <kore/webhook.hpp>
#include <kore/webhook/adapters/beast.hpp>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstddef>
#include <string>

extern const kore::webhook::verifier v;
extern const std::string registered_url;

void read_body(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
               boost::beast::http::request_parser<kore::webhook::adapters::beast::verifying_body>& parser) {
    // SNIPPET
}
