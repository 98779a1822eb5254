#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vmtest/bench.sh's measurements as one JSON record, for scripts/numbers.py.

Usage: vmtest/bench_record.py -o FILE --run RUN_JSON --accel ACCEL
                              --kernel-image PATH --floor MS... --warm MS...
                              [--cold MS] [--runner-args TEXT]

Milliseconds each, and the last warm run's record (its counts, wall time
and tests' durations) as results.py reads it. Exit 1 when the record
cannot be read or the file written, 2 on a usage error.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import Run  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description="vmtest/bench.sh's measurements as JSON.")
    ap.add_argument("-o", "--output", required=True, metavar="FILE")
    ap.add_argument("--run", required=True, metavar="RUN_JSON", help="the last warm run (-J)")
    ap.add_argument("--accel", required=True)
    ap.add_argument("--kernel-image", required=True, metavar="PATH")
    ap.add_argument("--floor", type=int, nargs="+", required=True, metavar="MS")
    ap.add_argument("--warm", type=int, nargs="+", required=True, metavar="MS")
    ap.add_argument("--cold", type=int, metavar="MS")
    ap.add_argument("--runner-args", default="", metavar="TEXT")
    args = ap.parse_args()
    run = Run(args.run)
    if run.error:
        print(f"bench_record.py: {run.error}", file=sys.stderr)
        return 1
    record = {"accel": args.accel, "kernel": run.data.get("kernel", ""),
              "kernel_image": args.kernel_image, "runner_args": args.runner_args,
              "floor_ms": args.floor, "warm_ms": args.warm, "cold_ms": args.cold,
              "last_run": run.data}
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            json.dump(record, f, indent=1)
    except OSError as e:
        print(f"bench_record.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
