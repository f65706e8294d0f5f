#include <kore_cli/forge.hpp>

#include <kore/webhook/detail/hex.hpp>

#include <array>
#include <stdexcept>

namespace kore_cli::forge {

namespace {

// FIPS 180-4 SHA-256 whose state can be set from a digest.
class sha256 {
public:
    using digest = std::array<unsigned char, 32>;

    // Resumes from the state `from` reveals, as if `length` bytes had been hashed already.
    sha256(const digest& from, std::uint64_t length) noexcept : length_(length) {
        for (std::size_t i = 0; i < state_.size(); ++i) {
            state_[i] = (std::uint32_t{from[4 * i]} << 24) | (std::uint32_t{from[4 * i + 1]} << 16) |
                        (std::uint32_t{from[4 * i + 2]} << 8) | std::uint32_t{from[4 * i + 3]};
        }
    }

    void update(std::string_view bytes) noexcept {
        for (const char c : bytes) {
            block_[buffered_++] = static_cast<std::uint8_t>(c);
            ++length_;
            if (buffered_ == block_.size()) {
                compress();
                buffered_ = 0;
            }
        }
    }

    digest finish() noexcept {
        update(glue(length_));
        digest out{};
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i] = static_cast<unsigned char>(state_[i / 4] >> (24 - 8 * (i % 4)));
        }
        return out;
    }

private:
    static constexpr std::uint32_t rotr(std::uint32_t x, int n) noexcept { return (x >> n) | (x << (32 - n)); }

    void compress() noexcept {
        static constexpr std::array<std::uint32_t, 64> k = {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
        std::array<std::uint32_t, 64> w{};
        for (std::size_t i = 0; i < 16; ++i) {
            w[i] = (std::uint32_t{block_[4 * i]} << 24) | (std::uint32_t{block_[4 * i + 1]} << 16) |
                   (std::uint32_t{block_[4 * i + 2]} << 8) | std::uint32_t{block_[4 * i + 3]};
        }
        for (std::size_t i = 16; i < 64; ++i) {
            const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        std::array<std::uint32_t, 8> v = state_;
        for (std::size_t i = 0; i < 64; ++i) {
            const std::uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
            const std::uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
            const std::uint32_t t1 = v[7] + s1 + ch + k[i] + w[i];
            const std::uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
            const std::uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            const std::uint32_t t2 = s0 + maj;
            v = {t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
        }
        for (std::size_t i = 0; i < 8; ++i) {
            state_[i] += v[i];
        }
    }

    std::array<std::uint32_t, 8> state_{};
    std::array<std::uint8_t, 64> block_{};
    std::size_t buffered_ = 0;
    std::uint64_t length_ = 0;
};

}  // namespace

std::string glue(std::uint64_t length) {
    std::string pad(1, '\x80');
    while ((length + pad.size()) % 64 != 56) {
        pad.push_back('\0');
    }
    for (int shift = 56; shift >= 0; shift -= 8) {
        pad.push_back(static_cast<char>(((length * 8) >> shift) & 0xff));
    }
    return pad;
}

forgery extend(std::string_view signature_hex, std::size_t secret_length, std::string_view method,
               std::string_view signed_url, std::string_view body, std::string_view suffix) {
    sha256::digest captured{};
    if (!kore::webhook::detail::decode_hex(signature_hex, captured)) {
        throw std::invalid_argument("forge: a SHA-256 signature is 64 hex digits");
    }
    const std::uint64_t original = secret_length + method.size() + signed_url.size() + body.size();
    const std::string pad = glue(original);
    sha256 hash(captured, original + pad.size());
    hash.update(suffix);

    forgery out;
    out.body.reserve(body.size() + pad.size() + suffix.size());
    out.body.append(body).append(pad).append(suffix);
    out.signature = kore::webhook::detail::encode_hex(hash.finish());
    return out;
}

}  // namespace kore_cli::forge
