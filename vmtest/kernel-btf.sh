#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-btf.sh [FLAVOUR:]VERSION: prints the path of the BTF of Debian's
# kernel VERSION (cloud-amd64 unless FLAVOUR says otherwise, see kernel.sh),
# fetching the kernel into the cache (as vmtest does) and extracting its
# .BTF once, beside it. The build takes its vmlinux.h from it, so the types
# the programs are compiled against do not depend on the kernel the build
# host runs.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$VMTEST_DIR/kernel.sh"

case ${1-} in
-h | --help | "")
	echo "Usage: vmtest/kernel-btf.sh [FLAVOUR:]VERSION   (a Debian kernel, e.g. 6.19.14 or cloud-arm64:6.19.14)"
	[[ -n ${1-} ]]
	exit $?
	;;
esac
[[ $1 == */* ]] && die -c "$VMT_EXIT_USAGE" "'$1' is not a Debian kernel [FLAVOUR:]VERSION such as 6.19.14"
kernel_parse "$1"
ver=$VMT_KVER
[[ -n $ver ]] || die -c "$VMT_EXIT_USAGE" "'$1' names no version"
dir=$(kernel_dir "$ver")
btf=$dir/vmlinux.btf
# The BTF is checked against the checksum recorded when it was extracted;
# a damaged one is extracted again from the (itself checked) kernel.
if ! (cd "$dir" 2>/dev/null && sha256sum --status -c vmlinux.btf.sha256 2>/dev/null); then
	image=$(kernel_fetch "$ver") || exit
	need_cmd python3 zstd
	"$VMTEST_DIR/extract_btf.py" --require bpf_dynptr_from_file "$image" "$btf" ||
		die "cannot take the types from Debian's $(kernel_label) kernel ($image)"
	(cd "$dir" && sha256sum vmlinux.btf >vmlinux.btf.sha256.part.$$ &&
		mv -f vmlinux.btf.sha256.part.$$ vmlinux.btf.sha256) ||
		cache_fail "$dir" "the kernel's BTF"
fi
echo "$btf"
