#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's build step: the build's answers to bad input, and where its
# types come from. Each check prints "ok" or "FAIL" and the run ends with
# "N passed, N failed". Needs root (a mount namespace hides /sys).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD

work=$(mktemp -d "${TMPDIR:-/tmp}/check-build.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
. scripts/checks.sh

# build NAME TARGET MAKEVARS...: runs make into a fresh OUTPUT, keeping
# its exit code in $rc and its output in $work/NAME.log.
build()
{
	name=$1 target=$2
	shift 2
	out=$work/$name
	make --no-print-directory OUTPUT="$out" "$@" "$out/$target" >"$work/$name.log" 2>&1
	rc=$?
}

says() { grep -qF -- "$1" "$work/$name.log"; }
# No half-written products: no vmlinux.h, no *.part, no object.
nothing_left() { [[ ! -e $out/vmlinux.h ]] && [[ -z $(find "$out" -name '*.part' -o -name '*.o' 2>/dev/null) ]]; }

# expect NAME MESSAGE: the last build failed, said MESSAGE, left nothing.
expect()
{
	if ((rc != 0)) && says "$2" && nothing_left; then
		ok "$1"
	else
		not_ok "$1 (exit $rc)"
		sed 's/^/    /' "$work/$name.log" | tail -n 8
	fi
}

build missing vmlinux.h VMLINUX_BTF=/nonexistent/vmlinux
expect "a missing VMLINUX_BTF is named" "VMLINUX_BTF=/nonexistent/vmlinux: no such readable file"

build directory vmlinux.h VMLINUX_BTF=/tmp
expect "a VMLINUX_BTF that is not a file is named" "VMLINUX_BTF=/tmp: no such readable file"

# A valid BTF with one type and no bpf_dynptr_from_file, as a kernel older
# than 6.19 has.
python3 - "$work/old.btf" <<'PY'
import struct, sys
strings = b"\0int\0"
types = struct.pack("<III", 1, 1 << 24, 4) + struct.pack("<I", 32)  # INT "int", 32 bits
hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strings))
open(sys.argv[1], "wb").write(hdr + types + strings)
PY
build old vmlinux.h VMLINUX_BTF="$work/old.btf"
expect "a BTF without the kfunc is refused" "the suite needs the types of a 6.19+ kernel"

build junk vmlinux.h VMLINUX_BTF=/bin/sh
expect "a file without BTF is refused" "no BTF in it"

printf '#!/bin/sh\necho "Debian clang version 12.0.1"\n' >"$work/clang-12"
chmod +x "$work/clang-12"
build oldclang vmlinux.h CLANG="$work/clang-12"
expect "a clang older than 14 is named, with the version needed" "the BPF programs need clang 14 or newer"

cc=$(command -v "${CC:-cc}")
printf '#!/bin/sh\ncase "$1" in -print-file-name=libzstd.a) echo libzstd.a; exit 0 ;; esac\nexec %s "$@"\n' "$cc" >"$work/cc-nozstd"
chmod +x "$work/cc-nozstd"
build nolib vmlinux.h CC="$work/cc-nozstd"
expect "a missing static library is named with its package" "libzstd.a (libzstd-dev)"

# make never installs: an apt-get that records its calls comes first on
# PATH; fetching the types' kernel may use it, installing may not.
mkdir -p "$work/bin"
printf '#!/bin/sh\necho "$*" >>%s/apt-calls\nexec /usr/bin/apt-get "$@"\n' "$work" >"$work/bin/apt-get"
printf '#!/bin/sh\necho "apt $*" >>%s/apt-calls\nexit 1\n' "$work" >"$work/bin/apt"
chmod +x "$work/bin/apt-get" "$work/bin/apt"
: >"$work/apt-calls"
# /sys hidden: the build must not need the build host's kernel types.
out=$work/nosys
unshare --mount --propagation private -- sh -c '
	mount -t tmpfs none /sys && PATH="$1:$PATH" exec make --no-print-directory -C "$2" OUTPUT="$3" all
' sh "$work/bin" "$top" "$out" >"$work/nosys.log" 2>&1
rc=$?
if ((rc == 0)) && [[ -x $out/test_progs ]] && ! grep -qw install "$work/apt-calls"; then
	ok "make builds with /sys hidden, without installing anything"
else
	not_ok "make builds with /sys hidden, without installing anything (exit $rc; apt: $(tr '\n' ';' <"$work/apt-calls"))"
	tail -n 8 "$work/nosys.log" | sed 's/^/    /'
fi
if grep -q "^types: from Debian's 6.19.14 kernel" "$work/nosys.log" &&
   cmp -s "$out/vmlinux.h" "$top/${OUTPUT:-build}/vmlinux.h"; then
	ok "the types are Debian 6.19.14's, the same as this build's"
else
	not_ok "the types are Debian 6.19.14's, the same as this build's"
fi

checks_done
