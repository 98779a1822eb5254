#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bisect.sh --good VER --bad VER -t TESTS [options]: finds the first Debian
# kernel build, between a good and a bad one, on which the selected tests
# fail. Each step boots a Debian version with vmtest; a version that gives
# no verdict (no package, no boot, hang) or on which every selected test
# skips is skipped and said, as `git bisect skip` does.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$VMTEST_DIR/kernel.sh"

usage()
{
	cat <<USAGE
Usage: vmtest/bisect.sh --good VER --bad VER -t TESTS [-T SECS] [-X FILE|none]
                        [-o DIR] [--find-fix] [--no-verify]

Binary-searches the Debian kernel versions between VER good and VER bad
(ordered by version, as 'vmtest.sh -l' lists them) for the first on which
the runner's selection -t TESTS fails, and prints every step's verdict,
the first bad version and the total time.

  --good VER     a version where the tests pass
  --bad VER      a later version where they fail
  -t TESTS       the runner's -t selection (e.g. read_grid/size4097)
  -T SECS        per-boot time limit (default 300)
  -X FILE|none   known-deviations file for the runner (default: none, so
                 a tolerated deviation still counts as bad)
  -o DIR         keep each step's results in DIR/VER/ (results.json,
                 results.ktap, junit.xml and the logs, as matrix.sh does)
  --find-fix     look for a fix instead: --bad is the older version, --good
                 the newer, and the answer is the first version that passes
  --no-verify    do not boot the two ends first

A step is good when the runner exits 0 with at least one test passed, bad
when it exits 1 (a failure, or a kernel splat), and skipped otherwise.
Exit codes: 0 first bad version found; 1 the ends do not behave as given;
2 usage; 4 undecidable (skipped versions hide the answer) or no versions.
USAGE
}

good='' bad='' tests='' timeout=300 deviations=none verify=1 fix=0 keep=''
while (($#)); do
	case $1 in
	--good) good=${2-}; shift ;;
	--bad) bad=${2-}; shift ;;
	-t) tests=${2-}; shift ;;
	-T) timeout=${2-}; shift ;;
	-X) deviations=${2-}; shift ;;
	-o) keep=${2-}; shift ;;
	--no-verify) verify=0 ;;
	--find-fix) fix=1 ;;
	-h | --help) usage; exit 0 ;;
	*) die -c "$VMT_EXIT_USAGE" "unknown argument '$1' (see -h)" ;;
	esac
	shift
done
[[ -n $good && -n $bad && -n $tests ]] ||
	die -c "$VMT_EXIT_USAGE" "--good, --bad and -t are required (see -h)"

# The search runs from an old state to a new one: old = good and new = bad
# for a regression, the reverse for --find-fix.
old=$good new=$bad old_is=good new_is=bad
((fix)) && old=$bad new=$good old_is=bad new_is=good

start=$SECONDS
mapfile -t all < <(kernel_list)
((${#all[@]})) || die "cannot list Debian's kernel versions"
lo=-1 hi=-1
for i in "${!all[@]}"; do
	[[ ${all[$i]} == "$old" ]] && lo=$i
	[[ ${all[$i]} == "$new" ]] && hi=$i
done
((lo >= 0)) || die -c "$VMT_EXIT_USAGE" "Debian has no kernel $old (see vmtest.sh -l)"
((hi >= 0)) || die -c "$VMT_EXIT_USAGE" "Debian has no kernel $new (see vmtest.sh -l)"
((lo < hi)) || die -c "$VMT_EXIT_USAGE" "$old must be older than $new"

work=$(mktemp -d "${TMPDIR:-/tmp}/bisect.XXXXXX") || die "cannot make a temporary directory"
trap 'rm -rf "$work"' EXIT
declare -A verdict

# step VER: boots VER, prints and records good, bad or skip.
step()
{
	local ver=$1 rc passed why t=$SECONDS

	local out=$work/$ver

	[[ -n $keep ]] && out=$keep/$ver
	rm -rf "$out" && mkdir -p "$out" || die "cannot write $out"
	"$VMTEST_DIR/vmtest.sh" -k "$ver" -T "$timeout" -X "$deviations" -o "$out" \
		-J "$out/results.json" --ktap "$out/results.ktap" --junit "$out/junit.xml" \
		-- -t "$tests" >"$work/$ver.log" 2>&1
	rc=$?
	cp "$work/$ver.log" "$out/vmtest.log" 2>/dev/null
	passed=$("$VMTEST_DIR/results.py" field units.passed "$out/results.json" 2>/dev/null || echo 0)
	if ((rc == 1)); then
		verdict[$ver]=bad why="a selected test failed or the kernel splatted"
	elif ((rc == 0 && passed > 0)); then
		verdict[$ver]=good why="$passed passed"
	elif ((rc == 0)); then
		verdict[$ver]=skip why="every selected test skipped"
	else
		verdict[$ver]=skip why="no verdict (vmtest exit $rc): $(grep -m1 'error\|hang\|stopped' "$work/$ver.log" | cut -c1-90)"
	fi
	printf 'bisect: %-10s %-4s (%s; %d s)\n' "$ver" "${verdict[$ver]}" "$why" $((SECONDS - t))
	# Show why, so that a step's verdict can be checked by eye.
	[[ ${verdict[$ver]} == good ]] ||
		grep -E ':(FAIL|TIMEOUT|XPASS)|vmtest: (kernel splat|time limit reached|no verdict|error:)|vmtest-guest:' "$work/$ver.log" | head -n 6 | sed 's/^/    /'
}

if ((verify)); then
	step "$old"
	step "$new"
	if [[ ${verdict[$old]} != "$old_is" || ${verdict[$new]} != "$new_is" ]]; then
		echo "bisect: the ends do not behave as given ($old: ${verdict[$old]}, $new: ${verdict[$new]})"
		exit 1
	fi
fi

# Binary search on (lo, hi); skipped versions are stepped over, nearest
# the middle first.
while ((hi - lo > 1)); do
	mid=$(((lo + hi) / 2)) pick=-1
	for ((d = 0; d < hi - lo; d++)); do
		for cand in $((mid - d)) $((mid + d)); do
			((cand > lo && cand < hi)) || continue
			[[ ${verdict[${all[$cand]}]-} == skip ]] && continue
			pick=$cand
			break 2
		done
	done
	((pick >= 0)) || break
	step "${all[$pick]}"
	case ${verdict[${all[$pick]}]} in
	"$old_is") lo=$pick ;;
	"$new_is") hi=$pick ;;
	esac
done

elapsed=$((SECONDS - start))
if ((hi - lo > 1)); then
	echo "bisect: undecidable: the first bad version is one of: ${all[*]:lo+1:hi-lo}"
	echo "bisect: total $elapsed s"
	exit "$VMT_EXIT_INFRA"
fi
echo "bisect: first $new_is version: ${all[$hi]} (last $old_is: ${all[$lo]})"
echo "bisect: total $elapsed s"
