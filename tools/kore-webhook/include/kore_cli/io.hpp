#ifndef KORE_WEBHOOK_CLI_IO_HPP
#define KORE_WEBHOOK_CLI_IO_HPP

// Reading whole files (or standard input) as raw bytes, with a size cap. Errors name the file,
// never its content.

#include <kore_cli/errors.hpp>

#include <cstddef>
#include <string>

namespace kore_cli {

inline constexpr std::size_t max_file_size = std::size_t{16} << 20;

// Reads `path` ("-" is standard input) byte for byte. Throws io_error.
std::string read_file(const std::string& path, std::size_t cap = max_file_size);

}  // namespace kore_cli

#endif
