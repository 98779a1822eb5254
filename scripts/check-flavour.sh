#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-flavour.sh RT_DIR CLOUD_DIR: make check's flavour step. The
# PREEMPT_RT kernel, booted with Debian's nvme and ext4 modules loaded from
# the initramfs, must give every subtest the result the cloud kernel of the
# same version gives, but for file_kinds/tmpfs_huge_*, which skip there
# because PREEMPT_RT kernels have no transparent huge pages. Prints "N
# passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
python3 - "$1" "$2" <<'PY'
import sys

sys.path.insert(0, "vmtest")
from results import Run  # noqa: E402

rt, cloud = Run(sys.argv[1]), Run(sys.argv[2])


def units(run):
    out = {}
    for t in run.tests:
        out[t.name] = t.result
        for s in t.subtests:
            out[f"{t.name}/{s.name}"] = s
    return out


a, b = units(rt), units(cloud)
checks = []


def check(what, ok):
    checks.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + what)


def result(u):
    return u if isinstance(u, str) else u.result


check("rt-amd64 gave a verdict of 0", rt.verdict == 0)
check("the scratch disk was ext4 (the modules loaded): no subtest skips for a tmpfs scratch",
      not any("is a tmpfs" in u.reason for u in a.values() if not isinstance(u, str)))
huge = {n for n in b if n.startswith("file_kinds/tmpfs_huge_")}
check("file_kinds/tmpfs_huge_* skip on rt-amd64, saying there are no transparent huge pages",
      huge and all(result(a.get(n)) == "SKIP" and "transparent huge pages" in a[n].reason
                   for n in huge))
differ = sorted(n for n in set(a) | set(b)
                if n not in huge and n.count("/") and
                result(a.get(n, "absent")) != result(b.get(n, "absent")))
check("every other subtest as on cloud" + (f" (differ: {', '.join(differ[:5])})" if differ else ""),
      not differ)
print(f"{sum(checks)} passed, {len(checks) - sum(checks)} failed")
sys.exit(0 if all(checks) else 1)
PY
