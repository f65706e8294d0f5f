#ifndef KORE_WEBHOOK_CLI_SERVE_CONFIG_HPP
#define KORE_WEBHOOK_CLI_SERVE_CONFIG_HPP

// The gateway's configuration file (TOML, docs/gateway.md): every key checked, unknown keys
// refused, every secret file read. A problem is a config_error whose message starts with the key
// ("route[1].forward.url: ..."), never with a secret's content.
//
//   const kore_cli::serve::config c = kore_cli::serve::load_config("/etc/kore-webhook/gateway.toml");

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kore_cli::serve {

class config_error : public std::runtime_error {
public:
    config_error(const std::string& key, const std::string& problem) : std::runtime_error(key + ": " + problem) {}
};

struct host_port {
    std::string host;  // as written; an IPv6 literal without its brackets
    std::uint16_t port = 0;

    [[nodiscard]] std::string str() const;
};

struct tls_settings {
    std::string cert_file;
    std::string key_file;
};

struct redis_settings {
    host_port address;
};

struct forward_settings {
    std::string url;
    bool https = false;
    std::string host;
    std::string port;
    std::string target;       // path and query, "/" when the URL has no path
    std::string signing_key;  // the bytes of the whsec_ key (decoded); never logged
    std::chrono::milliseconds timeout{10000};
};

struct stream_settings {
    std::string key;
    std::uint64_t maxlen = 1000000;
};

struct route_settings {
    std::string path;
    std::string registered_url;
    std::vector<std::string> secret_files;
    std::vector<std::string> secrets;  // the files' contents, in order; never logged
    std::size_t max_body_bytes = std::size_t{1} << 20U;
    std::optional<forward_settings> forward;
    std::optional<stream_settings> stream;
};

struct config {
    host_port listen;
    std::optional<host_port> admin_listen;
    std::optional<tls_settings> tls;
    std::optional<redis_settings> redis;
    std::vector<route_settings> routes;
};

// Parses `text` (the file's content; `source` names it in toml++'s parse errors). Reads the secret
// files it names. Throws config_error.
config parse_config(std::string_view text, const std::string& source);

// Reads and parses the file. Throws config_error (the key is the file itself when it cannot be read).
config load_config(const std::string& path);

// "HOST:PORT" or "[V6]:PORT", port 0..65535. nullopt when malformed.
std::optional<host_port> parse_host_port(std::string_view text);

// The key of a "whsec_<base64>" signing secret; nullopt when the text is not one.
std::optional<std::string> decode_whsec(std::string_view text);

}  // namespace kore_cli::serve

#endif
