#ifndef KORE_WEBHOOK_SIGNATURE_HEADER_HPP
#define KORE_WEBHOOK_SIGNATURE_HEADER_HPP

// The name of the header that carries KORE's signature. HTTP header names are case-insensitive;
// KORE sends it in lower case.

#include <string_view>

namespace kore::webhook {

inline constexpr std::string_view signature_header_name = "kore-signature";

}  // namespace kore::webhook

#endif
