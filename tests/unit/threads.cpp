// One const verifier shared by many threads: verify() and start() change nothing of it but its
// pool of digest contexts (detail/context_pool.hpp), so concurrent callbacks get their own right
// verdicts. Built under ThreadSanitizer by CI; the tests themselves share nothing mutable between
// threads (each writes its own slot, read after join).

#include "unit_common.hpp"

#include <kore_cli/forge.hpp>

#include <kore/webhook/detail/context_pool.hpp>

#include <set>
#include <thread>

using namespace kore_unit;
namespace forge = kore_cli::forge;
namespace detail = kw::detail;

namespace {

constexpr std::string_view url = "https://hooks.example.com/kore";
const std::string secret_a = "threads-secret-a";
const std::string secret_b = "threads-secret-b-longer-one";

struct request {
    std::string method;
    std::string body;
    std::optional<std::string> header;
    verdict expected;
};

verdict verified(std::size_t index, bool json) {
    return {true, {}, true, false, json, index};
}
verdict refused(kw::errc e) {
    return {false, kw::make_error_code(e), false, false, false, 0};
}

std::vector<request> requests() {
    std::vector<request> out;
    for (std::size_t i = 0; i < 8; ++i) {
        const std::string form = "SimSid=HS" + std::to_string(i) + "&Status=active&" + std::string(i * 20, 'p');
        const std::string compact = R"({"n":)" + std::to_string(i) + R"(,"s":"a b"})";
        const std::string spaced = "{ \"n\" : " + std::to_string(i) + " , \"s\" : \"a b\" }\n";
        const std::string& secret = i % 2 == 0 ? secret_a : secret_b;
        const std::size_t index = i % 2 == 0 ? 0 : 1;
        const auto f = forge::extend(kw::sign(secret, "POST", url, form), secret.size(), "POST", url, form, "&x=1");
        out.push_back({"POST", form, kw::sign(secret, "POST", url, form), verified(index, false)});
        out.push_back({"POST", spaced, kw::sign(secret, "POST", url, compact), verified(index, true)});
        out.push_back({"POST", form, kw::sign("unknown", "POST", url, form), refused(kw::errc::signature_mismatch)});
        out.push_back({"POST", form + "x", kw::sign(secret, "POST", url, form), refused(kw::errc::signature_mismatch)});
        out.push_back({"POST", f.body, f.signature, refused(kw::errc::length_extension)});
        out.push_back({"POST", form, std::string("zz"), refused(kw::errc::malformed_signature)});
        out.push_back({"POST", form, std::nullopt, refused(kw::errc::missing_signature)});
        out.push_back({"POST", form, std::string(" "), refused(kw::errc::unsigned_request)});
        out.push_back({"POST", std::string(2000 + i, 'x'), kw::sign(secret, "POST", url, std::string(2000 + i, 'x')),
                       refused(kw::errc::body_too_large)});
        out.push_back({"GET", "", kw::sign(secret, "GET", url, ""), verified(index, false)});
    }
    return out;
}

struct tally {
    std::size_t checked = 0;
    std::size_t wrong = 0;
    std::size_t first_wrong = static_cast<std::size_t>(-1);
};

}  // namespace

TEST_CASE("one const verifier judges concurrent callbacks from 8 threads correctly") {
    kw::options opts;
    opts.max_body_size = 1024;
    const kw::verifier verifier(std::vector<std::string>{secret_a, secret_b}, opts);
    const std::vector<request> all = requests();
    // Sanity on one thread first, so a wrong expectation is not blamed on threading.
    for (std::size_t i = 0; i < all.size(); ++i) {
        std::optional<std::string_view> header;
        if (all[i].header) {
            header = *all[i].header;
        }
        CAPTURE(i);
        REQUIRE(verdict_of(verifier.verify(all[i].method, url, all[i].body, header)) == all[i].expected);
    }

    constexpr std::size_t thread_count = 8;
    constexpr std::size_t rounds = 60;
    std::vector<tally> tallies(thread_count);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < thread_count; ++t) {
        threads.emplace_back([&verifier, &all, &slot = tallies[t], t] {
            for (std::size_t round = 0; round < rounds; ++round) {
                for (std::size_t k = 0; k < all.size(); ++k) {
                    const std::size_t i = (k * 7 + t * 13 + round) % all.size();  // a different order per thread
                    const request& r = all[i];
                    std::optional<std::string_view> header;
                    if (r.header) {
                        header = *r.header;
                    }
                    verdict got;
                    if ((round + k) % 3 == 0) {
                        auto s = verifier.start(r.method, url);
                        const std::size_t half = r.body.size() / 2;
                        s.update(std::string_view(r.body).substr(0, half));
                        s.update(std::string_view(r.body).substr(half));
                        got = verdict_of(s.finish(header));
                    } else {
                        got = verdict_of(verifier.verify(r.method, url, r.body, header));
                    }
                    ++slot.checked;
                    if (got != r.expected) {
                        if (slot.wrong == 0) {
                            slot.first_wrong = i;
                        }
                        ++slot.wrong;
                    }
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (std::size_t t = 0; t < thread_count; ++t) {
        CAPTURE(t, tallies[t].first_wrong);
        CHECK(tallies[t].checked == rounds * all.size());
        CHECK(tallies[t].wrong == 0);
    }
}

TEST_CASE("a context given back to the pool is taken again, and takes past its slots get new ones") {
    detail::context_pool pool;
    std::vector<detail::evp_md_ctx_ptr> taken;
    std::set<EVP_MD_CTX*> distinct;
    for (int i = 0; i < 12; ++i) {
        taken.push_back(pool.take());
        REQUIRE(taken.back() != nullptr);
        distinct.insert(taken.back().get());
    }
    CHECK(distinct.size() == 12);
    EVP_MD_CTX* const kept = taken.front().get();
    pool.give(std::move(taken.front()));
    CHECK(pool.take().get() == kept);
}

TEST_CASE("threads taking contexts from one pool at once never share one") {
    detail::context_pool pool;
    const detail::evp_md_ptr md = detail::fetch_digest("SHA256");
    constexpr std::size_t thread_count = 12;  // more than the pool's slots
    std::vector<std::size_t> wrong(thread_count);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < thread_count; ++t) {
        threads.emplace_back([&pool, &md, &slot = wrong[t], t] {
            const std::string text(100 + t, static_cast<char>('a' + t));
            const std::string expected = kw::sign(text, "POST", url, text);
            for (int round = 0; round < 300; ++round) {
                detail::hash_state state(pool.take());
                kw::kore_sha256::digest_type digest{};
                const bool ok = state.init(md.get()) && state.update(text) && state.update("POST") &&
                                state.update(url) && state.update(text) && state.finish(digest);
                slot += ok && kw::kore_sha256::encode_signature(digest) == expected ? 0 : 1;
                pool.give(state.release());
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (std::size_t t = 0; t < thread_count; ++t) {
        CAPTURE(t);
        CHECK(wrong[t] == 0);
    }
}
