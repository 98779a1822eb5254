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


def known_subtests(path=None):
    """{test: {subtest: [rules]}} in test_progs' order, from upstream-rules.ini."""
    known = {}
    for row in upstream_table(path or os.path.join(HERE, "upstream-rules.ini")):
        test, _, sub = row["subtest"].partition("/")
        known.setdefault(test, {})[sub] = row["rules"]
    return known


def unit(name, number, failed, message="", rules=None):
    u = {"name": name, "number": number, "result": "FAIL" if failed else "OK",
         "failed": failed, "message": message}
    if rules is not None:
        u["rules"] = rules
    return u


def convert(record, known=None):
    """The suite's record shape from an upstream-guest record. Upstream's
    JSON names failed subtests only; the passing ones are named from
    upstream-rules.ini when its counts prove them (no skip, the table's
    subtests less the failures make up success_subtest exactly), else
    only counted."""
    up = record["upstream"]
    summ = up.get("summary") if isinstance(up.get("summary"), dict) else None
    if summ is None:
        return {"runner": "upstream", "upstream_rc": up.get("rc")}  # no results: report.py says so
    known = known_subtests() if known is None else known
    counts = {k: int(summ.get(k, 0) or 0)
              for k in ("success", "success_subtest", "skipped", "failed", "failed_subtest")}
    failed = {t.get("name"): t for t in summ.get("results") or []}
    names = up.get("tests") or []
    passing = sum(len(known.get(n, [])) for n in names) - counts["failed_subtest"]
    named = counts["skipped"] == 0 and all(n in known for n in names) and \
        passing == counts["success_subtest"]
    tests = []
    for i, name in enumerate(names, 1):
        t = failed.get(name) or {}
        bad = {s.get("name"): s for s in t.get("subtests") or [] if s.get("failed")}
        rules = known.get(name, {})
        subs = [unit(n, j, n in bad, (bad.get(n) or {}).get("message", ""), rules[n])
                for j, n in enumerate(rules, 1) if named or n in bad]
        subs += [unit(n, s.get("number", 0), True, s.get("message", ""), [])
                 for n, s in bad.items() if n not in rules]
        fail = bool(t.get("failed"))
        tests.append(dict(unit(name, t.get("number", i), fail, t.get("message", "")),
                          run=1, body="FAIL" if fail and not bad else "OK", subtests=subs))
    bodies = sum(t["body"] == "FAIL" for t in tests)
    out = dict(counts)
    out.update({
        "runner": "upstream test_progs (linux-source-7.3)",
        "upstream_rc": up.get("rc"),
        "note": ("passing subtests named from vmtest/upstream-rules.ini, proven by the counts"
                 if named else "upstream's JSON names failures only: passing subtests are "
                 "counted, not named"),
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
    """What the reads of a flake run returned, and when: each run's age is
    the time from the runner's copy onto the disk to the run's start (the
    copy is dirty page cache until writeback, dirty_expire_cs after it
    at the latest; MADV_PAGEOUT does not drop a dirty file page)."""
    flake = record.get("upstream_flake") or {}
    runs = flake.get("runs") or []
    c = {"runs": len(runs), "sync": bool(flake.get("sync")), "passed": 0, "reads": 0,
         "efault": 0, "zero": 0, "other": 0, "runs_without_read": 0, "runs_more_reads": 0,
         "other_values": [], "dirty_expire_s": None, "last_zero_age": None,
         "first_efault_age": None, "zero_after_first_efault": 0}
    if flake.get("dirty_expire_cs") is not None:
        c["dirty_expire_s"] = int(flake["dirty_expire_cs"]) / 100
    copied = flake.get("copied_at")
    for r in runs:
        c["passed"] += r.get("rc") == 0
        reads = [int(x) for x in r.get("reads") or []]
        c["runs_without_read"] += not reads
        c["runs_more_reads"] += len(reads) > 1
        age = round(float(r["uptime"]) - float(copied), 1) if copied is not None and \
            "uptime" in r else None
        for v in reads:
            c["reads"] += 1
            if v == EFAULT:
                c["efault"] += 1
                if c["first_efault_age"] is None:
                    c["first_efault_age"] = age
            elif v == 0:
                c["zero"] += 1
                c["last_zero_age"] = age
                c["zero_after_first_efault"] += c["efault"] > 0
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
    print(f"{args.kernel or '?'}{' (synced first)' if c['sync'] else ''}: {c['runs']} runs of "
          f"file_reader/on_open_expect_fault, {c['passed']} passed; {c['reads']} reads: "
          f"{c['zero']} returned 0 (range resident: the -EFAULT assertion could not hold), "
          f"{c['efault']} -EFAULT, {c['other']} other; {c['runs_without_read']} runs without a "
          f"read; the last resident run started {c['last_zero_age']} s after the runner's copy, "
          f"the first -EFAULT one {c['first_efault_age']} s after (dirty_expire "
          f"{c['dirty_expire_s']} s); {c['zero_after_first_efault']} resident after the first "
          f"-EFAULT")
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
