#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-upstream.sh [-h]: make check's step for upstream's own tests. Builds
# the kernel's test_progs with its file-dynptr tests (vmtest/upstream.sh
# build; cached), runs it on Debian's 7.3.4 (the tree's own kernel) in the
# vmtest guest, and checks the verdict (exit 0) and the converted results
# (JSON, KTAP, JUnit) with scripts/check_formats.py, as the suite's own; then
# a made-up upstream record with a failure (no boot) must come out as FAIL
# in all three. Prints "N passed, N failed" (vmtest/results.py counts);
# exit 0 when all passed. $CHECK_RESULT: where the counts go, as the other
# steps.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/checks.sh

case ${1-} in
-h | --help) sed -n '4,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
'') ;;
*) echo "check-upstream.sh: no arguments (see -h)" >&2; exit 2 ;;
esac

kunit=$(scripts/kunit-tool.sh) || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/check-upstream.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
tally=$work/tally.json


# verdict WHAT GOT WANT: one check of an exit code, in the tally.
verdict()
{
	if [[ $2 == "$3" ]]; then
		echo "ok $1: exit $2"
		vmtest/results.py tally -o "$tally" --add 1 0
	else
		echo "not ok $1: exit $2, $3 expected"
		vmtest/results.py tally -o "$tally" --add 0 1
	fi
}

vmtest/upstream.sh build -q >"$work/build.log" 2>&1
rc=$?
verdict "upstream's test_progs builds (vmtest/upstream.sh build)" "$rc" 0
((rc == 0)) || sed 's/^/  /' "$work/build.log" | tail -n 20

if ((rc == 0)); then
	# Refused on the host, before anything is fetched or booted: a bad
	# option of upstream's runner, a filter that selects nothing, -X.
	runner=build/upstream-runner/base/test_progs
	vmtest/vmtest.sh --upstream-runner -r "$runner" -k 7.3.4 -- --bogus >/dev/null 2>&1
	verdict "vmtest --upstream-runner -- --bogus (upstream's argp refuses it)" $? 2
	vmtest/vmtest.sh --upstream-runner -r "$runner" -k 7.3.4 -- -t no_such_test >/dev/null 2>&1
	verdict "vmtest --upstream-runner -- -t no_such_test (nothing selected)" $? 2
	vmtest/vmtest.sh --upstream-runner -r "$runner" -k 7.3.4 -X known-deviations.ini >/dev/null 2>&1
	verdict "vmtest --upstream-runner -X FILE (upstream's runner takes none)" $? 2
	vmtest/upstream.sh run -k 7.3.4 -J "$work/up.json" --ktap "$work/up.ktap" \
		--junit "$work/up.xml" >"$work/run.log" 2>&1
	rc=$?
	verdict "upstream's file_reader on 7.3.4 (vmtest/upstream.sh run -k 7.3.4)" "$rc" 0
	((rc == 0)) || tail -n 20 "$work/run.log" | sed 's/^/  /'
	# Every subtest of vmtest/upstream-rules.ini, named and OK.
	mapfile -t expect < <(sed -n 's/^\[\(.*\)\]$/--expect\n\1=OK/p' vmtest/upstream-rules.ini)
	reader_checks "upstream's run on 7.3.4, converted" "${expect[@]}" \
		"$work/up.json" "$work/up.ktap" "$work/up.xml"
fi

# A failing upstream run, made up (upstream's -J names the failure and
# its log): FAIL in the JSON, KTAP and JUnit, with the log.
cat >"$work/record.json" <<'EOF'
{"upstream": {"rc": 1, "tests": ["file_reader"], "summary": {"success": 0,
 "success_subtest": 7, "skipped": 0, "failed": 1, "failed_subtest": 1,
 "results": [{"name": "file_reader", "number": 1, "message": "",
 "failed": true, "subtests": [{"name": "xdp_no_dynptr_type", "number": 8,
 "message": "expect_msg\nEXPECTED MSG: 'Expected an initialized dynptr as R1'\n",
 "failed": true}]}]}}}
EOF
vmtest/report.py --emit --record "$work/record.json" --verdict 1 --reason "failures" \
	--kernel 6.19.14 -J "$work/fail.json" --ktap "$work/fail.ktap" --junit "$work/fail.xml"
reader_checks "a made-up failing upstream record" --expect file_reader/xdp_no_dynptr_type=FAIL \
	"$work/fail.json" "$work/fail.ktap" "$work/fail.xml"
vmtest/results.py counts ${CHECK_RESULT:+-o "$CHECK_RESULT"} "$tally"
