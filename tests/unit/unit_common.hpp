#ifndef KORE_WEBHOOK_TESTS_UNIT_COMMON_HPP
#define KORE_WEBHOOK_TESTS_UNIT_COMMON_HPP

// Shared by the unit tests: the published vectors read from their JSON file, and a verdict that
// can be compared and printed as a whole.

#include <support/catch.hpp>

#include <kore/webhook.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kore_unit {

namespace kw = kore::webhook;

// A request with what KORE put in its kore-signature header.
struct vector_case {
    std::string id;
    std::string secret;
    std::string method;
    std::string registered_url;
    std::string body;
    std::string signature;
    std::string note;  // free text ("note" or "why"), may be empty
};

// KORE_WEBHOOK_VECTORS_DIR (set by ctest) or the directory configured at build time.
inline std::string vectors_dir() {
    if (const char* dir = std::getenv("KORE_WEBHOOK_VECTORS_DIR"); dir != nullptr && *dir != '\0') {
        return dir;
    }
    return KORE_WEBHOOK_UNIT_VECTORS_DIR;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open " + path);
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// group: "vectors" (must verify) or "must_not_verify".
inline std::vector<vector_case> load_kore_vectors(const std::string& group) {
    const auto doc = nlohmann::json::parse(read_file(vectors_dir() + "/kore-signature.json"));
    std::vector<vector_case> out;
    for (const auto& v : doc.at(group)) {
        vector_case c;
        c.id = v.at("id").get<std::string>();
        c.secret = v.at("secret").get<std::string>();
        c.method = v.at("method").get<std::string>();
        c.registered_url = v.at("registered_url").get<std::string>();
        c.body = v.at("body").get<std::string>();
        c.signature = v.at("signature").get<std::string>();
        c.note = v.value("note", v.value("why", std::string()));
        out.push_back(std::move(c));
    }
    return out;
}

inline vector_case kore_vector(const std::string& id) {
    for (const auto& group : {"vectors", "must_not_verify"}) {
        for (auto& v : load_kore_vectors(group)) {
            if (v.id == id) {
                return v;
            }
        }
    }
    throw std::runtime_error("no vector " + id + " in kore-signature.json");
}

// Everything a result says, comparable as one value.
struct verdict {
    bool accepted = false;
    std::error_code error;
    bool verified = false;
    bool is_unsigned = false;
    bool json_normalized = false;
    std::size_t secret_index = 0;

    friend bool operator==(const verdict& a, const verdict& b) {
        return a.accepted == b.accepted && a.error == b.error && a.verified == b.verified &&
               a.is_unsigned == b.is_unsigned && a.json_normalized == b.json_normalized &&
               a.secret_index == b.secret_index;
    }
    friend bool operator!=(const verdict& a, const verdict& b) { return !(a == b); }
};

inline verdict verdict_of(const kw::result& r) {
    return {static_cast<bool>(r), r.error(), r.verified(), r.is_unsigned(), r.json_normalized(), r.secret_index()};
}

// Streams `body` in pieces of the given sizes (the last piece takes the rest).
inline kw::result stream_verify(const kw::verifier& v, std::string_view method, std::string_view url,
                                std::string_view body, std::optional<std::string_view> header,
                                const std::vector<std::size_t>& sizes = {}) {
    auto s = v.start(method, url);
    std::size_t at = 0;
    for (const std::size_t size : sizes) {
        const std::size_t take = std::min(size, body.size() - at);
        s.update(body.substr(at, take));
        at += take;
    }
    s.update(body.substr(at));
    return s.finish(header);
}

// Every chunking of `body` into pieces of `size` bytes.
inline std::vector<std::size_t> pieces_of(std::size_t size, std::size_t body_size) {
    std::vector<std::size_t> out;
    for (std::size_t at = 0; size != 0 && at < body_size; at += size) {
        out.push_back(size);
    }
    return out;
}

}  // namespace kore_unit

namespace Catch {
template <>
struct StringMaker<kore_unit::verdict> {
    static std::string convert(const kore_unit::verdict& v) {
        std::ostringstream out;
        out << "{accepted=" << v.accepted << " error=" << kore::webhook::error_name(v.error)
            << " verified=" << v.verified << " unsigned=" << v.is_unsigned << " json=" << v.json_normalized
            << " index=" << v.secret_index << "}";
        return out.str();
    }
};
template <>
struct StringMaker<std::error_code> {
    static std::string convert(const std::error_code& ec) {
        return std::string(ec.category().name()) + ":" + std::to_string(ec.value()) + " (" +
               std::string(kore::webhook::error_name(ec)) + ")";
    }
};
}  // namespace Catch

#endif
