#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""SEMANTICS.md and the code, checked both ways.

Without arguments: every rule of SEMANTICS.md is cited by some case in the
code (a string literal "R-..." in progs/ or prog_tests/: a row's CASE_AT,
EXPECT, TEST_RULE, a verifier program's __rule), or is marked "Not
testable:" with the reason; every citation, and every rule of
known-deviations.ini, names a rule that exists; config holds every kernel
option the code names, and each option a test needs (its TEST_TRAITS'
.kconfigs) with the test named in the option's reason. Of the verifier
programs (progs/ using verifier_expect.h): every refusal X (__failure) has
its twin X_twin (__success, the nearest program that loads) right after
it, or says "No twin:" and why in its comment; every twin X_twin[_HOW]
follows its refusal and its comment names it ("Twin of X"); a program's
rule says "load" for __success and "reject" for __failure where the rule's
table has that column, and a refusal's reject rule names its twin's rule.

With runs (a results JSON, or a directory holding results.json): in those
runs together every testable rule was checked by some unit (the JSON's
"rules"), every rule a unit names exists, every XFAIL unit checked the rule
its deviation is of, and no known deviation covered nothing.

--where RULE prints the rule and every place that cites it: from a rule to
its cases in one step.
"""
import argparse
import os
import re
import sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(TOP, "vmtest"))
from results import Checks, Run  # noqa: E402

RULE = r"R-[A-Z]+-\d+"
ROW_RE = re.compile(r"^\|\s*(" + RULE + r")\s*\|(.*)$")
LITERAL_RE = re.compile(r'"(' + RULE + r')"')
UNTESTABLE_RE = re.compile(r"\bNot testable:\s*(.*?)(\||$)")
SOURCE_DIRS = ("progs", "prog_tests")


def semantics(path):
    """{rule: (line, untestable reason or None)} and the duplicates."""
    rules, dups = {}, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = ROW_RE.match(line)
            if not m:
                continue
            rule, rest = m.groups()
            if rule in rules:
                dups.append((rule, rules[rule][0], n))
            u = UNTESTABLE_RE.search(rest)
            rules[rule] = (n, u.group(1).strip() if u else None)
    return rules, dups


def verdict_rows(path):
    """{rule: (verdict, row text)} of the rows whose second cell is a
    verdict ("load" or "reject": the verifier's table)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = ROW_RE.match(line)
            if m:
                cells = [c.strip() for c in m.group(2).split("|")]
                if cells and cells[0] in ("load", "reject"):
                    out[m.group(1)] = (cells[0], m.group(2))
    return out


PROG_RE = re.compile(r'\bSEC\("[^"]*"\)(.*?)\bint\s+(?:BPF_PROG\(\s*)?(\w+)', re.S)
COMMENT_END_RE = re.compile(r"(/\*(?:(?!\*/).)*\*/)\s*$", re.S)
TWIN_RE = re.compile(r"^(\w+?)_twin(?:_\w+)?$")


def verifier_programs(rel):
    """[(name, verdict, rule, leading comment, line)] of a verifier
    program file, in order. verdict is "success", "failure" or None."""
    with open(os.path.join(TOP, rel), encoding="utf-8") as f:
        text = f.read()
    code = strip_comments(text)
    progs, last = [], 0
    for m in PROG_RE.finditer(code):
        notes = m.group(1)
        verdict = ("failure" if re.search(r"\b__failure\b", notes) else
                   "success" if re.search(r"\b__success\b", notes) else None)
        rule = re.search(r'__rule\("(' + RULE + r')"\)', notes)
        c = COMMENT_END_RE.search(text[last:m.start()])
        comment = " ".join(re.sub(r"^\s*\*?", "", l) for l in c.group(1).split("\n")) if c else ""
        progs.append((m.group(2), verdict, rule.group(1) if rule else None,
                      " ".join(comment.split()), code.count("\n", 0, m.start()) + 1))
        last = m.end()
    return progs


def twin_problems(rel, progs, verdicts):
    """What breaks "every refusal has its twin" in one file's programs."""
    out, by_name = [], {p[0]: p for p in progs}
    names = [p[0] for p in progs]
    for i, (name, verdict, rule, comment, line) in enumerate(progs):
        where = f"{rel}:{line}: {name}"
        if verdict and rule in verdicts:
            want = "load" if verdict == "success" else "reject"
            if verdicts[rule][0] != want:
                out.append(f"{where} is __{verdict} but its rule {rule} says {verdicts[rule][0]}")
        m = TWIN_RE.match(name)
        if verdict == "failure" and not m:
            twin = by_name.get(name + "_twin")
            if twin is None:
                if not re.search(r"\bNo twin:\s*\S+\s+\S+", comment):
                    out.append(f"{where} is refused and has no twin {name}_twin "
                               "(or a \"No twin:\" comment saying why)")
                continue
            if twin[2] and rule in verdicts and not re.search(
                    r"\b" + re.escape(twin[2]) + r"\b", verdicts[rule][1]):
                out.append(f"{where}: its rule {rule} does not name its twin's rule {twin[2]}")
        if not m:
            continue
        base = m.group(1)
        if verdict != "success":
            out.append(f"{where} is a twin but not __success")
        if by_name.get(base, (None, None))[1] != "failure":
            out.append(f"{where} is a twin of {base}, which is not a __failure program of this file")
            continue
        if f"Twin of {base} " not in comment + " " and f"Twin of {base}:" not in comment:
            out.append(f"{where}: its comment does not say \"Twin of {base}\"")
        between = names[names.index(base) + 1:i]
        if any(not n.startswith(base + "_twin") for n in between):
            out.append(f"{where} does not follow {base} (in between: {', '.join(between)})")
    return out


def twin_checks(c):
    verdicts = verdict_rows(os.path.join(TOP, "SEMANTICS.md"))
    problems, pairs = [], 0
    for name in sorted(os.listdir(os.path.join(TOP, "progs"))):
        rel = f"progs/{name}"
        if not name.endswith(".c"):
            continue
        with open(os.path.join(TOP, rel), encoding="utf-8") as f:
            if '"verifier_expect.h"' not in f.read():
                continue
        progs = verifier_programs(rel)
        pairs += sum(1 for p in progs if p[1] == "failure")
        problems += twin_problems(rel, progs, verdicts)
    c.problems(f"each verifier refusal ({pairs}) has its twin beside it, the verdicts "
               "match their rules' and each reject rule names its twin's rule", problems)


def strip_comments(text):
    """C text with its comments blanked (newlines kept), strings intact."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def citations():
    """{rule: [file:line, ...]} of the string literals in the code."""
    cited = {}
    for d in SOURCE_DIRS:
        for name in sorted(os.listdir(os.path.join(TOP, d))):
            if not name.endswith((".c", ".h")):
                continue
            rel = f"{d}/{name}"
            with open(os.path.join(TOP, rel), encoding="utf-8") as f:
                code = strip_comments(f.read())
            for n, line in enumerate(code.split("\n"), 1):
                for m in LITERAL_RE.finditer(line):
                    cited.setdefault(m.group(1), []).append(f"{rel}:{n}")
    return cited


def config_reasons(path):
    """{option: the comment above its block} of the config file."""
    reasons, comment, in_options = {}, [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("#"):
                if in_options:
                    comment, in_options = [], False
                comment.append(line.lstrip("# "))
            elif line.startswith("CONFIG_"):
                reasons[line.split("=")[0]] = " ".join(comment)
                in_options = True
            else:
                comment, in_options = [], False
    return reasons


def kconfig_needs():
    """[(test, option, file:line)] of the TEST_TRAITS' .kconfigs."""
    needs = []
    for name in sorted(os.listdir(os.path.join(TOP, "prog_tests"))):
        if not name.endswith(".c"):
            continue
        with open(os.path.join(TOP, "prog_tests", name), encoding="utf-8") as f:
            code = strip_comments(f.read())
        for m in re.finditer(r"TEST_TRAITS\((\w+),(.*?)\);", code, re.S):
            for o in re.finditer(r'"(CONFIG_[A-Z0-9_]+)"', m.group(2)):
                line = code.count("\n", 0, m.start(2) + o.start()) + 1
                needs.append((m.group(1), o.group(1), f"prog_tests/{name}:{line}"))
    return needs


def named_options():
    """{option: first file:line} of every CONFIG_ the code names, comments too."""
    named = {}
    for d in SOURCE_DIRS + ("runner",):
        for name in sorted(os.listdir(os.path.join(TOP, d))):
            if not name.endswith((".c", ".h")):
                continue
            with open(os.path.join(TOP, d, name), encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    for o in re.findall(r"\bCONFIG_[A-Z0-9_]+", line):
                        named.setdefault(o, f"{d}/{name}:{n}")
    return named


def kconfig_checks(c):
    reasons = config_reasons(os.path.join(TOP, "config"))
    needs = kconfig_needs()
    c.problems(f"config holds every option the code names ({len(named_options())} options)",
            [f"{where}: {o}" for o, where in sorted(named_options().items())
             if o not in reasons])
    c.problems(f"each option a test needs ({len(needs)}) is in config, with the test named in its reason",
            [f"{where}: {test} needs {o}, " +
             ("which config lacks" if o not in reasons else "and config's reason for it does not name it")
             for test, o, where in needs
             if not re.search(r"\b" + test + r"\b", reasons.get(o, ""))])


def deviation_rules(path):
    """[(rule, line)] of known-deviations.ini."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = re.match(r"^\s*rule\s*=\s*(\S+)", line)
            if m:
                out.append((m.group(1), n))
    return out


def static_checks(c, rules, dups, cited):
    c.problems("each rule is defined once in SEMANTICS.md",
            [f"{r}: lines {a} and {b}" for r, a, b in dups])
    c.problems("each rule marked \"Not testable:\" says why",
            [f"SEMANTICS.md:{n}: {r}" for r, (n, why) in rules.items()
             if why is not None and len(why.split()) < 4])
    c.problems("each testable rule is cited by a case in the code",
            [f"SEMANTICS.md:{n}: {r} is cited nowhere in {', '.join(SOURCE_DIRS)}/"
             for r, (n, why) in rules.items() if why is None and r not in cited])
    c.problems("no rule marked \"Not testable:\" is cited by a case",
            [f"{r}: cited at {', '.join(cited[r])}" for r, (n, why) in rules.items()
             if why is not None and r in cited])
    c.problems("each citation in the code names a rule of SEMANTICS.md",
            [f"{where}: {r}" for r, places in sorted(cited.items()) if r not in rules
             for where in places])
    devs = deviation_rules(os.path.join(TOP, "known-deviations.ini"))
    c.problems("each known deviation names a rule of SEMANTICS.md",
            [f"known-deviations.ini:{n}: {r}" for r, n in devs if r not in rules])


def units(run):
    for t in run.get("results") or []:
        yield t["name"], t
        for s in t.get("subtests") or []:
            yield f"{t['name']}/{s['name']}", s


def run_checks(c, rules, cited, paths):
    checked, unknown, xfail_bad, unmatched, unreadable, ruleless = {}, [], [], [], [], []
    for path in paths:
        r = Run(path)
        if r.error:
            unreadable.append(r.error)
            continue
        f, run = r.file, r.data
        label = run.get("kernel") or f
        if "deviations_unmatched" not in run:
            unreadable.append(f"{f}: no \"deviations_unmatched\" (a runner older than the rules?)")
        for entry in run.get("deviations_unmatched") or []:
            unmatched.append(f"{label}: {entry}")
        for name, u in units(run):
            got = [r for r in u.get("rules") or [] if r != "..."]
            for r in got:
                checked.setdefault(r, set()).add(label)
                if r not in rules:
                    unknown.append(f"{label}: {name} checked {r}")
            ran = u.get("result") not in ("SKIP", None)
            if ran and not got and ("subtests" not in u or not u["subtests"]):
                ruleless.append(f"{label}: {name} ({u.get('result')})")
            # A test's own result sums its subtests'; its body is its unit.
            result = u.get("body") if "subtests" in u else u.get("result")
            if result == "XFAIL" and u.get("rule") not in got:
                xfail_bad.append(f"{label}: {name} is XFAIL under {u.get('rule')} "
                                 f"but checked {' '.join(got) or 'no rule'}")
    c.problems("the runs' results are readable and carry the rule fields", unreadable)
    c.problems(f"each testable rule was checked in {len(paths)} run(s)",
            [f"{r} (SEMANTICS.md:{n}; cited at {', '.join(cited.get(r, ['nowhere']))})"
             for r, (n, why) in rules.items() if why is None and r not in checked])
    c.problems("each rule the runs checked exists", unknown)
    c.problems("each subtest that ran checked some rule", ruleless)
    c.problems("each XFAIL checked the rule of its known deviation", xfail_bad)
    c.problems("no known deviation covered nothing", unmatched)


def where(rule, rules, cited):
    if rule not in rules:
        print(f"check-rules: {rule} is not a rule of SEMANTICS.md", file=sys.stderr)
        return 2
    n, why = rules[rule]
    with open(os.path.join(TOP, "SEMANTICS.md"), encoding="utf-8") as f:
        text = f.readlines()[n - 1].rstrip("\n")
    print(f"SEMANTICS.md:{n}: {text}")
    if why is not None:
        print(f"not testable: {why}")
    for place in cited.get(rule, []):
        print(place)
    for r, ln in deviation_rules(os.path.join(TOP, "known-deviations.ini")):
        if r == rule:
            print(f"known-deviations.ini:{ln}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Exit 0 when every check passed, 1 if one failed, 2 on bad usage.")
    ap.add_argument("runs", nargs="*", metavar="RUN",
                    help="a results JSON, or a directory holding results.json")
    ap.add_argument("--where", metavar="RULE", help="print RULE and the places that cite it")
    args = ap.parse_args()

    rules, dups = semantics(os.path.join(TOP, "SEMANTICS.md"))
    if not rules:
        print("check-rules: no rules found in SEMANTICS.md", file=sys.stderr)
        return 2
    cited = citations()
    if args.where:
        return where(args.where, rules, cited)
    c = Checks()
    if args.runs:
        run_checks(c, rules, cited, args.runs)
    else:
        static_checks(c, rules, dups, cited)
        kconfig_checks(c)
        twin_checks(c)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
