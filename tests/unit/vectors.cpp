// The published vectors (docs/protocol.md, section 2; tests/vectors/kore-signature.json): what
// verifies, what must not.

#include "unit_common.hpp"

#include <filesystem>
#include <regex>

using namespace kore_unit;

namespace {

kw::options without_json_fallback() {
    kw::options o;
    o.json_whitespace_fallback = false;
    return o;
}

bool is_k2_spaced(const vector_case& v) {
    return v.id == "K2-spaced";
}

}  // namespace

TEST_CASE("the vector file holds every published vector") {
    std::vector<std::string> ids;
    for (const auto& v : load_kore_vectors("vectors")) {
        ids.push_back(v.id);
    }
    for (const auto& v : load_kore_vectors("must_not_verify")) {
        ids.push_back(v.id);
    }
    for (const char* id : {"K1", "K2", "K2-spaced", "K3", "K4", "K5-query", "K5-fragment", "N1-trailing-slash",
                           "N2-hmac", "N3-newline"}) {
        CAPTURE(id);
        CHECK(std::find(ids.begin(), ids.end(), id) != ids.end());
    }
}

TEST_CASE("every published vector verifies with verify()") {
    for (const auto& v : load_kore_vectors("vectors")) {
        CAPTURE(v.id);
        const kw::verifier verifier(v.secret);
        const auto r = verifier.verify(v.method, v.registered_url, v.body, v.signature);
        CHECK(r);
        CHECK(r.verified());
        CHECK_FALSE(r.is_unsigned());
        CHECK(r.error() == std::error_code());
        CHECK(r.secret_index() == 0);
        CHECK(r.json_normalized() == is_k2_spaced(v));
        CHECK(r.replay_key() == v.signature);
    }
}

TEST_CASE("every published vector verifies as a stream, whole or byte by byte") {
    const std::size_t piece = GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{7});
    for (const auto& v : load_kore_vectors("vectors")) {
        CAPTURE(v.id, piece);
        const kw::verifier verifier(v.secret);
        const auto r =
            stream_verify(verifier, v.method, v.registered_url, v.body, v.signature, pieces_of(piece, v.body.size()));
        CHECK(r.verified());
        CHECK(r.json_normalized() == is_k2_spaced(v));
    }
}

TEST_CASE("sign() reproduces every published signature over the raw body") {
    for (const auto& v : load_kore_vectors("vectors")) {
        CAPTURE(v.id);
        if (is_k2_spaced(v)) {
            continue;  // its digest is over the minified text; see the next test case
        }
        CHECK(kw::sign(v.secret, v.method, v.registered_url, v.body) == v.signature);
    }
}

TEST_CASE("K2-spaced is signed over its minified text, not its raw bytes") {
    const auto spaced = kore_vector("K2-spaced");
    const auto minified = kore_vector("K2");
    REQUIRE(spaced.body != minified.body);
    CHECK(kw::sign(spaced.secret, spaced.method, spaced.registered_url, spaced.body) != spaced.signature);
    CHECK(kw::sign(spaced.secret, spaced.method, spaced.registered_url, minified.body) == spaced.signature);
    // The note records the raw-body digest; sign() must reproduce it.
    std::smatch raw;
    REQUIRE(std::regex_search(spaced.note, raw, std::regex("[0-9a-f]{64}")));
    CHECK(kw::sign(spaced.secret, spaced.method, spaced.registered_url, spaced.body) == raw.str());
}

TEST_CASE("K2-spaced verifies only through the JSON whitespace fallback") {
    const auto v = kore_vector("K2-spaced");
    SECTION("with the fallback (the default) it verifies, marked json_normalized") {
        const kw::verifier verifier(v.secret);
        const auto r = verifier.verify(v.method, v.registered_url, v.body, v.signature);
        CHECK(r.verified());
        CHECK(r.json_normalized());
        CHECK(r.replay_key() == v.signature);
    }
    SECTION("with options.json_whitespace_fallback = false it is refused") {
        const kw::verifier verifier(v.secret, without_json_fallback());
        const auto r = verifier.verify(v.method, v.registered_url, v.body, v.signature);
        CHECK_FALSE(r);
        CHECK_FALSE(r.verified());
        CHECK(r.error() == kw::errc::signature_mismatch);
        const auto s = stream_verify(verifier, v.method, v.registered_url, v.body, v.signature, {5, 9});
        CHECK(s.error() == kw::errc::signature_mismatch);
    }
    SECTION("the minified K2 needs no fallback") {
        const auto k2 = kore_vector("K2");
        const kw::verifier verifier(k2.secret, without_json_fallback());
        const auto r = verifier.verify(k2.method, k2.registered_url, k2.body, k2.signature);
        CHECK(r.verified());
        CHECK_FALSE(r.json_normalized());
    }
}

TEST_CASE("every must-not-verify vector is refused as signature_mismatch") {
    const auto vectors = load_kore_vectors("must_not_verify");
    REQUIRE(vectors.size() >= 3);
    const bool fallback = GENERATE(true, false);
    kw::options opts;
    opts.json_whitespace_fallback = fallback;
    for (const auto& v : vectors) {
        CAPTURE(v.id, fallback);
        const kw::verifier verifier(v.secret, opts);
        const auto r = verifier.verify(v.method, v.registered_url, v.body, v.signature);
        CHECK_FALSE(r);
        CHECK_FALSE(r.verified());
        CHECK(r.error() == kw::errc::signature_mismatch);
        CHECK(r.replay_key().empty());
        const auto s = stream_verify(verifier, v.method, v.registered_url, v.body, v.signature, {3});
        CHECK(s.error() == kw::errc::signature_mismatch);
        // The header itself is well formed: the refusal is about the digest, not the syntax.
        kw::kore_sha256::digest_type decoded{};
        CHECK(kw::kore_sha256::decode_signature(v.signature, decoded));
    }
}

TEST_CASE("the must-not-verify vectors are what their descriptions say") {
    SECTION("N1 is the digest over the registered URL with a trailing slash") {
        const auto v = kore_vector("N1-trailing-slash");
        CHECK(kw::sign(v.secret, v.method, v.registered_url + "/", v.body) == v.signature);
    }
    SECTION("N3 is the digest over the body plus a trailing newline") {
        const auto v = kore_vector("N3-newline");
        CHECK(kw::sign(v.secret, v.method, v.registered_url, v.body + "\n") == v.signature);
    }
}

TEST_CASE("the vector copies in tests/vectors equal the reference copies when one is configured") {
    namespace fs = std::filesystem;
    const std::string configured = KORE_WEBHOOK_UNIT_REFERENCE_VECTORS_DIR;
    if (configured.empty()) {
        WARN("KORE_WEBHOOK_REFERENCE_VECTORS_DIR is not set: comparison with a reference copy skipped");
        return;
    }
    const fs::path reference = configured;
    // Configured but missing is a mistake in the configuration, not a reason to skip.
    REQUIRE(fs::is_directory(reference));
    for (const char* name : {"kore-signature.json", "twilio-signature.json"}) {
        CAPTURE(name);
        const auto copy = read_file(vectors_dir() + "/" + name);
        const auto original = read_file((reference / name).string());
        CHECK_FALSE(copy.empty());
        CHECK(copy == original);
    }
}
