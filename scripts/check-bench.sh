#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's benchmark step: bench/kfunc-bench.sh in its quick mode on
# KERNEL (default 7.3.4) must measure every method on ext4 and on a tmpfs of
# PMD-sized folios with every check holding, and write the ratio tables, the
# summary and a plot; bench_kfunc.py must refuse a record with a failed or
# missing measurement; on this host, without the kfunc, bench_kfunc must
# say so and exit 3 (a 6.19+ host measures). Times nothing.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
out=${1:-build/bench-check}
kernel=${2:-7.3.4}
OUTPUT=${OUTPUT:-build}

rm -rf "$out"
bench/kfunc-bench.sh -q -k "$kernel" -o "$out"
rc=$?
"$OUTPUT/bench_kfunc" -q -J "$out/host.json" >/dev/null 2>"$out/host.err"
host_rc=$?
python3 - "$out" "$kernel" "$rc" "$host_rc" <<'PY'
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

out, kernel, rc, host_rc = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
checks = []


def check(what, ok):
    checks.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + what)


check(f"kfunc-bench.sh -q -k {kernel}: exit 0 (every measurement's check held)", rc == 0)
rec_path = os.path.join(out, f"{kernel}.json")
rec = json.load(open(rec_path)) if os.path.exists(rec_path) else {"cells": [], "files": []}
cells = {(c["fs"], c["method"], c["row"]): c for c in rec["cells"]}
check("the guest said its accelerator", rec.get("accel") in ("tcg", "kvm"))
for fs, methods in (("ext4", ["dynptr_read_ns", "dynptr_read_s", "dynptr_slice_ns", "pread",
                              "mmap_memcpy", "dynptr_read_s_cold", "pread_cold",
                              "mmap_memcpy_cold"]),
                    ("tmpfs-huge", ["dynptr_read_ns", "dynptr_read_s", "dynptr_slice_ns",
                                    "pread", "mmap_memcpy"])):
    for m in methods:
        rows = [r for (f, mm, r) in cells if f == fs and mm == m]
        check(f"{fs} {m}: 1 B .. 1 MiB and the folio crossings, bytes compared",
              {"1", "64", "4096", "65536", "1048576", "x1", "xN"} <= set(rows) and
              all(cells[(fs, m, r)].get("verified") == "bytes equal the file's" and
                  len(cells[(fs, m, r)]["ns_per_op"]) == rec["cold_reps" if m.endswith("_cold")
                                                           else "reps"]
                  for r in rows))
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
summary_path = os.path.join(out, "summary.json")
summary = json.load(open(summary_path)) if os.path.exists(summary_path) else {"runs": [{}]}
ratios = {(r["fs"], r["row"], r["ratio"]) for r in summary["runs"][0].get("ratios", [])}
check("summary: dynptr / pread and dynptr / mmap for each size on both filesystems",
      all((fs, r, q) in ratios for fs in ("ext4", "tmpfs-huge") for r in ("1", "4096", "1048576")
          for q in ("dynptr_read_ns/pread", "dynptr_read_ns/mmap_memcpy")))
report = open(os.path.join(out, "report.md")).read() if os.path.exists(
    os.path.join(out, "report.md")) else ""
check("report.md: the resident and evicted tables with their ratios",
      "dynptr NS / pread" in report and "evicted pages" in report and "ELF symbol lookup" in report)
svg = os.path.join(out, f"plot-{kernel}.svg")
try:
    root = ET.parse(svg).getroot()
    check("the plot is an SVG naming every method",
          root.tag.endswith("svg") and all(t in open(svg).read() for t in
                                           ("dynptr read, non-sleepable", "pread()", "mmap + memcpy")))
except (OSError, ET.ParseError) as e:
    check(f"the plot is an SVG ({e})", False)

# bench_kfunc.py refuses what it must.
def report_rc(record):
    path = os.path.join(out, "made-up.json")
    with open(path, "w") as f:
        f.write(record)
    return subprocess.run([sys.executable, "bench/bench_kfunc.py", path],
                          capture_output=True, text=True).returncode


bad = dict(rec, cells=rec["cells"][:1] + [{"fs": "ext4", "method": "pread", "row": "1",
                                            "error": "pread returned -1"}])
check("bench_kfunc.py: a record with a failed measurement exits 1", report_rc(json.dumps(bad)) == 1)
check("bench_kfunc.py: a truncated record exits 1", report_rc(json.dumps(rec)[:200]) == 1)
err = open(os.path.join(out, "host.err")).read()
# This host's kernel: without the kfunc (or not as root) it must say why;
# a 6.19+ host measures natively instead.
check("bench_kfunc on this host: exit 3 saying why it cannot measure, or a native record",
      (host_rc == 3 and "cannot measure here" in err) or
      (host_rc == 0 and os.path.exists(os.path.join(out, "host.json"))))
print(f"{sum(checks)} passed, {len(checks) - sum(checks)} failed")
sys.exit(0 if all(checks) else 1)
PY
