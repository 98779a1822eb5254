# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the vmtest scripts, not run on its own.
# The guest: a busybox initramfs with the static runner, and an empty ext4
# image that becomes an NVMe disk (a block-backed filesystem whose page cache
# can be evicted, unlike tmpfs or the initramfs).

BUSYBOX=${BUSYBOX-}
# stress_ng_args and the stressed guest's layout (vmtest --stress).
source "$VMTEST_DIR/stress.sh"
source "$VMTEST_DIR/elf.sh"

# guest_busybox RUNNER: the busybox for the guest: the host's when the guest
# runs the host's architecture, else the one of the cross build's sysroot
# beside RUNNER (make ARCH=arm64 fetches it: scripts/sysroot.sh).
guest_busybox()
{
	if [[ -n $BUSYBOX ]]; then
		echo "$BUSYBOX"
	elif host_runs_arch; then
		echo /bin/busybox
	else
		echo "$(dirname "$1")/sysroot/bin/busybox"
	fi
}

# runner_exec RUNNER ARGS...: runs the runner on the host, to check its
# arguments and ask for its guest files; a runner of another architecture
# runs under qemu's user-mode emulator (it is static).
runner_exec()
{
	if host_runs_arch; then
		"$@"
	else
		need_cmd "qemu-$(elf_arch_qemu)"
		"qemu-$(elf_arch_qemu)" "$@"
	fi
}

elf_arch_qemu() { [[ $VMT_ARCH == arm64 ]] && echo aarch64 || echo x86_64; }

# guest_initramfs OUT RUNNER DEVIATIONS [RUNNER_ARGS...]: DEVIATIONS (may be
# empty) becomes the runner's known-deviations file. The guest sends the
# runner's record of the run over its fourth serial port (see init).
guest_initramfs()
{
	local out=$1 runner=$2 deviations=$3 root busybox make=make
	shift 3

	[[ $VMT_ARCH == x86_64 ]] || make="make ARCH=$VMT_ARCH"
	[[ -x $runner ]] || die "runner $runner not built: run '$make' first"
	[[ $(elf_machine "$runner") == "$VMT_ARCH" ]] ||
		die "runner $runner is built for $(elf_machine "$runner"), the guest is $VMT_ARCH: run '$make', or give -r"
	# Upstream's test_progs (vmtest --upstream-runner) is linked as its
	# Makefile links it, against the C library: its loader and libraries
	# come along (guest_closure). The suite's runner is static.
	[[ -n ${VMT_UPSTREAM-} ]] || file_is_static "$runner" ||
		die "runner $runner is not statically linked: the guest has no libraries"
	busybox=$(guest_busybox "$runner")
	if [[ ! -x $busybox ]]; then
		host_runs_arch && die "$busybox not found; install busybox-static ('make deps')"
		die "$busybox not found: '$make' fetches it (scripts/sysroot.sh)"
	fi
	[[ $(elf_machine "$busybox") == "$VMT_ARCH" ]] ||
		die "$busybox is built for $(elf_machine "$busybox"), the guest is $VMT_ARCH"
	# Unchecked, a failure here (a full TMPDIR) had the files below copied
	# into the host's own /.
	root=$(mktemp -d "$VMT_TMP/root.XXXXXX") && [[ -n $root ]] ||
		die "cannot create the initramfs's directory in $VMT_TMP"
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,scratch,vmtest,lib/modules}
	cp "$busybox" "$root/bin/busybox"
	cp "$runner" "$root/bin/test_progs"
	cp "$VMTEST_DIR/init" "$root/init"
	# The host files the selected tests declare they read (.guest_files;
	# elf_parse's /usr/bin/true, a dynamic stripped ELF, read, never run:
	# the guest has no C library). A test finding one missing says so.
	local f
	while IFS= read -r f; do
		[[ $f == /* && -f $f ]] || continue
		mkdir -p "$root$(dirname "$f")" && cp "$f" "$root$f"
	done < <([[ -n ${VMT_UPSTREAM-} ]] || runner_exec "$runner" "$@" --guest-files 2>/dev/null)
	if [[ -n ${VMT_UPSTREAM-} ]] && ! file_is_static "$runner"; then
		guest_closure "$root" "" "$(realpath "$runner")" "the runner"
	fi
	# vmtest --guest-wrapper: init runs the runner through it.
	if [[ -n ${VMT_WRAPPER-} ]]; then
		cp "$VMT_WRAPPER" "$root/vmtest/wrapper" && chmod 755 "$root/vmtest/wrapper" ||
			die "cannot put $VMT_WRAPPER in the initramfs"
	fi
	# The modules the kernel needs for the scratch disk (guest_modules),
	# loaded by init in this order.
	if [[ -n ${VMT_MODULES-} ]]; then
		cp "$VMT_MODULES"/*.ko "$root/lib/modules/" &&
			cp "$VMT_MODULES/order" "$root/vmtest/modules" ||
			die "cannot put the kernel's modules in the initramfs"
	fi
	chmod 755 "$root/init"
	: >"$root/vmtest/args"
	# Where the runner looks by default (beside /bin/test_progs, in its
	# parent): the guest finds its file as a native run finds the
	# repository's, and says so the same way.
	[[ -z $deviations ]] || cp "$deviations" "$root/known-deviations.ini"
	(($#)) && printf '%s\n' "$@" >"$root/vmtest/args"
	[[ -n ${VMTEST_STRESS-} ]] && guest_stress "$root"
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$out" ||
		die "cannot build the initramfs"
	rm -rf "$root"
}

file_is_static()
{
	# A dynamic ELF names its interpreter in a PT_INTERP segment
	# (/lib64/ld-linux-x86-64.so.2, /lib/ld-linux-aarch64.so.1).
	! LC_ALL=C grep -qaE '/lib(64)?/ld-linux' "$1"
}

# guest_modules KERNEL: sets VMT_MODULES to the directory of the modules the
# guest must load for its scratch disk (kernel_modules), or empty when the
# kernel builds them in (and for an image given by path, whose builder
# knows). When Debian has no modules for it, VMT_NO_DISK says why: the
# guest then has a tmpfs for a scratch directory, and the tests that must
# evict pages skip with that reason.
# shellcheck disable=SC2034 # for vmtest.sh
guest_modules()
{
	local rc

	VMT_MODULES='' VMT_NO_DISK=''
	[[ $VMT_KVER == */* || -f $VMT_KVER ]] && return 0
	kernel_needs_modules || return 0
	VMT_MODULES=$(kernel_modules "$VMT_KVER")
	rc=$?
	((rc == 0)) && return 0
	((rc == 2)) || exit "$rc"
	VMT_MODULES=
	VMT_NO_DISK="Debian's $VMT_FLAVOUR $VMT_KVER builds NVMe and ext4 as modules and has no linux-modules package for it (they exist from 7.2.6); the cloud flavours build them in"
	info "no scratch disk: $VMT_NO_DISK; the guest uses a tmpfs, and the tests that evict pages skip"
}

# guest_stress ROOT: vmtest --stress (vmtest/stress.sh): stress-ng with its
# loader and shared libraries (stress_layout: the guest has no C library of
# its own), its arguments and vmtest/stress-guest, which init runs around
# the runner. A guest of the host's architecture gets the host's stress-ng;
# another (arm64) gets Debian's for its architecture, from a sysroot in
# vmtest's cache (scripts/sysroot.sh --stress-ng fetches it once).
guest_stress()
{
	local root=$1 sysroot='' bin=/usr/bin/stress-ng

	if host_runs_arch; then
		need_cmd stress-ng
		bin=$(command -v stress-ng)
	else
		sysroot=$VMTEST_CACHE/stress-ng-$VMT_DEBARCH
		"$REPO_DIR/scripts/sysroot.sh" --stress-ng "$VMT_ARCH" "$sysroot" >&2 ||
			die "--stress: no stress-ng for the $VMT_ARCH guest (above)"
	fi
	stress_layout "$root" "$sysroot" "$bin"
	stress_ng_args guest "$STRESS_GUEST_DIR" >"$root/vmtest/stress-args"
	cp "$VMTEST_DIR/stress-guest" "$root/vmtest/stress" && chmod 755 "$root/vmtest/stress" ||
		die "cannot put vmtest/stress-guest in the initramfs"
}

# stress_layout ROOT SYSROOT BIN: BIN, a stress-ng in SYSROOT (empty: the
# host's /), as ROOT/usr/bin/stress-ng, with its loader and every library
# it needs (elf_closure: NEEDED, recursively) where its loader looks for
# them. The same for every architecture: only SYSROOT differs.
stress_layout()
{
	local root=$1 sysroot=$2 bin=$3

	need_cmd readelf
	[[ $(elf_machine "$sysroot$bin") == "$VMT_ARCH" ]] ||
		die "--stress: $sysroot$bin is no $VMT_ARCH stress-ng"
	mkdir -p "$root/usr/bin" && cp -L "$sysroot$bin" "$root/usr/bin/stress-ng" ||
		die "cannot put stress-ng in the initramfs"
	guest_closure "$root" "$sysroot" "$bin" stress-ng
}

# guest_closure ROOT SYSROOT BIN WHAT: the loader and every library BIN (a
# path in SYSROOT, empty: the host's /) needs, where its loader looks for
# them in ROOT.
guest_closure()
{
	local root=$1 sysroot=$2 bin=$3 what=$4 want src needer

	need_cmd readelf
	while read -r want src needer; do
		[[ $want == missing ]] &&
			die "$src, which $what needs (for $needer), is not in ${sysroot:-/}"
		mkdir -p "$root$(dirname "$want")" && cp -L "$sysroot$src" "$root$want" ||
			die "cannot put $want ($what's) in the initramfs"
	done < <(elf_closure "$sysroot" "$bin")
}

# guest_disk OUT SIZE_MB: a fresh, empty ext4 filesystem; under --stress
# with room for stress-ng's files beside the tests'. Its geometry is named
# (-T small: 1 KiB blocks), not left to mke2fs's choice by size: a disk of
# 512 MiB or more gets 4 KiB blocks, and a file's written EOF page then
# comes out uptodate (its one block zeroed past EOF), which changed
# fault_nonsleepable/written_eof_page_not_uptodate under --stress.
guest_disk()
{
	local mb=$2

	[[ -n ${VMTEST_STRESS-} ]] && mb=$((mb + STRESS_DISK_MB))
	truncate -s "${mb}M" "$1" && mkfs.ext4 -q -F -T small -E lazy_itable_init=1 "$1" ||
		die "cannot create the ext4 scratch image"
}
