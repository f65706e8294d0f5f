#ifndef KORE_WEBHOOK_CLI_EXPLAIN_HPP
#define KORE_WEBHOOK_CLI_EXPLAIN_HPP

// `verify --explain`: when a callback is refused, re-verify it under the usual mistakes (URL
// spelled differently, body changed by a framework, method case, another or mis-read secret) and
// say which would have matched, in words. It never changes the verdict, and it never prints a
// secret or an expected signature: only which variant of the request the received one fits.
//
// Every variant is hashed through the library's one builder of the signed string
// (kore::webhook::detail::keyed_secret::begin, as sign(), verify and the stream do); a variant only
// changes what goes in (the URL as spelled, the body as re-serialised, the secret as mis-read),
// and a signer that failed to cut the query has the rest of its URL hashed after begin().

#include <kore_cli/secrets.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <vector>

namespace kore_cli::explain {

// What is known about the refused request.
struct request_facts {
    std::string method;
    std::string body;
    std::optional<std::string> signature;   // the kore-signature value, if the header was there
    std::optional<std::string> target;      // the request line's target (request-file form)
    std::optional<std::string> host;        // the Host header (request-file form)
    std::vector<std::string> header_names;  // (request-file form), for missing-header advice
};

// Prints the explanation of a refusal (`registered_url` as given to --url).
void print(std::ostream& out, std::error_code verdict, const request_facts& facts, const std::string& registered_url,
           const std::vector<secret>& configured, const std::vector<secret>& others);

}  // namespace kore_cli::explain

#endif
