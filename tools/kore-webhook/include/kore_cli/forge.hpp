#ifndef KORE_WEBHOOK_CLI_FORGE_HPP
#define KORE_WEBHOOK_CLI_FORGE_HPP

// The attacker's side of a SHA-256 length extension (docs/protocol.md, section 3.4): from a
// captured (body, kore-signature) pair and the secret's length alone, a longer body and a
// signature that KORE's scheme accepts for it, without knowing the secret. `send --tamper
// length-extension` sends such forgeries; the unit and end-to-end tests make theirs here too.
//
// It has its own SHA-256 because the attack needs what OpenSSL's EVP interface rightly does not
// offer: a digest computation resumed from the state a published digest reveals. The tests check
// every forgery against OpenSSL (kore::webhook::sign over the forged body gives the same
// signature), so this SHA-256 is never its own oracle.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kore_cli::forge {

// The padding SHA-256 appends to a message of `length` bytes: 0x80, zeros, 64-bit bit length.
std::string glue(std::uint64_t length);

struct forgery {
    std::string body;       // original body || glue || suffix
    std::string signature;  // lowercase hex, valid for the forged body under the unknown secret
};

// Extends a request signed over secret || method || signed_url || body, knowing only the secret's
// length (an attacker tries every plausible one). `signed_url` is used as given: pass
// kore::webhook::signed_url(registered) for what KORE signs. Throws std::invalid_argument when
// `signature_hex` is not 64 hex digits.
forgery extend(std::string_view signature_hex, std::size_t secret_length, std::string_view method,
               std::string_view signed_url, std::string_view body, std::string_view suffix);

}  // namespace kore_cli::forge

#endif
