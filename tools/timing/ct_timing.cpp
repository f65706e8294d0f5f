// kore-webhook-ct-timing: a dudect-style statistical timing check of verification (Reparaz,
// Balasch, Verbauwhede, "Dude, is my code constant time?", 2017). Not a pass/fail test: timing
// on a shared machine is noisy, and the proof of constant time is security.constant_time under
// valgrind. This tool asks the complementary question on real hardware: do two classes of inputs
// that differ only in secret-dependent ways take measurably different times?
//
// For each check, every sample is one verify() call on a fresh random body, its class chosen at
// random; the header's characters are random in both classes, so the only difference between
// them is the one under test. Welch's t-statistic is computed over all samples and over samples
// cropped at several percentiles (dudect's way of removing interrupt and scheduling outliers).
// |t| above 4.5 is evidence of a difference; dudect's own threshold for "definitely not constant
// time" is 10. A control check times a deliberately early-exit comparison the same way, to show
// the set-up can see a difference of a few nanoseconds.
//
//   kore-webhook-ct-timing [--samples N]     (N per check, default 2000000)
#include <kore/webhook.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

namespace {

namespace kw = kore::webhook;

// A cycle counter where there is one, fenced so that the measured call cannot move around it.
std::uint64_t now() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    _mm_lfence();
    const std::uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
#else
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

// Welch's t-test, accumulated online (Welford).
class welch {
public:
    void add(int which, double x) noexcept {
        auto& g = groups_[static_cast<std::size_t>(which)];
        ++g.n;
        const double delta = x - g.mean;
        g.mean += delta / g.n;
        g.m2 += delta * (x - g.mean);
    }
    [[nodiscard]] double t() const noexcept {
        const auto& a = groups_[0];
        const auto& b = groups_[1];
        if (a.n < 2 || b.n < 2) {
            return 0;
        }
        const double va = a.m2 / (a.n - 1);
        const double vb = b.m2 / (b.n - 1);
        return (a.mean - b.mean) / std::sqrt(va / a.n + vb / b.n);
    }
    [[nodiscard]] double mean(int which) const noexcept { return groups_[static_cast<std::size_t>(which)].mean; }

private:
    struct moments {
        double n = 0;
        double mean = 0;
        double m2 = 0;
    };
    std::array<moments, 2> groups_{};
};

// One sample's inputs, prepared before the clock starts.
struct sample {
    int group = 0;
    std::string body;
    std::string header;
};

struct check {
    const char* name;
    const char* classes;
    // Fills a sample of the given class (a fresh body and its header).
    std::function<void(sample&, std::mt19937_64&)> prepare;
    // The measured operation.
    std::function<bool(const sample&)> run;
};

struct report {
    double max_t = 0;
    const char* crop = "none";
    double mean0 = 0;
    double mean1 = 0;
    std::size_t samples = 0;
};

constexpr std::size_t batch = 20000;
constexpr std::array<double, 6> crop_percentiles = {100, 99, 95, 90, 75, 50};
constexpr std::array<const char*, 6> crop_names = {"none", "p99", "p95", "p90", "p75", "p50"};

report measure(const check& c, std::size_t total, std::mt19937_64& rng) {
    std::vector<sample> samples(batch);
    std::vector<double> times(batch);
    std::array<welch, crop_percentiles.size()> tests{};
    std::array<double, crop_percentiles.size()> thresholds{};
    std::bernoulli_distribution coin(0.5);
    std::size_t done = 0;
    bool calibrated = false;
    volatile bool sink = false;
    while (done < total) {
        for (auto& s : samples) {
            s.group = coin(rng) ? 1 : 0;
            c.prepare(s, rng);
        }
        for (std::size_t i = 0; i < batch; ++i) {
            const std::uint64_t start = now();
            const bool verdict = c.run(samples[i]);
            const std::uint64_t end = now();
            sink = verdict;
            times[i] = static_cast<double>(end - start);
        }
        if (!calibrated) {  // the first batch sets the crop thresholds and is not counted
            std::vector<double> sorted = times;
            std::sort(sorted.begin(), sorted.end());
            for (std::size_t k = 0; k < crop_percentiles.size(); ++k) {
                const auto at = static_cast<std::size_t>(crop_percentiles[k] / 100.0 * static_cast<double>(batch - 1));
                thresholds[k] = k == 0 ? sorted.back() + 1 : sorted[at];
            }
            calibrated = true;
            continue;
        }
        for (std::size_t i = 0; i < batch; ++i) {
            for (std::size_t k = 0; k < tests.size(); ++k) {
                if (k == 0 || times[i] < thresholds[k]) {
                    tests[k].add(samples[i].group, times[i]);
                }
            }
        }
        done += batch;
    }
    static_cast<void>(sink);
    report r;
    r.samples = done;
    r.mean0 = tests[0].mean(0);
    r.mean1 = tests[0].mean(1);
    for (std::size_t k = 0; k < tests.size(); ++k) {
        if (std::fabs(tests[k].t()) > std::fabs(r.max_t)) {
            r.max_t = tests[k].t();
            r.crop = crop_names[k];
        }
    }
    return r;
}

std::string random_form(std::mt19937_64& rng) {
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::string body = "SimSid=HS";
    while (body.size() < 120) {
        body += alphabet[pick(rng)];
    }
    return body;
}

std::string random_hex(std::mt19937_64& rng) {
    kw::kore_sha256::digest_type digest{};
    for (auto& byte : digest) {
        byte = static_cast<unsigned char>(rng());
    }
    return kw::kore_sha256::encode_signature(digest);
}

// Changes the last byte of a hex digest to another random value: 31 leading bytes still match.
std::string differ_in_last_byte(std::string header, std::mt19937_64& rng) {
    kw::kore_sha256::digest_type digest{};
    kw::kore_sha256::decode_signature(header, digest);
    digest[31] = static_cast<unsigned char>(digest[31] ^ (1 + rng() % 255));
    return kw::kore_sha256::encode_signature(digest);
}

// The control: a comparison that stops at the first differing byte, as memcmp may.
bool early_exit_equal(const kw::kore_sha256::digest_type& a, const kw::kore_sha256::digest_type& b) noexcept {
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t total = 2000000;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--samples" && i + 1 < argc) {
            total = std::strtoull(argv[++i], nullptr, 10);
        } else {
            std::fprintf(stderr, "usage: kore-webhook-ct-timing [--samples N]\n");
            return 2;
        }
    }
    // Four secrets of the same length: which one matched is the only difference in check 2 (the
    // length-extension look after a match depends on the matching secret's length, which is
    // argued public in SECURITY.md, and is kept equal here so as to measure the index alone).
    const std::vector<std::string> secrets = {"ct-timing-secret-number-0", "ct-timing-secret-number-1",
                                              "ct-timing-secret-number-2", "ct-timing-secret-number-3"};
    const std::string url = "https://hooks.example/kore";
    const kw::verifier verifier(secrets);

    const std::vector<check> checks = {
        {"mismatch-position", "last byte wrong (31 bytes match) vs random digest",
         [&](sample& s, std::mt19937_64& rng) {
             s.body = random_form(rng);
             s.header =
                 s.group == 0 ? differ_in_last_byte(kw::sign(secrets[3], "POST", url, s.body), rng) : random_hex(rng);
         },
         [&](const sample& s) { return static_cast<bool>(verifier.verify("POST", url, s.body, s.header)); }},
        {"matching-secret-index", "signed by secret 0 vs signed by secret 3",
         [&](sample& s, std::mt19937_64& rng) {
             s.body = random_form(rng);
             s.header = kw::sign(secrets[s.group == 0 ? 0 : 3], "POST", url, s.body);
         },
         [&](const sample& s) { return static_cast<bool>(verifier.verify("POST", url, s.body, s.header)); }},
        {"control: early-exit compare", "the same two classes as mismatch-position",
         [&](sample& s, std::mt19937_64& rng) {
             s.body = random_hex(rng);  // the computed digest
             s.header = s.group == 0 ? differ_in_last_byte(s.body, rng) : random_hex(rng);
         },
         [](const sample& s) {
             kw::kore_sha256::digest_type a{};
             kw::kore_sha256::digest_type b{};
             kw::kore_sha256::decode_signature(s.body, a);
             kw::kore_sha256::decode_signature(s.header, b);
             return early_exit_equal(a, b);
         }},
    };

    std::mt19937_64 rng(20261130);
    std::printf("%-28s %-52s %9s %10s %10s %8s %5s  %s\n", "check", "classes", "samples", "mean0", "mean1", "max|t|",
                "crop", "reading");
    for (const check& c : checks) {
        const report r = measure(c, total, rng);
        const double t = std::fabs(r.max_t);
        const char* reading = t >= 10    ? "difference (|t| >= 10)"
                              : t >= 4.5 ? "possible difference (4.5 <= |t| < 10)"
                                         : "no difference detected (|t| < 4.5)";
        std::printf("%-28s %-52s %9zu %10.1f %10.1f %8.2f %5s  %s\n", c.name, c.classes, r.samples, r.mean0, r.mean1, t,
                    r.crop, reading);
        std::fflush(stdout);
    }
    return 0;
}
