#ifndef KORE_WEBHOOK_DETAIL_JSON_MINIFIER_FORWARD_HPP
#define KORE_WEBHOOK_DETAIL_JSON_MINIFIER_FORWARD_HPP

// The minifier moved to detail/json/minifier.hpp; this name stays until every include uses that.

#include <kore/webhook/detail/json/minifier.hpp>

#endif
