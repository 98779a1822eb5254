#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh SRC_DIR [OUT_DIR]: builds a bzImage the suite can test from
# a kernel source tree: x86_64 defconfig, plus the suite's ../config, plus
# fast.config (drops what only slows the build), then olddefconfig. OUT_DIR
# (default SRC_DIR/.vmtest-build) is reused: a rebuild after touching one
# file takes about a minute on 2 cores. Prints the bzImage path.
# With --config-only, stops once OUT_DIR/.config is made and checked, and
# prints its path (make check does this: seconds, not a build).
# With --gcov, the kernel also has GCOV (gcov.config) and profiles only the
# objects of the file-dynptr code, helpers.o, verifier.o and buildid.o
# (vmtest/coverage.sh); OUT_DIR defaults to SRC_DIR/.vmtest-gcov.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

config_only='' gcov=''
while [[ ${1-} == --* ]]; do
	case $1 in
	--config-only) config_only=1 ;;
	--gcov) gcov=1 ;;
	*) die -c "$VMT_EXIT_USAGE" "unknown option $1 (build-kernel.sh [--config-only] [--gcov] SRC_DIR [OUT_DIR])" ;;
	esac
	shift
done
src=${1:?usage: build-kernel.sh [--config-only] [--gcov] SRC_DIR [OUT_DIR]}
out=${2:-$src/.vmtest-$([[ -n $gcov ]] && echo gcov || echo build)}
# GCOV for these objects only, named on make's command line so that the
# tree's Makefiles stay untouched (scripts/Makefile.lib reads
# GCOV_PROFILE_<stem>.o; other objects of the same name, say
# drivers/regulator/helpers.o, are profiled too and reported apart).
gcov_vars=()
[[ -n $gcov ]] && gcov_vars=(GCOV_PROFILE_helpers.o=y GCOV_PROFILE_verifier.o=y GCOV_PROFILE_buildid.o=y)
fragments=("$REPO_DIR/config" "$VMTEST_DIR/fast.config" ${gcov:+"$VMTEST_DIR/gcov.config"})
[[ -f $src/Makefile && -f $src/scripts/kconfig/merge_config.sh ]] ||
	die -c "$VMT_EXIT_USAGE" "$src is not a kernel source tree"
# What a kernel build needs: installed as root, else named (and exit 1).
"$REPO_DIR/scripts/deps.sh" kbuild >&2 ||
	die "the kernel build's tools are missing (scripts/deps.sh kbuild names them)"
src=$(cd "$src" && pwd)
tree_lock "$src" || die "the kernel tree $src is in use"
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [[ ! -f $out/.config ]]; then
	make -s -C "$src" O="$out" defconfig >&2
fi
# merge_config.sh writes .config in the current directory (-O): run it there.
(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" \
	"$out/.config" "${fragments[@]}" >/dev/null)
make -s -C "$src" O="$out" olddefconfig >&2

# The suite's options must have survived olddefconfig (a dependency can
# silently drop one): check each.
missing=$(grep -hE '^CONFIG_' "$REPO_DIR/config" ${gcov:+"$VMTEST_DIR/gcov.config"} | while IFS= read -r line; do
	grep -qxF "$line" "$out/.config" || echo "$line"
done)
[[ -z $missing ]] || die "the kernel config lost options the suite needs: ${missing//$'\n'/ }"
if [[ -n $config_only ]]; then
	echo "$out/.config"
	exit 0
fi

make -s -C "$src" O="$out" -j"$(nproc)" "${gcov_vars[@]}" bzImage >&2
echo "$out/arch/x86/boot/bzImage"
