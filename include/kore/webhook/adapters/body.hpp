#ifndef KORE_WEBHOOK_ADAPTERS_BODY_HPP
#define KORE_WEBHOOK_ADAPTERS_BODY_HPP

// What an adapter's body calls return: the verdict together with the raw body it was reached on.
//
// Every adapter has read_verified(...): the body is read once, hashed as it arrives and kept
// (reserved to the declared Content-Length when there is one, never more than
// options::max_body_size held), and handed back with the verdict, no second copy. And a form of
// verify(...) that takes a sink, called with each piece of the body as it is read, in order, for
// applications that parse incrementally.
//
// Nothing may be acted on before the verdict. The body, and every piece a sink was given, is
// untrusted input until the verdict says the callback may be processed (`if (r.verdict)`): a
// sink may parse, but must not store, forward or act on anything, and must drop what it built
// when the callback is refused. A refused callback's body is empty or partial.

#include <kore/webhook/result.hpp>

#include <string>
#include <string_view>

namespace kore::webhook::adapters {

// The verdict and the raw body, read by the adapter from a server that streams the body
// (cpp-httplib content readers, Beast, POCO, CivetWeb, libmicrohttpd).
struct verified_body {
    result verdict;
    std::string body;  // as received; empty or partial when refused
};

// The same for a server that read the whole body before the adapter ran (Pistache, cpp-httplib
// plain routes, a Beast string_body request): a view of the server's own copy, valid while its
// request object lives.
struct verified_view {
    result verdict;
    std::string_view body;
};

}  // namespace kore::webhook::adapters

#endif
