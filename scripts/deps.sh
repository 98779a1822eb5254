#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh [--check] GROUP...: what the suite needs from Debian's packages,
# by group: build (compile and link the suite), run (boot it in qemu: make
# vmtest), check (make check's chroots, readers and linters; it runs arm64
# guests too), kbuild (build a kernel from a tree: vmtest/build-kernel.sh,
# mutants.sh, git bisect run), cross-arm64 (make ARCH=arm64 on another
# host; the target's libraries come from scripts/sysroot.sh, not from
# here), run-arm64 (boot arm64 guests: make ARCH=arm64 vmtest), plot (the
# benchmark's plots: make bench-kfunc), coverage (lcov and gcov for
# vmtest/coverage.sh), upstream (the kernel's own test_progs and the
# selftests/bpf series: vmtest/upstream.sh, make upstream).
#
# Without --check, missing packages are installed: as root with apt-get,
# otherwise they are named and the script fails. With --check nothing is
# installed: missing things are named, with the package and the command that
# installs them. Exit 0 when everything is there (or was installed).
set -euo pipefail

CLANG_MIN=14	# the oldest clang the suite is built and tested with

check_only=0
if [[ ${1-} == --check ]]; then
	check_only=1
	shift
fi
(($#)) || set -- build run check

# Each entry: WHAT:PACKAGE. WHAT is a command, an absolute path, lib:NAME
# (a library the C compiler must find: a static archive for the static
# runner) or py:MODULE (a module of Debian's /usr/bin/python3). A PACKAGE
# ending in '?' is wanted only where this system's archive has it
# (clang-format-14: Debian 12's; check-lint.sh skips the format check
# without it). The arrays are named by the groups asked for (declare -n).
# shellcheck disable=SC2034
build=(
	"${CLANG:-clang}:clang" "${LLVM_STRIP:-llvm-strip}:llvm" "${BPFTOOL:-bpftool}:bpftool"
	"${CC:-cc}:gcc" nm:binutils make:make
	/usr/include/bpf/libbpf.h:libbpf-dev lib:libbpf.a:libbpf-dev
	lib:libelf.a:libelf-dev lib:libz.a:zlib1g-dev lib:libzstd.a:libzstd-dev
	# the types come from a Debian kernel package (vmtest/kernel-btf.sh)
	apt-get:apt dpkg-deb:dpkg zstd:zstd python3:python3
)
# shellcheck disable=SC2034
run=(
	qemu-system-x86_64:qemu-system-x86 /bin/busybox:busybox-static
	cpio:cpio mkfs.ext4:e2fsprogs zstd:zstd
	apt-get:apt dpkg-deb:dpkg python3:python3 setpriv:util-linux
	timeout:coreutils flock:util-linux
	# make stress, vmtest.sh --stress (the host, and an x86_64 guest: the
	# host's stress-ng with the libraries its NEEDED entries name)
	stress-ng:stress-ng readelf:binutils
)
# shellcheck disable=SC2034
check=(
	debootstrap:debootstrap unshare:util-linux git:git
	# vmtest/selftest.sh looks for leftover qemu processes
	pgrep:procps
	py:yaml:python3-yaml py:junitparser:python3-junitparser
	tar:tar xz:xz-utils
	# the gates on the sources (scripts/check-lint.sh)
	clang-format-14:clang-format-14? shellcheck:shellcheck py:pyflakes:python3-pyflakes
)
# shellcheck disable=SC2034
cross_arm64=(
	aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu aarch64-linux-gnu-nm:binutils-aarch64-linux-gnu
	/usr/aarch64-linux-gnu/include/stdio.h:libc6-dev-arm64-cross
)
# shellcheck disable=SC2034
run_arm64=(
	qemu-system-aarch64:qemu-system-arm
	# the cross-built runner checks its arguments on the host (vmtest)
	qemu-aarch64:qemu-user
	# vmtest.sh --stress: Debian's arm64 stress-ng and the packages of the
	# libraries its NEEDED entries name, fetched and unpacked, never
	# installed (scripts/sysroot.sh --stress-ng)
	readelf:binutils dpkg-deb:dpkg sha256sum:coreutils
)
# shellcheck disable=SC2034
plot=(gnuplot:gnuplot-nox)
# shellcheck disable=SC2034
coverage=(lcov:lcov genhtml:lcov gcov:gcc)
# shellcheck disable=SC2034
upstream=(
	# clang 14's BTF leaves the kfunc calls of upstream's programs
	# unresolved (vmtest/upstream.sh ups_clang): bookworm's clang-19
	clang-19:clang-19 openssl:openssl od:coreutils ar:binutils make:make
	perl:perl git:git patch:patch
)
# shellcheck disable=SC2034
kbuild=(
	make:make gcc:gcc flex:flex bison:bison bc:bc pahole:dwarves
	/usr/include/libelf.h:libelf-dev /usr/include/openssl/ssl.h:libssl-dev
	perl:perl cpio:cpio patch:patch
)

present()
{
	local what=$1

	case $what in
	lib:*)
		local name=${what#lib:} path
		command -v "${CC:-cc}" >/dev/null 2>&1 || return 1
		path=$("${CC:-cc}" -print-file-name="$name" 2>/dev/null) || return 1
		[[ $path == /* && -e $path ]]
		;;
	py:*)
		# Debian's own interpreter: the one its python3-* packages serve
		# (a python3 earlier on PATH, pyenv's say, may not see them).
		/usr/bin/python3 -c "import ${what#py:}" >/dev/null 2>&1
		;;
	/*)
		[[ -e $what ]]
		;;
	*)
		command -v "$what" >/dev/null 2>&1
		;;
	esac
}

# in_archive PACKAGE: this system's package lists have it (after one
# apt-get update on a machine that has no lists yet, when we may).
in_archive()
{
	if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null && ((EUID == 0 && !check_only)); then
		apt-get update -q </dev/null >/dev/null 2>&1
	fi
	apt-cache show --no-all-versions "$1" >/dev/null 2>&1
}

missing=() missing_what=() absent=()
for group; do
	case $group in
	build | run | check | plot | kbuild | cross-arm64 | run-arm64 | coverage | upstream) ;;
	*) echo "deps.sh: unknown group '$group' (build, run, check, plot, kbuild, cross-arm64, run-arm64, coverage, upstream)" >&2; exit 2 ;;
	esac
	declare -n entries=${group//-/_}
	for entry in "${entries[@]}"; do
		pkg=${entry##*:} what=${entry%:*}
		present "$what" && continue
		if [[ $pkg == *\? ]]; then
			pkg=${pkg%\?}
			in_archive "$pkg" || { absent+=("$pkg"); continue; }
		fi
		[[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
		missing_what+=("${what#*:} ($pkg)")
	done
	unset -n entries
done

# clang must be new enough for the programs (BPF inline assembly with kfunc
# calls, the number iterator, -fms-extensions for 6.19's BTF).
check_clang()
{
	local clang=${CLANG:-clang} major

	command -v "$clang" >/dev/null 2>&1 ||
		{ echo "error: CLANG=$clang: no such command" >&2; return 1; }
	major=$("$clang" --version 2>/dev/null | sed -nE 's/.*clang version ([0-9]+).*/\1/p' | head -n 1)
	if [[ -z $major ]]; then
		echo "error: CLANG=$clang does not say it is clang ('$clang --version'): the BPF programs need clang $CLANG_MIN or newer" >&2
		return 1
	fi
	if ((major < CLANG_MIN)); then
		echo "error: $("$clang" --version | head -n 1) is too old: the BPF programs need clang $CLANG_MIN or newer (Debian 12 has clang 14; set CLANG= to another)" >&2
		return 1
	fi
}

((${#absent[@]})) &&
	echo "deps: not in this system's archive, done without: ${absent[*]}" >&2

if ((${#missing[@]} == 0)); then
	[[ " $* " == *" build "* ]] && { check_clang || exit 1; }
	exit 0
fi

if ((check_only)); then
	echo "error: missing for '$*': ${missing_what[*]}" >&2
	echo "       install them: scripts/deps.sh $* (as root), or apt-get install ${missing[*]}" >&2
	exit 1
fi
if ((EUID != 0)); then
	echo "error: missing packages: ${missing[*]}" >&2
	echo "       install them as root: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet: update once before installing.
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >/dev/null 2>&1; then
	apt-get update -q </dev/null >/dev/null || { echo "error: apt-get update failed" >&2; exit 1; }
	apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null ||
		{ echo "error: could not install: ${missing[*]}" >&2; exit 1; }
fi
