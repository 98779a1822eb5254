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
kernel=$(vmtest/results.py field vmtest.kernel "$1") || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/check-jobs.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
vmtest/vmtest.sh -k "$kernel" -J "$work/serial.json" -- -j 1 >"$work/serial.log" 2>&1
echo "serial run on $kernel: exit $? ($(vmtest/results.py counts "$work/serial.json"))"
vmtest/report.py --same ${CHECK_RESULT:+--tally "$CHECK_RESULT"} "$work/serial.json" "$1"
