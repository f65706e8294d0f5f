#include <kore_cli/http_request.hpp>

#include <kore/webhook/detail/http_text.hpp>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <utility>

namespace kore_cli::http {

namespace kwd = kore::webhook::detail;

std::string_view describe(parse_error e) noexcept {
    // In parse_error's order.
    static constexpr std::string_view texts[] = {
        "no error",
        "the request file is empty",
        "the request file is larger than the 16 MiB this tool reads",
        "a request or header line is longer than 16 KiB",
        "the request has more than 128 header fields",
        "the first line is not a request line of the form 'METHOD /path HTTP/1.1'",
        "the method in the request line is not an HTTP token",
        "the request target is not '/path', an absolute http(s) URL or '*', or holds control characters",
        "the request line does not end in HTTP/1.0 or HTTP/1.1",
        "a line holds a carriage return that is not followed by a line feed",
        "a header line is not 'Name: value' (no space is allowed before the colon)",
        "a header line starts with whitespace (obsolete line folding is not accepted)",
        "the header section does not end with an empty line (was the capture cut short?)",
        "Content-Length is not a decimal number",
        "the request has several Content-Length fields, or both Content-Length and Transfer-Encoding",
        "Transfer-Encoding is not 'chunked' (compressed or other codings are not supported)",
        "the body is shorter than Content-Length says (was the capture cut short?)",
        "the chunked body is malformed",
        "there are bytes after the end of the message (Content-Length too small, a second request, or a "
        "newline an editor added after the body)",
    };
    static_assert(std::size(texts) == static_cast<std::size_t>(parse_error::trailing_data) + 1);
    const auto i = static_cast<std::size_t>(e);
    return i < std::size(texts) ? texts[i] : "unknown error";
}

namespace {

// All of `text` as a number in `base`: digits only, at least one.
std::optional<std::size_t> whole_number(std::string_view text, int base) noexcept {
    std::size_t n = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, n, base);
    if (error != std::errc() || stop != end) {
        return std::nullopt;
    }
    return n;
}

}  // namespace

std::optional<std::size_t> decimal(std::string_view text) noexcept {
    return text.size() <= 12 ? whole_number(text, 10) : std::nullopt;
}

std::optional<std::size_t> chunk_size(std::string_view line) noexcept {
    const std::string_view digits = kwd::trim_ows(line.substr(0, line.find(';')));
    // 8 hex digits: far beyond any size read here
    return digits.size() <= 8 ? whole_number(digits, 16) : std::nullopt;
}

bool next_line(std::string_view& in, std::string_view& line) noexcept {
    const std::size_t lf = in.find('\n');
    if (lf == std::string_view::npos) {
        return false;
    }
    line = in.substr(0, lf);
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    in.remove_prefix(lf + 1);
    return true;
}

namespace {

// next_line() for this parser: at most `max_line` bytes and no carriage return inside; on an
// error `in` is left as it was.
parse_error take_line(std::string_view& in, std::string_view& line, std::size_t max_line) noexcept {
    std::string_view rest = in;
    if (!next_line(rest, line)) {
        return in.size() > max_line ? parse_error::line_too_long : parse_error::no_header_end;
    }
    if (line.size() > max_line) {
        return parse_error::line_too_long;
    }
    if (line.find('\r') != std::string_view::npos) {
        return parse_error::bare_cr;
    }
    in = rest;
    return parse_error::none;
}

// Header fields up to the empty line, taken from the front of `in`; appends to `out`. `before`
// fields were read already (the headers, when these are trailers): they count toward the cap.
parse_error read_fields(std::string_view& in, const limits& lim, std::vector<header_field>& out,
                        std::size_t before = 0) noexcept {
    for (;;) {
        std::string_view line;
        if (const auto e = take_line(in, line, lim.max_line); e != parse_error::none) {
            return e;
        }
        if (line.empty()) {
            return parse_error::none;
        }
        if (line.front() == ' ' || line.front() == '\t') {
            return parse_error::obsolete_line_folding;
        }
        const std::size_t colon = line.find(':');
        // A field name is a token: the same grammar as a method (RFC 9110, 5.1 and 9.1).
        if (colon == std::string_view::npos || !kwd::is_http_method(line.substr(0, colon))) {
            return parse_error::bad_header;
        }
        const std::string_view value = kwd::trim_ows(line.substr(colon + 1));
        const auto control = [](char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f; };
        if (std::any_of(value.begin(), value.end(), control)) {
            return parse_error::bad_header;
        }
        if (before + out.size() >= lim.max_headers) {
            return parse_error::too_many_headers;
        }
        out.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
}

parse_error read_chunked(std::string_view& in, const limits& lim, request& req) noexcept {
    for (;;) {
        std::string_view line;
        if (const auto e = take_line(in, line, lim.max_line); e != parse_error::none) {
            return e == parse_error::no_header_end ? parse_error::bad_chunk : e;
        }
        const auto size = chunk_size(line);
        if (!size) {
            return parse_error::bad_chunk;
        }
        if (*size == 0) {
            // Trailer fields end the message; kept apart from the headers (they share the cap).
            const auto e = read_fields(in, lim, req.trailers, req.headers.size());
            return e == parse_error::no_header_end ? parse_error::bad_chunk : e;
        }
        if (*size > in.size() || req.body.size() + *size > lim.max_input) {
            return parse_error::truncated_body;
        }
        req.body.append(in.substr(0, *size));
        in.remove_prefix(*size);
        // The data ends with a line end: an empty line, of at most 0 bytes.
        if (std::string_view empty; take_line(in, empty, 0) != parse_error::none) {
            return parse_error::bad_chunk;
        }
    }
}

parse_result fail(parse_error e, std::size_t offset) {
    return {std::nullopt, e, offset};
}

// Whether a field is named `name`, in any letter case.
auto named(std::string_view name) {
    return [name](const header_field& field) { return kwd::iequals(field.name, name); };
}

}  // namespace

std::size_t request::count(std::string_view name) const noexcept {
    return static_cast<std::size_t>(std::count_if(headers.begin(), headers.end(), named(name)));
}

std::optional<std::string_view> request::find(std::string_view name) const noexcept {
    const auto h = std::find_if(headers.begin(), headers.end(), named(name));
    return h != headers.end() ? std::optional<std::string_view>(h->value) : std::nullopt;
}

parse_result parse(std::string_view raw, const limits& lim) {
    if (raw.empty()) {
        return fail(parse_error::empty, 0);
    }
    if (raw.size() > lim.max_input) {
        return fail(parse_error::too_large, lim.max_input);
    }
    std::string_view in = raw;  // what is left to parse
    const auto position = [&] { return raw.size() - in.size(); };
    request req;

    std::string_view line;
    if (const auto e = take_line(in, line, lim.max_line); e != parse_error::none) {
        return fail(e == parse_error::no_header_end ? parse_error::bad_request_line : e, 0);
    }
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
        return fail(parse_error::bad_request_line, 0);
    }
    const std::string_view method = line.substr(0, sp1);
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!kwd::is_http_method(method)) {
        return fail(parse_error::bad_method, 0);
    }
    // RFC 9112 3.2: origin-form ("/path?q"), absolute-form ("http://host/path") or "*". A capture
    // that starts anywhere else is not a request line (authority-form is CONNECT's alone).
    const bool origin_form = !target.empty() && target.front() == '/';
    const bool absolute_form = target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0;
    const auto space_or_control = [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; };
    if ((!origin_form && !absolute_form && target != "*") ||
        std::any_of(target.begin(), target.end(), space_or_control)) {
        return fail(parse_error::bad_target, sp1 + 1);
    }
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        return fail(parse_error::bad_version, sp2 + 1);
    }
    req.method = std::string(method);
    req.target = std::string(target);
    req.version = std::string(version);

    if (const auto e = read_fields(in, lim, req.headers); e != parse_error::none) {
        return fail(e, position());
    }
    const std::size_t body_start = position();

    const std::size_t te_count = req.count("transfer-encoding");
    const std::size_t cl_count = req.count("content-length");
    if ((te_count > 0 && cl_count > 0) || cl_count > 1 || te_count > 1) {
        return fail(parse_error::conflicting_length, body_start);
    }
    if (te_count == 1) {
        if (!kwd::iequals(*req.find("transfer-encoding"), "chunked")) {
            return fail(parse_error::unsupported_transfer_coding, body_start);
        }
        req.chunked = true;
        if (const auto e = read_chunked(in, lim, req); e != parse_error::none) {
            return fail(e, position());
        }
    } else if (cl_count == 1) {
        const auto declared = decimal(*req.find("content-length"));
        if (!declared) {
            return fail(parse_error::bad_content_length, body_start);
        }
        if (*declared > in.size()) {
            return fail(parse_error::truncated_body, raw.size());
        }
        req.body = std::string(in.substr(0, *declared));
        in.remove_prefix(*declared);
    }
    if (!in.empty()) {
        return fail(parse_error::trailing_data, position());
    }
    return {std::move(req)};
}

}  // namespace kore_cli::http
