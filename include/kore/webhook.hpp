#ifndef KORE_WEBHOOK_HPP
#define KORE_WEBHOOK_HPP

// kore-webhook: verify that a webhook callback came from KORE Wireless and was not altered.
// One include for the KORE verifier. The legacy Twilio scheme is <kore/webhook/twilio.hpp>, the
// server adapters are <kore/webhook/adapters/...>; docs/api.md lists every public header.

#include <kore/webhook/body_verification.hpp>
#include <kore/webhook/errors.hpp>
#include <kore/webhook/http_status.hpp>
#include <kore/webhook/options.hpp>
#include <kore/webhook/request_head.hpp>
#include <kore/webhook/result.hpp>
#include <kore/webhook/scheme.hpp>
#include <kore/webhook/sign.hpp>
#include <kore/webhook/signature_header.hpp>
#include <kore/webhook/stream.hpp>
#include <kore/webhook/url.hpp>
#include <kore/webhook/verifier.hpp>
#include <kore/webhook/version.hpp>

#endif
