#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's bisect step: across the five Debian builds from 7.1.13 to
# 7.2.12, vmtest/bisect.sh must find the known fix of R-VERIFY-10 (the
# verifier rejects bpf_put_file() behind a live file dynptr) in 7.2.6, as
# measured once by booting every build (docs/findings.md).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

out=$(vmtest/bisect.sh --find-fix --bad 7.1.13 --good 7.2.12 \
	-t verifier_file_dynptr/put_file 2>&1)
rc=$?
echo "$out"
if ((rc == 0)) && grep -qx 'bisect: first good version: 7.2.6 (last bad: 7.1.13)' <<<"$out"; then
	vmtest/results.py tally ${CHECK_RESULT:+-o "$CHECK_RESULT"} 1 0
else
	echo "bisect did not find 7.2.6 (exit $rc)"
	vmtest/results.py tally ${CHECK_RESULT:+-o "$CHECK_RESULT"} 0 1
fi
