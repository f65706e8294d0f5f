#include <kore_cli/http_request.hpp>

#include <kore/webhook/detail/hex.hpp>
#include <kore/webhook/detail/http_text.hpp>

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

std::optional<std::size_t> decimal(std::string_view text) noexcept {
    if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    std::size_t n = 0;
    for (const char c : text) {
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    return n;
}

std::optional<std::size_t> chunk_size(std::string_view line) noexcept {
    const std::string_view digits = kwd::trim_ows(line.substr(0, line.find(';')));
    if (digits.empty() || digits.size() > 8) {  // 8 hex digits: far beyond any size read here
        return std::nullopt;
    }
    std::size_t n = 0;
    for (const char c : digits) {
        const int v = kwd::hex_digit_value(c);
        if (v < 0) {
            return std::nullopt;
        }
        n = n * 16 + static_cast<std::size_t>(v);
    }
    return n;
}

namespace {

// Reads lines ending in "\r\n" or "\n" from a buffer, with a length cap.
class line_reader {
public:
    explicit line_reader(std::string_view input) noexcept : input_(input) {}

    // Returns none and sets `line` on success.
    parse_error next(std::string_view& line, std::size_t max_line) noexcept {
        const std::size_t lf = input_.find('\n', pos_);
        if (lf == std::string_view::npos) {
            return input_.size() - pos_ > max_line ? parse_error::line_too_long : parse_error::no_header_end;
        }
        std::size_t end = lf;
        if (end > pos_ && input_[end - 1] == '\r') {
            --end;
        }
        if (end - pos_ > max_line) {
            return parse_error::line_too_long;
        }
        line = input_.substr(pos_, end - pos_);
        if (line.find('\r') != std::string_view::npos) {
            return parse_error::bare_cr;
        }
        pos_ = lf + 1;
        return parse_error::none;
    }
    std::size_t position() const noexcept { return pos_; }
    void skip(std::size_t n) noexcept { pos_ += n; }
    std::string_view rest() const noexcept { return input_.substr(pos_); }

private:
    std::string_view input_;
    std::size_t pos_ = 0;
};

// Header fields up to the empty line; appends to `out`. `before` fields were read already (the
// headers, when these are trailers): they count toward the cap.
parse_error read_fields(line_reader& lines, const limits& lim, std::vector<header_field>& out,
                        std::size_t before = 0) noexcept {
    for (;;) {
        std::string_view line;
        if (const auto e = lines.next(line, lim.max_line); e != parse_error::none) {
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
        for (const char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7f) {
                return parse_error::bad_header;
            }
        }
        if (before + out.size() >= lim.max_headers) {
            return parse_error::too_many_headers;
        }
        out.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
}

parse_error read_chunked(line_reader& lines, const limits& lim, request& req) noexcept {
    for (;;) {
        std::string_view line;
        if (const auto e = lines.next(line, lim.max_line); e != parse_error::none) {
            return e == parse_error::no_header_end ? parse_error::bad_chunk : e;
        }
        const auto chunk = chunk_size(line);
        if (!chunk) {
            return parse_error::bad_chunk;
        }
        const std::size_t size = *chunk;
        if (size == 0) {
            // Trailer fields end the message; kept apart from the headers (they share the cap).
            const auto e = read_fields(lines, lim, req.trailers, req.headers.size());
            return e == parse_error::no_header_end ? parse_error::bad_chunk : e;
        }
        const std::string_view rest = lines.rest();
        if (size > rest.size() || req.body.size() + size > lim.max_input) {
            return parse_error::truncated_body;
        }
        req.body.append(rest.substr(0, size));
        lines.skip(size);
        const std::string_view after = lines.rest();
        if (after.substr(0, 2) == "\r\n") {
            lines.skip(2);
        } else if (after.substr(0, 1) == "\n") {
            lines.skip(1);
        } else {
            return parse_error::bad_chunk;
        }
    }
}

parse_result fail(parse_error e, std::size_t offset) {
    parse_result r;
    r.error = e;
    r.offset = offset;
    return r;
}

}  // namespace

std::size_t request::count(std::string_view name) const noexcept {
    std::size_t n = 0;
    for (const auto& h : headers) {
        n += kwd::iequals(h.name, name) ? 1 : 0;
    }
    return n;
}

std::optional<std::string_view> request::find(std::string_view name) const noexcept {
    for (const auto& h : headers) {
        if (kwd::iequals(h.name, name)) {
            return std::string_view(h.value);
        }
    }
    return std::nullopt;
}

parse_result parse(std::string_view raw, const limits& lim) {
    if (raw.empty()) {
        return fail(parse_error::empty, 0);
    }
    if (raw.size() > lim.max_input) {
        return fail(parse_error::too_large, lim.max_input);
    }
    line_reader lines(raw);
    request req;

    std::string_view line;
    if (const auto e = lines.next(line, lim.max_line); e != parse_error::none) {
        return fail(e == parse_error::no_header_end ? parse_error::bad_request_line : e, lines.position());
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
    if (!origin_form && !absolute_form && target != "*") {
        return fail(parse_error::bad_target, sp1 + 1);
    }
    for (const char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) {
            return fail(parse_error::bad_target, sp1 + 1);
        }
    }
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        return fail(parse_error::bad_version, sp2 + 1);
    }
    req.method = std::string(method);
    req.target = std::string(target);
    req.version = std::string(version);

    if (const auto e = read_fields(lines, lim, req.headers); e != parse_error::none) {
        return fail(e, lines.position());
    }
    const std::size_t body_start = lines.position();

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
        if (const auto e = read_chunked(lines, lim, req); e != parse_error::none) {
            return fail(e, lines.position());
        }
    } else if (cl_count == 1) {
        const auto declared = decimal(*req.find("content-length"));
        if (!declared) {
            return fail(parse_error::bad_content_length, body_start);
        }
        const std::size_t length = *declared;
        const std::string_view rest = lines.rest();
        if (length > rest.size()) {
            return fail(parse_error::truncated_body, raw.size());
        }
        req.body = std::string(rest.substr(0, length));
        lines.skip(length);
    }
    if (!lines.rest().empty()) {
        return fail(parse_error::trailing_data, lines.position());
    }
    parse_result r;
    r.value = std::move(req);
    return r;
}

}  // namespace kore_cli::http
