#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Upstream's test_progs next to the suite (vmtest/upstream.sh).

convert: the record vmtest/upstream-guest sends (upstream's test_progs -J
    summary, its exit code and the tests it selected) in the suite's shape,
    for vmtest/report.py. Upstream's JSON names only what failed (a failed
    test and its failed subtests): a test not among them passed (or
    skipped: its JSON does not tell); its passing subtests are counted, not
    named.
flake: the counts of a flake run (upstream-guest with UPSTREAM_FLAKE=N):
    what bpf_dynptr_read returned, run by run.
compare: one kernel's side by side: upstream's subtests (named in
    vmtest/upstream-rules.ini with the rules each checks) and the suite's
    (the "rule"/"rules" of its JSON), rule by rule.
"""

import argparse
import configparser
import json
import os
import re
import sys

EFAULT = -14
HERE = os.path.dirname(os.path.abspath(__file__))
RULE_RE = re.compile(r"R-[A-Z]+-\d+")


def is_upstream(record):
    return isinstance(record, dict) and isinstance(record.get("upstream"), dict)


def convert(record):
    """The suite's record shape from an upstream-guest record."""
    up = record["upstream"]
    summ = up.get("summary") if isinstance(up.get("summary"), dict) else None
    if summ is None:
        return {"runner": "upstream", "upstream_rc": up.get("rc")}  # no results: report.py says so
    failed = {t.get("name"): t for t in summ.get("results") or []}
    tests = []
    for i, name in enumerate(up.get("tests") or [], 1):
        t = failed.get(name)
        subs = [{"name": s.get("name", "?"), "number": s.get("number", 0), "result": "FAIL",
                 "message": s.get("message", "")}
                for s in (t or {}).get("subtests") or [] if s.get("failed")]
        body = "FAIL" if t and t.get("failed") and not subs else "OK"
        tests.append({"name": name, "number": (t or {}).get("number", i), "run": 1,
                      "result": "FAIL" if t and t.get("failed") else "OK", "body": body,
                      "message": (t or {}).get("message", ""), "subtests": subs})
    counts = {k: int(summ.get(k, 0) or 0)
              for k in ("success", "success_subtest", "skipped", "failed", "failed_subtest")}
    bodies = sum(t["body"] == "FAIL" for t in tests)
    out = dict(counts)
    out.update({
        "runner": "upstream test_progs (linux-source-7.3)",
        "upstream_rc": up.get("rc"),
        "note": "upstream's JSON names failures only: passing subtests are counted, not named",
        "units": {"passed": counts["success_subtest"], "failed": counts["failed_subtest"] + bodies,
                  "skipped": counts["skipped"], "xfail": 0, "xpass": 0, "timeout": 0},
        "results": tests,
    })
    return out


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return json.load(f)


# --- flake -------------------------------------------------------------------
def flake_counts(record):
    runs = (record.get("upstream_flake") or {}).get("runs") or []
    c = {"runs": len(runs), "passed": 0, "reads": 0, "efault": 0, "zero": 0, "other": 0,
         "runs_without_read": 0, "runs_more_reads": 0, "other_values": []}
    for r in runs:
        c["passed"] += r.get("rc") == 0
        reads = [int(x) for x in r.get("reads") or []]
        c["runs_without_read"] += not reads
        c["runs_more_reads"] += len(reads) > 1
        for v in reads:
            c["reads"] += 1
            if v == EFAULT:
                c["efault"] += 1
            elif v == 0:
                c["zero"] += 1
            else:
                c["other"] += 1
                c["other_values"].append(v)
    c["resident_pct"] = round(100.0 * c["zero"] / c["reads"], 1) if c["reads"] else None
    return c


def cmd_flake(args):
    c = flake_counts(read(args.record))
    c["kernel"] = args.kernel
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(c, f, indent=1)
            f.write("\n")
    print(f"{args.kernel or '?'}: {c['runs']} runs of file_reader/on_open_expect_fault, "
          f"{c['passed']} passed; {c['reads']} reads: {c['zero']} returned 0 "
          f"(range resident: the -EFAULT assertion could not hold), {c['efault']} -EFAULT, "
          f"{c['other']} other; {c['runs_without_read']} runs without a read")
    return 0 if c["runs"] and c["reads"] else 1


# --- compare -----------------------------------------------------------------
def upstream_table(path):
    cp = configparser.ConfigParser(interpolation=None)
    if not cp.read(path):
        sys.exit(f"upstream_report: cannot read {path}")
    rows = []
    for sec in cp.sections():
        d = cp[sec]
        rows.append({"subtest": sec, "program": d.get("program", ""),
                     "rules": RULE_RE.findall(d.get("rules", "")),
                     "partial": d.get("partial", ""), "unasserted": d.get("unasserted", "")})
    return rows


def upstream_status(run, name):
    """A subtest's result in an upstream run converted by convert()."""
    test, _, sub = name.partition("/")
    if run is None:
        return "not run"
    if run.get("verdict") not in (0, 1):
        return "no verdict"
    for t in run.get("results") or []:
        if t.get("name") != test:
            continue
        if any(s.get("name") == sub and s.get("result") == "FAIL" for s in t.get("subtests") or []):
            return "FAIL"
        return "FAIL (test)" if t.get("body") == "FAIL" else "passed"
    return "not run"


def suite_rules(run):
    """rule -> [(test/subtest, result)] from the suite's JSON."""
    by = {}
    for t in (run or {}).get("results") or []:
        for s in t.get("subtests") or [t]:
            rules = set(s.get("rules") or []) | ({s["rule"]} if s.get("rule") else set())
            for r in rules:
                by.setdefault(r, []).append((f"{t.get('name')}/{s.get('name')}", s.get("result", "?")))
    return by


def rule_key(r):
    m = re.match(r"R-([A-Z]+)-(\d+)", r)
    return (m.group(1), int(m.group(2))) if m else (r, 0)


def compare(table, up_run, suite_run, kernel):
    srules = suite_rules(suite_run)
    ups = []
    for row in table:
        ups.append(dict(row, result=upstream_status(up_run, row["subtest"])))
    up_rules = {}
    for u in ups:
        for r in u["rules"]:
            up_rules.setdefault(r, []).append(u)
    rules = sorted(set(up_rules) | set(srules), key=rule_key)
    by_rule = []
    for r in rules:
        s = srules.get(r, [])
        by_rule.append({"rule": r,
                        "upstream": [f"{u['subtest']} ({u['result']})" for u in up_rules.get(r, [])],
                        "suite_subtests": len(s),
                        "suite_failed": sum(res not in ("OK", "XFAIL", "SKIP") for _, res in s),
                        "suite_skipped": sum(res == "SKIP" for _, res in s)})
    return {"kernel": kernel, "upstream": ups, "rules": by_rule,
            "upstream_rules": len(up_rules), "suite_rules": len(srules),
            "only_suite": len([r for r in srules if r not in up_rules]),
            "only_upstream": [r for r in up_rules if r not in srules]}


def markdown(c):
    out = [f"### {c['kernel']}: upstream's file-dynptr subtests and the suite's, by rule", "",
           f"Upstream's subtests check {c['upstream_rules']} rules; the suite's, "
           f"{c['suite_rules']} ({c['only_suite']} of them upstream checks nowhere).", "",
           "| upstream subtest | result | rules checked | not checked |", "|---|---|---|---|"]
    for u in c["upstream"]:
        gaps = "; ".join(x for x in (u["partial"], u["unasserted"]) if x)
        out.append(f"| `{u['subtest']}` | {u['result']} | {' '.join(u['rules']) or '-'} | "
                   f"{gaps.replace('|', '/') or '-'} |")
    out += ["", "| rule | upstream | suite subtests (failed, skipped) |", "|---|---|---|"]
    for r in c["rules"]:
        up = "<br>".join(f"`{x}`" for x in r["upstream"]) or "-"
        su = f"{r['suite_subtests']}" + (f" ({r['suite_failed']} failed, {r['suite_skipped']} skipped)"
                                         if r["suite_failed"] or r["suite_skipped"] else "")
        out.append(f"| {r['rule']} | {up} | {su} |")
    return "\n".join(out) + "\n"


def cmd_compare(args):
    up = read(args.upstream) if args.upstream else None
    suite = read(args.suite) if args.suite else None
    c = compare(upstream_table(args.rules), up, suite, args.kernel)
    md = markdown(c)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(c, f, indent=1)
            f.write("\n")
    if args.md:
        with open(args.md, "w", encoding="utf-8") as f:
            f.write(md)
    else:
        sys.stdout.write(md)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("convert", help="an upstream-guest record in the suite's shape, on stdout")
    p.add_argument("record")
    p = sub.add_parser("flake", help="the counts of a flake run's record")
    p.add_argument("record")
    p.add_argument("--kernel", default="")
    p.add_argument("--json", metavar="FILE")
    p = sub.add_parser("compare", help="upstream's subtests and the suite's, by rule")
    p.add_argument("--kernel", required=True)
    p.add_argument("--upstream", metavar="FILE", help="upstream's results JSON (vmtest -J)")
    p.add_argument("--suite", metavar="FILE", help="the suite's results JSON (vmtest -J)")
    p.add_argument("--rules", default=os.path.join(HERE, "upstream-rules.ini"))
    p.add_argument("--md", metavar="FILE")
    p.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)
    if args.cmd == "convert":
        rec = read(args.record)
        if not is_upstream(rec):
            sys.exit(f"upstream_report: {args.record} is no upstream-guest record")
        json.dump(convert(rec), sys.stdout, indent=1)
        print()
        return 0
    return cmd_flake(args) if args.cmd == "flake" else cmd_compare(args)


if __name__ == "__main__":
    sys.exit(main())
