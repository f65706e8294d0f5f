#!/usr/bin/env python3
"""The documentation's code, checked: every ```cpp block of README.md and docs/*.md compiles, and
every ```sh block of docs/*.md runs, unless a marker on the line before the block says why not.

  check_snippets.py cpp --source DIR --compiler CXX [--known FILE] -- <compiler flags>
  check_snippets.py sh  --source DIR --build DIR    [--known FILE]

Markers (an HTML comment on the line right before the fence, invisible on the rendered page):

  <!-- snippet: wrap NAME -->     C++: compiled inside tests/docs/preambles/NAME.cpp, in place of
                                  its `// SNIPPET` line (the names the fragment uses, declared)
  <!-- snippet: synopsis -->      C++: declarations of the API as a reader sees them; not compiled
  <!-- snippet: fragment -->      C++: intentionally incomplete; not compiled
  <!-- needs: network -->         sh: not run (downloads, pushes, package managers)
  <!-- needs: NAME -->            sh: not run, for another reason NAME (root, long: minutes of
                                  building or measuring, a tool CI does not install)

An unmarked C++ block is compiled on its own as a translation unit (-fsyntax-only). An unmarked
sh block runs with bash -e in a scratch directory, with the build's kore-webhook on PATH and
`build/...` paths pointing at the build tree; a line `$ command` is run and the lines after it,
up to the next `$ ` line, are its expected output.

--known lists blocks (FILE#cppN / FILE#shN, the Nth block of its kind in FILE) known to fail,
each with the reason; they are reported but do not fail the test. A listed C++ block is still
compiled, and reported when it passes so that it can be dropped from the list; a listed sh block
is not run at all (it may build, install or reach the network).

Shell blocks run in a copy of the source tree, each in a session of its own that is killed when
the block ends (servers it started with `&` included) or after 120 s.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

MARKER = re.compile(r"^<!--\s*(snippet|needs):\s*(.*?)\s*-->\s*$")


def blocks(path, language):
    """(index, line, marker kind, marker value, text) of every ```language block of the file."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    count = 0
    while i < len(lines):
        if lines[i].strip() == "```" + language:
            start = i
            j = i + 1
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            count += 1
            previous = lines[start - 1] if start > 0 else ""
            m = MARKER.match(previous.strip())
            kind, value = (m.group(1), m.group(2)) if m else (None, None)
            out.append((count, start + 1, kind, value, "\n".join(lines[start + 1:j]) + "\n"))
            i = j + 1
        else:
            i += 1
    return out


def doc_files(source, with_readme):
    files = ["README.md"] if with_readme else []
    files += sorted(os.path.join("docs", f) for f in os.listdir(os.path.join(source, "docs")) if f.endswith(".md"))
    return files


def read_known(path):
    known = {}
    if path and os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, reason = line.partition(" ")
                known[key] = reason.strip()
    return known


def check_cpp(args, flags):
    known = read_known(args.known)
    preambles = os.path.join(os.path.dirname(os.path.abspath(__file__)), "preambles")
    work = tempfile.mkdtemp(prefix="kore-doc-cpp-")
    compiled = skipped = 0
    failures = []
    known_failed = []
    for doc in doc_files(args.source, True):
        for index, line, kind, value, text in blocks(os.path.join(args.source, doc), "cpp"):
            key = "%s#cpp%d" % (doc, index)
            where = "%s:%d (%s)" % (doc, line, key)
            if kind == "snippet" and value in ("synopsis", "fragment"):
                skipped += 1
                continue
            program = text
            if kind == "snippet" and value.startswith("wrap "):
                preamble_path = os.path.join(preambles, value[5:].strip() + ".cpp")
                if not os.path.exists(preamble_path):
                    failures.append("%s: no preamble %s" % (where, preamble_path))
                    continue
                preamble = open(preamble_path, encoding="utf-8").read()
                if "// SNIPPET\n" not in preamble:
                    failures.append("%s: %s has no `// SNIPPET` line" % (where, preamble_path))
                    continue
                program = preamble.replace("// SNIPPET\n", '#line %d "%s"\n%s' % (line + 1, doc, text))
            elif kind is not None:
                failures.append("%s: unknown marker <!-- %s: %s -->" % (where, kind, value))
                continue
            else:
                program = '#line %d "%s"\n%s' % (line + 1, doc, text)
            source = os.path.join(work, key.replace("/", "_").replace("#", "_") + ".cpp")
            with open(source, "w", encoding="utf-8") as f:
                f.write(program)
            run = subprocess.run([args.compiler, "-fsyntax-only", source] + flags, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, universal_newlines=True)
            ok = run.returncode == 0
            if key in known:
                if ok:
                    print("KNOWN FAILURE NOW COMPILES: %s (drop it from %s)" % (where, args.known))
                else:
                    known_failed.append("%s: %s" % (where, known[key]))
                compiled += ok
                continue
            if ok:
                compiled += 1
            else:
                failures.append("%s does not compile:\n%s" % (where, "\n".join(run.stdout.splitlines()[:12])))
    shutil.rmtree(work, ignore_errors=True)
    for k in known_failed:
        print("known failure (listed in %s): %s" % (os.path.basename(args.known), k))
    for f in failures:
        print("FAIL " + f)
    print("C++ snippets: %d compiled, %d marked synopsis/fragment, %d known failures, %d failed" %
          (compiled, skipped, len(known_failed), len(failures)))
    return 1 if failures else 0


def sh_commands(text):
    """(command, expected output or None) pairs: `$ ` lines with their output, or the whole block."""
    lines = text.rstrip("\n").split("\n")
    if not any(l.startswith("$ ") for l in lines):
        return [(text, None)]
    out = []
    for l in lines:
        if l.startswith("$ "):
            out.append([l[2:], []])
        elif out:
            out[-1][1].append(l)
    return [(c, "\n".join(e)) for c, e in out]


def run_block(command, cwd, env, timeout):
    """Runs one command with bash -e in its own session; whatever it left running (a server
    started with `&`) is killed with the session. (exit status or None on timeout, output)."""
    process = subprocess.Popen(["bash", "-e", "-o", "pipefail", "-c", command], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
        status = process.returncode
    except subprocess.TimeoutExpired:
        status = None
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if status is None:
        output, _ = process.communicate()
    return status, output


def scratch_tree(source, build):
    """A copy of the source tree (the commands cannot change the checkout), whose build/ holds
    the build tree's programs (examples/, tools/, tests/) but not its CMake cache, so that a
    command cannot reconfigure or rebuild the tree the test runs from."""
    work = tempfile.mkdtemp(prefix="kore-doc-sh-")
    for entry in os.listdir(source):
        if entry in ("build", ".git") or entry.startswith("."):
            continue
        path = os.path.join(source, entry)
        if os.path.isdir(path):
            shutil.copytree(path, os.path.join(work, entry), symlinks=True)
        else:
            shutil.copy2(path, os.path.join(work, entry))
    os.mkdir(os.path.join(work, "build"))
    for entry in ("examples", "tools", "tests"):
        if os.path.isdir(os.path.join(build, entry)):
            os.symlink(os.path.join(build, entry), os.path.join(work, "build", entry))
    return work


def check_sh(args):
    known = read_known(args.known)
    build = os.path.abspath(args.build)
    ran = skipped = 0
    failures = []
    not_run = []
    env = dict(os.environ)
    env["PATH"] = os.path.join(build, "tools", "kore-webhook") + os.pathsep + env.get("PATH", "")
    for doc in doc_files(args.source, False):
        for index, line, kind, value, text in blocks(os.path.join(args.source, doc), "sh"):
            key = "%s#sh%d" % (doc, index)
            where = "%s:%d (%s)" % (doc, line, key)
            if kind == "needs":
                skipped += 1
                continue
            if key in known:  # never run: it may build, install or reach the network
                not_run.append("%s: %s" % (where, known[key]))
                continue
            problem = None
            work = scratch_tree(os.path.abspath(args.source), build)
            for command, expected in sh_commands(text):
                status, output = run_block(command, work, env, 120)
                if status is None:
                    problem = "`%s` did not end within 120 s" % command.strip()
                elif status != 0:
                    problem = "`%s` exited %d:\n%s" % (command.strip(), status, output[-1500:])
                elif expected is not None and output.rstrip("\n") != expected.rstrip("\n"):
                    problem = "`%s` printed:\n%s\nthe page says:\n%s" % (command.strip(), output, expected)
                if problem:
                    break
            shutil.rmtree(work, ignore_errors=True)
            if problem is None:
                ran += 1
            else:
                failures.append("%s: %s" % (where, problem))
    for k in not_run:
        print("known failure, not run (listed in %s): %s" % (os.path.basename(args.known), k))
    for f in failures:
        print("FAIL " + f)
    print("shell snippets: %d ran, %d marked needs:, %d known failures, %d failed" %
          (ran, skipped, len(not_run), len(failures)))
    return 1 if failures else 0


def main():
    argv = sys.argv[1:]
    flags = []
    if "--" in argv:
        flags = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("cpp", "sh"))
    parser.add_argument("--source", required=True)
    parser.add_argument("--compiler")
    parser.add_argument("--build")
    parser.add_argument("--known")
    args = parser.parse_args(argv)
    if args.mode == "cpp":
        if not args.compiler:
            parser.error("cpp: --compiler is required")
        return check_cpp(args, flags)
    if not args.build:
        parser.error("sh: --build is required")
    return check_sh(args)


if __name__ == "__main__":
    sys.exit(main())
