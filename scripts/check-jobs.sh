#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-jobs.sh RESULTS: make check's step for "one kernel, one verdict,
# wherever the runner runs". RESULTS is a vmtest -J run of the whole suite
# as vmtest runs it (-j as many as the guest's CPUs). On the same kernel the
# README's native command, `test_progs` with its defaults and one test at a
# time (-j 1), must have run as a native run does (the known-deviations file
# beside it, found by default; the kernel log read) and give every test and
# subtest the same result.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
source scripts/checks.sh
[[ $# == 1 && -e $1 ]] || { echo "usage: $0 RESULTS (a kernel directory or results.json)" >&2; exit 2; }
kernel=$(vmtest/results.py field vmtest.kernel "$1") || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/check-jobs.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
vmtest/vmtest.sh -k "$kernel" -J "$work/serial.json" -- -j 1 >"$work/serial.log" 2>&1
echo "native command, one test at a time, on $kernel: exit $? ($(vmtest/results.py counts "$work/serial.json"))"
dev=$(vmtest/results.py field known_deviations "$work/serial.json")
if [[ $dev == *"(default)" ]]; then
	ok "it found its known-deviations file by default: $dev"
else
	not_ok "known deviations: '$dev', not a file found by default"
fi
klog=$(vmtest/results.py field kernel_log "$work/serial.json")
if [[ $klog == /dev/kmsg ]]; then
	ok "it read the kernel log: $klog"
else
	not_ok "kernel log: '$klog', not /dev/kmsg"
fi
checks_done
# The per-subtest comparison's counts are added to those two checks'.
vmtest/report.py --same ${CHECK_RESULT:+--tally "$CHECK_RESULT.same"} "$work/serial.json" "$1"
rc=$?
[[ -n ${CHECK_RESULT-} ]] &&
	vmtest/results.py counts -o "$CHECK_RESULT" "$CHECK_RESULT" "$CHECK_RESULT.same" >/dev/null &&
	rm -f "$CHECK_RESULT.same"
((rc == 0 && fail == 0))
