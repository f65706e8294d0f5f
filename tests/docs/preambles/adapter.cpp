// docs/servers.md's adapter snippets: the verifier and the registered URL, built at start-up.
#include <kore/webhook.hpp>

#include <string>

extern const kore::webhook::verifier v;   // from the secret
extern const std::string registered_url;  // the callback URL exactly as registered with KORE

// SNIPPET
