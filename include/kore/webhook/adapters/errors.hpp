#ifndef KORE_WEBHOOK_ADAPTERS_ERRORS_HPP
#define KORE_WEBHOOK_ADAPTERS_ERRORS_HPP

// What can go wrong in a server adapter that is about the transport or the application, not the
// signature: an error enum of its own, apart from kore::webhook::errc (whose codes all come from
// the verifier), and error_name() for both.

#include <kore/webhook/errors.hpp>

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace kore::webhook::adapters {

enum class adapter_errc {
    body_incomplete = 1,  // the connection ended or the framing broke before the body was complete
    body_unavailable,     // the server cannot hand out this body's raw bytes (e.g. a parsed multipart form)
    out_of_memory,        // the adapter could not allocate what this request needs (a C-callback server)
    application_failed,   // the application's body sink or callback handler threw
};

}  // namespace kore::webhook::adapters

namespace kore::webhook::detail {

constexpr std::string_view adapter_error_name(adapters::adapter_errc e) noexcept {
    using adapters::adapter_errc;
    switch (e) {
        case adapter_errc::body_incomplete:
            return "body_incomplete";
        case adapter_errc::body_unavailable:
            return "body_unavailable";
        case adapter_errc::out_of_memory:
            return "out_of_memory";
        case adapter_errc::application_failed:
            return "application_failed";
    }
    return "unknown";
}

class adapter_category final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "kore.webhook.adapter"; }
    [[nodiscard]] std::string message(int ev) const override {
        using adapters::adapter_errc;
        switch (static_cast<adapter_errc>(ev)) {
            case adapter_errc::body_incomplete:
                return "the request body could not be read completely";
            case adapter_errc::body_unavailable:
                return "the server does not expose this request's raw body bytes, which is what KORE signs";
            case adapter_errc::out_of_memory:
                return "the receiver could not allocate memory for this request";
            case adapter_errc::application_failed:
                return "the application's body sink or callback handler threw an exception";
        }
        return "unknown kore-webhook adapter error";
    }
};

}  // namespace kore::webhook::detail

namespace kore::webhook::adapters {

inline const std::error_category& adapter_category() noexcept {
    static const kore::webhook::detail::adapter_category instance;
    return instance;
}

inline std::error_code make_error_code(adapter_errc e) noexcept {
    return {static_cast<int>(e), adapter_category()};
}

// The short name of any error an adapter returns: kore::webhook::error_name() for the
// verifier's codes, "body_incomplete", "body_unavailable", ... for the adapter's own.
inline std::string_view error_name(std::error_code ec) noexcept {
    if (ec && ec.category() == adapter_category()) {
        return kore::webhook::detail::adapter_error_name(static_cast<adapter_errc>(ec.value()));
    }
    return kore::webhook::error_name(ec);
}

}  // namespace kore::webhook::adapters

template <>
struct std::is_error_code_enum<kore::webhook::adapters::adapter_errc> : std::true_type {};

#endif
