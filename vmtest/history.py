#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every behaviour's history over a series of kernels.

history.py [-o DIR] [--for VERSION] [--rerun DIR] [-X FILE] [--list-rerun]
           RUN_DIR...

Reads one run per kernel (a matrix.sh kernel directory, or a results.json),
orders them by version and, for every subtest, finds the ranges of its
results and its transitions: a result that changes between two consecutive
kernels. Transitions are grouped by the rule the subtest checks, each with
the upstream range to look in and the `git bisect run` command that would
find the commit.

A change is re-run before it is reported when it may come from the machine
rather than the kernel: one to or from SKIP, TIMEOUT, ERROR (a setup
error) or RUNNING (both kernels), one that changes back (A B A: the middle
kernel), and every kernel that gave no verdict. --list-rerun prints those
kernels; --rerun DIR reads their second runs (once each). A unit whose
runs on one kernel disagree is FLAKY there: the difference the re-run
removed is reported as a flake with every result, not as a transition; a
change that the re-runs repeated is a transition (marked "re-run: both
results repeated"). A run without a verdict is replaced by its re-run when
that gave one. The decision is decide(), a pure function of one unit's
results (vmtest/selftest.py tests it on made-up rows).

--for VERSION lists what differs between that kernel and the newest one:
what a maintainer would backport. -X checks the known-deviations entries'
kernel ranges against what was measured.

Writes DIR/history.json, DIR/history.md (also printed; each flake also on
stderr) and DIR/history.html. Exit: 0; 1 if an entry's range contradicts
the history or a kernel gave no verdict, also on its re-run; 2 on a usage
error.
"""
import argparse
import fnmatch
import html
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import Run  # noqa: E402

LABEL_RE = re.compile(r"(?:^|[_:])(\d+)\.(\d+)(?:\.(\d+))?(?:[-~]rc(\d+))?$")
# A unit whose runs on one kernel disagree: no result of the kernel's.
FLAKY = "FLAKY"
# Worst first: a rule's cell shows the worst result among its subtests.
SEVERITY = ["NOVERDICT", "TIMEOUT", "FAIL", "XPASS", "RUNNING", "ERROR", FLAKY, "XFAIL", "OK",
            "SKIP", "-"]
# Results the machine can give as well as the kernel (a probe that failed
# under load, a hang): a transition to or from one is run again, both
# kernels, before it is reported. NOVERDICT is a whole run's (run again too).
SUSPECT = {"SKIP", "TIMEOUT", "ERROR", "NOVERDICT", "RUNNING"}
# What a transition steps over: no verdict, no such unit, no one result.
STEP_OVER = ("NOVERDICT", "-", FLAKY)
BISECT = "vmtest/git-bisect-run.sh"


def version(label):
    """(major, minor, patch, rc) of a kernel label; a release sorts after its rcs."""
    m = LABEL_RE.search(label)
    if not m:
        raise ValueError(f"{label}: not a kernel version")
    rc = int(m.group(4)) if m.group(4) else 1 << 30
    return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0), rc)


def tag(label):
    """The upstream tag of a Debian version: v7.2.6, v7.2 for 7.2.0, v7.3-rc2."""
    major, minor, patch, rc = version(label)
    if rc != 1 << 30:
        return f"v{major}.{minor}-rc{rc}"
    return f"v{major}.{minor}" + (f".{patch}" if patch else "")


def units_of(run):
    """Subtest (or test) name -> (result, rule, rules) of one run: the units
    the runner counts (results.Test.body_counts)."""
    out = {}
    for t in run.tests:
        for s in t.subtests:
            out[f"{t.name}/{s.name}"] = (s.result, s.rule, s.rules)
        if t.body_counts():
            out[t.name] = (t.body if t.subtests else t.result, t.rule, t.rules)
    return out


# --- the decision: pure functions of one unit's results ---------------------
def changes(kernels, row):
    """[(older kernel, newer kernel, old result, new result)] of one unit's
    row (a result per kernel): kernels that gave no verdict, lack the unit
    or are FLAKY for it are stepped over."""
    out, prev = [], None
    for k, res in zip(kernels, row):
        if res in STEP_OVER:
            continue
        if prev and prev[1] != res:
            out.append((prev[0], k, prev[1], res))
        prev = (k, res)
    return out


def to_rerun(kernels, row):
    """The kernels to run again before the unit's changes are reported: both
    of a change to or from a SUSPECT result, and the middle of a change
    that changes back (A B A)."""
    out, seen = set(), []
    for older, newer, old, new in changes(kernels, row):
        if old in SUSPECT or new in SUSPECT:
            out |= {older, newer}
        if new in seen:
            out.add(older)
        seen.append(old)
    return out


def settle(kernels, row, again):
    """(row, flakes): the unit's row with FLAKY where a kernel's runs
    disagree (again: kernel -> the results of its re-runs), and a flake
    {kernel, results: [first, re-run...]} for each."""
    out, flakes = [], []
    for k, res in zip(kernels, row):
        runs = [res] + [r for r in again.get(k, []) if r not in ("-", "NOVERDICT")]
        if res not in STEP_OVER and len(set(runs)) > 1:
            out.append(FLAKY)
            flakes.append({"kernel": k, "results": runs})
        else:
            out.append(res)
    return out, flakes


def decide(kernels, row, again):
    """What a unit's history reports: (row, transitions, flakes). A change
    that needed a re-run is a transition only when the re-runs repeated
    both sides ("rerun": "repeated"), or none was made ("not re-run"); one
    that a re-run removed is a flake, with every result of the kernel."""
    row, flakes = settle(kernels, row, again)
    need = to_rerun(kernels, row)
    trans = []
    for older, newer, old, new in changes(kernels, row):
        sides, status = {older, newer} & need, None
        if sides:
            status = "repeated" if all(k in again for k in sides) else "not re-run"
        trans.append((older, newer, old, new, status))
    return row, trans, flakes


class Series:
    """The runs, oldest first, and every unit's results across them; again
    (unit -> kernel -> results) holds the re-runs' results."""

    def __init__(self, runs, again=None):
        again = again or {}
        self.runs = sorted(runs, key=lambda r: version(r.label))
        self.kernels = [r.label for r in self.runs]
        self.results = {}  # unit -> [result per kernel], FLAKY where runs disagree
        self.decided = {}  # unit -> (transitions, flakes)
        self.rules = {}  # unit -> rule
        per = [units_of(r) for r in self.runs]
        names = list(dict.fromkeys(n for p in per for n in p))
        for name in names:
            row = []
            rule, first_rules = "", []
            for r, p in zip(self.runs, per):
                if r.noverdict:
                    row.append("NOVERDICT")
                    continue
                res, urule, urules = p.get(name, ("-", "", []))
                row.append(res)
                rule = rule or (urule if res != "OK" else "")
                first_rules = first_rules or urules
            row, trans, flakes = decide(self.kernels, row, again.get(name, {}))
            self.results[name] = row
            self.decided[name] = (trans, flakes)
            self.rules[name] = rule or (first_rules[0] if first_rules else "(no rule)")

    def ranges(self, name):
        """[(first kernel, last kernel, result)] of a unit, in order."""
        out = []
        for k, res in zip(self.kernels, self.results[name]):
            if out and out[-1][2] == res:
                out[-1][1] = k
            else:
                out.append([k, k, res])
        return [tuple(r) for r in out]

    def rerun(self):
        """The kernels to run again: those that gave no verdict, and each
        unit's to_rerun()."""
        want = {r.label for r in self.runs if r.noverdict}
        for row in self.results.values():
            want |= to_rerun(self.kernels, row)
        return sorted(want, key=version)


def describe(series, name):
    """ "XFAIL 6.19.6–7.1.13, OK from 7.2.6" """
    parts = []
    rs = series.ranges(name)
    for i, (first, last, res) in enumerate(rs):
        if i == len(rs) - 1 and i:
            parts.append(f"{res} from {first}")
        else:
            parts.append(f"{res} {first}" + (f"–{last}" if last != first else ""))
    return ", ".join(parts)


def upstream_range(older, newer):
    a, b = version(older), version(newer)
    if a[:2] == b[:2]:
        return f"{tag(older)}..{tag(newer)} (the {a[0]}.{a[1]} stable branch)"
    return (f"{tag(older)}..{tag(newer)}: mainline v{a[0]}.{a[1]}..v{b[0]}.{b[1]}, then "
            f"the {b[0]}.{b[1]} stable releases v{b[0]}.{b[1]}..{tag(newer)}")


def fixed(old, new):
    """A change from a failing or deviating result to a pass."""
    return new == "OK" and old in ("FAIL", "XFAIL", "XPASS", "TIMEOUT")


def bisect_command(name, older, newer, old, new):
    """What finds the commit in a kernel tree (git-bisect-run.sh runs without
    the deviations file: a tolerated deviation counts as a failure)."""
    if fixed(old, new):
        return (f"git bisect start --term-old=broken --term-new=fixed {tag(newer)} {tag(older)} && "
                f"git bisect run $SUITE/{BISECT} -F -t {name}")
    return f"git bisect start {tag(newer)} {tag(older)} && git bisect run $SUITE/{BISECT} -t {name}"


# --- the known-deviations file ------------------------------------------------
def read_deviations(path):
    entries, cur = [], None
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                cur = {"section": line[1:-1], "line": n}
                entries.append(cur)
            elif cur is not None and "=" in line:
                key, value = (x.strip() for x in line.split("=", 1))
                cur[key] = value
    return entries


def holds(constraints, label):
    v = version(label)[:3]
    for c in constraints.split():
        if c == "*":
            continue
        m = re.match(r"(>=|<=|>|<|=)(\d+(?:\.\d+)*)$", c)
        if not m:
            raise ValueError(f"bad kernel constraint {c}")
        w = tuple((list(map(int, m.group(2).split("."))) + [0, 0])[:3])
        ok = {">=": v >= w, "<=": v <= w, ">": v > w, "<": v < w, "=": v == w}[m.group(1)]
        if not ok:
            return False
    return True


def covers(entry, name):
    test, _, sub = name.partition("/")
    tpat, _, spat = entry["section"].partition("/")
    if entry.get("model") and sub == "deviation_" + entry["model"]:
        return True
    if not fnmatch.fnmatchcase(test, tpat):
        return False
    return not spat or (sub and fnmatch.fnmatchcase(sub, spat))


def check_deviations(series, entries, arch="x86_64"):
    """Entries whose range contradicts the history, and what was measured."""
    out = []
    for e in entries:
        if "arch" in e and arch not in e["arch"].split():
            continue
        # The history's guests have their scratch directory on ext4.
        if "scratch" in e and "ext4" not in e["scratch"].split():
            continue
        names = [n for n in series.results if covers(e, n)]
        if not names:
            continue
        problems = []
        for name in names:
            for k, res in zip(series.kernels, series.results[name]):
                inside = holds(e.get("kernels", "*"), k)
                if inside and res == "XPASS":
                    problems.append(f"{name} passes on {k}, inside the range")
                if (not inside and res in ("FAIL", "XFAIL") and
                        e.get("rule") in ("", series.rules[name])):
                    problems.append(f"{name} fails ({e.get('rule')}) on {k}, outside the range")
        measured = "; ".join(f"{n}: {describe(series, n)}" for n in names[:3])
        out.append({"section": e["section"], "line": e["line"], "kernels": e.get("kernels", ""),
                    "rule": e.get("rule", ""), "problems": problems,
                    "measured": measured + (f"; … ({len(names)} subtests)" if len(names) > 3 else "")})
    return out


# --- what it writes -------------------------------------------------------------
def worst(results):
    present = [r for r in results if r in SEVERITY] or ["-"]
    return min(present, key=SEVERITY.index)


def timeline(series):
    """rule -> [cell per kernel]: the worst result of the rule's subtests."""
    by_rule = {}
    for name, rule in series.rules.items():
        by_rule.setdefault(rule, []).append(name)
    rows = {}
    for rule in sorted(by_rule, key=rule_key):
        rows[rule] = [worst([series.results[n][i] for n in by_rule[rule]])
                      for i in range(len(series.kernels))]
    return rows


def rule_key(rule):
    m = re.match(r"R-([A-Z]+)-(\d+)$", rule)
    return (m.group(1), int(m.group(2))) if m else ("~", 0)


def transitions_and_flakes(series):
    trans, flakes = [], []
    for name in series.results:
        found, flaky = series.decided[name]
        for older, newer, old, new, status in found:
            trans.append({"unit": name, "rule": series.rules[name], "older": older, "newer": newer,
                          "from": old, "to": new, "history": describe(series, name),
                          "upstream": upstream_range(older, newer),
                          "bisect": bisect_command(name, older, newer, old, new),
                          "rerun": status})
        flakes += [dict(f, unit=name, rule=series.rules[name]) for f in flaky]
    return trans, flakes


def backport(series, trans, target):
    if target not in series.kernels:
        raise ValueError(f"--for {target}: not among the kernels run")
    i, newest = series.kernels.index(target), len(series.kernels) - 1
    back = {"for": target, "newest": series.kernels[newest], "items": []}
    for name, row in series.results.items():
        if row[i] == row[newest] or {row[i], row[newest]} & {"NOVERDICT", FLAKY}:
            continue
        changes = [t for t in trans if t["unit"] == name and
                   version(t["newer"]) > version(target)]
        back["items"].append({"unit": name, "rule": series.rules[name], "here": row[i],
                              "newest": row[newest],
                              "changed_in": changes[-1]["newer"] if changes else "?"})
    return back


def build(series, target, entries, first=None):
    """The history: first holds, by kernel, how a run without a verdict
    ended that its re-run replaced."""
    first = first or {}
    trans, flakes = transitions_and_flakes(series)
    return {"kernels": series.kernels,
            "runs": [dict({"kernel": r.label, "verdict": r.verdict, "noverdict": r.noverdict},
                          **({"first": first[r.label]} if r.label in first else {}))
                     for r in series.runs],
            "units": {n: {"rule": series.rules[n], "results": series.results[n],
                          "history": describe(series, n)} for n in series.results},
            "transitions": trans, "flakes": flakes, "timeline": timeline(series),
            "backport": backport(series, trans, target) if target else None,
            "deviations": check_deviations(series, entries) if entries is not None else None}


RERUN_MARK = {None: "", "repeated": " (re-run: both results repeated)",
              "not re-run": " (**not re-run**: a flake is not ruled out)"}


def md_transitions(h):
    out = ["## Transitions, by rule", ""]
    if not h["transitions"]:
        out += ["No subtest changed its result between two consecutive kernels.", ""]
    by_rule = {}
    for t in h["transitions"]:
        by_rule.setdefault(t["rule"], []).append(t)
    for rule in sorted(by_rule, key=rule_key):
        out += [f"### {rule}", ""]
        for t in by_rule[rule]:
            out.append(f"- `{t['unit']}`: {t['history']}{RERUN_MARK[t['rerun']]}")
            out.append(f"  - {t['from']} on {t['older']}, {t['to']} on {t['newer']}: "
                       f"look in {t['upstream']}")
            out.append(f"  - `{t['bisect']}`")
        out.append("")
    return out


def flake_text(f):
    first, again = f["results"][0], f["results"][1:]
    return (f"`{f['unit']}` ({f['rule']}) on {f['kernel']}: {first}, then "
            f"{', '.join(again)} on a re-run")


def md_flakes(h):
    """The differences a re-run removed: not transitions, but said."""
    first = [r for r in h["runs"] if "first" in r]
    if not h["flakes"] and not first:
        return []
    out = ["## Flakes: differences a re-run removed (not transitions)", ""]
    out += [f"- {r['kernel']}: no verdict on the first run ({r['first']['reason'] or 'no reason'}), "
            f"exit {r['verdict']} on the re-run, which the history uses" for r in first]
    out += [f"- {flake_text(f)}" for f in h["flakes"]]
    return out + [""]


def md_timeline(h):
    out = ["## Timeline", "", "Rules as rows, kernels as columns: the worst result of the "
           "rule's subtests (FLAKY: its runs on that kernel disagreed); **bold** where it "
           "changed from the kernel before.", ""]
    out.append("| rule | " + " | ".join(h["kernels"]) + " |")
    out.append("|---|" + "---|" * len(h["kernels"]))
    for rule, cells in h["timeline"].items():
        shown = [f"**{c}**" if i and c != cells[i - 1] else c for i, c in enumerate(cells)]
        out.append(f"| {rule} | " + " | ".join(shown) + " |")
    return out + [""]


def md_backport(b):
    out = [f"## Backport view: {b['for']} against {b['newest']}", ""]
    if not b["items"]:
        out.append(f"Every subtest gives the same result on {b['for']} as on {b['newest']}.")
    for it in sorted(b["items"], key=lambda x: rule_key(x["rule"])):
        out.append(f"- {it['rule']} `{it['unit']}`: {it['here']} on {b['for']}, "
                   f"{it['newest']} on {b['newest']}; changed in {it['changed_in']}")
    return out + [""]


def md_deviations(devs):
    out = ["## Known deviations against the history", ""]
    for d in devs:
        verdict = "contradicted: " + "; ".join(d["problems"][:4]) if d["problems"] else "consistent"
        out.append(f"- [{d['section']}] (line {d['line']}, kernels {d['kernels']}): "
                   f"{verdict}. Measured: {d['measured']}")
    return out + [""]


def markdown(h):
    out = [f"# History over {len(h['kernels'])} kernels: {h['kernels'][0]} .. {h['kernels'][-1]}", ""]
    noverdict = [r["kernel"] for r in h["runs"] if r["noverdict"]]
    if noverdict:
        out += [f"No verdict, also on a re-run (stepped over): {', '.join(noverdict)}", ""]
    out += md_transitions(h) + md_flakes(h) + md_timeline(h)
    if h["backport"]:
        out += md_backport(h["backport"])
    if h["deviations"] is not None:
        out += md_deviations(h["deviations"])
    return "\n".join(out)


def html_page(h):
    e = html.escape
    colour = {"OK": "#cfc", "XFAIL": "#ffd", "SKIP": "#eee", "FAIL": "#fbb", "XPASS": "#fbb",
              "TIMEOUT": "#fbb", "ERROR": "#fdb", "RUNNING": "#fbb", FLAKY: "#ddf",
              "NOVERDICT": "#ccc", "-": "#fff"}
    rows = []
    for rule, cells in h["timeline"].items():
        tds = "".join(
            f'<td style="background:{colour.get(c, "#fff")}"{" class=t" if i and c != cells[i - 1] else ""}>'
            f"{e(c)}</td>" for i, c in enumerate(cells))
        rows.append(f"<tr><th>{e(rule)}</th>{tds}</tr>")
    trans = "".join(f"<li><code>{e(t['unit'])}</code> [{e(t['rule'])}]: {e(t['history'])}"
                    f"{e(RERUN_MARK[t['rerun']].replace('**', ''))}; "
                    f"look in {e(t['upstream'])}<br><code>{e(t['bisect'])}</code></li>"
                    for t in h["transitions"])
    flakes = "".join(f"<li>{e(line[2:]).replace('`', '')}</li>" for line in md_flakes(h)[2:-1])
    head = "".join(f"<th>{e(k)}</th>" for k in h["kernels"])
    return ("<!DOCTYPE html><html><head><meta charset=utf-8><title>history</title><style>"
            "table{border-collapse:collapse;font:12px sans-serif}td,th{border:1px solid #999;"
            "padding:2px 4px}td.t{outline:3px solid #00f}</style></head><body>"
            f"<h1>History over {len(h['kernels'])} kernels</h1><table><tr><th>rule</th>{head}</tr>"
            + "".join(rows) + "</table><h2>Transitions</h2><ul>" + (trans or "<li>none</li>")
            + "</ul><h2>Flakes: differences a re-run removed (not transitions)</h2><ul>"
            + (flakes or "<li>none</li>") + "</ul></body></html>\n")


def read_reruns(runs, rerun_dir):
    """(runs, again, first): a run without a verdict replaced by its re-run
    when that gave one (first: how the replaced run ended), and the other
    re-runs' results, unit -> kernel -> [result]."""
    again, first, by_label = {}, {}, {r.label: i for i, r in enumerate(runs)}
    for d in sorted(os.listdir(rerun_dir)):
        run = Run(os.path.join(rerun_dir, d))
        if run.noverdict:
            continue
        i = by_label.get(run.label)
        if i is not None and runs[i].noverdict:
            first[run.label] = {"verdict": runs[i].verdict, "reason": runs[i].reason}
            runs[i] = run
            continue
        for name, (res, _, _) in units_of(run).items():
            again.setdefault(name, {}).setdefault(run.label, []).append(res)
    return runs, again, first


def write(outdir, h, md):
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "history.json"), "w") as f:
        json.dump(h, f, indent=1)
    with open(os.path.join(outdir, "history.md"), "w") as f:
        f.write(md + "\n")
    with open(os.path.join(outdir, "history.html"), "w") as f:
        f.write(html_page(h))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("runs", nargs="+", metavar="RUN_DIR")
    ap.add_argument("-o", metavar="DIR", help="where history.{json,md,html} go (default: .)")
    ap.add_argument("--for", dest="target", metavar="VERSION", help="the backport view for VERSION")
    ap.add_argument("--rerun", metavar="DIR", help="the re-runs of the kernels --list-rerun named")
    ap.add_argument("-X", metavar="FILE", help="check this known-deviations file's ranges")
    ap.add_argument("--list-rerun", action="store_true",
                    help="print the kernels to run again, one a line, and exit")
    args = ap.parse_args()
    try:
        runs = [Run(p) for p in args.runs]
        if args.list_rerun:
            print("\n".join(Series(runs).rerun()))
            return 0
        again, first = {}, {}
        if args.rerun:
            runs, again, first = read_reruns(runs, args.rerun)
        entries = read_deviations(args.X) if args.X else None
        h = build(Series(runs, again), args.target, entries, first)
    except (ValueError, OSError) as e:
        print(f"history: {e}", file=sys.stderr)
        return 2
    md = markdown(h)
    write(args.o or ".", h, md)
    print(md)
    for f in h["flakes"]:
        print(f"history: flake: {flake_text(f).replace('`', '')}", file=sys.stderr)
    bad = any(d["problems"] for d in h["deviations"] or []) or any(r["noverdict"] for r in h["runs"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
