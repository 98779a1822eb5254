#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmlinux-h.sh VMLINUX_BTF TYPES_KERNEL BPFTOOL OUT: writes OUT, the C types
# of a 6.19+ kernel's BTF. The BTF is VMLINUX_BTF when given (a raw BTF, a
# vmlinux or a kernel image), else that of Debian's TYPES_KERNEL, fetched
# into vmtest's cache. Never the build host's kernel: the objects must not
# depend on where they are built. OUT is written whole or not at all, and
# two of these may run at once into one OUT (two make runs in one tree, as a
# CI starting one job per kernel does): each writes files of its own beside
# OUT and renames its whole result into place, so neither takes the other's.
set -uo pipefail

btf_arg=$1 types_kernel=$2 bpftool=$3 out=$4
top=$(cd "$(dirname "$0")/.." && pwd)

fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

part=$(mktemp "$out.part.XXXXXX") || fail "cannot write beside $out"
trap 'rm -f "$part" "$part.btf"' EXIT

if [[ -n $btf_arg ]]; then
	[[ -f $btf_arg && -r $btf_arg ]] ||
		fail "VMLINUX_BTF=$btf_arg: no such readable file (give a vmlinux, a raw BTF such as /sys/kernel/btf/vmlinux of a 6.19+ kernel, or a kernel image)"
	btf=$part.btf
	"$top/vmtest/extract_btf.py" --require bpf_dynptr_from_file "$btf_arg" "$btf" ||
		fail "VMLINUX_BTF=$btf_arg: not usable: the suite needs the types of a 6.19+ kernel (one with bpf_dynptr_from_file)"
	echo "types: from $btf_arg"
else
	btf=$("$top/vmtest/kernel-btf.sh" "$types_kernel") ||
		fail "cannot get the types of Debian's $types_kernel kernel (above); give VMLINUX_BTF= a 6.19+ vmlinux or BTF file instead"
	echo "types: from Debian's $types_kernel kernel ($btf)"
fi
"$bpftool" btf dump file "$btf" format c >"$part" ||
	fail "$bpftool cannot dump $btf"
chmod 644 "$part" && mv -f "$part" "$out" || fail "cannot write $out"
