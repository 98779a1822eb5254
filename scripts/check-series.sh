#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-series.sh [-o DIR] [-k KERNEL] [-n RUNS] [--no-run]: the upstream
# series (make upstream, scripts/upstream-series.py) is what it claims:
#
#  - it is generated afresh into DIR (default build/upstream);
#  - it applies with 'git am' to a copy of linux-source-7.3's
#    tools/testing/selftests/bpf (the shared tree is only read);
#  - scripts/checkpatch.pl --strict of that tree finds 0 errors, 0 warnings
#    and 0 checks in every patch, but for FILE_PATH_CHANGES ("does
#    MAINTAINERS need updating?"), which every patch adding a file gets: it
#    is accepted when MAINTAINERS already covers tools/testing/selftests/bpf/
#    (the cover letter has no diff and is not checked);
#  - where vmtest/upstream.sh exists (the kernel's own test_progs, built
#    reduced), the series builds with it and passes RUNS times (default 1)
#    on KERNEL (default 7.3.4) in the vmtest guest; --no-run stops before.
#
# Prints one line per check and "N passed, N failed, N skipped". Exit 1 if
# one failed, 2 on bad usage.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
. scripts/checks.sh

OUT=build/upstream
KERNEL=7.3.4
RUNS=1
RUN=1
while (($#)); do
	case $1 in
	-o) OUT=${2:?-o needs a directory} && shift ;;
	-k) KERNEL=${2:?-k needs a kernel} && shift ;;
	-n) RUNS=${2:?-n needs a count} && shift ;;
	--no-run) RUN= ;;
	-h | --help)
		sed -n '4,20s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "check-series: unknown argument '$1' (see --help)" >&2
		exit 2
		;;
	esac
	shift
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || {
	echo "check-series: -n $RUNS: not a positive count" >&2
	exit 2
}

SRC=$(vmtest/kernel-source.sh) || {
	echo "check-series: no linux-source-7.3 (vmtest/kernel-source.sh failed)" >&2
	exit 1
}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/check-series.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT

check "the series is generated" scripts/upstream-series.py -o "$OUT"

# The copy the series is applied to: the selftests directory as the tree
# has it, in a throw-away repository.
apply_series()
{
	local t=$WORK/tree d=tools/testing/selftests/bpf

	mkdir -p "$t/$(dirname "$d")" &&
		cp -a "$SRC/$d" "$t/$d" &&
		git -C "$t" init -q &&
		git -C "$t" add -A . &&
		git -C "$t" -c user.name=check -c user.email=check@localhost \
			commit -q -m "linux-source-7.3: $d" &&
		git -C "$t" -c user.name=check -c user.email=check@localhost \
			am -q "$(realpath "$OUT")"/0[0-9][0-9][1-9]-*.patch
}
check "it applies to linux-source-7.3 with git am" apply_series

# one_source: a row and a verifier expectation changed in a copy of the
# project's sources come out changed in the series made from that copy.
one_source()
{
	local c=$WORK/one-source

	mkdir -p "$c" && cp -a scripts progs prog_tests upstream known-deviations.ini "$c/" &&
		sed -i '0,/EXPECT(-EFAULT, "R-FAULT-1")/s//EXPECT(-EIO, "R-FAULT-1")/' \
			"$c/prog_tests/fault_nonsleepable.c" &&
		sed -i '0,/__msg("cannot overwrite referenced dynptr")/s//__msg("cannot overwrite a referenced dynptr")/' \
			"$c/progs/verifier_file_dynptr.c" &&
		"$c/scripts/upstream-series.py" -o "$c/out" >/dev/null &&
		grep -q '^+.*PG(0, 0), PG(1, 0), EXPECT(-EIO), EXPECT(0) },$' "$c"/out/0003-*.patch &&
		grep -q '^+__msg("cannot overwrite a referenced dynptr")$' "$c"/out/0001-*.patch
}
check "one source: a changed row and __msg() show up in the series" one_source

# checkpatch_clean PATCH: 0 errors, warnings and checks, FILE_PATH_CHANGES
# aside when MAINTAINERS covers the selftests directory.
checkpatch_clean()
{
	local out types

	out=$(perl "$SRC/scripts/checkpatch.pl" --no-tree --strict --show-types \
		--terse --no-summary "$1" 2>&1)
	types=$(sed -nE 's/^[^:]+:[0-9]+: (ERROR|WARNING|CHECK):([A-Z_]+):.*/\2/p' <<<"$out" |
		sort -u | tr '\n' ' ')
	if [[ $types == "FILE_PATH_CHANGES " ]] &&
		grep -qP '^F:\ttools/testing/selftests/bpf/$' "$SRC/MAINTAINERS"; then
		return 0
	fi
	[[ -z $out ]] && return 0
	printf '%s\n' "$out" >&2
	return 1
}
for p in "$OUT"/0[0-9][0-9][1-9]-*.patch; do
	check "checkpatch --strict: ${p##*/}" checkpatch_clean "$p"
done

# run_series: the series under upstream's test_progs, RUNS times
# (upstream.sh leaves the cover letter out: it holds no diff).
run_series()
{
	local i tests

	# The tests the series adds: its test_X() and serial_test_X().
	tests=$(sed -nE 's/^\+void (serial_)?test_([a-z0-9_]+)\(void\)$/\2/p' \
		"$OUT"/0[0-9][0-9][1-9]-*.patch | sort -u | paste -sd, -)
	[[ -n $tests ]] || return 1
	for ((i = 1; i <= RUNS; i++)); do
		echo "check-series: run $i of $RUNS on $KERNEL: $tests"
		vmtest/upstream.sh run --series "$OUT" -k "$KERNEL" -- \
			-t "$tests" || {
			echo "check-series: run $i of $RUNS failed" >&2
			return 1
		}
	done
}
if [[ -z $RUN ]]; then
	skip "the series under upstream's test_progs on $KERNEL (--no-run)"
elif [[ ! -x vmtest/upstream.sh ]]; then
	skip "the series under upstream's test_progs on $KERNEL (no vmtest/upstream.sh in this tree)"
else
	check "the series passes $RUNS time(s) under upstream's test_progs on $KERNEL" \
		run_series
fi
checks_done
