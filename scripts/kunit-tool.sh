#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-tool.sh: prints the path of the kernel's KTAP parser, kunit.py
# (tools/testing/kunit of Debian's linux-source-7.3, as
# vmtest/kernel-source.sh unpacks it into vmtest's cache). make check reads
# the suite's KTAP with it: a parser nobody here wrote.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../vmtest/lib.sh"

src=$("$VMTEST_DIR/kernel-source.sh") || exit
kunit=$src/tools/testing/kunit/kunit.py
[[ -x $kunit ]] || die "$src has no executable tools/testing/kunit/kunit.py"
echo "$kunit"
