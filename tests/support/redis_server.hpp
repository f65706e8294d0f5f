#ifndef KORE_WEBHOOK_TESTS_REDIS_SERVER_HPP
#define KORE_WEBHOOK_TESTS_REDIS_SERVER_HPP

// A private redis-server for one test or benchmark: started on 127.0.0.1 on a free port with
// nothing persisted, in a temporary directory; stopped (and the directory removed) by its
// destructor. It can be stopped and started again on the same port, and paused (SIGSTOP) to
// play a Redis that accepts connections but never answers.

#include <hiredis/hiredis.h>

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace kore_test {

class redis_server {
public:
    // `extra` are more redis-server arguments, e.g. {"--requirepass", "pw"}.
    explicit redis_server(std::string executable, std::vector<std::string> extra = {})
        : executable_(std::move(executable)), extra_(std::move(extra)) {
        char dir_template[] = "/tmp/kore-webhook-redis-XXXXXX";
        if (::mkdtemp(dir_template) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        dir_ = dir_template;
        for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) {
            port_ = free_port();
            try_start();
        }
        if (pid_ <= 0) {
            throw std::runtime_error("redis-server did not start; see " + dir_ + "/redis.log");
        }
    }

    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;
    redis_server(redis_server&&) = delete;
    redis_server& operator=(redis_server&&) = delete;

    ~redis_server() {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    [[nodiscard]] int port() const noexcept { return port_; }
    [[nodiscard]] bool running() const noexcept { return pid_ > 0; }

    // SIGTERM, then SIGKILL if it has not exited within 5 s.
    void stop() {
        if (pid_ <= 0) {
            return;
        }
        ::kill(pid_, SIGCONT);
        ::kill(pid_, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, nullptr, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        pid_ = -1;
    }

    // Starts again on the same port (empty: nothing is persisted).
    void start() {
        if (pid_ > 0) {
            return;
        }
        for (int attempt = 0; attempt < 20 && pid_ <= 0; ++attempt) {
            try_start();  // the port may linger briefly after the previous server
            if (pid_ <= 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        if (pid_ <= 0) {
            throw std::runtime_error("redis-server did not start again on port " + std::to_string(port_));
        }
    }

    void pause() const { ::kill(pid_, SIGSTOP); }
    void resume() const { ::kill(pid_, SIGCONT); }

private:
    static int free_port() {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            if (fd >= 0) {
                ::close(fd);
            }
            throw std::runtime_error("cannot find a free loopback port");
        }
        ::close(fd);
        return ntohs(address.sin_port);
    }

    // Spawns redis-server and waits until it answers PING; pid_ stays -1 when it did not.
    void try_start() {
        std::vector<std::string> args = {executable_, "--port",    std::to_string(port_), "--bind",      "127.0.0.1",
                                         "--save",    "",          "--appendonly",        "no",          "--dir",
                                         dir_,        "--logfile", dir_ + "/redis.log",   "--daemonize", "no"};
        args.insert(args.end(), extra_.begin(), extra_.end());
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        pid_t pid = -1;
        if (::posix_spawn(&pid, executable_.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
            throw std::runtime_error("cannot run " + executable_);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            if (::waitpid(pid, nullptr, WNOHANG) == pid) {
                return;  // exited: the port was taken, or a bad argument
            }
            if (answers_ping()) {
                pid_ = pid;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }

    // Any answer counts (a server with requirepass answers NOAUTH): it is listening.
    [[nodiscard]] bool answers_ping() const {
        timeval timeout{1, 0};
        redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, timeout);
        bool up = false;
        if (c != nullptr && c->err == 0) {
            void* reply = redisCommand(c, "PING");
            up = reply != nullptr;
            freeReplyObject(reply);
        }
        if (c != nullptr) {
            redisFree(c);
        }
        return up;
    }

    std::string executable_;
    std::vector<std::string> extra_;
    std::string dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace kore_test

#endif
