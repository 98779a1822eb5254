#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# matrix.sh: the suite on a list of kernels, in parallel, and a conformance
# matrix of the results (vmtest/report.py). See -h.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$VMTEST_DIR/kernel.sh"

# The default list: 6.18.15 is the control (no kfunc: everything that needs
# it must SKIP), then 6.19 (the first with the kfunc) through 7.3, then
# arm64 with 4 KiB pages (6.19.14) and with 16 KiB pages (7.3.4, the
# oldest arm64-16k with a modules package).
DEFAULT_KERNELS="6.18.15 6.19.6 6.19.14 7.0.13 7.1.13 7.2.12 7.3.4 cloud-arm64:6.19.14 arm64-16k:7.3.4"

usage()
{
	cat <<USAGE
Usage: vmtest/matrix.sh [-j N] [-o DIR] [-t FILTER] [-c CPUS] [-T SECS] [-X FILE]
                        [-R] [KERNEL...]

Runs the suite (vmtest.sh -J) on each KERNEL, up to N guests at a time, and
writes a conformance matrix: rows are tests and subtests, columns kernels.

  KERNEL     [FLAVOUR:]VERSION, a Debian kernel (arm64-16k:7.3.4 is an arm64
             column beside the x86_64 ones), or an image path, as vmtest.sh
             -k takes. Default: $DEFAULT_KERNELS
  -j N       guests at a time (default: the number of CPUs, $(nproc))
  -o DIR     output directory (default: build/matrix)
  -t FILTER  run only these tests (the runner's -t, e.g. read_basic,clone)
  -c CPUS    CPUs per guest (vmtest -c; default 2)
  -T SECS    per-kernel time limit (vmtest -T; default 300)
  -X FILE    known-deviations file (vmtest -X)
  -R         do not run a kernel again (see below)
  -L         print the kernels (the KERNEL arguments, or the default list) as
             a JSON array, for CI, then exit
  -h         this help

Per kernel, DIR/<kernel>/ keeps results.json, results.ktap and junit.xml
(vmtest -J, --ktap, --junit: also when the kernel gave no verdict, saying
why), runner.log, console.log, dmesg.log and vmtest.log (vmtest's whole
output). DIR/matrix.md (also printed) and
DIR/matrix.html (one self-contained page) hold the matrix. An earlier
run's kernel directories in DIR are removed first: the matrix shows only
this run.

Kernels are fetched first, one at a time, then run in parallel; a kernel
that hangs or panics is stopped by its own time limit and shows as
NOVERDICT, the others go on.

A kernel whose run may have failed for the machine rather than the kernel
(no verdict, or a TIMEOUT, ERROR or RUNNING result) is run once more, after
the others: the re-run is its column (unless it gave no verdict where the
first run gave one), DIR/<kernel>/first-run/ keeps the first run, and the
matrix lists every result that differed between the two (a flake, with
both results). A difference the re-run removed fails nothing; one it
repeats fails as before.

Exit: 0 if every kernel's verdict is 0, 1 if not, 2 on a usage error.
USAGE
}

jobs=$(nproc) outdir=$REPO_DIR/build/matrix filter='' cpus='' limit='' deviations='' list=0 rerun=1
while getopts ":j:o:t:c:T:X:LRh" opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	o) outdir=$OPTARG ;;
	t) filter=$OPTARG ;;
	c) cpus=$OPTARG ;;
	T) limit=$OPTARG ;;
	X) deviations=$OPTARG ;;
	L) list=1 ;;
	R) rerun=0 ;;
	h) usage; exit 0 ;;
	:) die -c "$VMT_EXIT_USAGE" "option -$OPTARG needs an argument (see -h)" ;;
	*) die -c "$VMT_EXIT_USAGE" "unknown option -$OPTARG (see -h)" ;;
	esac
done
shift $((OPTIND - 1))
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die -c "$VMT_EXIT_USAGE" "-j takes a number"
kernels=("$@")
# shellcheck disable=SC2206
((${#kernels[@]})) || kernels=($DEFAULT_KERNELS)
if ((list)); then
	for k in "${kernels[@]}"; do
		(kernel_parse "$k" && [[ -n $VMT_KVER && $VMT_KVER != */* ]]) 2>/dev/null ||
			die -c "$VMT_EXIT_USAGE" "-L: '$k' is not a Debian kernel [FLAVOUR:]VERSION such as 6.19.14 or arm64-16k:7.3.4"
	done
	sep='['
	for k in "${kernels[@]}"; do
		printf '%s"%s"' "$sep" "$k"
		sep=', '
	done
	echo ']'
	exit 0
fi
need_cmd python3

minfo() { printf 'matrix: %s\n' "$*" >&2; }

# A column label and directory name per kernel: [FLAVOUR_]VERSION, or for
# an image path its directory and file name; unique.
declare -A used=()
labels=()
for k in "${kernels[@]}"; do
	if [[ $k == */* || -f $k ]]; then
		label=$(basename "$(dirname "$k")")_$(basename "$k")
		label=${label//[^A-Za-z0-9._-]/_}
	else
		(kernel_parse "$k") || exit
		label=${k//:/_}
	fi
	base=$label n=1
	while [[ -n ${used[$label]-} ]]; do
		n=$((n + 1))
		label=$base-$n
	done
	used[$label]=1
	labels+=("$label")
done

mkdir -p "$outdir" || die "cannot create $outdir"
outdir=$(cd "$outdir" && pwd)
# An earlier run's kernels must not turn up in this run's matrix: its
# kernel directories (those holding results.json or vmtest.log) and pages go.
for d in "$outdir"/*/; do
	[[ -e $d/results.json || -e $d/vmtest.log ]] && rm -rf "$d"
done
rm -f "$outdir/matrix.md" "$outdir/matrix.html"
start=$SECONDS

# 1. Fetch, one at a time (the cache's locks would make parallel fetches
# wait anyway), so that the runs below start together. A kernel that cannot
# be had is left to its vmtest run, which says why in its results.json.
for k in "${kernels[@]}"; do
	[[ $k == */* || -f $k ]] && continue
	(
		kernel_parse "$k"
		kernel_cached_ok "$(kernel_dir "$VMT_KVER")" || kernel_resolve >/dev/null
	) || minfo "$k: cannot fetch (see its results)"
done

# 2. Run, up to $jobs at a time.
declare -A running=() # pid -> index
interrupted=0
stop_all()
{
	local pid

	interrupted=1
	for pid in "${!running[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
}
trap 'minfo "interrupted"; stop_all' INT TERM HUP

vmtest_args=()
[[ -n $cpus ]] && vmtest_args+=(-c "$cpus")
[[ -n $limit ]] && vmtest_args+=(-T "$limit")
[[ -n $deviations ]] && vmtest_args+=(-X "$deviations")
runner_args=()
[[ -n $filter ]] && runner_args+=(-t "$filter")

# finished PID RC: reports a kernel whose run ended.
finished()
{
	local i=${running[$1]} dir counts=

	unset "running[$1]"
	dir=$outdir/${labels[$i]}
	"$VMTEST_DIR/results.py" verdict "$dir" >/dev/null 2>&1 &&
		counts=$("$VMTEST_DIR/results.py" counts "$dir")
	minfo "${labels[$i]}: exit $2${counts:+ ($counts)}"
}

# run_kernels INDEX...: the suite on those kernels, $jobs at a time, each
# into its directory (made anew).
run_kernels()
{
	local i dir rc

	for i in "$@"; do
		((interrupted)) && break
		while ((${#running[@]} >= jobs)); do
			wait -n -p done_pid
			rc=$?
			[[ -n ${done_pid-} ]] && finished "$done_pid" "$rc"
			((interrupted)) && break 2
		done
		dir=$outdir/${labels[$i]}
		rm -rf "$dir" && mkdir -p "$dir"
		minfo "${labels[$i]}: starting"
		"$VMTEST_DIR/vmtest.sh" -k "${kernels[$i]}" -J "$dir/results.json" -o "$dir" \
			--ktap "$dir/results.ktap" --junit "$dir/junit.xml" \
			"${vmtest_args[@]}" -- "${runner_args[@]}" </dev/null >"$dir/vmtest.log" 2>&1 &
		running[$!]=$i
	done
	while ((${#running[@]})); do
		done_pid=
		wait -n -p done_pid
		rc=$?
		[[ -n ${done_pid-} ]] && finished "$done_pid" "$rc"
	done
}

# rerun_kernels: runs once more each kernel whose run may have failed for
# the machine rather than the kernel (no verdict, a TIMEOUT, ERROR or
# RUNNING result: report.py --list-rerun), its first run kept in its
# first-run/ (report.py lists what differed: a flake, with both results).
# The re-run is the kernel's result, unless it gave no verdict where the
# first run gave one.
rerun_kernels()
{
	local again=() idx=() i dir

	mapfile -t again < <(python3 "$VMTEST_DIR/report.py" --list-rerun "${dirs[@]}")
	((${#again[@]})) || return 0
	for i in "${!labels[@]}"; do
		printf '%s\n' "${again[@]}" | grep -qxF "$outdir/${labels[$i]}" || continue
		idx+=("$i")
		rm -rf "$outdir/.first-${labels[$i]}"
		mv "$outdir/${labels[$i]}" "$outdir/.first-${labels[$i]}"
	done
	minfo "running again, once: ${again[*]##*/} (no verdict, or a TIMEOUT, ERROR or RUNNING result)"
	run_kernels "${idx[@]}"
	for i in "${idx[@]}"; do
		dir=$outdir/${labels[$i]}
		if ! "$VMTEST_DIR/results.py" verdict "$dir" >/dev/null 2>&1 &&
			"$VMTEST_DIR/results.py" verdict "$outdir/.first-${labels[$i]}" >/dev/null 2>&1; then
			mv "$dir" "$outdir/.rerun-${labels[$i]}"
			mv "$outdir/.first-${labels[$i]}" "$dir"
			mv "$outdir/.rerun-${labels[$i]}" "$dir/re-run"
			minfo "${labels[$i]}: the re-run gave no verdict; the first run stands ($dir/re-run)"
		else
			mv "$outdir/.first-${labels[$i]}" "$dir/first-run"
		fi
	done
}

run_kernels "${!kernels[@]}"
dirs=()
for label in "${labels[@]}"; do
	dirs+=("$outdir/$label")
done
((interrupted)) || ((!rerun)) || rerun_kernels
trap - INT TERM HUP
((interrupted)) && exit 130

wall=$((SECONDS - start))
python3 "$VMTEST_DIR/report.py" -o "$outdir" \
	--note "${#kernels[@]} kernels, up to $jobs at a time${cpus:+, $cpus CPUs each}${filter:+, tests: $filter}: $wall s wall" \
	"${dirs[@]}"
rc=$?
minfo "${#kernels[@]} kernels in $wall s; $outdir/matrix.md, $outdir/matrix.html"
# The runner's closing line, summed over the kernels that gave results.
"$VMTEST_DIR/results.py" counts ${CHECK_RESULT:+-o "$CHECK_RESULT"} "${dirs[@]}"
((rc <= 1)) || rc=1
exit "$rc"
