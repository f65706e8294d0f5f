// The instruction-count gate of issue #11: for each row of the table, the instructions one
// verification executes, divided by those of the least any verifier must do, a bare EVP SHA-256
// over the same bytes (algorithm fetched once, context reused). Instruction counts come from
// callgrind, so the gate is deterministic and holds on a noisy machine where timings would not.
//
//   valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=DIR/callgrind.out
//            instruction_gate measure     # one dump per row, side and iteration count
//   instruction_gate report DIR           # prints the table; exit status 1 when a ratio is over
//
// bench/run_instruction_gate.cmake runs both (ctest perf.instructions). Each side of each row is
// measured as a run of N calls minus a run of 0 calls, after warm-up calls that take the one-time
// costs (lazy symbol binding, OpenSSL's first-use initialisation) out of the count.

#include "bodies.hpp"

#include <openssl/evp.h>
#include <valgrind/callgrind.h>
#include <kore/webhook.hpp>

#include <dirent.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace kw = kore::webhook;
using namespace kore_bench;

// Keeps the compiler from discarding a computation whose result nobody reads.
template <class T>
void keep(const T& value) {
    asm volatile("" : : "r"(&value) : "memory");
}

// The reference: SHA-256(secret || METHOD || URL || body) through EVP, fetched once, context reused.
class bare_sha256 {
public:
    bare_sha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
        if (!md_ || !ctx_) {
            std::fprintf(stderr, "instruction_gate: OpenSSL cannot provide SHA-256\n");
            std::exit(2);
        }
    }

    // The body in the pieces a stream would see (one piece for one-shot rows).
    void hash(std::string_view body, std::size_t piece) {
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        bool ok = EVP_DigestInit_ex2(ctx_.get(), md_.get(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx_.get(), secret.data(), secret.size()) == 1 &&
                  EVP_DigestUpdate(ctx_.get(), method.data(), method.size()) == 1 &&
                  EVP_DigestUpdate(ctx_.get(), url.data(), url.size()) == 1;
        for (std::size_t at = 0; at < body.size(); at += piece) {
            const std::string_view chunk = body.substr(at, piece);
            ok = ok && EVP_DigestUpdate(ctx_.get(), chunk.data(), chunk.size()) == 1;
        }
        ok = ok && EVP_DigestFinal_ex(ctx_.get(), out, &length) == 1;
        if (!ok) {
            std::abort();
        }
        keep(out);
    }

private:
    struct md_free {
        void operator()(EVP_MD* md) const { EVP_MD_free(md); }
    };
    struct ctx_free {
        void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
    };
    std::unique_ptr<EVP_MD, md_free> md_;
    std::unique_ptr<EVP_MD_CTX, ctx_free> ctx_;
};

struct row {
    std::string key;    // names the row's dumps: no spaces
    std::string title;  // as in the table
    double target;      // the highest verifier/bare instruction ratio that passes
    int iterations;
    std::function<kw::result()> verifier_call;
    std::function<void()> bare_call;
    bool json_normalized = false;  // the verdict each verifier call must reach
};

struct fixture {
    kw::verifier one{secret};
    // The matching secret second: a rotation's worst case, every secret hashed before the match.
    kw::verifier two{std::vector<std::string>{std::string(next_secret), std::string(secret)}};
    bare_sha256 bare;
    std::string json_1k = json_body(1024, false);
    std::string form_256 = form_body(256);
    std::string form_64k = form_body(65536);
    std::string json_64k = json_body(65536, false);
    std::string pretty_4k = json_body(4096, true);
    std::map<std::string, std::string> signatures;

    const std::string& signature(const std::string& signed_body) {
        auto [it, fresh] = signatures.try_emplace(signed_body);
        if (fresh) {
            it->second = kw::sign(secret, method, url, signed_body);
        }
        return it->second;
    }
};

kw::result verify_once(const kw::verifier& v, std::string_view body, std::string_view signature) {
    return v.verify(method, url, body, signature);
}

kw::result verify_streamed(const kw::verifier& v, std::string_view body, std::size_t piece,
                           std::string_view signature) {
    auto s = v.start(method, url);
    for (std::size_t at = 0; at < body.size(); at += piece) {
        s.update(body.substr(at, piece));
    }
    return s.finish(signature);
}

std::vector<row> make_rows(fixture& f) {
    constexpr std::size_t whole = static_cast<std::size_t>(-1);
    constexpr std::size_t chunk = 4096;
    const std::string& json_1k_sig = f.signature(f.json_1k);
    const std::string& form_256_sig = f.signature(f.form_256);
    const std::string& form_64k_sig = f.signature(f.form_64k);
    const std::string& json_64k_sig = f.signature(f.json_64k);
    const std::string& pretty_4k_sig = f.signature(minified(f.pretty_4k));
    std::vector<row> rows;
    rows.push_back({"oneshot_json_1k", "one-shot, 1 KiB minified JSON body, match", 1.05, 40,
                    [&f, &json_1k_sig] { return verify_once(f.one, f.json_1k, json_1k_sig); },
                    [&f] { f.bare.hash(f.json_1k, whole); }});
    rows.push_back({"oneshot_form_256", "one-shot, 256 B body", 1.15, 40,
                    [&f, &form_256_sig] { return verify_once(f.one, f.form_256, form_256_sig); },
                    [&f] { f.bare.hash(f.form_256, whole); }});
    rows.push_back({"stream_form_64k", "stream, 64 KiB form body, 4 KiB chunks", 1.03, 4,
                    [&f, &form_64k_sig] { return verify_streamed(f.one, f.form_64k, chunk, form_64k_sig); },
                    [&f] { f.bare.hash(f.form_64k, chunk); }});
    rows.push_back({"stream_json_64k", "stream, 64 KiB minified JSON body, 4 KiB chunks", 1.15, 4,
                    [&f, &json_64k_sig] { return verify_streamed(f.one, f.json_64k, chunk, json_64k_sig); },
                    [&f] { f.bare.hash(f.json_64k, chunk); }});
    rows.push_back({"oneshot_pretty_4k", "one-shot, 4 KiB pretty JSON signed minified (fallback)", 2.30, 10,
                    [&f, &pretty_4k_sig] { return verify_once(f.one, f.pretty_4k, pretty_4k_sig); },
                    [&f] { f.bare.hash(f.pretty_4k, whole); }, true});
    rows.push_back({"two_secrets_json_1k", "two secrets, 1 KiB minified JSON, second matches", 2.05, 40,
                    [&f, &json_1k_sig] { return verify_once(f.two, f.json_1k, json_1k_sig); },
                    [&f] { f.bare.hash(f.json_1k, whole); }});
    return rows;
}

std::string dump_name(const row& r, const char* side, int iterations) {
    return "gate " + r.key + " " + side + " " + std::to_string(iterations);
}

void measure_side(const row& r, const char* side, const std::function<void()>& call) {
    for (int i = 0; i < 3; ++i) {
        call();  // warm-up: one-time costs stay out of the count
    }
    // Named strings: the request macro copies the pointer, and a temporary would be gone by the time
    // callgrind reads it.
    const std::string none = dump_name(r, side, 0);
    const std::string some = dump_name(r, side, r.iterations);
    CALLGRIND_ZERO_STATS;
    CALLGRIND_DUMP_STATS_AT(none.c_str());
    for (int i = 0; i < r.iterations; ++i) {
        call();
    }
    CALLGRIND_DUMP_STATS_AT(some.c_str());
}

int measure() {
    if (RUNNING_ON_VALGRIND == 0) {
        std::fprintf(stderr, "instruction_gate: run `measure` under valgrind --tool=callgrind --instr-atstart=no\n");
        return 2;
    }
    fixture f;
    const std::vector<row> rows = make_rows(f);
    for (const row& r : rows) {
        // A gate that timed a refusal would time the wrong path: each call must verify as intended.
        const kw::result verdict = r.verifier_call();
        if (!verdict.verified() || verdict.json_normalized() != r.json_normalized) {
            std::fprintf(stderr, "instruction_gate: %s: the verifier answered %s\n", r.key.c_str(),
                         std::string(verdict.error_name()).c_str());
            return 2;
        }
    }
    CALLGRIND_START_INSTRUMENTATION;
    for (const row& r : rows) {
        measure_side(r, "verifier", [&r] { keep(r.verifier_call()); });
        measure_side(r, "bare", r.bare_call);
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    return 0;
}

// Every dump in `dir`: its trigger ("gate <key> <side> <n>") and its instruction count (the
// "summary" line: every instruction executed, whichever function it was in).
std::map<std::string, std::uint64_t> read_dumps(const std::string& dir) {
    std::map<std::string, std::uint64_t> totals;
    std::unique_ptr<DIR, int (*)(DIR*)> listing(opendir(dir.c_str()), closedir);
    if (!listing) {
        return totals;
    }
    while (const dirent* entry = readdir(listing.get())) {
        const std::string name = entry->d_name;
        if (name.rfind("callgrind.out", 0) != 0) {
            continue;
        }
        std::ifstream in(dir + "/" + name);
        std::string line;
        std::string trigger;
        std::optional<std::uint64_t> total;
        constexpr std::string_view trigger_prefix = "desc: Trigger: Client Request: ";
        while (std::getline(in, line)) {
            if (line.rfind(trigger_prefix, 0) == 0) {
                trigger = line.substr(trigger_prefix.size());
            } else if (line.rfind("summary: ", 0) == 0) {
                total = std::strtoull(line.c_str() + line.find(' ') + 1, nullptr, 10);
            }
        }
        if (trigger.rfind("gate ", 0) == 0 && total) {
            totals[trigger] = *total;
        }
    }
    return totals;
}

int report(const std::string& dir) {
    fixture f;
    const std::vector<row> rows = make_rows(f);
    const auto totals = read_dumps(dir);
    bool all_pass = true;
    std::printf("%-55s %12s %12s %8s %8s\n", "path (instructions per call)", "verifier", "bare SHA-256", "ratio",
                "target");
    for (const row& r : rows) {
        double per_call[2] = {0, 0};
        const char* sides[2] = {"verifier", "bare"};
        bool found = true;
        for (int s = 0; s < 2; ++s) {
            const auto none = totals.find(dump_name(r, sides[s], 0));
            const auto some = totals.find(dump_name(r, sides[s], r.iterations));
            if (none == totals.end() || some == totals.end() || some->second < none->second) {
                found = false;
                continue;
            }
            per_call[s] = static_cast<double>(some->second - none->second) / r.iterations;
        }
        if (!found || per_call[1] <= 0) {
            std::printf("%-55s missing callgrind dumps in %s\n", r.title.c_str(), dir.c_str());
            all_pass = false;
            continue;
        }
        const double ratio = per_call[0] / per_call[1];
        const bool pass = ratio <= r.target;
        all_pass = all_pass && pass;
        std::printf("%-55s %12.0f %12.0f %8.3f %8.2f %s\n", r.title.c_str(), per_call[0], per_call[1], ratio, r.target,
                    pass ? "ok" : "OVER TARGET");
    }
    std::printf("instruction gate: %s\n", all_pass ? "all rows within target" : "FAILED");
    return all_pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 1 && args[0] == "measure") {
        return measure();
    }
    if (args.size() == 2 && args[0] == "report") {
        return report(args[1]);
    }
    std::fprintf(stderr,
                 "usage: instruction_gate measure   (under valgrind --tool=callgrind --instr-atstart=no)\n"
                 "       instruction_gate report DIR\n");
    return 2;
}
