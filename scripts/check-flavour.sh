#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-flavour.sh RT_DIR CLOUD_DIR: make check's flavour step. The
# PREEMPT_RT kernel, booted with Debian's nvme and ext4 modules loaded from
# the initramfs, must give every subtest the result the cloud kernel of the
# same version gives, but for file_kinds/tmpfs_huge_*, which skip there
# because PREEMPT_RT kernels have no transparent huge pages. Prints "N
# passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
scripts/check_runs.py flavour "$1" "$2"
