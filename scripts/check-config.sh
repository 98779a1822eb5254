#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-config.sh: make check's config step, without building a kernel.
# - config is well formed: every option line CONFIG_X=VALUE, under a comment
#   that says why;
# - config survives olddefconfig on x86_64's defconfig of Debian's
#   linux-source-7.3 (vmtest/build-kernel.sh --config-only: a dependency
#   that drops an option fails here, not 30 minutes into a build);
# - every planted bug (vmtest/mutants/*.patch) still applies to that tree;
# - vmtest/config-kernel.sh refuses bad input with exit 2.
# The comparison itself (a kernel built from config against Debian's)
# takes a kernel build: vmtest/config-kernel.sh, run by hand (docs/vmtest.md).
# scripts/check-rules.py checks that config holds every option the code
# names, and each option a test needs with the test named in its reason.
# Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

. scripts/checks.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/check-config.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# An option line follows a comment or another option line of its block.
malformed=$(awk '
	/^#/ { commented = 1; next }
	/^$/ { commented = 0; next }
	!/^CONFIG_[A-Z0-9_]+=(y|"[^"]*"|[0-9]+)$/ { print NR ": " $0; next }
	!commented { print NR ": no comment says why: " $0 }
' config)
check "config: every line an option or a comment, every option under its reason${malformed:+ ($malformed)}" \
	test -z "$malformed"

if src=$(vmtest/kernel-source.sh 2>"$work/src.log"); then
	if vmtest/build-kernel.sh --config-only "$src" "$work/build" >"$work/config.log" 2>&1; then
		ok "config survives olddefconfig on $(basename "$src")'s x86_64 defconfig ($(grep -cE '^CONFIG_' config) options)"
	else
		not_ok "config on $(basename "$src")'s defconfig: $(grep -m1 error "$work/config.log")"
	fi
	bad=$(for p in vmtest/mutants/*.patch; do
		(cd "$src" && patch -p1 --dry-run -s -f -F0 <"$OLDPWD/$p" >/dev/null 2>&1) ||
			basename "$p"
	done | paste -sd' ' -)
	check "every planted bug applies to $(basename "$src") ($(ls vmtest/mutants/*.patch | wc -l) patches)${bad:+; not: $bad}" \
		test -z "$bad"
else
	not_ok "Debian's kernel source: $(tail -n 1 "$work/src.log")"
fi

# expect_usage WHAT PATTERN ARGS...: config-kernel.sh exits 2 saying PATTERN.
expect_usage()
{
	local what=$1 pattern=$2 rc
	shift 2
	vmtest/config-kernel.sh "$@" >"$work/out" 2>&1 </dev/null
	rc=$?
	if ((rc == 2)) && grep -qE -- "$pattern" "$work/out"; then
		ok "config-kernel.sh: $what: exit 2, says so"
	else
		not_ok "config-kernel.sh: $what: exit $rc: $(head -c 200 "$work/out")"
	fi
}
expect_usage "unknown option" "unknown option -x" -x
expect_usage "-s without -k" "-s needs -k" -s "$work"
expect_usage "a timeout that is no number" "-T takes a number" -T soon
expect_usage "-C of a missing file" "no such file" -C "$work/none.json"
expect_usage "an argument" "unexpected argument" 7.3.4

checks_done
