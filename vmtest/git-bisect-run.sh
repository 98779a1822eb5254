#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# For `git bisect run` inside a kernel source tree:
#
#   git bisect start BAD GOOD
#   git bisect run /path/to/suite/vmtest/git-bisect-run.sh -t TESTS
#
# Builds the checked-out tree with the suite's config (build-kernel.sh: x86_64
# defconfig + config + fast.config, olddefconfig), reusing BUILD between
# steps, boots it with vmtest, runs the runner's selection -t TESTS and exits
#   0    good: the tests ran and passed
#   1    bad: a selected test failed, or the kernel splatted
#   125  cannot test: the build failed, the kfunc is absent (everything
#        skipped), or the guest gave no verdict
# With -F (looking for a fix: git bisect start --term-old=broken
# --term-new=fixed FIXED BROKEN) 0 and 1 swap: 0 when a test fails (still
# broken), 1 when they pass (fixed).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tests='' build='' timeout=300 deviations=none find_fix=0

usage()
{
	sed -n '4,18s/^# \{0,1\}//p' "$0"
	echo "Options: -t TESTS (required), -b BUILD (default: <tree>/.vmtest-build),"
	echo "         -T SECS (per boot, default 300), -X FILE|none (default none),"
	echo "         -F (find a fix: exit 0 while the tests fail, 1 once they pass)"
}

while getopts ":t:b:T:X:Fh" opt; do
	case $opt in
	t) tests=$OPTARG ;;
	b) build=$OPTARG ;;
	T) timeout=$OPTARG ;;
	X) deviations=$OPTARG ;;
	F) find_fix=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 128 ;;	# anything >= 128 aborts the bisect
	esac
done
[[ -n $tests ]] || { echo "git-bisect-run: -t TESTS is required" >&2; exit 128; }
tree=$(git rev-parse --show-toplevel 2>/dev/null) ||
	{ echo "git-bisect-run: not inside a git tree" >&2; exit 128; }
build=${build:-$tree/.vmtest-build}
rev=$(git rev-parse --short HEAD)
work=$(mktemp -d "${TMPDIR:-/tmp}/git-bisect-run.XXXXXX") || exit 128
trap 'rm -rf "$work"' EXIT

# A missing tool is no verdict on any commit: abort the bisect, not skip.
"$here/../scripts/deps.sh" kbuild run >&2 ||
	{ echo "git-bisect-run: tools are missing (scripts/deps.sh kbuild run names them)" >&2; exit 128; }
start=$SECONDS
if ! image=$("$here/build-kernel.sh" "$tree" "$build" 2>"$work/build.log"); then
	echo "git-bisect-run: $rev: build failed, skipping (last lines:)"
	tail -n 5 "$work/build.log" | sed 's/^/    /'
	exit 125
fi
built=$((SECONDS - start))

"$here/vmtest.sh" -k "$image" -T "$timeout" -X "$deviations" -J "$work/r.json" \
	-- -t "$tests" >"$work/vmtest.log" 2>&1
rc=$?
passed=$("$here/results.py" field units.passed "$work/r.json" 2>/dev/null || echo 0)
case $rc in
0) if ((passed > 0)); then verdict=good code=0; else verdict="skip (everything skipped)" code=125; fi ;;
1) verdict=bad code=1 ;;
*) verdict="skip (no verdict, vmtest exit $rc)" code=125 ;;
esac
echo "git-bisect-run: $rev: $verdict (build $built s, run $((SECONDS - start - built)) s)"
((code == 1)) && grep -E ':(FAIL|TIMEOUT)|splat' "$work/vmtest.log" | head -n 5 | sed 's/^/    /'
# Looking for a fix, the old commits are the broken (failing) ones.
if ((find_fix && code < 2)); then
	code=$((1 - code))
	if ((code)); then state=fixed; else state="still broken"; fi
	echo "git-bisect-run: -F (finding a fix): exit $code, $state"
fi
exit "$code"
