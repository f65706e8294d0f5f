#ifndef KORE_WEBHOOK_OPTIONS_HPP
#define KORE_WEBHOOK_OPTIONS_HPP

// What a verifier accepts. The defaults are the safe ones.

#include <cstddef>

namespace kore::webhook {

inline constexpr std::size_t default_max_body_size = std::size_t{1} << 20;  // 1 MiB
// KORE has one Active and at most one Pending secret; a little room beyond that for migrations.
inline constexpr std::size_t max_secrets = 4;

struct options {
    // Accept callbacks whose kore-signature header is present but empty (an account without a
    // webhook secret). Such a result is a success that says is_unsigned(), never verified().
    bool allow_unsigned = false;
    // Larger bodies are refused with errc::body_too_large before any hashing.
    std::size_t max_body_size = default_max_body_size;
    // When the raw body does not match and is one valid JSON text, verify once more over the body
    // without insignificant whitespace (docs/protocol.md, section 2: KORE may sign the minified JSON).
    bool json_whitespace_fallback = true;
    // Used by the server adapters, which refuse with errc::query_not_signed a request whose query
    // is not exactly the registered URL's: KORE signs no query (docs/protocol.md, section 3.5).
    // Accept a GET whose query differs (KORE's GET callbacks carry their data there, unsigned).
    bool allow_get_query = false;
    // Accept a request of any method whose query differs from the registered URL's (a proxy that
    // adds its own parameters). Only for applications that never read the query: it is not
    // authenticated.
    bool allow_unregistered_query = false;
};

}  // namespace kore::webhook

#endif
