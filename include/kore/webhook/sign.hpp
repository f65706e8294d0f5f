#ifndef KORE_WEBHOOK_SIGN_HPP
#define KORE_WEBHOOK_SIGN_HPP

// Computing a signature as KORE does: for tests, simulators and the command-line tool. It builds
// the signed string through the same function the verifier uses (detail/signing_input.hpp).

#include <kore/webhook/detail/digest.hpp>
#include <kore/webhook/detail/signing_input.hpp>
#include <kore/webhook/scheme.hpp>
#include <kore/webhook/url.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace kore::webhook {

// lowercase hex SHA-256(secret || method || url cut at '?' or '#' || body). Nothing is checked
// beyond a non-empty secret: it signs exactly what it is given. Throws std::invalid_argument for
// an empty secret and std::runtime_error when OpenSSL fails.
inline std::string sign(std::string_view secret, std::string_view method, std::string_view url, std::string_view body) {
    if (secret.empty()) {
        throw std::invalid_argument("kore-webhook: a webhook secret must not be empty");
    }
    // Fetched once per program; never modified after that.
    static const detail::evp_md_ptr md = detail::fetch_digest("SHA256");
    detail::keyed_secret keyed;
    detail::hash_state state;
    kore_sha256::digest_type digest{};
    keyed.init(md.get(), secret);
    if (!keyed.begin(state, method, signed_url(url)) || !state.update(body) || !state.finish(digest)) {
        throw std::runtime_error("kore-webhook: OpenSSL failed to compute SHA-256");
    }
    return kore_sha256::encode_signature(digest);
}

}  // namespace kore::webhook

#endif
