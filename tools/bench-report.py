#!/usr/bin/env python3
"""Runs the benchmarks and writes the performance table and chart that docs/performance.md shows.

One run measures, on the same bodies:
  * bench/verify_bench.cpp (Google Benchmark), each benchmark repeated, the median kept;
  * a typical Python verifier (hashlib.sha256 + hmac.compare_digest), timed with timeit the same way;
  * unless --no-gate, the instruction-count gate (bench/instruction_gate.cpp under callgrind).
It then writes a Markdown report (the tables and the machine they ran on) and an SVG chart of the
cost per call against body size.

    python3 tools/bench-report.py                      # build/gcc, updates docs/performance.md and .svg
    python3 tools/bench-report.py --build build/perf --markdown /tmp/report.md --svg /tmp/chart.svg

The build directory must be a RelWithDebInfo g++ build (tools/run-tests.sh makes build/gcc).
"""

import argparse
import hashlib
import hmac
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import timeit

SIZES = [256, 1024, 4096, 65536, 1048576]
BEGIN = "<!-- bench-report:begin (written by tools/bench-report.py; do not edit by hand) -->"
END = "<!-- bench-report:end -->"

# The paths of the wide table, in order: benchmark name prefix and how the docs call it.
PATHS = [
    ("bare_sha256", "bare SHA-256 (the floor)"),
    ("verify_json", "verify, JSON events (minified)"),
    ("verify_form", "verify, form body"),
    ("verify_binary", "verify, binary body"),
    ("verify_form_mismatch", "verify, wrong signature"),
    ("verify_json_2_secrets", "verify, two secrets (second matches)"),
    ("verify_json_pretty", "verify, pretty JSON signed minified (fallback)"),
    ("stream_json_4k", "stream, JSON events, 4 KiB chunks"),
    ("stream_json_padded_4k", "stream, 0.2's padded JSON body, 4 KiB chunks"),
    ("stream_form_4k", "stream, form body, 4 KiB chunks"),
    ("stream_binary_4k", "stream, binary body, 4 KiB chunks"),
    ("stream_json_pretty_4k", "stream, pretty JSON (fallback), 4 KiB chunks"),
    ("verify_json_replay_fresh", "verify + replay guard, first delivery (memory store)"),
    ("verify_binary_replay_duplicate", "verify + replay guard, a replay (binary body)"),
    ("naive_json", "naive C++ reference (concatenate, EVP_Digest, hex, ==)"),
    ("python_json", "typical Python verifier (hashlib + hmac.compare_digest)"),
    ("twilio_form", "legacy Twilio, form body (HMAC-SHA1, sorted)"),
    ("twilio_json", "legacy Twilio, JSON body (bodySHA256)"),
    ("scan_json_kore", "JSON scan alone: the stream's scanner, no digest"),
    ("scan_json_simdjson_stage1", "JSON scan alone: simdjson stage 1 (no grammar; built with simdjson)"),
    ("scan_json_simdjson_dom", "JSON scan alone: simdjson DOM parse (built with simdjson)"),
]

# The rows of issues #11 and #20 that have a time target: (title, benchmark, highest time ratio that meets it).
ISSUE_ROWS = [
    ("one-shot, 1 KiB JSON events, match", "verify_json/1024", None),
    ("one-shot, 4 KiB JSON events, match", "verify_json/4096", 1.10),
    ("one-shot, 256 B body", "verify_form/256", 1.25),
    ("stream, 64 KiB form body, 4 KiB chunks", "stream_form_4k/65536", 1 / 0.97),
    ("stream, 1 KiB JSON events", "stream_json_4k/1024", 1.15),
    ("stream, 64 KiB JSON events, 4 KiB chunks", "stream_json_4k/65536", 1.15),
    ("one-shot, 4 KiB pretty JSON events signed minified (fallback)", "verify_json_pretty/4096", 2.0),
    ("two secrets, 1 KiB JSON events", "verify_json_2_secrets/1024", 2.05),
]


def python_verify(secret, method, url, body, header):
    """What a Python service usually writes: one concatenation, hashlib, compare_digest."""
    signed_url = url.split("?", 1)[0].split("#", 1)[0]
    digest = hashlib.sha256(secret.encode() + method.encode() + signed_url.encode() + body).hexdigest()
    return hmac.compare_digest(digest, header)


def median_of_timeit(call, repetitions, min_time):
    timer = timeit.Timer(call)
    number, elapsed = timer.autorange()
    number = max(1, int(number * min_time / max(elapsed, 1e-9)))
    return statistics.median(t / number for t in timer.repeat(repeat=repetitions, number=number)) * 1e9


def run_python(bodies_dir, repetitions, min_time):
    with open(os.path.join(bodies_dir, "request.txt"), encoding="ascii") as f:
        secret, method, url = f.read().split("\n")[:3]
    times = {}
    for size in SIZES:
        with open(os.path.join(bodies_dir, f"json-{size}.body"), "rb") as f:
            body = f.read()
        with open(os.path.join(bodies_dir, f"json-{size}.sig"), encoding="ascii") as f:
            header = f.read()
        if not python_verify(secret, method, url, body, header):
            sys.exit(f"bench-report: the Python verifier refuses json-{size}; the bodies and the script disagree")
        times[f"python_json/{size}"] = median_of_timeit(
            lambda: python_verify(secret, method, url, body, header), repetitions, min_time)
    return times


def run_bench(bench, repetitions, min_time, scratch):
    out = os.path.join(scratch, "bench.json")
    subprocess.run([bench, f"--benchmark_repetitions={repetitions}", "--benchmark_report_aggregates_only=true",
                    "--benchmark_enable_random_interleaving=true",
                    f"--benchmark_min_time={min_time}", f"--benchmark_out={out}", "--benchmark_out_format=json"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(out, encoding="utf-8") as f:
        report = json.load(f)
    times = {}
    for b in report["benchmarks"]:
        if b.get("aggregate_name") == "median":
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
            times[b["run_name"]] = b["cpu_time"] * scale
    return times, report["context"]


def run_gate(gate, valgrind, scratch):
    out_dir = os.path.join(scratch, "callgrind")
    os.makedirs(out_dir)
    subprocess.run([valgrind, "--tool=callgrind", "--instr-atstart=no",
                    f"--callgrind-out-file={out_dir}/callgrind.out", gate, "measure"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result = subprocess.run([gate, "report", out_dir], stdout=subprocess.PIPE, text=True)
    return result.stdout


def machine(context):
    model = "unknown CPU"
    flags = set()
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("model name") and model == "unknown CPU":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    extensions = ", ".join(x for x in ("sha_ni", "avx2", "sse2") if x in flags) or "none listed"
    return (f"{model}, {context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz "
            f"(CPU extensions used by OpenSSL or the scanner: {extensions}); {platform.system()} "
            f"{platform.release()}; {context.get('compiler', '?')}; {context.get('openssl', '?')}; "
            f"Python {platform.python_version()}")


def size_name(size):
    return f"{size // 1048576} MiB" if size >= 1048576 else f"{size // 1024} KiB" if size >= 1024 else f"{size} B"


def duration(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def markdown(times, gate_text, context, repetitions, min_time):
    lines = [BEGIN, "",
             f"Measured on: {machine(context)}.",
             f"Median of {repetitions} repetitions of at least {min_time} s each; each cell is the time per call "
             "and its ratio to the bare SHA-256 of the same body size.", ""]
    lines.append("| path | " + " | ".join(size_name(s) for s in SIZES) + " |")
    lines.append("|---|" + "---:|" * len(SIZES))
    for prefix, title in PATHS:
        if not any(f"{prefix}/{size}" in times for size in SIZES):
            continue  # a row the build has no benchmark for (simdjson's, without simdjson)
        cells = []
        for size in SIZES:
            t = times.get(f"{prefix}/{size}")
            base = times.get(f"bare_sha256/{size}")
            if t is None:
                cells.append("n/a")
            elif prefix == "bare_sha256" or not base:
                cells.append(duration(t))
            else:
                cells.append(f"{duration(t)} ({t / base:.2f}x)")
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    lines += ["", "The rows of issues #11 and #20 with a time goal, time ratio to the bare SHA-256 from the table above:", "",
              "| path | time ratio | time target |", "|---|---:|---:|"]
    for title, name, target in ISSUE_ROWS:
        t, base = times.get(name), times.get("bare_sha256/" + name.split("/")[1])
        ratio = f"{t / base:.3f}x" if t and base else "n/a"
        if "stream, 64 KiB form" in title and t and base:
            ratio += f" ({100 * base / t:.1f} % of bare throughput)"
        lines.append(f"| {title} | {ratio} | {'<= %.2fx' % target if target else '(instructions only)'} |")
    if gate_text:
        lines += ["", "Instruction counts (callgrind, `ctest -R perf.instructions`), same build:", "", "```",
                  gate_text.rstrip(), "```"]
    lines += ["", END]
    return "\n".join(lines) + "\n"


def chart(times, context, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams["svg.hashsalt"] = "kore-webhook"  # stable element ids: a rerun diffs only in the numbers
    series = [("bare_sha256", "bare SHA-256 (floor)", "k", "-"),
              ("verify_json", "kore-webhook verify (one-shot)", "tab:blue", "-"),
              ("stream_json_4k", "kore-webhook stream (4 KiB chunks)", "tab:green", "-"),
              ("naive_json", "naive C++ reference", "tab:orange", "--"),
              ("python_json", "typical Python verifier", "tab:red", "--")]
    fig, ax = plt.subplots(figsize=(8, 5))
    for prefix, label, color, style in series:
        points = [(s, times[f"{prefix}/{s}"]) for s in SIZES if f"{prefix}/{s}" in times]
        ax.plot([p[0] for p in points], [p[1] / 1e3 for p in points], style, color=color, marker="o", label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(SIZES)
    ax.set_xticklabels([size_name(s) for s in SIZES])
    ax.set_xlabel("body size (minified JSON events)")
    ax.set_ylabel("time per call (µs, log scale)")
    ax.set_title("Cost of verifying one callback")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    cpu = machine(context).split(",")[0]
    fig.text(0.01, 0.01, f"{cpu}; median of repetitions; tools/bench-report.py", fontsize=7, color="gray")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def replace_between_markers(path, block):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    pattern = re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?"
    if not re.search(pattern, text, flags=re.S):
        sys.exit(f"bench-report: {path} has no {BEGIN} ... {END} block to replace")
    with open(path, "w", encoding="utf-8") as f:
        f.write(re.sub(pattern, lambda _: block, text, count=1, flags=re.S))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(root, "build", "gcc"), help="a RelWithDebInfo g++ build")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per repetition")
    parser.add_argument("--markdown", default=os.path.join(root, "docs", "performance.md"),
                        help="file whose bench-report block is replaced (a new file when it has none)")
    parser.add_argument("--svg", default=os.path.join(root, "docs", "performance.svg"))
    parser.add_argument("--no-gate", action="store_true", help="skip the callgrind instruction counts")
    parser.add_argument("--valgrind", default="valgrind")
    args = parser.parse_args()
    try:
        import matplotlib  # noqa: F401  (checked before minutes of benchmarking, used by chart())
    except ImportError:
        sys.exit("bench-report: matplotlib is missing: apt-get install python3-matplotlib, and run this script "
                 "with Debian's python3 (/usr/bin/python3)")

    bench = os.path.join(args.build, "bench", "kore-webhook-bench")
    gate = os.path.join(args.build, "bench", "kore-webhook-instruction-gate")
    if not os.access(bench, os.X_OK):
        sys.exit(f"bench-report: {bench} is missing: cmake --build {args.build} --target kore-webhook-bench")
    with tempfile.TemporaryDirectory() as scratch:
        bodies = os.path.join(scratch, "bodies")
        os.makedirs(bodies)
        subprocess.run([bench, "--write-bodies", bodies], check=True)
        print("bench-report: running the benchmarks", file=sys.stderr)
        times, context = run_bench(bench, args.repetitions, args.min_time, scratch)
        print("bench-report: timing the Python verifier", file=sys.stderr)
        times.update(run_python(bodies, args.repetitions, args.min_time))
        gate_text = ""
        if not args.no_gate:
            if not os.access(gate, os.X_OK):
                sys.exit(f"bench-report: {gate} is missing (or pass --no-gate)")
            print("bench-report: counting instructions under callgrind", file=sys.stderr)
            gate_text = run_gate(gate, args.valgrind, scratch)
    block = markdown(times, gate_text, context, args.repetitions, args.min_time)
    if os.path.exists(args.markdown) and BEGIN in open(args.markdown, encoding="utf-8").read():
        replace_between_markers(args.markdown, block)
    else:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(block)
    chart(times, context, args.svg)
    print(block)
    print(f"bench-report: wrote {args.markdown} and {args.svg}", file=sys.stderr)


if __name__ == "__main__":
    main()
