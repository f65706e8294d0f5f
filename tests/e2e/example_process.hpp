#ifndef KORE_WEBHOOK_TESTS_E2E_EXAMPLE_PROCESS_HPP
#define KORE_WEBHOOK_TESTS_E2E_EXAMPLE_PROCESS_HPP

// Running the server examples (examples/) from the end-to-end tests: started with an environment
// of the test's choosing on a free loopback port (PORT=0), ready once they print
// "listening on 127.0.0.1:<port>", stopped with SIGTERM, after which each must exit 0 by itself.
// Their stderr (one line per request) goes to a temporary file the test reads.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace e2e {

// The variables of the test's own environment an example inherits: the search path, the locale
// and the sanitizers' options (an ASan build of the examples reads them).
inline std::vector<std::string> inherited_environment() {
    std::vector<std::string> env;
    for (const char* name : {"PATH", "LANG", "ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"}) {
        if (const char* value = std::getenv(name)) {
            env.push_back(std::string(name) + "=" + value);
        }
    }
    return env;
}

// fork + execve of `path` with exactly `env`, stdout and stderr redirected, no signal blocked.
inline pid_t spawn(const std::string& path, const std::vector<std::string>& env, int stdout_fd, int stderr_fd) {
    std::vector<char*> envp;
    for (const auto& e : env) {
        envp.push_back(const_cast<char*>(e.c_str()));
    }
    envp.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(stdout_fd, 1);
        ::dup2(stderr_fd, 2);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
        ::execve(path.c_str(), argv, envp.data());
        std::_Exit(127);
    }
    return pid;
}

// Waits for the child to exit; the raw wait status, or nullopt on timeout.
inline std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            return status;
        }
        if (r < 0 || std::chrono::steady_clock::now() > deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

inline std::string describe_status(int status) {
    if (WIFEXITED(status)) {
        return "exit " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return std::string("killed by signal ") + std::to_string(WTERMSIG(status));
    }
    return "status " + std::to_string(status);
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The "server=/path/to/kore-webhook-example-server" lines of build/kore-webhook-examples.txt.
inline std::map<std::string, std::string> read_examples(const std::string& path) {
    std::map<std::string, std::string> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq != std::string::npos) {
            out[line.substr(0, eq)] = line.substr(eq + 1);
        }
    }
    return out;
}

// Reads `stdout_fd` until its first line, which must be "listening on 127.0.0.1:<port>". Returns
// the port; 0 with `problem` set when the line did not come within `timeout`, stdout closed
// first (`closed` then true: the example is exiting), or the line is another.
inline unsigned short read_listening_port(int stdout_fd, std::chrono::milliseconds timeout, std::string& problem,
                                          bool& closed) {
    closed = false;
    std::string seen;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (seen.find('\n') == std::string::npos) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{stdout_fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            problem = "no listening line within " + std::to_string(timeout.count() / 1000) + " s";
            return 0;
        }
        char buffer[256];
        const ssize_t n = ::read(stdout_fd, buffer, sizeof buffer);
        if (n <= 0) {
            problem = "stdout closed before the listening line";
            closed = true;
            return 0;
        }
        seen.append(buffer, static_cast<std::size_t>(n));
    }
    const std::string line = seen.substr(0, seen.find('\n'));
    constexpr std::string_view prefix = "listening on 127.0.0.1:";
    if (line.rfind(prefix, 0) != 0 || line.size() == prefix.size() || line.size() > prefix.size() + 5 ||
        line.find_first_not_of("0123456789", prefix.size()) != std::string::npos) {
        problem = "unexpected first line: \"" + line + "\"";
        return 0;
    }
    const unsigned long port = std::stoul(line.substr(prefix.size()));
    if (port == 0 || port > 65535) {
        problem = "bad port in: \"" + line + "\"";
        return 0;
    }
    return static_cast<unsigned short>(port);
}

// One example process, for a test that needs it from start to end (the fleet test): started by
// the constructor, ready when ready() is true, stopped by stop() or the destructor.
class example_process {
public:
    example_process(std::string name, const std::string& path, const std::vector<std::string>& env)
        : name_(std::move(name)) {
        int out[2];
        char log_template[] = "/tmp/kore-e2e-log-XXXXXX";
        const int log_fd = ::mkstemp(log_template);
        if (::pipe2(out, O_CLOEXEC) != 0 || log_fd < 0) {
            problem_ = "pipe or log file failed";
            return;
        }
        log_path_ = log_template;
        pid_ = spawn(path, env, out[1], log_fd);
        ::close(out[1]);
        ::close(log_fd);
        bool closed = false;
        port_ = pid_ > 0 ? read_listening_port(out[0], std::chrono::seconds(20), problem_, closed) : 0;
        ::close(out[0]);  // nothing else is printed on stdout
        if (pid_ <= 0) {
            problem_ = "fork failed";
        } else if (port_ == 0) {
            const std::string why = problem_;
            stop();
            problem_ = why + (problem_ == why ? "" : " (then " + problem_ + ")") + "; stderr: " + log();
        }
    }
    ~example_process() {
        stop();
        if (!log_path_.empty()) {
            ::unlink(log_path_.c_str());
        }
    }
    example_process(const example_process&) = delete;
    example_process& operator=(const example_process&) = delete;

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] bool ready() const noexcept { return port_ != 0 && problem_.empty(); }
    [[nodiscard]] unsigned short port() const noexcept { return port_; }
    // Why it did not start, or did not stop cleanly; empty while all is well.
    [[nodiscard]] const std::string& problem() const noexcept { return problem_; }
    // What it wrote on stderr so far: one line per request.
    [[nodiscard]] std::string log() const { return read_file(log_path_); }

    // SIGTERM; it must exit 0 within 10 s (else SIGKILL, and problem() says so).
    void stop() {
        if (pid_ <= 0) {
            return;
        }
        ::kill(pid_, SIGTERM);
        const auto status = wait_exit(pid_, std::chrono::seconds(10));
        if (!status) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            problem_ = "did not exit within 10 s of SIGTERM";
        } else if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
            problem_ = "after SIGTERM: " + describe_status(*status);
        }
        pid_ = -1;
    }

private:
    std::string name_;
    std::string log_path_;
    pid_t pid_ = -1;
    unsigned short port_ = 0;
    std::string problem_;
};

}  // namespace e2e

#endif
