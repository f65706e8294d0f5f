// docs/servers.md's synchronous Beast snippet: a connection's socket and read buffer.
#include <kore/webhook.hpp>
#include <kore/webhook/adapters/beast.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <string>

extern const kore::webhook::verifier v;
extern const std::string registered_url;

void serve_one(boost::asio::ip::tcp::socket& socket, boost::beast::flat_buffer& buffer) {
    // SNIPPET
}
