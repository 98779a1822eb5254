#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tables, ratios and plots from bench_kfunc's records (its -J JSON).

    bench_kfunc.py RECORD... [--md FILE] [--json FILE] [--svg PREFIX]
                   [--text-plot FILE]

One record: per filesystem, the median time per operation of each method
at each read size with its spread, the throughput, and the ratios measured
side by side in that run (dynptr / pread, dynptr / mmap). Several records
(one per kernel, as bench/kfunc-bench.sh -k A -k B makes them): the same,
then one table of the key ratios per kernel, where a regression in a read
path shows as a change of ratio. Prints Markdown; --md writes it too,
--json the summary, --svg PREFIX one SVG per record (PREFIX-KERNEL.svg:
time per read size for each method, one panel per filesystem, drawn by
gnuplot), --text-plot the first record's ext4 panel as text. Exit 1 when a
record holds a failed check or cannot be read, 2 for bad arguments.
Standard library only (and gnuplot for the plots).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

METHODS = {
    "dynptr_read_ns": "dynptr read, non-sleepable",
    "dynptr_read_s": "dynptr read, sleepable",
    "dynptr_slice_ns": "dynptr slice, non-sleepable",
    "pread": "pread()",
    "mmap_memcpy": "mmap + memcpy",
    "dynptr_read_s_cold": "dynptr read, sleepable, evicted",
    "pread_cold": "pread(), evicted",
    "mmap_memcpy_cold": "mmap + memcpy, evicted",
}
RESIDENT = ["dynptr_read_ns", "dynptr_read_s", "dynptr_slice_ns", "pread", "mmap_memcpy"]
COLD = ["dynptr_read_s_cold", "pread_cold", "mmap_memcpy_cold"]
# The ratios, as numerator / denominator of one row of one run.
RATIOS = [
    ("dynptr_read_ns", "pread"),
    ("dynptr_read_ns", "mmap_memcpy"),
    ("dynptr_read_s", "pread"),
    ("dynptr_read_s_cold", "pread_cold"),
    ("dynptr_read_s_cold", "mmap_memcpy_cold"),
]
# The per-kernel table: (filesystem, ratio, row).
KEY_RATIOS = [
    ("ext4", ("dynptr_read_ns", "pread"), "64"),
    ("ext4", ("dynptr_read_ns", "pread"), "4096"),
    ("ext4", ("dynptr_read_ns", "pread"), "1048576"),
    ("ext4", ("dynptr_read_ns", "mmap_memcpy"), "4096"),
    ("ext4", ("dynptr_read_s", "pread"), "4096"),
    ("ext4", ("dynptr_read_s_cold", "pread_cold"), "4096"),
    ("ext4", ("dynptr_read_s_cold", "pread_cold"), "1048576"),
    ("tmpfs-huge", ("dynptr_read_ns", "pread"), "4096"),
    ("tmpfs-huge", ("dynptr_read_ns", "pread"), "xN"),
]


class BadRecord(Exception):
    pass


# Not the statistics module: it imports numbers, which scripts/numbers.py
# (that imports this file) shadows.
def quantile(xs, q):
    """The q-quantile of xs, interpolated between the closest ranks."""
    xs = sorted(xs)
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def size_label(n):
    for unit, shift in (("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n} B"


def row_label(cell):
    if cell["row"].isdigit():
        return size_label(cell["len"])
    return f"{cell['row']}: {size_label(cell['len'])} at {cell['off']}"


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def fmt_rate(bps):
    if bps >= 1e9:
        return f"{bps / 1e9:.2f} GB/s"
    return f"{bps / 1e6:.1f} MB/s"


class Cell:
    """One measurement: its samples, their median and spread."""

    def __init__(self, d):
        self.d = d
        self.fs = d["fs"]
        self.method = d["method"]
        self.row = d["row"]
        self.error = d.get("error")
        self.samples = [float(x) for x in d.get("ns_per_op") or []]
        if not self.error and not self.samples:
            raise BadRecord(f"{self.fs} {self.method} {self.row}: no samples")
        self.median = quantile(self.samples, 0.5) if self.samples else None
        # The interquartile range over the median: one interrupted
        # repetition (a timer tick under TCG) does not make it.
        self.spread = None
        if len(self.samples) >= 2 and self.median:
            self.spread = (quantile(self.samples, 0.75) -
                           quantile(self.samples, 0.25)) / self.median
        length = int(d.get("len") or 0)
        self.bytes_per_s = (length * 1e9 / self.median
                            if length and self.median and self.row != "elf" else None)

    def text(self):
        if self.error:
            return "FAILED"
        if self.spread is None:
            return fmt_ns(self.median)
        return f"{fmt_ns(self.median)} ±{self.spread * 50:.0f}%"


class Record:
    def __init__(self, path):
        self.path = path
        try:
            with open(path, encoding="utf-8") as f:
                self.d = json.load(f)
        except (OSError, ValueError) as e:
            raise BadRecord(f"{path}: {e}") from e
        if self.d.get("schema") != "bench_kfunc/1":
            raise BadRecord(f"{path}: not a bench_kfunc record")
        self.cells = [Cell(c) for c in self.d.get("cells", [])]
        self.by = {(c.fs, c.method, c.row): c for c in self.cells}
        self.label = self.d.get("label") or self.d["kernel"]

    def fs_list(self):
        return list(dict.fromkeys(c.fs for c in self.cells if c.method in METHODS))

    def rows(self, fs):
        return list(dict.fromkeys(c.row for c in self.cells
                                  if c.fs == fs and c.method in METHODS))

    def median(self, fs, method, row):
        c = self.by.get((fs, method, row))
        return c.median if c and not c.error else None

    def ratio(self, fs, num, den, row):
        a, b = self.median(fs, num, row), self.median(fs, den, row)
        return a / b if a and b else None

    def failures(self):
        return [c for c in self.cells if c.error]


def conditions(rec):
    d = rec.d
    accel = d.get("accel", "?")
    lines = [
        f"kernel {d['kernel']} ({d['machine']}, {d['page_size']} B pages, "
        f"PMD folio {size_label(d['huge_folio_size']) if d['huge_folio_size'] else 'none'}), "
        f"accelerator {accel}, guest CPU {d.get('cpu_model')} at {d.get('cpu_mhz')} MHz; "
        f"{d['mode']} mode: median of {d['reps']} repetitions after {d['warmup']} "
        f"warm-up ({d['cold_reps']} for evicted pages); {d.get('seconds')} s",
    ]
    if accel == "tcg":
        lines.append("Under TCG every instruction is emulated: the absolute times mean "
                     "little; the ratios, measured side by side in one guest, something.")
    for f in d.get("files", []):
        sizes = f.get("folio_sizes")
        folios = (", ".join(f"{n} × {size_label(int(s))}" for s, n in sizes.items())
                  if sizes else "not mapped")
        lines.append(f"{f['fs']} file {size_label(f['size'])}: folios {folios}"
                     + ("; the folio map changed during the run" if f.get("folios_changed") else "")
                     + (f"; {f['note']}" if f.get("note") else ""))
    return lines


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def ratio_text(v):
    return f"{v:.2f}" if v is not None else "–"


def record_report(rec, only_rows=None):
    """The record's tables; @only_rows: the rows shown (default all)."""
    out = [f"### {rec.label}", ""]
    out += [f"- {line}" for line in conditions(rec)]
    for fs in rec.fs_list():
        rows = [r for r in rec.rows(fs) if only_rows is None or r in only_rows]
        methods = [m for m in RESIDENT if any((fs, m, r) in rec.by for r in rows)]
        head = ["read", "folios crossed"] + [METHODS[m] for m in methods] + \
               ["dynptr NS / pread", "dynptr NS / mmap", "dynptr S / pread", "dynptr NS rate"]
        table = []
        for r in rows:
            first = next(c for c in rec.cells if c.fs == fs and c.row == r)
            crossed = first.d.get("folios_crossed")
            line = [row_label(first.d), str(crossed) if crossed is not None and crossed >= 0 else "?"]
            line += [rec.by[(fs, m, r)].text() if (fs, m, r) in rec.by else "–" for m in methods]
            line += [ratio_text(rec.ratio(fs, a, b, r)) for a, b in RATIOS[:3]]
            ns = rec.by.get((fs, "dynptr_read_ns", r))
            line.append(fmt_rate(ns.bytes_per_s) if ns and ns.bytes_per_s else "–")
            table.append(line)
        out += ["", f"{fs}, resident pages (median time per read ± half the interquartile range):", ""]
        out += md_table(head, table)
        if any((fs, m, r) in rec.by for m in COLD for r in rows):
            table = []
            for r in rows:
                first = next(c for c in rec.cells if c.fs == fs and c.row == r)
                line = [row_label(first.d)]
                line += [rec.by[(fs, m, r)].text() if (fs, m, r) in rec.by else "–" for m in COLD]
                line += [ratio_text(rec.ratio(fs, a, b, r)) for a, b in RATIOS[3:]]
                table.append(line)
            out += ["", f"{fs}, evicted pages (each repetition after POSIX_FADV_DONTNEED, "
                    "mincore() proving no page resident):", ""]
            out += md_table(["read"] + [METHODS[m] for m in COLD] +
                            ["dynptr S / pread", "dynptr S / mmap"], table)
        fixed = [(name, rec.by.get((fs, m, row))) for name, m, row in (
            ("bpf_dynptr_from_file + bpf_dynptr_file_discard, non-sleepable", "create_discard_ns", "create"),
            ("the same, sleepable", "create_discard_s", "create"),
            ("the timed loop alone, per iteration", "bpf_loop_ns", "loop"))]
        fixed = [(n, c) for n, c in fixed if c]
        if fixed:
            out += ["", f"{fs}, fixed costs: " + "; ".join(f"{n} {c.text()}" for n, c in fixed) + "."]
    elf = rec.d.get("elf")
    if elf:
        fs = next(c.fs for c in rec.cells if c.row == "elf")
        cells = [rec.by.get((fs, m, "elf")) for m in ("elf_dynptr_ns", "elf_dynptr_s", "elf_libelf")]
        if all(cells):
            ns, s, lib = cells
            out += ["", f"ELF symbol lookup ({elf['symbol']}, symbol {elf['index']} of "
                    f"{elf['symbols']} in .symtab, the file's headers and symbols read one by one): "
                    f"dynptr non-sleepable {ns.text()}, sleepable {s.text()}, libelf "
                    f"(ELF_C_READ_MMAP) {lib.text()}; ratio dynptr NS / libelf "
                    f"{ratio_text(rec.ratio(fs, 'elf_dynptr_ns', 'elf_libelf', 'elf'))}, "
                    f"S / libelf {ratio_text(rec.ratio(fs, 'elf_dynptr_s', 'elf_libelf', 'elf'))}."]
    for c in rec.failures():
        out += ["", f"**FAILED** {c.fs} {c.method} {c.row}: {c.error}"]
    return out


SHORT = {"dynptr_read_ns": "NS", "dynptr_read_s": "S", "dynptr_read_s_cold": "S evicted",
         "pread": "pread", "pread_cold": "pread evicted", "mmap_memcpy": "mmap"}


def kernels_report(recs):
    head = ["kernel", "accel"] + [
        f"{fs} {SHORT[a]} / {SHORT[b]}, {r if not r.isdigit() else size_label(int(r))}"
        for fs, (a, b), r in KEY_RATIOS] + ["from_file + discard (NS)"]
    rows = []
    for rec in recs:
        fsname = next((f for f in rec.fs_list() if f.startswith("ext4")), None)
        c = rec.by.get((fsname, "create_discard_ns", "create"))
        rows.append([rec.label, rec.d.get("accel", "?")] +
                    [ratio_text(rec.ratio(fs, a, b, r)) for fs, (a, b), r in KEY_RATIOS] +
                    [c.text() if c else "–"])
    return ["### Ratios per kernel", "",
            "NS: bpf_dynptr_read() through a file dynptr in a non-sleepable program, S: in a "
            "sleepable one; pread: pread() into a buffer; mmap: memcpy() from a mapping made "
            "before; evicted: every repetition on pages just dropped. Each ratio divides two "
            "medians of the same run, measured side by side in one guest: a change between "
            "kernels is a change in that kernel's read path.", ""] + md_table(head, rows)


def summary(recs):
    runs = []
    for rec in recs:
        runs.append({
            "label": rec.label,
            "kernel": rec.d["kernel"],
            "accel": rec.d.get("accel"),
            "cpu_mhz": rec.d.get("cpu_mhz"),
            "mode": rec.d.get("mode"),
            "cells": [{
                "fs": c.fs, "method": c.method, "row": c.row, "len": c.d.get("len"),
                "median_ns": c.median, "spread": c.spread, "bytes_per_s": c.bytes_per_s,
                "repetitions": len(c.samples), "error": c.error,
            } for c in rec.cells],
            "ratios": [{
                "fs": fs, "row": r, "ratio": f"{a}/{b}", "value": rec.ratio(fs, a, b, r),
            } for fs in rec.fs_list() for r in rec.rows(fs) for a, b in RATIOS
                if rec.ratio(fs, a, b, r) is not None],
        })
    return {"schema": "bench_kfunc_summary/1", "runs": runs}


def plot_data(rec, fs, directory):
    """One data file per method: read size, median ns (power-of-two rows)."""
    series = []
    for m in RESIDENT + COLD:
        pts = sorted((c.d["len"], c.median) for c in rec.cells
                     if c.fs == fs and c.method == m and c.row.isdigit() and not c.error)
        if pts:
            path = os.path.join(directory, f"{fs}-{m}.dat")
            with open(path, "w", encoding="utf-8") as f:
                f.writelines(f"{x} {y}\n" for x, y in pts)
            series.append((path, METHODS[m]))
    return series


def gnuplot(script):
    exe = shutil.which("gnuplot")
    if not exe:
        raise BadRecord("gnuplot is not installed: apt-get install gnuplot-nox "
                        "(scripts/deps.sh plot does it)")
    done = subprocess.run([exe], input=script, text=True, capture_output=True, check=False)
    if done.returncode:
        raise BadRecord(f"gnuplot failed: {done.stderr.strip()[:300]}")
    return done.stdout


def panel(series, title):
    plots = ", ".join(f"'{p}' using 1:2 with linespoints title '{t}'" for p, t in series)
    return (f"set title '{title}'\nset logscale xy 2\nset logscale y 10\n"
            "set xlabel 'read size (bytes)'\nset ylabel 'ns per read (median)'\n"
            "set format x '2^{%L}'\nset key left top\n"
            f"plot {plots}\n")


def write_svg(rec, path):
    with tempfile.TemporaryDirectory(prefix="bench_kfunc.") as tmp:
        fs_list = rec.fs_list()
        script = (f"set terminal svg size {640 * len(fs_list)},480 dynamic\n"
                  f"set output '{path}'\nset multiplot layout 1,{len(fs_list)} "
                  f"title '{rec.label}, {rec.d.get('accel')}: time per read'\n")
        for fs in fs_list:
            script += panel(plot_data(rec, fs, tmp), fs)
        gnuplot(script + "unset multiplot\n")


def text_plot(rec):
    fs = next((f for f in rec.fs_list() if f.startswith("ext4")), rec.fs_list()[0])
    with tempfile.TemporaryDirectory(prefix="bench_kfunc.") as tmp:
        series = [s for s in plot_data(rec, fs, tmp) if "evicted" not in s[1]]
        script = "set terminal dumb size 100,30\nset format x '%.0s%c'\n" + \
            panel(series, f"{fs}, resident, {rec.label} ({rec.d.get('accel')})").replace(
                "set format x '2^{%L}'\n", "")
        return "\n".join(line.rstrip() for line in gnuplot(script).splitlines()).strip("\n") + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("records", nargs="+", metavar="RECORD")
    ap.add_argument("--label", action="append", default=[],
                    help="the name of each record in the tables ('-' or none: its kernel)")
    ap.add_argument("--md", metavar="FILE")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--svg", metavar="PREFIX")
    ap.add_argument("--text-plot", metavar="FILE")
    args = ap.parse_args(argv)
    try:
        recs = [Record(p) for p in args.records]
        for rec, label in zip(recs, args.label):
            if label != "-":
                rec.label = label
        out = []
        for rec in recs:
            out += record_report(rec) + [""]
        if len(recs) > 1:
            out += kernels_report(recs) + [""]
        text = "\n".join(out)
        print(text)
        if args.md:
            with open(args.md, "w", encoding="utf-8") as f:
                f.write(text + "\n")
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(summary(recs), f, indent=1)
        if args.svg:
            for rec in recs:
                path = f"{args.svg}-{rec.label.replace(':', '_').replace('/', '_')}.svg"
                write_svg(rec, path)
                print(f"plot: {path}")
        if args.text_plot:
            with open(args.text_plot, "w", encoding="utf-8") as f:
                f.write(text_plot(recs[0]))
    except BadRecord as e:
        print(f"bench_kfunc.py: {e}", file=sys.stderr)
        return 1
    failed = sum(len(r.failures()) for r in recs)
    if failed:
        print(f"bench_kfunc.py: {failed} measurement(s) failed their check", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
