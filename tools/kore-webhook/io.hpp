#ifndef KORE_WEBHOOK_CLI_IO_HPP
#define KORE_WEBHOOK_CLI_IO_HPP

// Reading whole files (or standard input) as raw bytes, with a size cap. Errors name the file,
// never its content.

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace kore_cli {

// A file could not be read, a connection failed: exit code 2.
class io_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr std::size_t max_file_size = std::size_t{16} << 20;

// Reads `path` ("-" is standard input) byte for byte. Throws io_error.
inline std::string read_file(const std::string& path, std::size_t cap = max_file_size) {
    const bool is_stdin = path == "-";
    std::FILE* f = is_stdin ? stdin : std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        throw io_error("cannot open '" + path + "': " + std::strerror(errno));
    }
    std::string out;
    char buffer[65536];
    bool too_large = false;
    for (;;) {
        const std::size_t n = std::fread(buffer, 1, sizeof buffer, f);
        if (n == 0) {
            break;
        }
        if (out.size() + n > cap) {
            too_large = true;
            break;
        }
        out.append(buffer, n);
    }
    const bool failed = std::ferror(f) != 0;
    if (!is_stdin) {
        std::fclose(f);
    }
    const std::string name = is_stdin ? std::string("standard input") : "'" + path + "'";
    if (too_large) {
        throw io_error(name + " is larger than " + std::to_string(cap >> 20) + " MiB");
    }
    if (failed) {
        throw io_error("cannot read " + name);
    }
    return out;
}

}  // namespace kore_cli

#endif
