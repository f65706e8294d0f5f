#ifndef KORE_WEBHOOK_TESTS_CLI_COMMON_HPP
#define KORE_WEBHOOK_TESTS_CLI_COMMON_HPP

// Shared by the cli.* tests: running the kore-webhook binary (posix_spawn, output captured in
// files, exit status returned), a private temporary directory, the published vectors, and a
// receiver on 127.0.0.1:0 (the httplib example the demo embeds, over http or https, or one with a
// replay guard) that records what it judged.

#include <support/catch.hpp>

#include <kore/webhook.hpp>
#include <kore/webhook/adapters/httplib.hpp>

#include <httplib.h>
#include <openssl/ssl.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace kore_cli_test {

struct run_result {
    int status = -1;  // exit status; -1 when killed by a signal
    std::string out;
    std::string err;
    std::string all() const { return out + err; }
};

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
}

// A directory of its own per test process, removed at exit.
class temp_dir {
public:
    temp_dir() {
        char pattern[] = "/tmp/kore-cli-test-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    ~temp_dir() {
        const std::string command = "rm -rf '" + path_ + "'";
        [[maybe_unused]] const int rc = std::system(command.c_str());
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    std::string file(const std::string& name, const std::string& content) const {
        const std::string p = path_ + "/" + name;
        write_file(p, content);
        return p;
    }
    std::string path(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

inline temp_dir& scratch() {
    static temp_dir dir;
    return dir;
}

// Runs kore-webhook with `args`; `input` becomes its standard input; `env` entries
// ("NAME=value") are added to the environment.
inline run_result run(const std::vector<std::string>& args, const std::string& input = {},
                      const std::vector<std::string>& env = {}) {
    static int counter = 0;
    const std::string base = scratch().path("run" + std::to_string(++counter));
    const std::string in_path = base + ".in";
    const std::string out_path = base + ".out";
    const std::string err_path = base + ".err";
    write_file(in_path, input);

    std::vector<std::string> argv_strings{KORE_WEBHOOK_CLI_PATH};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_strings) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        env_strings.emplace_back(*e);
    }
    env_strings.insert(env_strings.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : env_strings) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw std::runtime_error(std::string("cannot start ") + KORE_WEBHOOK_CLI_PATH);
    }
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0) {
    }
    run_result r;
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    return r;
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// A command line the tool must refuse as a usage or I/O error, and what the message must say.
struct usage_case {
    std::vector<std::string> args;
    const char* message;
};

// Each case exits 2, prints nothing on stdout, explains itself on stderr, and never echoes the
// secret's value.
template <std::size_t N>
void check_usage_errors(const usage_case (&cases)[N], const std::string& secret_value) {
    for (const auto& c : cases) {
        INFO(c.message);
        const auto r = run(c.args);
        CHECK(r.status == 2);
        CHECK(r.out.empty());
        CHECK(contains(r.err, c.message));
        CHECK_FALSE(contains(r.err, secret_value));
    }
}

// The published KORE vectors (tests/vectors/kore-signature.json).
struct vector_case {
    std::string id, secret, method, registered_url, body, signature;
};

inline std::vector<vector_case> kore_vectors(const std::string& group) {
    const char* dir = std::getenv("KORE_WEBHOOK_VECTORS_DIR");
    const std::string path =
        std::string(dir != nullptr && *dir != '\0' ? dir : KORE_WEBHOOK_CLI_VECTORS_DIR) + "/kore-signature.json";
    const auto doc = nlohmann::json::parse(slurp(path));
    std::vector<vector_case> out;
    for (const auto& v : doc.at(group)) {
        out.push_back({v.at("id").get<std::string>(), v.at("secret").get<std::string>(),
                       v.at("method").get<std::string>(), v.at("registered_url").get<std::string>(),
                       v.at("body").get<std::string>(), v.at("signature").get<std::string>()});
    }
    return out;
}

// How a test receiver differs from the demo's.
struct receiver_setup {
    kore::webhook::options options;
    // The first `fail_count` requests are answered with `fail_status` instead of being judged
    // (for the retry tests).
    int fail_count = 0;
    int fail_status = 503;
    // https: the server's certificate and key (PEM files); the registered URL is then
    // https://<tls_host>:<port>/kore/callback.
    std::string cert_file;
    std::string key_file;
    std::string tls_host = "localhost";
    // https: the registered URL's host[:port] when it is not the address listened on (an
    // instance behind a load balancer, reached with send --connect-to).
    std::string registered_authority;
    // Answer a verified request whose digest was verified before with 200 "duplicate" and do not
    // process it again, as a receiver with a replay guard does (the demo's receiver answers 204
    // and leaves de-duplication to the application).
    bool replay_guard = false;
};

// The demo's receiver (examples/httplib) on 127.0.0.1:0, recording each judged request.
class receiver {
public:
    struct record {
        int status = 0;
        std::string error;       // error name, empty when verified
        std::string replay_key;  // the verified digest
        std::size_t secret_index = 0;
        bool processed = false;  // verified and handed to the application
    };

    explicit receiver(std::vector<std::string> secrets, kore::webhook::options opts = {}, int fail_count = 0,
                      int fail_status = 503)
        : receiver(std::move(secrets), [&] {
              receiver_setup setup;
              setup.options = opts;
              setup.fail_count = fail_count;
              setup.fail_status = fail_status;
              return setup;
          }()) {}

    receiver(std::vector<std::string> secrets, const receiver_setup& setup)
        : verifier_(std::move(secrets), setup.options) {
        const std::string path = "/kore/callback";
        const bool tls = !setup.cert_file.empty();
        if (tls) {
            auto server = std::make_unique<httplib::SSLServer>(setup.cert_file.c_str(), setup.key_file.c_str());
            if (!server->is_valid()) {
                throw std::runtime_error("cannot load the test certificate");
            }
            SSL_CTX_set_tlsext_servername_callback(server->ssl_context(), &receiver::record_server_name);
            SSL_CTX_set_tlsext_servername_arg(server->ssl_context(), this);
            server_ = std::move(server);
        } else {
            server_ = std::make_unique<httplib::Server>();
        }
        port_ = server_->bind_to_any_port("127.0.0.1");
        if (port_ <= 0) {
            throw std::runtime_error("cannot bind 127.0.0.1:0");
        }
        url_ =
            (tls ? "https://" + setup.tls_host : std::string("http://127.0.0.1")) + ":" + std::to_string(port_) + path;
        if (tls && !setup.registered_authority.empty()) {
            url_ = "https://" + setup.registered_authority + path;
        }
        if (setup.replay_guard) {
            server_->Post(path, [this](const httplib::Request& req, httplib::Response& res) {
                const auto verdict = kore::webhook::adapters::httplib::verify(verifier_, url_, req);
                record r;
                r.error = verdict.verified() ? std::string() : std::string(verdict.error_name());
                std::lock_guard<std::mutex> lock(mutex_);
                if (verdict.verified() && !replay_keys_.insert(verdict.replay_key()).second) {
                    res.status = 200;
                    res.set_content("duplicate", "text/plain");
                } else {
                    res.status = kore::webhook::adapters::http_status(verdict);
                    if (!verdict) {
                        res.set_content(std::string(kore::webhook::adapters::error_body(verdict)), "text/plain");
                    }
                    r.processed = verdict.verified();
                }
                r.status = res.status;
                r.replay_key = verdict.verified() ? verdict.replay_key() : std::string();
                records_.push_back(r);
            });
        } else {
            kore::webhook::adapters::route_config config;
            config.registered_url = url_;
            config.on_answer = [this](const kore::webhook::adapters::answered_request& answered) {
                record r;
                r.status = answered.status;
                if (answered.verdict != nullptr) {
                    const kore::webhook::result& verdict = *answered.verdict;
                    r.error = verdict.verified() ? std::string() : std::string(verdict.error_name());
                    r.replay_key = verdict.replay_key();
                    r.secret_index = verdict.secret_index();
                    r.processed = verdict.verified();
                }
                std::lock_guard<std::mutex> lock(mutex_);
                records_.push_back(r);
            };
            kore::webhook::adapters::httplib::mount_route(*server_, verifier_, std::move(config));
        }
        server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
            if (res.status == 404 && res.body.empty()) {
                res.set_content("not_found", "text/plain");
            }
        });
        if (setup.fail_count > 0) {
            server_->set_pre_routing_handler([this, setup](const httplib::Request&, httplib::Response& res) {
                std::lock_guard<std::mutex> lock(mutex_);
                if (failures_ < setup.fail_count) {
                    ++failures_;
                    res.status = setup.fail_status;
                    res.set_content("try again", "text/plain");
                    return httplib::Server::HandlerResponse::Handled;
                }
                return httplib::Server::HandlerResponse::Unhandled;
            });
        }
        thread_ = std::thread([this] { server_->listen_after_bind(); });
        while (!server_->is_running()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    ~receiver() {
        server_->stop();
        thread_.join();
    }
    receiver(const receiver&) = delete;
    receiver& operator=(const receiver&) = delete;

    const std::string& url() const { return url_; }
    int port() const { return port_; }
    std::vector<record> records() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return records_;
    }
    int failures() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return failures_;
    }
    // https: the server name (SNI) of each TLS handshake, "" when the client sent none.
    std::vector<std::string> server_names() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return server_names_;
    }

private:
    static int record_server_name(SSL* ssl, int*, void* self) {
        auto* rx = static_cast<receiver*>(self);
        const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        std::lock_guard<std::mutex> lock(rx->mutex_);
        rx->server_names_.emplace_back(name != nullptr ? name : "");
        return SSL_TLSEXT_ERR_OK;
    }

    kore::webhook::verifier verifier_;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    std::string url_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::vector<record> records_;
    std::set<std::string> replay_keys_;
    std::vector<std::string> server_names_;
    int failures_ = 0;
};

}  // namespace kore_cli_test

#endif
