#ifndef KORE_WEBHOOK_TESTS_FAKE_REDIS_HPP
#define KORE_WEBHOOK_TESTS_FAKE_REDIS_HPP

// A misbehaving Redis on 127.0.0.1 for the deadline tests: it accepts connections one at a time,
// waits for a command, then sends `reply` one byte every `gap`, and after it (when `endless`)
// one more byte every `gap`, for at most `give_up` per connection. It never sends a valid answer
// in time, so only the client's own deadline ends a command.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

namespace kore_test {

class fake_redis {
public:
    fake_redis(std::string reply, std::chrono::milliseconds gap, bool endless,
               std::chrono::milliseconds give_up = std::chrono::seconds(10))
        : reply_(std::move(reply)), gap_(gap), endless_(endless), give_up_(give_up) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listener_, 8) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            if (listener_ >= 0) {
                ::close(listener_);
            }
            throw std::runtime_error("fake_redis: cannot listen on loopback");
        }
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { run(); });
    }

    fake_redis(const fake_redis&) = delete;
    fake_redis& operator=(const fake_redis&) = delete;
    fake_redis(fake_redis&&) = delete;
    fake_redis& operator=(fake_redis&&) = delete;

    ~fake_redis() {
        stop_ = true;
        thread_.join();
        ::close(listener_);
    }

    [[nodiscard]] int port() const noexcept { return port_; }

private:
    void run() {
        while (!stop_) {
            pollfd p{listener_, POLLIN, 0};
            if (::poll(&p, 1, 20) == 1) {
                const int fd = ::accept(listener_, nullptr, nullptr);
                if (fd >= 0) {
                    serve(fd);
                    ::close(fd);
                }
            }
        }
    }

    void serve(int fd) {
        const auto end = std::chrono::steady_clock::now() + give_up_;
        std::array<char, 4096> command{};
        for (;;) {  // wait for the command (its content does not matter)
            if (stop_ || std::chrono::steady_clock::now() > end) {
                return;
            }
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 20) == 1) {
                if (::recv(fd, command.data(), command.size(), 0) <= 0) {
                    return;
                }
                break;
            }
        }
        for (std::size_t i = 0; !stop_ && std::chrono::steady_clock::now() < end; ++i) {
            if (i >= reply_.size() && !endless_) {
                return;
            }
            const char byte = i < reply_.size() ? reply_[i] : 'x';
            if (::send(fd, &byte, 1, MSG_NOSIGNAL) != 1) {
                return;  // the client gave up and closed
            }
            std::this_thread::sleep_for(gap_);
        }
    }

    std::string reply_;
    std::chrono::milliseconds gap_;
    bool endless_;
    std::chrono::milliseconds give_up_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace kore_test

#endif
