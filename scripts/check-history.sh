#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's history step: over the four consecutive Debian builds 7.1.8,
# 7.1.13, 7.2.6 and 7.2.9 (the whole suite on each), vmtest/history.sh must
# find the R-VERIFY-10 fix between 7.1.13 and 7.2.6 on its own, name the
# upstream range and the bisect command, and find the known-deviations
# file consistent with what it measured.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
out=${1:-build/history-check}

vmtest/history.sh -j 2 -o "$out" --from 7.1.8 --to 7.2.9 --for 7.1.13
rc=$?
scripts/check_runs.py history "$out/history.json" "$rc"
