#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# history.sh: the suite on every Debian kernel that has the kfunc, in
# version order, and every behaviour's history (vmtest/history.py). See -h.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$VMTEST_DIR/kernel.sh"

# The first release with bpf_dynptr_from_file.
KFUNC_SINCE=6.19

usage()
{
	cat <<USAGE
Usage: vmtest/history.sh [-j N] [-o DIR] [-t FILTER] [--from VER] [--to VER]
                         [--for VER] [--no-rerun] [-X FILE] [KERNEL...]

Runs the suite (vmtest/matrix.sh) on every Debian kernel of the default
flavour from $KFUNC_SINCE on, as 'vmtest.sh -l' lists them (trixie-backports,
sid and experimental), plus each KERNEL given, then writes every
subtest's history: the ranges of its results, each transition (a result
that changes between two consecutive versions) grouped by rule, with the
upstream range to look in and the 'git bisect run' command for it, a
timeline (rules as rows, versions as columns) and the known-deviations
entries checked against what was measured.

  -j N        guests at a time (default: the number of CPUs, $(nproc))
  -o DIR      output directory (default: build/history): DIR/runs/<kernel>/
              as matrix.sh keeps them, DIR/history.{md,html,json}
  -t FILTER   run only these tests (the runner's -t)
  --from VER, --to VER
              only the Debian versions from VER / up to VER (inclusive)
  --for VER   the backport view: what differs between VER and the newest
              kernel, and the version that changed it
  --no-rerun  do not run again the kernels of a change that may come from
              the machine (by default each is re-run once, to tell a flake
              from a real change: both kernels of a change to or from SKIP,
              TIMEOUT, ERROR or RUNNING, the middle of a change that
              changes back, a kernel that gave no verdict)
  -X FILE     the known-deviations file, for the runs and the check
              (default: known-deviations.ini)
  -h          this help

A difference that the re-run removed is reported as a flake (with every
result), not as a transition.

Exit: 0 when the history was made and is consistent; 1 when a known
deviation's range contradicts it, or a kernel gave no verdict (also on
its re-run); 2 on a usage error; 130 when interrupted.
USAGE
}

msg() { printf 'history: %s\n' "$*" >&2; }
usage_error() { printf 'history: error: %s (see -h)\n' "$1" >&2; exit 2; }

jobs=$(nproc) outdir=$REPO_DIR/build/history filter='' from='' to='' target='' rerun=1
deviations=$REPO_DIR/known-deviations.ini extra=()
while (($#)); do
	case $1 in
	-j | -o | -t | --from | --to | --for | -X)
		(($# >= 2)) || usage_error "$1 needs an argument"
		case $1 in
		-j) jobs=$2 ;;
		-o) outdir=$2 ;;
		-t) filter=$2 ;;
		--from) from=$2 ;;
		--to) to=$2 ;;
		--for) target=$2 ;;
		-X) deviations=$2 ;;
		esac
		shift
		;;
	--no-rerun) rerun=0 ;;
	-h | --help) usage; exit 0 ;;
	-*) usage_error "unknown option $1" ;;
	*) extra+=("$1") ;;
	esac
	shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || usage_error "-j wants a number >= 1"
[[ -r $deviations ]] || usage_error "cannot read the known-deviations file $deviations"
for v in "$from" "$to" "$target"; do
	[[ -z $v || $v =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] || usage_error "'$v' is not a kernel version"
done

# ver_ge A B: A >= B, as versions.
ver_ge() { [[ $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1) == "$2" ]]; }

kernel_parse ""
kernel_lists_update
versions=()
while read -r v; do
	ver_ge "$v" "$KFUNC_SINCE" || continue
	[[ -n $from ]] && ! ver_ge "$v" "$from" && continue
	[[ -n $to ]] && ! ver_ge "$to" "$v" && continue
	versions+=("$v")
done < <(kernel_list)
versions+=("${extra[@]}")
((${#versions[@]} >= 2)) || die "fewer than two kernels to compare (${versions[*]:-none})"
[[ -z $target ]] || printf '%s\n' "${versions[@]}" | grep -qxF "$target" ||
	usage_error "--for $target is not among the kernels (${versions[*]})"
msg "${#versions[@]} kernels: ${versions[*]}"

mkdir -p "$outdir" || die "cannot create $outdir"
outdir=$(cd "$outdir" && pwd)
start=$SECONDS
# history.py decides what to run again (both kernels of a change), not matrix.sh.
matrix_args=(-R -j "$jobs" -X "$deviations")
[[ -n $filter ]] && matrix_args+=(-t "$filter")

"$VMTEST_DIR/matrix.sh" "${matrix_args[@]}" -o "$outdir/runs" "${versions[@]}"
rc=$?
((rc == 130)) && exit 130
runs=()
for v in "${versions[@]}"; do
	runs+=("$outdir/runs/${v//:/_}")
done

history_args=(-o "$outdir" -X "$deviations")
[[ -n $target ]] && history_args+=(--for "$target")
rm -rf "$outdir/rerun"
if ((rerun)); then
	mapfile -t again < <(python3 "$VMTEST_DIR/history.py" --list-rerun "${runs[@]}")
	if ((${#again[@]})); then
		msg "running again, once, before reporting their changes: ${again[*]}"
		"$VMTEST_DIR/matrix.sh" "${matrix_args[@]}" -o "$outdir/rerun" "${again[@]}"
		(($? == 130)) && exit 130
		history_args+=(--rerun "$outdir/rerun")
	fi
fi
python3 "$VMTEST_DIR/history.py" "${history_args[@]}" "${runs[@]}"
hrc=$?
msg "${#versions[@]} kernels in $((SECONDS - start)) s; $outdir/history.md, history.html, history.json"
# matrix.sh exits 1 for any failure, which a history expects (a deviation
# fixed is an XPASS somewhere): history.py's status says whether a kernel
# gave no verdict, also on its re-run.
((hrc == 0))
