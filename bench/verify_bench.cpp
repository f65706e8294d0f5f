// What verification costs next to the least any verifier must do: one SHA-256 over the signed
// string with an already fetched algorithm. Each benchmark's time is printed as a ratio to the
// baseline for the same body size, measured in the same run.

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <kore/webhook.hpp>

#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace kw = kore::webhook;

constexpr std::string_view secret = "f4d430d03cff6f03e1";
constexpr std::string_view next_secret = "0a1b2c3d4e5f6a7b8c";
constexpr std::string_view url = "https://example.com/kore/callbacks";

std::string form_body(std::size_t size) {
    std::string body;
    std::mt19937 random(7);
    while (body.size() < size) {
        body += "field" + std::to_string(random() % 100) + "=value" + std::to_string(random()) + "&";
    }
    body.resize(size);
    return body;
}

// An Event Streams-like JSON array; `pretty` spreads it over lines as a framework might.
std::string json_body(std::size_t size, bool pretty) {
    const std::string nl = pretty ? "\n  " : "";
    const std::string sp = pretty ? " " : "";
    std::string body = "[";
    for (int i = 0; body.size() < size; ++i) {
        body += (i ? "," : "") + nl + "{" + "\"id\":" + sp + "\"" + std::to_string(i) + "\"," + sp + "\"type\":" + sp +
                "\"com.kore.eventstreams.test.event\"," + sp + "\"data\":" + sp + "{\"test_id\":" + sp +
                "\"88bf54a9-f2fb-40b6-8faf-e6c5a3c348d2\"}}";
    }
    return body + nl + "]";
}

void baseline_sha256(benchmark::State& state, const std::string& body) {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    for (auto _ : state) {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        EVP_DigestInit_ex2(ctx, md, nullptr);
        EVP_DigestUpdate(ctx, secret.data(), secret.size());
        EVP_DigestUpdate(ctx, "POST", 4);
        EVP_DigestUpdate(ctx, url.data(), url.size());
        EVP_DigestUpdate(ctx, body.data(), body.size());
        EVP_DigestFinal_ex(ctx, out, &length);
        EVP_MD_CTX_free(ctx);
        benchmark::DoNotOptimize(out);
    }
    EVP_MD_free(md);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
}

void verify(benchmark::State& state, const kw::verifier& v, const std::string& body, const std::string& signature) {
    for (auto _ : state) {
        auto r = v.verify("POST", url, body, std::optional<std::string_view>(signature));
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
}

void stream(benchmark::State& state, const kw::verifier& v, const std::string& body, const std::string& signature,
            std::size_t chunk) {
    for (auto _ : state) {
        auto s = v.start("POST", url);
        for (std::size_t at = 0; at < body.size(); at += chunk) {
            s.update(std::string_view(body).substr(at, chunk));
        }
        auto r = s.finish(std::optional<std::string_view>(signature));
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
}

// Collects every run, then prints each time as a ratio to "baseline/<size>" of the same size.
class ratio_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            times_.emplace_back(run.benchmark_name(), run.GetAdjustedRealTime());
        }
    }
    void Finalize() override {
        ConsoleReporter::Finalize();
        std::map<std::string, double> baseline;
        for (const auto& [name, time] : times_) {
            if (name.rfind("baseline/", 0) == 0) {
                baseline[name.substr(name.find('/'))] = time;
            }
        }
        std::printf("\n%-40s %14s  %s\n", "benchmark", "ns", "ratio to baseline (one SHA-256)");
        for (const auto& [name, time] : times_) {
            const auto size = name.substr(name.find('/'));
            const auto it = baseline.find(size);
            if (it != baseline.end() && it->second > 0) {
                std::printf("%-40s %14.0f  %.2f\n", name.c_str(), time, time / it->second);
            }
        }
    }

private:
    std::vector<std::pair<std::string, double>> times_;
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    static const kw::verifier one(secret);
    static const kw::verifier two(std::vector<std::string>{std::string(next_secret), std::string(secret)});
    static std::vector<std::string> bodies;  // the benchmarks refer to these until the run ends
    bodies.reserve(64);

    for (const std::size_t size : {std::size_t{256}, std::size_t{4096}, std::size_t{65536}}) {
        const std::string tag = "/" + std::to_string(size);
        const std::string& form = bodies.emplace_back(form_body(size));
        const std::string& compact = bodies.emplace_back(json_body(size, false));
        const std::string& pretty = bodies.emplace_back(json_body(size, true));
        const std::string& form_sig = bodies.emplace_back(kw::sign(secret, "POST", url, form));
        const std::string& json_sig = bodies.emplace_back(kw::sign(secret, "POST", url, compact));
        // A pretty body signed over its minified form: the JSON fallback's path.
        const std::string& pretty_sig = bodies.emplace_back(kw::sign(secret, "POST", url, [&] {
            std::string minified;
            bool in_string = false;
            for (std::size_t i = 0; i < pretty.size(); ++i) {
                const char c = pretty[i];
                if (c == '"' && (i == 0 || pretty[i - 1] != '\\'))
                    in_string = !in_string;
                if (in_string || (c != ' ' && c != '\n'))
                    minified += c;
            }
            return minified;
        }()));
        const std::string& bad_sig = bodies.emplace_back(std::string(64, '0'));

        benchmark::RegisterBenchmark(("baseline" + tag).c_str(), baseline_sha256, form);
        benchmark::RegisterBenchmark(("verify_form" + tag).c_str(), verify, std::cref(one), form, form_sig);
        benchmark::RegisterBenchmark(("verify_form_mismatch" + tag).c_str(), verify, std::cref(one), form, bad_sig);
        benchmark::RegisterBenchmark(("verify_form_2_secrets" + tag).c_str(), verify, std::cref(two), form, form_sig);
        benchmark::RegisterBenchmark(("verify_json_minified" + tag).c_str(), verify, std::cref(one), compact, json_sig);
        benchmark::RegisterBenchmark(("verify_json_pretty" + tag).c_str(), verify, std::cref(one), pretty, pretty_sig);
        benchmark::RegisterBenchmark(("stream_form_1k_chunks" + tag).c_str(), stream, std::cref(one), form, form_sig,
                                     std::size_t{1024});
        benchmark::RegisterBenchmark(("stream_json_minified_1k" + tag).c_str(), stream, std::cref(one), compact,
                                     json_sig, std::size_t{1024});
        benchmark::RegisterBenchmark(("stream_json_pretty_1k" + tag).c_str(), stream, std::cref(one), pretty,
                                     pretty_sig, std::size_t{1024});
    }
    ratio_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
