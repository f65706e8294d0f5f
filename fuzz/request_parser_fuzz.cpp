// The CLI's raw HTTP request parser (`kore-webhook verify --request-file`) on any bytes: it never
// crashes, every refusal names a reason and a position inside the input, and every request it
// accepts respects the limits and is stable: re-parsing what it accepted gives the same result.
// Trailer fields come only after a chunked body and never join the header fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <kore_cli/http_request.hpp>

namespace {

std::string serialize(const kore_cli::http::request& r) {
    std::string out = r.method + " " + r.target + " " + r.version + "\r\n";
    for (const auto& h : r.headers) {
        std::string name = h.name;
        for (char& c : name) {
            c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        if (name == "content-length" || name == "transfer-encoding") {
            continue;
        }
        out += h.name + ": " + h.value + "\r\n";
    }
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kore_cli::http::limits limits;
    limits.max_input = 8192;
    limits.max_line = 512;
    limits.max_headers = 16;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto parsed = kore_cli::http::parse(input, limits);
    if (!parsed) {
        if (parsed.error == kore_cli::http::parse_error::none || parsed.offset > size ||
            kore_cli::http::describe(parsed.error).empty()) {
            std::abort();
        }
        return 0;
    }
    const auto& r = *parsed.value;
    if (r.headers.size() + r.trailers.size() > limits.max_headers || r.body.size() > size || r.method.empty() ||
        (!r.chunked && !r.trailers.empty())) {
        std::abort();
    }
    // Headers whose names differ only in case are one header to HTTP; skip what re-serialising
    // cannot express faithfully, and require the same request back otherwise.
    if (r.count("content-length") > 1 || r.count("transfer-encoding") > 0) {
        return 0;
    }
    kore_cli::http::limits relaxed = limits;
    relaxed.max_input = limits.max_input * 2;
    relaxed.max_headers = limits.max_headers + 1;  // the Content-Length serialize() adds
    relaxed.max_line = limits.max_line + 1;        // serialize() writes ": " where the input may have ":"
    const auto again = kore_cli::http::parse(serialize(r), relaxed);
    if (!again || again.value->method != r.method || again.value->target != r.target || again.value->body != r.body ||
        !again.value->trailers.empty()) {
        std::abort();
    }
    return 0;
}
