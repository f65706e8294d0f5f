#ifndef KORE_WEBHOOK_ADAPTERS_ERRORS_HPP
#define KORE_WEBHOOK_ADAPTERS_ERRORS_HPP

// The adapters' names for the core's body and application errors (kore/webhook/errors.hpp):
// adapter_errc, its category and error_name(), as 0.2 spelled them.

#include <kore/webhook/errors.hpp>

namespace kore::webhook::adapters {

using kore::webhook::adapter_category;
using kore::webhook::adapter_errc;
using kore::webhook::error_name;
using kore::webhook::make_error_code;

}  // namespace kore::webhook::adapters

#endif
