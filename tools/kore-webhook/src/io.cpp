#include <kore_cli/io.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace kore_cli {

std::string read_file(const std::string& path, std::size_t cap) {
    const bool is_stdin = path == "-";
    std::unique_ptr<std::FILE, decltype(&std::fclose)> owned(is_stdin ? nullptr : std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
    std::FILE* f = is_stdin ? stdin : owned.get();
    if (f == nullptr) {
        throw io_error("cannot open '" + path + "': " + std::strerror(errno));
    }
    const std::string name = is_stdin ? std::string("standard input") : "'" + path + "'";
    std::string out;
    char buffer[65536];
    for (;;) {
        const std::size_t n = std::fread(buffer, 1, sizeof buffer, f);
        if (n == 0) {
            break;
        }
        if (out.size() + n > cap) {
            throw io_error(name + " is larger than " +
                           (cap >= (std::size_t{1} << 20) ? std::to_string(cap >> 20) + " MiB"
                                                          : std::to_string(cap >> 10) + " KiB"));
        }
        out.append(buffer, n);
    }
    if (std::ferror(f) != 0) {
        throw io_error("cannot read " + name);
    }
    return out;
}

}  // namespace kore_cli
