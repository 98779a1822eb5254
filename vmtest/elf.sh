# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the vmtest scripts and scripts/sysroot.sh, not run on its own.
# What a dynamic ELF program needs to run in a guest that has no C library:
# its loader and the shared libraries its NEEDED entries name, found
# recursively in a root (the host's /, or an unpacked Debian sysroot of
# another architecture). readelf reads any architecture's ELF files; ldd
# runs the program's loader, which a foreign binary does not have.

# elf_machine FILE: the architecture an ELF file is built for.
elf_machine()
{
	case $(od -An -tu2 -j 18 -N 2 "$1" 2>/dev/null | tr -d ' ') in
	62) echo x86_64 ;;
	183) echo arm64 ;;
	*) echo unknown ;;
	esac
}

# elf_libdirs FILE: where a Debian loader looks, in order, for the
# libraries of FILE's architecture (no ld.so.cache in a guest).
elf_libdirs()
{
	local t

	case $(elf_machine "$1") in
	x86_64) t=x86_64-linux-gnu ;;
	arm64) t=aarch64-linux-gnu ;;
	*) return 1 ;;
	esac
	echo "/lib/$t /usr/lib/$t /lib /usr/lib"
}

# elf_needed FILE: the sonames FILE's NEEDED entries name, one a line.
elf_needed()
{
	LC_ALL=C readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

# elf_interp FILE: the loader FILE's PT_INTERP names (nothing when static).
elf_interp()
{
	LC_ALL=C readelf -l "$1" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p'
}

# root_file ROOT PATH: PATH as a regular file in ROOT, its symlinks followed
# inside ROOT (an absolute link in a sysroot points into the sysroot, not
# at the host's file); /lib... is also looked for as /usr/lib... (a
# merged-/usr release ships only the latter). Fails when there is none.
root_file()
{
	local root=$1 p=$2 t i

	for ((i = 0; i < 16; i++)); do
		if [[ -L $root$p ]]; then
			t=$(readlink "$root$p")
			[[ $t == /* ]] && p=$t || p=$(dirname "$p")/$t
		elif [[ -f $root$p ]]; then
			echo "$p"
			return 0
		elif [[ $p == /lib* && -e $root/usr$p ]]; then
			p=/usr$p
		else
			return 1
		fi
	done
	return 1
}

# elf_closure ROOT FILE: what FILE (a path in ROOT) needs to run, one a
# line: "WANT SRC" for its loader and each library, found recursively
# (WANT: where the loader looks for it, SRC: the file in ROOT), and
# "missing SONAME NEEDER" for a library no directory of ROOT holds.
elf_closure()
{
	local root=$1 dirs f so d src interp queue=("$2") seen=' '

	dirs=$(elf_libdirs "$root$2") || { echo "missing (not an x86_64 or arm64 ELF) $2"; return 0; }
	interp=$(elf_interp "$root$2")
	if [[ -n $interp ]]; then
		src=$(root_file "$root" "$interp") && echo "$interp $src" ||
			echo "missing $interp $2"
	fi
	while ((${#queue[@]})); do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		for so in $(elf_needed "$root$f"); do
			[[ $seen == *" $so "* ]] && continue
			seen+="$so "
			src=
			for d in $dirs; do
				src=$(root_file "$root" "$d/$so") && break
			done
			if [[ -z $src ]]; then
				echo "missing $so $f"
				continue
			fi
			echo "$d/$so $src"
			queue+=("$src")
		done
	done
}
