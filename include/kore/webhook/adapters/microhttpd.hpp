#ifndef KORE_WEBHOOK_ADAPTERS_MICROHTTPD_HPP
#define KORE_WEBHOOK_ADAPTERS_MICROHTTPD_HPP

// libmicrohttpd adapter: judges a callback across the calls libmicrohttpd makes to its access
// handler (one for the header, one per piece of body, a last one with no data), hashing the body
// as it arrives, without buffering it.
//
//   enum MHD_Result on_request(void* cls, struct MHD_Connection* c, const char* url, const char* method,
//                              const char*, const char* data, size_t* size, void** req_cls) {
//       const auto verdict = kore::webhook::adapters::microhttpd::step(v, registered_url, c, method,
//                                                                       data, size, req_cls);
//       if (!verdict) return MHD_YES;                  // still reading the body
//       ... MHD_queue_response(c, kore::webhook::adapters::http_status(*verdict), response) ...
//   }
//   // and MHD_OPTION_NOTIFY_COMPLETED, kore::webhook::adapters::microhttpd::request_completed, nullptr
//
// A refusal known from the header alone (a repeated signature, a GET with a query, a declared
// Content-Length over options::max_body_size) is returned on the first call, before any body is
// read, which is when libmicrohttpd lets a response be queued. libmicrohttpd 0.9.75 does not
// let one be queued while a body is arriving, so a body found too large on the way (chunked) is
// read to its end without being hashed, and the 413 goes out then.

#include <kore/webhook/adapters/common.hpp>
#include <kore/webhook/verifier.hpp>

#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kore::webhook::adapters::microhttpd {

// The verification in progress for one request, kept in libmicrohttpd's per-request pointer.
class request_state {
public:
    request_state(const verifier& v, std::string_view registered_url, struct MHD_Connection* connection,
                  std::string_view method)
        : body_(v.start(method, registered_url)) {
        MHD_get_connection_values(connection, MHD_HEADER_KIND, &collect_header, &signature_);
        const int arguments = MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, nullptr, nullptr);
        std::optional<std::uint64_t> declared;
        if (MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) == nullptr) {
            if (const char* length =
                    MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
                declared = parse_content_length(length);
            }
        }
        early_ = check_before_body(method, arguments > 0, signature_, declared, v.get_options());
    }

    // A refusal decided by the header alone; then the body is not read.
    std::error_code early_refusal() const noexcept { return early_; }

    void update(std::string_view piece) noexcept { body_.update(piece); }

    result finish() {
        if (early_) {
            return result::refused(early_);
        }
        return body_.finish(signature_.header());
    }

private:
    static enum MHD_Result collect_header(void* cls, enum MHD_ValueKind, const char* key, const char* value) {
        static_cast<signature_lookup*>(cls)->offer(key != nullptr ? key : "", value != nullptr ? value : "");
        return MHD_YES;
    }

    signature_lookup signature_;
    kore::webhook::stream body_;
    std::error_code early_;
};

// One call of the access handler, with its arguments. Returns std::nullopt while the request is
// still being read (answer MHD_YES), the verdict when it is time to queue the response.
// `registered_url` is the callback URL as registered with KORE, never rebuilt from the request.
inline std::optional<result> step(const verifier& v, std::string_view registered_url, struct MHD_Connection* connection,
                                  const char* method, const char* upload_data, std::size_t* upload_data_size,
                                  void** req_cls) {
    auto* state = static_cast<request_state*>(*req_cls);
    if (state == nullptr) {
        state = new request_state(v, registered_url, connection, method != nullptr ? method : "");
        *req_cls = state;
        if (state->early_refusal()) {
            return state->finish();
        }
        return std::nullopt;
    }
    if (*upload_data_size != 0) {
        state->update(std::string_view(upload_data, *upload_data_size));  // ignored once over the limit
        *upload_data_size = 0;
        return std::nullopt;
    }
    return state->finish();
}

// For MHD_OPTION_NOTIFY_COMPLETED: frees what step() kept for the request.
inline void request_completed(void*, struct MHD_Connection*, void** req_cls, enum MHD_RequestTerminationCode) {
    delete static_cast<request_state*>(*req_cls);
    *req_cls = nullptr;
}

}  // namespace kore::webhook::adapters::microhttpd

#endif
