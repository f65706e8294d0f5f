#ifndef KORE_WEBHOOK_CLI_SERVE_LISTENER_HPP
#define KORE_WEBHOOK_CLI_SERVE_LISTENER_HPP

// The `listen` socket: KORE's callbacks, plain or HTTPS. Asynchronous sessions on the I/O
// threads, each request read by Beast's http::async_read through the library's Body type
// (adapters::beast::verifying_body); every phase has a deadline, connections are bounded, and a
// verified callback goes to hand_off(). The admin listener (admin.hpp) is another socket with its
// own sessions; both open their sockets with open_acceptor().

#include "config.hpp"
#include "gateway.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>

namespace kore_cli::serve {

// Opens, binds and listens on `at`; throws std::runtime_error naming the key `key` (listen,
// admin_listen) when it cannot.
void open_acceptor(boost::asio::ip::tcp::acceptor& acceptor, const host_port& at, const std::string& key);
// "HOST:PORT" as bound ("[::1]:PORT" for IPv6; the real port when the configuration said 0).
std::string bound_address(const boost::asio::ip::tcp::acceptor& acceptor);

class callback_listener;

// Opens `at`; throws std::runtime_error naming the key `key` when it cannot.
std::shared_ptr<callback_listener> open_callback_listener(gateway& g, const host_port& at);
// "HOST:PORT" as bound (the real port when the configuration said 0).
std::string bound_address(const callback_listener& l);
void start(callback_listener& l);
// Stops accepting; connections in progress go on.
void stop(callback_listener& l);
// The io_context has stopped for good: sessions destroyed from now on post nothing.
void retire(callback_listener& l);

}  // namespace kore_cli::serve

#endif
