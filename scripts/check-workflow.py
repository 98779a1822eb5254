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
sys.path.insert(0, os.path.join(TOP, "vmtest"))
from results import Checks  # noqa: E402


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
    c, called, checked = Checks(), set(), checked_jobs()
    for wf, job, name, run in run_steps():
        m = CALL.fullmatch(run)
        job_ = m.group(1) if m and m.group(1) in JOBS else None
        why = (f"make check runs no 'scripts/ci-job.sh {job_}' (scripts/check.sh)" if job_
               else f"not one scripts/ci-job.sh JOB call: {run!r}")
        if c.check(f"{wf}: job {job}, step '{name}'", job_ in checked, why):
            called.add(job_)
    print(f"ok   ci-job.sh jobs the workflow runs, make check too: {' '.join(sorted(called))}")
    return c.done() or int(not called)

if __name__ == "__main__":
    sys.exit(main())
