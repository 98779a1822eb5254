#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's history step: over the four consecutive Debian builds 7.1.8,
# 7.1.13, 7.2.6 and 7.2.9 (the whole suite on each), vmtest/history.sh must
# find the R-VERIFY-10 fix between 7.1.13 and 7.2.6 on its own, name the
# upstream range and the bisect command, and find the known-deviations
# file consistent with what it measured.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
out=${1:-build/history-check}

vmtest/history.sh -j 2 -o "$out" --from 7.1.8 --to 7.2.9 --for 7.1.13
rc=$?
python3 - "$out/history.json" "$rc" <<'PY'
import json, sys

h = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
checks = []


def check(what, ok):
    checks.append(ok)
    print(("ok   " if ok else "FAIL ") + what)


check("history.sh exit 0 (every kernel gave a verdict, the deviations agree)", rc == 0)
check("the four kernels, in order", h["kernels"] == ["7.1.8", "7.1.13", "7.2.6", "7.2.9"])
fix = [t for t in h["transitions"] if t["rule"] == "R-VERIFY-10"]
check("R-VERIFY-10: XFAIL to OK between 7.1.13 and 7.2.6, for each put_file_then_* subtest",
      len(fix) == 2 and all(t["older"] == "7.1.13" and t["newer"] == "7.2.6" and
                            t["from"] == "XFAIL" and t["to"] == "OK" for t in fix))
check("its upstream range is v7.1.13..v7.2.6 through mainline v7.1..v7.2",
      all(t["upstream"].startswith("v7.1.13..v7.2.6: mainline v7.1..v7.2") for t in fix))
check("its bisect command looks for a fix with git-bisect-run.sh -F",
      all("--term-new=fixed v7.2.6 v7.1.13" in t["bisect"] and "-F -t verifier_file_dynptr/put_file_then_"
          in t["bisect"] for t in fix))
check("no other transition (the series is quiet elsewhere)",
      len(h["transitions"]) == len(fix))
back = h["backport"] or {}
check("the backport view of 7.1.13 names the fix in 7.2.6",
      sorted(i["changed_in"] for i in back.get("items", [])) == ["7.2.6", "7.2.6"])
check("every known deviation consistent with the history",
      not any(d["problems"] for d in h["deviations"]))
print(f"{sum(checks)} passed, {len(checks) - sum(checks)} failed")
sys.exit(0 if all(checks) else 1)
PY
