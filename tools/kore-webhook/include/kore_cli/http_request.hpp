#ifndef KORE_WEBHOOK_CLI_HTTP_REQUEST_HPP
#define KORE_WEBHOOK_CLI_HTTP_REQUEST_HPP

// A strict parser for one raw HTTP/1.x request as captured on the wire: request line, header
// fields, empty line, body (Content-Length or chunked). CRLF or bare LF line ends. Pure: no I/O,
// no exceptions, bounded by limits; any input gives a request or an error, never a crash.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kore_cli::http {

struct limits {
    std::size_t max_input = std::size_t{16} << 20;  // the whole capture
    std::size_t max_line = 16 * 1024;               // one request line or header field
    std::size_t max_headers = 128;                  // header and trailer fields together
};

struct header_field {
    std::string name;   // as written
    std::string value;  // surrounding whitespace removed
};

struct request {
    std::string method;
    std::string target;   // as in the request line: "/path?query"
    std::string version;  // "HTTP/1.1" or "HTTP/1.0"
    std::vector<header_field> headers;
    std::string body;  // decoded (chunked coding removed)
    bool chunked = false;
    // The trailer section after the last chunk, kept apart: a field there is not a header (a
    // receiver decides on the headers before the body), so a kore-signature trailer is no signature.
    std::vector<header_field> trailers;

    // Number of header fields named `name` (case-insensitive); trailers are not counted.
    std::size_t count(std::string_view name) const noexcept;
    // The first header field named `name`, if any; trailers are not searched.
    std::optional<std::string_view> find(std::string_view name) const noexcept;
};

enum class parse_error {
    none = 0,
    empty,
    too_large,
    line_too_long,
    too_many_headers,
    bad_request_line,
    bad_method,
    bad_target,
    bad_version,
    bare_cr,
    bad_header,
    obsolete_line_folding,
    no_header_end,
    bad_content_length,
    conflicting_length,
    unsupported_transfer_coding,
    truncated_body,
    bad_chunk,
    trailing_data,
};

struct parse_result {
    std::optional<request> value;
    parse_error error = parse_error::none;
    std::size_t offset = 0;  // where the problem was found (byte index in the input)
    explicit operator bool() const noexcept { return value.has_value(); }
};

// What went wrong, in a sentence for a user who captured the request with nc or tcpdump.
std::string_view describe(parse_error e) noexcept;

// Parses exactly one request; anything after its end is an error.
parse_result parse(std::string_view raw, const limits& lim = {});

// For this parser and the client's response parser: 1 to 12 decimal digits (Content-Length, and
// the command line's numbers), and a chunk-size line (at most 8 hex digits, extensions after ';'
// ignored); nothing for anything else.
std::optional<std::size_t> decimal(std::string_view text) noexcept;
std::optional<std::size_t> chunk_size(std::string_view line) noexcept;

// Takes one line ending in "\n" (a "\r" before it removed) from the front of `in`; false, `in`
// unchanged, when no "\n" has arrived yet.
bool next_line(std::string_view& in, std::string_view& line) noexcept;

}  // namespace kore_cli::http

#endif
