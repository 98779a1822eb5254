#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make check's checks on what whole runs measured (check-history.sh and
check-bench.sh boot the kernels, then call this; flavour reads the matrix).

Usage: scripts/check_runs.py history HISTORY_JSON RC
       scripts/check_runs.py flavour RT_DIR CLOUD_DIR
       scripts/check_runs.py bench OUT KERNEL RC HOST_RC

history: vmtest/history.sh's history.json over 7.1.8 .. 7.2.9 (RC its exit
status) found the R-VERIFY-10 fix between 7.1.13 and 7.2.6, with its
upstream range and bisect command, no other transition (a one-time
difference that its re-run removed is a flake, listed, not a transition),
and the known deviations consistent.
flavour: the PREEMPT_RT kernel's run gives every subtest the cloud
kernel's result but file_kinds/tmpfs_huge_*, which skip there (no THP: a
PREEMPT_RT kernel has none), and callback_select/timer_*, which skip
there (its verifier refuses bpf_timer); its modules (nvme, ext4) loaded, no subtest
skips for a tmpfs scratch.
bench: bench/kfunc-bench.sh -q's OUT (RC its exit status; HOST_RC the
host's bench_kfunc's) measured every method with every check holding, and
bench_kfunc.py refuses what it must.

Prints a line per check and "N passed, N failed", writes the counts to
$CHECK_RESULT when make check sets it; exit 1 when a check failed, 2 on a
usage error.
"""
import argparse
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(TOP, "vmtest"))
from results import Checks, Run, read_json  # noqa: E402

checks = Checks()
check = checks.check


def load(path, empty):
    d, why = read_json(path)
    if d is None:
        check(f"{path} reads", False, why)
    return d if d is not None else empty


def history(path, rc):
    h = load(path, {"kernels": [], "transitions": [], "backport": None, "deviations": []})
    check("history.sh exit 0 (every kernel gave a verdict, the deviations agree)", rc == 0)
    check("the four kernels, in order", h["kernels"] == ["7.1.8", "7.1.13", "7.2.6", "7.2.9"])
    fix = [t for t in h["transitions"] if t["rule"] == "R-VERIFY-10"]
    check("R-VERIFY-10: XFAIL to OK between 7.1.13 and 7.2.6, for each put_file_then_* subtest",
          len(fix) == 2 and all(t["older"] == "7.1.13" and t["newer"] == "7.2.6" and
                                t["from"] == "XFAIL" and t["to"] == "OK" for t in fix))
    check("its upstream range is v7.1.13..v7.2.6 through mainline v7.1..v7.2",
          all(t["upstream"].startswith("v7.1.13..v7.2.6: mainline v7.1..v7.2") for t in fix))
    check("its bisect command looks for a fix with git-bisect-run.sh -F",
          all("--term-new=fixed v7.2.6 v7.1.13" in t["bisect"] and
              "-F -t verifier_file_dynptr/put_file_then_" in t["bisect"] for t in fix))
    others = [f"{t['unit']}: {t['from']} on {t['older']}, {t['to']} on {t['newer']}"
              for t in h["transitions"] if t not in fix]
    check("no other transition (the series is quiet elsewhere)", not others, "; ".join(others[:5]))
    check("every change to or from SKIP, TIMEOUT, ERROR or RUNNING was re-run before it was "
          "reported", all(t.get("rerun") != "not re-run" for t in h["transitions"]))
    flakes = h.get("flakes", [])
    check("each flake (a difference a re-run removed) names its kernel and its differing results",
          all(f["kernel"] in h["kernels"] and len(set(f["results"])) > 1 for f in flakes))
    for f in flakes:
        print(f"     flake: {f['unit']} on {f['kernel']}: {', then '.join(f['results'])}")
    back = h["backport"] or {}
    check("the backport view of 7.1.13 names the fix in 7.2.6",
          sorted(i["changed_in"] for i in back.get("items", [])) == ["7.2.6", "7.2.6"])
    check("every known deviation consistent with the history",
          not any(d["problems"] for d in h["deviations"]))


def units(run):
    out = {}
    for t in run.tests:
        out[t.name] = t
        for s in t.subtests:
            out[f"{t.name}/{s.name}"] = s
    return out


def flavour(rt_dir, cloud_dir):
    rt, cloud = Run(rt_dir), Run(cloud_dir)
    a, b = units(rt), units(cloud)

    def result(name, run_units):
        return run_units[name].result if name in run_units else "absent"

    check("rt-amd64 gave a verdict of 0", rt.verdict == 0)
    check("the scratch disk was ext4 (the modules loaded): no subtest skips for a tmpfs scratch",
          not any("is a tmpfs" in u.reason for n, u in a.items() if "/" in n))
    huge = {n for n in b if n.startswith("file_kinds/tmpfs_huge_")}
    check("file_kinds/tmpfs_huge_* skip on rt-amd64, naming CONFIG_TRANSPARENT_HUGEPAGE",
          huge and all(result(n, a) == "SKIP" and "CONFIG_TRANSPARENT_HUGEPAGE" in a[n].reason
                       for n in huge))
    timer = {n for n in b if n.startswith("callback_select/timer_")}
    check("callback_select/timer_* skip on rt-amd64, naming PREEMPT_RT",
          timer and all(result(n, a) == "SKIP" and "PREEMPT_RT" in a[n].reason
                        for n in timer))
    differ = sorted(n for n in set(a) | set(b)
                    if n not in huge | timer and "/" in n and result(n, a) != result(n, b))
    check("every other subtest as on cloud" + (f" (differ: {', '.join(differ[:5])})"
                                               if differ else ""), not differ)


BENCH_METHODS = (("ext4", ["dynptr_read_ns", "dynptr_read_s", "dynptr_slice_ns", "pread",
                           "mmap_memcpy", "dynptr_read_s_cold", "pread_cold",
                           "mmap_memcpy_cold"]),
                 ("tmpfs-huge", ["dynptr_read_ns", "dynptr_read_s", "dynptr_slice_ns",
                                 "pread", "mmap_memcpy"]))


def bench_cells(rec, cells):
    """Every method measured at every size, its bytes compared."""
    for fs, methods in BENCH_METHODS:
        for m in methods:
            rows = [r for (f, mm, r) in cells if f == fs and mm == m]
            reps = rec.get("cold_reps" if m.endswith("_cold") else "reps")
            check(f"{fs} {m}: 1 B .. 1 MiB and the folio crossings, bytes compared",
                  {"1", "64", "4096", "65536", "1048576", "x1", "xN"} <= set(rows) and
                  all(cells[(fs, m, r)].get("verified") == "bytes equal the file's" and
                      len(cells[(fs, m, r)]["ns_per_op"]) == reps for r in rows))
        check(f"{fs}: from_file + discard and the loop measured",
              all((fs, m, r) in cells for m, r in (("create_discard_ns", "create"),
                                                    ("create_discard_s", "create"),
                                                    ("bpf_loop_ns", "loop"))))
    files = {f["fs"]: f for f in rec["files"]}
    check("tmpfs-huge's file is made of PMD-sized folios (kpageflags)",
          files.get("tmpfs-huge", {}).get("folio_sizes") == {str(rec.get("huge_folio_size")): 4})
    check("x1 crosses one folio boundary on both filesystems",
          all(cells.get((fs, "dynptr_read_ns", "x1"), {}).get("folios_crossed") == 1
              for fs in ("ext4", "tmpfs-huge")))
    check("the ELF lookup found libelf's symbol through the dynptr, both contexts",
          all(cells.get(("ext4", m, "elf"), {}).get("verified") == "symbol index and value"
              for m in ("elf_dynptr_ns", "elf_dynptr_s", "elf_libelf")))


def bench_outputs(out, kernel):
    """The summary's ratios, the report's tables and the plot."""
    summary_path = os.path.join(out, "summary.json")
    summary = load(summary_path, {"runs": [{}]}) if os.path.exists(summary_path) else {
        "runs": [{}]}
    ratios = {(r["fs"], r["row"], r["ratio"]) for r in summary["runs"][0].get("ratios", [])}
    check("summary: dynptr / pread and dynptr / mmap for each size on both filesystems",
          all((fs, r, q) in ratios for fs in ("ext4", "tmpfs-huge")
              for r in ("1", "4096", "1048576")
              for q in ("dynptr_read_ns/pread", "dynptr_read_ns/mmap_memcpy")))
    report_path = os.path.join(out, "report.md")
    report = open(report_path).read() if os.path.exists(report_path) else ""
    check("report.md: the resident and evicted tables with their ratios",
          "dynptr NS / pread" in report and "evicted pages" in report and
          "ELF symbol lookup" in report)
    svg = os.path.join(out, f"plot-{kernel}.svg")
    try:
        root = ET.parse(svg).getroot()
        check("the plot is an SVG naming every method",
              root.tag.endswith("svg") and all(t in open(svg).read() for t in (
                  "dynptr read, non-sleepable", "pread()", "mmap + memcpy")))
    except (OSError, ET.ParseError) as e:
        check(f"the plot is an SVG ({e})", False)


def report_rc(out, record):
    """bench_kfunc.py's exit status on a made-up record."""
    path = os.path.join(out, "made-up.json")
    with open(path, "w") as f:
        f.write(record)
    return subprocess.run([sys.executable, os.path.join(TOP, "bench", "bench_kfunc.py"), path],
                          capture_output=True, text=True).returncode


def bench(out, kernel, rc, host_rc):
    check(f"kfunc-bench.sh -q -k {kernel}: exit 0 (every measurement's check held)", rc == 0)
    rec_path = os.path.join(out, f"{kernel}.json")
    rec = load(rec_path, {"cells": [], "files": []}) if os.path.exists(rec_path) else {
        "cells": [], "files": []}
    cells = {(c["fs"], c["method"], c["row"]): c for c in rec["cells"]}
    check("the guest said its accelerator", rec.get("accel") in ("tcg", "kvm"))
    bench_cells(rec, cells)
    bench_outputs(out, kernel)
    bad = dict(rec, cells=rec["cells"][:1] + [{"fs": "ext4", "method": "pread", "row": "1",
                                                "error": "pread returned -1"}])
    check("bench_kfunc.py: a record with a failed measurement exits 1",
          report_rc(out, json.dumps(bad)) == 1)
    check("bench_kfunc.py: a truncated record exits 1", report_rc(out, json.dumps(rec)[:200]) == 1)
    err = open(os.path.join(out, "host.err")).read()
    # This host's kernel: without the kfunc (or not as root) it must say
    # why; a 6.19+ host measures natively instead.
    check("bench_kfunc on this host: exit 3 saying why it cannot measure, or a native record",
          (host_rc == 3 and "cannot measure here" in err) or
          (host_rc == 0 and os.path.exists(os.path.join(out, "host.json"))))


def main():
    ap = argparse.ArgumentParser(description="make check's checks on whole runs.")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser("history", help="history.sh found the R-VERIFY-10 fix")
    p.add_argument("history_json")
    p.add_argument("rc", type=int)
    p = sub.add_parser("flavour", help="rt-amd64 = cloud but for tmpfs_huge and bpf_timer")
    p.add_argument("rt")
    p.add_argument("cloud")
    p = sub.add_parser("bench", help="kfunc-bench.sh -q measured every method")
    p.add_argument("out")
    p.add_argument("kernel")
    p.add_argument("rc", type=int)
    p.add_argument("host_rc", type=int)
    args = ap.parse_args()
    if args.command == "history":
        history(args.history_json, args.rc)
    elif args.command == "flavour":
        flavour(args.rt, args.cloud)
    else:
        bench(args.out, args.kernel, args.rc, args.host_rc)
    return checks.done()


if __name__ == "__main__":
    sys.exit(main())
