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
