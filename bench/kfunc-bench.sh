#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kfunc-bench.sh [-k KERNEL]... [--native] [-q] [-o DIR] [-T SECS] [-- BENCH_ARGS]
#
# The benchmark of file-dynptr reads (bench/bench_kfunc) on each KERNEL in
# turn, in a vmtest guest ([FLAVOUR:]VERSION or an image, as vmtest.sh -k
# takes it; default: vmtest's default kernel), or with --native on this
# machine (root, a 6.19+ kernel with the BPF LSM). One guest at a time: two
# benchmarks side by side on one machine would measure each other.
#
#   -q        quick mode (bench_kfunc -q: 5 sizes, 3 repetitions)
#   -o DIR    where the records, tables and plots go (default build/bench-kfunc)
#   -T SECS   a guest's time limit (default 600)
#
# Writes DIR/LABEL.json (each run's raw record), DIR/report.md (the tables
# and, with several kernels, the ratios per kernel), DIR/summary.json and
# DIR/plot-LABEL.svg; prints the tables. Exit 0 when every run measured
# and every check held, 1 when a check failed, 2 for bad arguments, 3 when
# a kernel cannot be measured (no kfunc, no BPF LSM), 4 when a guest gave
# no verdict.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../vmtest/lib.sh"
source "$VMTEST_DIR/kernel.sh"

kernels=() native=0 quick=() outdir=$REPO_DIR/build/bench-kfunc timeout=600
while (($#)); do
	case $1 in
	-k) kernels+=("${2:?-k needs a kernel}"); shift ;;
	--native) native=1 ;;
	-q) quick=(-q) ;;
	-o) outdir=${2:?-o needs a directory}; shift ;;
	-T) timeout=${2:?-T needs seconds}; shift ;;
	-h | --help) sed -n '4,21s/^# \{0,1\}//p' "$0"; exit 0 ;;
	--) shift; break ;;
	*) die -c "$VMT_EXIT_USAGE" "unknown argument $1 (see -h)" ;;
	esac
	shift
done
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die -c "$VMT_EXIT_USAGE" "-T takes a number of seconds"
((native && ${#kernels[@]})) && die -c "$VMT_EXIT_USAGE" "--native measures this machine's kernel: no -k with it"
((native)) && kernels=(native)
((${#kernels[@]})) || kernels=("")
need_cmd python3
mkdir -p "$outdir" || die "cannot create $outdir"

# The runner binary of a kernel's architecture, built (make, make ARCH=arm64).
bench_binary()
{
	local bin

	bin=$REPO_DIR/$([[ $VMT_ARCH == arm64 ]] && echo build-arm64 || echo build)/bench_kfunc
	[[ -x $bin ]] || die -c "$VMT_EXIT_USAGE" "$bin is not built: run 'make$([[ $VMT_ARCH == arm64 ]] && echo ' ARCH=arm64')' first"
	echo "$bin"
}

# Every kernel named is checked before the first is booted.
for k in "${kernels[@]}"; do
	((native)) || kernel_parse "$k"
	bench_binary >/dev/null || exit
done

records=() labels=() worst=0
run_one()
{
	local k=$1 label bin rc
	shift

	label=${k:-default}
	label=${label//\//_}
	if ((native)); then
		label=native-$(uname -r)
		bin=$(bench_binary)
		info "bench: this machine's kernel $(uname -r)"
		"$bin" "${quick[@]}" "$@" -J "$outdir/$label.json"
		rc=$?
	else
		kernel_parse "$k"
		bin=$(bench_binary)
		info "bench: kernel ${k:-vmtest default}"
		rm -rf "${outdir:?}/$label.logs"
		"$VMTEST_DIR/vmtest.sh" ${k:+-k "$k"} -r "$bin" -X none -T "$timeout" \
			-o "$outdir/$label.logs" -- "${quick[@]}" "$@"
		rc=$?
		if [[ -s $outdir/$label.logs/record.json ]]; then
			mv "$outdir/$label.logs/record.json" "$outdir/$label.json"
		else
			rm -f "$outdir/$label.json"
		fi
	fi
	((rc > worst)) && worst=$rc
	if [[ -s $outdir/$label.json ]]; then
		records+=("$outdir/$label.json")
		# "-": the record's own kernel release names it.
		labels+=(--label "$( ((native)) && echo "$label" || echo "${k:--}")")
	else
		info "bench: no record from ${label} (exit $rc)"
	fi
}

for k in "${kernels[@]}"; do
	run_one "$k" "$@"
done
((${#records[@]})) || exit $((worst ? worst : VMT_EXIT_INFRA))
python3 "$REPO_DIR/bench/bench_kfunc.py" "${labels[@]}" "${records[@]}" \
	--md "$outdir/report.md" --json "$outdir/summary.json" --svg "$outdir/plot"
rc=$?
((rc > worst)) && worst=$rc
info "bench: records, report.md, summary.json and plots in $outdir"
exit "$worst"
