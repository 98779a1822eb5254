#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The project's tests, as 'make check' runs them: each step's output is
# streamed; each step writes its counts to the file CHECK_RESULT names (a
# tally, vmtest/results.py tally and counts -o write one, or a runner or
# vmtest -J record), vmtest/results.py adds them to $OUTPUT/check.json,
# and the run ends with its table and the total line. Exit 1 if any step
# failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
OUTPUT=${OUTPUT:-build}
CHECK_RESULT=$(mktemp --suffix=.json "${TMPDIR:-/tmp}/check.XXXXXX") || exit 1
export CHECK_RESULT
trap 'rm -f "$CHECK_RESULT"' EXIT

steps=(
	# The gates a new test meets first (make lint, make rules, make selftest).
	"lint: clang-format, shellcheck, pyflakes, function length, -Werror|scripts/check-lint.sh"
	"rules: SEMANTICS.md = the code, both ways|scripts/check-rules.py"
	"docs: README and docs/ agree, links resolve|scripts/check-docs.py"
	"runner self-tests|runner/selftest/run.sh $OUTPUT/selftest"
	"vmtest self-tests (no guest)|vmtest/selftest.sh --no-boot"
	"CI workflow: each run: step a ci-job.sh call that make check runs|scripts/check-workflow.py"
	"build: bad input, types not from the host|scripts/check-build.sh"
	"config: survives olddefconfig, names every option a test needs|scripts/check-config.sh"
	"host run as the README's native command (its known-deviations file by default; the kernel log not read: the host's kernel is not under test; skips without the kfunc)|$OUTPUT/test_progs --no-kmsg -J $CHECK_RESULT"
	"vmtest self-tests with guests: bad kernels, hangs, panics, caches|vmtest/selftest.sh --guests"
	# OUTPUT is the x86_64 build's here (make exports it): name arm64's.
	"build for arm64 (make ARCH=arm64, cross)|make --no-print-directory ARCH=arm64 OUTPUT=build-arm64"
	"matrix: 6.18.15 (control), 6.19.14, 7.3.4, rt-amd64 7.3.4, arm64 4K and 16K|vmtest/matrix.sh -j 2 -o $OUTPUT/matrix 6.18.15 6.19.14 7.3.4 rt-amd64:7.3.4 cloud-arm64:6.19.14 arm64-16k:7.3.4"
	"rt-amd64 7.3.4 (modules) = cloud 7.3.4 but for tmpfs_huge (no THP) and bpf_timer (refused) under PREEMPT_RT|scripts/check_runs.py flavour $OUTPUT/matrix/rt-amd64_7.3.4 $OUTPUT/matrix/7.3.4"
	"native command (test_progs -j 1, its defaults) = vmtest's run on 6.19.14|scripts/check-jobs.sh $OUTPUT/matrix/6.19.14"
	"stress: 7.3.4 under stress-ng (guest and host) = its quiet matrix run; host stress-ng never left behind|scripts/check-stress.sh $OUTPUT/matrix/7.3.4"
	"rules: each checked on 6.19.14, 7.3.4 and arm64|scripts/check-rules.py $OUTPUT/matrix/6.19.14 $OUTPUT/matrix/7.3.4 $OUTPUT/matrix/cloud-arm64_6.19.14 $OUTPUT/matrix/arm64-16k_7.3.4"
	"JSON, KTAP, JUnit as CI systems read them|scripts/check-formats.sh"
	# Where kernel developers work: upstream's runner and the series.
	"upstream's file_reader with upstream's own test_progs on 7.3.4, its refusals, its outputs|scripts/check-upstream.sh"
	"the selftests/bpf series: made from the suite's files, git am, checkpatch --strict, built and run by upstream's test_progs on 7.3.4|scripts/check-series.sh -n 1"
	"Debian bisect for the R-VERIFY-10 fix|scripts/check-bisect.sh"
	"history over 7.1.8 .. 7.2.9: the R-VERIFY-10 fix found|scripts/check-history.sh $OUTPUT/history-check"
	"page-cache tests x20 (flake check)|vmtest/vmtest.sh -k 6.19.14 -J $CHECK_RESULT -- -t fault_nonsleepable,sleepable_select,callback_select,release,file_kinds/sparse_hole,elf_parse/runner_nonsleepable --repeat 20"
	"model_seq: random sequences, seed printed, on 7.3.4|vmtest/vmtest.sh -k 7.3.4 -J $CHECK_RESULT -- -t model_seq -s random --budget 20s"
	"bench_kfunc quick on 7.3.4: every method checked, ratios, plot|scripts/check-bench.sh $OUTPUT/bench-check 7.3.4"
	# The CI workflow's jobs, each in the Debian release its container has
	# (toolchain bookworm is this machine's build; trixie's = kernel 6.19.14).
	"CI job kernels (as on ubuntu-latest)|scripts/ci-job.sh -o $OUTPUT/ci kernels 6.19.14 cloud-arm64:6.19.14"
	"CI job kernel 6.19.14 (fresh Debian 13 root)|scripts/ci-job.sh -o $OUTPUT/ci -r trixie kernel 6.19.14"
	"Debian 13 build = host build on 6.19.14|vmtest/report.py --same --tally $CHECK_RESULT $OUTPUT/ci/results-6.19.14 $OUTPUT/matrix/6.19.14"
	"CI job toolchain sid (fresh sid root)|scripts/ci-job.sh -o $OUTPUT/ci -r sid toolchain sid"
	"sid build = host build on 6.19.14|vmtest/report.py --same --tally $CHECK_RESULT $OUTPUT/ci/toolchain-sid $OUTPUT/matrix/6.19.14"
	"CI job kernel cloud-arm64:6.19.14 (fresh Debian 13 root)|scripts/ci-job.sh -o $OUTPUT/ci -r trixie kernel cloud-arm64:6.19.14"
	"Debian 13 arm64 build = host arm64 build on cloud-arm64 6.19.14|vmtest/report.py --same --tally $CHECK_RESULT $OUTPUT/ci/results-cloud-arm64_6.19.14 $OUTPUT/matrix/cloud-arm64_6.19.14"
	"CI job report (as on ubuntu-latest)|scripts/ci-job.sh -o $OUTPUT/ci report 6.19.14 cloud-arm64:6.19.14"
)

mkdir -p "$OUTPUT" && rm -f "$OUTPUT/check.json" || exit 1
failed=0
for step in "${steps[@]}"; do
	name=${step%%|*} cmd=${step#*|}
	echo "=== $name: $cmd"
	start=$SECONDS
	rm -f "$CHECK_RESULT"
	$cmd 2>&1
	rc=$?
	((rc != 0)) && failed=1
	# The step's counts into check.json, which scripts/numbers.py reads.
	vmtest/results.py step --into "$OUTPUT/check.json" --name "$name" --rc "$rc" \
		--seconds $((SECONDS - start)) "$CHECK_RESULT" || failed=1
done

echo "=== summary"
vmtest/results.py steps "$OUTPUT/check.json"
exit $failed
