#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# upstream.sh: the kernel's own test_progs, built reduced from Debian's
# linux-source-7.3 with its file-dynptr tests (or a patch series' tests),
# and run in the vmtest guest next to the suite.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

UPS_TOP=${UPSTREAM_BUILD:-$REPO_DIR/build/upstream-runner}
# The kernel whose BTF gives vmlinux.h: the tree's own (linux-source-7.3 is
# 7.3.4), so the types are those the sources were written against.
UPS_TYPES=7.3.4
# The tree's tests that make a file dynptr (grep bpf_dynptr_from_file over
# selftests/bpf: progs/file_reader.c and progs/file_reader_fail.c, both run
# by prog_tests/file_reader.c; verifier_vfs_{accept,reject}.c get a task's
# exe file but make no dynptr of it).
UPS_BASE_TESTS=(file_reader)
# test_progs' helpers (its Makefile's TRUNNER_EXTRA_SOURCES and
# TRUNNER_LIB_SOURCES), linked from an archive: only those the linked
# tests and the runner reference come in. Left out: xsk.c and usdt_[12].c
# (for their own tests), the generated libarena skeletons.
UPS_HELPERS=(cgroup_helpers trace_helpers network_helpers testing_helpers
	btf_helpers cap_helpers unpriv_helpers sysctl_helpers netlink_helpers
	jit_disasm_helpers io_helpers disasm disasm_helpers json_writer
	bpftool_helpers)

# ups_clang: the clang for the BPF objects: $CLANG, else the newest
# clang-NN of 21..16 installed. clang 14 (bookworm's default) emits only a
# forward declaration of struct file in the objects' BTF: libbpf then finds
# the kfunc prototypes (weak, from vmlinux.h) incompatible and leaves
# them unresolved ("kfunc 'bpf_get_task_exe_file' is referenced but
# wasn't resolved" at load), so upstream's tests cannot load.
ups_clang()
{
	local v

	if [[ -n ${CLANG-} ]]; then
		echo "$CLANG"
		return
	fi
	for v in 21 20 19 18 17 16; do
		command -v "clang-$v" >/dev/null && echo "clang-$v" && return
	done
	die "no clang 16 or later (clang-19 is in Debian bookworm: apt-get install clang-19; or give CLANG=): clang 14's BTF leaves upstream's kfunc calls unresolved"
}

usage()
{
	cat <<USAGE
Usage: vmtest/upstream.sh build [--series DIR] [-q]
       vmtest/upstream.sh run [--series DIR] [-k KERNEL] [vmtest options]
                              [-- test_progs options]
       vmtest/upstream.sh flake [-k KERNEL] [-n RUNS] [--sync] [-J FILE] [-o DIR]
       vmtest/upstream.sh compare --kernel KERNEL --upstream FILE
                              --suite FILE [--md FILE] [--json FILE]

The kernel's own test_progs (tools/testing/selftests/bpf of Debian's
linux-source-7.3, from vmtest/kernel-source.sh), built REDUCED: its
unmodified test_progs.c, test_loader.c and helpers, libbpf and bpftool of
the same tree, vmlinux.h from Debian's $UPS_TYPES kernel BTF (the tree's own
kernel), and only the file-dynptr tests: prog_tests/file_reader.c, which
runs progs/file_reader.c and RUN_TESTS(file_reader_fail). Objects are
compiled with the selftests Makefile's own flags (BPF_CFLAGS, CLANG_CFLAGS,
-mcpu=v3, CFLAGS; clang: \$CLANG or the newest clang-21..16, not clang 14,
whose BTF leaves upstream's kfunc calls unresolved) and linked as its
Makefile links (libbpf.a static, libc, libelf, zlib shared: file_reader's
dladdr() fails in a static binary); vmtest puts the loader and those
libraries in the busybox guest. docs/upstream.md says more.

build   Builds the runner and prints its path (the last line on stdout).
        Cached: rebuilt only when an input changes (the tree, the patches,
        the BTF, this script, the compilers).
        --series DIR  apply DIR/*.patch (sorted by name; a cover letter,
                      without a diff, is left out; git format-patch
                      output against linux-source-7.3, applied with
                      'patch -p1' to a private copy of the tree's tools/)
                      and link, besides file_reader, every prog_tests/*.c
                      the patches add or change; the BPF objects built are
                      those whose skeletons (X.skel.h, X.lskel.h) the linked
                      tests include. Patches may touch only
                      tools/testing/selftests/bpf (libbpf and bpftool are
                      the tree's, shared with the plain build).
                      A patch that does not apply is an error (exit 1).
        Output: build/upstream-runner/base/test_progs, or
        build/upstream-runner/series-HASH/test_progs (HASH: of the patches'
        contents); \$UPSTREAM_BUILD moves build/upstream-runner.
        -q            quiet: only errors and the path
run     Builds (as above) and runs it in the vmtest guest: vmtest/vmtest.sh
        --upstream-runner (no -j, no known-deviations file; the runner runs
        from the guest's ext4 scratch disk, as from a developer's build
        tree). Every vmtest option is taken (-k, -J, --ktap, --junit, -o,
        -T, ...); the JSON, KTAP and JUnit files have the suite's shape.
        Upstream's -J names failures only: failed subtests are named with
        their logs; passing ones are named (with their rules) when every
        selected test is in vmtest/upstream-rules.ini and the counts prove
        them, else counted (a series' own tests: counted).
        Exit codes: vmtest's (0 all passed, 1 a failure, 2 nothing selected
        or usage, 3 runner setup error, 4 no verdict).
flake   Runs upstream's fault subtest (file_reader/on_open_expect_fault)
        RUNS times (default 100) in one guest on KERNEL (default $UPS_TYPES),
        with a kretprobe on bpf_dynptr_read, whose return is the read's
        result (the test binary's [256000, 512000), after the test's own
        MADV_PAGEOUT): 0 means the whole range was resident, -14
        (-EFAULT) that a page of it was not. The runner runs from a fresh
        copy on the guest's ext4 disk, dirty page cache until writeback
        (MADV_PAGEOUT does not drop dirty file pages); --sync writes it
        back first. Prints the counts; -J FILE writes them (JSON); -o DIR
        keeps the guest's record and logs.
compare Side by side, for one kernel: upstream's subtests and the suite's,
        mapped to the SEMANTICS.md rules each checks (upstream's mapping:
        vmtest/upstream-rules.ini; the suite's: the "rule"/"rules" fields
        of its JSON). --upstream: a 'run -J' file; --suite: a vmtest.sh -J
        file of the same kernel. Markdown on stdout or --md, JSON with
        --json (vmtest/upstream_report.py compare).

Exit codes: 0 success, 1 build failure or test failure, 2 usage, 3 runner
setup error, 4 infrastructure (no verdict, no source tree, no kernel).
USAGE
}

ups_msg() { [[ -n ${UPS_QUIET-} ]] || printf 'upstream: %s\n' "$*" >&2; }

# ups_patches DIR: the patches of DIR that hold a diff, by name: a cover
# letter (git format-patch --cover-letter's 0000-*.patch) has none.
ups_patches()
{
	local p

	for p in "$1"/*.patch; do
		grep -q '^+++ ' "$p" 2>/dev/null && echo "$p"
	done
}

# ups_series_tests DIR: the prog_tests/*.c names the patches of DIR add or
# change, one a line.
ups_series_tests()
{
	local patches

	mapfile -t patches < <(ups_patches "$1")
	sed -n 's|^+++ b/tools/testing/selftests/bpf/prog_tests/\([A-Za-z0-9_]*\)\.c\([[:space:]].*\)\{0,1\}$|\1|p' \
		"${patches[@]}" | sort -u
}

# ups_series_check DIR: every file the patches touch is under
# tools/testing/selftests/bpf.
ups_series_check()
{
	local bad patches

	mapfile -t patches < <(ups_patches "$1")
	((${#patches[@]})) || die -c "$VMT_EXIT_USAGE" "--series $1: no *.patch with a diff there"
	bad=$(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p; s|^--- a/\([^[:space:]]*\).*|\1|p' "${patches[@]}" |
		grep -v '^tools/testing/selftests/bpf/' | sort -u | head -n 3)
	[[ -z $bad ]] ||
		die -c 1 "--series $1: the patches touch files outside tools/testing/selftests/bpf (${bad//$'\n'/, }): only selftests may change"
}

# ups_key SERIES: the cache key of a build: everything its output depends on.
ups_key()
{
	{
		echo "$UPS_SRC"
		cat "${BASH_SOURCE[0]}"
		cat "$UPS_BTF.sha256" 2>/dev/null || sha256sum "$UPS_BTF"
		cc --version | head -n 1
		"$UPS_CLANG_BIN" --version | head -n 1
		[[ -n $1 ]] && ups_patches "$1" | while IFS= read -r p; do cat "$p"; done
	} | sha256sum | cut -c1-16
}

# ups_tools DIR: DIR/src, a private copy of what the build reads from the
# tree: tools/ (libbpf, bpftool, selftests), the two kernel files the
# selftests link to (disasm.[ch]) and the script libbpf makes its helper
# definitions with.
ups_tools()
{
	local d=$1/src

	rm -rf "$d" && mkdir -p "$d/scripts" "$d/kernel/bpf" &&
		cp -a "$UPS_SRC/tools" "$d/" &&
		cp -a "$UPS_SRC/scripts/bpf_doc.py" "$d/scripts/" &&
		cp -a "$UPS_SRC"/kernel/bpf/disasm.[ch] "$d/kernel/bpf/" ||
		die "cannot copy the tree's tools/ into $d"
}

# ups_libs DIR: libbpf (static, with its headers in DIR/scratch) and
# bpftool of the tree, as the selftests Makefile makes them.
ups_libs()
{
	local d=$1 q=-s

	[[ -x $d/scratch/sbin/bpftool && -f $d/libbpf/libbpf.a ]] && return 0
	ups_msg "building libbpf and bpftool of the tree"
	mkdir -p "$d/libbpf" "$d/bpftool" "$d/scratch"
	make $q -j"$(nproc)" -C "$d/src/tools/lib/bpf" OUTPUT="$d/libbpf/" \
		EXTRA_CFLAGS='-g -O0' DESTDIR="$d/scratch" prefix= all install_headers >&2 ||
		die -c 1 "libbpf of the tree does not build (above)"
	make $q -j"$(nproc)" -C "$d/src/tools/bpf/bpftool" ARCH= CROSS_COMPILE= \
		EXTRA_CFLAGS='-g -O0' OUTPUT="$d/bpftool/" LIBBPF_OUTPUT="$d/libbpf/" \
		LIBBPF_DESTDIR="$d/scratch/" SKIP_LLVM=1 SKIP_LIBBFD=1 SKIP_CRYPTO=1 \
		prefix= DESTDIR="$d/scratch/" install-bin >&2 ||
		die -c 1 "bpftool of the tree does not build (above)"
}

# ups_flags DIR: sets BPF_FLAGS and C_FLAGS, the selftests Makefile's
# TRUNNER_BPF_CFLAGS (BPF_CFLAGS, CLANG_CFLAGS, -DENABLE_ATOMICS_TESTS) and
# CFLAGS (COMMON_CFLAGS with OPT_FLAGS -O0, and lib.mk's -D_GNU_SOURCE= and
# selftests include path), for x86_64 little-endian.
ups_flags()
{
	local d=$1 tools=$1/src/tools sel=$1/src/tools/testing/selftests/bpf
	local inc=$1/scratch/include sys elf

	# get_sys_includes: clang's own search path, after the kernel's headers.
	mapfile -t sys < <("$UPS_CLANG_BIN" -v -E - </dev/null 2>&1 |
		sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter\n\1|p }')
	read -r -a elf < <(pkg-config libelf --cflags 2>/dev/null)
	BPF_FLAGS=(-g -Wall -Werror -D__TARGET_ARCH_x86 -mlittle-endian
		-I"$inc" -I"$sel" -I"$tools/include/uapi" -I"$tools/include"
		-I"$sel/libarena/include" -I"$d/usr/include" -std=gnu11
		-fno-strict-aliasing -Wno-microsoft-anon-tag -fms-extensions
		-Wno-compare-distinct-pointer-types -Wno-initializer-overrides
		"${sys[@]}" -DENABLE_ATOMICS_TESTS)
	C_FLAGS=(-g -O0 -rdynamic -std=gnu11 -Wall -Werror -fno-omit-frame-pointer
		-Wno-unused-but-set-variable "${elf[@]}"
		-I"$sel" -I"$inc" -I"$d/src/include/generated" -I"$tools/lib"
		-I"$tools/include" -I"$tools/arch/x86/include" -I"$tools/include/uapi"
		-I"$d/out" -I"$sel/libarena/include"
		-D_GNU_SOURCE= -I"$tools/testing/selftests")
}

# ups_bpf_obj DIR NAME: progs/NAME.c to NAME.bpf.o and its skeletons, as the
# Makefile's CLANG_BPF_BUILD_RULE and skeleton rules do (linked three times
# by bpftool, the last two compared).
ups_bpf_obj()
{
	local d=$1 n=$2 o=$1/out/$2 bpftool=$1/scratch/sbin/bpftool

	[[ -f $d/src/tools/testing/selftests/bpf/progs/$n.c ]] ||
		die -c 1 "progs/$n.c: not in the tree (a test includes $n.skel.h)"
	"$UPS_CLANG_BIN" "${BPF_FLAGS[@]}" -O2 --target=bpfel -c \
		"$d/src/tools/testing/selftests/bpf/progs/$n.c" -mcpu=v3 -o "$o.bpf.o" ||
		die -c 1 "progs/$n.c does not compile (above)"
	"$bpftool" gen object "$o.linked1.o" "$o.bpf.o" &&
		"$bpftool" gen object "$o.linked2.o" "$o.linked1.o" &&
		"$bpftool" gen object "$o.linked3.o" "$o.linked2.o" &&
		cmp -s "$o.linked2.o" "$o.linked3.o" &&
		"$bpftool" gen skeleton "$o.linked3.o" name "$n" >"$o.skel.h" &&
		"$bpftool" gen subskeleton "$o.linked3.o" name "$n" >"$o.subskel.h" &&
		"$bpftool" gen skeleton -L "$o.linked3.o" name "${n}_lskel" >"$o.lskel.h" ||
		die -c 1 "bpftool cannot make the skeletons of progs/$n.c (above)"
	rm -f "$o".linked[123].o
}

# ups_skels DIR TEST...: the progs/ names whose skeletons the tests include.
ups_skels()
{
	local d=$1
	shift
	printf "$d/src/tools/testing/selftests/bpf/prog_tests/%s.c\n" "$@" |
		xargs sed -n 's/^#include "\([A-Za-z0-9_]*\)\.l\{0,1\}skel\.h".*/\1/p' | sort -u
}

# ups_link DIR TEST...: tests.h listing only TEST..., the test objects, the
# runner's own objects and the helpers' archive, linked.
ups_link()
{
	local d=$1 sel=$1/src/tools/testing/selftests/bpf out=$1/out t h objs=() helpers
	local libs=(-lelf -lz -lrt -lpthread)
	shift

	# The Makefile's TEST-HDR rule, over the selected tests only.
	{
		echo '/* Generated header, do not edit */'
		printf "$sel/prog_tests/%s.c\n" "$@" | xargs sed -n -E \
			's/^void (serial_)?test_([a-zA-Z0-9_]+)\((void)?\).*/DEFINE_TEST(\2)/p' | sort
	} >"$sel/prog_tests/tests.h"
	# The signing certificate test_progs.c embeds (VERIFY_SIG_HDR).
	if [[ ! -s $sel/verification_cert.h ]]; then
		mkdir -p "$out/keys" &&
			(cd "$sel" && ./verify_sig_setup.sh genkey "$out/keys" >/dev/null 2>&1) ||
			die -c 1 "verify_sig_setup.sh genkey failed (needs openssl)"
		{
			echo "unsigned char test_progs_verification_cert[] = {"
			od -v -t 'xC' -w12 "$out/keys/signing_key.der" |
				sed 's/ \(\S\+\)/ 0x\1,/g;s/^\S\+/ /;$d'
			echo "};"
			echo "unsigned int test_progs_verification_cert_len = $(wc -c <"$out/keys/signing_key.der");"
		} >"$sel/verification_cert.h"
	fi
	for t; do
		(cd "$out" && cc -I. "${C_FLAGS[@]}" -c "$sel/prog_tests/$t.c" -o "$t.test.o") ||
			die -c 1 "prog_tests/$t.c does not compile (above)"
		objs+=("$out/$t.test.o")
	done
	for t in test_progs test_loader; do
		cc "${C_FLAGS[@]}" -c "$sel/$t.c" -o "$out/$t.o" ||
			die -c 1 "$t.c does not compile (above)"
		objs+=("$out/$t.o")
	done
	rm -f "$out/helpers.a"
	helpers=()
	for h in "${UPS_HELPERS[@]}"; do
		cc "${C_FLAGS[@]}" -c "$sel/$h.c" -o "$out/$h.o" ||
			die -c 1 "$h.c does not compile (above)"
		helpers+=("$out/$h.o")
	done
	cc "${C_FLAGS[@]}" -c "$d/src/tools/lib/find_bit.c" -o "$out/find_bit.o" ||
		die -c 1 "find_bit.c does not compile (above)"
	ar rcs "$out/helpers.a" "${helpers[@]}" "$out/find_bit.o" ||
		die -c 1 "cannot make the helpers' archive"
	# Linked as the Makefile links it: libbpf.a static, the C library,
	# libelf and zlib shared. Not -static: file_reader finds the test
	# binary's mapping with dladdr(), which a static glibc binary cannot
	# answer (it returns 0: "get executable address" fails). vmtest puts
	# the loader and the libraries in the guest (--upstream-runner).
	cc "${C_FLAGS[@]}" "${objs[@]}" "$out/helpers.a" "$d/libbpf/libbpf.a" \
		"${libs[@]}" -o "$out/test_progs.part" ||
		die -c 1 "test_progs does not link (above)"
	mv -f "$out/test_progs.part" "$d/test_progs"
}

# ups_build [SERIES]: builds the runner (cached) and prints its path.
ups_build()
{
	local series=${1-} d key tests=("${UPS_BASE_TESTS[@]}") t

	UPS_SRC=$("$VMTEST_DIR/kernel-source.sh") || die "no linux-source-7.3 tree (above)"
	UPS_BTF=$("$VMTEST_DIR/kernel-btf.sh" "$UPS_TYPES" 2>/dev/null) ||
		die "no BTF of Debian's $UPS_TYPES kernel (vmtest/kernel-btf.sh $UPS_TYPES)"
	# Installed as root, else named (and exit 1).
	"$REPO_DIR/scripts/deps.sh" build upstream >&2 ||
		die "what upstream's build needs is missing (scripts/deps.sh build upstream names it)"
	UPS_CLANG_BIN=$(ups_clang) || exit
	if [[ -n $series ]]; then
		[[ -d $series ]] || die -c "$VMT_EXIT_USAGE" "--series $series: not a directory"
		series=$(cd "$series" && pwd)
		ups_series_check "$series"
		mapfile -t -O 1 tests < <(ups_series_tests "$series" | grep -vx file_reader)
	fi
	key=$(ups_key "$series")
	d=$UPS_TOP/base
	[[ -n $series ]] && d=$UPS_TOP/series-$key
	if [[ -x $d/test_progs && $(cat "$d/key" 2>/dev/null) == "$key" ]]; then
		ups_msg "up to date: $d/test_progs (${tests[*]})"
		echo "$d/test_progs"
		return 0
	fi
	ups_msg "building upstream's test_progs in $d (tests: ${tests[*]})"
	rm -f "$d/key" "$d/test_progs"
	mkdir -p "$d" || die "cannot create $d"
	ups_tools "$d"
	if [[ -n $series ]]; then
		# libbpf and bpftool: the plain build's, made first if need be.
		[[ -d $UPS_TOP/base/src/tools ]] || ups_tools "$UPS_TOP/base"
		ups_libs "$UPS_TOP/base"
		ln -sfn "$UPS_TOP/base/libbpf" "$d/libbpf"
		ln -sfn "$UPS_TOP/base/scratch" "$d/scratch"
		local p patches
		mapfile -t patches < <(ups_patches "$series")
		for p in "${patches[@]}"; do
			patch -s -p1 -d "$d/src" --no-backup-if-mismatch <"$p" >&2 ||
				die -c 1 "--series: $(basename "$p") does not apply to linux-source-7.3 (above)"
		done
		for t in "${tests[@]}"; do
			[[ -f $d/src/tools/testing/selftests/bpf/prog_tests/$t.c ]] ||
				die -c 1 "--series: prog_tests/$t.c is not there after the patches"
		done
	else
		ups_libs "$d"
	fi
	rm -rf "$d/out" && mkdir -p "$d/out" "$d/scratch/include" || die "cannot create $d/out"
	# vmlinux.h: per build (it is an input), from the pinned kernel's BTF.
	mkdir -p "$d/out/include"
	"$d/scratch/sbin/bpftool" btf dump file "$UPS_BTF" format c >"$d/out/include/vmlinux.h" ||
		die "bpftool cannot dump $UPS_BTF"
	BPF_FLAGS=() C_FLAGS=()
	ups_flags "$d"
	BPF_FLAGS=(-I"$d/out/include" "${BPF_FLAGS[@]}")
	for t in $(ups_skels "$d" "${tests[@]}"); do
		ups_msg "BPF $t"
		ups_bpf_obj "$d" "$t"
	done
	ups_msg "linking test_progs (${tests[*]})"
	ups_link "$d" "${tests[@]}"
	echo "$key" >"$d/key"
	ups_msg "built $d/test_progs"
	echo "$d/test_progs"
}

# ups_series_arg ARGS...: takes --series DIR off the front of ARGS (sets
# UPS_SERIES and UPS_REST).
ups_series_arg()
{
	UPS_SERIES='' UPS_REST=()
	while (($#)); do
		case $1 in
		--series) (($# > 1)) || die -c "$VMT_EXIT_USAGE" "--series needs a directory"
			UPS_SERIES=$2
			shift ;;
		--series=*) UPS_SERIES=${1#*=} ;;
		*) UPS_REST+=("$1") ;;
		esac
		shift
	done
}

# ups_run ARGS...: vmtest with upstream's runner; exits with its verdict.
ups_run()
{
	local runner

	ups_series_arg "$@"
	runner=$(UPS_QUIET=1 ups_build "$UPS_SERIES" | tail -n 1) || exit
	exec "$VMTEST_DIR/vmtest.sh" --upstream-runner \
		--guest-wrapper "$VMTEST_DIR/upstream-guest" -r "$runner" "${UPS_REST[@]}"
}

# ups_flake [-k KERNEL] [-n RUNS] [-J FILE] [-o DIR]: the fault subtest
# RUNS times in one guest, each read's result seen by a kretprobe.
ups_flake()
{
	local kernel=$UPS_TYPES runs=100 json='' keep='' runner rc tmp sync=''

	while (($#)); do
		case $1 in
		-k | -n | -J | -o)
			(($# > 1)) || die -c "$VMT_EXIT_USAGE" "flake: $1 needs a value"
			case $1 in
			-k) kernel=$2 ;;
			-n) runs=$2 ;;
			-J) json=$2 ;;
			-o) keep=$2 ;;
			esac
			shift ;;
		--sync) sync=:sync ;;
		-h | --help) usage; exit 0 ;;
		*) die -c "$VMT_EXIT_USAGE" "flake: unknown argument '$1' (see --help)" ;;
		esac
		shift
	done
	[[ $runs =~ ^[1-9][0-9]{0,3}$ ]] || die -c "$VMT_EXIT_USAGE" "flake: -n takes 1 to 9999 runs, not '$runs'"
	runner=$(UPS_QUIET=1 ups_build "" | tail -n 1) || exit
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/upstream-flake.XXXXXX") || die "cannot create a temporary directory"
	# shellcheck disable=SC2064 # tmp is fixed now
	trap "rm -rf '$tmp'" EXIT
	ups_msg "flake: file_reader/on_open_expect_fault $runs times on $kernel${sync:+, synced first}"
	# A guest run takes about 1 s a run under TCG, beside the boot.
	"$VMTEST_DIR/vmtest.sh" --upstream-runner --guest-wrapper "$VMTEST_DIR/upstream-guest" \
		-r "$runner" -k "$kernel" -T $((120 + runs * 6)) -o "$tmp" \
		-A "vmtest.runner_env=UPSTREAM_FLAKE=$runs$sync" -- -t file_reader/on_open_expect_fault
	rc=$?
	[[ -n $keep ]] && mkdir -p "$keep" && cp "$tmp"/* "$keep"/
	[[ -s $tmp/record.json ]] || die "flake: the guest sent no record (vmtest exit $rc)"
	python3 "$VMTEST_DIR/upstream_report.py" flake --kernel "$kernel" ${json:+--json "$json"} \
		"$tmp/record.json" || rc=1
	return "$rc"
}

cmd=${1-}
[[ $# -gt 0 ]] && shift
case $cmd in
run) ups_run "$@" ;;
flake) ups_flake "$@"; exit ;;
compare) exec python3 "$VMTEST_DIR/upstream_report.py" compare "$@" ;;
-h | --help | help) usage; exit 0 ;;
build)
	series=
	while (($#)); do
		case $1 in
		--series) (($# > 1)) || die -c "$VMT_EXIT_USAGE" "--series needs a directory"
			series=$2; shift ;;
		--series=*) series=${1#*=} ;;
		-q) UPS_QUIET=1 ;;
		-h | --help) usage; exit 0 ;;
		*) die -c "$VMT_EXIT_USAGE" "build: unknown argument '$1' (see --help)" ;;
		esac
		shift
	done
	ups_build "$series"
	;;
'') usage >&2; exit "$VMT_EXIT_USAGE" ;;
*) die -c "$VMT_EXIT_USAGE" "unknown subcommand '$cmd' (see --help)" ;;
esac
