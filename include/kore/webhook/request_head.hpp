#ifndef KORE_WEBHOOK_REQUEST_HEAD_HPP
#define KORE_WEBHOOK_REQUEST_HEAD_HPP

// What a server read of a callback before its body, as the verifier judges it:
//
//   kore::webhook::request_head head{req.method, req.target};   // the target as received
//   for (const auto& [name, value] : req.headers) head.offer_header(name, value);
//   head.set_content_length(declared);                           // when the request declares one
//   const kore::webhook::result r = verifier.verify(head, req.body);
//
// Every kore-signature field is offered, so that a repeated one is refused. A head without a
// target cannot have the query rule applied (docs/protocol.md, section 3.5): give it the target,
// or the raw query (set_query) when the server splits it off.

#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/signature_header.hpp>
#include <kore/webhook/url.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kore::webhook {

class request_head {
public:
    // KORE's value is 64 hex digits; a longer one than this is absurd and judged malformed.
    static constexpr std::size_t max_signature_size = 256;

    request_head() noexcept = default;
    explicit request_head(std::string_view method) noexcept : method_(method) {}
    request_head(std::string_view method, std::string_view target) noexcept : method_(method) { set_target(target); }
    // The signature as one optional value: std::nullopt when the request had no kore-signature.
    request_head(std::string_view method, std::string_view target, std::optional<std::string_view> signature) noexcept
        : request_head(method, target) {
        if (signature) {
            add_signature(*signature);
        }
    }

    // The views given here must outlive the verification; the signature is copied.
    void set_method(std::string_view method) noexcept { method_ = method; }
    // The request target exactly as received ("/kore/callback?x=1"), never a decoded one.
    void set_target(std::string_view target) noexcept { set_query(query_of(target)); }
    // For a server that hands out the raw query apart from the path: as received, without '?'.
    void set_query(std::string_view raw_query) noexcept {
        query_ = raw_query;
        query_known_ = query_state::text;
    }
    // For a server that hands out only parsed parameters and compared them with the registered
    // URL's itself.
    void set_query_registered(bool registered) noexcept {
        query_known_ = registered ? query_state::registered : query_state::unregistered;
    }
    void set_content_length(std::uint64_t declared) noexcept { content_length_ = declared; }
    // One kore-signature value, in the order received; a second one makes the request a repeat.
    void add_signature(std::string_view value) noexcept {
        if (signature_count_++ != 0) {
            return;
        }
        overlong_ = value.size() > signature_.size();
        if (!overlong_) {
            std::char_traits<char>::copy(signature_.data(), value.data(), value.size());
            signature_size_ = value.size();
        }
    }
    // One header line of any name; only kore-signature (in any case) is kept.
    void offer_header(std::string_view name, std::string_view value) noexcept {
        if (detail::iequals(name, signature_header_name)) {
            add_signature(value);
        }
    }

    [[nodiscard]] std::string_view method() const noexcept { return method_; }
    [[nodiscard]] std::optional<std::uint64_t> content_length() const noexcept { return content_length_; }
    [[nodiscard]] std::size_t signature_count() const noexcept { return signature_count_; }
    // The first kore-signature value; std::nullopt when absent, "" when empty. An overlong value
    // is handed on as one that is certainly malformed.
    [[nodiscard]] std::optional<std::string_view> signature() const noexcept {
        if (signature_count_ == 0) {
            return std::nullopt;
        }
        if (overlong_) {
            return std::string_view("(overlong kore-signature value)");
        }
        return std::string_view(signature_.data(), signature_size_);
    }

    // What the query rule is given: nothing known, the raw query, or the server's own comparison.
    enum class query_state { unknown, text, registered, unregistered };
    [[nodiscard]] query_state query_known() const noexcept { return query_known_; }
    [[nodiscard]] std::string_view query() const noexcept { return query_; }

private:
    std::string_view method_;
    std::string_view query_;
    std::optional<std::uint64_t> content_length_;
    std::array<char, max_signature_size> signature_{};
    std::size_t signature_size_ = 0;
    std::size_t signature_count_ = 0;
    query_state query_known_ = query_state::unknown;
    bool overlong_ = false;
};

}  // namespace kore::webhook

#endif
