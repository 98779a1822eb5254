#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The measured figures of README.md and docs/, made by running what the user runs.

numbers.py [--keep DIR] [PART...] runs each PART's measurement and writes
its figures between the part's markers, in whichever of README.md and
docs/*.md holds them (each part is in exactly one place):

    <!-- numbers:PART begin: made by scripts/numbers.py PART; do not edit -->
    ...
    <!-- numbers:PART end -->

PART is one of:

  quickstart  vmtest/vmtest.sh -k 6.19.14, the whole suite as `make vmtest`
              runs it, and -k 6.18.15 (no kfunc): their output, abridged
  failure     a real failure: vmtest/vmtest.sh -k 6.19.14 -X none on one
              subtest of a known deviation (R-CLONE-2), its output
  bench       vmtest/bench.sh on 6.19.14 (whole suite, with --cold; the
              first two tests), the whole suite on 7.3.4, the tests alone
              with -j 1 against vmtest's -j 2
  matrix      vmtest/matrix.sh over its default kernels, two at a time
  bisect      the vmtest/bisect.sh example of docs/, its output as printed
  toolchains  scripts/toolchains.sh: every Debian toolchain, both kernels
  check       .ci/run (make check) in a fresh clone with an empty cache
  model_seq   model_seq on 6.19.14 and 7.3.4: the default run, and 60 s of
              random sequences (-s 1): operations checked per second
  history     vmtest/history.sh over the whole Debian series (--for 6.19.14):
              its transitions, the timeline's rules that are not all OK
  bench_kfunc bench/kfunc-bench.sh on 6.19.14 and 7.3.4 (full mode): the
              ratios per kernel and 7.3.4's tables
  flavours    vmtest/matrix.sh over cloud-amd64, amd64 and rt-amd64 on 6.19.14
              and 7.3.4: the rows where the flavours differ
  config_kernel
              vmtest/config-kernel.sh: Debian's linux-source-7.3 built from
              defconfig + config, the whole suite on it and on Debian's cloud
              kernel of that version, compared row by row
  coverage    vmtest/coverage.sh: the GCOV kernel built from config, the
              whole suite on it, lines and branches per function
  mutants     vmtest/mutants.sh on the kernel tree $MUTANTS_SRC (default:
              vmtest/kernel-source.sh's): every planted bug, killed or not;
              with --only MUTANT..., only those (29, 29-name or a path),
              their rows merged into the table under a "Rows N measured
              by" line of their own (the other rows keep theirs), and
              --mutant-args='-t THEME' runs only part of the suite on each
  upstream    vmtest/upstream.sh: the kernel's own file-dynptr tests with its
              own test_progs on 6.19.14, 7.0.13 and 7.3.4 beside the whole
              suite, side by side by rule, and its fault subtest 100 times
              a kernel (flake): how often the read range stayed resident
  stress      vmtest.sh --stress: --stress-runs whole-suite runs under
              stress-ng per x86_64 kernel (6.19.14, 7.3.4) and
              --stress-arm64-runs on arm64-16k 7.3.4, each compared with a
              quiet run, and --stress-reps repetitions of the page-cache
              tests on 6.19.14; the runs of a kernel go in one boot (the
              runner's -r), compared run by run

Default: quickstart failure bench matrix bisect toolchains check model_seq history bench_kfunc flavours (about 45 minutes on 2 cores;
toolchains and check need root); config_kernel and coverage (30 minutes
for the first build, then 3), mutants (about 45 minutes) and stress (hours: see
docs/stress.md) only when named. The figures say when and where they were
measured. Nothing is asserted: a measurement that fails to run leaves its
part as it was and the exit code 1.

numbers.py --check verifies that the parts in README.md and docs/ are well
formed (each begins with its "Measured by" line, each is a part, none is
there twice) and changes nothing.
"""
import argparse
import datetime
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(TOP, "vmtest"))
sys.path.insert(0, os.path.join(TOP, "bench"))
import bench_kfunc  # noqa: E402
import report  # noqa: E402
from results import Run  # noqa: E402

README = os.path.join(TOP, "README.md")
PARTS = ("quickstart", "failure", "bench", "matrix", "bisect", "toolchains", "check", "model_seq", "history",
         "bench_kfunc", "flavours", "config_kernel", "coverage", "mutants")
DEFAULT_PARTS = PARTS[:11]
PARTS += ("stress", "upstream")
BEGIN = "<!-- numbers:{} begin: made by scripts/numbers.py {}; do not edit -->"
END = "<!-- numbers:{} end -->"
REGION_RE = re.compile(r"<!-- numbers:(\w+) begin: [^>]*-->\n(.*?)<!-- numbers:(\w+) end -->\n",
                       re.S)
BISECT_ARGS = ["--find-fix", "--bad", "6.19.6", "--good", "7.3.4",
               "-t", "verifier_file_dynptr/put_file"]


FAILURE_UNIT = "clone/nonsleepable_adjust_clone"
FAILURE_RULE = "R-CLONE-2"


def doc_files():
    """README.md, then docs/*.md: every file that may hold a part."""
    return [README] + sorted(glob.glob(os.path.join(TOP, "docs", "*.md")))


class Failed(Exception):
    pass


def say(msg):
    print(f"numbers: {msg}", file=sys.stderr, flush=True)


def run(cmd, log, env=None, cwd=TOP, ok=(0,)):
    """Runs cmd with its output in log; its wall time in seconds."""
    say("$ " + " ".join(cmd))
    start = time.monotonic()
    with open(log, "w") as f:
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=cwd,
                             env=dict(os.environ, **(env or {})), stdin=subprocess.DEVNULL)
    secs = time.monotonic() - start
    if rc not in ok:
        with open(log, errors="replace") as f:
            tail = "".join(f.readlines()[-5:])
        raise Failed(f"{cmd[0]} exited {rc} after {secs:.0f} s (log {log}):\n{tail}")
    return secs


def accel():
    """What vmtest's guests ran under: its KVM probe's answer, kept in its
    accel cache (vmtest/boot.sh probe_kvm), not whether /dev/kvm opens: a
    machine may open it and still fail to boot a guest with it."""
    if not os.access("/dev/kvm", os.W_OK):
        return "TCG (no usable /dev/kvm)"
    cache = os.environ.get("VMTEST_ACCEL_CACHE") or os.path.join(
        os.environ.get("VMTEST_CACHE") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
            "bpf-dynptr-file-suite"), "accel")
    try:
        answers = [open(os.path.join(cache, f)).read() for f in os.listdir(cache)]
    except OSError:
        answers = []
    if any(a.startswith("tcg") for a in answers):
        return "TCG (/dev/kvm opens, but vmtest's KVM probe boot failed)"
    return "KVM"


def machine():
    return f"{os.cpu_count()} cores, {accel()}, host kernel {os.uname().release}"


def header(part, what):
    today = datetime.date.today().isoformat()
    return f"Measured by `scripts/numbers.py {part}` on {today} ({machine()}): {what}.\n"


def secs(ms):
    return f"{ms / 1000:.1f} s"


def median(xs):
    xs = sorted(xs)
    return xs[(len(xs) - 1) // 2]


def counts(run):
    """A Run's whole-suite counts, as every part quotes them."""
    return (f"{run.count('passed')} passed, {run.count('failed')} failed, "
            f"{run.count('skipped')} skipped, {run.count('xfail')} of them XFAIL")


def log_lines(log):
    with open(log, errors="replace") as f:
        return [x.rstrip("\n") for x in f]


RESULT_LINE_RE = re.compile(r"^#\d+(/\d+)? ")


def abridged(lines, head=5, tail=2):
    """A whole run's output: vmtest's and the runner's first lines, the first
    and last result lines (the logs of XFAILs left out), the closing lines."""
    results = [x for x in lines if RESULT_LINE_RE.match(x)]
    last = lines.index(results[-1]) + 1 if results else len(lines)
    first = [x for x in lines if x.startswith(("vmtest: kernel ", "test_progs: kernel "))]
    shown = results if len(results) <= head + tail else \
        results[:head] + ["..."] + results[-tail:]
    return first + shown + lines[last:]


def part_quickstart(work):
    out = [header("quickstart", "`make vmtest`'s run, then a kernel without the kfunc; "
                  "output abridged (`...`)").rstrip("\n")]
    for kernel, what in (("6.19.14", "the newest Debian 6.19 kernel"),
                         ("6.18.15", "Debian's 6.18.15: no kfunc, every test skips")):
        log = os.path.join(work, f"quickstart-{kernel}.log")
        rec = os.path.join(work, f"quickstart-{kernel}.json")
        run(["vmtest/vmtest.sh", "-k", kernel, "-J", rec], log)
        if Run(rec).verdict != 0:
            raise Failed(f"{kernel}: {Run(rec).verdict_text()}")
        out += ["", f"On {what}:", "", "```",
                f"$ vmtest/vmtest.sh -k {kernel}"] + abridged(log_lines(log)) + ["```"]
    return "\n".join(out) + "\n"


def part_failure(work):
    log, rec = os.path.join(work, "failure.log"), os.path.join(work, "failure.json")
    cmd = ["vmtest/vmtest.sh", "-k", "6.19.14", "-X", "none", "--", "-t", FAILURE_UNIT]
    run(cmd[:3] + ["-J", rec] + cmd[3:], log, ok=(1,))
    unit = next((s for t in Run(rec).tests for s in t.subtests
                 if f"{t.name}/{s.name}" == FAILURE_UNIT), None)
    if unit is None or unit.result != "FAIL" or unit.rule != FAILURE_RULE:
        raise Failed(f"{FAILURE_UNIT} did not fail with {FAILURE_RULE}")
    lines = [x for x in log_lines(log) if not x.startswith("test_progs: kernel")]
    return "\n".join([header("failure", f"the known deviation of {FAILURE_RULE} on 6.19.14, "
                              "run without the known-deviations file"), "```",
                       "$ " + " ".join(cmd)] + lines + ["```"]) + "\n"


def part_bench(work):
    whole, first, slow7, serial = (os.path.join(work, n) for n in
                                   ("whole.json", "first.json", "7.3.4.json", "serial.json"))
    run(["vmtest/bench.sh", "-k", "6.19.14", "-n", "3", "--cold", "-J", whole],
        os.path.join(work, "bench-whole.log"))
    run(["vmtest/bench.sh", "-k", "6.19.14", "-n", "3", "-J", first, "--",
         "-t", "read_basic,fault_nonsleepable"], os.path.join(work, "bench-first.log"))
    t7 = run(["vmtest/vmtest.sh", "-k", "7.3.4", "-J", slow7], os.path.join(work, "7.3.4.log"))
    run(["vmtest/vmtest.sh", "-k", "6.19.14", "-J", serial, "--", "-j", "1"],
        os.path.join(work, "serial.log"))
    # arm64 under TCG: its floor and whole suite, 4 KiB and 16 KiB pages.
    arm, arm16 = os.path.join(work, "arm64.json"), os.path.join(work, "arm64-16k.json")
    run(["make", "--no-print-directory", "ARCH=arm64", "OUTPUT=build-arm64"], os.path.join(work, "make-arm64.log"))
    run(["vmtest/bench.sh", "-k", "cloud-arm64:6.19.14", "-n", "3", "-J", arm],
        os.path.join(work, "bench-arm64.log"))
    t16 = run(["vmtest/vmtest.sh", "-k", "arm64-16k:7.3.4", "-J", arm16],
              os.path.join(work, "arm64-16k.log"))
    w, f, a = (json.load(open(p)) for p in (whole, first, arm))
    r7, s1, a16 = (Run(p) for p in (slow7, serial, arm16))
    afloor, awarm = median(a["floor_ms"]), median(a["warm_ms"])
    floor, warm = median(w["floor_ms"]), median(w["warm_ms"])
    floor2, warm2 = median(f["floor_ms"]), median(f["warm_ms"])
    last = Run.from_dict(w["last_run"], whole)
    verifier = next((len(t.subtests) for t in last.tests if t.name == "verifier_file_dynptr"), 0)
    ratio, ratio2 = warm / floor, warm2 / floor2
    rows = [
        ("floor: a bare boot of 6.19.14 to user space and power-off (`make bench`, median of 3)",
         secs(floor)),
        (f"warm time-to-verdict, whole suite on 6.19.14 as `make vmtest` runs it ({counts(last)})",
         f"{secs(warm)}, {ratio:.2f} x the floor"),
        (f"the tests alone in the guest, `-j {last.data.get('jobs', '?')}` (vmtest's default) "
         "against `-j 1`",
         f"{secs(last.data.get('wall_ms', 0))} wall against {secs(s1.data.get('wall_ms', 0))}"),
        ("warm time-to-verdict, the first two tests (`read_basic`, `fault_nonsleepable`)",
         f"{secs(warm2)}, {ratio2:.2f} x the floor measured beside it"),
        ("cold: fresh clone, empty kernel cache, `make vmtest` (Debian packages installed)",
         secs(w["cold_ms"]) if w.get("cold_ms") else "not measured"),
        (f"whole suite on 7.3.4 ({counts(r7)})",
         f"{t7:.1f} s ({secs(r7.data.get('wall_ms', 0))} in tests)"),
        ("arm64 (TCG): floor, a bare boot of cloud-arm64 6.19.14 (median of 3)", secs(afloor)),
        (f"arm64 (TCG): whole suite on cloud-arm64 6.19.14, 4 KiB pages ({counts(Run.from_dict(a['last_run'], arm))})",
         f"{secs(awarm)}, {awarm / afloor:.2f} x its floor"),
        (f"arm64 (TCG): whole suite on arm64-16k 7.3.4, 16 KiB pages ({counts(a16)})",
         f"{t16:.1f} s ({secs(a16.data.get('wall_ms', 0))} in tests)"),
        ("declarative verifier cases (`verifier_file_dynptr`)", str(verifier)),
    ]
    out = [header("bench", "Debian kernels, warm cache unless said"), "",
           "| measure | value |", "|---|---|"]
    out += [f"| {m} | {v} |" for m, v in rows]
    goal = "met" if ratio <= 2.0 else "not met"
    out += ["", f"The 2.0 x goal for the whole suite is {goal} ({ratio:.2f} x); "
            f"the first two tests are at {ratio2:.2f} x."]
    return "\n".join(out) + "\n"


def group_rows(kernels, rows, cells, keep=None):
    """The rows keep() takes (default: a kernel differs), grouped by test
    and result vector."""
    keep = keep or (lambda row: report.interesting(kernels, row, cells))
    groups = {}
    for row in rows:
        if row[1] is None or not keep(row):
            continue
        key = (row[0], tuple(c.text for c in cells[row]))
        groups.setdefault(key, []).append(row[1])
    out = []
    for (test, vals), subs in groups.items():
        names = ", ".join(subs[:3]) + (f" and {len(subs) - 3} more" if len(subs) > 3 else "")
        out.append(f"| {test}/ {names} | " + " | ".join(vals) + " |")
    return out


def summary_table(kernels):
    """The head of a matrix table and its counting rows."""
    out = ["| test | " + " | ".join(k.label for k in kernels) + " |",
           "|---|" + "---|" * len(kernels)]
    for name, vals in report.summary_rows(kernels):
        if name in ("passed / failed / skipped", "time (s)") or name.startswith("XFAIL / XPASS / TIMEOUT"):
            out.append(f"| {name} | " + " | ".join(vals) + " |")
    return out


def part_matrix(work):
    outdir = os.path.join(work, "matrix")
    # The default list has arm64 columns: their runner first.
    run(["make", "--no-print-directory", "ARCH=arm64", "OUTPUT=build-arm64"], os.path.join(work, "make-arm64.log"))
    t = run(["vmtest/matrix.sh", "-j", "2", "-o", outdir], os.path.join(work, "matrix.log"))
    kernels = [Run(p) for p in report.expand([outdir])]
    rows, cells = report.build(kernels)
    total = [sum(k.count(c) for k in kernels) for c in ("passed", "failed", "skipped")]
    ok = sum(k.verdict == 0 for k in kernels)
    out = [header("matrix", f"`vmtest/matrix.sh -j 2`, {len(kernels)} Debian kernels "
                  "(x86_64, then arm64 with 4 KiB and 16 KiB pages), warm cache"),
           "",
           f"{t:.0f} s; {ok} of {len(kernels)} kernels exit 0; "
           f"{total[0]} passed, {total[1]} failed, {total[2]} skipped in all. The summary rows "
           "and every row where a kernel differs from PASS (all other rows: SKIP on a "
           "control kernel, PASS elsewhere):", "",
           ] + summary_table(kernels)
    out += group_rows(kernels, rows, cells, lambda row: not_pass(kernels, row, cells))
    return "\n".join(out) + "\n"


def not_pass(kernels, row, cells):
    """A row where a kernel differs from PASS: a control kernel's SKIP and
    a kernel without results aside (report.interesting() also leaves out
    rows every kernel XFAILs alike, which the matrix part must show)."""
    return any(c.text != "PASS" for k, c in zip(kernels, cells[row])
               if not (report.is_control(k) and c.text == "SKIP") and c.text != "NOVERDICT")


FLAVOUR_KERNELS = ["6.19.14", "amd64:6.19.14", "rt-amd64:6.19.14",
                   "7.3.4", "amd64:7.3.4", "rt-amd64:7.3.4"]


def part_flavours(work):
    outdir = os.path.join(work, "flavours")
    t = run(["vmtest/matrix.sh", "-j", "2", "-o", outdir] + FLAVOUR_KERNELS,
            os.path.join(work, "flavours.log"), ok=(0, 1))
    kernels = [Run(p) for p in report.expand([outdir])]
    rows, cells = report.build(kernels)
    out = [header("flavours", f"`vmtest/matrix.sh -j 2 {' '.join(FLAVOUR_KERNELS)}`, "
                  f"warm cache, {t:.0f} s"), "",
           "The summary rows and every row where the flavours of one version differ, "
           "grouped (cloud-amd64 is the column without a flavour):", "",
           ] + summary_table(kernels)
    # The columns of each version, whatever order the matrix gives them in.
    by_version = {}
    for i, k in enumerate(kernels):
        by_version.setdefault(k.label.split(":")[-1], []).append(i)

    def differs(row):
        texts = [c.text for c in cells[row]]
        return any(len({texts[i] for i in cols}) > 1 for cols in by_version.values())
    out += group_rows(kernels, rows, cells, differs)
    return "\n".join(out) + "\n"


def part_bisect(work):
    log = os.path.join(work, "bisect.log")
    run(["vmtest/bisect.sh"] + BISECT_ARGS, log)
    with open(log) as f:
        lines = [x.rstrip("\n") for x in f if x.startswith("bisect: ")]
    return "\n".join([header("bisect", "warm cache"), "```sh",
                      "vmtest/bisect.sh " + " ".join(BISECT_ARGS), "```", "```"] +
                     lines + ["```"]) + "\n"


def part_toolchains(work):
    outdir = os.path.join(work, "toolchains")
    run(["scripts/toolchains.sh", "-o", outdir], os.path.join(work, "toolchains.log"))
    with open(os.path.join(outdir, "table.md")) as f:
        table = f.read()
    return header("toolchains", "`scripts/toolchains.sh`: each toolchain in a fresh "
                  "minbase root, installing the build's packages then `make`, and the "
                  "build's results on each kernel compared with the host build's") + \
        "\n" + table


def part_check(work):
    clone = os.path.join(work, "clone")
    subprocess.check_call(["git", "clone", "-q", TOP, clone])
    t = run(["bash", ".ci/run"], os.path.join(work, "check.log"),
            env={"VMTEST_CACHE": os.path.join(work, "cache")}, cwd=clone)
    with open(os.path.join(clone, "build", "check.json")) as f:
        steps = json.load(f)
    out = [header("check", "`.ci/run` (`make check`, what CI runs) in a fresh clone with "
                  "an empty kernel cache"), "",
           f"{int(t // 60)} min {int(t % 60)} s: {steps['passed']} passed, "
           f"{steps['failed']} failed, {steps['skipped']} skipped.", "",
           "| step | exit | passed | failed | skipped | seconds |",
           "|---|---|---|---|---|---|"]
    out += [f"| {s['name']} | {s['rc']} | {s['passed']} | {s['failed']} | {s['skipped']} | "
            f"{s['seconds']} |" for s in steps["steps"]]
    return "\n".join(out) + "\n"


SEQ_LINE_RE = re.compile(r"model_seq: (\d+) sequences, (\d+) operations checked in ([\d.]+) s")


def model_seq_run(work, kernel, name, extra):
    """One vmtest run of model_seq: its time to verdict and the test's own count."""
    out = os.path.join(work, f"model_seq-{kernel}-{name}.json")
    t = run(["vmtest/vmtest.sh", "-k", kernel, "-J", out, "--", "-t", "model_seq", "-v"] + extra,
            os.path.join(work, f"model_seq-{kernel}-{name}.log"))
    res = Run(out)
    test = res.by_name["model_seq"][0]
    # The log is cut per subtest: the count comes after the last one.
    m = SEQ_LINE_RE.search(test.full_log())
    if not m:
        raise Failed(f"model_seq on {kernel} printed no count")
    seqs, ops, secs_in = int(m.group(1)), int(m.group(2)), float(m.group(3))
    return {"verdict_s": t, "seqs": seqs, "ops": ops, "secs": secs_in,
            "result": test.result, "units": counts(res)}


def part_model_seq(work):
    rows = []
    for kernel in ("6.19.14", "7.3.4"):
        d = model_seq_run(work, kernel, "default", [])
        r = model_seq_run(work, kernel, "random", ["-s", "1", "--budget", "60s"])
        for what, x in (("default run (8 fixed seeds, rows)", d), ("`-s 1 --budget 60s`", r)):
            rows.append(f"| {kernel} | {what} | {x['verdict_s']:.1f} s | {x['seqs']} | {x['ops']} | "
                        f"{x['ops'] / x['secs']:.0f} | {x['result']}: {x['units']} |")
    out = [header("model_seq", "`vmtest/vmtest.sh -k KERNEL -- -t model_seq`, operations counted "
                  "with the creation and the discard, set-up and checking included"),
           "| kernel | run | time to verdict | sequences | operations | operations/s | result |",
           "|---|---|---|---|---|---|---|"] + rows
    return "\n".join(out) + "\n"


# The page-cache tests: their proofs of residency and eviction are what
# load could upset (model_seq without -s: its fixed seeds).
STRESS_PAGE_CACHE = ("fault_nonsleepable,sleepable_select,callback_select,release,file_kinds/sparse_hole,"
                     "file_kinds/ext4,elf_parse/runner_nonsleepable,model_seq")
STRESS = {"runs": 50, "arm64_runs": 10, "reps": 1000}


def rows_by_run(res):
    """{run: {row: result}} of a record, the runner's -r runs apart."""
    out = {}
    for t in res.tests:
        rows = out.setdefault(t.run, {})
        rows[(t.name, None)] = report.shown(t.result)
        for sub in t.subtests:
            rows[(t.name, sub.name)] = report.shown(sub.result)
    return out


def stress_compare(quiet, stressed):
    """(runs, runs with a difference, [differing verdict lines], flaky rows):
    each stressed run against the quiet one, row by row, and the rows whose
    result changed from one stressed run to another."""
    base = rows_by_run(quiet).get(1, {})
    runs = rows_by_run(stressed)
    diffs, bad_runs, seen = [], 0, {}
    for n, rows in sorted(runs.items()):
        here = [(row, res) for row, res in rows.items() if base.get(row) != res]
        bad_runs += bool(here)
        diffs += [f"run {n}: {report.row_name(row)}: {base.get(row, '-')} quiet, {res} stressed"
                  for row, res in here]
        for row, res in rows.items():
            seen.setdefault(row, set()).add(res)
    flaky = sorted(report.row_name(r) for r, results in seen.items() if len(results) > 1)
    return len(runs), bad_runs, diffs, flaky


def stress_measure(work, kernel, name, n, runner_args):
    """A quiet run, then n stressed runs in one boot; the figures' row."""
    base = os.path.join(work, f"stress-{name.split()[0]}-{kernel}")
    quiet = base + "-quiet.json"
    run(["vmtest/vmtest.sh", "-k", kernel, "-J", quiet, "--"] + runner_args,
        base + "-quiet.log", ok=(0, 1))
    out = base
    # The time limit grows with the runs: about 4 min a whole suite under
    # stress on 2 TCG cores, arm64's emulation slower; the runner's
    # watchdog still bounds each test.
    per_run = 1800 if kernel.startswith("arm64") else 600
    t = run(["vmtest/vmtest.sh", "-k", kernel, f"--stress={quiet}", "-o", out,
             "-T", str(300 + per_run * n), "--"] + runner_args + ["-r", str(n)],
            base + ".log", ok=(0, 1))
    runs, bad, diffs, flaky = stress_compare(Run(quiet), Run(os.path.join(out, "stress")))
    if runs != n:
        raise Failed(f"{kernel}: {runs} of {n} stressed runs gave results")
    row = (f"| {kernel} | {name} | {runs} | {bad} | {len(diffs)} | {len(flaky)} | "
           f"{t / 60:.0f} min ({t / runs:.0f} s a run) |")
    return row, diffs + [f"flaky: {r}" for r in flaky]


def part_stress(work):
    rows, notes = [], []
    for kernel, n in (("6.19.14", STRESS["runs"]), ("7.3.4", STRESS["runs"]),
                      ("arm64-16k:7.3.4", STRESS["arm64_runs"])):
        r, d = stress_measure(work, kernel, "whole suite", n, [])
        rows.append(r)
        notes += [f"{kernel}: {x}" for x in d]
    r, d = stress_measure(work, "6.19.14", "page-cache tests", STRESS["reps"],
                          ["-t", STRESS_PAGE_CACHE])
    rows.append(r)
    notes += [f"6.19.14 page cache: {x}" for x in d]
    out = [header("stress", "`vmtest/vmtest.sh -k KERNEL --stress=QUIET -- -r N`: N runs in one "
                  "boot under stress-ng (guest and host), each compared row by row with one quiet "
                  "run of the same build"),
           f"Page-cache tests: `-t {STRESS_PAGE_CACHE}`.", "",
           "| kernel | runs of | runs | runs that differ | differing verdicts | flaky rows | "
           "wall time |", "|---|---|---|---|---|---|---|"] + rows
    if notes:
        out += ["", "Differences:", ""] + [f"- {x}" for x in notes]
    return "\n".join(out) + "\n"


def part_history(work):
    outdir = os.path.join(work, "history")
    # Exit 1 (a contradicted entry, a flake, a kernel without a verdict) is
    # what the figures then show.
    t = run(["vmtest/history.sh", "-j", "2", "-o", outdir, "--for", "6.19.14"],
            os.path.join(work, "history.log"), ok=(0, 1))
    h = json.load(open(os.path.join(outdir, "history.json")))
    ks = h["kernels"]
    out = [header("history", f"`vmtest/history.sh -j 2 --for 6.19.14`, {len(ks)} Debian kernels "
                  f"({ks[0]} .. {ks[-1]}), warm kernel cache, {t:.0f} s")]
    by_rule = {}
    for tr in h["transitions"]:
        by_rule.setdefault(tr["rule"], []).append(tr)
    out.append(f"{len(h['transitions'])} transitions:")
    out.append("")
    for rule in sorted(by_rule):
        for tr in by_rule[rule]:
            out.append(f"- {rule} `{tr['unit']}`: {tr['history']}; look in {tr['upstream']}")
    out.append("")
    quiet = [r for r, cells in h["timeline"].items() if all(c == "OK" for c in cells)]
    out.append(f"The timeline's rules that are not OK on every kernel ({len(quiet)} rules that are "
               "are left out; **bold**: changed from the kernel before):")
    out.append("")
    out.append("| rule | " + " | ".join(ks) + " |")
    out.append("|---|" + "---|" * len(ks))
    for rule, cells in h["timeline"].items():
        if rule in quiet:
            continue
        shown = [f"**{c}**" if i and c != cells[i - 1] else c for i, c in enumerate(cells)]
        out.append(f"| {rule} | " + " | ".join(shown) + " |")
    out.append("")
    back = h.get("backport") or {}
    out.append(f"Backport view for {back.get('for')}: {len(back.get('items', []))} subtests differ "
               f"from {back.get('newest')}: " + ", ".join(
                   f"`{i['unit']}` ({i['rule']}, changed in {i['changed_in']})"
                   for i in back.get("items", [])) + ".")
    bad = [d for d in h["deviations"] if d["problems"]]
    out.append("")
    out.append(f"Known deviations against the history: {len(h['deviations'])} entries checked, "
               f"{len(bad)} contradicted.")
    return "\n".join(out) + "\n"


def part_bench_kfunc(work):
    outdir = os.path.join(work, "bench-kfunc")
    kernels = ("6.19.14", "7.3.4")
    cmd = ["bench/kfunc-bench.sh", "-o", outdir]
    for k in kernels:
        cmd += ["-k", k]
    t = run(cmd, os.path.join(work, "bench-kfunc.log"))
    recs = [bench_kfunc.Record(os.path.join(outdir, f"{k}.json")) for k in kernels]
    for rec, k in zip(recs, kernels):
        rec.label = k
    shown = ["1", "4096", "1048576", "x1", "xN"]
    out = [header("bench_kfunc", f"`bench/kfunc-bench.sh -k 6.19.14 -k 7.3.4` (full mode), "
                  f"{t:.0f} s for both"), ""]
    out += bench_kfunc.kernels_report(recs)[2:] + [""]
    out += bench_kfunc.record_report(recs[1], shown) + [""]
    out += ["The plots (`plot-LABEL.svg`, a panel per filesystem; `bench_kfunc.py --text-plot` "
            "draws them as text) are in the output directory."]
    return "\n".join(out) + "\n"


def part_config_kernel(work):
    outdir = os.path.join(work, "config-kernel")
    # Exit 1: a row differs, which the part shows.
    t = run(["vmtest/config-kernel.sh", "-o", outdir], os.path.join(work, "config-kernel.log"),
            ok=(0, 1))
    kernels = [Run(os.path.join(outdir, d, "results.json")) for d in ("config", "debian")]
    kernels[0].label = "built from config"
    kernels[1].label = f"Debian cloud {kernels[1].label}"
    with open(os.path.join(outdir, "same.txt")) as f:
        same = [x.rstrip("\n") for x in f]
    src = subprocess.run(["vmtest/kernel-source.sh", "--version"], cwd=TOP, check=True,
                         capture_output=True, text=True).stdout.strip()
    with open(os.path.join(outdir, "config", "build-seconds")) as f:
        build = int(f.read())
    out = [header("config_kernel", f"`vmtest/config-kernel.sh` on linux-source-7.3 {src}, "
                  f"{t:.0f} s, of which {build} s building")] + summary_table(kernels)
    out += ["", f"`vmtest/report.py --same`, row by row: {same[-1] if same else 'no output'}"]
    out += [f"- {x}" for x in same[:-1]]
    return "\n".join(out) + "\n"


UPSTREAM_KERNELS = ("6.19.14", "7.0.13", "7.3.4")
UPSTREAM_FLAKE_RUNS = 100
UPSTREAM_SYNC_KERNEL = "7.3.4"


def first_cause(message):
    """Why an upstream subtest failed, from its log: libbpf's or the
    verifier's complaint, or what the verifier said against what the test
    expected."""
    lines = [x.strip() for x in message.splitlines()]
    for key in ("wasn't resolved", "failed to find", "not found in kernel", "incompatible"):
        hit = next((x for x in lines if key in x), None)
        if hit:
            return hit
    want = next((x for x in lines if x.startswith("EXPECTED")), None)
    if want:
        ends = [i for i, x in enumerate(lines) if x.startswith("processed ")]
        log = lines[:ends[0]] if ends else []
        bars = [i for i, x in enumerate(log) if x.startswith("=")]
        said = [x for x in log[bars[-1] + 1 if bars else 0:]
                if x and not re.match(r"^\d+: |^;|^libbpf:", x)]
        return (f"the verifier said '{' / '.join(said[-2:])}'; " if said else "") + \
            re.sub(r"^EXPECTED\s+", "expected ", want)
    return next((x for x in lines if ":FAIL:" in x), lines[-1] if lines else "")


def upstream_failures(rec):
    """Markdown lines: each failed subtest of an upstream run and why."""
    out = []
    for t in rec.get("results") or []:
        for s in t.get("subtests") or []:
            if s.get("result") == "FAIL":
                why = report.md_escape(first_cause(s.get("message", "")))[:260]
                out.append(f"`{t['name']}/{s['name']}`: {why}")
    return out


def flake_row(label, path, suite):
    """A row of the flake table from upstream_report.py flake -J's counts."""
    with open(path) as f:
        c = json.load(f)

    def age(x):
        return "-" if x is None else f"{x:.1f} s"
    return (f"| {label} | {c['runs']} | {c['passed']} | {c['zero']} of {c['reads']} | "
            f"{c['efault']} | {c['other']} | {age(c['last_zero_age'])} | "
            f"{age(c['first_efault_age'])} | {c['zero_after_first_efault']} | {suite} |")


def part_upstream(work):
    import upstream_report
    ups = upstream_report.upstream_table(os.path.join(TOP, "vmtest", "upstream-rules.ini"))
    rows, fails, flakes, sides = [], [], [], []
    for k in UPSTREAM_KERNELS:
        up, suite, flake = (os.path.join(work, f"{n}-{k}.json") for n in ("upstream", "suite", "flake"))
        t = run(["vmtest/upstream.sh", "run", "-k", k, "-J", up], os.path.join(work, f"upstream-{k}.log"),
                ok=(0, 1))
        run(["vmtest/vmtest.sh", "-k", k, "-J", suite], os.path.join(work, f"suite-{k}.log"), ok=(0, 1))
        run(["vmtest/upstream.sh", "flake", "-k", k, "-n", str(UPSTREAM_FLAKE_RUNS), "-J", flake],
            os.path.join(work, f"flake-{k}.log"), ok=(0, 1))
        u, s = Run(up), Run(suite)
        rows.append(f"| {k} | {u.verdict_text()} | {u.data.get('success_subtest', 0)} passed, "
                    f"{u.data.get('failed_subtest', 0)} failed | {t:.0f} s | {s.verdict_text()}: "
                    f"{counts(s)} |")
        fails += [f"- {k}: {x}" for x in upstream_failures(u.data)]
        evict = [x for x in s.tests if x.name == "fault_nonsleepable"]
        proven = sum(sub.result == "OK" for x in evict for sub in x.subtests)
        flakes.append(flake_row(k, flake, f"{proven} passed, 0 resident"))
        if k == UPSTREAM_SYNC_KERNEL:
            synced = os.path.join(work, f"flake-sync-{k}.json")
            run(["vmtest/upstream.sh", "flake", "-k", k, "-n", str(UPSTREAM_FLAKE_RUNS), "--sync",
                 "-J", synced], os.path.join(work, f"flake-sync-{k}.log"), ok=(0, 1))
            flakes.append(flake_row(f"{k}, the copy synced first", synced, "-"))
        with open(up) as f1, open(suite) as f2:
            sides.append(upstream_report.compare(ups, json.load(f1), json.load(f2), k))
    last = sides[-1]
    out = [header("upstream", "vmtest/upstream.sh run and flake, and the whole suite "
                  "(vmtest/vmtest.sh), on each kernel").rstrip("\n"), "",
           "| kernel | upstream's file_reader | subtests | time | the suite |",
           "|---|---|---|---|---|"]
    out += rows
    if fails:
        out += ["", "Upstream's failures, with the line of each log that says why:", ""] + fails
    out += ["", f"`file_reader/on_open_expect_fault` {UPSTREAM_FLAKE_RUNS} times in one guest a "
            "kernel (`vmtest/upstream.sh flake`), each `bpf_dynptr_read` result seen by a "
            "kretprobe: a 0 means every page of the read range was resident and uptodate after "
            "the test's `MADV_PAGEOUT`, so the `-EFAULT` the test gave up asserting could not "
            "hold. The runner runs from a fresh copy on the guest's ext4 disk; the ages are "
            "from that copy to the run's start (the kernel writes dirty pages back after "
            "`dirty_expire_centisecs`, 30 s). The suite's `fault_nonsleepable` rows prove the "
            "eviction with `mincore()` before each trigger (0 resident by construction):", "",
            "| kernel | runs | passed | read returned 0 (resident) | -EFAULT | other | "
            "last resident run | first -EFAULT run | resident after it | "
            "the suite's fault_nonsleepable rows |",
            "|---|---|---|---|---|---|---|---|---|---|"] + flakes
    out += ["", "Side by side on each kernel: " + "; ".join(
        f"{c['kernel']}: upstream's subtests check {c['upstream_rules']} rules, the suite's "
        f"{c['suite_rules']} ({c['only_suite']} only the suite)" for c in sides) + ".", ""]
    out += [upstream_report.markdown(last).rstrip("\n")]
    return "\n".join(out) + "\n"


def part_coverage(work):
    outdir = os.path.join(work, "coverage")
    # Exit 1: a gap, which the part shows.
    t = run(["vmtest/coverage.sh", "-o", outdir], os.path.join(work, "coverage.log"), ok=(0, 1))
    src = subprocess.run(["vmtest/kernel-source.sh", "--version"], cwd=TOP, check=True,
                         capture_output=True, text=True).stdout.strip()
    with open(os.path.join(outdir, "coverage.md")) as f:
        table = f.read()
    return header("coverage", f"`vmtest/coverage.sh` on linux-source-7.3 {src} built from "
                  f"config with GCOV, the whole suite, {t:.0f} s in all") + "\n" + table


MUTANTS = {"only": [], "args": ""}   # --only and --mutant-args
# The runners judged beside the whole suite on each mutant (mutants.sh -x):
# upstream's own file-dynptr tests with upstream's test_progs, and the
# selftests/bpf series made from the suite (make upstream) under the same.
MUTANT_RUNNERS = (
    ("upstream", 'vmtest/upstream.sh run -k "$KERNEL" -o "$OUT"'),
    ("series", 'vmtest/upstream.sh run --series build/upstream -k "$KERNEL" -o "$OUT"'),
)
MUTANT_DIR = os.path.join(TOP, "vmtest", "mutants")
MUTANT_COLS = ("mutant", "what it models", "meant to be killed by", "verdict",
               "tests that caught it", "kernel splat", "time")


def mutant_patch(arg):
    """A patch of vmtest/mutants/ named by path, file name, name or number."""
    if os.path.isfile(arg):
        return os.path.abspath(arg)
    base = os.path.basename(arg)
    stem = base[:-len(".patch")] if base.endswith(".patch") else base
    hits = glob.glob(os.path.join(MUTANT_DIR, f"{stem}.patch")) or \
        glob.glob(os.path.join(MUTANT_DIR, f"{stem}-*.patch"))
    if len(hits) != 1:
        raise Failed(f"--only {arg}: {len(hits)} patches of vmtest/mutants/ match")
    return hits[0]


def mutant_rows(table):
    """The rows of a mutants.sh table: ({name: {column: cell}}, columns), in
    table order; the columns are the header's (a runner of mutants.sh -x adds
    one before "time")."""
    rows, cols = {}, list(MUTANT_COLS)
    # A row whose splat cell kept its newline (older tables) goes on on the
    # next line, which begins " |".
    for line in re.sub(r"\n(?= \|)", "", table).splitlines():
        if not line.startswith("| "):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if cells[0] == "mutant":
            cols = cells
            continue
        if len(cells) == len(MUTANT_COLS) - 1:   # a table from before the column
            cells.insert(2, "-")
        rows[cells[0]] = dict(zip(cols, cells))
    return rows, cols


def extra_columns(*tables_cols):
    """The -x runners' columns of several tables, each once, in order."""
    out = []
    for cols in tables_cols:
        out += [c for c in cols if c not in MUTANT_COLS and c not in out]
    return out


def mutant_meant(name, cell):
    """The "meant to be killed by" cell from the patch header, as mutants.sh makes it."""
    path = os.path.join(MUTANT_DIR, name + ".patch")
    if not os.path.isfile(path):
        return cell
    with open(path) as f:
        head = f.read().split("\n--- ", 1)[0]
    for para in head.split("\n\n"):
        if para.startswith("Killed by: "):
            text = " ".join(para[len("Killed by: "):].split())
            return text.split(": ", 1)[0].replace("|", "\\|")
    return cell


def numbers_list(names):
    """29, 30, 31, 33 -> "29-31, 33" (mutants by number)."""
    nums = sorted(int(n.split("-", 1)[0]) for n in names)
    out, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(f"{nums[i]:02d}" if i == j else f"{nums[i]:02d}-{nums[j]:02d}")
        i = j + 1
    return ", ".join(out)


def names_of(spec):
    """"29-31, 33" -> {"29", "30", "31", "33"} (numbers as the rows' prefixes)."""
    out = set()
    for part in spec.split(", "):
        a, _, b = part.partition("-")
        out.update(f"{n:02d}" for n in range(int(a), int(b or a) + 1))
    return out


def mutant_counts(rows, cols):
    """The count lines under the table: the suite's, then each runner's."""
    out = []
    for col, name in [("verdict", "")] + [(c, c + ": ") for c in extra_columns(cols)]:
        cells = [r.get(col, "-") for r in rows.values()]
        measured = [c for c in cells if c != "-"]
        k, s = measured.count("KILLED"), measured.count("SURVIVED")
        out.append(f"{name}{k} killed, {s} survived, {len(measured) - k - s} broken"
                   + (f" ({len(cells) - len(measured)} not measured)" if len(measured) < len(cells) else ""))
    return out


def merge_mutants(old, new_table, line):
    """Merges a --only run into the part: its rows replace or join old's, in
    name order; the whole run's "Measured by" line and total time stay, each
    --only run has its own "Rows N measured by" line (an older one loses the
    rows measured again), and the counts are those of every row. A runner's
    column that only one of the tables has shows "-" (not measured) in the
    other's rows."""
    lines = old.strip("\n").splitlines()
    first = lines[0]
    partial = [x for x in lines[1:] if x.startswith("Rows ")]
    total = [x for x in lines if x.startswith("total time ")]
    rows, old_cols = mutant_rows(old)
    fresh, new_cols = mutant_rows(new_table)
    rows.update(fresh)
    cols = list(MUTANT_COLS[:-1]) + extra_columns(old_cols, new_cols) + [MUTANT_COLS[-1]]
    redone = {n.split("-", 1)[0] for n in fresh}
    kept = []
    for x in partial:
        spec, rest = x[len("Rows "):].split(" measured by ", 1)
        left = sorted(names_of(spec) - redone)
        if left:
            kept.append(f"Rows {numbers_list(left)} measured by {rest}")
    kept.append(line)
    out = [first] + kept + ["", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for name in sorted(rows):
        cells = rows[name]
        cells["meant to be killed by"] = mutant_meant(name, cells.get("meant to be killed by", "-"))
        out.append("| " + " | ".join(cells.get(c, "-") for c in cols) + " |")
    return "\n".join(out + [""] + total + mutant_counts(rows, cols)) + "\n"


def only_suite(table):
    """The line naming the mutants only the whole suite kills."""
    rows, cols = mutant_rows(table)
    others = extra_columns(cols)
    if not others:
        return ""
    only = [n for n, r in rows.items() if r.get("verdict") == "KILLED"
            and all(r.get(c) != "KILLED" for c in others)]
    return (f"\nKilled by the whole suite only ({len(only)}): "
            + (", ".join(only) if only else "none") + ".\n")


def part_mutants(work, old=None):
    src = os.environ.get("MUTANTS_SRC") or subprocess.run(
        ["vmtest/kernel-source.sh"], cwd=TOP, check=True, capture_output=True,
        text=True).stdout.strip()
    outdir = os.path.join(work, "mutants")
    patches = [mutant_patch(x) for x in MUTANTS["only"]]
    extra = MUTANTS["args"].split()
    run(["scripts/upstream-series.py", "-o", "build/upstream"], os.path.join(work, "series.log"))
    runners = [a for name, cmd in MUTANT_RUNNERS for a in ("-x", f"{name}={cmd}")]
    # Exit 1: a mutant survived or broke, which the table shows.
    run(["vmtest/mutants.sh", "-s", src, "-o", outdir] + runners + patches +
        (["--"] + extra if extra else []), os.path.join(work, "mutants.log"), ok=(0, 1))
    # newline="": a stray CR must not become a line break inside a row.
    with open(os.path.join(outdir, "table.md"), newline="") as f:
        table = f.read().replace("\r", "").strip("\n")
    suite = f"the suite run with `{MUTANTS['args']}`" if extra else "the whole suite run"
    what = (f"`vmtest/mutants.sh` on {os.path.basename(src)}, each mutant built and {suite} on "
            f"it, and beside it ({', '.join(n for n, _ in MUTANT_RUNNERS)} columns) upstream's "
            "own file-dynptr tests and the selftests/bpf series, each under upstream's "
            "test_progs (`vmtest/upstream.sh run`, `--series`)")
    if not patches:
        return header("mutants", what) + "\n" + table + "\n" + only_suite(table)
    if old is None or not old.startswith("Measured by "):
        raise Failed("--only needs the table of a whole run to merge into")
    names = [os.path.basename(p)[:-len(".patch")] for p in patches]
    took = re.search(r"^total time (\S+?)[;\n]", table + "\n", re.M)
    line = (f"Rows {numbers_list(names)} measured by `scripts/numbers.py mutants --only` on "
            f"{datetime.date.today().isoformat()} ({machine()}): {what}"
            f"{'; total time ' + took.group(1) if took else ''}.")
    merged = merge_mutants(old, table, line)
    return merged + only_suite(merged)


def regions(text, found=None):
    """The parts of one file's text, added to found (part: body) across files."""
    found = {} if found is None else found
    problems, here = [], set()
    for m in REGION_RE.finditer(text):
        name, body, end = m.groups()
        if name != end:
            problems.append(f"numbers:{name} ends as numbers:{end}")
        if name in found:
            problems.append(f"numbers:{name} twice")
        if not body.startswith(f"Measured by `scripts/numbers.py {name}` on "):
            problems.append(f"numbers:{name} does not begin with its \"Measured by\" line")
        found[name] = body
        here.add(name)
    opened = re.findall(r"<!-- numbers:(\w+) begin", text)
    problems += [f"numbers:{n} has no end" for n in opened if n not in here]
    problems += [f"numbers:{n} is not a part" for n in here if n not in PARTS]
    return found, problems


def all_regions():
    """Every part in README.md and docs/: (part: file), problems."""
    found, where, problems = {}, {}, []
    for path in doc_files():
        with open(path) as f:
            _, bad = regions(f.read(), found)
        rel = os.path.relpath(path, TOP)
        problems += [f"{rel}: {p}" for p in bad]
        where.update({n: path for n in found if n not in where})
    return where, problems


def replace(text, name, body):
    pat = re.compile(re.escape(BEGIN.format(name, name)) + r"\n.*?" +
                     re.escape(END.format(name)) + r"\n", re.S)
    if not pat.search(text):
        raise Failed(f"no numbers:{name} markers")
    return pat.sub(lambda _: BEGIN.format(name, name) + "\n" + body + END.format(name) + "\n",
                   text, count=1)


def measure(parts, where, work):
    """Runs each part and writes it where its markers are; 1 if one failed."""
    rc = 0
    for part in parts:
        if part not in where:
            say(f"{part}: no numbers:{part} markers in README.md or docs/")
            rc = 1
            continue
        try:
            if part == "mutants":
                with open(where[part]) as f:
                    body = globals()["part_mutants"](work, regions(f.read())[0].get(part))
            else:
                body = globals()[f"part_{part}"](work)
        except (Failed, OSError, ValueError, KeyError, StopIteration,
                subprocess.CalledProcessError) as e:
            say(f"{part}: not measured: {e}")
            rc = 1
            continue
        with open(where[part]) as f:
            text = f.read()
        with open(where[part], "w") as f:
            f.write(replace(text, part, body))
        say(f"{part}: {os.path.relpath(where[part], TOP)} updated")
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("parts", nargs="*", metavar="PART")
    ap.add_argument("--keep", metavar="DIR", help="keep the logs and results in DIR")
    ap.add_argument("--check", action="store_true", help="check the parts' markers only")
    for name, what in (("runs", "whole-suite runs per x86_64 kernel"),
                       ("arm64-runs", "whole-suite runs on arm64-16k 7.3.4"),
                       ("reps", "repetitions of the page-cache tests")):
        ap.add_argument(f"--stress-{name}", type=int, default=STRESS[name.replace("-", "_")],
                        metavar="N", help=f"stress: {what} (default %(default)s)")
    ap.add_argument("--only", nargs="+", default=[], metavar="MUTANT",
                    help="mutants: measure only these vmtest/mutants/ patches (path, name "
                    "or number) and merge their rows into the table")
    ap.add_argument("--mutant-args", default="", metavar="ARGS",
                    help="mutants: runner options for each mutant's run (default: the whole "
                    "suite), said in the table's measurement line")
    args = ap.parse_args()
    if args.only and args.parts != ["mutants"]:
        ap.error("--only goes with the mutants part alone")
    MUTANTS.update(only=args.only, args=args.mutant_args)
    STRESS.update(runs=args.stress_runs, arm64_runs=args.stress_arm64_runs, reps=args.stress_reps)
    where, problems = all_regions()
    if args.check:
        for p in problems:
            print(f"FAIL {p}")
        print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
        return 1 if problems else 0
    if problems:
        print("numbers: " + "; ".join(problems), file=sys.stderr)
        return 1
    unknown = [p for p in args.parts if p not in PARTS]
    if unknown:
        ap.error(f"unknown part {', '.join(unknown)} (parts: {', '.join(PARTS)})")
    work = args.keep or tempfile.mkdtemp(prefix="numbers.", dir=os.environ.get("TMPDIR", "/var/tmp"))
    os.makedirs(work, exist_ok=True)
    try:
        return measure(args.parts or DEFAULT_PARTS, where, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
