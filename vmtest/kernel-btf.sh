#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-btf.sh VERSION: prints the path of the BTF of Debian's cloud kernel
# VERSION, fetching the kernel into the cache (as vmtest does) and extracting
# its .BTF once, beside it. The build takes its vmlinux.h from it, so the
# types the programs are compiled against do not depend on the kernel the
# build host runs.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$VMTEST_DIR/kernel.sh"

case ${1-} in
-h | --help | "")
	echo "Usage: vmtest/kernel-btf.sh VERSION   (a Debian kernel version, e.g. 6.19.14)"
	[[ -n ${1-} ]]
	exit $?
	;;
esac
ver=$1
[[ $ver =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?(-rc[0-9]+)?$ ]] ||
	die -c "$VMT_EXIT_USAGE" "'$ver' is not a Debian kernel version such as 6.19.14"

dir=$VMTEST_CACHE/kernels/$ver
btf=$dir/vmlinux.btf
# The BTF is checked against the checksum recorded when it was extracted;
# a damaged one is extracted again from the (itself checked) kernel.
if ! (cd "$dir" 2>/dev/null && sha256sum --status -c vmlinux.btf.sha256 2>/dev/null); then
	image=$(kernel_fetch "$ver") || exit
	need_cmd python3 zstd
	"$VMTEST_DIR/extract_btf.py" --require bpf_dynptr_from_file "$image" "$btf" ||
		die "cannot take the types from Debian's $ver kernel ($image)"
	(cd "$dir" && sha256sum vmlinux.btf >vmlinux.btf.sha256.part.$$ &&
		mv -f vmlinux.btf.sha256.part.$$ vmlinux.btf.sha256) ||
		cache_fail "$dir" "the kernel's BTF"
fi
echo "$btf"
