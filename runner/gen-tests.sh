#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gen-tests.sh FILE...: print "DEFINE_TEST(name)" for every test function
# "void test_<name>(void)" that starts a line of the given files, sorted by
# name.  runner/tests.c includes the output as tests.h.
set -eu

if [ $# -eq 0 ]; then
	echo "usage: $0 FILE..." >&2
	exit 2
fi
for f in "$@"; do
	if [ ! -r "$f" ]; then
		echo "$0: cannot read $f" >&2
		exit 1
	fi
done

# A definition, not a prototype: the line must not end in ';'.  Names
# starting with '_' are runner helpers (test__skip() and friends).
sed -n 's/^void[[:space:]]\{1,\}test_\([A-Za-z0-9][A-Za-z0-9_]*\)[[:space:]]*([[:space:]]*void[[:space:]]*)[[:space:]]*\({.*\)\{0,1\}$/DEFINE_TEST(\1)/p' "$@" |
	LC_ALL=C sort -u
