// What verification costs next to the least any verifier must do, one SHA-256 over the signed
// string (bare_sha256: algorithm fetched once, context reused), and next to what users write
// without the library (naive: concatenation, one-shot digest, hex string, ==). Each time is also
// printed as a ratio to bare_sha256 for the same body size, measured in the same run.
//
//   kore-webhook-bench                       the console table and the ratios
//   kore-webhook-bench --write-bodies DIR    writes every body and its signature instead, so that
//                                            tools/bench-report.py can time a Python verifier on
//                                            the same bytes
//
// Benchmarks are named <path>/<body bytes>; tools/bench-report.py relies on that.

#include "bodies.hpp"
#include "json_scan.hpp"

#include <benchmark/benchmark.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <kore/webhook.hpp>
#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/replay_guard_memory.hpp>
#include <kore/webhook/twilio.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace kw = kore::webhook;
using namespace kore_bench;

constexpr std::size_t stream_chunk = 4096;
const std::vector<std::size_t> sizes = {256, 1024, 4096, 65536, 1048576};

// A user's verifier written without the library, as such code is usually written.
bool naive_verify(const std::string& secret_text, const std::string& method_text, const std::string& url_text,
                  const std::string& body, const std::string& header) {
    const std::string signed_part = url_text.substr(0, url_text.find_first_of("?#"));
    const std::string input = secret_text + method_text + signed_part + body;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        return false;
    }
    std::string hex;
    char byte[3];
    for (unsigned int i = 0; i < length; ++i) {
        std::snprintf(byte, sizeof byte, "%02x", digest[i]);
        hex += byte;
    }
    return hex == header;
}

struct md_free {
    void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
struct ctx_free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

void bare_sha256(benchmark::State& state, const std::string& body) {
    const std::unique_ptr<EVP_MD, md_free> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    const std::unique_ptr<EVP_MD_CTX, ctx_free> ctx(EVP_MD_CTX_new());
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    for (auto _ : state) {
        EVP_DigestInit_ex2(ctx.get(), md.get(), nullptr);
        EVP_DigestUpdate(ctx.get(), secret.data(), secret.size());
        EVP_DigestUpdate(ctx.get(), method.data(), method.size());
        EVP_DigestUpdate(ctx.get(), url.data(), url.size());
        EVP_DigestUpdate(ctx.get(), body.data(), body.size());
        EVP_DigestFinal_ex(ctx.get(), out, &length);
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
    }
}

// Runs `call` once to check its verdict, then times it.
void timed(benchmark::State& state, const std::function<bool()>& call) {
    if (!call()) {
        state.SkipWithError("the verdict is not the one this benchmark is meant to time");
        return;
    }
    for (auto _ : state) {
        benchmark::DoNotOptimize(call());
    }
}

kw::result streamed(const kw::verifier& v, std::string_view body, std::string_view signature) {
    auto s = v.start(method, url);
    for (std::size_t at = 0; at < body.size(); at += stream_chunk) {
        s.update(body.substr(at, stream_chunk));
    }
    return s.finish(signature);
}

// Collects every run, then prints each time as a ratio to "bare_sha256/<size>" of the same size.
class ratio_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            if (run.run_type == Run::RT_Iteration && !run.error_occurred) {
                times_.emplace_back(run.benchmark_name(), run.GetAdjustedCPUTime());
            }
        }
    }
    void Finalize() override {
        ConsoleReporter::Finalize();
        std::map<std::string, double> baseline;
        for (const auto& [name, time] : times_) {
            if (name.rfind("bare_sha256/", 0) == 0) {
                baseline[name.substr(name.find('/'))] = time;
            }
        }
        std::printf("\n%-40s %14s  %s\n", "benchmark", "ns", "ratio to baseline (one SHA-256)");
        for (const auto& [name, time] : times_) {
            const auto it = baseline.find(name.substr(name.find('/')));
            if (it != baseline.end() && it->second > 0) {
                std::printf("%-40s %14.0f  %.3f\n", name.c_str(), time, time / it->second);
            }
        }
    }

private:
    std::vector<std::pair<std::string, double>> times_;
};

// Everything a benchmark refers to, kept alive until the run ends.
struct corpus {
    std::deque<std::string> texts;
    const std::string& keep(std::string text) { return texts.emplace_back(std::move(text)); }
};

struct body_set {
    std::size_t size;
    const std::string* form;
    const std::string* json;    // Event Streams-style events, minified (bodies.hpp)
    const std::string* padded;  // 0.2's JSON body: a few events and one long padding string
    const std::string* pretty;
    const std::string* binary;
    const std::string* form_sig;
    const std::string* json_sig;
    const std::string* padded_sig;
    const std::string* pretty_sig;  // over the minified pretty body: the JSON fallback's path
    const std::string* binary_sig;
};

body_set make_bodies(corpus& c, std::size_t size) {
    body_set b{size,
               &c.keep(form_body(size)),
               &c.keep(events_body(size)),
               &c.keep(json_body(size, false)),
               &c.keep(pretty_events_body(size)),
               &c.keep(binary_body(size)),
               nullptr,
               nullptr,
               nullptr,
               nullptr,
               nullptr};
    b.form_sig = &c.keep(kw::sign(secret, method, url, *b.form));
    b.json_sig = &c.keep(kw::sign(secret, method, url, *b.json));
    b.padded_sig = &c.keep(kw::sign(secret, method, url, *b.padded));
    b.pretty_sig = &c.keep(kw::sign(secret, method, url, minified(*b.pretty)));
    b.binary_sig = &c.keep(kw::sign(secret, method, url, *b.binary));
    return b;
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    const std::unique_ptr<EVP_MD, md_free> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    if (!md || EVP_Digest(bytes.data(), bytes.size(), digest, &length, md.get(), nullptr) != 1) {
        std::abort();
    }
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += "0123456789abcdef"[digest[i] >> 4];
        hex += "0123456789abcdef"[digest[i] & 15];
    }
    return hex;
}

// Bodies and signatures as files (<kind>-<size>.body, <kind>-<size>.sig) for other languages' verifiers.
int write_bodies(const std::string& dir) {
    corpus c;
    for (const std::size_t size : sizes) {
        const body_set b = make_bodies(c, size);
        const std::pair<const char*, std::pair<const std::string*, const std::string*>> files[] = {
            {"form", {b.form, b.form_sig}},
            {"json", {b.json, b.json_sig}},
            {"pretty", {b.pretty, b.pretty_sig}},
            {"binary", {b.binary, b.binary_sig}}};
        for (const auto& [kind, texts] : files) {
            const std::string stem = dir + "/" + kind + "-" + std::to_string(size);
            std::ofstream(stem + ".body", std::ios::binary) << *texts.first;
            std::ofstream(stem + ".sig", std::ios::binary) << *texts.second;
        }
    }
    std::ofstream(dir + "/request.txt", std::ios::binary) << secret << '\n'
                                                          << method << '\n'
                                                          << url << '\n'
                                                          << next_secret << '\n';
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string_view(argv[1]) == "--write-bodies") {
        return write_bodies(argv[2]);
    }
    benchmark::Initialize(&argc, argv);
    benchmark::AddCustomContext("compiler", __VERSION__);
    benchmark::AddCustomContext("openssl", OpenSSL_version(OPENSSL_VERSION));

    static const kw::verifier one(secret);
    // The matching secret second: every secret is hashed, and the match is the last one tried.
    static const kw::verifier two(std::vector<std::string>{std::string(next_secret), std::string(secret)});
    static const kw::twilio::verifier twilio_verifier(secret);
    static kw::memory_replay_store replay_store;
    static kw::replay_guard guard(replay_store);
    static corpus c;
    const std::string bad_sig(64, '0');

    for (const std::size_t size : sizes) {
        const body_set b = make_bodies(c, size);
        const std::string tag = "/" + std::to_string(size);
        const auto add = [&](const std::string& path, std::function<bool()> call) {
            benchmark::RegisterBenchmark((path + tag).c_str(), timed, std::move(call));
        };
        const std::string* wrong = &c.keep(bad_sig);

        // The lambdas capture pointers into the corpus, which outlives the run.
        benchmark::RegisterBenchmark(("bare_sha256" + tag).c_str(), bare_sha256, std::cref(*b.form));
        add("verify_json", [b] { return one.verify(method, url, *b.json, *b.json_sig).verified(); });
        add("verify_form", [b] { return one.verify(method, url, *b.form, *b.form_sig).verified(); });
        add("verify_binary", [b] { return one.verify(method, url, *b.binary, *b.binary_sig).verified(); });
        add("verify_form_mismatch",
            [b, wrong] { return one.verify(method, url, *b.form, *wrong).error() == kw::errc::signature_mismatch; });
        add("verify_json_pretty", [b] { return one.verify(method, url, *b.pretty, *b.pretty_sig).json_normalized(); });
        add("verify_json_2_secrets", [b] { return two.verify(method, url, *b.json, *b.json_sig).secret_index() == 1; });
        add("stream_json_4k", [b] { return streamed(one, *b.json, *b.json_sig).verified(); });
        add("stream_json_padded_4k", [b] { return streamed(one, *b.padded, *b.padded_sig).verified(); });
        add("stream_form_4k", [b] { return streamed(one, *b.form, *b.form_sig).verified(); });
        add("stream_binary_4k", [b] { return streamed(one, *b.binary, *b.binary_sig).verified(); });
        add("stream_json_pretty_4k", [b] { return streamed(one, *b.pretty, *b.pretty_sig).json_normalized(); });
        add("naive_json", [b] {
            static const std::string secret_text(secret);
            static const std::string method_text(method);
            static const std::string url_text(url);
            return naive_verify(secret_text, method_text, url_text, *b.json, *b.json_sig);
        });
        // With the replay guard (in-memory store) after verification: a first delivery, claimed
        // and released so the next iteration is first again, and a replay of a committed one
        // (another body, so that the two do not share a digest).
        add("verify_json_replay_fresh", [b] {
            const kw::result r = one.verify(method, url, *b.json, *b.json_sig);
            kw::replay_claim ticket = guard.claim(method, r);
            const bool fresh = ticket.should_process();
            return fresh && !ticket.release();
        });
        {
            const kw::result r = one.verify(method, url, *b.binary, *b.binary_sig);
            kw::replay_claim first = guard.claim(method, r);
            static_cast<void>(first.commit());
        }
        add("verify_binary_replay_duplicate", [b] {
            const kw::result r = one.verify(method, url, *b.binary, *b.binary_sig);
            return guard.claim(method, r).status() == kw::replay_status::duplicate;
        });
        // The JSON scan alone, no digest: the stream's scanner and, when built with simdjson, its
        // first pass and its whole parse of the same body (json_scan.hpp).
        add("scan_json_kore", [b] { return kore_scan(*b.json); });
#if KORE_WEBHOOK_BENCH_SIMDJSON
        static std::deque<simdjson::padded_string> padded;
        static simdjson::ondemand::parser ondemand;
        static simdjson::dom::parser dom;
        const simdjson::padded_string* json = &padded.emplace_back(*b.json);
        add("scan_json_simdjson_stage1", [json] { return simdjson_stage1(ondemand, *json); });
        add("scan_json_simdjson_dom", [json] { return simdjson_parse(dom, *json); });
#endif
        // The legacy scheme, for scale: HMAC-SHA1 over the sorted form, and SHA-256 of a JSON body
        // carried in the URL. Its ratio is to the KORE baseline of the same size.
        std::vector<kw::twilio::parameter> params;
        kw::twilio::detail::parse_form(*b.form, params);
        const std::string* twilio_form_sig = &c.keep(kw::twilio::sign(secret, url, params));
        add("twilio_form",
            [b, twilio_form_sig] { return twilio_verifier.verify_form(url, *b.form, *twilio_form_sig).verified(); });
        const std::string* json_url = &c.keep(std::string(url) + "?bodySHA256=" + sha256_hex(*b.json));
        const std::string* twilio_json_sig = &c.keep(kw::twilio::sign(secret, *json_url, {}));
        add("twilio_json", [b, json_url, twilio_json_sig] {
            return twilio_verifier.verify_json(*json_url, *b.json, *twilio_json_sig).verified();
        });
    }
    ratio_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
