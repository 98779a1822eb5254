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
Usage: vmtest/vmtest.sh [options] [--arch ARCH] [--ktap FILE] [--junit FILE]
                        [-- runner options]

Boots a kernel in qemu with a busybox initramfs holding the static runner
and an ext4 disk on NVMe, runs the runner there, streams its output, and
exits with its verdict.

Options:
  -k KERNEL   [FLAVOUR:]VERSION, a Debian kernel (e.g. 6.19.14, 7.3.4,
              arm64-16k:7.3.4: fetched from Debian's archive into the cache),
              or a path to a kernel image (x86 bzImage or arm64 Image).
              FLAVOUR: cloud-amd64 (x86_64's default), amd64 (generic),
              rt-amd64 (PREEMPT_RT), cloud-arm64 (arm64's default), arm64,
              arm64-16k (16 KiB pages). Default: the newest
              Debian 6.19.x of the architecture's default flavour.
  --arch ARCH x86_64 (default) or arm64; a flavour or an image says it too.
              An arm64 guest runs qemu-system-aarch64 -M virt (TCG unless
              the host is arm64), the runner from build-arm64/ (make
              ARCH=arm64), busybox from its sysroot
  -l          list the kernel versions Debian offers (of the flavour -k or
              --arch names), then exit
  -a ACCEL    kvm, tcg or auto (default: auto, which boots a probe under
              KVM and falls back to TCG when the guest does not come up)
  -T SECS     kill the guest when it has not finished after SECS (default 300;
              a boot alone takes about 10 s under TCG)
  -m SIZE     guest memory, in MiB or with M or G (default 1G, at least 128M)
  -c CPUS     guest CPUs (default 2, or \$VMTEST_SMP)
  -A ARGS     extra kernel command line arguments (-A twice: both)
  -r PATH     the runner binary (default: build/test_progs, for arm64
              build-arm64/test_progs)
  -X FILE     known-deviations file given to the runner (default:
              known-deviations.ini at the top of the repository; -X none: no file)
  -o DIR      keep the logs (runner.log, console.log, dmesg.log) and the
              runner's raw record (record.json, when it sent one) in DIR
  -J FILE     write the run's JSON to FILE: test_progs -J's shape (upstream's
              counts and fields, each test's and subtest's log as "message"),
              this suite's fields beside them (result, reason, rule, duration,
              units) and the verdict, its reason and a vmtest object; when the
              guest gave no results (hang, panic, no kernel) it still says why
  --ktap FILE   the same run as KTAP version 1 (ktap.rst)
  --junit FILE  the same run as JUnit XML
  --upstream-runner  -r is the kernel's own test_progs (docs/upstream.md):
              checked with --list, no -j or -X, its libraries in the guest
  --guest-wrapper FILE  the guest runs "FILE /bin/test_progs ARGS -J RECORD"
  --stress[=QUIET]  run the suite while stress-ng loads the guest and the
              host, and compare it, subtest by subtest, with a quiet run (or
              with QUIET, one of the same build and kernel): exit 0 when
              identical, 1 when a result differs (docs/stress.md)
  --gcov DIR  a GCOV kernel's counters (vmtest/coverage.sh), zeroed before
              the run, into DIR after it, over a disk of their own
  -h          this help

The results files are written on the host, by vmtest/report.py, from the
record the runner sends over a serial port of its own; runner options that
would write files in the guest (-J) are refused.

Each option but -A is given once: one kernel a run (vmtest/matrix.sh runs
several). The guest's disk and logs are in \$TMPDIR: a run needs about
$VMT_TMP_NEED_MB MB free there.

Everything after -- is passed to the runner (see build/test_progs -h),
after "-j CPUS": the runner runs tests side by side where their traits
allow (-- -j 1 for one at a time). Runner options and the known-deviations
file are checked on the host before anything is fetched or booted.

Exit codes: 0, 1, 2, 3 as the runner's (all passed / a failure / nothing
selected or usage error / runner setup error); 1 also when the guest kernel
printed a panic, oops, BUG or WARN; 4 when no verdict could be had (kernel
not found, damaged or truncated, cache, TMPDIR or a results file not
writable or full, qemu missing, failing or killed, guest did not boot, hung
or ran out of memory, the runner crashed, -a kvm where KVM cannot run the
guest). The last line before the verdict says which, as does the JSON's
"reason".

Cache: \$VMTEST_CACHE (now $VMTEST_CACHE).
USAGE
}

kernel_arg='' accel=auto timeout=300 append='' outdir='' json_out='' kernel=''
ktap_out='' junit_out='' results_written=0 arch_arg='' list=0 gcov_out=''
runner=
VMT_UPSTREAM='' VMT_WRAPPER=''
deviations=$REPO_DIR/known-deviations.ini
VMT_MEM=1G VMT_SMP=${VMTEST_SMP:-2} VMT_MEM_MIN=128

# --- -J, --ktap, --junit: the results files -----------------------------
# The runner writes its record (test_progs -J) to the guest's fourth serial
# port, carried here whatever else it prints; vmtest/report.py writes the
# files from it and from what vmtest knows (given as its arguments), also
# when there is no record (then they say why).

# The kernel's name in results: [FLAVOUR:]VERSION (the default version once
# known), or the image path.
result_kernel_label()
{
	if [[ -n ${VMT_KVER-} ]]; then
		[[ $VMT_KVER == */* || -f $VMT_KVER ]] && echo "$VMT_KVER" || kernel_label
	else
		echo "${kernel_arg:-default}"
	fi
}

# write_results VERDICT REASON: the files asked for, from the record if any.
write_results()
{
	local now tenths record='' err

	# One clock reading: before the start, two could differ (and give -0.2 s).
	now=$(date +%s%N)
	tenths=$(((now - ${start_ns:-$now}) / 100000000))
	[[ -n $json_out$ktap_out$junit_out ]] || return 0
	results_written=1
	[[ -s ${VMT_TMP:-/nonexistent}/record.json ]] && ((!${VMT_HOST_FAULT:-0})) &&
		record=$VMT_TMP/record.json
	err=$(python3 "$VMTEST_DIR/report.py" --emit ${record:+--record "$record"} \
		--verdict="$1" --reason="$2" --kernel="$(result_kernel_label)" --arch="$VMT_ARCH" \
		--image="$kernel" --accel="${VMT_ACCEL:-none}" --cpus="$VMT_SMP" --memory="$VMT_MEM" \
		--seconds="$((tenths / 10)).$((tenths % 10))" \
		${json_out:+-J "$json_out"} ${ktap_out:+--ktap "$ktap_out"} \
		${junit_out:+--junit "$junit_out"} 2>&1 >/dev/null) ||
		printf 'vmtest: error: cannot write the results files (%s): %s\n' \
			"${json_out:+-J $json_out}${ktap_out:+ --ktap $ktap_out}${junit_out:+ --junit $junit_out}" \
			"$(tail -n 1 <<<"$err")" >&2
}

# results_room FILE: FILE can be written, with room for a whole run's
# results (1 MiB, tried); else prints why.
results_room()
{
	local err

	err=$({ mkdir -p "$(dirname "$1")" && rm -f "$1" &&
		head -c 1048576 /dev/zero >"$1.part"; } 2>&1)
	local rc=$?
	rm -f "$1.part"
	((rc == 0)) && return 0
	[[ $err == *"No space left"* ]] && echo "its filesystem is full" && return 1
	echo "${err##*: }"
	return 1
}

# Every exit leaves the files behind: die() (also in a subshell) writes its
# message there; any other exit before the results says how it ended.
eval "vmt_$(declare -f die)"
die()
{
	local code=$VMT_EXIT_INFRA

	[[ ${1-} == -c ]] && code=$2
	[[ ${1-} == -c ]] && shift 2
	# A full TMPDIR makes any step fail: name it, whatever failed.
	((code == VMT_EXIT_INFRA)) && [[ $* != *TMPDIR* && -n ${VMT_TMP-} && -d $VMT_TMP ]] &&
		tmp_room_fails "$VMT_TMP" && set -- "$*; $VMT_TMP_FULL"
	write_results "$code" "$*"
	vmt_die -c "$code" "$@"
}

results_on_exit()
{
	local rc=$1 why

	((${results_written:-0})) && return 0
	# die() in a subshell (resolving the kernel, say) wrote them already.
	[[ -e ${json_out:-/nonexistent} || -e ${ktap_out:-/nonexistent} ||
	   -e ${junit_out:-/nonexistent} ]] && return 0
	case $rc in
	130) why="interrupted" ;;
	143) why="terminated" ;;
	*) why="vmtest exited $rc before a verdict" ;;
	esac
	write_results "$rc" "$why"
}

# Long options: --ktap and --junit become getopts' -K and -U; any other
# is named as it was written rather than as getopts' "-".
args=() seen_dashes=0
while (($#)); do
	arg=$1
	shift
	if ((seen_dashes)) || [[ $arg == -- ]]; then
		seen_dashes=1
		args+=("$arg")
		continue
	fi
	case $arg in
	--help) usage; exit 0 ;;
	# The suite under load, compared with a quiet run: vmtest/stress.sh.
	--stress | --stress=*) exec "$VMTEST_DIR/stress.sh" "$arg" "${args[@]}" "$@" ;;
	--ktap=* | --junit=*)
		[[ $arg == --ktap=* ]] && args+=(-K) || args+=(-U)
		args+=("${arg#*=}") ;;
	--ktap | --junit)
		(($#)) || die -c "$VMT_EXIT_USAGE" "option $arg needs a file (see -h)"
		[[ $arg == --ktap ]] && args+=(-K "$1") || args+=(-U "$1")
		shift ;;
	--upstream-runner) VMT_UPSTREAM=1 ;;
	--guest-wrapper=* | --guest-wrapper)
		if [[ $arg == --guest-wrapper ]]; then
			(($#)) || die -c "$VMT_EXIT_USAGE" "option --guest-wrapper needs a file (see -h)"
			arg=--guest-wrapper=$1
			shift
		fi
		[[ -z ${VMT_WRAPPER-} ]] || die -c "$VMT_EXIT_USAGE" "option --guest-wrapper given twice: give it once"
		VMT_WRAPPER=${arg#*=}
		[[ -f $VMT_WRAPPER && -r $VMT_WRAPPER ]] ||
			die -c "$VMT_EXIT_USAGE" "--guest-wrapper $VMT_WRAPPER: no such readable file" ;;
	--gcov=*) args+=(-G "${arg#*=}") ;;
	--gcov)
		(($#)) || die -c "$VMT_EXIT_USAGE" "option --gcov needs a directory"
		args+=(-G "$1")
		shift ;;
	--arch=*) args+=(-M "${arg#*=}") ;;
	--arch)
		(($#)) || die -c "$VMT_EXIT_USAGE" "option --arch needs an architecture (x86_64 or arm64)"
		args+=(-M "$1")
		shift ;;
	--*) die -c "$VMT_EXIT_USAGE" "unknown option $arg (see -h)" ;;
	*) args+=("$arg") ;;
	esac
done
set -- "${args[@]}"
# runner_hint: what builds the runner this guest needs. A kernel image's
# header says its architecture, so an arm64 Image needs the arm64 runner
# even when --arch was not given.
runner_hint()
{
	local why=

	if [[ $VMT_ARCH == x86_64 ]]; then
		echo "run 'make' first, or give -r"
		return
	fi
	[[ -z $arch_arg ]] && [[ $VMT_KVER == */* || -f $VMT_KVER ]] &&
		why=" (the kernel image $VMT_KVER is an arm64 kernel: its header says so)"
	echo "the guest is arm64$why: run 'make ARCH=arm64' first, or give -r"
}

# check_runner_args RUNNER DEVIATIONS ARGS...: the runner parses its
# arguments and the known-deviations file here on the host, where -l makes
# it stop after that: a bad option, filter or file is named (under its host
# path) before any kernel is fetched or booted. Exits with the runner's code.
check_runner_args()
{
	local runner=$1 deviations=$2 out rc
	shift 2

	[[ -x $runner ]] || die "runner $runner not built: $(runner_hint)"
	if [[ -n ${VMT_UPSTREAM-} ]]; then
		# Upstream's lists the selected tests with --list (exit 2: none);
		# its argp exits 64 (EX_USAGE) on a bad option: a usage error.
		out=$(runner_exec "$runner" "$@" --list 2>&1 >/dev/null)
		rc=$?
		((rc == 64)) && rc=$VMT_EXIT_USAGE
		[[ -z $out && $rc == 2 ]] && out="its --list selects no test"
	else
		out=$(runner_exec "$runner" ${deviations:+-X "$deviations"} "$@" -l 2>&1 >/dev/null)
		rc=$?
	fi
	((rc == 0)) && return 0
	die -c "$rc" "the runner refuses its arguments (exit $rc): $(head -n 1 <<<"$out")"
}

# once OPT VAR VALUE: sets VAR from option OPT, which may be given once: a
# second one is refused rather than silently replacing the first (vmtest
# runs one kernel; vmtest/matrix.sh runs several).
declare -A given=()
once()
{
	local name=-$1 hint=

	if [[ -n ${given[$1]+set} ]]; then
		case $1 in
		M) name=--arch ;;
		K) name=--ktap ;;
		U) name=--junit ;;
		G) name=--gcov ;;
		k) hint="; vmtest runs one kernel: for several, run vmtest/matrix.sh ${given[k]} $3" ;;
		esac
		die -c "$VMT_EXIT_USAGE" "option $name given twice ('${given[$1]}', then '$3'): give it once$hint"
	fi
	given[$1]=$3
	printf -v "$2" '%s' "$3"
}

# check_values: the values of -a, -T, -m and -c, refused (exit 2) when
# qemu or the guest could not use them, before anything is built or booted.
check_values()
{
	local max_cpus=255 mb

	[[ $accel =~ ^(auto|kvm|tcg)$ ]] || die -c "$VMT_EXIT_USAGE" "-a takes kvm, tcg or auto, not '$accel'"
	[[ $timeout =~ ^[1-9][0-9]{0,5}$ ]] ||
		die -c "$VMT_EXIT_USAGE" "-T takes a number of seconds from 1 to 999999, not '$timeout'"
	# qemu's machines: pc (x86_64) takes 255 CPUs, virt (arm64, GICv2) 8.
	[[ $VMT_ARCH == arm64 ]] && max_cpus=8
	[[ $VMT_SMP =~ ^[1-9][0-9]{0,3}$ ]] && ((VMT_SMP <= max_cpus)) ||
		die -c "$VMT_EXIT_USAGE" "-c (or VMTEST_SMP) takes a number of CPUs from 1 to $max_cpus (qemu's limit for an $VMT_ARCH guest), not '$VMT_SMP'"
	[[ ${VMT_MEM^^} =~ ^([0-9]{1,7})([MG]?)$ ]] ||
		die -c "$VMT_EXIT_USAGE" "-m takes the guest's memory in MiB or GiB, such as 1G or 768M, not '$VMT_MEM'"
	mb=$((10#${BASH_REMATCH[1]}))
	[[ ${BASH_REMATCH[2]} == G ]] && mb=$((mb * 1024))
	((mb >= VMT_MEM_MIN)) ||
		die -c "$VMT_EXIT_USAGE" "-m $VMT_MEM is too little: the guest needs at least ${VMT_MEM_MIN}M for the suite (the default is 1G)"
}

while getopts ":k:la:T:m:c:A:r:X:o:J:K:U:M:G:h" opt; do
	case $opt in
	k) once k kernel_arg "$OPTARG" ;;
	l) list=1 ;;
	M) once M arch_arg "$OPTARG" ;;
	a) once a accel "$OPTARG" ;;
	T) once T timeout "$OPTARG" ;;
	m) once m VMT_MEM "$OPTARG" ;;
	c) once c VMT_SMP "$OPTARG" ;;
	# Kernel arguments add up: -A a -A b gives the guest "a b".
	A) append+=${append:+ }$OPTARG ;;
	r) once r runner "$OPTARG" ;;
	X) once X deviations "$OPTARG" ;;
	o) once o outdir "$OPTARG" ;;
	J) once J json_out "$OPTARG" ;;
	K) once K ktap_out "$OPTARG" ;;
	U) once U junit_out "$OPTARG" ;;
	G) once G gcov_out "$OPTARG" ;;
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
# The kernel named says the architecture, and that says the rest.
kernel_parse "$kernel_arg" "$arch_arg"
if ((list)); then
	kernel_list
	exit $?
fi
[[ -n $runner ]] || runner=$REPO_DIR/$([[ $VMT_ARCH == arm64 ]] && echo build-arm64 || echo build)/test_progs
qemu_set_arch
check_values
for out in "$json_out" "$ktap_out" "$junit_out"; do
	[[ -z $out ]] && continue
	why=$(results_room "$out") && continue
	json_out='' ktap_out='' junit_out=''
	die "cannot write the results file $out: $why"
done
if [[ -n $gcov_out ]] && ! mkdir -p "$gcov_out" 2>/dev/null; then
	die -c "$VMT_EXIT_USAGE" "--gcov $gcov_out: cannot create the directory"
fi
if [[ -n $outdir ]] && ! why=$(results_room "$outdir/.vmtest-room"); then
	die "cannot keep the logs in $outdir (-o): $why"
fi
# The results files are written here, from the record; the runner's own
# would be written inside the guest and lost.
for arg; do
	case $arg in
	-J | --json | --json=* | -J?*)
		die -c "$VMT_EXIT_USAGE" "runner option $arg: the runner writes it inside the guest, where it is lost; use vmtest's own -J, --ktap, --junit" ;;
	esac
done

need_cmd "$QEMU" cpio mkfs.ext4 timeout
[[ -n $json_out$ktap_out$junit_out ]] && need_cmd python3
vmt_init_tmp
trap 'results_on_exit $?; vmt_cleanup' EXIT
start_ns=$(date +%s%N)
tmp_room_check

[[ $deviations == none ]] && deviations=
if [[ -n ${VMT_UPSTREAM-} ]]; then
	[[ -z ${given[X]+set} || -z $deviations ]] ||
		die -c "$VMT_EXIT_USAGE" "-X: upstream's runner (--upstream-runner) takes no known-deviations file"
	deviations=
fi
[[ -z $deviations || -r $deviations ]] || die -c "$VMT_EXIT_USAGE" "known-deviations file $deviations: not readable"
check_runner_args "$runner" "$deviations" "$@"
if [[ -z $VMT_KVER ]]; then
	VMT_KVER=$(kernel_default_version) || exit
	[[ -n $VMT_KVER ]] || die "no 6.19 $VMT_FLAVOUR kernel found in Debian's archive"
fi
kernel=$(kernel_resolve) || exit
kernel_check_image "$kernel"
kmsg_scan_ready
guest_modules "$kernel"
# The runner runs as many tests at once as the guest has CPUs, where their
# traits allow (results are those of a serial run: make check compares);
# a -j among the runner options overrides it.
jobs=(-j "$VMT_SMP")
# Upstream's -j takes its count attached (-j2) and forks workers: not asked.
[[ -n ${VMT_UPSTREAM-} ]] && jobs=()
for arg; do
	case $arg in -j | -j?* | --jobs | --jobs=*) jobs=() ;; esac
done
guest_initramfs "$VMT_TMP/initramfs.cpio" "$runner" "$deviations" "${jobs[@]}" "$@"
disk=$VMT_TMP/scratch.img
if [[ -n $VMT_NO_DISK ]]; then
	disk=
	append="vmtest.nodisk=1${append:+ $append}"
fi
[[ -n $disk ]] && guest_disk "$disk" "$VMT_DISK_MB"

VMT_ACCEL=$accel VMT_ACCEL_WHY=
[[ $accel == auto ]] && probe_accel "$kernel" "$VMT_TMP/initramfs.cpio"
if [[ $accel == kvm ]] && ! probe_kvm "$kernel" "$VMT_TMP/initramfs.cpio"; then
	die "-a kvm: KVM cannot run the guest on this machine: $VMT_ACCEL_WHY; use -a tcg, or -a auto to fall back"
fi
accel=$VMT_ACCEL
# Said to the guest too: a benchmark records it beside its figures.
append="vmtest.accel=$accel${append:+ $append}"
# The counters' own channel: a blank disk the guest writes a tar stream to.
if [[ -n $gcov_out ]]; then
	VMT_GCOV_DISK=$VMT_TMP/gcov.img
	append="vmtest.gcov=1 $append"
fi
gcov_disk() { [[ -z $gcov_out ]] || { rm -f "$VMT_GCOV_DISK" && truncate -s 64M "$VMT_GCOV_DISK"; }; }
gcov_disk || die "cannot create the GCOV disk in $VMT_TMP"
info "kernel $kernel, accel $accel${VMT_ACCEL_WHY:+ ($VMT_ACCEL_WHY)}, ${VMT_MEM} memory$( ((VMT_SMP != 2)) && echo ", $VMT_SMP CPUs"), timeout ${timeout} s"
boot_and_run "$accel" "$kernel" "$VMT_TMP/initramfs.cpio" \
	"$disk" "$append" "$timeout"
rc=$?
# A kernel that crashed before the runner printed a line has said nothing
# about the suite. Under TCG a 6.19.14 guest once died so in about 200
# boots (Oops: int3, see README): boot once more; a second such crash
# leaves no verdict (4), like a guest that does not boot.
crashed_before_runner() { ((rc == 1 && VMT_SPLAT)) && [[ ! -s $VMT_TMP/runner.log ]]; }
if crashed_before_runner; then
	info "the guest kernel crashed before the runner started (above); booting it once more"
	[[ -n $disk ]] && guest_disk "$disk" "$VMT_DISK_MB"
	gcov_disk || die "cannot create the GCOV disk in $VMT_TMP"
	boot_and_run "$accel" "$kernel" "$VMT_TMP/initramfs.cpio" \
		"$disk" "$append" "$timeout"
	rc=$?
	if crashed_before_runner; then
		info "the guest kernel crashed again before the runner started: no verdict"
		VMT_REASON="no verdict: the guest kernel crashed twice before the runner started; $VMT_REASON"
		rc=$VMT_EXIT_INFRA
	fi
fi
# The counters are the run's only product for coverage: none, no verdict.
if [[ -n $gcov_out ]] && ((rc <= 1)) &&
	! tar -xf "$VMT_GCOV_DISK" -C "$gcov_out" 2>/dev/null; then
	VMT_REASON="no verdict: --gcov: the guest sent no GCOV counters (see the runner's log)"
	info "$VMT_REASON"
	rc=$VMT_EXIT_INFRA
fi
write_results "$rc" "${VMT_REASON-}"

if [[ -n $outdir ]]; then
	mkdir -p "$outdir" &&
		cp "$VMT_TMP"/{runner,console,dmesg}.log "$outdir"/ 2>/dev/null
	# The runner's record as it sent it (a -r runner's own format).
	[[ -s $VMT_TMP/record.json ]] && cp "$VMT_TMP/record.json" "$outdir/record.json"
fi
tenths=$((($(date +%s%N) - start_ns) / 100000000))
info "verdict: exit $rc after $((tenths / 10)).$((tenths % 10)) s"
exit "$rc"
