#ifndef KORE_WEBHOOK_DETAIL_CT_AUDIT_HPP
#define KORE_WEBHOOK_DETAIL_CT_AUDIT_HPP

// The constant-time test's two hooks (SECURITY.md, "Constant time"). They compile to nothing
// unless a program defines them before it includes any kore-webhook header, as
// tests/security/constant_time.cpp does with valgrind's client requests:
//
//   KORE_WEBHOOK_CT_POISON(address, size)    the bytes are secret from here on: the digests the
//                                            secrets computed and the digest the header carried
//   KORE_WEBHOOK_CT_UNPOISON(address, size)  the bytes leave legitimately: the verdict (whether a
//                                            secret matched, which one, and the matched digest)
//
// Under valgrind memcheck, poisoned bytes are "undefined", so every branch, conditional move or
// memory index that depends on them is reported: the library's own handling of the digests is
// shown constant-time between those two points. Only detail/decision.hpp calls them.

#ifndef KORE_WEBHOOK_CT_POISON
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): a test replaces it before inclusion
#define KORE_WEBHOOK_CT_POISON(address, size) static_cast<void>(0)
#endif

#ifndef KORE_WEBHOOK_CT_UNPOISON
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): a test replaces it before inclusion
#define KORE_WEBHOOK_CT_UNPOISON(address, size) static_cast<void>(0)
#endif

#endif
