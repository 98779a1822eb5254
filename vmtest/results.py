#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The results of one run, and every format they are written in.

The runner writes one record of its run (test_progs -J: test_progs' own
JSON shape, with this suite's fields beside upstream's); vmtest carries it
out of the guest and adds how the run ended (verdict, reason, the vmtest
object). This module reads that record into a model (Run, Test, Unit) and
writes from it the JSON, KTAP and JUnit files, the GitHub job summary and
the comparison of two runs. vmtest/report.py writes the formats and the
matrix pages from the same model; every other reader of a run (shell
scripts included) asks this module, by import or by its command line:

Usage: vmtest/results.py counts [-o TALLY] INPUT...
       vmtest/results.py failed INPUT
       vmtest/results.py verdict INPUT...
       vmtest/results.py field NAME INPUT
       vmtest/results.py tally [-o TALLY [--add]] PASSED FAILED [SKIPPED]
       vmtest/results.py step --into CHECK_JSON --name NAME --rc RC
                              --seconds S [RESULT]
       vmtest/results.py steps CHECK_JSON

An INPUT is a kernel's directory or a results JSON file (vmtest -J, the
runner's -J), or a tally {"passed": N, "failed": N, "skipped": N} that a
check writes for make check (make check's check.json is one too).

- counts: "N passed, N failed, N skipped" summed over the INPUTs (a kernel
  without results counts nothing); -o writes the sum as a tally. Exit 1
  when a unit failed.
- failed: a run's failing units, one a line, TEST[/SUBTEST]:RESULT (a test
  alone when none of its subtests failed). Exit 1 when it has no results.
- verdict: each run's "LABEL: exit N (meaning)", with ", no results:
  REASON" for a kernel that gave none. Exit 1 when one gave none.
- field: a field of the record by its dotted name (vmtest.kernel,
  units.passed), a string as it is, anything else as JSON. Exit 1 when
  it is absent.
- tally: the count line of the numbers given, written with -o (--add:
  added to the tally there, nothing printed). Exit 1 when FAILED is not 0.
- step: adds a make check step (its exit code, seconds, and the tally
  RESULT it wrote, if any) to CHECK_JSON; steps prints CHECK_JSON's table
  and total line. Exit 1 when a step failed.

Exit 2 on a usage error. Standard library only.
"""
import argparse
import json
import os
import re
import sys
from xml.sax.saxutils import quoteattr

RULE_RE = re.compile(r"\bR-[A-Z]+-\d+\b")
# A Debian kernel as vmtest names it: [FLAVOUR:]VERSION (arm64-16k:7.3.4).
VERSION_RE = re.compile(r"^([a-z0-9-]+:)?\d+\.\d+(\.\d+)?(-rc\d+)?$")
# The results whose record says "failed": true. ERROR is a setup error:
# the environment failed a probe that the setup should allow (an ext4
# scratch that would not evict); it fails the run, but it is no result of
# the kernel's, so every format keeps it apart from the others.
SETUP_ERROR = "ERROR"
KERNEL_FAILING = {"FAIL", "XPASS", "TIMEOUT", "RUNNING"}
FAILING = KERNEL_FAILING | {SETUP_ERROR}
# How a run can end without results: the exit codes vmtest and the runner use.
VERDICTS = {
    0: "all passed",
    1: "failures",
    2: "nothing selected / usage",
    3: "runner setup error",
    4: "no verdict",
    130: "interrupted",
    143: "terminated",
}


class Unit:
    """A subtest, or a test's own body: a result with its reason and log."""

    def __init__(self, d):
        self.name = str(d.get("name", "?"))
        self.number = int(d.get("number", 0) or 0)
        self.result = str(d.get("result", "FAIL"))
        self.reason = str(d.get("reason", "") or "")
        self.log = str(d.get("message", "") or "")
        self.duration_ms = int(d.get("duration_ms", 0) or 0)
        found = RULE_RE.search(self.reason) or RULE_RE.search(self.log)
        # The rule a known deviation names, or the first the failure cites.
        self.rule = str(d.get("rule", "") or "") or (found.group(0) if found else "")
        # Every rule its cases checked, failed or not.
        self.rules = [str(r) for r in d.get("rules") or []]

    @property
    def failed(self):
        return self.result in FAILING


class Test(Unit):
    """A test and its subtests, one run of it."""

    def __init__(self, d):
        super().__init__(d)
        self.run = int(d.get("run", 1) or 1)
        self.subtests = [Unit(s) for s in d.get("subtests") or []]
        # The body's own result (a crash after the subtests, say); older
        # records lack it: the test's result when no subtest explains it.
        self.body = str(d.get("body") or (self.result if not any(
            s.failed for s in self.subtests) else "OK"))

    def body_counts(self):
        """The body is a unit of its own, as the runner counts: a test
        without subtests, or one whose body did not simply pass."""
        return not self.subtests or self.body != "OK"

    def full_log(self):
        """The whole log: the test's own part, then each subtest's."""
        parts = [self.log] if self.log else []
        for s in self.subtests:
            if s.log:
                parts.append(f"--- subtest {self.name}/{s.name} ---\n{s.log}")
        return "".join(p if p.endswith("\n") else p + "\n" for p in parts)


def read_json(path):
    """(object, "") of a file holding a JSON object; (None, why) if not."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            d = json.load(f)
        if not isinstance(d, dict):
            raise ValueError("not a JSON object")
        return d, ""
    except (OSError, ValueError) as e:
        return None, f"{path}: {e}"


class Run:
    """One kernel's run: the runner's record and how vmtest saw it end."""

    def __init__(self, path):
        is_file = os.path.isfile(path) or path.endswith(".json")
        self.dir = os.path.dirname(path) if is_file else path
        self.file = path if is_file else os.path.join(path, "results.json")
        d, why = read_json(self.file)
        self.data, self.error = d or {}, None if d is not None else f"no usable results: {why}"
        self._init(self.data)

    @classmethod
    def from_dict(cls, d, where=""):
        run = cls.__new__(cls)
        run.dir, run.file, run.data, run.error = os.path.dirname(where), where, d, None
        run._init(d)
        return run

    def _init(self, d):
        vm = d.get("vmtest") or {}
        self.tests = [Test(t) for t in d.get("results") or []]
        self.units = d.get("units") or {}
        self.release = d.get("kernel", "") if self.tests else ""
        self.build = d.get("build", "")
        if self.error:
            self.verdict, self.reason = 4, self.error
        elif "verdict" in d:
            self.verdict, self.reason = int(d["verdict"]), str(d.get("reason", ""))
        else:  # a bare record (a native run): its counts are the verdict
            self.verdict = 1 if self.units.get("failed") else 0
            self.reason = ""
        # NOVERDICT: the kernel produced no results at all.
        self.noverdict = not self.tests and bool(self.error or vm.get("guest_json") is False
                                                 or self.verdict != 0)
        label = vm.get("kernel") or d.get("kernel") or ""
        if not VERSION_RE.match(label) and self.dir:
            base = os.path.basename(os.path.normpath(self.dir)) if os.path.basename(
                self.file) == "results.json" else os.path.splitext(os.path.basename(self.file))[0]
            label = re.sub(r"^results-", "", base) or label
        self.label = label or "?"
        self.seconds = vm.get("seconds")
        self.accel = vm.get("accel", "")
        self.by_name = {}
        for t in self.tests:
            self.by_name.setdefault(t.name, []).append(t)
        self.console = self.tail("console.log", 40) if self.noverdict else ""

    def tail(self, name, n):
        try:
            with open(os.path.join(self.dir, name), encoding="utf-8", errors="replace") as f:
                lines = [line.rstrip("\r\n") for line in f]
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def count(self, key):
        if key == "error" and key not in self.units:  # a record older than ERROR
            return sum(res == SETUP_ERROR for _, _, res in counted_units(self))
        return int(self.units.get(key, 0) or 0) if self.tests else 0

    def verdict_text(self):
        return f"exit {self.verdict}" + (f" ({VERDICTS[self.verdict]})"
                                        if self.verdict in VERDICTS else "")


def counted_units(run):
    """(test, unit, result) for every unit the runner counts: each
    subtest, and a test's body when it has no subtests or did not simply
    pass."""
    for t in run.tests:
        for s in t.subtests:
            yield t, s, s.result
        if t.body_counts():
            yield t, t, t.body if t.subtests else t.result


# --- JSON --------------------------------------------------------------------
def merged_record(record, meta):
    """The record with vmtest's fields added; without a record, one that says
    why there is none, in the same shape (upstream's counts all 0)."""
    have = record is not None
    if not have:
        record = {"success": 0, "success_subtest": 0, "skipped": 0, "failed": 0,
                  "failed_subtest": 0, "kernel": (meta.get("vmtest") or {}).get("kernel", ""),
                  "units": {}, "results": []}
    out = dict(record)
    for key in ("verdict", "reason"):
        if key in meta:
            out[key] = meta[key]
    if "vmtest" in meta:
        out["vmtest"] = dict(meta["vmtest"], guest_json=have)
    return out


# --- KTAP --------------------------------------------------------------------
def ktap_line(ok, num, name, directive="", data=""):
    name = name.replace("#", "_")
    tail = " ".join(x for x in (directive, data.replace("\n", " ")) if x)
    return f"{'ok' if ok else 'not ok'} {num} {name}" + (f" # {tail}" if tail else "")


def ktap_result(unit, timeout_s=None):
    """(ok, directive, data) as kselftest writes them."""
    r = unit.result
    if r == "OK":
        return True, "", ""
    if r == "SKIP":
        return True, "SKIP", unit.reason
    if r == "XFAIL":
        return True, "XFAIL", unit.reason
    if r == "XPASS":
        return True, "XPASS", unit.reason
    if r == "TIMEOUT":
        return False, "TIMEOUT", unit.reason
    if r == SETUP_ERROR:
        return False, "ERROR", setup_error_text(unit.reason)
    return False, "", unit.reason


def setup_error_text(reason):
    """A setup error's reason, saying it is one (KTAP's ERROR directive and
    JUnit's <error> say "error" for any cause)."""
    reason = reason or "no reason given"
    return reason if reason.startswith("setup error") else "setup error: " + reason


def ktap_parent(t):
    """A test's own line. As ktap.rst bubbles results up, it is "not ok" when
    a subtest's line is, or its body failed; a subtest that XPASSes (an "ok"
    line, as kselftest writes it) makes it "ok ... # XPASS"."""
    if not t.subtests:
        return ktap_result(t)
    if t.result == "TIMEOUT" or t.body == "TIMEOUT":
        return False, "TIMEOUT", t.reason
    if t.body in KERNEL_FAILING or any(s.result in ("FAIL", "TIMEOUT", "RUNNING")
                                       for s in t.subtests):
        return False, "", t.reason
    errors = [s for s in t.subtests if s.result == SETUP_ERROR]
    if t.body == SETUP_ERROR or errors:
        return False, "ERROR", setup_error_text(t.reason if t.body == SETUP_ERROR
                                                else errors[0].reason)
    if t.body == "XPASS" or any(s.result == "XPASS" for s in t.subtests):
        return True, "XPASS", t.reason
    return ktap_result(t)


def diagnostics(text, indent):
    return [f"{indent}# {line}".rstrip() for line in (text or "").splitlines()]


def ktap(run):
    """KTAP version 1 as Documentation/dev-tools/ktap.rst writes it: a test
    per runner test, its subtests nested two spaces in, each subtest's log
    as diagnostic lines right before its own result line."""
    out = ["KTAP version 1",
           f"# bpf_dynptr_from_file conformance on {run.label}: {run.verdict_text()}"
           + (f"; built with {run.build}" if run.build else "")]
    if run.noverdict:
        out += ["1..1", ktap_line(False, 1, run.label, "ERROR", run.reason or "no results")]
        out.append("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:1")
        return "\n".join(out) + "\n"
    out.append(f"1..{len(run.tests)}")
    totals = dict(pass_=0, fail=0, xfail=0, xpass=0, skip=0, error=0)
    for num, t in enumerate(run.tests, 1):
        name = t.name + (f"#{t.run}" if run_count(run, t.name) > 1 else "")
        if t.subtests:
            out += ["  KTAP version 1", f"  # Subtest: {name}", f"  1..{len(t.subtests)}"]
            for sn, s in enumerate(t.subtests, 1):
                out += diagnostics(s.log, "  ") + rule_diagnostic(s, "  ")
                ok, directive, data = ktap_result(s)
                out.append("  " + ktap_line(ok, sn, s.name, directive, data))
                count_ktap(totals, s.result)
        else:
            count_ktap(totals, t.result)
        out += diagnostics(t.log, "") + (rule_diagnostic(t, "") if not t.subtests else [])
        ok, directive, data = ktap_parent(t)
        out.append(ktap_line(ok, num, name, directive, data))
    out.append(f"# Totals: pass:{totals['pass_']} fail:{totals['fail']} xfail:{totals['xfail']} "
               f"xpass:{totals['xpass']} skip:{totals['skip']} error:{totals['error']}")
    out.append(f"# {run.count('passed')} passed, {run.count('failed')} failed, "
               f"{run.count('skipped')} skipped")
    return "\n".join(out) + "\n"


def rule_diagnostic(unit, indent):
    """The SEMANTICS.md rule of a unit that did not simply pass or skip, as
    a diagnostic line right before its result line."""
    if unit.result in ("OK", "SKIP") or not unit.rule:
        return []
    return [f"{indent}# rule: {unit.rule}"]


def count_ktap(totals, result):
    key = {"OK": "pass_", "SKIP": "skip", "XFAIL": "xfail", "XPASS": "xpass",
           SETUP_ERROR: "error"}.get(result, "fail")
    totals[key] += 1


def run_count(run, name):
    return len(run.by_name.get(name, []))


# --- JUnit -------------------------------------------------------------------
def xml_attrs(**kw):
    return "".join(f" {a}={quoteattr(str(v))}" for a, v in kw.items())


def cdata(text):
    return "<![CDATA[" + (text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"


def junit_case(classname, name, ms, res, rule, reason, log):
    """One testcase: a kernel's failure as <failure>, a setup error and a
    kernel without a verdict as <error> (the schemas' "could not run as
    meant"), a skip as <skipped>, then the log."""
    out = ["    <testcase" + xml_attrs(classname=classname, name=name,
                                       time="%.3f" % (ms / 1000.0)) + ">"]
    text = (f"{rule}: " if rule and rule not in reason else "") + (reason or res)
    if res in KERNEL_FAILING:
        out.append(f"      <failure{xml_attrs(type=res, message=text)}>{cdata(log)}</failure>")
    elif res in (SETUP_ERROR, "NOVERDICT"):
        msg = setup_error_text(reason) if res == SETUP_ERROR else text
        out.append(f"      <error{xml_attrs(type=res, message=msg)}>{cdata(log)}</error>")
    elif res == "SKIP":
        out.append(f"      <skipped{xml_attrs(message=reason or 'skipped')}/>")
    if res == "XFAIL":
        out.append(f"      <system-out>{cdata('XFAIL (a known deviation): ' + text + chr(10) + log)}</system-out>")
    elif res not in FAILING and res != "NOVERDICT" and log:
        out.append(f"      <system-out>{cdata(log)}</system-out>")
    out.append("    </testcase>")
    return out


def junit(run):
    """JUnit XML in the shape common schemas (Jenkins' xunit junit-10.xsd,
    Ant's) accept: testsuites with name/tests/failures/errors/time, a
    testsuite per test named KERNEL/test, a testcase per subtest with its
    time, failure/error/skipped then system-out. A kernel without a
    verdict is one testcase in error."""
    suites = []
    kname = re.sub(r"[^A-Za-z0-9_-]", "_", run.label)
    if run.noverdict:
        suites.append((f"{run.label}/vmtest", [(f"{kname}.vmtest", "verdict", 0, "NOVERDICT",
                                                "", run.reason, run.console)]))
    for t in run.tests:
        suite = f"{run.label}/{t.name}" + (f"#{t.run}" if run_count(run, t.name) > 1 else "")
        cases = [(f"{kname}.{t.name}", s.name, s.duration_ms, s.result, s.rule, s.reason, s.log)
                 for s in t.subtests]
        # The body is a case of its own when it has none, or it failed apart.
        if t.body_counts():
            res = t.result if not t.subtests else t.body
            cases.append((f"{kname}.{t.name}", t.name, t.duration_ms, res, t.rule,
                          t.reason, t.full_log()))
        suites.append((suite, cases))
    tot = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
    body = []
    for suite, cases in suites:
        cnt = {"tests": len(cases), "failures": sum(c[3] in KERNEL_FAILING for c in cases),
               "errors": sum(c[3] in (SETUP_ERROR, "NOVERDICT") for c in cases),
               "skipped": sum(c[3] == "SKIP" for c in cases),
               "time": sum(c[2] for c in cases) / 1000.0}
        for key in tot:
            tot[key] += cnt[key]
        body.append("  <testsuite" + xml_attrs(name=suite, tests=cnt["tests"],
                                                failures=cnt["failures"], errors=cnt["errors"],
                                                skipped=cnt["skipped"],
                                                time="%.3f" % cnt["time"]) + ">")
        for case in cases:
            body += junit_case(*case)
        body.append("  </testsuite>")
    top = xml_attrs(name="bpf_dynptr_from_file conformance on " + run.label, tests=tot["tests"],
                    failures=tot["failures"], errors=tot["errors"], time="%.3f" % tot["time"])
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', f"<testsuites{top}>"]
                     + body + ["</testsuites>"]) + "\n"


# --- Markdown summary of one run -------------------------------------------
def md_escape(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def first_assert(text):
    """The line of a log that says best what failed."""
    lines = [line.strip() for line in (text or "").splitlines()]
    for line in lines:
        if ": FAIL " in line or "result: actual" in line or "pattern not matched" in line:
            return line
    return next((line for line in lines if line and not line.startswith("--- subtest ")), "")


def failures(run):
    """(test, unit) for every failing unit; a test alone only when it failed
    with no failing subtest."""
    out = []
    for t in run.tests:
        bad = [s for s in t.subtests if s.failed]
        out += [(t, s) for s in bad]
        if t.failed and not bad:
            out.append((t, t))
    return out


def failure_table(bad):
    out = ["| result | test | rule | reason |", "|---|---|---|---|"]
    for t, u in bad:
        name = t.name if u is t else f"{t.name}/{u.name}"
        why = u.reason or first_assert(u.log if u is not t else t.full_log())
        out.append(f"| {u.result} | `{name}` | {u.rule or '-'} | {md_escape(why) or '-'} |")
    return out + [""]


def summary(run):
    """One kernel as Markdown, for $GITHUB_STEP_SUMMARY."""
    mark = "" if run.verdict == 0 else "**"
    out = [f"### Kernel {md_escape(run.label)}: {mark}{run.verdict_text()}{mark}", ""]
    if run.noverdict:
        out += [f"No results: {md_escape(run.reason) or 'no reason given'}", ""]
        if run.console:
            out += ["Last console lines:", "", "```", run.console, "```", ""]
        return "\n".join(out) + "\n"
    out.append(f"{run.count('passed')} passed, {run.count('failed')} failed, "
               f"{run.count('skipped')} skipped; XFAIL {run.count('xfail')}, "
               f"XPASS {run.count('xpass')}, TIMEOUT {run.count('timeout')}, "
               f"ERROR {run.count('error')}"
               + (f"; kernel {md_escape(run.release)}" if run.release else "")
               + (f"; {run.seconds:.0f} s" if isinstance(run.seconds, (int, float)) else "")
               + (f" under {run.accel}" if run.accel and run.accel != "none" else ""))
    out.append("")
    if run.verdict != 0 and run.reason:
        out += [f"Reason: {md_escape(run.reason)}", ""]
    bad = failures(run)
    kernel = [(t, u) for t, u in bad if u.result != SETUP_ERROR]
    setup = [(t, u) for t, u in bad if u.result == SETUP_ERROR]
    if kernel:
        out += failure_table(kernel)
    if setup:
        out += [f"Setup errors (the environment failed a probe the setup should allow; "
                f"not results of the kernel): {len(setup)}", ""] + failure_table(setup)
    xfail = [(t, s) for t in run.tests for s in t.subtests if s.result == "XFAIL"]
    if xfail:
        out += [f"<details><summary>{len(xfail)} known deviations (XFAIL)</summary>", ""]
        out += [f"- `{t.name}/{s.name}` ({s.rule or '?'})" for t, s in xfail]
        out += ["", "</details>", ""]
    return "\n".join(out) + "\n"


# --- tallies: a check's counts, as make check collects them ----------------
def tally_of(path):
    """(passed, failed, skipped) of a run or a tally file; None when there
    is neither (no file, no results)."""
    run = Run(path)
    d = run.data
    if run.tests:
        return run.count("passed"), run.count("failed"), run.count("skipped")
    if not run.error and "results" not in d and isinstance(d.get("passed"), int):
        return tuple(int(d.get(k, 0) or 0) for k in ("passed", "failed", "skipped"))
    return None


def count_line(counts):
    return "%d passed, %d failed, %d skipped" % tuple(counts)


def write_tally(path, counts, add=False):
    """Writes {"passed", "failed", "skipped"} to path (none: nothing); with
    add, the counts already there (if any) added."""
    if not path:
        return
    old = tally_of(path) if add and os.path.exists(path) else None
    if old:
        counts = [a + b for a, b in zip(old, counts)]
    with open(path + ".part", "w", encoding="utf-8") as f:
        json.dump(dict(zip(("passed", "failed", "skipped"), counts)), f)
        f.write("\n")
    os.replace(path + ".part", path)


class Checks:
    """A check script's checks: a line each, then the count line, and its
    tally written where make check asks (CHECK_RESULT), or to a file."""

    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, ok, detail=""):
        ok = bool(ok)
        self.passed += ok
        self.failed += not ok
        print(("ok   " if ok else "FAIL ") + what + (f": {detail}" if detail and not ok else ""))
        return ok

    def problems(self, what, problems):
        """A check that passes when PROBLEMS is empty; each printed below."""
        for p in [] if self.check(what, not problems) else problems:
            print(f"     {p}")

    def done(self, tally=None, add=False):
        """The count line; exit status 1 when a check failed."""
        print(f"{self.passed} passed, {self.failed} failed")
        write_tally(tally if tally else os.environ.get("CHECK_RESULT"),
                    (self.passed, self.failed, 0), add)
        return 1 if self.failed else 0


def add_step(into, name, rc, seconds, result):
    """make check's step into its check.json: the counts the step wrote; a
    step that wrote none counts as one check (passed when it exited 0), and
    one that failed without a failed count counts one failure."""
    check = read_json(into)[0] or {"steps": []}
    p, f, s = (tally_of(result) if result else None) or (int(rc == 0), 0, 0)
    if rc != 0 and f == 0:
        f = 1
    check["steps"].append({"name": name, "rc": rc, "passed": p, "failed": f,
                           "skipped": s, "seconds": seconds})
    for key in ("passed", "failed", "skipped"):
        check[key] = sum(st[key] for st in check["steps"])
    with open(into + ".part", "w", encoding="utf-8") as out:
        json.dump(check, out, indent=1)
    os.replace(into + ".part", into)


def print_steps(path):
    with open(path, encoding="utf-8") as f:
        check = json.load(f)
    for st in check["steps"]:
        print("%-40s exit %d  %4d passed %3d failed %3d skipped  %3d s" % (
            st["name"], st["rc"], st["passed"], st["failed"], st["skipped"], st["seconds"]))
    print(count_line((check["passed"], check["failed"], check["skipped"])))
    return 1 if any(st["rc"] for st in check["steps"]) else 0


# --- the command line ----------------------------------------------------------
def field(data, name):
    """A field by its dotted name; KeyError when absent."""
    for part in name.split("."):
        if not isinstance(data, dict) or part not in data:
            raise KeyError(name)
        data = data[part]
    return data


def failed_units(run):
    """TEST[/SUBTEST]:RESULT of every failing unit, each once, in order."""
    seen = {}
    for t, u in failures(run):
        seen.setdefault(t.name if u is t else f"{t.name}/{u.name}", u.result)
    return [f"{name}:{res}" for name, res in seen.items()]


def cmd_counts(args):
    got = [tally_of(p) for p in args.inputs]
    total = [sum(c[i] for c in got if c) for i in range(3)]
    write_tally(args.output, total)
    print(count_line(total))
    return 1 if total[1] else 0


def cmd_verdict(args):
    none = 0
    for p in args.inputs:
        run = Run(p)
        none += run.noverdict
        print(f"{run.label}: {run.verdict_text()}"
              + (f", no results: {run.reason or 'no reason given'}" if run.noverdict else ""))
    return 1 if none else 0


def cmd_field(args):
    run = Run(args.input)
    try:
        value = field(run.data, args.name)
    except KeyError:
        print(f"results.py: {run.error or args.input + ': no field ' + args.name}",
              file=sys.stderr)
        return 1
    print(value if isinstance(value, str) else json.dumps(value))
    return 0


def cmd_tally(args):
    counts = (args.passed, args.failed, args.skipped)
    write_tally(args.output, counts, args.add)
    if not args.add:
        print(count_line(counts))
    return 1 if args.failed else 0


def parser():
    ap = argparse.ArgumentParser(
        prog="results.py", description="Read a run's results: counts, failures, verdict, a field.",
        epilog="Exit 2 on a usage error; see the module's docstring for each command's status.")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser("counts", help="N passed, N failed, N skipped, summed")
    p.add_argument("-o", "--output", metavar="TALLY", help="write the sum as a tally")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p = sub.add_parser("failed", help="a run's failing units, one a line")
    p.add_argument("input", metavar="INPUT")
    p = sub.add_parser("verdict", help="each run's verdict; exit 1 when one gave no results")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p = sub.add_parser("field", help="a field of the record, by its dotted name")
    p.add_argument("name", metavar="NAME")
    p.add_argument("input", metavar="INPUT")
    p = sub.add_parser("tally", help="the line of these counts, written with -o")
    p.add_argument("-o", "--output", metavar="TALLY", help="write them as a tally")
    p.add_argument("--add", action="store_true", help="add them to -o's, print nothing")
    for name in ("passed", "failed"):
        p.add_argument(name, type=int, metavar=name.upper())
    p.add_argument("skipped", type=int, nargs="?", default=0, metavar="SKIPPED")
    p = sub.add_parser("step", help="add make check's step to its check.json")
    p.add_argument("--into", required=True, metavar="CHECK_JSON")
    p.add_argument("--name", required=True)
    p.add_argument("--rc", required=True, type=int)
    p.add_argument("--seconds", required=True, type=int)
    p.add_argument("result", nargs="?", metavar="RESULT", help="the tally the step wrote")
    p = sub.add_parser("steps", help="print make check's table and total line")
    p.add_argument("check", metavar="CHECK_JSON")
    return ap


def main(argv=None):
    args = parser().parse_args(argv)
    if args.command == "failed":
        run = Run(args.input)
        if not run.tests:
            print(f"results.py: no results: {run.reason}", file=sys.stderr)
            return 1
        for line in failed_units(run):
            print(line)
        return 0
    if args.command == "step":
        add_step(args.into, args.name, args.rc, args.seconds, args.result)
        return 0
    if args.command == "steps":
        return print_steps(args.check)
    return {"counts": cmd_counts, "verdict": cmd_verdict, "field": cmd_field,
            "tally": cmd_tally}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
