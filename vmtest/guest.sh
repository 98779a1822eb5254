# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the vmtest scripts, not run on its own.
# The guest: a busybox initramfs with the static runner, and an empty ext4
# image that becomes an NVMe disk (a block-backed filesystem whose page cache
# can be evicted, unlike tmpfs or the initramfs).

BUSYBOX=${BUSYBOX:-/bin/busybox}

# guest_initramfs OUT RUNNER DEVIATIONS [RUNNER_ARGS...]: DEVIATIONS (may be
# empty) becomes the runner's -X file. The guest sends the runner's record
# of the run over its fourth serial port (see init).
guest_initramfs()
{
	local out=$1 runner=$2 deviations=$3 root
	shift 3

	[[ -x $runner ]] || die "runner $runner not built: run 'make' first"
	file_is_static "$runner" ||
		die "runner $runner is not statically linked: the guest has no libraries"
	[[ -x $BUSYBOX ]] || die "$BUSYBOX not found; install busybox-static ('make deps')"
	root=$(mktemp -d "$VMT_TMP/root.XXXXXX")
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,scratch,vmtest}
	cp "$BUSYBOX" "$root/bin/busybox"
	cp "$runner" "$root/bin/test_progs"
	cp "$VMTEST_DIR/init" "$root/init"
	# The host files the selected tests declare they read (.guest_files;
	# elf_parse's /usr/bin/true, a dynamic stripped ELF, read, never run:
	# the guest has no C library). A test finding one missing says so.
	local f
	while IFS= read -r f; do
		[[ $f == /* && -f $f ]] || continue
		mkdir -p "$root$(dirname "$f")" && cp "$f" "$root$f"
	done < <("$runner" "$@" --guest-files 2>/dev/null)
	chmod 755 "$root/init"
	: >"$root/vmtest/args"
	if [[ -n $deviations ]]; then
		cp "$deviations" "$root/vmtest/known-deviations.ini"
		set -- -X /vmtest/known-deviations.ini "$@"
	fi
	(($#)) && printf '%s\n' "$@" >"$root/vmtest/args"
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$out" ||
		die "cannot build the initramfs"
	rm -rf "$root"
}

file_is_static()
{
	# A dynamic ELF names its interpreter in a PT_INTERP segment.
	! LC_ALL=C grep -qa '/lib64/ld-linux' "$1"
}

# guest_disk OUT SIZE_MB: a fresh, empty ext4 filesystem.
guest_disk()
{
	truncate -s "${2}M" "$1" && mkfs.ext4 -q -F -E lazy_itable_init=1 "$1" ||
		die "cannot create the ext4 scratch image"
}
