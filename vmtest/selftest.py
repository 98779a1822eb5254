#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vmtest/selftest.sh's checks of what vmtest, report.py and history.py
wrote, and the two things a shell cannot do for it.

Usage: vmtest/selftest.py run FILE VERDICT REASON_RE [CASE]...
       vmtest/selftest.py matrix DIR
       vmtest/selftest.py history HISTORY_JSON
       vmtest/selftest.py arm64-cut FILE
       vmtest/selftest.py sigint-default COMMAND [ARG]...

run: FILE (vmtest -J, read by results.py) has a verdict, a reason, the
kernel and a results list; the verdict is VERDICT and the reason matches
REASON_RE (a Python regex, searched); each CASE adds checks (see CASES).
matrix: report.py's DIR/matrix.md and matrix.html of the made-up runs in
vmtest/testdata/report. history: history.py's history.json of those in
vmtest/testdata/history. arm64-cut writes an arm64 EFI image whose one
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


def runner_splat(d):
    """The runner in the guest saw the made-up splat (vmtest.splat=1) in
    /dev/kmsg itself: its record names it, its tests all passed."""
    record(d)
    assert (d.get("kernel_splat") or "").startswith("WARNING: vmtest.splat: "), d.get("kernel_splat")
    assert d["kernel_log"] == "/dev/kmsg", d["kernel_log"]


CASES = {"no-results": no_results, "no-guest-json": no_guest_json, "no-kernel": no_kernel,
         "record": record, "no-lsm": no_lsm, "runner-splat": runner_splat}


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
    assert t[("t/flip", "7.1.13", "7.2.6")]["flake"] is True, t
    assert len(t) == 3, t
    assert [i["unit"] for i in h["backport"]["items"]] == ["t/fix"], h["backport"]
    d = h["deviations"][0]
    assert any("7.1.13, outside the range" in p for p in d["problems"]), d
    assert h["timeline"]["R-X-1"] == ["XFAIL", "XFAIL", "OK", "OK"], h["timeline"]


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
