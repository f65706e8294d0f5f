// A core internal that reaches up into the adapters: what style.layering must refuse.
#include <kore/webhook/adapters/errors.hpp>
