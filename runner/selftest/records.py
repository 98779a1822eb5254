#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The runner self-tests' checks of what the fake runner wrote: its JSON
record (read through vmtest/results.py, as every reader of a run does) and
the JUnit report.py made from it.

Usage: runner/selftest/records.py CHECK FILE [ARG]

CHECK is one of: parses, durations, shape, junit, rule, rules, unmatched,
parallel, setup_error, splat (each a function below, on the run.sh check
of the same name; splat takes the splat line expected, or '' for none).
Exit 0 when the check holds, 1 (with what did not hold) when not, 2 on a
usage error.
"""
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "vmtest"))
import results  # noqa: E402
from results import Run  # noqa: E402


def record(path):
    run = Run(path)
    assert not run.error, run.error
    return run.data


def subtests(d, qualified=True):
    return {(t["name"] + "/" if qualified else "") + s["name"]: s
            for t in d["results"] for s in t["subtests"]}


def parses(path):
    record(path)


def durations(path):
    r = record(path)["results"]
    hang = [t for t in r if t["name"] == "hang"][0]
    assert all(isinstance(t["duration_ms"], int) for t in r), r
    assert hang["duration_ms"] >= 900, hang["duration_ms"]


def shape(path):
    """The expected counts and results, in test_progs -J's shape."""
    d = record(path)
    r = {t["name"]: t for t in d["results"]}
    subs = subtests(d)
    u = d["units"]
    assert d["kernel"] and (u["passed"], u["failed"], u["skipped"]) == (4, 3, 2), d
    assert (u["xfail"], u["xpass"], u["timeout"]) == (1, 1, 1), d
    # upstream's counts: tests that failed, that did not; subtests likewise
    upstream = ("failed", "success", "failed_subtest", "success_subtest", "skipped")
    assert tuple(d[k] for k in upstream) == (3, 1, 3, 4, 2), {k: d[k] for k in upstream}
    assert r["subtests"]["result"] == "FAIL" and r["subtests"]["failed"] is True
    assert r["subtests"]["number"] == 17, r["subtests"]["number"]
    assert "beta fails" in subs["subtests/beta"]["message"], subs["subtests/beta"]
    assert "beta fails" not in subs["subtests/alpha"]["message"]
    assert r["skip"]["reason"] == "no frobnicator on this machine" and r["skip"]["message"] == ""
    assert r["skip"]["failed"] is False
    assert r["hang"]["result"] == "TIMEOUT" and subs["hang/stuck"]["duration_ms"] >= 900
    assert subs["hang/stuck"]["result"] == "TIMEOUT" and subs["hang/before"]["result"] == "OK"
    g = subs["subtests/gamma"]
    assert (g["name"], g["number"], g["result"], g["reason"], g["failed"]) == \
        ("gamma", 3, "SKIP", "gamma needs a gizmo", False), g
    b = subs["deviation/broken"]
    assert b["result"] == "XFAIL" and b["rule"] == "R-FAKE-1" and "R-FAKE-1" in b["reason"]
    assert not b["failed"], b
    x = subs["deviation/fixed"]
    assert x["result"] == "XPASS" and x["failed"] and x["rule"], x
    assert "no longer reproduces" in x["message"], x


def junit(path):
    """JUnit parses; failures and skips are the runner's units."""
    root = ET.parse(path).getroot()
    cases = root.findall("testsuite/testcase")
    fails = [c for c in cases if c.find("failure") is not None]
    skips = [c for c in cases if c.find("skipped") is not None]
    assert (len(fails), len(skips)) == (3, 2), (len(fails), len(skips))
    assert all(c.get("time") for c in cases) and "skipped" not in root.attrib


def rule(path):
    subs = subtests(record(path), qualified=False)
    assert subs["rows"]["rule"] == "R-FAKE-6" and subs["other_rule"]["rule"] == "R-FAKE-7", subs


def rules(path):
    subs = subtests(record(path), qualified=False)
    assert subs["rows"]["rules"] == ["R-FAKE-5", "R-FAKE-6"], subs["rows"]
    assert subs["other_rule"]["rules"] == ["R-FAKE-7"], subs["other_rule"]


def unmatched(path):
    got = record(path)["deviations_unmatched"]
    assert got == ["[x_cases/no_such_subtest] (R-FAKE-9, line 13)"], got


def parallel(path):
    r = record(path)["results"]
    names = [(t["name"], t["run"]) for t in r]
    want = [(n, run) for run in (1, 2)
            for n in ("x_alone", "x_lane_a", "x_lane_b", "x_par_a", "x_par_b")]
    assert names == want, names
    assert all(t["result"] == "OK" for t in r), [t["result"] for t in r]


def splat(path, line):
    """The record's kernel_splat is LINE (null when LINE is empty), and
    vmtest/results.py takes the run's verdict and reason from it."""
    d, run = record(path), Run(path)
    assert d["kernel_splat"] == (line or None), d["kernel_splat"]
    assert run.verdict == (1 if line else 0), run.verdict
    assert run.reason == (f"kernel splat during the run: {line}" if line else ""), run.reason


def setup_error(path):
    """A setup error: result ERROR with its reason, failed, in units.error."""
    d = record(path)
    probe = subtests(d)["z_setup_error/probe"]
    assert (probe["result"], probe["failed"]) == ("ERROR", True), probe
    assert probe["reason"].startswith("scratch pages stay resident"), probe
    assert d["units"]["error"] == 1 and d["units"]["failed"] == 1, d["units"]
    assert d["failed_subtest"] == 1, d
    # Written by vmtest/results.py, the setup error stays apart from a
    # kernel's failure: KTAP's ERROR directive, JUnit's <error>.
    run = Run(path)
    ktap = results.ktap(run)
    assert "  not ok 1 probe # ERROR setup error: scratch pages stay resident after 5 tries" \
        in ktap.splitlines(), ktap
    assert "error:1" in ktap.splitlines()[-2], ktap
    junit = ET.fromstring(results.junit(run))
    errors = [e for e in junit.iter("error") if e.get("type") == "ERROR"]
    assert len(errors) == 1 and not list(junit.iter("failure")), results.junit(run)
    assert errors[0].get("message").startswith("setup error: scratch pages"), errors[0].attrib


CHECKS = {f.__name__: f for f in (parses, durations, shape, junit, rule, rules, unmatched,
                                  parallel, setup_error, splat)}


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in CHECKS:
        print(f"usage: {sys.argv[0]} {{{','.join(CHECKS)}}} FILE [ARG]", file=sys.stderr)
        return 2
    try:
        CHECKS[sys.argv[1]](*sys.argv[2:])
    except (AssertionError, KeyError, IndexError, TypeError, OSError, ET.ParseError) as e:
        print(f"     | {sys.argv[1]}: {type(e).__name__}: {str(e)[:300]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
