#ifndef KORE_WEBHOOK_ADAPTERS_COMMON_HPP
#define KORE_WEBHOOK_ADAPTERS_COMMON_HPP

// Everything the server adapters share, in one include (no server header):
//   adapters/errors.hpp       adapter_errc, its category, error_name()
//   adapters/status.hpp       http_status(), error_body(): the status policy
//   adapters/request.hpp      iequals, parse_content_length, body_left_unread
//   adapters/body.hpp         verified_body / verified_view: what read_verified() returns
//   adapters/callback.hpp     verified_callback, callback_handler, answer_observer, route_config
//   adapters/route.hpp        what every route helper does (405, refusals, the handler's reply)
//   adapters/rebuild_url.hpp  opt-in: rebuilding the URL behind trusted proxies
//
// The URL that goes into the signature is never taken from the request: it is the callback URL
// registered with KORE, passed in as configuration.

#include <kore/webhook/adapters/body.hpp>
#include <kore/webhook/adapters/callback.hpp>
#include <kore/webhook/adapters/errors.hpp>
#include <kore/webhook/adapters/rebuild_url.hpp>
#include <kore/webhook/adapters/request.hpp>
#include <kore/webhook/adapters/route.hpp>
#include <kore/webhook/adapters/status.hpp>

#endif
