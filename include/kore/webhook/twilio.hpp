#ifndef KORE_WEBHOOK_TWILIO_HPP
#define KORE_WEBHOOK_TWILIO_HPP

// The legacy Twilio X-Twilio-Signature scheme (docs/protocol.md, section 4): its verifier and its
// signer. Not part of <kore/webhook.hpp>; include this where legacy callbacks still arrive.

#include <kore/webhook/twilio/scheme.hpp>
#include <kore/webhook/twilio/sign.hpp>
#include <kore/webhook/twilio/verifier.hpp>

#endif
