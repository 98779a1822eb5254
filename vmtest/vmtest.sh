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
  -c CPUS     guest CPUs (default 2, or \$VMTEST_SMP)
  -A ARGS     extra kernel command line arguments
  -r PATH     the runner binary (default: build/test_progs)
  -X FILE     known-deviations file given to the runner (default:
              known-deviations.ini at the top of the repository; -X none: no file)
  -o DIR      keep the logs (runner.log, console.log, dmesg.log) in DIR
  -J FILE     write the runner's JSON summary to FILE, with the verdict and
              its reason added; when the guest gave none (hang, panic, no
              kernel), FILE still gets an object naming kernel, verdict, reason
  -h          this help

Everything after -- is passed to the runner (see build/test_progs -h),
after "-j CPUS": the runner runs tests side by side where their traits
allow (-- -j 1 for one at a time). Runner options and the known-deviations
file are checked on the host before anything is fetched or booted.

Exit codes: 0, 1, 2, 3 as the runner's (all passed / a failure / nothing
selected or usage error / runner setup error); 1 also when the guest kernel
printed a panic, oops, BUG or WARN; 4 when no verdict could be had (kernel
not found, damaged or truncated, cache not writable or full, qemu missing
or killed, guest did not boot, hung or ran out of memory, the runner
crashed, -a kvm where KVM cannot run the guest). The last line before the
verdict says which, as does the JSON's "reason".

Cache: \$VMTEST_CACHE (now $VMTEST_CACHE).
USAGE
}

kernel_arg= accel=auto timeout=300 append= outdir= json_out= kernel=
runner=$REPO_DIR/build/test_progs
deviations=$REPO_DIR/known-deviations.ini
VMT_MEM=1G VMT_SMP=${VMTEST_SMP:-2}

# --- -J: the results file -------------------------------------------------
# json_escape STRING: STRING as a JSON string, printable ASCII only.
json_escape()
{
	local s

	s=$(printf '%s' "$1" | LC_ALL=C tr -c '\11\12\40-\176' '?')
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\t'/\\t}
	s=${s//$'\n'/\\n}
	printf '"%s"' "$s"
}

# The kernel's name in results: the -k argument, or the default's version.
json_kernel_label()
{
	local label=$kernel_arg

	if [[ -z $label && $kernel == "$VMTEST_CACHE"/kernels/*/vmlinuz ]]; then
		label=${kernel%/vmlinuz}
		label=${label##*/}
	fi
	echo "${label:-default}"
}

# json_vmtest_object VERDICT REASON GUEST_JSON: what vmtest adds.
json_vmtest_object()
{
	local tenths=$((($(date +%s%N) - ${start_ns:-$(date +%s%N)}) / 100000000))

	printf '  "verdict": %d, "reason": %s,\n' "$1" "$(json_escape "$2")"
	printf '  "vmtest": {"kernel": %s, "image": %s, "accel": %s, "cpus": %s, "memory": %s, "seconds": %d.%d, "guest_json": %s},\n' \
		"$(json_escape "$(json_kernel_label)")" "$(json_escape "$kernel")" \
		"$(json_escape "${VMT_ACCEL:-none}")" "$VMT_SMP" "$(json_escape "$VMT_MEM")" \
		$((tenths / 10)) $((tenths % 10)) "$3"
}

# json_fallback VERDICT REASON: FILE says why there are no results.
json_fallback()
{
	[[ -n $json_out ]] || return 0
	{
		echo "{"
		json_vmtest_object "$1" "$2" false
		printf '  "kernel": %s,\n  "results": []\n}\n' "$(json_escape "$(json_kernel_label)")"
	} >"$json_out.part" && mv -f "$json_out.part" "$json_out"
}

# Every exit leaves FILE behind: die() (also in a subshell) writes its
# message there; any other exit before the results says how it ended.
eval "vmt_$(declare -f die)"
die()
{
	local code=$VMT_EXIT_INFRA

	[[ ${1-} == -c ]] && code=$2
	[[ ${1-} == -c ]] && shift 2
	json_fallback "$code" "$*"
	vmt_die -c "$code" "$@"
}

json_on_exit()
{
	local rc=$1 why

	[[ -z $json_out || -e $json_out ]] && return 0
	case $rc in
	130) why="interrupted" ;;
	143) why="terminated" ;;
	*) why="vmtest exited $rc before a verdict" ;;
	esac
	json_fallback "$rc" "$why"
}

# json_collect RC: copies the guest's JSON out of the scratch image (no
# mount needed) into FILE, with the verdict added; else the fallback.
json_collect()
{
	local rc=$1 got=$VMT_TMP/results.json reason

	reason=${VMT_REASON-}
	debugfs -R "dump -p /.vmtest-results.json $got" "$VMT_TMP/scratch.img" \
		>"$VMT_TMP/debugfs.log" 2>&1
	# The runner's JSON opens with a line "{" and closes with "}".
	if [[ -s $got && $(head -n 1 "$got") == "{" && $(tail -n 1 "$got") == "}" ]]; then
		{
			echo "{"
			json_vmtest_object "$rc" "$reason" true
			tail -n +2 "$got"
		} >"$json_out.part" && mv -f "$json_out.part" "$json_out"
	else
		[[ -n $reason ]] || reason="the guest wrote no JSON summary"
		json_fallback "$rc" "$reason"
	fi
}

# Long options are not vmtest's: name the word rather than getopts' "-".
for arg; do
	[[ $arg == -- ]] && break
	case $arg in
	--help) usage; exit 0 ;;
	--*) die -c "$VMT_EXIT_USAGE" "unknown option $arg (see -h)" ;;
	esac
done
# check_runner_args RUNNER DEVIATIONS ARGS...: the runner parses its
# arguments and the known-deviations file here on the host, where -l makes
# it stop after that: a bad option, filter or file is named (under its host
# path) before any kernel is fetched or booted. Exits with the runner's code.
check_runner_args()
{
	local runner=$1 deviations=$2 out rc
	shift 2

	[[ -x $runner ]] || die "runner $runner not built: run 'make' first"
	out=$("$runner" ${deviations:+-X "$deviations"} "$@" -l 2>&1 >/dev/null)
	rc=$?
	((rc == 0)) && return 0
	die -c "$rc" "the runner refuses its arguments (exit $rc): $(head -n 1 <<<"$out")"
}

while getopts ":k:la:T:m:c:A:r:X:o:J:h" opt; do
	case $opt in
	k) kernel_arg=$OPTARG ;;
	l) kernel_list; exit $? ;;
	a) accel=$OPTARG ;;
	T) timeout=$OPTARG ;;
	m) VMT_MEM=$OPTARG ;;
	c) VMT_SMP=$OPTARG ;;
	A) append=$OPTARG ;;
	r) runner=$OPTARG ;;
	X) deviations=$OPTARG ;;
	o) outdir=$OPTARG ;;
	J) json_out=$OPTARG ;;
	h) usage; exit 0 ;;
	:) die -c "$VMT_EXIT_USAGE" "option -$OPTARG needs an argument (see -h)" ;;
	*) die -c "$VMT_EXIT_USAGE" "unknown option -$OPTARG (see -h)" ;;
	esac
done
# What follows the options goes to the runner, and only after "--": a
# stray word (vmtest.sh 6.19.14) is an error before anything slow.
if ((OPTIND <= $#)) && [[ ${!OPTIND} != -- ]] && [[ ${*:OPTIND-1:1} != -- ]]; then
	die -c "$VMT_EXIT_USAGE" "unexpected argument '${!OPTIND}' (a kernel is given with -k; runner options go after --)"
fi
shift $((OPTIND - 1))
[[ ${1-} == -- ]] && shift
[[ $accel =~ ^(auto|kvm|tcg)$ ]] || die -c "$VMT_EXIT_USAGE" "-a takes kvm, tcg or auto"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die -c "$VMT_EXIT_USAGE" "-T takes a number of seconds"
[[ $VMT_SMP =~ ^[1-9][0-9]*$ ]] || die -c "$VMT_EXIT_USAGE" "-c (or VMTEST_SMP) takes a number of CPUs"
if [[ -n $json_out ]]; then
	mkdir -p "$(dirname "$json_out")" && rm -f "$json_out" ||
		die -c "$VMT_EXIT_USAGE" "-J $json_out: cannot write there"
	# The guest's init copies the runner's JSON onto the scratch disk.
	VMT_GUEST_JSON=1
fi

need_cmd "$QEMU" cpio mkfs.ext4 timeout
[[ -n $json_out ]] && need_cmd debugfs
vmt_init_tmp
trap 'json_on_exit $?; vmt_cleanup' EXIT
start_ns=$(date +%s%N)

[[ $deviations == none ]] && deviations=
[[ -z $deviations || -r $deviations ]] || die -c "$VMT_EXIT_USAGE" "known-deviations file $deviations: not readable"
check_runner_args "$runner" "$deviations" "$@"
kernel=$(kernel_resolve "$kernel_arg") || exit
kernel_check_image "$kernel"
# The runner runs as many tests at once as the guest has CPUs, where their
# traits allow (results are those of a serial run: make check compares);
# a -j among the runner options overrides it.
guest_initramfs "$VMT_TMP/initramfs.cpio" "$runner" "$deviations" -j "$VMT_SMP" "$@"
guest_disk "$VMT_TMP/scratch.img" 256

VMT_ACCEL=$accel VMT_ACCEL_WHY=
[[ $accel == auto ]] && probe_accel "$kernel" "$VMT_TMP/initramfs.cpio"
if [[ $accel == kvm ]] && ! probe_kvm "$kernel" "$VMT_TMP/initramfs.cpio"; then
	die "-a kvm: KVM cannot run the guest on this machine: $VMT_ACCEL_WHY; use -a tcg, or -a auto to fall back"
fi
accel=$VMT_ACCEL
info "kernel $kernel, accel $accel${VMT_ACCEL_WHY:+ ($VMT_ACCEL_WHY)}, ${VMT_MEM} memory$( ((VMT_SMP != 2)) && echo ", $VMT_SMP CPUs"), timeout ${timeout} s"
boot_and_run "$accel" "$kernel" "$VMT_TMP/initramfs.cpio" \
	"$VMT_TMP/scratch.img" "$append" "$timeout"
rc=$?
# A kernel that crashed before the runner printed a line has said nothing
# about the suite. Under TCG a 6.19.14 guest once died so in about 200
# boots (Oops: int3, see README): boot once more; a second such crash
# leaves no verdict (4), like a guest that does not boot.
crashed_before_runner() { ((rc == 1 && VMT_SPLAT)) && [[ ! -s $VMT_TMP/runner.log ]]; }
if crashed_before_runner; then
	info "the guest kernel crashed before the runner started (above); booting it once more"
	guest_disk "$VMT_TMP/scratch.img" 256
	boot_and_run "$accel" "$kernel" "$VMT_TMP/initramfs.cpio" \
		"$VMT_TMP/scratch.img" "$append" "$timeout"
	rc=$?
	if crashed_before_runner; then
		info "the guest kernel crashed again before the runner started: no verdict"
		VMT_REASON="no verdict: the guest kernel crashed twice before the runner started; $VMT_REASON"
		rc=$VMT_EXIT_INFRA
	fi
fi
[[ -n $json_out ]] && json_collect "$rc"

if [[ -n $outdir ]]; then
	mkdir -p "$outdir" &&
		cp "$VMT_TMP"/{runner,console,dmesg}.log "$outdir"/ 2>/dev/null
fi
tenths=$((($(date +%s%N) - start_ns) / 100000000))
info "verdict: exit $rc after $((tenths / 10)).$((tenths % 10)) s"
exit "$rc"
