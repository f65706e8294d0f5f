// Once a verifier is built, judging a callback allocates nothing through operator new: not
// verify(), not start()/update()/finish(). This executable replaces the global operator new and
// delete to count calls (OpenSSL's own malloc is not counted).

#include "unit_common.hpp"

#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/replay_guard_memory.hpp>

#include <kore_cli/forge.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<std::size_t> new_calls{0};

void* counted_allocate(std::size_t size) {
    new_calls.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) {
        return p;
    }
    throw std::bad_alloc();
}

void* counted_allocate_aligned(std::size_t size, std::align_val_t align) {
    new_calls.fetch_add(1, std::memory_order_relaxed);
    const auto alignment = static_cast<std::size_t>(align);
    const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
    if (void* p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded)) {
        return p;
    }
    throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) {
    return counted_allocate(size);
}
void* operator new[](std::size_t size) {
    return counted_allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return counted_allocate(size);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return counted_allocate(size);
    } catch (...) {
        return nullptr;
    }
}
void* operator new(std::size_t size, std::align_val_t align) {
    return counted_allocate_aligned(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
    return counted_allocate_aligned(size, align);
}
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
    try {
        return counted_allocate_aligned(size, align);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
    try {
        return counted_allocate_aligned(size, align);
    } catch (...) {
        return nullptr;
    }
}

void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    std::free(p);
}

using namespace kore_unit;
namespace forge = kore_cli::forge;

namespace {

constexpr std::string_view url = "https://hooks.example.com/kore?q=1";
const std::string secret_a = "allocation-secret-a";
const std::string secret_b = "allocation-secret-b-longer";

// Calls f() and returns how many operator new calls happened meanwhile. No Catch2 macro may run
// inside f: Catch2 allocates.
template <class F>
std::size_t news_during(F&& f) {
    const std::size_t before = new_calls.load();
    f();
    return new_calls.load() - before;
}

struct request {
    const char* what;
    std::string body;
    std::string header;
    std::error_code expected;  // empty for verified
    bool json_normalized;
};

std::vector<request> requests() {
    const std::string form = "SimSid=HS123&Status=active&" + std::string(150, 'f');
    const std::string json_compact = R"([{"id":"e1","data":{"note":"a  b"}},{"id":2}])";
    const std::string json_spaced = "[\n  {\"id\": \"e1\", \"data\": {\"note\": \"a  b\"}},\n  {\"id\": 2}\n]\n";
    const auto f = forge::extend(kw::sign(secret_b, "POST", url, form), secret_b.size(), "POST", kw::signed_url(url),
                                 form, "&Status=deleted");
    return {
        {"match, first secret", form, kw::sign(secret_a, "POST", url, form), std::error_code(), false},
        {"match, second secret", form, kw::sign(secret_b, "POST", url, form), std::error_code(), false},
        {"mismatch", form, kw::sign("unknown", "POST", url, form), kw::make_error_code(kw::errc::signature_mismatch),
         false},
        {"JSON fallback", json_spaced, kw::sign(secret_b, "POST", url, json_compact), std::error_code(), true},
        {"JSON fallback, mismatch", json_spaced, kw::sign("unknown", "POST", url, json_compact),
         kw::make_error_code(kw::errc::signature_mismatch), false},
        {"length extension", f.body, f.signature, kw::make_error_code(kw::errc::length_extension), false},
        {"malformed", form, "xyz", kw::make_error_code(kw::errc::malformed_signature), false},
        {"unsigned", form, "", kw::make_error_code(kw::errc::unsigned_request), false},
        {"too large", std::string(5000, 'x'), kw::sign(secret_a, "POST", url, std::string(5000, 'x')),
         kw::make_error_code(kw::errc::body_too_large), false},
    };
}

kw::options limited() {
    kw::options o;
    o.max_body_size = 4096;
    return o;
}

}  // namespace

TEST_CASE("the counting operator new sees allocations") {
    // Without this, a broken counter would make every zero below meaningless.
    const std::size_t n = news_during([] {
        void* volatile p = ::operator new(64);
        ::operator delete(p);
        std::string s(100, 'x');
        std::vector<int> v(10);
        static_cast<void>(s.data());
        static_cast<void>(v.data());
    });
    CHECK(n >= 2);
}

TEST_CASE("verify allocates nothing once the verifier is built") {
    const auto all = requests();
    const kw::verifier verifier(std::vector<std::string>{secret_a, secret_b}, limited());
    for (const auto& r : all) {
        CAPTURE(r.what);
        std::optional<kw::result> out;
        const std::size_t n = news_during([&] { out.emplace(verifier.verify("POST", url, r.body, r.header)); });
        CHECK(n == 0);
        REQUIRE(out);
        CHECK(out->error() == r.expected);
        CHECK(out->json_normalized() == r.json_normalized);
    }
    SECTION("an absent header") {
        std::optional<kw::result> out;
        CHECK(news_during([&] { out.emplace(verifier.verify("POST", url, "a=1", std::nullopt)); }) == 0);
        CHECK(out->error() == kw::errc::missing_signature);
    }
    SECTION("an invalid method or URL") {
        std::optional<kw::result> bad_method;
        std::optional<kw::result> bad_url;
        CHECK(news_during([&] {
                  bad_method.emplace(verifier.verify("", url, "a=1", "x"));
                  bad_url.emplace(verifier.verify("POST", "/path", "a=1", "x"));
              }) == 0);
        CHECK(bad_method->error() == kw::errc::invalid_method);
        CHECK(bad_url->error() == kw::errc::invalid_url);
    }
}

TEST_CASE("start, update and finish allocate nothing once the verifier is built") {
    const auto all = requests();
    const kw::verifier verifier(std::vector<std::string>{secret_a, secret_b}, limited());
    const std::size_t piece = GENERATE(std::size_t{1}, std::size_t{7}, std::size_t{100000});
    for (const auto& r : all) {
        CAPTURE(r.what, piece);
        std::optional<kw::result> out;
        std::optional<kw::result> again;
        const std::size_t n = news_during([&] {
            auto s = verifier.start("POST", url);
            for (std::size_t at = 0; at < r.body.size(); at += piece) {
                s.update(std::string_view(r.body).substr(at, piece));
            }
            out.emplace(s.finish(r.header));
            again.emplace(s.finish(r.header));
        });
        CHECK(n == 0);
        REQUIRE(out);
        CHECK(out->error() == r.expected);
        CHECK(out->json_normalized() == r.json_normalized);
        CHECK(again->error() == kw::errc::stream_finished);
    }
}

TEST_CASE("an allowed unsigned callback allocates nothing") {
    kw::options opts;
    opts.allow_unsigned = true;
    const kw::verifier verifier(secret_a, opts);
    std::optional<kw::result> one_shot;
    std::optional<kw::result> streamed;
    const std::size_t n = news_during([&] {
        one_shot.emplace(verifier.verify("POST", url, "a=1", ""));
        auto s = verifier.start("POST", url);
        s.update("a=1");
        streamed.emplace(s.finish(" "));
    });
    CHECK(n == 0);
    CHECK(one_shot->is_unsigned());
    CHECK(streamed->is_unsigned());
}

TEST_CASE("the in-memory replay guard allocates nothing per callback once built (issue #9)") {
    const kw::verifier verifier(secret_a);
    std::vector<kw::result> deliveries;
    for (int i = 0; i < 4; ++i) {
        const std::string body = "SimSid=HS" + std::to_string(i);
        deliveries.push_back(verifier.verify("POST", url, body, kw::sign(secret_a, "POST", url, body)));
        REQUIRE(deliveries.back().verified());
    }
    kw::memory_replay_store_options two;
    two.max_entries = 2;  // so that the third and fourth callbacks evict
    kw::memory_replay_store store(two);
    kw::replay_guard guard(store);
    std::vector<kw::replay_status> seen;
    seen.reserve(16);
    const std::size_t n = news_during([&] {
        for (const auto& d : deliveries) {
            auto ticket = guard.claim("POST", d, "a1b2c3d4-e5f6-4711-8899-aabbccddeeff");
            seen.push_back(ticket.status());
            seen.push_back(guard.claim("POST", d).status());
            static_cast<void>(ticket.commit());
            seen.push_back(guard.claim("POST", d).status());
        }
        auto released = guard.claim("POST", deliveries[0]);
        seen.push_back(released.status());
        static_cast<void>(released.release());
        seen.push_back(guard.claim("GET", deliveries[1]).status());
    });
    CHECK(n == 0);
    using s = kw::replay_status;
    CHECK(seen == std::vector<s>{s::fresh, s::in_progress, s::duplicate, s::fresh, s::in_progress, s::duplicate,
                                 s::fresh, s::in_progress, s::duplicate, s::fresh, s::in_progress, s::duplicate,
                                 s::fresh, s::fresh});
    CHECK(store.evictions() == 3);  // the third, the fourth and the first again
}
