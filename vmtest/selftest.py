#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vmtest/selftest.sh's checks of what vmtest, report.py and history.py
wrote, and the two things a shell cannot do for it.

Usage: vmtest/selftest.py run FILE VERDICT REASON_RE [CASE]...
       vmtest/selftest.py matrix DIR
       vmtest/selftest.py history HISTORY_JSON
       vmtest/selftest.py setup-errors RUN
       vmtest/selftest.py arm64-cut FILE
       vmtest/selftest.py sigint-default COMMAND [ARG]...

run: FILE (vmtest -J, read by results.py) has a verdict, a reason, the
kernel and a results list; the verdict is VERDICT and the reason matches
REASON_RE (a Python regex, searched); each CASE adds checks (see CASES).
matrix: report.py's DIR/matrix.md and matrix.html of the made-up runs in
vmtest/testdata/report, and what report.py tells matrix.sh's re-run
(--list-rerun, the flakes of a kernel run again). history: history.py's history.json of those in
vmtest/testdata/history, and history.decide(), the re-run-before-report
decision, on made-up rows (DECISIONS). setup-errors: the made-up run RUN
(vmtest/testdata/error) with setup errors (ERROR) read and written by
results.py and report.py: failures, but apart from the kernel's in every
format. arm64-cut writes an arm64 EFI image whose one
section ends at 1 MiB, cut at 64 KiB. sigint-default runs COMMAND with
SIGINT at its default (a shell started in the background ignores it).

Exit 0 when the checks hold, 1 (saying what did not) when not, 2 on a
usage error.
"""
import json
import os
import re
import signal
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import Run  # noqa: E402


def no_results(d):
    assert d["results"] == [], d["results"]


def no_guest_json(d):
    assert not d["vmtest"]["guest_json"], d["vmtest"]


def no_kernel(d):
    assert d["kernel"] == "1.2.3", d["kernel"]
    no_results(d)


def record(d):
    """The runner's record of -t read_basic, carried out of the guest."""
    assert d["vmtest"]["guest_json"] is True, d["vmtest"]
    r = d["results"]
    assert [t["name"] for t in r] == ["read_basic"], r
    assert (d["units"]["passed"], d["units"]["failed"]) == (2, 0), d["units"]
    assert r[0]["result"] in ("OK", "SKIP") and len(r[0]["subtests"]) == 2, r


def no_lsm(d):
    """Without the BPF LSM the skips name it; verifier and program-type
    checks still run."""
    r = {t["name"]: t for t in d["results"]}
    assert d["failed"] == 0 and d["units"]["failed"] == 0 and d["units"]["passed"] > 0, d["units"]
    why = r["read_basic"]["reason"]
    assert "the BPF LSM is not active" in why and "lsm=" in why, r["read_basic"]
    assert r["verifier_file_dynptr"]["result"] in ("OK", "XFAIL"), r["verifier_file_dynptr"]
    assert r["prog_types"]["result"] == "OK", r["prog_types"]


CASES = {"no-results": no_results, "no-guest-json": no_guest_json, "no-kernel": no_kernel,
         "record": record, "no-lsm": no_lsm}


def run(path, verdict, reason_re, *cases):
    r = Run(path)
    assert not r.error, r.error
    d = r.data
    assert isinstance(d["verdict"], int) and isinstance(d["reason"], str), d
    assert d["kernel"] and d["vmtest"]["kernel"] and isinstance(d["results"], list), d
    assert d["verdict"] == int(verdict), d["verdict"]
    assert re.search(reason_re, d["reason"]), d["reason"]
    for case in cases:
        CASES[case](d)


def matrix_md(md):
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in md.splitlines() if line.startswith("| ")}
    assert rows["test"] == ["6.19.14", "6.18.15", "7.3.4", "missing"], rows["test"]
    assert rows["**alpha**"] == ["FAIL", "SKIP", "NOVERDICT", "NOVERDICT"], rows
    assert rows["alpha/one"] == ["XFAIL", "SKIP", "NOVERDICT", "NOVERDICT"], rows
    assert rows["alpha/two"] == ["FAIL", "SKIP", "NOVERDICT", "NOVERDICT"], rows
    assert rows["**gamma**"] == ["PASS", "SKIP", "NOVERDICT", "NOVERDICT"], rows
    verdicts = rows["**verdict**"]
    assert verdicts[1] == "exit 0 (all passed)" and "exit 4" in verdicts[2], rows
    assert "guest hang: no result after 300 s" in md and "`alpha/two`: FAIL: x.c:1: FAIL" in md, md


def matrix(out):
    with open(os.path.join(out, "matrix.md")) as f:
        matrix_md(f.read())
    with open(os.path.join(out, "matrix.html")) as f:
        page = f.read()
    ids, hrefs = set(re.findall(r'id="([^"]+)"', page)), set(re.findall(r'href="#([^"]+)"', page))
    assert hrefs and hrefs <= ids, hrefs - ids
    fail = re.search(r'alpha/two</td><td class="c FAIL"[^>]*><a href="#([^"]+)">FAIL</a>',
                     page).group(1)
    sect = page[page.index(f'id="{fail}"'):]
    sect = sect[:sect.index("</section>")]
    assert "ASSERT_EQ(1, 2)" in sect and "alpha/one ---" not in sect, sect
    # Every cell but PASS, "-" and NOVERDICT links to a log excerpt.
    cells = re.findall(r'<td class="c (\w+)[^"]*"[^>]*>(<a href="#log\d+">)?', page)
    assert all(link for cls, link in cells if cls not in ("PASS", "none", "NOVERDICT")), cells
    # Shown when filtered: rows where one failed or the kernels disagree;
    # the control kernel's SKIP and the kernels without results aside,
    # only the failures of 6.19.14 remain.
    shown = re.findall(r'<tr class="(?:test|sub)" data-show=1><td class="name">([^<]+)<', page)
    assert shown == ["alpha", "alpha/two"], shown
    matrix_reruns()


def matrix_reruns():
    """report.py's side of matrix.sh's re-run: which kernels run again, and
    the flakes of one whose first run (first-run/) differs from its re-run."""
    import shutil
    import tempfile
    import report
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")
    again = [report.needs_rerun(Run(os.path.join(here, d)))
             for d in ("report/k1", "report/k2", "report/k3", "error")]
    assert again == [False, False, True, True], again  # FAIL, SKIP: no; NOVERDICT, ERROR: yes
    with tempfile.TemporaryDirectory() as tmp:
        k = os.path.join(tmp, "7.3.4")
        shutil.copytree(os.path.join(here, "error"), os.path.join(k, report.FIRST_RUN))
        with open(os.path.join(here, "error", "results.json")) as f:
            d = json.load(f)
        d["results"][1].update(result="OK", body="OK", failed=False)  # probe: OK this time
        with open(os.path.join(k, "results.json"), "w") as f:
            json.dump(d, f)
        kernels = [Run(k)]
        diff = report.rerun_diff(kernels[0])
        assert diff == ("exit 1 (failures)", [("probe", "ERROR", "PASS")]), diff
        rows, cells = report.build(kernels)
        md = report.markdown(kernels, rows, cells, "t", "")
        assert "  - flake `probe`: ERROR on the first run, PASS on the re-run" in md, md
        page = report.html_page(kernels, rows, cells, "t", "")
        assert "flake probe: ERROR on the first run, PASS on the re-run" in page, page
        assert report.rerun_diff(Run(os.path.join(here, "error"))) is None


def history(path):
    with open(path) as f:
        h = json.load(f)
    assert h["kernels"] == ["7.0.4", "7.1.13", "7.2.6", "7.2.9"], h["kernels"]
    t = {(x["unit"], x["older"], x["newer"]): x for x in h["transitions"]}
    fix = t[("t/fix", "7.1.13", "7.2.6")]
    assert fix["rule"] == "R-X-1" and fix["history"] == "XFAIL 7.0.4–7.1.13, OK from 7.2.6", fix
    assert fix["upstream"] == ("v7.1.13..v7.2.6: mainline v7.1..v7.2, then the 7.2 stable "
                               "releases v7.2..v7.2.6"), fix["upstream"]
    assert "--term-new=fixed v7.2.6 v7.1.13" in fix["bisect"] and "-F -t t/fix" in fix["bisect"]
    # t/flip: FAIL on 7.2.6 between OKs, OK on its re-run: a flake, no transition.
    assert h["flakes"] == [{"kernel": "7.2.6", "results": ["FAIL", "OK"], "unit": "t/flip",
                            "rule": "R-Y-2"}], h["flakes"]
    assert len(t) == 1 and fix["rerun"] is None, t
    assert [i["unit"] for i in h["backport"]["items"]] == ["t/fix"], h["backport"]
    d = h["deviations"][0]
    assert any("7.1.13, outside the range" in p for p in d["problems"]), d
    assert h["timeline"]["R-X-1"] == ["XFAIL", "XFAIL", "OK", "OK"], h["timeline"]
    assert h["timeline"]["R-Y-2"] == ["OK", "OK", "FLAKY", "OK"], h["timeline"]
    decisions()


K = ["7.1.8", "7.1.13", "7.2.6", "7.2.9"]
# history.decide() on made-up rows: (first results, re-runs' results by
# kernel, the kernels to re-run, transitions, flakes as (kernel, results)).
DECISIONS = [
    # The case: a one-time SKIP on the first kernel, OK on its re-run.
    ("SKIP OK OK OK", {"7.1.8": ["OK"], "7.1.13": ["OK"]}, {"7.1.8", "7.1.13"}, [],
     [("7.1.8", ["SKIP", "OK"])]),
    # The same SKIP repeated: a real transition, both sides re-run.
    ("SKIP OK OK OK", {"7.1.8": ["SKIP"], "7.1.13": ["OK"]}, {"7.1.8", "7.1.13"},
     [("7.1.8", "7.1.13", "SKIP", "OK", "repeated")], []),
    # Not re-run (history.sh --no-rerun): reported, and said so.
    ("SKIP OK OK OK", {}, {"7.1.8", "7.1.13"},
     [("7.1.8", "7.1.13", "SKIP", "OK", "not re-run")], []),
    # A one-time TIMEOUT in the middle: its neighbours re-run too.
    ("OK OK TIMEOUT OK", {"7.1.13": ["OK"], "7.2.6": ["OK"], "7.2.9": ["OK"]},
     {"7.1.13", "7.2.6", "7.2.9"}, [], [("7.2.6", ["TIMEOUT", "OK"])]),
    # A one-time setup error after a real fix: the fix stays, the error is a flake.
    ("XFAIL XFAIL OK ERROR", {"7.2.6": ["OK"], "7.2.9": ["OK"]}, {"7.2.6", "7.2.9"},
     [("7.1.13", "7.2.6", "XFAIL", "OK", None)], [("7.2.9", ["ERROR", "OK"])]),
    # A setup error that repeats is reported (make check fails on it).
    ("OK OK OK ERROR", {"7.2.6": ["OK"], "7.2.9": ["ERROR"]}, {"7.2.6", "7.2.9"},
     [("7.2.6", "7.2.9", "OK", "ERROR", "repeated")], []),
    # A fix between kernels that both pass or fail for good: no re-run.
    ("XFAIL XFAIL OK OK", {}, set(), [("7.1.13", "7.2.6", "XFAIL", "OK", None)], []),
    ("OK OK FAIL FAIL", {}, set(), [("7.1.13", "7.2.6", "OK", "FAIL", None)], []),
    # A flip (A B A): its middle re-run; repeated, it is two transitions.
    ("OK OK FAIL OK", {"7.2.6": ["FAIL"]}, {"7.2.6"},
     [("7.1.13", "7.2.6", "OK", "FAIL", "repeated"), ("7.2.6", "7.2.9", "FAIL", "OK", "repeated")],
     []),
    ("OK OK FAIL OK", {"7.2.6": ["OK"]}, {"7.2.6"}, [], [("7.2.6", ["FAIL", "OK"])]),
    # A kernel without a verdict, or without the unit, is stepped over.
    ("OK NOVERDICT OK OK", {}, set(), [], []),
    ("- OK OK OK", {}, set(), [], []),
]


def decisions():
    import history
    for row, again, rerun, trans, flakes in DECISIONS:
        row = row.split()
        got = history.to_rerun(K, row)
        assert got == rerun, (row, "re-run", got)
        _, got_trans, got_flakes = history.decide(K, row, again)
        assert got_trans == trans, (row, again, got_trans)
        got_flakes = [(f["kernel"], f["results"]) for f in got_flakes]
        assert got_flakes == flakes, (row, again, got_flakes)
    # Series.rerun(): every kernel without a verdict, with each unit's.
    runs = [Run.from_dict({"verdict": 0, "kernel": k, "vmtest": {"kernel": k},
                           "results": [{"name": "t", "result": r, "subtests": []}]})
            for k, r in zip(K, ["OK", "OK", "SKIP", "OK"])]
    runs[0] = Run.from_dict({"verdict": 4, "reason": "guest hang", "vmtest": {"kernel": K[0]},
                             "results": []})
    got = history.Series(runs).rerun()
    assert got == ["7.1.8", "7.1.13", "7.2.6", "7.2.9"], got


def setup_errors(path):
    """A made-up record with setup errors (ERROR) beside a kernel FAIL: every
    reader keeps them apart, and counts them as failures."""
    import report
    import results
    r = Run(path)
    units = {(t.name + "/" + u.name if u is not t else t.name): res
             for t, u, res in results.counted_units(r)}
    assert units["evict/ext4_scratch"] == "ERROR" and units["probe"] == "ERROR", units
    assert r.count("error") == 2 and r.count("failed") == 3, r.units
    assert results.failed_units(r) == ["evict/ext4_scratch:ERROR", "probe:ERROR", "read/b:FAIL"]
    ktap = results.ktap(r).splitlines()
    assert "  not ok 2 ext4_scratch # ERROR setup error: the ext4 scratch kept 2 of 2 pages " \
        "after 5 eviction tries" in ktap, ktap
    assert "not ok 1 evict # ERROR setup error: the ext4 scratch kept 2 of 2 pages after 5 " \
        "eviction tries" in ktap and "not ok 3 read" in ktap, ktap
    assert "# Totals: pass:2 fail:1 xfail:0 xpass:0 skip:1 error:2" in ktap, ktap
    junit = results.junit(r)
    assert '<error type="ERROR" message="setup error: the scratch mount failed' in junit, junit
    assert junit.count("<failure") == 1 and 'failures="1" errors="2"' in junit, junit
    md = results.summary(r)
    kernel, _, setup = md.partition("Setup errors")
    assert "ERROR 2" in kernel and "`read/b`" in kernel and "ERROR |" not in kernel, md
    assert "`evict/ext4_scratch`" in setup and "`probe`" in setup and "`read/b`" not in setup, md
    assert report.worst(["OK", "ERROR"]) == "ERROR" and report.worst(["ERROR", "FAIL"]) == "FAIL"
    rows, cells = report.build([r])
    page = report.html_page([r], rows, cells, "t", "")
    assert '<td class="c ERROR" title="the scratch mount failed' in page and ".ERROR {" in page
    md = report.markdown([r], rows, cells, "t", "")
    assert "`probe`: ERROR (setup error): the scratch mount failed" in md, md


def arm64_cut(path):
    img = bytearray(65536)
    img[56:60] = b"ARMd"
    struct.pack_into("<I", img, 60, 64)
    img[64:68] = b"PE\0\0"
    struct.pack_into("<HH", img, 64 + 4, 0xaa64, 1)
    struct.pack_into("<H", img, 64 + 20, 240)
    struct.pack_into("<II", img, 64 + 24 + 240 + 16, 0xf0000, 0x10000)
    with open(path, "wb") as f:
        f.write(img)


def sigint_default(*argv):
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execv(argv[0], argv)


COMMANDS = {"run": (run, 3, None), "matrix": (matrix, 1, 1), "history": (history, 1, 1),
            "setup-errors": (setup_errors, 1, 1),
            "arm64-cut": (arm64_cut, 1, 1), "sigint-default": (sigint_default, 1, None)}


def main(argv):
    cmd = COMMANDS.get(argv[0] if argv else "")
    args = argv[1:]
    if not cmd or len(args) < cmd[1] or (cmd[2] and len(args) > cmd[2]) or (
            argv[0] == "run" and not set(args[3:]) <= set(CASES)):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        cmd[0](*args)
    except (AssertionError, KeyError, IndexError, TypeError, ValueError, AttributeError,
            OSError) as e:
        print(f"{argv[0]}: {type(e).__name__}: {str(e)[:400]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
