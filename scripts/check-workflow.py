#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The CI workflow holds only plumbing: every run: step of
.github/workflows/*.yml is one call of scripts/ci-job.sh JOB (no other shell),
each JOB is one ci-job.sh knows, and make check runs each such JOB itself
(a scripts/ci-job.sh JOB call in scripts/check.sh), so that nothing CI runs
goes untested here.

Usage: scripts/check-workflow.py   prints a line per check, then
"N passed, N failed"; exit 1 if one failed.
"""
import glob
import os
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("check-workflow: needs python3-yaml (make deps)")

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# One call, its arguments words or one quoted ${{ }} expression each.
CALL = re.compile(r'scripts/ci-job\.sh ([a-z]+)((?: (?:[\w.:-]+|"\$\{\{ [\w.]+ \}\}"))*)')
with open(os.path.join(TOP, "scripts", "ci-job.sh")) as f:
    JOBS = set(re.findall(r"^job_([a-z]+)\(\)$", f.read(), re.M))


def run_steps():
    """(workflow, job, step name, run text) of every run: step."""
    for path in sorted(glob.glob(os.path.join(TOP, ".github", "workflows", "*.yml"))):
        with open(path) as f:
            wf = yaml.safe_load(f)
        for job_id, job in (wf.get("jobs") or {}).items():
            for n, step in enumerate(job.get("steps") or [], 1):
                if "run" in step:
                    name = step.get("name") or step.get("id") or f"step {n}"
                    yield os.path.basename(path), job_id, name, str(step["run"]).strip()


def checked_jobs():
    """The ci-job.sh JOBs that scripts/check.sh runs."""
    with open(os.path.join(TOP, "scripts", "check.sh")) as f:
        return set(re.findall(r"scripts/ci-job\.sh (?:-[or] \S+ )*([a-z]+)", f.read()))


def main():
    passed = failed = 0
    called = set()
    checked = checked_jobs()
    for wf, job, name, run in run_steps():
        m = CALL.fullmatch(run)
        where = f"{wf}: job {job}, step '{name}'"
        if not m or m.group(1) not in JOBS:
            print(f"FAIL {where}: not one scripts/ci-job.sh JOB call: {run!r}")
            failed += 1
        elif m.group(1) not in checked:
            print(f"FAIL {where}: make check runs no 'scripts/ci-job.sh {m.group(1)}' (scripts/check.sh)")
            failed += 1
        else:
            called.add(m.group(1))
            passed += 1
    print(f"ok   ci-job.sh jobs the workflow runs, make check too: {' '.join(sorted(called))}")
    print(f"{passed} passed, {failed} failed")
    sys.path.insert(0, os.path.join(TOP, "vmtest"))
    from results import write_tally
    write_tally(os.environ.get("CHECK_RESULT"), (passed, failed, 0))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
