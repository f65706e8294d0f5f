#ifndef KORE_WEBHOOK_ADAPTERS_STATUS_HPP
#define KORE_WEBHOOK_ADAPTERS_STATUS_HPP

// The adapters' status policy is the core's (kore/webhook/http_status.hpp), under the names 0.2
// gave it here. Applications are free to answer otherwise.

#include <kore/webhook/http_status.hpp>

namespace kore::webhook::adapters {

using kore::webhook::error_body;
using kore::webhook::http_status;

}  // namespace kore::webhook::adapters

#endif
