#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sysroot.sh [--stress-ng] ARCH DIR: what a cross build for ARCH (arm64)
# links against and what its guest runs, from Debian's archive for this
# machine's release: the static libraries and headers of libbpf, libelf,
# zlib and zstd, and busybox-static (DIR/bin/busybox). With --stress-ng,
# instead: Debian's stress-ng for ARCH and the packages of every shared
# library it needs, found from its NEEDED entries recursively (a foreign
# binary cannot be asked with ldd), for vmtest --stress's guest
# (vmtest/guest.sh). The packages are downloaded with a private apt state
# in vmtest's cache and unpacked with dpkg-deb -x: the system's apt and
# dpkg configuration are never touched (no dpkg --add-architecture). DIR
# is written whole or not at all, under a lock (DIR.lock): runs sharing
# vmtest's cache wait for each other.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../vmtest/lib.sh"
source "$VMTEST_DIR/kernel.sh"
source "$VMTEST_DIR/elf.sh"

PACKAGES="libbpf-dev libelf-dev zlib1g-dev libzstd-dev busybox-static"

case ${1-} in
-h | --help | "")
	echo "Usage: scripts/sysroot.sh [--stress-ng] ARCH DIR   (ARCH: arm64)"
	[[ -n ${1-} ]]
	exit $?
	;;
esac
stress=0
[[ $1 == --stress-ng ]] && { stress=1; shift; }
(($# == 2)) || die -c "$VMT_EXIT_USAGE" "usage: scripts/sysroot.sh [--stress-ng] ARCH DIR"
kernel_set_arch "$1"
dir=$2
[[ -f $dir/.complete ]] && exit 0
cache_mkdir "$(dirname "$dir")"
cache_lock "$dir.lock" "writing $dir"
[[ -f $dir/.complete ]] && exit 0

need_cmd apt-get apt-cache dpkg-deb sha256sum readelf
release=$(apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE)' |
	awk '$2 !~ /-(security|updates|backports)$/ { print $2; exit }')
[[ -n $release ]] || die "no Debian release in this machine's apt configuration"
# The release's own lists, for this architecture, beside the kernels' ones
# (kernel.sh's functions read both variables).
# shellcheck disable=SC2034
KERNEL_SUITES=$release
# shellcheck disable=SC2034
APT_DIR=$VMTEST_CACHE/apt-$VMT_DEBARCH-$release
kernel_lists_update

work=$(mktemp -d "${TMPDIR:-/tmp}/sysroot.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root" "$work/pkg" || die "cannot write $work"

# fetch PKG: downloaded, checked against the archive's SHA256 and unpacked
# as the kernels are (kernel.sh), into a tree of its own (which package a
# file came from is asked below), then merged into one tree.
fetch()
{
	mkdir -p "$work/pkg/$1" && kernel_fetch_deb "$1" "$work/pkg/$1" ||
		die "cannot fetch $1 for $VMT_DEBARCH (above)"
	cp -a "$work/pkg/$1/root/." "$work/root/" || die "cannot unpack $1"
}

# owner PATH: the package whose tree holds PATH.
owner()
{
	local p

	for p in "$work"/pkg/*; do
		[[ -e $p/root$1 || -L $p/root$1 ]] && { basename "$p"; return 0; }
	done
}

# depends PKG: the packages PKG depends on (every alternative).
depends()
{
	apt_cache_private depends "$1" 2>/dev/null |
		sed -nE 's/^ *\|?(Pre)?Depends: ([^<][^ :]*)(:[a-z0-9]+)?$/\2/p' | sort -u
}

# stress_ng_tree: stress-ng, then, while a library it needs (recursively)
# is missing, the dependencies of the package whose file needs it: Debian
# makes a package depend on the packages of its NEEDED libraries.
stress_ng_tree()
{
	local fetched=' stress-ng ' missing so needer pkg dep new

	fetch stress-ng
	while :; do
		missing=$(elf_closure "$work/root" /usr/bin/stress-ng | awk '$1 == "missing" { print $2, $3 }')
		[[ -z $missing ]] && return 0
		new=0
		while read -r so needer; do
			pkg=$(owner "$needer")
			for dep in $(depends "$pkg"); do
				[[ $fetched == *" $dep "* ]] && continue
				fetched+="$dep "
				fetch "$dep"
				new=1
			done
		done <<<"$missing"
		((new)) || die "stress-ng for $VMT_DEBARCH: no package ${pkg:+that $pkg depends on }has $so (which $needer needs)"
	done
}

if ((stress)); then
	info "fetching the $VMT_DEBARCH stress-ng of Debian $release and the libraries it needs"
	stress_ng_tree
else
	info "fetching the $VMT_DEBARCH build packages of Debian $release: $PACKAGES"
	for pkg in $PACKAGES; do
		fetch "$pkg"
	done
	# bookworm ships /bin/busybox, trixie on /usr/bin/busybox.
	if [[ ! -x $work/root/bin/busybox && -x $work/root/usr/bin/busybox ]]; then
		mkdir -p "$work/root/bin" && cp "$work/root/usr/bin/busybox" "$work/root/bin/busybox"
	fi
	[[ -x $work/root/bin/busybox ]] || die "busybox-static for $VMT_DEBARCH has no /bin/busybox"
fi
touch "$work/root/.complete"
rm -rf "$dir" && mv "$work/root" "$dir" || die "cannot write $dir"
((stress)) && what=", stress-ng" || what=
echo "sysroot: $dir ($VMT_DEBARCH, Debian $release$what)"
