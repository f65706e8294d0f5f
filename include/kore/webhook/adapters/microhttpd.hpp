#ifndef KORE_WEBHOOK_ADAPTERS_MICROHTTPD_HPP
#define KORE_WEBHOOK_ADAPTERS_MICROHTTPD_HPP

// libmicrohttpd adapter: one call per call of the access handler (header, each piece, last call).
//
//   MHD_Result on_request(void*, MHD_Connection* c, const char*, const char* method, const char*,
//                         const char* data, size_t* size, void** req_cls) {
//       const auto r = kore::webhook::adapters::microhttpd::step_verified(v, registered_url, c, method,
//                                                                         data, size, req_cls);
//       if (!r) return MHD_YES;                        // still reading the body
//       if (*size != 0) return MHD_NO;                 // a refused body cut off: close, unanswered
//       if (r->verdict) process(r->body);
//       ... MHD_queue_response(c, kore::webhook::http_status(r->verdict), response) ...
//   }
//   MHD_start_daemon(..., MHD_OPTION_URI_LOG_CALLBACK, &microhttpd::remember_uri, nullptr,
//                    MHD_OPTION_NOTIFY_COMPLETED, &microhttpd::request_completed, nullptr, ...);
// Every call is noexcept (libmicrohttpd calls from C). When a refusal can be answered, and why
// remember_uri is needed for the query rule: docs/servers.md, "libmicrohttpd".

#include <kore/webhook/adapters/body.hpp>
#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/adapters/detail/read.hpp>
#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/request.hpp>
#include <kore/webhook/body_verification.hpp>
#include <kore/webhook/detail/http_text.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/verifier.hpp>

#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace kore::webhook::adapters::microhttpd {

// How much of a refused body is read and discarded so that its refusal can be answered (see the
// top of this file): adapters::drain_limits, under the names 0.2 gave them here.
inline constexpr std::uint64_t refused_body_drain_bytes = drain_limits{}.bytes;
inline constexpr std::chrono::milliseconds refused_body_drain_time = drain_limits{}.time;

// The verification in progress for one request, kept in libmicrohttpd's per-request pointer.
class request_state {
public:
    // Begins at once: the header is in (the first call of the access handler).
    request_state(const verifier& v, std::string_view registered_url, struct MHD_Connection* connection,
                  std::string_view method) noexcept {
        begin(v, registered_url, connection, method, false);
    }

    // Nothing is known yet; begin() follows. Without the raw target, the query rule is applied
    // to libmicrohttpd's decoded arguments (see the top of this file).
    request_state() noexcept = default;

    // Only the raw request target is known yet (remember_uri); begin() follows.
    explicit request_state(std::string target) noexcept : target_(std::move(target)), has_target_(true) {}

    // Reads the header, judges what can be judged before the body. `keep`: keep a copy of the
    // body for take_body().
    void begin(const verifier& v, std::string_view registered_url, struct MHD_Connection* connection,
               std::string_view method, bool keep) noexcept {
        begun_ = true;
        request_head head(method);
        header_walk walk{&head, false, std::nullopt};
        MHD_get_connection_values_n(connection, MHD_HEADER_KIND, &collect_header, &walk);
        if (!walk.transfer_encoding && walk.content_length) {
            declared_ = parse_content_length(*walk.content_length);
        }
        if (declared_) {
            head.set_content_length(*declared_);
        }
        if (has_target_) {
            head.set_target(target_);
        } else {
            // Without the raw target only "no query at all" is known exactly.
            const int arguments = MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, nullptr, nullptr);
            head.set_query_registered(arguments == 0 && query_of(registered_url).empty());
        }
        check_.emplace(v, registered_url, head, keep ? keep_body::yes : keep_body::no);
        early_ = check_->error();
        if (early_) {
            // Answered at once only when the client waits for it before sending the body, or when
            // the body it declares will not be read to its end anyway (see the top of this file).
            const char* expect = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
            const bool waits_for_answer =
                expect != nullptr &&
                kore::webhook::detail::iequals(kore::webhook::detail::trim_ows(expect), "100-continue");
            answer_before_body_ = waits_for_answer || !adapters::detail::drain_budget::worth_draining(declared_);
            drain_.emplace();
        }
    }

    [[nodiscard]] bool begun() const noexcept { return begun_; }

    // A refusal decided by the header alone; then the body is not hashed.
    [[nodiscard]] std::error_code early_refusal() const noexcept { return early_; }

    // Whether the early refusal is to be answered on the first call, before the body; else the
    // body is discarded and the refusal answered at its end (see the top of this file).
    [[nodiscard]] bool answers_before_body() const noexcept { return early_ && answer_before_body_; }

    // Whether a refused body has been discarded for as long as it may be (adapters::drain_limits):
    // the refusal is then returned while the body is still arriving, and the connection closed.
    [[nodiscard]] bool drain_exhausted() const noexcept { return drain_ && (!drain_within_ || drain_->expired()); }

    // Adds a piece of the body (ignored once reading has stopped: over the limit, ...).
    void update(std::string_view piece) noexcept {
        adapters::detail::no_sink none;
        update(piece, none);
    }

    // The same, handing the piece to `sink` too.
    template <class Sink>
    void update(std::string_view piece, Sink& sink) noexcept {
        received_ += piece.size();
        if (!check_ || check_->error()) {
            drain(piece.size());
            return;
        }
        if (!check_->put(piece, sink)) {
            drain_.emplace();  // reading stopped: what still arrives is dropped, within the bound
        }
    }

    [[nodiscard]] result finish() noexcept {
        if (!check_) {
            return result::refused(make_error_code(errc::moved_from));
        }
        if (!check_->error() && declared_ && received_ != *declared_) {
            check_->fail(make_error_code(adapter_errc::body_incomplete));
        }
        return check_->finish();
    }

    // The body kept since begin(..., true), moved out.
    [[nodiscard]] std::string take_body() noexcept { return check_ ? check_->take_body() : std::string(); }

private:
    // What begin() needs of the header, gathered in one walk over it (with the sizes
    // libmicrohttpd already has): the signatures, whether a Transfer-Encoding is present, and the
    // first Content-Length (the one MHD_lookup_connection_value would return).
    struct header_walk {
        request_head* head;
        bool transfer_encoding = false;
        std::optional<std::string_view> content_length;
    };

    static enum MHD_Result collect_header(void* cls, enum MHD_ValueKind /*kind*/, const char* key, std::size_t key_size,
                                          const char* value, std::size_t value_size) noexcept {
        auto* walk = static_cast<header_walk*>(cls);
        const std::string_view name = key != nullptr ? std::string_view(key, key_size) : std::string_view();
        const std::string_view text = value != nullptr ? std::string_view(value, value_size) : std::string_view();
        walk->head->offer_header(name, text);
        if (kore::webhook::detail::iequals(name, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
            walk->transfer_encoding = true;
        } else if (!walk->content_length && kore::webhook::detail::iequals(name, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
            walk->content_length = text;
        }
        return MHD_YES;
    }

    void drain(std::size_t size) noexcept {
        if (!drain_) {
            drain_.emplace();
        }
        drain_within_ = drain_->take(size) && drain_within_;
    }

    std::string target_;
    bool has_target_ = false;
    bool begun_ = false;
    std::optional<body_verification> check_;
    std::optional<std::uint64_t> declared_;
    std::uint64_t received_ = 0;
    std::error_code early_;
    bool answer_before_body_ = false;
    std::optional<adapters::detail::drain_budget> drain_;  // set once the body is refused
    bool drain_within_ = true;                             // what was dropped since is within the bound
};

namespace detail {

// The state for this call of the access handler, begun if this is the request's first call;
// null when it could not be allocated.
inline request_state* state_for(const verifier& v, std::string_view registered_url, struct MHD_Connection* connection,
                                const char* method, void** req_cls, bool keep_body) noexcept {
    auto* state = static_cast<request_state*>(*req_cls);
    const std::string_view method_text = method != nullptr ? method : "";
    if (state == nullptr) {  // remember_uri is not installed, or could not allocate
        // Owned by libmicrohttpd's per-request pointer from here on; request_completed() frees it.
        state = new (std::nothrow) request_state();  // NOLINT(cppcoreguidelines-owning-memory)
        if (state == nullptr) {
            return nullptr;
        }
        *req_cls = state;
    }
    if (!state->begun()) {
        state->begin(v, registered_url, connection, method_text, keep_body);
    }
    return state;
}

}  // namespace detail

// For MHD_OPTION_URI_LOG_CALLBACK: keeps the raw request target, as received, for the query rule.
// Returns the request's state (libmicrohttpd hands it to the access handler as *req_cls).
inline void* remember_uri(void* /*cls*/, const char* uri, struct MHD_Connection* /*connection*/) noexcept {
    try {
        return new request_state(std::string(uri != nullptr ? uri : ""));
    } catch (const std::bad_alloc&) {
        return nullptr;  // step() starts without the target
    } catch (const std::length_error&) {
        return nullptr;
    }
}

// Whether this call of the access handler is the request's first (the header is in, no body
// yet): when an application answers other paths or methods itself, before calling step().
inline bool is_first_call(void* const* req_cls) noexcept {
    const auto* state = static_cast<const request_state*>(*req_cls);
    return state == nullptr || !state->begun();
}

// One call of the access handler, with its arguments. Returns std::nullopt while the request is
// still being read (answer MHD_YES), the verdict when it is time to queue the response; a verdict
// returned with *upload_data_size still non-zero is a refused body cut off on its way, which
// libmicrohttpd cannot answer: return MHD_NO (it closes the connection).
// `registered_url` is the callback URL as registered with KORE, never rebuilt from the request.
// No copy of the body is kept.
template <class Sink>
std::optional<result> step(const verifier& v, std::string_view registered_url, struct MHD_Connection* connection,
                           const char* method, const char* upload_data, std::size_t* upload_data_size, void** req_cls,
                           Sink&& sink) noexcept {
    const bool first = is_first_call(req_cls);
    request_state* state = detail::state_for(v, registered_url, connection, method, req_cls, false);
    if (state == nullptr) {
        return result::refused(make_error_code(adapter_errc::out_of_memory));
    }
    if (first) {
        if (state->answers_before_body()) {
            return state->finish();
        }
        return std::nullopt;
    }
    if (*upload_data_size != 0) {
        state->update(std::string_view(upload_data, *upload_data_size), sink);
        if (state->drain_exhausted()) {
            return state->finish();  // *upload_data_size stays non-zero: too late to answer
        }
        *upload_data_size = 0;
        return std::nullopt;
    }
    return state->finish();
}

// The same without a sink.
inline std::optional<result> step(const verifier& v, std::string_view registered_url, struct MHD_Connection* connection,
                                  const char* method, const char* upload_data, std::size_t* upload_data_size,
                                  void** req_cls) noexcept {
    return step(v, registered_url, connection, method, upload_data, upload_data_size, req_cls,
                adapters::detail::no_sink());
}

// The same, keeping the body: on the last call, the verdict with the raw bytes it was reached on.
inline std::optional<verified_body> step_verified(const verifier& v, std::string_view registered_url,
                                                  struct MHD_Connection* connection, const char* method,
                                                  const char* upload_data, std::size_t* upload_data_size,
                                                  void** req_cls) noexcept {
    const bool first = is_first_call(req_cls);
    request_state* state = detail::state_for(v, registered_url, connection, method, req_cls, true);
    if (state == nullptr) {
        return verified_body{result::refused(make_error_code(adapter_errc::out_of_memory)), std::string()};
    }
    if (first && !state->answers_before_body()) {
        return std::nullopt;
    }
    if (!first && *upload_data_size != 0) {
        state->update(std::string_view(upload_data, *upload_data_size));
        if (!state->drain_exhausted()) {
            *upload_data_size = 0;
            return std::nullopt;
        }
        // *upload_data_size stays non-zero: too late to answer
    }
    result verdict = state->finish();
    return verified_body{verdict, state->take_body()};
}

// For MHD_OPTION_NOTIFY_COMPLETED: frees what remember_uri() and step() kept for the request.
inline void request_completed(void* /*cls*/, struct MHD_Connection* /*connection*/, void** req_cls,
                              enum MHD_RequestTerminationCode /*code*/) noexcept {
    delete static_cast<request_state*>(*req_cls);  // NOLINT(cppcoreguidelines-owning-memory): see state_for()
    *req_cls = nullptr;
}

}  // namespace kore::webhook::adapters::microhttpd

#endif
