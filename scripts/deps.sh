#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs what the suite needs from Debian's packages, if missing. As root it
# runs apt-get; otherwise it names the packages to install and fails.
set -euo pipefail

# command-or-file  package
needs=(
	clang:clang
	llvm-strip:llvm
	bpftool:bpftool
	cc:gcc
	make:make
	/usr/include/bpf/libbpf.h:libbpf-dev
	/usr/lib/x86_64-linux-gnu/libbpf.a:libbpf-dev
	/usr/lib/x86_64-linux-gnu/libelf.a:libelf-dev
	/usr/lib/x86_64-linux-gnu/libz.a:zlib1g-dev
	/usr/lib/x86_64-linux-gnu/libzstd.a:libzstd-dev
	qemu-system-x86_64:qemu-system-x86
	/bin/busybox:busybox-static
	cpio:cpio
	mkfs.ext4:e2fsprogs
	zstd:zstd
	apt-get:apt
	dpkg-deb:dpkg
	python3:python3
	setpriv:util-linux
)

missing=()
for entry in "${needs[@]}"; do
	what=${entry%%:*} pkg=${entry#*:}
	if [[ $what == /* ]]; then
		[[ -e $what ]] && continue
	else
		command -v "$what" >/dev/null 2>&1 && continue
	fi
	[[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
done
((${#missing[@]})) || exit 0

if ((EUID != 0)); then
	echo "error: missing packages: ${missing[*]}" >&2
	echo "       install them as root: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet: update once before installing.
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -q >/dev/null || { echo "error: apt-get update failed" >&2; exit 1; }
	apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		{ echo "error: could not install: ${missing[*]}" >&2; exit 1; }
fi
