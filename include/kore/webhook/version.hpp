#ifndef KORE_WEBHOOK_VERSION_HPP
#define KORE_WEBHOOK_VERSION_HPP

// The one place the version lives: CMake, the vcpkg port, the Conan recipe and the
// pkg-config file all read these three lines.
// NOLINTBEGIN(cppcoreguidelines-macro-usage): macros, so CMake and #if can read them
#define KORE_WEBHOOK_VERSION_MAJOR 0
#define KORE_WEBHOOK_VERSION_MINOR 2
#define KORE_WEBHOOK_VERSION_PATCH 0
// NOLINTEND(cppcoreguidelines-macro-usage)

namespace kore::webhook {
inline constexpr int version_major = KORE_WEBHOOK_VERSION_MAJOR;
inline constexpr int version_minor = KORE_WEBHOOK_VERSION_MINOR;
inline constexpr int version_patch = KORE_WEBHOOK_VERSION_PATCH;
}  // namespace kore::webhook

#endif
