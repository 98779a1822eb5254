#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ci-job.sh [-o DIR] [-r SUITE] JOB [ARG...]: the work of each job of the CI
# workflow (.github/workflows/matrix.yml), one command each: the workflow
# holds only the runner's plumbing, and make check runs these same jobs in
# fresh Debian roots (scripts/check.sh).
#
#   kernels [KERNEL...]  the kernels of the matrix as a JSON array, the
#                        workflow's 'list' output (vmtest/matrix.sh -L;
#                        default: $KERNELS, or matrix.sh's own list)
#   kernel KERNEL        make vmtest on KERNEL ([FLAVOUR:]VERSION), as on a
#                        bare Debian machine: DIR/results-KERNEL (':' as '_')
#   toolchain SUITE      make vmtest on 6.19.14, built with this machine's
#                        toolchain, which must be Debian SUITE's:
#                        DIR/toolchain-SUITE
#   report [KERNEL...]   the conformance matrix of DIR/results-KERNEL...
#                        (default: $KERNELS), in DIR/matrix
#
# -o DIR: where results go (default: out). -r SUITE: run the job in a fresh
# minimal Debian root of SUITE holding this repository's tracked files, as
# CI runs it in a debian:SUITE container (scripts/chroot.sh; root); its DIR
# is copied back here. Outputs go to $GITHUB_OUTPUT and the job's summary
# to $GITHUB_STEP_SUMMARY when set (GitHub Actions), else DIR/NAME.md.
#
# Exit: the job's (make vmtest's, report.py's); 2 on a usage error.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=out root=

usage()
{
	sed -n '4,26s/^# \{0,1\}//p' "$0"
	exit "$1"
}

die() { echo "ci-job: $*" >&2; exit 2; }

# output NAME VALUE: a step output, for the workflow.
output()
{
	echo "ci-job: $1=$2"
	[[ -z ${GITHUB_OUTPUT-} ]] || echo "$1=$2" >>"$GITHUB_OUTPUT"
}

# summary NAME < MARKDOWN: the job's summary page.
summary()
{
	cat >>"${GITHUB_STEP_SUMMARY:-$out/$1.md}"
}

# What a bare Debian machine needs first, as the README says: make.
bare_machine()
{
	command -v make >/dev/null && return
	((EUID == 0)) || die "make is missing: apt-get install make (as root)"
	apt-get update -q </dev/null && apt-get install -y -q --no-install-recommends make </dev/null
}

# dir_of JOB ARG: the directory of DIR a job writes (none for kernels).
dir_of()
{
	case $1 in
	kernel) echo "results-${2//:/_}" ;;
	toolchain) echo "toolchain-$2" ;;
	report) echo matrix ;;
	esac
}

# vmtest_job NAME KERNEL: make vmtest on KERNEL, results in DIR/NAME, a
# summary of them; make vmtest's exit.
vmtest_job()
{
	local name=$1 kernel=$2 d=$out/$1 rc

	output dir "$name"
	bare_machine || return
	rm -rf "$d" && mkdir -p "$d" || return
	(cd "$top" && make vmtest KERNEL="$kernel" VMTEST_ARGS="-o $d -J $d/results.json \
		--ktap $d/results.ktap --junit $d/junit.xml")
	rc=$?
	python3 "$top/vmtest/report.py" --summary "$d" | summary "$name"
	return "$rc"
}

job_kernels()
{
	(($#)) || set -- ${KERNELS-}
	local list
	# Unquoted on purpose: a list of versions; matrix.sh checks each.
	list=$("$top/vmtest/matrix.sh" -L "$@") || return
	output list "$list"
}

job_kernel()
{
	(($# == 1)) || die "kernel: one KERNEL ([FLAVOUR:]VERSION)"
	[[ $1 =~ ^([a-z0-9-]+:)?[0-9]+\.[0-9]+[0-9a-z.-]*$ ]] || die "kernel: '$1' is not [FLAVOUR:]VERSION"
	vmtest_job "$(dir_of kernel "$1")" "$1"
}

# The release this machine runs: trixie, or sid for "forky/sid".
release()
{
	local PRETTY_NAME='' VERSION_CODENAME=''
	# shellcheck disable=SC1091
	. /etc/os-release
	[[ $PRETTY_NAME == */sid ]] && echo sid || echo "$VERSION_CODENAME"
}

job_toolchain()
{
	(($# == 1)) || die "toolchain: one Debian SUITE (bookworm, trixie, sid)"
	[[ $(release) == "$1" ]] || die "toolchain $1: this machine runs Debian $(release)"
	vmtest_job "$(dir_of toolchain "$1")" 6.19.14
}

job_report()
{
	(($#)) || set -- ${KERNELS-}
	local dirs=() k rc=0

	(($#)) || die "report: no kernels (arguments or \$KERNELS)"
	for k; do dirs+=("$out/$(dir_of kernel "$k")"); done
	python3 "$top/vmtest/report.py" -q -o "$out/matrix" "${dirs[@]}" || rc=$?
	summary matrix <"$out/matrix/matrix.md"
	return "$rc"
}

# in_root SUITE JOB ARG...: the job in a fresh SUITE root; its DIR back here.
in_root()
{
	local suite=$1 work rc f d
	shift

	work=$(mktemp -d "${TMPDIR:-/var/tmp}/ci-job.XXXXXX") || return
	# shellcheck disable=SC2064
	trap "rm -rf '$work'" EXIT
	# No earlier run's results stand in for a job that fails early.
	d=$(dir_of "$@")
	mkdir -p "$out" || return
	[[ -z $d ]] || rm -rf "${out:?}/$d"
	"$top/scripts/chroot.sh" make "$suite" "$work/root" || return
	mkdir -p "$work/root/src" || return
	git -C "$top" ls-files -z | while IFS= read -r -d '' f; do
		[[ -e $top/$f ]] && printf '%s\0' "$f"
	done | (cd "$top" && xargs -0 cp --parents -t "$work/root/src") || return
	echo "ci-job: $* in a fresh Debian $suite root"
	"$top/scripts/chroot.sh" run "$work/root" env -C /src scripts/ci-job.sh -o out "$@"
	rc=$?
	cp -a "$work/root/src/out/." "$out/" || rc=1
	return "$rc"
}

while getopts ":o:r:h" opt; do
	case $opt in
	o) out=$OPTARG ;;
	r) root=$OPTARG ;;
	h) usage 0 ;;
	*) usage 2 ;;
	esac
done
shift $((OPTIND - 1))
(($#)) || usage 2
case $1 in
kernels | kernel | toolchain | report) ;;
*) die "no job '$1' (kernels, kernel, toolchain, report)" ;;
esac
[[ -z $root ]] || { in_root "$root" "$@"; exit; }
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
job=$1
shift
"job_$job" "$@"
