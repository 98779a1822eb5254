#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-tool.sh: prints the path of the kernel's KTAP parser, kunit.py
# (tools/testing/kunit of Debian's linux-source-7.3), fetched once into
# vmtest's cache with the same private apt state as the kernels. make check
# reads the suite's KTAP with it: a parser nobody here wrote.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../vmtest/lib.sh"
source "$VMTEST_DIR/kernel.sh"

SOURCE_PKG=linux-source-7.3
dir=$VMTEST_CACHE/kunit-tool
# kunit.py finds the kernel tree from its own path: keep tools/testing/kunit.
kunit=$dir/tools/testing/kunit/kunit.py
if [[ ! -x $kunit ]]; then
	need_cmd tar xz dpkg-deb
	kernel_lists_update
	cache_mkdir "$VMTEST_CACHE"
	cache_room "$VMTEST_CACHE" 400 "fetching $SOURCE_PKG for kunit.py"
	cache_lock "$VMTEST_CACHE/.kunit-tool.lock" "fetching kunit.py"
	# kunit.py finds the kernel tree from its own path: keep tools/testing/kunit.
kunit=$dir/tools/testing/kunit/kunit.py
if [[ ! -x $kunit ]]; then
		work=$(mktemp -d "$VMTEST_CACHE/kunit.XXXXXX") || cache_fail "$VMTEST_CACHE" "kunit.py"
		trap 'rm -rf "$work"' EXIT
		info "fetching $SOURCE_PKG for the kernel's KTAP parser (about 170 MB, once)"
		(cd "$work" && apt_private download "$SOURCE_PKG" >download.log 2>&1) ||
			die "cannot fetch $SOURCE_PKG: $(grep -m1 -E '^(E|Err):' "$work/download.log")"
		dpkg-deb --fsys-tarfile "$work"/*.deb |
			tar -xOf - --wildcards '*/linux-source-*.tar.xz' |
			tar -C "$work" -xJf - --wildcards '*/tools/testing/kunit/*' ||
			die "cannot unpack tools/testing/kunit from $SOURCE_PKG"
		rm -rf "$dir" && mkdir -p "$dir/tools/testing" &&
			mv "$work"/*/tools/testing/kunit "$dir/tools/testing/kunit" ||
			cache_fail "$dir" "kunit.py"
	fi
	cache_unlock
fi
echo "$kunit"
