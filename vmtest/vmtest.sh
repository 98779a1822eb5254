#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest: boot a kernel in qemu and run the suite's runner in it.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$VMTEST_DIR/kernel.sh"
source "$VMTEST_DIR/guest.sh"
source "$VMTEST_DIR/boot.sh"

usage()
{
	cat <<USAGE
Usage: vmtest/vmtest.sh [options] [-- runner options]

Boots a kernel in qemu with a busybox initramfs holding the static runner
and an ext4 disk on NVMe, runs the runner there, streams its output, and
exits with its verdict.

Options:
  -k KERNEL   Debian kernel version (e.g. 6.19.14, 7.3.4: fetched from
              Debian's archive into the cache) or a path to a bzImage or
              vmlinuz. Default: the newest Debian 6.19.x.
  -l          list the kernel versions Debian offers, then exit
  -a ACCEL    kvm, tcg or auto (default: auto, which boots a probe under
              KVM and falls back to TCG when the guest does not come up)
  -T SECS     kill the guest when it has not finished after SECS (default 300)
  -m SIZE     guest memory (default 1G)
  -A ARGS     extra kernel command line arguments
  -r PATH     the runner binary (default: build/test_progs)
  -X FILE     known-deviations file given to the runner (default:
              known-deviations.ini at the top of the repository; -X none: no file)
  -o DIR      keep the logs (runner.log, console.log, dmesg.log) in DIR
  -h          this help

Everything after -- is passed to the runner (see build/test_progs -h).

Exit codes: 0, 1, 2, 3 as the runner's (all passed / a failure / nothing
selected or usage error / runner setup error); 1 also when the guest kernel
printed a panic, oops, BUG or WARN; 4 when no verdict could be had (kernel
not found or corrupt, qemu missing, guest did not boot or hung).

Cache: \$VMTEST_CACHE (now $VMTEST_CACHE).
USAGE
}

kernel_arg= accel=auto timeout=300 append= outdir=
runner=$REPO_DIR/build/test_progs
deviations=$REPO_DIR/known-deviations.ini
VMT_MEM=1G VMT_SMP=2

while getopts ":k:la:T:m:A:r:X:o:h" opt; do
	case $opt in
	k) kernel_arg=$OPTARG ;;
	l) kernel_list; exit $? ;;
	a) accel=$OPTARG ;;
	T) timeout=$OPTARG ;;
	m) VMT_MEM=$OPTARG ;;
	A) append=$OPTARG ;;
	r) runner=$OPTARG ;;
	X) deviations=$OPTARG ;;
	o) outdir=$OPTARG ;;
	h) usage; exit 0 ;;
	:) die -c "$VMT_EXIT_USAGE" "option -$OPTARG needs an argument (see -h)" ;;
	*) die -c "$VMT_EXIT_USAGE" "unknown option -$OPTARG (see -h)" ;;
	esac
done
shift $((OPTIND - 1))
[[ ${1-} == -- ]] && shift
[[ $accel =~ ^(auto|kvm|tcg)$ ]] || die -c "$VMT_EXIT_USAGE" "-a takes kvm, tcg or auto"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die -c "$VMT_EXIT_USAGE" "-T takes a number of seconds"

need_cmd "$QEMU" cpio mkfs.ext4 timeout
vmt_init_tmp
start_ns=$(date +%s%N)

kernel=$(kernel_resolve "$kernel_arg") || exit
kernel_check_image "$kernel"
[[ $deviations == none ]] && deviations=
[[ -z $deviations || -r $deviations ]] || die -c "$VMT_EXIT_USAGE" "known-deviations file $deviations: not readable"
guest_initramfs "$VMT_TMP/initramfs.cpio" "$runner" "$deviations" "$@"
guest_disk "$VMT_TMP/scratch.img" 256

VMT_ACCEL=$accel VMT_ACCEL_WHY=
[[ $accel == auto ]] && probe_accel "$kernel" "$VMT_TMP/initramfs.cpio"
accel=$VMT_ACCEL
info "kernel $kernel, accel $accel${VMT_ACCEL_WHY:+ ($VMT_ACCEL_WHY)}, ${VMT_MEM} memory, timeout ${timeout} s"

boot_and_run "$accel" "$kernel" "$VMT_TMP/initramfs.cpio" \
	"$VMT_TMP/scratch.img" "$append" "$timeout"
rc=$?

if [[ -n $outdir ]]; then
	mkdir -p "$outdir" &&
		cp "$VMT_TMP"/{runner,console,dmesg}.log "$outdir"/ 2>/dev/null
fi
tenths=$((($(date +%s%N) - start_ns) / 100000000))
info "verdict: exit $rc after $((tenths / 10)).$((tenths % 10)) s"
exit "$rc"
