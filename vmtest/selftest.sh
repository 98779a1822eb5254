#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest's own tests: bad input and broken guests give a clear message and
# the documented exit code, and leave no qemu, temporary file or FIFO
# behind. Needs the runner built (make) and a cached or fetchable kernel.
#
# --no-boot: only the checks that start no guest and fetch nothing (make
# selftest): arguments refused before anything slow, the splat scanner,
# and the readers of results on made-up runs. --guests: only the others
# (make check runs both, each once).
set -uo pipefail

part=${1-all}
case $part in
--no-boot | --guests | all) ;;
*) echo "usage: vmtest/selftest.sh [--no-boot | --guests]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vmtest=$here/vmtest.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/vmtest-selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$here/../scripts/checks.sh"

# leftovers: any vmtest temp dir or a qemu still using one.
leftovers()
{
	local left

	left=$(find "$work/tmp" -mindepth 1 -maxdepth 1 2>/dev/null)
	pgrep -f "$work/tmp" >/dev/null && left+=" running qemu"
	echo "$left"
}

# expect NAME RC PATTERN -- ARGS...: vmtest exits RC, its output matches the
# extended regex PATTERN, and nothing is left behind.
expect()
{
	local name=$1 want=$2 pattern=$3 rc left
	shift 4

	mkdir -p "$work/tmp"
	TMPDIR=$work/tmp "$vmtest" "$@" >"$work/out" 2>&1 </dev/null
	rc=$?
	left=$(leftovers)
	if ((rc != want)); then
		not_ok "$name: exit $rc, expected $want"
		sed 's/^/     | /' "$work/out" | tail -n 15
	elif ! grep -qE -- "$pattern" "$work/out"; then
		not_ok "$name: output lacks /$pattern/"
		sed 's/^/     | /' "$work/out" | tail -n 15
	elif [[ -n $left ]]; then
		not_ok "$name: left behind: $left"
	else
		ok "$name (exit $rc)"
	fi
}

# json_is NAME FILE VERDICT REASON_RE [CASE]...: FILE (vmtest -J) has
# verdict VERDICT, a reason matching REASON_RE, and holds each CASE
# (vmtest/selftest.py run checks them).
json_is()
{
	local name=$1 file=$2 err
	shift 2

	if err=$("$here/selftest.py" run "$file" "$@" 2>&1); then
		ok "-J: $name"
	else
		not_ok "-J: $name: $(tail -n 1 <<<"$err")"
		[[ -f $file ]] && sed 's/^/     | /' "$file" | head -n 12
	fi
}

# ===== what starts no guest and fetches nothing (--no-boot) =====
if [[ $part != --guests ]]; then
# The splat scanner, on made-up kernel logs (no boot): a splat a test
# declared is left to it; any other, inside or outside the window, is not.
check_splats()
{
	local name=$1 want=$2 got

	got=$(source "$here/lib.sh" && source "$here/boot.sh" &&
		splat_lines "$work/kmsg.log" 2>/dev/null | tr '\n' ' ')
	if [[ $got == "$want" ]]; then
		ok "splat scanner: $name"
	else
		not_ok "splat scanner: $name: flagged lines [$got], expected [$want]"
	fi
}
printf '%s\r\n' '[ 1.0] boot' \
	'[ 2.0] vmtest: expect-splat begin read_write\.c:[0-9]+.*__kernel_read' \
	'[ 2.1] WARNING: fs/read_write.c:516 at __kernel_read+0x2a6/0x2f0, CPU#1: t/1' \
	'[ 2.2] WARNING: mm/filemap.c:99 at filemap_read+0x1/0x2, CPU#1: t/1' \
	'[ 2.3] vmtest: expect-splat end' \
	'[ 3.0] WARNING: CPU: 0 PID: 1 at fs/read_write.c:518 __kernel_read+0x1/0x2' \
	'[ 4.0] BUG: kernel NULL pointer dereference' >"$work/kmsg.log"
check_splats "declared splat tolerated, others flagged" "4 6 7 "
printf '%s\r\n' '[ 1.0] boot' '[ 2.0] all fine' >"$work/kmsg.log"
check_splats "a clean log" ""


# report.py on made-up results (no boot): cells, NOVERDICT, links, exit code.
rep=$here/testdata/report
"$here/report.py" -q -o "$work/rep/out" "$rep/k1" "$rep/k2" "$rep/k3" "$work/rep/missing"
rc=$?
if ((rc == 1)) && "$here/selftest.py" matrix "$work/rep/out"; then
	ok "report.py: cells, NOVERDICT, log links, exit 1"
else
	not_ok "report.py on made-up results (exit $rc)"
fi
# results.py, the reader scripts ask: failures, counts, verdicts, a field.
got=$("$here/results.py" failed "$rep/k1"
	"$here/results.py" counts "$rep/k1" "$rep/k2" "$rep/k3" || echo "exit $?"
	"$here/results.py" verdict "$rep/k2" "$rep/k3" || echo "exit $?"
	"$here/results.py" field vmtest.seconds "$rep/k1"
	"$here/results.py" field units.passed "$rep/k3" 2>/dev/null || echo "exit $?"
	"$here/results.py" failed "$rep/k3" 2>/dev/null || echo "exit $?")
want="alpha/two:FAIL
2 passed, 1 failed, 4 skipped
exit 1
6.18.15: exit 0 (all passed)
7.3.4: exit 4 (no verdict), no results: guest hang: no result after 300 s
exit 1
20.5
exit 1
exit 1"
if [[ $got == "$want" ]]; then
	ok "results.py failed, counts, verdict, field: one kernel's failures, totals, verdicts"
else
	not_ok "results.py failed/counts/verdict/field: got '${got//$'\n'/ | }'"
fi
# Setup errors (ERROR) on a made-up run (no boot): failures, kept apart
# from the kernel's in the counts, KTAP, JUnit, summary and matrix.
if err=$("$here/selftest.py" setup-errors "$here/testdata/error" 2>&1); then
	ok "results.py, report.py: a setup error fails, apart from the kernel's failures, in every format"
else
	not_ok "setup errors on a made-up run: $err"
fi
# history.py on made-up runs (no boot): a fix, a flip that a re-run calls a
# flake, the backport view, and a known-deviations range it contradicts.
hist=$here/testdata/history
printf '[t/fix]\nkernels = >=6.19 <7.1\nrule = R-X-1\nreference = r\nreason = r\n' >"$work/dev.ini"
rerun=$("$here/history.py" --list-rerun "$hist/7.2.9" "$hist/7.1.13" "$hist/7.2.6" "$hist/7.0.4")
"$here/history.py" -o "$work/hist/out" --for 7.1.13 --rerun "$hist/rerun" -X "$work/dev.ini" \
	"$hist/7.2.9" "$hist/7.1.13" "$hist/7.2.6" "$hist/7.0.4" >"$work/out" 2>&1
rc=$?
if ((rc == 1)) && [[ $rerun == 7.2.6 ]] && "$here/selftest.py" history "$work/hist/out/history.json"; then
	ok "history.py: ranges, a fix with its range and bisect command, a flake, backport view, a stale entry (exit 1)"
else
	not_ok "history.py on made-up runs (exit $rc, re-run: ${rerun:-none})"
	sed 's/^/     | /' "$work/out" | tail -n 15
fi
"$here/matrix.sh" -x >"$work/out" 2>&1
rc=$?
if ((rc == 2)) && grep -q 'unknown option -x' "$work/out"; then
	ok "matrix.sh: a usage error exits 2"
else
	not_ok "matrix.sh: usage error: exit $rc"
fi

# --- arguments are checked before anything slow ------------------------
# early NAME RC PATTERN -- ARGS: as expect, and qemu never started (a qemu
# that only records its calls stands in for the real one).
printf '#!/bin/sh\necho "$*" >>"%s/qemu.calls"\nexit 1\n' "$work" >"$work/qemu-rec"
chmod +x "$work/qemu-rec"
early()
{
	rm -f "$work/qemu.calls"
	VMTEST_QEMU=$work/qemu-rec expect "$@"
	[[ ! -e $work/qemu.calls ]] || not_ok "$1: qemu was started ($(head -n 1 "$work/qemu.calls"))"
}
early "unknown option" 2 'unknown option -x' -- -x
early "missing option argument" 2 'needs an argument' -- -k
early "bad accelerator" 2 'kvm, tcg or auto' -- -a fast
early "malformed kernel version" 2 'neither a kernel image path' -- -k six
early "a version without -k" 2 "unexpected argument '6\.19\.14' \(a kernel is given with -k" -- 6.19.14
early "a long option" 2 'unknown option --bogus' -- --bogus
early "unknown kernel flavour" 2 "unknown kernel flavour 'arm65'" -- -k arm65:6.19.14
early "a flavour of another architecture" 2 'flavour arm64-16k is an arm64 kernel, not x86_64' -- --arch x86_64 -k arm64-16k:7.3.4
early "unknown architecture" 2 "unknown architecture 'sparc'" -- --arch sparc
early "missing kernel file" 4 'no such readable file' -- -k "$work/none.img"
head -c 200000 /dev/urandom >"$work/garbage.img"
early "corrupt kernel image" 4 'not a bootable x86_64 or arm64 kernel' -- -k "$work/garbage.img"
# An arm64 EFI image whose one section ends at 1 MiB, cut at 64 KiB.
"$here/selftest.py" arm64-cut "$work/arm64-cut.img"
early "truncated arm64 image" 4 'is truncated: 65536 bytes, its boot header says at least 1048576' -- -k "$work/arm64-cut.img"
printf '[read_basic/x\nkernels = >=6.19\n' >"$work/bad.ini"
early "a malformed -X file, named by its host path, before the boot" 3 \
	"refuses its arguments \(exit 3\): test_progs: $work/bad.ini:1" -- -X "$work/bad.ini"
early "a runner option the runner lacks, before the boot" 2 \
	"unrecognized option '--no-such-option'" -- -- --no-such-option

fi
if [[ $part == --no-boot ]]; then
	checks_done
	exit
fi

# --- what needs a kernel, its package lists or a guest -----------------
kernel=$("$vmtest" -h >/dev/null && source "$here/lib.sh" &&
	source "$here/kernel.sh" && kernel_parse "" && kernel_resolve)
head -c 1000000 "$kernel" >"$work/truncated.img"

expect "kernel version Debian lacks" 4 'Debian has no cloud-amd64 kernel 1\.2\.3' -- -k 1.2.3 -J "$work/nokernel.json"
json_is "no such kernel: verdict 4 and why" "$work/nokernel.json" \
	4 'no cloud-amd64 kernel 1\.2\.3' no-kernel
expect "truncated kernel image" 4 'is truncated: 1000000 bytes, its boot header says at least' -- -k "$work/truncated.img" -T 30
VMTEST_QEMU=/nonexistent/qemu-system-x86_64 \
	expect "qemu missing" 4 'qemu-system-x86_64 not found' --
expect "guest hang" 4 'guest hang: no result after 5 s' -- -A vmtest.hang=1 -T 5 -J "$work/hang.json"
json_is "guest hang: verdict 4 and why" "$work/hang.json" \
	4 '^guest hang: no result after 5 s' no-guest-json
expect "kernel panic during a run" 1 'kernel splat in the guest.*|Kernel panic - not syncing' -- \
	-A "vmtest.sysrq=c vmtest.sysrq_late=1" -J "$work/panic.json"
json_is "kernel panic during a run: verdict 1 and the splat" "$work/panic.json" \
	1 '^kernel splat in the guest' no-results
if grep -q 'booting it once more' "$work/out"; then
	not_ok "kernel panic during a run: not booted again"
else
	ok "kernel panic during a run: not booted again"
fi
expect "kernel panic before the runner: booted once more, then no verdict" 4 \
	'crashed again before the runner started: no verdict' -- -A vmtest.sysrq=c -J "$work/early.json"
json_is "kernel panic before the runner: verdict 4, the splat, two boots" "$work/early.json" \
	4 '^(?=.*crashed twice before the runner started).*kernel splat in the guest' no-results
if [[ $(grep -c 'booting it once more' "$work/out") == 1 ]]; then
	ok "kernel panic before the runner: exactly one more boot"
else
	not_ok "kernel panic before the runner: exactly one more boot"
fi
expect "runner exit code passes through" 2 'no test' -- -J "$work/none.json" -- -t no_such_test
json_is "no test selected: verdict 2 and the runner's message" "$work/none.json" \
	2 'no test matches' no-results
expect "a run with -J" 0 '2 passed, 0 failed, 0 skipped' -- -J "$work/sub/dir/ok.json" -- -t read_basic
json_is "the runner's record, carried out of the guest" "$work/sub/dir/ok.json" 0 '^$' record

# --- how a run ends, named the same in the console and the JSON ---------
# ends NAME RC PATTERN -- ARGS: as expect, with -J; the JSON's reason
# matches PATTERN too.
ends()
{
	local name=$1 rc=$2 pattern=$3
	shift 4
	expect "$name" "$rc" "$pattern" -- -J "$work/end.json" "$@"
	json_is "$name: the same reason" "$work/end.json" "$rc" "$pattern"
}
ends "the runner crashes" 4 'no verdict: the runner crashed, killed by SIGSEGV' -- \
	-A vmtest.runner_signal=SEGV -- -t read_basic
ends "the guest runs out of memory" 4 'no verdict: the guest ran out of memory \(Out of memory: Killed process' -- \
	-A vmtest.oom=1 -- -t read_basic
printf '#!/bin/sh\necho "qemu-system-x86_64: -drive file=x: Could not open x: Permission denied" >&2\nexit 1\n' >"$work/qemu-fails"
chmod +x "$work/qemu-fails"
VMTEST_QEMU=$work/qemu-fails ends "qemu exits early" 4 \
	'qemu exited with status 1 after [0-9]+ s, before the guest finished: qemu-system-x86_64: -drive file=x: Could not open' -- -a tcg

# qemu killed from outside (kill -9) while the guest runs.
mkdir -p "$work/tmp"
TMPDIR=$work/tmp "$vmtest" -A vmtest.hang=1 -T 120 -J "$work/killed.json" >"$work/out" 2>&1 </dev/null &
job=$! qpid=
for _ in $(seq 200); do
	qpid=$(pgrep -f "^qemu-system[^ ]* .*$work/tmp.*nvme" | head -n 1)
	[[ -n $qpid ]] && break
	sleep 0.1
done
sleep 2
[[ -n $qpid ]] && kill -KILL "$qpid"
wait "$job"
rc=$?
if ((rc == 4)) && grep -q "qemu was killed by SIGKILL after [0-9]* s, not by vmtest's time limit (120 s)" "$work/out" &&
   [[ -z $(leftovers) ]]; then
	ok "qemu killed: named as such, exit 4, nothing left"
else
	not_ok "qemu killed: exit $rc"
	sed 's/^/     | /' "$work/out" | tail -n 6
fi
json_is "qemu killed: the same reason" "$work/killed.json" 4 '^qemu was killed by SIGKILL'

# --- no BPF LSM: a healthy kernel is not reported broken ----------------
expect "no BPF LSM (lsm= without bpf): exit 0, nothing failed" 0 \
	'^[0-9]+ passed, 0 failed, [0-9]+ skipped$' -- -A "lsm=lockdown,capability,yama" -J "$work/nolsm.json"
json_is "no BPF LSM: the skips name it, verifier and program-type checks still run" "$work/nolsm.json" \
	0 '' no-lsm

# --- a KVM that cannot run the guest costs one probe ---------------------
# A qemu that, like one under kvm_pvm, reports a KVM error at once and then
# hangs; a writable stand-in for /dev/kvm; a private accelerator cache.
cat >"$work/qemu-pvm" <<QEMU
#!/bin/bash
echo "\$*" >>"$work/pvm.calls"
for a; do
	if [[ \$a == kvm ]]; then
		echo "KVM internal error. Suberror: 1" >&2
		exec sleep 120
	fi
done
exec qemu-system-x86_64 "\$@"
QEMU
chmod +x "$work/qemu-pvm"
: >"$work/kvm"
export VMTEST_ACCEL_CACHE=$work/accel
VMTEST_QEMU=$work/qemu-pvm VMTEST_KVM_DEV=$work/kvm \
	expect "broken KVM: the probe gives up on the KVM error (not its 30 s limit)" 0 \
	'accel tcg \(the KVM probe boot failed after [0-9]+\.[0-9]+ s: KVM internal error' -- -- -t read_basic
VMTEST_QEMU=$work/qemu-pvm VMTEST_KVM_DEV=$work/kvm \
	expect "broken KVM: the answer is remembered" 0 'found by an earlier probe, kept in' -- -- -t read_basic
# "At once" is not a clock: -a kvm boots nothing after the probe (here the
# answer kept above: no qemu at all; without it, the probe's one qemu).
rm -f "$work/pvm.calls"
VMTEST_QEMU=$work/qemu-pvm VMTEST_KVM_DEV=$work/kvm \
	expect "-a kvm where KVM fails: a clear error" 4 \
	'-a kvm: KVM cannot run the guest on this machine: the KVM probe boot failed' -- -a kvm
calls=$(cat "$work/pvm.calls" 2>/dev/null)
if [[ $(grep -c '' <<<"$calls") -le 1 ]] && ! grep -qv -e kvm -e '^$' <<<"$calls"; then
	ok "-a kvm where KVM fails: no boot, at most the probe's qemu"
else
	not_ok "-a kvm where KVM fails: qemu ran as: ${calls//$'\n'/ | }"
fi
unset VMTEST_ACCEL_CACHE
pgrep -f "$work/qemu-pvm" >/dev/null && not_ok "broken KVM: a probe qemu was left running"

# --- a cache of its own: cold, shared by two runs, damaged, read-only ---
cache=$work/cache
# two NAME [-k KERNEL]: two runs at once on $cache; both must pass, the
# lists updated once and the kernel fetched at most once between them.
two()
{
	local name=$1 a b ra rb fetched updated
	shift
	VMTEST_CACHE=$cache "$vmtest" "$@" -- -t read_basic >"$work/one.out" 2>&1 </dev/null &
	a=$!
	VMTEST_CACHE=$cache "$vmtest" "$@" -- -t read_basic >"$work/two.out" 2>&1 </dev/null &
	b=$!
	wait "$a"; ra=$?
	wait "$b"; rb=$?
	fetched=$(cat "$work/one.out" "$work/two.out" | grep -c 'fetching linux-')
	updated=$(cat "$work/one.out" "$work/two.out" | grep -c 'updating Debian package lists')
	if ((ra == 0 && rb == 0 && fetched <= 1 && updated == 1)); then
		ok "$name: both pass; the lists updated once, the kernel fetched $fetched time(s)"
	else
		not_ok "$name: exits $ra and $rb, $updated list updates, $fetched fetches"
		tail -n 4 "$work/one.out" "$work/two.out" | sed 's/^/     | /'
	fi
}
two "two runs at once on a cold cache" -k 6.19.14
# The default kernel (no -k) is looked up in the lists: stale ones refresh.
touch -d '2 days ago' "$cache/apt/lists/.updated"
two "two runs at once with stale package lists"

img=$cache/kernels/6.19.14/vmlinuz
truncate -s 1000000 "$img"
VMTEST_CACHE=$cache expect "a truncated kernel in the cache is fetched again" 0 \
	'the cached kernel is damaged \(.*does not match the checksum recorded' -- -k 6.19.14 -- -t read_basic
# Offline: apt-get cannot download; the damage is reported with the path.
mkdir -p "$work/offline"
printf '#!/bin/sh\nfor a; do [ "$a" = download ] && { echo "E: Failed to fetch http://deb.debian.org/x  Temporary failure resolving" >&2; exit 100; }; done\nexec /usr/bin/apt-get "$@"\n' >"$work/offline/apt-get"
chmod +x "$work/offline/apt-get"
truncate -s 1000000 "$img"
PATH=$work/offline:$PATH VMTEST_CACHE=$cache expect "a damaged kernel, offline: reported with its path" 4 \
	"the cached kernel 6\.19\.14 is damaged \($img does not match" -- -k 6.19.14
rm -rf "$cache"

ro=$work/ro
mkdir -p "$ro"
# limited_cache MOUNT_OPTIONS: vmtest with a cold cache on a tmpfs mounted so.
limited_cache()
{
	unshare --mount --propagation private -- sh -c '
		mount -t tmpfs -o "$1" none "$2" && VMTEST_CACHE=$2 TMPDIR=$3 exec "$4" -k 6.19.14' \
		sh "$1" "$ro" "$work/tmp" "$vmtest" >"$work/out" 2>&1 </dev/null
}
for kind in "read-only:ro:is not writable (read-only?)" "full:size=1m:is full ("; do
	IFS=: read -r what opts says <<<"$kind"
	limited_cache "$opts"
	rc=$?
	if ((rc == 4)) && grep -qF "the cache directory $ro" "$work/out" && grep -qF "$says" "$work/out" &&
	   grep -qF "VMTEST_CACHE (now $ro)" "$work/out" && [[ $(grep -c 'error' "$work/out") == 1 ]]; then
		ok "a $what cache: one line naming it and VMTEST_CACHE"
	else
		not_ok "a $what cache: exit $rc"
		sed 's/^/     | /' "$work/out" | tail -n 5
	fi
done

# --- matrix output from an earlier run is not mixed in ------------------
mkdir -p "$work/m/9.9.9"
echo '{"verdict": 0, "kernel": "9.9.9", "results": []}' >"$work/m/9.9.9/results.json"
"$here/matrix.sh" -j 1 -o "$work/m" -t read_basic 6.19.14 >"$work/out" 2>&1
rc=$?
if ((rc == 0)) && [[ ! -e $work/m/9.9.9 ]] && ! grep -q 9.9.9 "$work/m/matrix.md"; then
	ok "matrix.sh: an earlier run's kernel is not in the new matrix"
else
	not_ok "matrix.sh: an earlier run mixed in (exit $rc)"
fi

# A kernel whose first run gave no verdict (a qemu that fails once, as a
# busy host's can) is run again: the re-run is its column, the first run
# kept and listed; the matrix passes (a one-time difference fails nothing).
printf '#!/bin/sh\ncase "$*" in *nvme*) [ -e "%s/failed-once" ] || { : >"%s/failed-once"; echo "qemu-system-x86_64: failing once" >&2; exit 1; } ;; esac\nexec qemu-system-x86_64 "$@"\n' \
	"$work" "$work" >"$work/qemu-once"
chmod +x "$work/qemu-once"
VMTEST_QEMU=$work/qemu-once "$here/matrix.sh" -j 1 -o "$work/mr" -t read_basic 6.19.14 >"$work/out" 2>&1
rc=$?
if ((rc == 0)) && [[ -e $work/failed-once ]] &&
	"$here/results.py" verdict "$work/mr/6.19.14" >/dev/null &&
	! "$here/results.py" verdict "$work/mr/6.19.14/first-run" >/dev/null &&
	grep -q '^- \*\*6.19.14\*\*: first run exit 4 (no verdict), no results: qemu exited' "$work/mr/matrix.md"; then
	ok "matrix.sh: a kernel without a verdict runs again; the re-run is its column, the first listed"
else
	not_ok "matrix.sh: re-run of a kernel without a verdict (exit $rc)"
	sed 's/^/     | /' "$work/out" | tail -n 8
fi
# A qemu that always fails: run again once, no verdict again, the matrix fails.
VMTEST_QEMU=$work/qemu-fails "$here/matrix.sh" -j 1 -o "$work/mf" -t read_basic 6.19.14 >"$work/out" 2>&1
rc=$?
if ((rc == 1)) && [[ $(grep -c '6.19.14: starting' "$work/out") == 2 ]] &&
	! "$here/results.py" verdict "$work/mf/6.19.14" "$work/mf/6.19.14/first-run" >/dev/null; then
	ok "matrix.sh: a kernel without a verdict twice fails the matrix (exit 1), run twice only"
else
	not_ok "matrix.sh: a kernel without a verdict twice: exit $rc"
	sed 's/^/     | /' "$work/out" | tail -n 8
fi

# Ctrl-C while the guest runs: exit 130, nothing left behind. Job control
# gives the background job its own process group. SIGINT may be ignored
# where this runs (a shell started in the background ignores it, and a
# signal ignored on entry cannot be trapped): vmtest gets it back at its
# default, as from a terminal. The signal is sent once qemu runs (under
# load that can take a while), never before.
mkdir -p "$work/tmp"
set -m
TMPDIR=$work/tmp "$here/selftest.py" sigint-default "$vmtest" -A vmtest.hang=1 -T 120 -J "$work/int.json" \
	>"$work/out" 2>&1 </dev/null &
job=$!
set +m
for _ in $(seq 600); do
	pgrep -f "$work/tmp.*nvme" >/dev/null && break
	sleep 0.1
done
pgrep -f "$work/tmp.*nvme" >/dev/null || echo "     | qemu did not start within 60 s; interrupting anyway"
kill -INT -- -"$job"
wait "$job"
rc=$?
left=$(leftovers)
if ((rc == 130)) && [[ -z $left ]] && grep -q interrupted "$work/out"; then
	ok "Ctrl-C during a run (exit 130, nothing left)"
else
	not_ok "Ctrl-C during a run: exit $rc, left: ${left:-nothing}"
	sed 's/^/     | /' "$work/out" | tail -n 10
fi
json_is "Ctrl-C: verdict 130, interrupted" "$work/int.json" 130 '^interrupted$'

checks_done
