#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of the test runner: build runner/*.c with the fake tests of
# fake_tests.c into BUILD_DIR/fake_test_progs, run it in many ways and check
# what it prints and how it exits.  Prints one line per check, then
# "N passed, N failed, 0 skipped" (and writes those counts to $CHECK_RESULT
# when make check sets it); exits 1 if any check failed.
#
# Usage: runner/selftest/run.sh BUILD_DIR   (as root: the runner needs it)
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
RUNNER=$(dirname "$HERE")
mkdir -p "$1" || exit 2
BUILD=$(cd "$1" && pwd)
BIN=$BUILD/fake_test_progs
CC=${CC:-cc}
WORK=$(mktemp -d /tmp/runner-selftest.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# The runner reads this in place of /dev/kmsg (runner/kmsg.c): a splat
# of the host's kernel is no result of these checks.
export TEST_PROGS_KMSG=$WORK/kmsg.log
: >"$TEST_PROGS_KMSG"

# The fake runner's records, read through vmtest/results.py.
RECORDS=$HERE/records.py
REPORT=$(dirname "$RUNNER")/vmtest/report.py
. "$HERE/../../scripts/checks.sh"

# run ARGS...: run the runner, output in $WORK/out and $WORK/err, status in $rc.
run() {
	"$BIN" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
}

has() { grep -qF -- "$1" "$WORK/out"; }
lacks() { ! has "$1"; }
has_re() { grep -qE -- "$1" "$WORK/out"; }
err_has() { grep -qF -- "$1" "$WORK/err"; }
last_line_is() { [ "$(tail -n 1 "$WORK/out")" = "$1" ]; }
rc_is() { [ "$rc" -eq "$1" ]; }
out_is() { [ "$(cat "$WORK/out")" = "$1" ]; }

# --- build -------------------------------------------------------------
"$RUNNER/gen-tests.sh" "$HERE/fake_tests.c" >"$BUILD/tests.h"
check "gen-tests.sh lists the 29 fake tests, sorted" \
	test "$(cat "$BUILD/tests.h")" = "$(grep -oE '^void test_[a-z_]+\(void\)$' \
		"$HERE/fake_tests.c" | sed -E 's/void test_(.*)\(void\)/DEFINE_TEST(\1)/' |
		LC_ALL=C sort)" -a "$(wc -l <"$BUILD/tests.h")" -eq 29
printf 'void test_b(void)\n{\nvoid test_a(void) {\nvoid test_proto(void);\nstatic void test_static(void)\nvoid test__helper(void)\n' >"$WORK/gen.c"
check "gen-tests.sh skips prototypes, static and helper functions" \
	test "$("$RUNNER/gen-tests.sh" "$WORK/gen.c" | tr '\n' ' ')" = "DEFINE_TEST(a) DEFINE_TEST(b) "
if ! $CC -std=gnu11 -O2 -Wall -Wextra -Werror -I"$BUILD" -I"$RUNNER" \
	"$RUNNER"/*.c "$HERE/fake_tests.c" @"$RUNNER/link.opts" \
	-lbpf -lelf -lz -o "$BIN"; then
	not_ok "build fake_test_progs"
	checks_done
	exit 1
fi
ok "build fake_test_progs with -Wall -Wextra -Werror"

# --- listing and filters -------------------------------------------------
run -l
check "-l lists every test, exit 0" eval 'rc_is 0 && [ "$(wc -l <"$WORK/out")" -eq 29 ]'
run -l -t skip
check "-t substring" out_is $'all_skipped\nskip\nsome_skipped'
run -l -t skip -b all
check "-b substring deny" out_is $'skip\nsome_skipped'
run -l -a 'fail_*'
check "-a glob" out_is $'fail_eq\nfail_memeq\nfail_misc'
run -l -a 'fail_*' -d '*memeq'
check "-d glob deny" out_is $'fail_eq\nfail_misc'
run -l -a pass,skip -t crash
check "comma lists and repeated allow options add up" out_is $'crash\npass\nskip'
printf '# patterns\n\npass\n  fail_e*  \n# skip\n' >"$WORK/patterns"
run -l -a "@$WORK/patterns"
check "-a @FILE skips comments and blank lines" out_is $'fail_eq\npass'
run -l -a "@$WORK/no-such-file"
check "unreadable @FILE is a setup error (3)" rc_is 3
run -t subtests/beta
check "-t test/subtest runs only that subtest" eval \
	'has "#17/2 subtests/beta:FAIL" && lacks "subtests/alpha" && lacks "subtests/delta"'
run -t subtests -b subtests/beta
check "-b test/subtest denies only the subtest" eval \
	'rc_is 0 && has "#17/1 subtests/alpha:OK" && has "#17/4 subtests/delta:OK" && lacks "beta" && has "#17 subtests:OK"'
run -a 'subtests/[ad]*'
check "-a glob on test/subtest" eval \
	'has "#17/1 subtests/alpha:OK" && has "#17/4 subtests/delta:OK" && lacks "gamma" && lacks "beta"'

# --- exit codes ------------------------------------------------------------
run -t pass,kfunc,some_skipped,skip
check "exit 0 when all pass (skips allowed)" rc_is 0
run -t fail_eq
check "exit 1 on a failure" rc_is 1
run -t no_such_test
check "exit 2 when no test is selected" eval 'rc_is 2 && err_has "no test matches"'
run --bogus
check "exit 2 and usage on an unknown flag" eval 'rc_is 2 && err_has "Usage:"'
run -w
check "exit 2 on a missing argument" eval 'rc_is 2 && err_has "Usage:"'
run -w abc
check "exit 2 on a bad number" rc_is 2
FAKE_FIXTURE=trace run -t pass,fixture_fd
check "the run-wide fixture is set up once before the tests, torn down after, and its descriptors are inherited" eval \
	'rc_is 0 && [ "$(grep -E "^(fixture|#)" "$WORK/out" | tr "\n" " ")" = "fixture: setup #8 fixture_fd:OK #14 pass:OK fixture: teardown " ]'
FAKE_FIXTURE=fail run -t pass
check "a fixture that fails to set up is a setup error (3), and no test runs" eval \
	'rc_is 3 && err_has "fixture failed" && lacks "pass:"'
# Options of one value are given once; values out of range are refused.
for twice in "-w 1 -w 2" "-r 2 --repeat 3" "-j 2 -j 2" "-s 1 -s 2" \
	"--budget 5 --budget 6" "-J $WORK/a.json -J $WORK/b.json" "-X none -X none"; do
	# shellcheck disable=SC2086 # the options, split on purpose
	run -t pass $twice
	rc_is 2 && err_has "given twice: give it once" || break
done
check "an option of one value given twice is a usage error (2), naming it (${twice%% *})" eval \
	'rc_is 2 && err_has "given twice: give it once"'
run -t pass -w 1 -t fail_eq -v -v -l
check "selection options and -v may repeat" eval 'rc_is 0 && [ "$(cat "$WORK/out")" = "$(printf "fail_eq\npass")" ]'
run -l --guest-files
check "-l with --guest-files is a usage error" eval 'rc_is 2 && err_has "give one"'
run -t pass -w -1
check "-w below 0 is a usage error" eval 'rc_is 2 && err_has "-w wants a number >= 0"'
run -t pass -r 0
check "-r 0 is a usage error" eval 'rc_is 2 && err_has "-r wants a number >= 1"'
# The -J file: tried before the run; lost after it, it hides no verdict.
run -t pass -J /nonexistent/x.json
check "a -J path that cannot be written is a setup error (3) before the run, naming it" eval \
	'rc_is 3 && err_has "cannot write the JSON summary (-J) /nonexistent/x.json" && lacks "pass:"'
run -t pass -J "$WORK"
check "a -J path that is a directory is a setup error (3)" eval 'rc_is 3 && err_has "-J) $WORK:"'
run -t fail_eq -J /dev/full
check "a -J file lost after a failing run: the verdict stays 1, the loss is said" eval \
	'rc_is 1 && err_has "error writing /dev/full"'
run -t pass -J /dev/full
check "a -J file lost after a passing run: exit 3" eval 'rc_is 3 && err_has "error writing /dev/full"'
run -t pass -J "$WORK/fresh.json"
check "-J writes its file" "$RECORDS" parses "$WORK/fresh.json"
run -h
check "-h shows usage with exit codes, exit 0" eval 'rc_is 0 && has "Exit status:" && has "--known-deviations"'
# The binary is copied where an unprivileged user can run it.
mkdir -m 755 "$WORK/nobody"
cp "$BIN" "$WORK/nobody/"
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
$NOBODY "$WORK/nobody/fake_test_progs" -t pass >"$WORK/out" 2>"$WORK/err"
rc=$?
check "exit 3 when not root" eval 'rc_is 3 && err_has "must run as root"'
$NOBODY "$WORK/nobody/fake_test_progs" -l >"$WORK/out" 2>"$WORK/err"
rc=$?
check "-l needs no root" eval 'rc_is 0 && has "pass"'
printf '[deviation/broken]\nkernels = >=6.0\nrule = R-X\nreason = oops\n\n[pass]\n' >"$WORK/bad1.ini"
run -t pass -X "$WORK/bad1.ini"
check "exit 3 on a deviations entry lacking a key, naming file:line" eval \
	'rc_is 3 && err_has "bad1.ini:1:" && err_has "reference"'
printf '[pass]\nkernels = ~6.0\nrule = R\nreference = r\nreason = r\n' >"$WORK/bad2.ini"
run -t pass -X "$WORK/bad2.ini"
check "exit 3 on a bad kernel constraint, naming file:line" eval 'rc_is 3 && err_has "bad2.ini:2:"'
run -t pass -X "$WORK/none.ini"
check "exit 3 on a missing deviations file" rc_is 3

# --- results and output ----------------------------------------------------
run -t subtests
check "exact last line" last_line_is "2 passed, 1 failed, 1 skipped"
check "subtest result lines" eval 'has "#17/1 subtests/alpha:OK" && has "#17/2 subtests/beta:FAIL" &&
	has "#17/3 subtests/gamma:SKIP (gamma needs a gizmo)" && has "#17 subtests:FAIL"'
check "first line names the kernel and options" eval \
	'head -n 1 "$WORK/out" | grep -q "kernel $(uname -r | sed "s/[-+].*//") .*watchdog 120 s"'
run -t skip
check "skip reasons; all-skipped test is SKIP, partly skipped is OK" eval \
	'has "#15 skip:SKIP (no frobnicator on this machine)" && has "#1 all_skipped:SKIP" &&
	 has "#16 some_skipped:OK" && last_line_is "1 passed, 0 failed, 4 skipped"'
run -t kfunc
release=$(uname -r | sed 's/[-+].*//')
check "require_kfunc skips a missing kfunc with the reason" \
	has "#10 kfunc_missing:SKIP (kernel $release lacks bpf_no_such_kfunc_for_selftest (added in 99.1))"
check "require_kfunc finds bpf_put_file" has "#11 kfunc_present:OK"

run -t pass
check "log hidden when the test passes" lacks "shown only with -v"

run -a 'z_setup_error/probe,z_setup_error/fine' -J "$WORK/err.json"
check "a setup error is ERROR with its reason, counted as failed, exit 3" eval \
	'rc_is 3 && has "#29/1 z_setup_error/probe:ERROR (scratch pages stay resident after 5 tries)" &&
	 has "#29 z_setup_error:ERROR" && has "1 ERROR (counted as failed)" && last_line_is "1 passed, 1 failed, 0 skipped"'
check "JSON: a setup error is result ERROR, failed, counted in units.error" \
	"$RECORDS" setup_error "$WORK/err.json"
run -t z_setup_error
check "a failure outweighs a setup error: its unit FAIL, exit 1" eval \
	'rc_is 1 && has "#29/3 z_setup_error/fails_too:FAIL" && has "#29 z_setup_error:FAIL" &&
	 last_line_is "1 passed, 2 failed, 0 skipped"'
run -t pass -v
check "log shown with -v" has "pass: this line is shown only with -v"
run -t fail_eq
check "log shown when the test fails" has "fail_eq: about to compare"
check "ASSERT_EQ prints file:line, name, expression, values" \
	has "fake_tests.c:43: FAIL 'sum': ASSERT_EQ(sum, 5): actual 4, expected 5"
run -t fail_memeq
check "ASSERT_MEMEQ shows the first differing offset and count" \
	has "first difference at offset 37 (0x25), 3 of 64 bytes differ"
check "ASSERT_MEMEQ shows a marked hex window" eval \
	'has "0x000020 a: 20 21 22 23 24 ff fe 27" && has "^^ ^^"'
run -t fail_misc
check "errno names and hex in integer asserts" eval \
	'has "actual -14 (-EFAULT), expected 0" && has "actual 4096 (0x1000), expected < 16 (0x10)"'
check "ASSERT_STREQ shows both strings" has 'actual "left", expected "right"'
run -t libbpf_log -v
check "libbpf messages go to the captured log" has "libbpf: elf: failed to open"

start=$(date +%s)
run -w 1 -t hang,pass
# shellcheck disable=SC2034 # read by the eval'd check below
took=$(($(date +%s) - start))
check "watchdog: the running subtest and the test TIMEOUT" eval \
	'has "#9/1 hang/before:OK" && has "#9/2 hang/stuck:TIMEOUT (timed out after 1 s)" && has "#9 hang:TIMEOUT"'
check "watchdog: the run continues and exits 1" eval \
	'has "#14 pass:OK" && rc_is 1 && last_line_is "2 passed, 1 failed, 0 skipped" && [ "$took" -le 4 ]'
check "watchdog: the hung test's log is shown" has "hang: going to sleep forever"
check "watchdog: no process left behind" eval '! pgrep -f "$BIN" >/dev/null'
run -t crash,pass
check "a crash is a FAIL naming the signal, and the run goes on" eval \
	'has "#2 crash:FAIL (killed by signal SIGSEGV)" && has "crash: about to raise SIGSEGV" && has "#14 pass:OK"'
run -t early_exit
check "a test exiting without a result FAILs" has "#4 early_exit:FAIL (test process exited with status 0 without reporting a result)"

run -t pass -r 3
check "--repeat numbers the runs and counts each" eval \
	'has "#14 pass [run 1/3]:OK" && has "#14 pass [run 3/3]:OK" && last_line_is "3 passed, 0 failed, 0 skipped"'
run -t fail_eq,pass --repeat 2
check "--repeat counts failures per run" last_line_is "2 passed, 2 failed, 0 skipped"

# --- known deviations ------------------------------------------------------
cat >"$WORK/dev.ini" <<EOF
# fake deviations
[deviation/broken]
kernels   = >=6.0 <99.4
rule      = R-FAKE-1
reference = fake_tests.c test_deviation()
reason    = broken stays broken

[deviation/fix*]
kernels   = *
rule      = R-FAKE-2
reference = fake_tests.c test_deviation()
reason    = fixed got fixed

[lone_deviation]
kernels   = =$release
rule      = R-FAKE-3
reference = nowhere
reason    = lone fails

[crash]
kernels   = *
rule      = R-FAKE-4
reference = nowhere
reason    = crashes are never muted
EOF
run -t deviation,crash -X "$WORK/dev.ini"
check "a known failing subtest is XFAIL with rule, reason, reference" \
	has "#3/1 deviation/broken:XFAIL (R-FAKE-1: broken stays broken; see fake_tests.c test_deviation())"
check "a known deviation that passes is XPASS" \
	has "#3/2 deviation/fixed:XPASS (known deviation R-FAKE-2 no longer reproduces: remove or narrow the entry)"
check "a test without subtests can be XFAIL; its log is shown" eval \
	'has "#13 lone_deviation:XFAIL (R-FAKE-3: lone fails; see nowhere)" && has "ASSERT_EQ(3, 4)"'
check "crashes are never muted" has "#2 crash:FAIL (killed by signal SIGSEGV)"
check "XPASS counts as failed; breakdown line" eval \
	'rc_is 1 && has "2 XFAIL (counted as passed), 1 XPASS and 0 TIMEOUT" && last_line_is "2 passed, 2 failed, 0 skipped"'
run -a deviation/broken -X "$WORK/dev.ini"
check "XFAIL alone exits 0" eval 'rc_is 0 && last_line_is "1 passed, 0 failed, 0 skipped"'
sed "s/>=6.0 <99.4/<6.0/; s/=$release/>$release/" "$WORK/dev.ini" >"$WORK/old.ini"
run -t deviation/broken,lone -X "$WORK/old.ini"
check "entries for other kernels do not apply" eval \
	'has "#3/1 deviation/broken:FAIL" && has "#13 lone_deviation:FAIL" && rc_is 1'
# arch: this machine's architecture (the runner spells aarch64 arm64).
here_arch=$(uname -m | sed 's/aarch64/arm64/')
other_arch=$([[ $here_arch == arm64 ]] && echo x86_64 || echo arm64)
sed "/^reason    = broken stays broken/a arch      = $other_arch" "$WORK/dev.ini" >"$WORK/arch.ini"
run -t deviation/broken -X "$WORK/arch.ini"
check "an entry for another architecture does not apply" eval \
	'has "#3/1 deviation/broken:FAIL" && rc_is 1'
sed "/^reason    = broken stays broken/a arch      = $other_arch $here_arch" "$WORK/dev.ini" >"$WORK/arch.ini"
run -t deviation/broken -X "$WORK/arch.ini"
check "an entry naming this architecture applies" eval \
	'has "#3/1 deviation/broken:XFAIL" && rc_is 0'
printf '[pass]\nkernels = *\nrule = R\nreference = r\nreason = r\narch = sparc\n' >"$WORK/bad3.ini"
run -t pass -X "$WORK/bad3.ini"
check "exit 3 on an unknown architecture, naming file:line" eval 'rc_is 3 && err_has "bad3.ini:6:"'
# scratch: the scratch directory's filesystem (/dev/shm is a tmpfs).
sed "/^reason    = broken stays broken/a scratch   = ext4" "$WORK/dev.ini" >"$WORK/fs.ini"
SCRATCH_DIR=/dev/shm run -t deviation/broken -X "$WORK/fs.ini"
check "an entry for another scratch filesystem does not apply" eval \
	'has "#3/1 deviation/broken:FAIL" && rc_is 1'
sed "/^reason    = broken stays broken/a scratch   = ext4 tmpfs" "$WORK/dev.ini" >"$WORK/fs.ini"
SCRATCH_DIR=/dev/shm run -t deviation/broken -X "$WORK/fs.ini"
check "an entry naming the scratch directory's filesystem applies" eval \
	'has "#3/1 deviation/broken:XFAIL" && rc_is 0'
printf '[pass]\nkernels = *\nrule = R\nreference = r\nreason = r\nscratch = nfs\n' >"$WORK/bad5.ini"
run -t pass -X "$WORK/bad5.ini"
check "exit 3 on an unknown scratch filesystem, naming file:line" eval 'rc_is 3 && err_has "bad5.ini:6:"'

# model switches, seeds and budgets
printf '[elsewhere/none]\nkernels = *\nrule = R-FAKE-5\nreference = r\nreason = r\nmodel = fake_switch\n' >"$WORK/model.ini"
run -v -t y_model_switch -s 0x10 --budget 5s -X "$WORK/model.ini"
check "a test gets the seed, the budget and the switch's rule" eval \
	'has "seed 0x10" && has "budget 5 s" && has "switch R-FAKE-5"'
check "the switch's entry covers the deviation_NAME subtest" eval \
	'has "y_model_switch/deviation_fake_switch:XFAIL (R-FAKE-5" && rc_is 0'
run -v -t y_model_switch --budget 30
check "without an entry the switch is off and the subtest fails" eval \
	'has "seed none" && has "budget 30" && has "switch off" && has "y_model_switch/deviation_fake_switch:FAIL" && rc_is 1'
run -t y_model_switch -s random -v
check "-s random draws a seed and gives it to the test" eval 'has_re "^seed 0x[0-9a-f]+$"'
run -t pass -s banana
check "exit 2 on a seed that is not a number" eval 'rc_is 2 && err_has "-s wants a number"'
run -t pass --budget 0s
check "exit 2 on an empty budget" eval 'rc_is 2 && err_has "--budget wants"'
printf '[pass]\nkernels = *\nrule = R\nreference = r\nreason = r\nmodel = Not-An-Id\n' >"$WORK/bad4.ini"
run -t pass -X "$WORK/bad4.ini"
check "exit 3 on a model switch that is not an identifier, naming file:line" eval 'rc_is 3 && err_has "bad4.ini:6:"'

# --- the default known-deviations file -------------------------------------
# Found beside the binary or in its parent directory, from wherever it runs.
mkdir -p "$WORK/tree/bin" "$WORK/flat"
cp "$BIN" "$WORK/tree/bin/"
cp "$BIN" "$WORK/flat/"
sed -n '/^\[deviation\/broken\]/,/^$/p' "$WORK/dev.ini" >"$WORK/tree/known-deviations.ini"
cp "$WORK/tree/known-deviations.ini" "$WORK/flat/"
# at BINARY ARGS...: run another copy of the runner, as run() does.
at() {
	"$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
}
(cd / && exec "$WORK/tree/bin/fake_test_progs" -a deviation/broken) >"$WORK/out" 2>"$WORK/err"
rc=$?
check "the default file in the parent of the binary's directory is used, and named" eval \
	'rc_is 0 && has "#3/1 deviation/broken:XFAIL" && has "known deviations: $WORK/tree/known-deviations.ini (default);"'
at "$WORK/flat/fake_test_progs" -a deviation/broken
check "the default file beside the binary is used" eval \
	'rc_is 0 && has "known deviations: $WORK/flat/known-deviations.ini (default);"'
at "$WORK/tree/bin/fake_test_progs" -a deviation/broken -X none
check "-X none: no file, every failure shows" eval \
	'rc_is 1 && has "#3/1 deviation/broken:FAIL" && has "known deviations: none;"'
at "$WORK/tree/bin/fake_test_progs" -a deviation/broken -X "$WORK/old.ini"
check "-X FILE wins over the default" eval \
	'rc_is 1 && has "#3/1 deviation/broken:FAIL" && has "known deviations: $WORK/old.ini;"'
at "$WORK/nobody/fake_test_progs" -t pass
check "no default file is no error: the header says none was found" eval \
	'rc_is 0 && has "known deviations: none found;"'
echo '[broken' >"$WORK/flat/known-deviations.ini"
at "$WORK/flat/fake_test_progs" -t pass
check "a malformed default file is a setup error (3), naming it" eval \
	'rc_is 3 && err_has "$WORK/flat/known-deviations.ini:1:"'

# --- tests that did not finish: their entries are not called unmatched -----
cat >"$WORK/unfinished.ini" <<EOF
[hang/never_reached]
kernels   = *
rule      = R-FAKE-10
reference = nowhere
reason    = after the hang

[crash]
kernels   = *
rule      = R-FAKE-11
reference = nowhere
reason    = crashes are never muted

[pass/no_such_subtest]
kernels   = *
rule      = R-FAKE-12
reference = nowhere
reason    = names no subtest of a test that finished

[z_setup_error/probe]
kernels   = *
rule      = R-FAKE-13
reference = nowhere
reason    = its setup failed: no verdict
EOF
run -w 1 -a hang,crash,pass,z_setup_error -X "$WORK/unfinished.ini"
check "entries of a test that timed out, crashed or had a setup ERROR are not called unmatched; of one that finished, they are" eval \
	'has "#9 hang:TIMEOUT" && has "#2 crash:FAIL" && has "z_setup_error/probe:ERROR" &&
	 ! grep -q "R-FAKE-1[013].*covered nothing" "$WORK/out" &&
	 has "known deviation [pass/no_such_subtest] (R-FAKE-12, line 13) covered nothing"'


# --- JSON --------------------------------------------------------------------
run -w 1 -a subtests,hang,skip,deviation -X "$WORK/dev.ini" -J "$WORK/out.json"
check "JSON parses" "$RECORDS" parses "$WORK/out.json"
check "a time line names the slowest tests, the hung one first" \
	grep -qE '^time: [0-9]+\.[0-9] s in tests; slowest: hang [0-9]+\.[0-9] s' "$WORK/out"
check "JSON carries each test's duration" "$RECORDS" durations "$WORK/out.json"
check "JSON has the expected counts and results, in test_progs -J's shape" "$RECORDS" shape "$WORK/out.json"

# --- KTAP and JUnit: from the JSON, by vmtest/report.py ----------------------
# (make check also reads them with kunit.py and junitparser: check-formats.sh)
python3 "$REPORT" --emit --record "$WORK/out.json" --ktap "$WORK/out.ktap" --junit "$WORK/out.xml"
check "report.py writes KTAP and JUnit from the runner's JSON" \
	test -s "$WORK/out.ktap" -a -s "$WORK/out.xml"
check "KTAP: nested subtests two spaces in, kselftest's directives" eval \
	'grep -q "^  # Subtest: subtests$" "$WORK/out.ktap" && grep -q "^  ok 1 broken # XFAIL R-FAKE-1" "$WORK/out.ktap" &&
	 grep -q "^  ok [0-9] fixed # XPASS" "$WORK/out.ktap" && grep -q "^not ok [0-9] hang # TIMEOUT" "$WORK/out.ktap" &&
	 grep -q "^  # .*beta fails" "$WORK/out.ktap" && tail -n 1 "$WORK/out.ktap" | grep -q "^# "'
check "JUnit parses; failures and skips are the runner's units" "$RECORDS" junit "$WORK/out.xml"

# --- cases and rules ------------------------------------------------------
cat >"$WORK/cases.ini" <<EOF
[x_cases/other_rule]
kernels   = *
rule      = R-FAKE-8
reference = fake_tests.c test_x_cases()
reason    = a deviation of another rule than the failure's

[x_cases/two_rules]
kernels   = *
rule      = R-FAKE-8
reference = fake_tests.c test_x_cases()
reason    = a deviation of the unit's first failure, not of its second

[x_cases/no_such_subtest]
kernels   = *
rule      = R-FAKE-9
reference = nowhere
reason    = names no subtest
EOF
row=$(grep -n 'CASE_AT("R-FAKE-6")' "$HERE/fake_tests.c" | cut -d: -f1)
run -t x_cases -X "$WORK/cases.ini" -J "$WORK/cases.json"
check "a failing row names its rule, its row's file:line and where it was checked" \
	grep -qE "fake_tests.c:$row: FAIL \[R-FAKE-6\] 'a == b' \(a=2; checked at .*fake_tests.c:[0-9]+\): ASSERT_EQ" "$WORK/out"
check "a deviation mutes only a failure of its own rule" \
	has "#19/2 x_cases/other_rule:FAIL (a case of R-FAKE-7 failed; the known deviation for this subtest is of R-FAKE-8)"
check "an entry that covers nothing is reported" \
	has "known deviation [x_cases/two_rules]
kernels   = *
rule      = R-FAKE-8
reference = fake_tests.c test_x_cases()
reason    = a deviation of the unit's first failure, not of its second

[x_cases/no_such_subtest] (R-FAKE-9, line 7) covered nothing in this run"
check "the results carry each failure's rule" "$RECORDS" rule "$WORK/cases.json"
check "the results list every rule a unit checked, each once" "$RECORDS" rules "$WORK/cases.json"
check "the JSON lists the entries that covered nothing" "$RECORDS" unmatched "$WORK/cases.json"
run -t x_cases/rows -X "$WORK/cases.ini"
check "a run that filtered out subtests does not call an entry unmatched" \
	lacks "covered nothing"

# --- -j: tests beside each other where their traits allow ----------------
mkdir -p "$WORK/par"
# result_lines: the "#N name:RESULT" lines, the time line dropped.
result_lines() { grep -E '^#' "$WORK/out"; }
FAKE_PAR_DIR=$WORK/par run -a 'x_*' -b x_cases -v
# shellcheck disable=SC2034 # read by an eval'd check below
serial=$(result_lines)
check "-j 1: the x_ tests pass one after another" eval \
	'rc_is 0 && grep -q "x_par_a saw 0 other" "$WORK/out" && grep -q "x_par_b saw 0 other" "$WORK/out"'
start=$(date +%s%N)
FAKE_PAR_DIR=$WORK/par run -a 'x_*' -b x_cases -j 4 -v
ms=$((($(date +%s%N) - start) / 1000000))
check "-j 4: parallel tests overlap (each saw the other), in ${ms} ms" eval \
	'rc_is 0 && grep -q "x_par_a saw [1-9] other" "$WORK/out" && grep -q "x_par_b saw [1-9] other" "$WORK/out" && [ "$ms" -lt 2600 ]'
check "-j 4: a lane's tests never overlap, a test without traits runs alone" eval \
	'lacks "FAIL" && has "x_lane_a:OK" && has "x_lane_b:OK" && has "x_alone:OK"'
check "-j 4: results print in the selection's order, as with -j 1" eval \
	'[ "$(result_lines | sed "s/:.*//")" = "$(echo "$serial" | sed "s/:.*//")" ]'
FAKE_PAR_DIR=$WORK/par run -a 'x_*' -b x_cases -j 2 -r 2 -J "$WORK/par.json"
check "-j 2 -r 2: every run reported once, in order, and in the JSON" "$RECORDS" parallel "$WORK/par.json"
run -j 0
check "-j 0 is a usage error" eval 'rc_is 2 && err_has "-j wants a number >= 1"'

# --- .kconfigs: the kernel options a test needs -----------------------------
run -t z_kconfig -v
check ".kconfigs: a subtest needing an option the kernel lacks skips, naming it" \
	has_re 'z_kconfig/absent:SKIP \((built without CONFIG_FAKE_NONE \(|nothing told)'
check ".kconfigs: when nothing tells, the log says so" eval \
	'has "z_kconfig/absent:SKIP (built without" || has "cannot tell whether the kernel was built with CONFIG_FAKE_NONE"'
check "test__require_kconfig(): the rows before the need run, the subtest skips at it" eval \
	'has "ok '"'"'row 1 needs nothing'"'"'" && has_re "z_kconfig/rows:SKIP \((built without CONFIG_FAKE_ROWS|nothing told)"'
check "test__require_kconfig() of an option the traits lack fails the test" eval \
	'has "z_kconfig/undeclared:FAIL" && has "needs CONFIG_FAKE_UNDECLARED, which its TEST_TRAITS"'

# --- .lockdown_refused: what lockdown=confidentiality refuses --------------
echo 'none integrity [confidentiality]' >"$WORK/lockdown"
TEST_PROGS_LOCKDOWN=$WORK/lockdown run -t z_lockdown
check "lockdown=confidentiality skips the subtests the traits name, naming lockdown" eval \
	'rc_is 0 && has "z_lockdown/probe_read:SKIP (kernel lockdown=confidentiality ($WORK/lockdown) refuses" &&
	 has "z_lockdown/plain:OK" && has "#28 z_lockdown_all:SKIP (kernel lockdown=confidentiality"'
echo 'none [integrity] confidentiality' >"$WORK/lockdown"
TEST_PROGS_LOCKDOWN=$WORK/lockdown run -t z_lockdown
check "lockdown=integrity skips nothing" eval \
	'rc_is 0 && has "z_lockdown/probe_read:OK" && has "z_lockdown_all:OK" && last_line_is "3 passed, 0 failed, 0 skipped"'
TEST_PROGS_LOCKDOWN=$WORK/no-such-file run -t z_lockdown -v
check "an unreadable lockdown file: the test runs, and its log says so" eval \
	'rc_is 0 && has "z_lockdown/probe_read:OK" && has "cannot read the kernel'"'"'s lockdown mode ($WORK/no-such-file); running"'

# Every BPF program of the suite that calls a helper lockdown=confidentiality
# refuses is one its test's .lockdown_refused names.
refused_progs() {
	awk 'match($0, /^(int|__u64|long) (BPF_PROG\()?[a-z_0-9]+/) {
		s = substr($0, RSTART, RLENGTH); sub(/.*[ (]/, "", s); fn = s }
	/probe_read|BPF_CORE_READ|BPF_PROBE_READ|bpf_core_read\(|probe_write_user/ {
		print FILENAME " " fn }' "$@"
}
undeclared=''
while read -r file prog; do
	pat=$(sed -n 's/.*\.lockdown_refused = "\([^"]*\)".*/\1/p' \
		"$(dirname "$RUNNER")/prog_tests/$(basename "$file")")
	# shellcheck disable=SC2053 # $pat is the trait's glob
	[[ -n $pat && $prog == $pat ]] || undeclared+=" $(basename "$file" .c)/$prog"
done < <(refused_progs "$(dirname "$RUNNER")"/progs/*.c)
check "every program needing bpf_probe_read*() is in its test's .lockdown_refused${undeclared:+ (not:$undeclared)}" \
	test -z "$undeclared" -a "$(refused_progs "$(dirname "$RUNNER")"/progs/*.c | wc -l)" -ge 1

# --- the kernel log: an undeclared splat during the run fails it -----------
# TEST_PROGS_KMSG (set for every run above: a host splat must not fail the
# self-test) stands for /dev/kmsg; z_kmsg appends FAKE_KMSG_LINES to it.
# kmsg_run LINES [OPTION]...: LINES (one a line) logged during a run, as
# /dev/kmsg gives them: a record each, a backslash written \x5c, <NL> as
# the \x0a of a record that holds two lines.
kmsg_run() {
	FAKE_KMSG_LINES=$(printf '%s\n' "$1" |
		sed 's/\\/\\x5c/g; s/<NL>/\\x0a/g; s/^/4,1,100,-;/') \
		run -t pass,z_kmsg -J "$WORK/kmsg.json" "${@:2}"
}
printf '4,0,0,-;WARNING: CPU: 0 PID: 1 at before.c:1 logged before the run\n' >>"$TEST_PROGS_KMSG"
kmsg_run $'all quiet\n'
check "a quiet kernel log: exit 0, the header names the log, kernel_splat null" eval \
	'rc_is 0 && has "kernel log: $TEST_PROGS_KMSG;" && lacks "splat" && "$RECORDS" splat "$WORK/kmsg.json" ""'
kmsg_run $'line one\nline two\nWARNING: mm/filemap.c:99 at filemap_read+0x1/0x2, CPU#1: t/1<NL>Call Trace:'
check "an undeclared splat: exit 1, named with its context, tests still OK" eval \
	'rc_is 1 && has "#14 pass:OK" && has "test_progs: kernel splat during the run: WARNING: mm/filemap.c:99 at filemap_read" && has "    line two" && has "    Call Trace:" && last_line_is "2 passed, 0 failed, 0 skipped"'
check "an undeclared splat: kernel_splat in the JSON, and vmtest/results.py's verdict 1" \
	"$RECORDS" splat "$WORK/kmsg.json" "WARNING: mm/filemap.c:99 at filemap_read+0x1/0x2, CPU#1: t/1"
kmsg_run $'vmtest: expect-splat begin filemap\\.c:[0-9]+\nWARNING: mm/filemap.c:99 at filemap_read\nvmtest: expect-splat end\n'
check "a splat inside its window, matching its ERE, is left to the test: exit 0" eval \
	'rc_is 0 && lacks "kernel splat"'
kmsg_run $'vmtest: expect-splat begin read_write\\.c\nBUG: kernel NULL pointer dereference\nvmtest: expect-splat end\n'
check "a splat inside a window whose ERE it does not match fails the run" eval \
	'rc_is 1 && has "kernel splat during the run: BUG: kernel NULL pointer dereference"'
kmsg_run $'vmtest: expect-splat begin filemap\nvmtest: expect-splat end\nWARNING: mm/filemap.c:99 at filemap_read\n'
check "a splat after its window closed fails the run" eval \
	'rc_is 1 && has "kernel splat during the run: WARNING: mm/filemap.c:99"'
kmsg_run $'WARNING: a.c:1 at f\n' --no-kmsg
check "--no-kmsg: the log is not read, the header says so" eval \
	'rc_is 0 && has "kernel log: not read (--no-kmsg)" && "$RECORDS" splat "$WORK/kmsg.json" ""'
TEST_PROGS_KMSG=$WORK/no-such-log kmsg_run ''
check "an unreadable kernel log is named in the header, and the run goes on" eval \
	'rc_is 0 && has "kernel log: not read ($WORK/no-such-log: No such file or directory), splats not checked"'
(unset TEST_PROGS_KMSG && run -t pass && cp "$WORK/out" "$WORK/out.kmsg")
check "by default the runner reads /dev/kmsg" grep -q "kernel log: /dev/kmsg;" "$WORK/out.kmsg"

check "no temporary files left behind" eval '! ls /tmp/test_progs.* >/dev/null 2>&1'

checks_done
