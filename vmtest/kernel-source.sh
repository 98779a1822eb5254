#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-source.sh [--version]: prints the path of Debian's linux-source-7.3
# unpacked into vmtest's cache (fetched with the same private apt state as
# the kernels, once; about 170 MB to fetch, 1.6 GB unpacked). The tree is
# what vmtest/build-kernel.sh, vmtest/mutants.sh and
# vmtest/config-kernel.sh build from. With --version, prints the package's
# version instead (7.3.4-1, say), fetching nothing new but the lists.
#
# The unpacked tree is the cache's: it is recreated when its stamp is
# missing, so a half-unpacked tree from an interrupted run is not used.
# Plant bugs in a copy, or through mutants.sh, which reverts each one.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$VMTEST_DIR/kernel.sh"

SOURCE_PKG=linux-source-7.3

case ${1-} in
'' | --version) ;;
-h | --help)
	sed -n '4,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
	exit 0
	;;
*) die -c "$VMT_EXIT_USAGE" "unknown option '$1' (kernel-source.sh [--version])" ;;
esac

kernel_set_arch x86_64
kernel_lists_update
version=$(apt_cache_private show --no-all-versions "$SOURCE_PKG" 2>/dev/null |
	awk '$1 == "Version:" { print $2; exit }')
[[ -n $version ]] || die "Debian's archive has no $SOURCE_PKG (in $KERNEL_SUITES)"
if [[ ${1-} == --version ]]; then
	echo "$version"
	exit 0
fi

dir=$VMTEST_CACHE/src/$SOURCE_PKG-$version
stamp=$dir/.vmtest-unpacked
if [[ ! -f $stamp ]]; then
	need_cmd tar xz dpkg-deb
	cache_mkdir "$VMTEST_CACHE/src"
	cache_lock "$VMTEST_CACHE/src/.lock" "unpacking $SOURCE_PKG"
	if [[ ! -f $stamp ]]; then
		cache_room "$VMTEST_CACHE/src" 2000 "unpacking $SOURCE_PKG"
		work=$(mktemp -d "$VMTEST_CACHE/src/fetch.XXXXXX") ||
			cache_fail "$VMTEST_CACHE/src" "$SOURCE_PKG"
		trap 'rm -rf "$work"' EXIT
		info "fetching $SOURCE_PKG $version (about 170 MB, once)"
		(cd "$work" && apt_private download "$SOURCE_PKG=$version" >download.log 2>&1) ||
			die "cannot fetch $SOURCE_PKG: $(grep -m1 -E '^(E|Err):' "$work/download.log")"
		info "unpacking $SOURCE_PKG into $dir"
		mkdir "$work/tree" || cache_fail "$VMTEST_CACHE/src" "$SOURCE_PKG"
		dpkg-deb --fsys-tarfile "$work"/*.deb |
			tar -xOf - --wildcards '*/linux-source-*.tar.xz' |
			tar -C "$work/tree" --strip-components=1 -xJf - ||
			die "cannot unpack $SOURCE_PKG (disk full? see df $VMTEST_CACHE)"
		[[ -f $work/tree/Makefile && -f $work/tree/lib/buildid.c ]] ||
			die "$SOURCE_PKG unpacked into no kernel tree"
		if ! { rm -rf "$dir" && mv "$work/tree" "$dir" && touch "$stamp"; }; then
			cache_fail "$VMTEST_CACHE/src" "$SOURCE_PKG"
		fi
	fi
	cache_unlock
fi
echo "$dir"
