#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Results into the formats their readers take, and the conformance matrix.

Usage: vmtest/report.py [-o DIR] [--title TEXT] [--note TEXT] [-q] INPUT...
       vmtest/report.py --emit [--record FILE] [--verdict N --reason TEXT
                        --kernel K --arch A --image I --accel X --cpus N
                        --memory M --seconds S] [-J FILE] [--ktap FILE]
                        [--junit FILE] [--summary]
       vmtest/report.py [--summary] [--junit FILE] [--ktap FILE] INPUT
       vmtest/report.py --same INPUT INPUT
       vmtest/report.py --list-rerun INPUT...

Every format a run is written in (vmtest/results.py is its model, and
the command line other scripts read a run through). An
INPUT is a kernel's directory (results.json, and the runner.log,
console.log and dmesg.log vmtest -o keeps), a results JSON file, or a
directory of kernel directories (such as downloaded CI artifacts; taken in
version order).

The matrix: DIR/matrix.md and DIR/matrix.html (one self-contained page:
the same table colour-coded, every cell that is not PASS linking to its log
excerpt, each column's header to that kernel's logs, embedded) and the
Markdown printed. Rows are tests and subtests, cells PASS, FAIL, SKIP,
XFAIL, XPASS, TIMEOUT, ERROR (a setup error: the environment failed a
probe the setup should allow; a failure, but not the kernel's), NOVERDICT
(the kernel gave no results) or "-" (not run), above them a summary per
kernel.

--emit writes one run's files from the runner's record (test_progs -J)
and what vmtest knows of the run (--verdict, --reason, and the vmtest
object: --kernel, --arch, --image, --accel, --cpus, --memory, --seconds),
also when there is no record (it exits 0 once they are written, whatever
the verdict): -J the JSON (the record, test_progs' shape, with vmtest's
fields added), --ktap KTAP version 1, --junit JUnit XML. With --summary
the Markdown summary of one kernel is printed (verdict, counts, every
failure with its reason and rule), for a CI job's summary page.
--summary, --junit and --ktap also take one existing INPUT.

A kernel directory that holds first-run/ (matrix.sh ran the kernel again:
its first run gave no verdict, or a TIMEOUT, ERROR or RUNNING result) is
shown as its re-run, and the matrix lists under it every unit whose result
differed between the two runs (a flake, with both results).
--list-rerun prints the directory of each INPUT to run again so.

--same writes nothing: the two results (the same kernel run with two
builds, say) must give every test and subtest the same result; the rows
that differ are printed, then "N passed, N failed" counting rows (and
--tally FILE writes those counts for make check).

Exit status: for the matrix, 0 when every kernel's verdict is 0, else 1;
--same: 0 when no row differs; --emit, --summary, --junit, --ktap: 0 once
written, whatever the verdict. 2 on a usage error. Standard library only.
"""
import argparse
import html
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402
import upstream_report  # noqa: E402
from results import FAILING, SETUP_ERROR, Run, first_assert, md_escape  # noqa: E402

SHOWN = {"OK": "PASS"}  # the runner says OK, the matrix PASS
# Worst first: when a test ran several times (--repeat), its worst result.
# A setup error (ERROR) is a failure, but says less than the kernel's own.
SEVERITY = ["TIMEOUT", "FAIL", "XPASS", "RUNNING", "ERROR", "XFAIL", "PASS", "SKIP"]
LOG_LINES = 200  # longest log excerpt in the HTML page
KERNEL_LOG_LINES = 400  # longest kernel log kept in the page, from its end
NOT_RUN = "-"
# Results the machine can give as well as the kernel (a hang, a probe that
# failed under load): matrix.sh runs a kernel with one, or without a
# verdict, once more, and keeps its first run in the kernel's FIRST_RUN.
SUSPECT = ("TIMEOUT", "ERROR", "RUNNING")
FIRST_RUN = "first-run"
# The vmtest object of a run's JSON, in its order: --emit's options.
VMTEST_FIELDS = {"kernel": str, "arch": str, "image": str, "accel": str, "cpus": int,
                 "memory": str, "seconds": float}


def version_key(name):
    parts = re.findall(r"\d+|[^\d]+", name)
    return [(0, int(p)) if p.isdigit() else (1, p) for p in parts]


def expand(inputs):
    """Kernel directories and files, a directory of them in version order."""
    out = []
    for p in inputs:
        if os.path.isdir(p) and not os.path.exists(os.path.join(p, "results.json")):
            subs = [os.path.join(p, s) for s in os.listdir(p)
                    if os.path.isfile(os.path.join(p, s, "results.json"))]
            if not subs:
                out.append(p)  # reported as a kernel without results
            out.extend(sorted(subs, key=lambda s: version_key(os.path.basename(s))))
        else:
            out.append(p)
    return out


def shown(res):
    return SHOWN.get(res, res)


def worst(res_list):
    res_list = [shown(r) for r in res_list]
    return min(res_list, key=lambda r: SEVERITY.index(r) if r in SEVERITY else 0)


class Cell:
    def __init__(self, text, message="", log="", inherited=False):
        self.text, self.message, self.log, self.inherited = text, message, log, inherited
        self.anchor = ""


def is_control(k):
    """A control kernel: it ran, and every unit skipped (no kfunc)."""
    return bool(k.tests) and all(t.result == "SKIP" for t in k.tests)


def build(kernels):
    """Rows [(test, sub)] in test and subtest order, and cells[row][k]."""
    order = {}
    for k in kernels:
        for runs in k.by_name.values():
            t = runs[0]
            tkey = order.setdefault(t.name, [t.number or 1 << 30, {}])
            for r in runs:
                for s in r.subtests:
                    tkey[1].setdefault(s.name, s.number or 1 << 30)
    rows = []
    for name, (num, subs) in sorted(order.items(), key=lambda kv: (kv[1][0], kv[0])):
        rows.append((name, None))
        rows += [(name, s) for s, _ in sorted(subs.items(), key=lambda kv: (kv[1], kv[0]))]

    cells = {}
    for row in rows:
        test, sub = row
        cells[row] = []
        for k in kernels:
            if k.noverdict:
                cells[row].append(Cell("NOVERDICT", k.reason))
                continue
            runs = k.by_name.get(test)
            if not runs:
                cells[row].append(Cell(NOT_RUN, "not run on this kernel"))
                continue
            if sub is None:
                res = worst([r.result for r in runs])
                bad = next((r for r in runs if shown(r.result) == res), runs[0])
                cells[row].append(Cell(res, bad.reason, bad.full_log()))
                continue
            found = [s for r in runs for s in r.subtests if s.name == sub]
            if found:
                res = worst([s.result for s in found])
                s = next((s for s in found if shown(s.result) == res), found[0])
                log = f"--- subtest {test}/{sub} ---\n{s.log}" if s.log else ""
                cells[row].append(Cell(res, s.reason, log))
            elif all(shown(r.result) == "SKIP" for r in runs):
                cells[row].append(Cell("SKIP", "the test skipped before its subtests: " +
                                       runs[0].reason, inherited=True))
            else:
                cells[row].append(Cell(NOT_RUN, "not run (test ended before it, or filtered out)"))
    return rows, cells


def needs_rerun(k):
    """--list-rerun: the kernel gave no verdict, or a unit a SUSPECT result."""
    return k.noverdict or any(res in SUSPECT for _, _, res in results.counted_units(k))


def unit_results(k):
    return {t.name if u is t else f"{t.name}/{u.name}": res
            for t, u, res in results.counted_units(k)}


def rerun_diff(k):
    """None when the kernel was not run again; else (first run's verdict,
    [(unit, first result, kept result)] where the two runs differ)."""
    path = os.path.join(k.dir, FIRST_RUN) if k.dir else ""
    if not path or not os.path.isfile(os.path.join(path, "results.json")):
        return None
    first = Run(path)
    if first.noverdict:
        return first.verdict_text() + ", no results: " + first.reason, []
    a, b = unit_results(first), unit_results(k)
    return first.verdict_text(), [(n, shown(a.get(n, NOT_RUN)), shown(b.get(n, NOT_RUN)))
                                  for n in dict.fromkeys(list(a) + list(b))
                                  if a.get(n) != b.get(n)]


def md_reruns(kernels):
    """The kernels matrix.sh ran again, and each difference the re-run made:
    a flake, with both results."""
    out = []
    for k in kernels:
        diff = rerun_diff(k)
        if diff is None:
            continue
        verdict, units = diff
        line = (f"- **{md_escape(k.label)}**: first run {md_escape(verdict)}; the re-run shown "
                f"above: {k.verdict_text()}")
        out.append(line + (", every result repeated (no flake)" if not units and
                           "no results" not in verdict else ""))
        out += [f"  - flake `{n}`: {a} on the first run, {b} on the re-run" for n, a, b in units]
    if out:
        out = ["### Kernels run again (no verdict, or a TIMEOUT, ERROR or RUNNING result on the "
               "first run)", ""] + out + [""]
    return out


def row_name(row):
    return row[0] if row[1] is None else f"{row[0]}/{row[1]}"


def interesting(kernels, row, cells):
    """A row worth showing: a kernel failed it, or the kernels disagree.
    A control kernel's SKIP is not a disagreement, nor is a kernel that
    gave no results (its column says so, and the summary why)."""
    vals = [c.text for k, c in zip(kernels, cells[row])
            if not (is_control(k) and c.text == "SKIP") and c.text != "NOVERDICT"]
    return any(v in FAILING for v in vals) or len(set(vals)) > 1


def summary_rows(kernels):
    return [
        ("verdict", [("" if k.verdict == 0 else "**") + k.verdict_text() +
                     ("" if k.verdict == 0 else "**") for k in kernels]),
        ("passed / failed / skipped",
         [NOT_RUN if k.noverdict else
          f"{k.count('passed')} / {k.count('failed')} / {k.count('skipped')}" for k in kernels]),
        ("XFAIL / XPASS / TIMEOUT / ERROR",
         [NOT_RUN if k.noverdict else
          f"{k.count('xfail')} / {k.count('xpass')} / {k.count('timeout')} / {k.count('error')}"
          for k in kernels]),
        ("kernel release", [k.release or NOT_RUN for k in kernels]),
        ("time (s)", [(f"{k.seconds:.0f}" if isinstance(k.seconds, (int, float)) else NOT_RUN)
                      + (f" {k.accel}" if k.accel and k.accel != "none" else "") for k in kernels]),
    ]


def problems(kernels, rows, cells):
    """(kernel, row or None, cell or None) for every failure and no-verdict."""
    out = []
    for i, k in enumerate(kernels):
        if k.noverdict:
            out.append((k, None, None))
            continue
        if k.verdict != 0 and not any(cells[r][i].text in FAILING for r in rows):
            out.append((k, None, None))  # e.g. a kernel splat with all tests passing
        for r in rows:
            c = cells[r][i]
            # A test row repeats its failing subtests: list it only alone.
            if c.text in FAILING and (r[1] is not None or not any(
                    rr[0] == r[0] and rr[1] is not None and cells[rr][i].text in FAILING
                    for rr in rows)):
                out.append((k, r, c))
    return out


def markdown(kernels, rows, cells, title, note):
    out = [f"## {title}", ""]
    if note:
        out += [note, ""]
    out.append("| test | " + " | ".join(md_escape(k.label) for k in kernels) + " |")
    out.append("|---|" + "---|" * len(kernels))
    for name, vals in summary_rows(kernels):
        out.append(f"| **{name}** | " + " | ".join(md_escape(v) for v in vals) + " |")
    for r in rows:
        name = f"**{md_escape(r[0])}**" if r[1] is None else md_escape(row_name(r))
        out.append(f"| {name} | " + " | ".join(c.text for c in cells[r]) + " |")
    out.append("")
    probs = problems(kernels, rows, cells)
    if probs:
        out += ["### Failures and kernels without a clean verdict", ""]
        for k, r, c in probs:
            if r is None:
                out.append(f"- **{md_escape(k.label)}**: {k.verdict_text()}: "
                           f"{md_escape(k.reason) or 'no reason given'}")
            else:
                why = c.message or first_assert(c.log)
                what = c.text + (" (setup error)" if c.text == SETUP_ERROR else "")
                out.append(f"- **{md_escape(k.label)}** `{row_name(r)}`: {what}"
                           + (f": {md_escape(why)}" if why else ""))
        out.append("")
    out += md_reruns(kernels)
    out.append("Cells: PASS, FAIL, SKIP, XFAIL (a known deviation, counted as passed), "
               "XPASS (a known deviation that no longer reproduces, a failure), TIMEOUT, "
               "ERROR (a setup error: the environment failed a probe the setup should allow; "
               "a failure, not a result of the kernel), NOVERDICT (the kernel gave no results), - (not run).")
    return "\n".join(out) + "\n"


CSS = """
body { font: 13px/1.35 system-ui, sans-serif; margin: 1em; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 2px 6px; white-space: nowrap; }
thead th { position: sticky; top: 0; background: #f4f4f4; z-index: 2; }
td.name { position: sticky; left: 0; background: #fff; }
tr.test td.name { font-weight: bold; }
tr.sub td.name { padding-left: 1.6em; color: #444; }
tr.summary td { background: #f8f8f8; }
td.c { text-align: center; font-weight: 600; }
td.c a { color: inherit; }
th small a { font-weight: normal; margin: 0 1px; }
.PASS { background: #c8efc8; } .FAIL { background: #f4a6a6; }
.SKIP { background: #e4e4e4; color: #666; } .XFAIL { background: #fbe9a6; }
.XPASS { background: #f9b86b; } .TIMEOUT { background: #d7a6f4; }
.ERROR { background: #fff; color: #b00; outline: 2px dashed #b00; outline-offset: -3px; }
.NOVERDICT { background: #555; color: #fff; } .none { color: #aaa; }
.inherited { font-weight: normal !important; font-style: italic; }
.bad { background: #f4a6a6; font-weight: bold; } .good { background: #c8efc8; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 6px; overflow-x: auto;
      max-height: 40em; }
section.log { margin: 1.2em 0; } section.log:target { outline: 3px solid #f9b86b; }
.legend span { display: inline-block; padding: 1px 6px; margin-right: 4px; }
"""

JS = """
document.getElementById('only').addEventListener('change', function (e) {
  document.querySelectorAll('tr.test, tr.sub').forEach(function (tr) {
    tr.style.display = e.target.checked && !tr.dataset.show ? 'none' : '';
  });
});
"""

KERNEL_LOGS = (("runner", "runner.log"), ("console", "console.log"), ("dmesg", "dmesg.log"))


def clipped(text, n):
    lines = (text or "").splitlines()
    more = len(lines) - n
    return ("\n".join(lines[:n]) + (f"\n... {more} more lines" if more > 0 else "")).strip()


def html_head(title, note):
    esc = html.escape
    h = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
         f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
         f"<h1>{esc(title)}</h1>"]
    if note:
        h.append(f"<p>{esc(note)}</p>")
    h.append('<p class="legend">' + "".join(
        f'<span class="{s}">{s}</span>' for s in
        ["PASS", "FAIL", "SKIP", "XFAIL", "XPASS", "TIMEOUT", "ERROR", "NOVERDICT"]) +
        ' <span class="none">- not run</span>; <i>SKIP</i> in italics: the whole test skipped. '
        'XFAIL: a known deviation (counted as passed); XPASS: a known deviation that '
        'no longer reproduces (a failure); ERROR: a setup error (the environment '
        'failed a probe the setup should allow), a failure but not the kernel\'s. Click a cell for its log, a kernel for its logs.</p>')
    h.append('<p><label><input type="checkbox" id="only"> only rows where the kernels '
             'disagree or one failed (a control kernel\'s SKIP does not count)</label></p>')
    return h


def html_summary(kernels, kanchor):
    """The table's head (a kernel a column, linking to its logs) and the
    summary rows."""
    esc = html.escape
    heads = []
    for k in kernels:
        a = kanchor[id(k)]
        links = " ".join(f'<a href="#{a}-{what}">{what}</a>' for what, f in KERNEL_LOGS
                         if k.tail(f, 1))
        heads.append(f'<th><a href="#{a}">{esc(k.label)}</a>'
                     + (f"<br><small>{links}</small>" if links else "") + "</th>")
    h = ["<table><thead><tr><th>test</th>" + "".join(heads) + "</tr></thead><tbody>"]
    for name, vals in summary_rows(kernels):
        tds = []
        for k, v in zip(kernels, vals):
            v = v.strip("*")
            cls = ""
            if name == "verdict":
                cls = ' class="good"' if k.verdict == 0 else ' class="bad"'
                v = f'<a href="#{kanchor[id(k)]}">{esc(v)}</a>'
            else:
                v = esc(v)
            tds.append(f"<td{cls}>{v}</td>")
        h.append(f'<tr class="summary"><td class="name">{esc(name)}</td>{"".join(tds)}</tr>')
    return h


def html_rows(kernels, rows, cells, kanchor):
    esc = html.escape
    h = []
    for r in rows:
        tds = []
        for i, c in enumerate(cells[r]):
            cls = c.text if c.text != NOT_RUN else "none"
            if c.inherited:
                cls += " inherited"
            title_attr = f' title="{esc(c.message)}"' if c.message else ""
            text = esc(c.text)
            if c.anchor:
                text = f'<a href="#{c.anchor}">{text}</a>'
            elif c.text == "NOVERDICT":
                text = f'<a href="#{kanchor[id(kernels[i])]}">{text}</a>'
            tds.append(f'<td class="c {cls}"{title_attr}>{text}</td>')
        h.append(f'<tr class="{"test" if r[1] is None else "sub"}"'
                 f'{" data-show=1" if interesting(kernels, r, cells) else ""}>'
                 f'<td class="name">{esc(row_name(r))}</td>{"".join(tds)}</tr>')
    h.append("</tbody></table>")
    return h


def html_kernels(kernels, kanchor):
    """A section per kernel: its verdict, release, build, and its logs."""
    esc = html.escape
    h = ["<h2>Kernels</h2>"]
    for k in kernels:
        a = kanchor[id(k)]
        h.append(f'<section class="log" id="{a}"><h3>{esc(k.label)}: '
                 f'{esc(k.verdict_text())}</h3><ul>')
        if k.reason:
            h.append(f"<li>reason: {esc(k.reason)}</li>")
        if k.release:
            h.append(f"<li>runner's kernel release: {esc(k.release)}</li>")
        if k.build:
            h.append(f"<li>suite built with: {esc(k.build)}</li>")
        h.append(f"<li>results: {esc(k.file)}</li></ul>")
        for what, f in KERNEL_LOGS:
            text = k.tail(f, KERNEL_LOG_LINES)
            if text:
                h.append(f'<details id="{a}-{what}"><summary>{what} log ({esc(f)}, '
                         f'last {KERNEL_LOG_LINES} lines at most)</summary>'
                         f"<pre>{esc(text)}</pre></details>")
        h.append("</section>")
    return h


def html_logs(logs, kanchor):
    """The log excerpt of every cell that links to one."""
    esc = html.escape
    h = ["<h2>Logs</h2>"] if logs else []
    for k, r, c in logs:
        body = clipped(c.log, LOG_LINES)
        h.append(f'<section class="log" id="{c.anchor}"><h3><span class="{c.text}">{c.text}</span> '
                 f'{esc(row_name(r))} on <a href="#{kanchor[id(k)]}">{esc(k.label)}</a></h3>')
        if c.message:
            h.append(f"<p>{esc(c.message)}</p>")
        h.append(f"<pre>{esc(body) if body else '(no log captured)'}</pre></section>")
    return h


def html_reruns(kernels):
    """md_reruns() as a list: each flake with both results."""
    lines = md_reruns(kernels)
    if not lines:
        return []
    items = "".join(f"<li>{html.escape(line.strip()[2:]).replace('**', '').replace('`', '')}</li>"
                    for line in lines[2:-1])
    return [f"<h2>{html.escape(lines[0][4:])}</h2><ul>{items}</ul>"]


def html_page(kernels, rows, cells, title, note):
    # Every cell that is not PASS (nor "-") links to its log excerpt.
    logs, n = [], 0
    for r in rows:
        for i, c in enumerate(cells[r]):
            if c.text in ("PASS", NOT_RUN, "NOVERDICT"):
                continue
            c.anchor = f"log{n}"
            n += 1
            logs.append((kernels[i], r, c))
    kanchor = {id(k): f"kernel{i}" for i, k in enumerate(kernels)}
    h = (html_head(title, note) + html_summary(kernels, kanchor)
         + html_rows(kernels, rows, cells, kanchor) + html_reruns(kernels)
         + html_kernels(kernels, kanchor)
         + html_logs(logs, kanchor))
    # Opening a kernel log's link opens its <details>.
    h.append("<script>" + JS + """
window.addEventListener('hashchange', function () {
  var d = document.getElementById(location.hash.slice(1));
  if (d && d.tagName === 'DETAILS') d.open = true;
});
</script></body></html>""")
    return "\n".join(h) + "\n"


def same(kernels, tally=None):
    """--same: every row has the same result in both; prints what differs."""
    a, b = kernels
    rows, cells = build(kernels)
    differ = 0
    for k in kernels:
        if k.noverdict:
            print(f"{k.label}: no results ({k.reason})")
            differ += 1
    for row in rows:
        ca, cb = cells[row]
        if ca.text != cb.text:
            differ += 1
            hint = (" (a TIMEOUT, ERROR or RUNNING can come from the machine: run again to "
                    "tell a flake)" if {ca.text, cb.text} & set(SUSPECT) else "")
            print(f"differs: {row_name(row)}: {ca.text} in {a.file}, {cb.text} in {b.file}{hint}")
    print(f"{len(rows) - differ} passed, {differ} failed")
    results.write_tally(tally, (len(rows) - differ, differ, 0))
    return 1 if differ else 0


def write(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".part", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".part", path)


def write_formats(args, run):
    """The one-run files asked for: KTAP, JUnit, the CI summary."""
    if args.ktap:
        write(args.ktap, results.ktap(run))
    if args.junit:
        write(args.junit, results.junit(run))
    if args.summary:
        sys.stdout.write(results.summary(run))


def emit(args):
    """--emit: one run's files from the runner's record and vmtest's view."""
    meta = {}
    if args.verdict is not None:
        meta = {"verdict": args.verdict, "reason": args.reason,
                "vmtest": {k: getattr(args, k) for k in VMTEST_FIELDS}}
    record, why = results.read_json(args.record) if args.record else (None, "no record given")
    why = f"the runner's record {why}" if args.record else why
    if upstream_report.is_upstream(record):  # vmtest --upstream-runner's
        record = upstream_report.convert(record)
    if record is not None and not isinstance(record.get("results"), list):
        record, why = None, f"the runner's record {args.record} has no results"
    if record is None and "verdict" in meta and not meta.get("reason"):
        meta["reason"] = why
    merged = results.merged_record(record, meta)
    run = Run.from_dict(merged, args.json or args.record or "")
    if args.json:
        write(args.json, json.dumps(merged, indent=1) + "\n")
    write_formats(args, run)
    return 0  # written; the verdict is the caller's to tell


def main():
    ap = argparse.ArgumentParser(
        description="Results into JSON, KTAP, JUnit, summaries and the conformance matrix.",
        epilog="Exit 0 when every kernel's verdict is 0, else 1.")
    ap.add_argument("inputs", nargs="*", metavar="INPUT",
                    help="kernel directory, results JSON, or a directory of kernel directories")
    ap.add_argument("-o", "--output", default=".", help="where matrix.md and matrix.html go")
    ap.add_argument("--title", default="bpf_dynptr_from_file conformance matrix")
    ap.add_argument("--note", default="", help="a line under the title (e.g. the wall time)")
    ap.add_argument("-q", "--quiet", action="store_true", help="do not print the Markdown")
    ap.add_argument("--same", action="store_true",
                    help="compare two results row by row; write nothing")
    ap.add_argument("--tally", metavar="FILE", help="--same: write its counts (make check's)")
    ap.add_argument("--emit", action="store_true",
                    help="write one run's files from --record and the vmtest fields")
    ap.add_argument("--record", metavar="FILE", help="the runner's JSON record (--emit)")
    ap.add_argument("--verdict", type=int, metavar="N", help="how vmtest saw the run end (--emit)")
    ap.add_argument("--reason", default="", metavar="TEXT", help="why, when the verdict is not 0")
    for name, kind in VMTEST_FIELDS.items():
        ap.add_argument("--" + name, type=kind, help=f"the vmtest object's {name} (--emit)")
    ap.add_argument("-J", "--json", metavar="FILE", help="write the run's JSON (--emit)")
    ap.add_argument("--list-rerun", action="store_true",
                    help="print each INPUT to run again (no verdict, a TIMEOUT, ERROR or RUNNING)")
    ap.add_argument("--summary", action="store_true",
                    help="print one kernel's Markdown summary instead of the matrix")
    ap.add_argument("--junit", metavar="FILE", help="write one kernel's results as JUnit XML")
    ap.add_argument("--ktap", metavar="FILE", help="write one kernel's results as KTAP")
    args = ap.parse_args()

    if args.emit:
        if args.inputs:
            ap.error("--emit takes --record and the vmtest fields, not INPUTs")
        return emit(args)
    if not args.inputs:
        ap.error("give at least one INPUT")
    kernels = [Run(p) for p in expand(args.inputs)]
    seen = {}
    for k in kernels:  # column labels must be unique
        seen[k.label] = seen.get(k.label, 0) + 1
        if seen[k.label] > 1:
            k.label += f" ({seen[k.label]})"
    if args.list_rerun:
        for k in kernels:
            if needs_rerun(k):
                print(k.dir)
        return 0
    if args.same:
        if len(kernels) != 2:
            ap.error("--same takes two results")
        return same(kernels, args.tally)
    if args.summary or args.junit or args.ktap:
        if len(kernels) != 1:
            ap.error("--summary, --junit and --ktap take one kernel")
        write_formats(args, kernels[0])
        return 0  # written; the verdict is in them
    rows, cells = build(kernels)
    md = markdown(kernels, rows, cells, args.title, args.note)
    os.makedirs(args.output, exist_ok=True)
    write(os.path.join(args.output, "matrix.md"), md)
    write(os.path.join(args.output, "matrix.html"), html_page(kernels, rows, cells, args.title, args.note))
    if not args.quiet:
        sys.stdout.write(md)
    return 0 if all(k.verdict == 0 for k in kernels) else 1


if __name__ == "__main__":
    sys.exit(main())
