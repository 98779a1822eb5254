#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's benchmark step: bench/kfunc-bench.sh in its quick mode on
# KERNEL (default 7.3.4) must measure every method on ext4 and on a tmpfs of
# PMD-sized folios with every check holding, and write the ratio tables, the
# summary and a plot; bench_kfunc.py must refuse a record with a failed or
# missing measurement; on this host, without the kfunc, bench_kfunc must
# say so and exit 3 (a 6.19+ host measures). Times nothing.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
out=${1:-build/bench-check}
kernel=${2:-7.3.4}
OUTPUT=${OUTPUT:-build}

rm -rf "$out"
bench/kfunc-bench.sh -q -k "$kernel" -o "$out"
rc=$?
"$OUTPUT/bench_kfunc" -q -J "$out/host.json" >/dev/null 2>"$out/host.err"
host_rc=$?
scripts/check_runs.py bench "$out" "$kernel" "$rc" "$host_rc"
