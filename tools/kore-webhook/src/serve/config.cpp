#include "config.hpp"

#include <kore_cli/url_parts.hpp>

#include <toml++/toml.h>

#include <array>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <set>
#include <sstream>
#include <utility>

namespace kore_cli::serve {

std::string host_port::str() const {
    if (host.find(':') != std::string::npos) {
        return "[" + host + "]:" + std::to_string(port);
    }
    return host + ":" + std::to_string(port);
}

std::optional<host_port> parse_host_port(std::string_view text) {
    host_port out;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return std::nullopt;
        }
        out.host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon) {
            return std::nullopt;
        }
        out.host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
    }
    if (out.host.empty() || port_text.empty() || port_text.size() > 5) {
        return std::nullopt;
    }
    unsigned value = 0;
    for (const char c : port_text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) {
        return std::nullopt;
    }
    for (const char c : out.host) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '@' || c == 0x7f) {
            return std::nullopt;
        }
    }
    out.port = static_cast<std::uint16_t>(value);
    return out;
}

namespace {

int base64_digit(char c) noexcept {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

}  // namespace

std::optional<std::string> decode_whsec(std::string_view text) {
    constexpr std::string_view prefix = "whsec_";
    if (text.substr(0, prefix.size()) != prefix) {
        return std::nullopt;
    }
    std::string_view b64 = text.substr(prefix.size());
    if (b64.empty() || b64.size() % 4 != 0) {
        return std::nullopt;
    }
    std::size_t padding = 0;
    while (padding < 2 && !b64.empty() && b64.back() == '=') {
        b64.remove_suffix(1);
        ++padding;
    }
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (const char c : b64) {
        const int digit = base64_digit(c);
        if (digit < 0) {
            return std::nullopt;
        }
        bits = (bits << 6U) | static_cast<unsigned>(digit);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> static_cast<unsigned>(count)) & 0xFFU));
        }
    }
    if ((bits & ((1U << static_cast<unsigned>(count)) - 1U)) != 0 || out.empty()) {
        return std::nullopt;  // bits set past the end: not the canonical encoding
    }
    return out;
}

namespace {

// Refuses any key of `table` not in `known`.
void only_known(const toml::table& table, const std::string& where, std::initializer_list<std::string_view> known) {
    for (auto&& [key, value] : table) {
        static_cast<void>(value);
        bool found = false;
        for (const std::string_view k : known) {
            found = found || key.str() == k;
        }
        if (!found) {
            throw config_error(where + std::string(key.str()), "unknown key");
        }
    }
}

std::string need_string(const toml::table& table, std::string_view key, const std::string& name) {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        throw config_error(name, "missing (required)");
    }
    const auto value = node->value<std::string>();
    if (!node->is_string() || !value) {
        throw config_error(name, "must be a string");
    }
    if (value->empty()) {
        throw config_error(name, "must not be empty");
    }
    return *value;
}

std::optional<std::int64_t> optional_integer(const toml::table& table, std::string_view key, const std::string& name,
                                             std::int64_t low, std::int64_t high) {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return std::nullopt;
    }
    if (!node->is_integer()) {
        throw config_error(name, "must be an integer");
    }
    const std::int64_t value = node->value<std::int64_t>().value_or(0);
    if (value < low || value > high) {
        throw config_error(name, "must be in " + std::to_string(low) + ".." + std::to_string(high));
    }
    return value;
}

host_port need_address(const toml::table& table, std::string_view key, const std::string& name) {
    const std::string text = need_string(table, key, name);
    const auto address = parse_host_port(text);
    if (!address) {
        throw config_error(name, "must be HOST:PORT (port 0..65535; [ADDRESS]:PORT for IPv6)");
    }
    return *address;
}

// A secret file's content, one trailing newline removed. Refused when unreadable or empty.
std::string read_secret_file(const std::string& path, const std::string& name) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw config_error(name, "cannot read file " + path);
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        throw config_error(name, "cannot read file " + path);
    }
    if (!text.empty() && text.back() == '\n') {
        text.pop_back();
        if (!text.empty() && text.back() == '\r') {
            text.pop_back();
        }
    }
    if (text.empty()) {
        throw config_error(name, "file " + path + " is empty");
    }
    return text;
}

const toml::table* optional_table(const toml::table& parent, std::string_view key, const std::string& name) {
    const toml::node* node = parent.get(key);
    if (node == nullptr) {
        return nullptr;
    }
    if (!node->is_table()) {
        throw config_error(name, "must be a table ([" + name + "])");
    }
    return node->as_table();
}

forward_settings parse_forward(const toml::table& t, const std::string& at) {
    only_known(t, at, {"url", "signing_secret_file", "timeout_ms"});
    forward_settings f;
    f.url = need_string(t, "url", at + "url");
    const auto parts = split_url(f.url);
    if (!parts) {
        throw config_error(at + "url", "must be an absolute http:// or https:// URL");
    }
    f.https = parts->is_https();
    f.host = parts->host;
    if (f.host.size() > 2 && f.host.front() == '[' && f.host.back() == ']') {
        f.host = f.host.substr(1, f.host.size() - 2);
    }
    f.port = parts->port.empty() ? parts->default_port() : parts->port;
    const std::string rest = parts->rest.substr(0, parts->rest.find('#'));
    f.target = (parts->path.empty() ? std::string("/") : parts->path) + rest;
    const std::string file_key = at + "signing_secret_file";
    const std::string file = need_string(t, "signing_secret_file", file_key);
    const auto key = decode_whsec(read_secret_file(file, file_key));
    if (!key) {
        throw config_error(file_key, "file " + file + " does not hold a whsec_<base64> secret");
    }
    f.signing_key = *key;
    if (const auto ms = optional_integer(t, "timeout_ms", at + "timeout_ms", 1, 600000)) {
        f.timeout = std::chrono::milliseconds(*ms);
    }
    return f;
}

stream_settings parse_stream(const toml::table& t, const std::string& at) {
    only_known(t, at, {"key", "maxlen"});
    stream_settings s;
    s.key = need_string(t, "key", at + "key");
    if (const auto n = optional_integer(t, "maxlen", at + "maxlen", 1, std::int64_t{1} << 40)) {
        s.maxlen = static_cast<std::uint64_t>(*n);
    }
    return s;
}

route_settings parse_route(const toml::table& t, const std::string& at) {
    only_known(t, at, {"path", "registered_url", "secret_files", "max_body_bytes", "forward", "stream"});
    route_settings r;
    r.path = need_string(t, "path", at + "path");
    if (r.path.front() != '/' || r.path.find_first_of("?# ") != std::string::npos) {
        throw config_error(at + "path", "must start with '/' and hold no query, fragment or space");
    }
    r.registered_url = need_string(t, "registered_url", at + "registered_url");
    if (!split_url(r.registered_url)) {
        throw config_error(at + "registered_url", "must be the absolute http(s) URL registered at KORE");
    }
    const std::string files_key = at + "secret_files";
    const toml::node* files = t.get("secret_files");
    if (files == nullptr) {
        throw config_error(files_key, "missing (required)");
    }
    const toml::array* list = files->as_array();
    if (list == nullptr || list->empty() || list->size() > 4) {
        throw config_error(files_key, "must be an array of 1 to 4 file names");
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string name = files_key + "[" + std::to_string(i) + "]";
        const auto path = (*list)[i].value<std::string>();
        if (!(*list)[i].is_string() || !path || path->empty()) {
            throw config_error(name, "must be a file name");
        }
        r.secret_files.push_back(*path);
        r.secrets.push_back(read_secret_file(*path, name));
    }
    if (const auto n = optional_integer(t, "max_body_bytes", at + "max_body_bytes", 1, std::int64_t{1} << 30)) {
        r.max_body_bytes = static_cast<std::size_t>(*n);
    }
    if (const toml::table* f = optional_table(t, "forward", at + "forward")) {
        r.forward = parse_forward(*f, at + "forward.");
    }
    if (const toml::table* s = optional_table(t, "stream", at + "stream")) {
        r.stream = parse_stream(*s, at + "stream.");
    }
    if (r.forward && r.stream) {
        throw config_error(at + "forward",
                           "a route has exactly one output: [route.forward] or [route.stream], not both");
    }
    if (!r.forward && !r.stream) {
        throw config_error(at + "forward", "a route needs one output: [route.forward] or [route.stream]");
    }
    return r;
}

}  // namespace

config parse_config(std::string_view text, const std::string& source) {
    toml::table root;
    try {
        root = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        std::ostringstream where;
        where << source << ":" << e.source().begin.line;
        throw config_error(where.str(), std::string(e.description()));
    }
    only_known(root, "", {"listen", "admin_listen", "tls", "redis", "route"});
    config c;
    c.listen = need_address(root, "listen", "listen");
    if (root.get("admin_listen") != nullptr) {
        c.admin_listen = need_address(root, "admin_listen", "admin_listen");
        if (c.admin_listen->port != 0 && c.admin_listen->port == c.listen.port) {
            throw config_error("admin_listen", "must not be the port of listen");
        }
    }
    if (const toml::table* tls = optional_table(root, "tls", "tls")) {
        only_known(*tls, "tls.", {"cert_file", "key_file"});
        c.tls = tls_settings{need_string(*tls, "cert_file", "tls.cert_file"),
                             need_string(*tls, "key_file", "tls.key_file")};
        for (const auto& [file, key] :
             {std::pair{c.tls->cert_file, "tls.cert_file"}, std::pair{c.tls->key_file, "tls.key_file"}}) {
            if (!std::ifstream(file)) {
                throw config_error(key, "cannot read file " + file);
            }
        }
    }
    if (const toml::table* redis = optional_table(root, "redis", "redis")) {
        only_known(*redis, "redis.", {"address"});
        c.redis = redis_settings{need_address(*redis, "address", "redis.address")};
        if (c.redis->address.port == 0) {
            throw config_error("redis.address", "needs a port in 1..65535");
        }
    }
    const toml::node* routes = root.get("route");
    if (routes == nullptr) {
        throw config_error("route", "missing: at least one [[route]]");
    }
    const toml::array* list = routes->as_array();
    if (list == nullptr || !list->is_array_of_tables() || list->empty()) {
        throw config_error("route", "must be one or more [[route]] tables");
    }
    std::set<std::string> paths;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string at = "route[" + std::to_string(i) + "].";
        route_settings r = parse_route(*(*list)[i].as_table(), at);
        if (!paths.insert(r.path).second) {
            throw config_error(at + "path", "another route already serves " + r.path);
        }
        if (r.stream && !c.redis) {
            throw config_error(at + "stream", "needs [redis] (the stream is written to that Redis)");
        }
        c.routes.push_back(std::move(r));
    }
    return c;
}

config load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw config_error(path, "cannot read the configuration file");
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_config(text, path);
}

}  // namespace kore_cli::serve
