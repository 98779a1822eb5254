#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-jobs.sh RESULTS: make check's step for the runner's -j. RESULTS is a
# vmtest -J run of the whole suite as vmtest runs it (-j as many as the
# guest's CPUs); the same kernel, one test at a time, must give every test
# and subtest the same result.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
[[ $# == 1 && -e $1 ]] || { echo "usage: $0 RESULTS (a kernel directory or results.json)" >&2; exit 2; }
kernel=$(python3 -c 'import json, os, sys
p = sys.argv[1]
p = os.path.join(p, "results.json") if os.path.isdir(p) else p
print(json.load(open(p))["vmtest"]["kernel"])' "$1") || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/check-jobs.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
vmtest/vmtest.sh -k "$kernel" -J "$work/serial.json" -- -j 1 >"$work/serial.log" 2>&1
echo "serial run on $kernel: exit $? ($(grep -E '^[0-9]+ passed' "$work/serial.log"))"
vmtest/report.py --same "$work/serial.json" "$1"
