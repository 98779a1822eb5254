#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sysroot.sh ARCH DIR: what a cross build for ARCH (arm64) links against and
# what its guest runs, from Debian's archive for this machine's release:
# the static libraries and headers of libbpf, libelf, zlib and zstd, and
# busybox-static (DIR/bin/busybox). The packages are downloaded with a
# private apt state in vmtest's cache and unpacked with dpkg-deb -x: the
# system's apt and dpkg configuration are never touched (no
# dpkg --add-architecture). DIR is written whole or not at all.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../vmtest/lib.sh"
source "$VMTEST_DIR/kernel.sh"

PACKAGES="libbpf-dev libelf-dev zlib1g-dev libzstd-dev busybox-static"

case ${1-} in
-h | --help | "")
	echo "Usage: scripts/sysroot.sh ARCH DIR   (ARCH: arm64)"
	[[ -n ${1-} ]]
	exit $?
	;;
esac
(($# == 2)) || die -c "$VMT_EXIT_USAGE" "usage: scripts/sysroot.sh ARCH DIR"
kernel_set_arch "$1"
dir=$2
[[ -f $dir/.complete ]] && exit 0

need_cmd apt-get apt-cache dpkg-deb sha256sum
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
info "fetching the $VMT_DEBARCH build packages of Debian $release: $PACKAGES"
mkdir -p "$work/root"
for pkg in $PACKAGES; do
	# Downloaded, checked against the archive's SHA256 and unpacked, as
	# the kernels are (kernel.sh), then merged into one tree.
	mkdir -p "$work/$pkg" && kernel_fetch_deb "$pkg" "$work/$pkg" ||
		die "cannot fetch $pkg for $VMT_DEBARCH (above)"
	cp -a "$work/$pkg/root/." "$work/root/" || die "cannot unpack $pkg"
done
# bookworm ships /bin/busybox, trixie on /usr/bin/busybox.
if [[ ! -x $work/root/bin/busybox && -x $work/root/usr/bin/busybox ]]; then
	mkdir -p "$work/root/bin" && cp "$work/root/usr/bin/busybox" "$work/root/bin/busybox"
fi
[[ -x $work/root/bin/busybox ]] || die "busybox-static for $VMT_DEBARCH has no /bin/busybox"
touch "$work/root/.complete"
mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$work/root" "$dir" ||
	die "cannot write $dir"
echo "sysroot: $dir ($VMT_DEBARCH, Debian $release)"
