# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Sourced by the check scripts: a line per check, then their tally where
# make check asks (CHECK_RESULT) and the count line (vmtest/results.py).
pass=0 fail=0 skipped=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
not_ok() { echo "FAIL $*"; fail=$((fail + 1)); }
skip() { echo "SKIP $*"; skipped=$((skipped + 1)); }
check() { # WHAT COMMAND...: ok when COMMAND succeeds
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# checks_done: status 1 when a check failed.
checks_done() {
	"$(dirname "${BASH_SOURCE[0]}")/../vmtest/results.py" tally \
		${CHECK_RESULT:+-o "$CHECK_RESULT"} "$pass" "$fail" "$skipped"
}
# reader_checks NAME ARGS...: scripts/check_formats.py ARGS (the outputs as
# CI readers read them), its counts added to the tally file $tally; the
# caller sets $kunit (scripts/kunit-tool.sh) and $tally. A check that dies
# before its count line counts one failure.
reader_checks() {
	local name=$1 rc
	shift
	echo "--- $name"
	# shellcheck disable=SC2154 # the caller's, as said above
	scripts/check_formats.py --kunit "$kunit" --tally "$tally" "$@" 2>&1 | grep -v '^ok ' | sed 's/^/  /'
	rc=${PIPESTATUS[0]}
	((rc <= 1)) || vmtest/results.py tally -o "$tally" --add 0 1
}
