#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make check's format checks: a run's JSON, KTAP and JUnit, read as the
tools CI systems use read them.

Usage: scripts/check_formats.py [--tally FILE] --kunit KUNIT_PY
                                [--expect TEST/SUB=RESULT]... JSON KTAP JUNIT
       scripts/check_formats.py [--tally FILE] --matrix-page HTML

- JSON: read the way test_progs -J's readers read it (BPF CI's summary
  script takes success, success_subtest, skipped, failed and each result's
  name, number, message, failed and subtests); the counts must follow
  upstream's meaning (failed: tests that failed), every failing unit must
  carry its log, and upstream's and this suite's fields must agree.
- KTAP: parsed by the kernel's own kunit.py (--json and --junit); the
  counts, the names and every failing subtest's own log must come through.
- JUnit: read by junitparser (python3-junitparser) and held to the rules of
  the schemas CI systems publish (Jenkins' xunit junit-10.xsd, Ant's
  JUnit.xsd): only attributes they allow, the required ones present, a time
  on every testcase, the kernel in each suite's name.

- The matrix page (--matrix-page): every cell but PASS links to its log,
  each kernel's logs are on it, the filter keeps what a control kernel
  does not explain.

Prints a line per check and "N passed, N failed"; --tally adds those
counts to FILE (vmtest/results.py reads it).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vmtest"))
from results import Checks, Run  # noqa: E402

# "failed": true; of them, ERROR is a setup error, not the kernel's result.
KERNEL_FAILING = {"FAIL", "XPASS", "TIMEOUT"}
FAILING = KERNEL_FAILING | {"ERROR"}
checks = Checks()
check = checks.check


def units(d):
    """(test, subtest or None, dict) for every unit, as the runner counts:
    each subtest, and the test's body when it has none or did not pass."""
    for t in d["results"]:
        for s in t["subtests"]:
            yield t, s, s
        if not t["subtests"]:
            yield t, None, t
        elif t.get("body", "OK") != "OK":
            yield t, None, dict(t, result=t["body"])


def upstream_reader(d):
    """What a reader written from test_progs.c's JSON writer extracts: the
    summary line and every failure, named "#N test" or "#N/M test/sub"."""
    line = (f"Success: {d['success']}/{d['success_subtest']}, Skipped: {d['skipped']}, "
            f"Failed: {d['failed']}")
    failed = []
    for t in d["results"]:
        if t["failed"]:
            failed.append((f"#{t['number']} {t['name']}", t["message"]))
        for s in t["subtests"]:
            if s["failed"]:
                failed.append((f"#{t['number']}/{s['number']} {t['name']}/{s['name']}",
                               s["message"]))
    return line, failed


def check_json(d, expect):
    for key in ("success", "success_subtest", "skipped", "failed", "failed_subtest", "results"):
        check(f"JSON: upstream's field '{key}' is there", key in d)
    try:
        line, failed = upstream_reader(d)
    except (KeyError, TypeError) as e:
        check("JSON: an upstream reader reads it", False, repr(e))
        return
    check("JSON: an upstream reader reads it", True)
    tests = d["results"]
    want = {
        "failed": sum(t["result"] in FAILING for t in tests),
        "success": sum(t["result"] not in FAILING for t in tests),
        "failed_subtest": sum(s["result"] in FAILING for t in tests for s in t["subtests"]),
        "success_subtest": sum(s["result"] in ("OK", "XFAIL") for t in tests for s in t["subtests"]),
        "skipped": sum(s["result"] == "SKIP" for t in tests for s in t["subtests"])
        + sum(t["result"] == "SKIP" and not t["subtests"] for t in tests),
    }
    got = {k: d[k] for k in want}
    check("JSON: upstream's counts keep upstream's meaning (failed = failed tests)",
          got == want, f"{got} != {want}")
    bools = all(isinstance(x["failed"], bool) and x["failed"] == (x["result"] in FAILING)
                for t in tests for x in [t] + t["subtests"])
    check("JSON: every test and subtest has 'failed', true exactly for FAIL, XPASS, TIMEOUT, ERROR",
          bools)
    empty = [n for n, msg in failed if not msg.strip() and "/" in n]
    check("JSON: every failing subtest's 'message' is its log", not empty, f"empty: {empty}")
    u = d.get("units") or {}
    unit_list = [x for _, _, x in units(d)]
    check("JSON: the runner's units agree with the results",
          (u.get("passed"), u.get("failed"), u.get("skipped")) ==
          (sum(x["result"] in ("OK", "XFAIL") for x in unit_list),
           sum(x["result"] in FAILING for x in unit_list),
           sum(x["result"] == "SKIP" for x in unit_list)), f"{u}")
    bad_rule = [f"{t['name']}/{s['name']}" for t in tests for s in t["subtests"]
                if s["result"] in ("XFAIL", "XPASS") and not re.match(r"R-[A-Z]+-\d+$", s["rule"])]
    check("JSON: every XFAIL and XPASS names its rule", not bad_rule, f"{bad_rule}")
    rule_re = re.compile(r"R-[A-Z]+-\d+$")
    no_rules = [f"{t['name']}/{s['name']}" for t in tests for s in t["subtests"]
                if not isinstance(s.get("rules"), list) or
                not all(rule_re.match(r) or r == "..." for r in s["rules"])]
    check("JSON: every subtest lists the rules it checked ('rules')", not no_rules, f"{no_rules[:5]}")
    stray = [f"{t['name']}/{s['name']}" for t in tests for s in t["subtests"]
             if s["result"] in ("FAIL", "XFAIL") and s.get("rule") and
             s["rule"] not in s.get("rules", [])]
    check("JSON: a failing subtest's rule is one it checked", not stray, f"{stray[:5]}")
    for item in expect:
        name, res = item.split("=")
        tname, _, sname = name.partition("/")
        found = [x["result"] for t, s, x in units(d) if t["name"] == tname and
                 (s is None and not sname or s is not None and s["name"] == sname)]
        check(f"JSON: {name} is {res}", found == [res], f"{found}")
    print(f"     upstream reader: {line}; {len(failed)} failures listed")


def kunit_parse(kunit, ktap, tmp):
    j, x = os.path.join(tmp, "kunit.json"), os.path.join(tmp, "kunit.xml")
    r = subprocess.run([sys.executable, kunit, "parse", f"--json={j}", f"--junit={x}", ktap],
                       capture_output=True, text=True)
    return r, j, x


def check_ktap(d, ktap, kunit):
    text = open(ktap, encoding="utf-8").read()
    lines = text.splitlines()
    check("KTAP: begins with the version line", lines[:1] == ["KTAP version 1"])
    nested = [line for line in lines if line.startswith(" ")]
    check("KTAP: nesting is two spaces", all(re.match(r"  (?! )", line) or line.startswith("  #")
                                               for line in nested))
    subtests = sum(1 for t in d["results"] if t["subtests"])
    check("KTAP: a '# Subtest:' line for every test with subtests",
          sum(line.startswith("  # Subtest: ") for line in lines) == subtests)
    last = max(i for i, line in enumerate(lines) if re.match(r"(not )?ok \d+ ", line)) if d["results"] else 0
    check("KTAP: after the last result only diagnostics",
          all(line.startswith("#") for line in lines[last + 1:]), f"{lines[last + 1:]}")
    # Each subtest with a directive's result has its line, as kselftest
    # writes it: ok for XFAIL, XPASS and SKIP, not ok for TIMEOUT; a setup
    # error is "not ok" with ktap.rst's ERROR directive, its data saying so.
    forms = {"XFAIL": "ok", "XPASS": "ok", "SKIP": "ok", "TIMEOUT": "not ok",
             "ERROR": "not ok"}
    for res, ok in forms.items():
        subs = [s for t in d["results"] for s in t["subtests"] if s["result"] == res]
        missing = [s["name"] for s in subs if not any(
            re.match(rf"^  {ok} \d+ {re.escape(s['name'])} # {res}\b", line) for line in lines)]
        if subs:
            check(f"KTAP: {len(subs)} {res} subtests written as kselftest writes them",
                  not missing, f"missing: {missing}")
    said = [s["name"] for t in d["results"] for s in t["subtests"] if s["result"] == "ERROR" and
            not any(re.match(rf"^  not ok \d+ {re.escape(s['name'])} # ERROR setup error", line)
                    for line in lines)]
    if any(s["result"] == "ERROR" for t in d["results"] for s in t["subtests"]):
        check("KTAP: a setup error's data says it is one (not a kernel failure)", not said,
              f"{said[:5]}")
    # A subtest that failed, XFAILed or XPASSed says its rule right before
    # its result line.
    named = [s for t in d["results"] for s in t["subtests"]
             if s["result"] not in ("OK", "SKIP") and s.get("rule")]
    unsaid = [s["name"] for s in named if not any(
        lines[i] == f"  # rule: {s['rule']}" and re.match(rf"^  (not )?ok \d+ {re.escape(s['name'])}\b",
                                                         lines[i + 1])
        for i in range(len(lines) - 1))]
    if named:
        check(f"KTAP: {len(named)} subtests that did not pass say their rule", not unsaid,
              f"missing: {unsaid[:5]}")
    with tempfile.TemporaryDirectory() as tmp:
        r, j, x = kunit_parse(kunit, ktap, tmp)
        check("kunit.py parse reads it", os.path.exists(j) and os.path.exists(x),
              (r.stdout + r.stderr)[-400:])
        if not os.path.exists(x):
            return
        m = re.search(r"Ran (\d+) tests: (.*)", r.stdout)
        # kunit counts each subtest, each test without, and a test whose
        # own line fails while its subtests' pass (a body that failed).
        cases = [x for _, _, x in units(d) if x.get("subtests") is None or not x["subtests"]
                 or x["result"] in FAILING]
        ran = int(m.group(1)) if m else -1
        check(f"kunit.py parse: {ran} tests, as many as the run's cases", ran == len(cases),
              f"{len(cases)} cases")
        kfailed = int(re.search(r"failed: (\d+)", m.group(2)).group(1)) if m and "failed" in m.group(2) else 0
        want_failed = sum(c["result"] in ("FAIL", "TIMEOUT", "RUNNING", "ERROR") for c in cases)
        check(f"kunit.py parse: {kfailed} failed, the run's FAIL, TIMEOUT and ERROR cases",
              kfailed == want_failed, f"{want_failed} expected")
        root = ET.parse(x).getroot()
        suites = {s.get("name"): s for s in root.iter("testsuite") if s.get("name") != "main"}
        with_subs = [t for t in d["results"] if t["subtests"]]
        names_ok = all(t["name"] in suites and
                       [c.get("name") for c in suites[t["name"]].findall("testcase")] ==
                       [s["name"] for s in t["subtests"]] for t in with_subs)
        check("kunit.py parse: test and subtest names come through", names_ok)
        logs_ok, why = True, ""
        for t in with_subs:
            if t["name"] not in suites:
                continue
            for c, s in zip(suites[t["name"]].findall("testcase"), t["subtests"]):
                if s["result"] not in ("FAIL", "TIMEOUT", "ERROR"):
                    continue
                out = c.findtext("system-out") or ""
                first = next((line for line in s["message"].splitlines() if line.strip()), "")
                if not first or first.strip() not in out:
                    logs_ok, why = False, f"{t['name']}/{s['name']}: {out[:120]!r}"
        check("kunit.py parse: each failing subtest carries its own log", logs_ok, why)


# Attributes the published schemas allow (Jenkins xunit junit-10.xsd) and
# require (the same, and Ant's JUnit.xsd for testcase time).
ALLOWED = {
    "testsuites": {"name", "time", "tests", "failures", "errors"},
    "testsuite": {"name", "tests", "failures", "errors", "group", "time", "skipped",
                  "timestamp", "hostname", "id", "package", "file", "log", "url"},
    "testcase": {"name", "time", "classname", "group"},
    "failure": {"type", "message"}, "error": {"type", "message"}, "skipped": {"type", "message"},
    "system-out": set(), "system-err": set(),
}
REQUIRED = {"testsuite": {"name", "tests", "failures", "errors"},
            "testcase": {"name", "time", "classname"}}
CHILDREN = {"testsuites": {"testsuite"},
            "testsuite": {"testsuite", "properties", "testcase", "system-out", "system-err"},
            "testcase": {"skipped", "error", "failure", "system-out", "system-err"}}
TIME_RE = re.compile(r"^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$")


def check_junit(d, path, label):
    root = ET.parse(path).getroot()
    problems = []
    for el in root.iter():
        extra = set(el.attrib) - ALLOWED.get(el.tag, set())
        if el.tag not in ALLOWED:
            problems.append(f"element {el.tag}")
        elif extra:
            problems.append(f"{el.tag} has {sorted(extra)}")
        missing = REQUIRED.get(el.tag, set()) - set(el.attrib)
        if missing:
            problems.append(f"{el.tag} lacks {sorted(missing)}")
        if "time" in el.attrib and not TIME_RE.match(el.get("time")):
            problems.append(f"{el.tag} time {el.get('time')!r}")
        kids = {c.tag for c in el} - CHILDREN.get(el.tag, {c.tag for c in el})
        if kids:
            problems.append(f"{el.tag} holds {sorted(kids)}")
    check("JUnit: only what the published schemas allow, and all they require",
          root.tag == "testsuites" and not problems, "; ".join(problems[:5]))
    check("JUnit: the kernel in every suite's name",
          all(s.get("name", "").startswith(label + "/") for s in root.iter("testsuite")))
    rules = {(t["name"], s["name"]): s.get("rule") for t in d["results"] for s in t["subtests"]}
    unnamed = []
    for case in root.iter("testcase"):
        rule = rules.get((case.get("classname", "").rpartition(".")[2], case.get("name")))
        for f in case.iter("failure"):
            if rule and rule not in f.get("message", ""):
                unnamed.append(f"{case.get('classname')}/{case.get('name')}")
    check("JUnit: every failure's message names its rule", not unnamed, f"{unnamed[:5]}")
    errors = {(t["name"], x["name"]) for t, _, x in units(d) if x["result"] == "ERROR"}
    apart = [f"{c.get('classname')}/{c.get('name')}" for c in root.iter("testcase")
             if (c.get("classname", "").rpartition(".")[2], c.get("name")) in errors and
             (c.find("failure") is not None or c.find("error") is None or
              c.find("error").get("type") != "ERROR" or
              not c.find("error").get("message", "").startswith("setup error"))]
    if errors:
        check(f"JUnit: {len(errors)} setup errors are <error type=\"ERROR\"> saying so, "
              "never a <failure>", not apart, f"{apart[:5]}")
    try:
        from junitparser import JUnitXml
    except ImportError:
        check("JUnit: junitparser (python3-junitparser) is installed", False)
        return
    xml = JUnitXml.fromfile(path)
    unit_list = [x for _, _, x in units(d)]
    want = (len(unit_list), sum(x["result"] in KERNEL_FAILING for x in unit_list),
            sum(x["result"] == "SKIP" for x in unit_list),
            sum(x["result"] == "ERROR" for x in unit_list))
    got = (xml.tests, xml.failures, xml.skipped, xml.errors)
    if not d["results"]:
        want = (1, 0, 0, 1)
    check(f"junitparser counts tests, failures, skipped, errors {got}", got == want, f"expected {want}")


def matrix_page(path):
    """The matrix page: every cell but PASS links to its log, each kernel's
    logs are on it, and the filter shows only what a control kernel's SKIP
    does not explain (6.18.15 is the control: only 6.19.14's failures)."""
    page = open(path).read()
    ids, hrefs = set(re.findall(r'id="([^"]+)"', page)), set(re.findall(r'href="#([^"]+)"', page))
    check("every link of the matrix page has its target", hrefs <= ids, hrefs - ids)
    cells = re.findall(r'<td class="c (\w+)[^"]*"[^>]*>(<a href="#log\d+">)?', page)
    check("every cell but PASS links to its log",
          cells and all(link for cls, link in cells if cls not in ("PASS", "none", "NOVERDICT")))
    heads = re.findall(r"<th><a href=\"#(kernel\d+)\">[^<]*</a><br><small>(.*?)</small></th>", page)
    check("each kernel's runner, console and dmesg logs are on the page",
          len(heads) == 2 and all("runner" in h and "console" in h and "dmesg" in h
                                  for _, h in heads), heads)
    shown = re.findall(r'data-show=1><td class="name">([^<]+)<', page)
    check("the filter keeps only 6.19.14's failures",
          shown and all(n.startswith(("clone", "read_basic")) for n in shown), shown)


def main():
    ap = argparse.ArgumentParser(
        usage="%(prog)s [--tally FILE] (--kunit KUNIT_PY [--expect TEST/SUB=RESULT]... "
        "JSON KTAP JUNIT | --matrix-page HTML)")
    ap.add_argument("--kunit")
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--matrix-page", metavar="HTML", help="check report.py's matrix page")
    ap.add_argument("--tally", metavar="FILE", help="add the counts to this tally")
    ap.add_argument("files", nargs="*", metavar="JSON KTAP JUNIT")
    args = ap.parse_args()
    if args.matrix_page:
        if args.files:
            ap.error("--matrix-page takes no other input")
        matrix_page(args.matrix_page)
        return checks.done(args.tally, add=True)
    if len(args.files) != 3 or not args.kunit:
        ap.error("give --kunit and JSON KTAP JUNIT")
    run = Run(args.files[0])
    if run.error:
        check(f"the run's JSON reads ({run.error})", False)
        return checks.done(args.tally, add=True)
    d = run.data
    label = (d.get("vmtest") or {}).get("kernel") or d.get("kernel", "")
    if d["results"]:
        check_json(d, args.expect)
        check_ktap(d, args.files[1], args.kunit)
    else:
        text = open(args.files[1]).read()
        check("KTAP without results: one test in ERROR, with the reason",
              re.search(r"^not ok 1 \S+ # ERROR ", text, re.M) is not None, text[-200:])
        with tempfile.TemporaryDirectory() as tmp:
            r, j, x = kunit_parse(args.kunit, args.files[1], tmp)
            check("kunit.py parse reads it", os.path.exists(x), (r.stdout + r.stderr)[-300:])
    check_junit(d, args.files[2], label)
    return checks.done(args.tally, add=True)


if __name__ == "__main__":
    sys.exit(main())
