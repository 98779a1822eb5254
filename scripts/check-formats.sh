#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's step for the results formats: a made-up record with setup
# errors (ERROR), a real run on 6.19.14 with a known-deviations file that
# gives FAIL, XPASS, XFAIL and (with the runner's TEST_PROGS_HANG) TIMEOUT
# results, a run without a verdict, and a two-kernel matrix; each one's JSON, KTAP and JUnit read by
# scripts/check_formats.py with the readers CI systems use (an upstream
# test_progs -J reader, the kernel's kunit.py, junitparser, the published
# JUnit schemas' rules).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/checks.sh

kunit=$(scripts/kunit-tool.sh) || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/check-formats.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
tally=$work/tally.json


# Setup errors (ERROR) beside a kernel FAIL, in a made-up record (no boot):
# kept apart from the kernel's failures in KTAP and JUnit.
errors=vmtest/testdata/error
vmtest/report.py --ktap "$work/err.ktap" --junit "$work/err.xml" "$errors"
reader_checks "setup errors in $errors" --expect evict/ext4_scratch=ERROR --expect probe=ERROR \
	--expect read/b=FAIL "$errors/results.json" "$work/err.ktap" "$work/err.xml"

fixture=vmtest/testdata/formats.ini
vmtest/vmtest.sh -k 6.19.14 -X "$fixture" -A vmtest.runner_env=TEST_PROGS_HANG=read_basic/sleepable \
	-J "$work/run.json" --ktap "$work/run.ktap" --junit "$work/run.xml" \
	-- -w 5 -t read_basic,clone,creation,verifier_file_dynptr/put_file >"$work/run.log" 2>&1
echo "a run with FAIL, XPASS, XFAIL and TIMEOUT: vmtest exit $? (1 expected)"
reader_checks "6.19.14 with $fixture" --expect read_basic/nonsleepable=XPASS \
	--expect read_basic/sleepable=TIMEOUT --expect clone/sleepable_adjust_parent=FAIL \
	--expect creation/bool_return_zero_extended=XFAIL \
	--expect verifier_file_dynptr/put_file_then_read=FAIL \
	"$work/run.json" "$work/run.ktap" "$work/run.xml"

vmtest/vmtest.sh -k 1.2.3 -J "$work/none.json" --ktap "$work/none.ktap" --junit "$work/none.xml" \
	>"$work/none.log" 2>&1
reader_checks "a kernel Debian lacks (no verdict)" "$work/none.json" "$work/none.ktap" "$work/none.xml"

vmtest/matrix.sh -j 2 -o "$work/m" -X "$fixture" -t read_basic,clone,creation 6.18.15 6.19.14 \
	>"$work/matrix.log" 2>&1
for k in 6.18.15 6.19.14; do
	reader_checks "matrix column $k" "$work/m/$k/results.json" "$work/m/$k/results.ktap" "$work/m/$k/junit.xml"
done
reader_checks "the matrix page" --matrix-page "$work/m/matrix.html"
vmtest/results.py counts ${CHECK_RESULT:+-o "$CHECK_RESULT"} "$tally"
