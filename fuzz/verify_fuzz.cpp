// One-shot and streaming verification must agree on every input, for any chunking, and never
// crash. The first bytes choose the options, the header and the chunk sizes; the rest is the body.
#include <kore/webhook.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace kw = kore::webhook;

const kw::verifier& verifier_for(unsigned flags) {
    static const auto make = [](bool fallback, bool allow_unsigned, std::size_t limit) {
        kw::options opts;
        opts.json_whitespace_fallback = fallback;
        opts.allow_unsigned = allow_unsigned;
        opts.max_body_size = limit;
        return kw::verifier(std::vector<std::string>{"secret12345", "a35974bdf1c769b8bb"}, opts);
    };
    static const kw::verifier verifiers[4] = {make(true, false, 1 << 20), make(false, false, 1 << 20),
                                              make(true, true, 300), make(false, true, 300)};
    return verifiers[flags % 4];
}

void check_same(const kw::result& a, const kw::result& b) {
    if (static_cast<bool>(a) != static_cast<bool>(b) || a.error() != b.error() || a.verified() != b.verified() ||
        a.is_unsigned() != b.is_unsigned() || a.json_normalized() != b.json_normalized() ||
        (a.verified() && a.secret_index() != b.secret_index())) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) {
        return 0;
    }
    const unsigned flags = data[0];
    const std::size_t chunk = std::size_t{data[1]} + 1;
    const std::string_view body(reinterpret_cast<const char*>(data + 3), size - 3);
    const kw::verifier& v = verifier_for(flags);
    const std::string_view url = "https://testendpoint.com/kore?x=1";

    // Header: absent, empty, garbage, or the right signature for one of the secrets (of the raw
    // body, so the verified path is reached too).
    std::string header_text;
    std::optional<std::string_view> header;
    switch (data[2] % 4) {
        case 0:
            break;
        case 1:
            header = std::string_view();
            break;
        case 2:
            header_text.assign(body.substr(0, 70));
            header = header_text;
            break;
        default:
            header_text = kw::sign((flags & 4) ? "secret12345" : "a35974bdf1c769b8bb", "POST", url, body);
            header = header_text;
            break;
    }

    const kw::result one_shot = v.verify("POST", url, body, header);
    auto stream = v.start("POST", url);
    for (std::size_t at = 0; at < body.size(); at += chunk) {
        stream.update(body.substr(at, chunk));
    }
    check_same(one_shot, stream.finish(header));
    if (stream.finish(header).error() != kw::errc::stream_finished) {
        std::abort();
    }
    return 0;
}
