#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's step for the results formats: a real run on 6.19.14 with a
# known-deviations file that gives FAIL, XPASS, XFAIL and (with the
# runner's TEST_PROGS_HANG) TIMEOUT results, a run without a verdict, and a
# two-kernel matrix; each one's JSON, KTAP and JUnit read by
# scripts/check_formats.py with the readers CI systems use (an upstream
# test_progs -J reader, the kernel's kunit.py, junitparser, the published
# JUnit schemas' rules).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

kunit=$(scripts/kunit-tool.sh) || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/check-formats.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
npass=0 nfail=0

# checks NAME ARGS...: scripts/check_formats.py ARGS, its counts added.
checks()
{
	local name=$1 out
	shift
	echo "--- $name"
	out=$(scripts/check_formats.py --kunit "$kunit" "$@" 2>&1)
	echo "$out" | grep -v '^ok ' | sed 's/^/  /'
	npass=$((npass + $(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1/p' <<<"$out" | tail -n 1)))
	nfail=$((nfail + $(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\2/p' <<<"$out" | tail -n 1)))
	grep -qE '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" || nfail=$((nfail + 1))
}

fixture=vmtest/testdata/formats.ini
vmtest/vmtest.sh -k 6.19.14 -X "$fixture" -A vmtest.runner_env=TEST_PROGS_HANG=read_basic/sleepable \
	-J "$work/run.json" --ktap "$work/run.ktap" --junit "$work/run.xml" \
	-- -w 5 -t read_basic,clone,creation,verifier_file_dynptr/put_file >"$work/run.log" 2>&1
echo "a run with FAIL, XPASS, XFAIL and TIMEOUT: vmtest exit $? (1 expected)"
checks "6.19.14 with $fixture" --expect read_basic/nonsleepable=XPASS \
	--expect read_basic/sleepable=TIMEOUT --expect clone/sleepable_adjust_parent=FAIL \
	--expect creation/bool_return_zero_extended=XFAIL \
	--expect verifier_file_dynptr/put_file_then_read=FAIL \
	"$work/run.json" "$work/run.ktap" "$work/run.xml"

vmtest/vmtest.sh -k 1.2.3 -J "$work/none.json" --ktap "$work/none.ktap" --junit "$work/none.xml" \
	>"$work/none.log" 2>&1
checks "a kernel Debian lacks (no verdict)" "$work/none.json" "$work/none.ktap" "$work/none.xml"

vmtest/matrix.sh -j 2 -o "$work/m" -X "$fixture" -t read_basic,clone,creation 6.18.15 6.19.14 \
	>"$work/matrix.log" 2>&1
for k in 6.18.15 6.19.14; do
	checks "matrix column $k" "$work/m/$k/results.json" "$work/m/$k/results.ktap" "$work/m/$k/junit.xml"
done
echo "--- the matrix page"
if python3 - "$work/m/matrix.html" <<'PY'; then
import re, sys
page = open(sys.argv[1]).read()
ids, hrefs = set(re.findall(r'id="([^"]+)"', page)), set(re.findall(r'href="#([^"]+)"', page))
assert hrefs <= ids, hrefs - ids
cells = re.findall(r'<td class="c (\w+)[^"]*"[^>]*>(<a href="#log\d+">)?', page)
assert cells and all(link for cls, link in cells if cls not in ("PASS", "none", "NOVERDICT")), "a cell without its log"
heads = re.findall(r"<th><a href=\"#(kernel\d+)\">[^<]*</a><br><small>(.*?)</small></th>", page)
assert len(heads) == 2 and all("runner" in h and "console" in h and "dmesg" in h for _, h in heads), heads
shown = re.findall(r'data-show=1><td class="name">([^<]+)<', page)
# 6.18.15 is the control (all SKIP): only 6.19.14's failures remain.
assert shown and all(n.startswith(("clone", "read_basic")) for n in shown), shown
print("ok   every cell but PASS links to its log; each kernel's logs are on the page; the filter")
PY
	npass=$((npass + 1))
else
	nfail=$((nfail + 1))
fi
echo "$npass passed, $nfail failed"
((nfail == 0))
