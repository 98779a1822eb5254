#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Conformance matrix from per-kernel results (vmtest -J, or the runner's -J).

Usage: vmtest/report.py [-o DIR] [--title TEXT] [--note TEXT] [-q] INPUT...
       vmtest/report.py --same INPUT INPUT
       vmtest/report.py [--summary] [--junit FILE] INPUT

An INPUT is a kernel's directory (results.json, and the runner.log and
console.log vmtest -o keeps), a results JSON file, or a directory of kernel
directories (such as downloaded CI artifacts; taken in version order).
Columns follow the order given.

Writes DIR/matrix.md and DIR/matrix.html (a single self-contained page:
the same table colour-coded, each failure linking to its log excerpt) and
prints the Markdown. Rows are tests and subtests, cells PASS, FAIL, SKIP,
XFAIL, XPASS, TIMEOUT, NOVERDICT (the kernel gave no results) or "-" (not
run), above them a summary per kernel.

With --summary, the Markdown summary of one kernel is printed instead
(verdict, counts, every failure with its reason and rule), for a CI job's
summary page. --junit FILE writes the kernel's results as JUnit XML (a
testsuite per test, named KERNEL/test; a testcase per subtest; a kernel
without a verdict is one testcase in error).

With --same, nothing is written: the two results (the same kernel run with
two builds, say) must give every test and subtest the same result; the
rows that differ are printed, then "N passed, N failed" counting rows.

Exit status: 0 when every kernel's verdict is 0 (--same: no row differs), 1
otherwise, 2 on a usage error. Standard library only.
"""
import argparse
import html
import json
import os
import re
import sys
from xml.sax.saxutils import quoteattr

VERSION_RE = re.compile(r"^\d+\.\d+(\.\d+)?(-rc\d+)?$")
SHOWN = {"OK": "PASS"}  # the runner says OK, the matrix PASS
# Worst first: when a test ran several times (--repeat), its worst result.
SEVERITY = ["TIMEOUT", "FAIL", "XPASS", "RUNNING", "XFAIL", "PASS", "SKIP"]
FAILING = {"FAIL", "XPASS", "TIMEOUT", "RUNNING"}
HAS_LOG = FAILING | {"XFAIL"}
VERDICTS = {
    0: "all passed",
    1: "failures",
    2: "nothing selected / usage",
    3: "runner setup error",
    4: "no verdict",
    130: "interrupted",
    143: "terminated",
}
LOG_LINES = 200  # longest log excerpt in the HTML page
NOT_RUN = "-"


def version_key(name):
    parts = re.findall(r"\d+|[^\d]+", name)
    return [(0, int(p)) if p.isdigit() else (1, p) for p in parts]


class Kernel:
    def __init__(self, path):
        is_file = os.path.isfile(path) or path.endswith(".json")
        self.dir = os.path.dirname(path) if is_file else path
        self.file = path if is_file else os.path.join(path, "results.json")
        self.data, self.error = {}, None
        try:
            with open(self.file, encoding="utf-8", errors="replace") as f:
                self.data = json.load(f)
            if not isinstance(self.data, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as e:
            self.error = f"no usable results: {self.file}: {e}"
            self.data = {}
        d = self.data
        vm = d.get("vmtest") or {}
        self.results = d.get("results") or []
        self.release = d.get("kernel", "") if vm.get("guest_json", True) and self.results else ""
        if self.error:
            self.verdict, self.reason = 4, self.error
        elif "verdict" in d:
            self.verdict, self.reason = int(d["verdict"]), d.get("reason", "")
        else:  # a bare runner JSON (a native run): its counts are the verdict
            self.verdict = 1 if d.get("failed") else 0
            self.reason = ""
        # NOVERDICT: the kernel produced no results at all.
        self.noverdict = not self.results and (self.error or vm.get("guest_json") is False
                                               or self.verdict != 0)
        label = vm.get("kernel") or d.get("kernel") or ""
        if not VERSION_RE.match(label):
            label = os.path.basename(os.path.normpath(self.dir if not is_file or os.path.basename(
                path) == "results.json" else os.path.splitext(path)[0])) or label
            label = re.sub(r"^results-", "", label)
        self.label = label or "?"
        self.seconds = vm.get("seconds")
        self.accel = vm.get("accel", "")
        # test name -> list of result dicts (one per run)
        self.tests = {}
        for t in self.results:
            self.tests.setdefault(t.get("name", "?"), []).append(t)
        self.console = self._tail("console.log", 40) if self.noverdict else ""

    def _tail(self, name, n):
        try:
            with open(os.path.join(self.dir, name), encoding="utf-8", errors="replace") as f:
                lines = [l.rstrip("\r\n") for l in f]
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def count(self, key):
        return self.data.get(key, 0) if self.results else 0


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


def worst(results):
    results = [shown(r) for r in results]
    return min(results, key=lambda r: SEVERITY.index(r) if r in SEVERITY else 0)


def log_section(log, test, sub):
    """The subtest's part of its test's log (runner/api.c marks it)."""
    if not log or sub is None:
        return log or ""
    marker = f"--- subtest {test}/{sub} ---\n"
    start = log.find(marker)
    if start < 0:
        return log
    nxt = log.find("\n--- subtest ", start + 1)
    return log[start:] if nxt < 0 else log[start:nxt + 1]


def first_assert(text):
    """The line of a log that says best what failed."""
    lines = [l.strip() for l in text.splitlines()]
    for line in lines:
        if ": FAIL " in line or "result: actual" in line or "pattern not matched" in line:
            return line
    return next((l for l in lines if l and not l.startswith("--- subtest ")), "")


class Cell:
    def __init__(self, text, message="", log="", inherited=False):
        self.text, self.message, self.log, self.inherited = text, message, log, inherited
        self.anchor = ""


def build(kernels):
    """Rows [(test, sub)] in test and subtest order, and cells[row][k]."""
    order = {}
    for k in kernels:
        for runs in k.tests.values():
            t = runs[0]
            name = t.get("name", "?")
            tkey = order.setdefault(name, [t.get("number", 1 << 30), {}])
            for r in runs:
                for s in r.get("subtests") or []:
                    tkey[1].setdefault(s.get("name", "?"), s.get("number", 1 << 30))
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
            runs = k.tests.get(test)
            if not runs:
                cells[row].append(Cell(NOT_RUN, "not run on this kernel"))
                continue
            if sub is None:
                res = worst([r.get("result", "FAIL") for r in runs])
                bad = [r for r in runs if shown(r.get("result")) == res] or runs
                msg = bad[0].get("message", "")
                log = bad[0].get("log", "")
                cells[row].append(Cell(res, msg, log))
                continue
            found = [(r, s) for r in runs for s in (r.get("subtests") or [])
                     if s.get("name") == sub]
            if found:
                res = worst([s.get("result", "FAIL") for _, s in found])
                r, s = next(((r, s) for r, s in found if shown(s.get("result")) == res), found[0])
                cells[row].append(Cell(res, s.get("message", ""),
                                       log_section(r.get("log", ""), test, sub)))
            elif all(shown(r.get("result")) == "SKIP" for r in runs):
                cells[row].append(Cell("SKIP", "the test skipped before its subtests: " +
                                       runs[0].get("message", ""), inherited=True))
            else:
                cells[row].append(Cell(NOT_RUN, "not run (test ended before it, or filtered out)"))
    return rows, cells


def row_name(row):
    return row[0] if row[1] is None else f"{row[0]}/{row[1]}"


def verdict_text(k):
    return f"exit {k.verdict}" + (f" ({VERDICTS[k.verdict]})" if k.verdict in VERDICTS else "")


def summary_rows(kernels):
    rows = [
        ("verdict", [("" if k.verdict == 0 else "**") + verdict_text(k) +
                     ("" if k.verdict == 0 else "**") for k in kernels]),
        ("passed / failed / skipped",
         [NOT_RUN if k.noverdict else
          f"{k.count('passed')} / {k.count('failed')} / {k.count('skipped')}" for k in kernels]),
        ("XFAIL / XPASS / TIMEOUT",
         [NOT_RUN if k.noverdict else
          f"{k.count('xfail')} / {k.count('xpass')} / {k.count('timeout')}" for k in kernels]),
        ("kernel release", [k.release or NOT_RUN for k in kernels]),
        ("time (s)", [(f"{k.seconds:.0f}" if isinstance(k.seconds, (int, float)) else NOT_RUN)
                      + (f" {k.accel}" if k.accel and k.accel != "none" else "") for k in kernels]),
    ]
    return rows


def md_escape(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


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
                out.append(f"- **{md_escape(k.label)}**: {verdict_text(k)}: "
                           f"{md_escape(k.reason) or 'no reason given'}")
            else:
                why = c.message or first_assert(c.log)
                out.append(f"- **{md_escape(k.label)}** `{row_name(r)}`: {c.text}"
                           + (f": {md_escape(why)}" if why else ""))
        out.append("")
    out.append("Cells: PASS, FAIL, SKIP, XFAIL (a known deviation, counted as passed), "
               "XPASS (a known deviation that no longer reproduces, a failure), TIMEOUT, "
               "NOVERDICT (the kernel gave no results), - (not run).")
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
.PASS { background: #c8efc8; } .FAIL { background: #f4a6a6; }
.SKIP { background: #e4e4e4; color: #666; } .XFAIL { background: #fbe9a6; }
.XPASS { background: #f9b86b; } .TIMEOUT { background: #d7a6f4; }
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
    tr.style.display = e.target.checked && tr.dataset.allpass ? 'none' : '';
  });
});
"""


def html_page(kernels, rows, cells, title, note):
    esc = html.escape
    probs = problems(kernels, rows, cells)
    for n, (k, r, c) in enumerate(probs):
        if c is not None:
            c.anchor = f"log{n}"
    # XFAIL cells link to their logs too (the deviation in action).
    logs = [(k, r, c) for k, r, c in probs if c is not None]
    n = len(probs)
    for r in rows:
        for i, c in enumerate(cells[r]):
            if c.text == "XFAIL" and c.log and not c.anchor:
                c.anchor = f"log{n}"
                n += 1
                logs.append((kernels[i], r, c))
    kanchor = {id(k): f"kernel{i}" for i, k in enumerate(kernels)}

    h = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
         f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
         f"<h1>{esc(title)}</h1>"]
    if note:
        h.append(f"<p>{esc(note)}</p>")
    h.append('<p class="legend">' + "".join(
        f'<span class="{s}">{s}</span>' for s in
        ["PASS", "FAIL", "SKIP", "XFAIL", "XPASS", "TIMEOUT", "NOVERDICT"]) +
        ' <span class="none">- not run</span>; <i>SKIP</i> in italics: the whole test skipped. '
        'XFAIL: a known deviation (counted as passed); XPASS: a known deviation that '
        'no longer reproduces (a failure). Click a failure for its log.</p>')
    h.append('<p><label><input type="checkbox" id="only"> only rows where some kernel '
             'did not PASS</label></p>')
    h.append("<table><thead><tr><th>test</th>" + "".join(
        f'<th><a href="#{kanchor[id(k)]}">{esc(k.label)}</a></th>' for k in kernels)
        + "</tr></thead><tbody>")
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
    for r in rows:
        allpass = all(c.text == "PASS" for c in cells[r])
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
                 f'{" data-allpass=1" if allpass else ""}>'
                 f'<td class="name">{esc(row_name(r))}</td>{"".join(tds)}</tr>')
    h.append("</tbody></table>")

    h.append("<h2>Kernels</h2>")
    for k in kernels:
        h.append(f'<section class="log" id="{kanchor[id(k)]}"><h3>{esc(k.label)}: '
                 f'{esc(verdict_text(k))}</h3><ul>')
        if k.reason:
            h.append(f"<li>reason: {esc(k.reason)}</li>")
        if k.release:
            h.append(f"<li>runner's kernel release: {esc(k.release)}</li>")
        h.append(f"<li>results: {esc(k.file)}</li></ul>")
        if k.console:
            h.append(f"<p>last console lines:</p><pre>{esc(k.console)}</pre>")
        h.append("</section>")

    if logs:
        h.append("<h2>Logs</h2>")
    for k, r, c in logs:
        lines = (c.log or "").splitlines()
        more = len(lines) - LOG_LINES
        body = "\n".join(lines[:LOG_LINES]) + (f"\n... {more} more lines" if more > 0 else "")
        h.append(f'<section class="log" id="{c.anchor}"><h3><span class="{c.text}">{c.text}</span> '
                 f'{esc(row_name(r))} on <a href="#{kanchor[id(k)]}">{esc(k.label)}</a></h3>')
        if c.message:
            h.append(f"<p>{esc(c.message)}</p>")
        h.append(f"<pre>{esc(body) if body.strip() else '(no log captured)'}</pre></section>")
    h.append(f"<script>{JS}</script></body></html>")
    return "\n".join(h) + "\n"


RULE_RE = re.compile(r"\bR-[A-Z]+-\d+\b")


def rule_of(*texts):
    """The SEMANTICS.md rule a failure names, if it names one."""
    for t in texts:
        m = RULE_RE.search(t or "")
        if m:
            return m.group(0)
    return ""


def kernel_summary(k):
    """--summary: one kernel as Markdown, for $GITHUB_STEP_SUMMARY."""
    rows, cells = build([k])
    mark = "" if k.verdict == 0 else "**"
    out = [f"### Kernel {md_escape(k.label)}: {mark}{verdict_text(k)}{mark}", ""]
    if k.noverdict:
        out += [f"No results: {md_escape(k.reason) or 'no reason given'}", ""]
        if k.console:
            out += ["Last console lines:", "", "```", k.console, "```", ""]
        return "\n".join(out) + "\n"
    out.append(f"{k.count('passed')} passed, {k.count('failed')} failed, "
               f"{k.count('skipped')} skipped; XFAIL {k.count('xfail')}, "
               f"XPASS {k.count('xpass')}, TIMEOUT {k.count('timeout')}"
               + (f"; kernel {md_escape(k.release)}" if k.release else "")
               + (f"; {k.seconds:.0f} s" if isinstance(k.seconds, (int, float)) else "")
               + (f" under {k.accel}" if k.accel and k.accel != "none" else ""))
    out.append("")
    if k.verdict != 0 and k.reason:
        out += [f"Reason: {md_escape(k.reason)}", ""]
    bad = [(r, cells[r][0]) for r in rows if cells[r][0].text in FAILING and
           (r[1] is not None or not any(rr[0] == r[0] and rr[1] is not None and
                                        cells[rr][0].text in FAILING for rr in rows))]
    if bad:
        out += ["| result | test | rule | reason |", "|---|---|---|---|"]
        for r, c in bad:
            why = c.message or first_assert(c.log)
            out.append(f"| {c.text} | `{row_name(r)}` | {rule_of(c.message, c.log) or '-'} | "
                       f"{md_escape(why) or '-'} |")
        out.append("")
    xfail = [r for r in rows if r[1] is not None and cells[r][0].text == "XFAIL"]
    if xfail:
        out += [f"<details><summary>{len(xfail)} known deviations (XFAIL)</summary>", ""]
        out += [f"- `{row_name(r)}` ({rule_of(cells[r][0].message, cells[r][0].log) or '?'})"
                for r in xfail]
        out += ["", "</details>", ""]
    return "\n".join(out) + "\n"


def junit(k):
    """--junit: JUnit XML for one kernel, in the shape common readers take."""
    def attrs(**kw):
        return "".join(f" {a}={quoteattr(str(v))}" for a, v in kw.items())

    def cdata(text):
        return "<![CDATA[" + (text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"

    suites = []
    if k.noverdict:
        suites.append((f"{k.label}/vmtest", [(f"{k.label}.vmtest", "verdict", 0.0, "ERROR",
                                              k.reason, k.console)]))
    for name, runs in k.tests.items():
        for n, t in enumerate(runs):
            suite = f"{k.label}/{name}" + (f"#{n + 1}" if len(runs) > 1 else "")
            secs = (t.get("duration_ms") or 0) / 1000.0
            subs = t.get("subtests") or []
            cases = []
            for s in subs:
                ssecs = (s.get("duration_ms") or 0) / 1000.0
                cases.append((f"{k.label}.{name}", s.get("name", "?"), ssecs, shown(s.get("result")),
                              s.get("message", ""), log_section(t.get("log", ""), name, s.get("name"))))
            if not subs or shown(t.get("result")) in FAILING and not any(
                    shown(c[3]) in FAILING for c in cases):
                cases.append((f"{k.label}.{name}", name, secs, shown(t.get("result")),
                              t.get("message", ""), t.get("log", "")))
            suites.append((suite, cases))
    x = ['<?xml version="1.0" encoding="UTF-8"?>']
    tot = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
    body = []
    for suite, cases in suites:
        cnt = {"tests": len(cases), "failures": sum(c[3] in FAILING for c in cases),
               "errors": sum(c[3] == "ERROR" for c in cases),
               "skipped": sum(c[3] == "SKIP" for c in cases),
               "time": sum(c[2] for c in cases)}
        for key in tot:
            tot[key] += cnt[key]
        suite_attrs = attrs(name=suite, tests=cnt["tests"], failures=cnt["failures"],
                            errors=cnt["errors"], skipped=cnt["skipped"],
                            time="%.3f" % cnt["time"])
        body.append(f"  <testsuite{suite_attrs}>")
        for classname, name, secs, res, msg, log in cases:
            case_attrs = attrs(classname=classname, name=name, time="%.3f" % secs)
            body.append(f"    <testcase{case_attrs}>")
            rule = rule_of(msg, log)
            text = (f"{rule}: " if rule and rule not in msg else "") + (msg or first_assert(log) or res)
            if res in FAILING:
                body.append(f"      <failure{attrs(type=res, message=text)}>{cdata(log)}</failure>")
            elif res == "ERROR":
                body.append(f"      <error{attrs(type='NOVERDICT', message=text)}>{cdata(log)}</error>")
            elif res == "SKIP":
                body.append(f"      <skipped{attrs(message=msg or 'skipped')}/>")
            elif res == "XFAIL":
                note = "XFAIL (a known deviation): " + (msg or "") + "\n" + (log or "")
                body.append(f"      <system-out>{cdata(note)}</system-out>")
            body.append("    </testcase>")
        body.append("  </testsuite>")
    top = attrs(name="bpf_dynptr_from_file conformance on " + k.label, tests=tot["tests"],
                failures=tot["failures"], errors=tot["errors"], time="%.3f" % tot["time"])
    x.append(f"<testsuites{top}>")
    x += body
    x.append("</testsuites>")
    return "\n".join(x) + "\n"


def same(kernels):
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
            print(f"differs: {row_name(row)}: {ca.text} in {a.file}, {cb.text} in {b.file}")
    print(f"{len(rows) - differ} passed, {differ} failed")
    return 1 if differ else 0


def main():
    ap = argparse.ArgumentParser(
        description="Conformance matrix from per-kernel vmtest -J results.",
        epilog="Exit 0 when every kernel's verdict is 0, else 1.")
    ap.add_argument("inputs", nargs="+", metavar="INPUT",
                    help="kernel directory, results JSON, or a directory of kernel directories")
    ap.add_argument("-o", "--output", default=".", help="where matrix.md and matrix.html go")
    ap.add_argument("--title", default="bpf_dynptr_from_file conformance matrix")
    ap.add_argument("--note", default="", help="a line under the title (e.g. the wall time)")
    ap.add_argument("-q", "--quiet", action="store_true", help="do not print the Markdown")
    ap.add_argument("--same", action="store_true",
                    help="compare two results row by row; write nothing")
    ap.add_argument("--summary", action="store_true",
                    help="print one kernel's Markdown summary instead of the matrix")
    ap.add_argument("--junit", metavar="FILE", help="write one kernel's results as JUnit XML")
    args = ap.parse_args()

    kernels = [Kernel(p) for p in expand(args.inputs)]
    if args.same:
        if len(kernels) != 2:
            ap.error("--same takes two results")
        return same(kernels)
    if args.summary or args.junit:
        if len(kernels) != 1:
            ap.error("--summary and --junit take one kernel")
        k = kernels[0]
        if args.junit:
            with open(args.junit + ".part", "w", encoding="utf-8") as f:
                f.write(junit(k))
            os.replace(args.junit + ".part", args.junit)
        if args.summary:
            sys.stdout.write(kernel_summary(k))
        return 0 if k.verdict == 0 else 1
    seen = {}
    for k in kernels:  # column labels must be unique
        seen[k.label] = seen.get(k.label, 0) + 1
        if seen[k.label] > 1:
            k.label += f" ({seen[k.label]})"
    rows, cells = build(kernels)
    md = markdown(kernels, rows, cells, args.title, args.note)
    os.makedirs(args.output, exist_ok=True)
    with open(os.path.join(args.output, "matrix.md"), "w", encoding="utf-8") as f:
        f.write(md)
    with open(os.path.join(args.output, "matrix.html"), "w", encoding="utf-8") as f:
        f.write(html_page(kernels, rows, cells, args.title, args.note))
    if not args.quiet:
        sys.stdout.write(md)
    return 0 if all(k.verdict == 0 for k in kernels) else 1


if __name__ == "__main__":
    sys.exit(main())
