#ifndef KORE_WEBHOOK_TESTS_CATCH_HPP
#define KORE_WEBHOOK_TESTS_CATCH_HPP

// One include for Catch2 v2 (Debian 12) and v3.
#ifdef KORE_WEBHOOK_CATCH2_V3
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif

#endif
