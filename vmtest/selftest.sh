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
# The splat scanner (build/kmsg-scan: runner/kmsg.c, the runner's own rules,
# through boot.sh's splat_lines), on made-up kernel logs (no boot): a splat
# a test declared is left to it; any other, inside or outside the window,
# is not. check_splats NAME WANT LINE...: the lines, each ending in CR LF
# as the guest's serial lines do, flag exactly the line numbers WANT.
check_splats()
{
	local name=$1 want=$2 got
	shift 2

	printf '%s\r\n' "$@" >"$work/kmsg.log"
	got=$(source "$here/lib.sh" && source "$here/boot.sh" &&
		splat_lines "$work/kmsg.log" 2>/dev/null | tr '\n' ' ')
	if [[ $got == "$want" ]]; then
		ok "splat scanner: $name"
	else
		not_ok "splat scanner: $name: flagged lines [$got], expected [$want]"
	fi
}
check_splats "declared splat tolerated, others flagged" "4 6 7 " '[ 1.0] boot' \
	'[ 2.0] vmtest: expect-splat begin read_write\.c:[0-9]+.*__kernel_read' \
	'[ 2.1] WARNING: fs/read_write.c:516 at __kernel_read+0x2a6/0x2f0, CPU#1: t/1' \
	'[ 2.2] WARNING: mm/filemap.c:99 at filemap_read+0x1/0x2, CPU#1: t/1' \
	'[ 2.3] vmtest: expect-splat end' \
	'[ 3.0] WARNING: CPU: 0 PID: 1 at fs/read_write.c:518 __kernel_read+0x1/0x2' \
	'[ 4.0] BUG: kernel NULL pointer dereference'
check_splats "a clean log" "" '[ 1.0] boot' '[ 2.0] all fine'
# Under a parent make (make vmtest), whose sub-makes print "Entering
# directory" on stdout: the scan's output is still line numbers alone.
MAKELEVEL=1 MAKEFLAGS=w check_splats "under a parent make (make vmtest)" "2 " \
	'[ 1.0] boot' '[ 2.0] BUG: kernel NULL pointer dereference'
check_splats "a window whose ERE matches none of its splats tolerates none" "2 3 " \
	'[ 1.0] vmtest: expect-splat begin no_such_function' \
	'[ 1.1] WARNING: fs/read_write.c:516 at __kernel_read+0x2a6/0x2f0' \
	'[ 1.2] Oops: general protection fault' '[ 1.3] vmtest: expect-splat end'
check_splats "CR LF lines: the CR is no part of the line an ERE sees" "" \
	'[ 1.0] vmtest: expect-splat begin __kernel_read\+0x2a6/0x2f0$' \
	'[ 1.1] WARNING: fs/read_write.c:516 at __kernel_read+0x2a6/0x2f0' \
	'[ 1.2] vmtest: expect-splat end'
check_splats "the same splat after the window's end is flagged" "4 " \
	'[ 1.0] vmtest: expect-splat begin __kernel_read' \
	'[ 1.1] WARNING: fs/read_write.c:516 at __kernel_read+0x2a6/0x2f0' \
	'[ 1.2] vmtest: expect-splat end' \
	'[ 1.3] WARNING: fs/read_write.c:516 at __kernel_read+0x2a6/0x2f0'
check_splats "an ERE that does not compile tolerates nothing" "2 " \
	'[ 1.0] vmtest: expect-splat begin __kernel_read(' \
	'[ 1.1] WARNING: fs/read_write.c:516 at __kernel_read+0x2a6/0x2f0' \
	'[ 1.2] vmtest: expect-splat end'
check_splats "every kind of splat is one" "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 " \
	'Kernel panic - not syncing: x' 'kernel BUG at mm/x.c:1!' 'BUG: KASAN: x' \
	'Oops: 0000 [#1]' 'general protection fault, probably x' 'UBSAN: shift-out-of-bounds' \
	'KFENCE: use-after-free' 'refcount_t: underflow; use-after-free.' \
	'list_add corruption. x' 'list_del corruption. x' 'RCU Stall x' \
	'rcu: INFO: rcu_sched detected stalls on CPUs' 'watchdog: BUG: soft lockup - CPU#0' \
	'NMI watchdog: Watchdog detected hard LOCKUP on cpu 1' \
	'INFO: task x:1 blocked; "echo 0 > /proc/sys/kernel/hung_task_timeout_secs"' \
	'WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2'
# -l, as vmtest's reason and mutants.sh's table read it: the first splat
# without its timestamp; and the exit code says whether there was one.
printf '%s\r\n' '[ 1.0] boot' '[    2.500000] BUG: kernel NULL pointer dereference' >"$work/kmsg.log"
got=$(make -s -C "$here/.." build/kmsg-scan && "$here/../build/kmsg-scan" -l "$work/kmsg.log")
rc=$?
check "kmsg-scan -l: the line number and the line without its timestamp, exit 1" \
	test "$got:$rc" = "2: BUG: kernel NULL pointer dereference:1"
"$here/../build/kmsg-scan" "$work/no-such.log" 2>/dev/null
check "kmsg-scan: an unreadable log is exit 2, not a clean one" test $? = 2
# A splat the runner saw in /dev/kmsg that the guest's final log lost (its
# ring wrapped): vmtest's reason is the runner's line, not its last one.
mkdir -p "$work/vmt"
echo 1 >"$work/vmt/result"
printf '%s\n' '#1 t:OK' 'test_progs: kernel splat during the run: BUG: x' '    BUG: x' \
	'1 passed, 0 failed, 0 skipped' >"$work/vmt/runner.log"
got=$(source "$here/lib.sh" && source "$here/boot.sh" && VMT_TMP=$work/vmt &&
	end_of_run 0 10 300 && echo "$VMT_RC: $VMT_REASON")
check "a splat only the runner saw: verdict 1 and the runner's line as the reason" \
	test "$got" = "1: runner exit 1: test_progs: kernel splat during the run: BUG: x"

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

# Two generations of one vmlinux.h at once, as two make runs in one fresh
# tree do: a bpftool that dumps slowly makes them overlap. Both must
# succeed and leave the header whole, and nothing beside it.
python3 -c 'import struct, sys
strs = b"\0bpf_dynptr_from_file\0"
types = struct.pack("<III", 0, 13 << 24, 0) + struct.pack("<III", 1, 12 << 24, 1)
hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strs))
sys.stdout.buffer.write(hdr + types + strs)' >"$work/types.btf"
printf '#!/bin/sh\necho "/* types of $4 */"; sleep 1; echo "/* end */"\n' >"$work/bpftool-slow"
chmod +x "$work/bpftool-slow"
mkdir -p "$work/fresh-build"
pids=()
for i in 1 2; do
	"$here/../scripts/vmlinux-h.sh" "$work/types.btf" "" "$work/bpftool-slow" \
		"$work/fresh-build/vmlinux.h" >"$work/gen$i.out" 2>&1 &
	pids+=($!)
done
wait "${pids[0]}"; ra=$?
wait "${pids[1]}"; rb=$?
left=$(find "$work/fresh-build" -mindepth 1 ! -name vmlinux.h -printf "%f ")
if ((ra == 0 && rb == 0)) && [[ -z $left ]] &&
   [[ $(tail -n 1 "$work/fresh-build/vmlinux.h") == "/* end */" ]]; then
	ok "vmlinux-h.sh: two generations at once into one build dir both succeed"
else
	not_ok "vmlinux-h.sh: two at once: exits $ra and $rb, left beside it: ${left:-nothing}"
	cat "$work/gen1.out" "$work/gen2.out" | sed 's/^/     | /'
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
# One kernel per run: a second -k is refused, pointing at matrix.sh; so is
# any other option given twice (each used to replace the first silently).
early "-k twice: refused, matrix.sh named" 2 \
	"option -k given twice \('6\.19\.14', then '7\.3\.4'\).*vmtest/matrix\.sh 6\.19\.14 7\.3\.4" -- -k 6.19.14 -k 7.3.4
for twice in "-T 100 -T 200" "-m 1G -m 2G" "-c 1 -c 2" "-a tcg -a kvm" "-r x -r y" "-X none -X none" \
	"-o $work/a -o $work/b" "-J $work/a.json -J $work/b.json" "--ktap $work/a.ktap --ktap $work/b.ktap" \
	"--junit=$work/a.xml --junit=$work/b.xml" "--arch x86_64 --arch arm64"; do
	read -ra words <<<"$twice"
	early "${words[0]%%=*} twice: refused" 2 "option ${words[0]%%=*} given twice" -- $twice
done
# Values qemu or the guest cannot use, refused before anything is built.
early "-T 0" 2 "-T takes a number of seconds from 1 to" -- -T 0
early "-T beyond its range" 2 "-T takes a number of seconds" -- -T 99999999999999999999
early "-m 1x" 2 "-m takes the guest's memory in MiB or GiB, such as 1G or 768M, not '1x'" -- -m 1x
early "-m too little" 2 "-m 16M is too little: the guest needs at least" -- -m 16M
early "-c 0" 2 "-c \(or VMTEST_SMP\) takes a number of CPUs from 1 to 255" -- -c 0
early "-c beyond qemu's limit for arm64" 2 "from 1 to 8 \(qemu's limit for an arm64 guest\), not '9'" -- --arch arm64 -c 9
early "runner -j 0" 2 "refuses its arguments \(exit 2\): .*-j wants a number" -- -- -j 0
# An arm64 Image without --arch: its header says arm64, so the runner
# missing is the arm64 one (a copy of vmtest/ whose tree has none).
mkdir -p "$work/repo" && cp -r "$here" "$work/repo/vmtest"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(56) + b"ARMd" + bytes(4032))' >"$work/arm64.img"
vmtest=$work/repo/vmtest/vmtest.sh early "an arm64 Image without --arch: make ARCH=arm64 named" 4 \
	"the kernel image $work/arm64.img is an arm64 kernel: its header says so\): run 'make ARCH=arm64' first" -- -k "$work/arm64.img" -X none
printf '[read_basic/x\nkernels = >=6.19\n' >"$work/bad.ini"
early "a malformed -X file, named by its host path, before the boot" 3 \
	"refuses its arguments \(exit 3\): test_progs: $work/bad.ini:1" -- -X "$work/bad.ini"
early "a runner option the runner lacks, before the boot" 2 \
	"unrecognized option '--no-such-option'" -- -- --no-such-option

# --- a stand-in kernel and qemu: what reaches qemu, and what it says ----
# An x86 boot header (HdrS, 4 setup sectors, no code) passes as a kernel
# image; the qemus below start no guest.
python3 -c 'import sys; b = bytearray(4096); b[0x202:0x206] = b"HdrS"; sys.stdout.buffer.write(b)' >"$work/x86.img"
rm -f "$work/qemu.calls"
VMTEST_QEMU=$work/qemu-rec expect "-A twice: both reach the kernel command line" 4 'qemu exited' -- \
	-k "$work/x86.img" -a tcg -A one=1 -A two=2
if grep -q ' one=1 two=2' "$work/qemu.calls" 2>/dev/null; then
	ok "-A twice: the guest gets 'one=1 two=2'"
else
	not_ok "-A twice: qemu got: $(head -c 300 "$work/qemu.calls" 2>/dev/null)"
fi
printf '#!/bin/sh\necho "qemu-system-x86_64: -m 1x: Parameter size expects a number" >&2\necho "Optional suffix k, M, G means kilo-, mega-, gigabytes" >&2\nexit 1\n' >"$work/qemu-fails2"
chmod +x "$work/qemu-fails2"
VMTEST_QEMU=$work/qemu-fails2 expect "qemu fails: its whole message, in the JSON too" 4 \
	'before the guest finished: qemu-system-x86_64: -m 1x: Parameter size expects a number Optional suffix k, M, G' -- \
	-k "$work/x86.img" -a tcg -J "$work/qemu2.json"
json_is "qemu fails: its whole message" "$work/qemu2.json" 4 'a number Optional suffix k, M, G means'

# --- a full TMPDIR, a full results disk (a tmpfs of 1 MiB, as root) ----
# tight MOUNT_OPTIONS CMD...: CMD with a tmpfs so mounted on $work/tight,
# filled first when the options say "full".
tight()
{
	local opts=$1
	shift
	mkdir -p "$work/tight"
	unshare --mount --propagation private -- sh -c '
		mount -t tmpfs -o size=1m none "$1" || exit 99
		[ "$2" = full ] && dd if=/dev/zero of="$1/fill" bs=64k 2>/dev/null
		shift 2
		exec "$@"' sh "$work/tight" "$opts" "$@" >"$work/out" 2>&1 </dev/null
}
# exits_4 NAME TEXT: the last tight run exited 4 and said TEXT.
exits_4()
{
	if ((rc == 4)) && grep -qF -- "$2" "$work/out"; then
		ok "$1"
	else
		not_ok "$1: exit $rc"
		sed 's/^/     | /' "$work/out" | tail -n 5
	fi
}
if ((EUID == 0)); then
	tight room env TMPDIR="$work/tight" "$vmtest" -k "$work/x86.img" -J "$work/room.json"
	rc=$?
	exits_4 "a TMPDIR without room for a run: exit 4, named before the boot" \
		"too little room: 1 MB free in TMPDIR=$work/tight, a run needs about"
	json_is "a TMPDIR without room: the -J file says so" "$work/room.json" 4 "too little room: 1 MB free in TMPDIR"
	tight full env TMPDIR="$work/tight" "$vmtest" -k "$work/x86.img" -J "$work/full.json"
	rc=$?
	exits_4 "a full TMPDIR: exit 4, named" "filesystem is full (TMPDIR=$work/tight"
	json_is "a full TMPDIR: the -J file says so" "$work/full.json" 4 "TMPDIR=$work/tight"
	tight full "$vmtest" -k "$work/x86.img" -J "$work/tight/r.json"
	rc=$?
	exits_4 "a -J file on a full disk: exit 4, where it could not be written named" \
		"cannot write the results file $work/tight/r.json: its filesystem is full"
	tight full "$vmtest" -k "$work/x86.img" -o "$work/tight/logs"
	rc=$?
	exits_4 "-o on a full disk: exit 4, named before the run" \
		"cannot keep the logs in $work/tight/logs (-o): its filesystem is full"
else
	skip "a full TMPDIR or results disk: needs root (a tmpfs is mounted)"
fi

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
# A guest that hangs, or a -T too short, looks the same: the limit is
# named, with what the guest was doing and what a run needs.
expect "guest hang" 4 'time limit reached: no result after 5 s \(-T 5\), qemu killed; the runner had not started \(the kernel.s last console line: .*give -T 60 or more' -- \
	-A vmtest.hang=1 -T 5 -J "$work/hang.json"
json_is "guest hang: verdict 4 and why" "$work/hang.json" \
	4 '^time limit reached: no result after 5 s' no-guest-json
expect "-T too short for the tests" 4 'time limit reached: no result after 45 s \(-T 45\), qemu killed; the runner was running \([0-9]+ results so far, the last: #1 adjust:' -- \
	-T 45 -J "$work/short.json" -- -t adjust,model_seq -s 1 --budget 600s
json_is "-T too short: no advice on known deviations" "$work/short.json" \
	4 '^(?!.*deviation)time limit reached: .*300 \(the default\) or more for the whole suite' no-guest-json

# TMPDIR fills during a run (another process takes its room once the
# runner runs): no verdict, the full disk named; never test FAILs, never a
# usage error (it was exit 2: an empty exit-code file read as a number).
if ((EUID == 0)); then
	mkdir -p "$work/fills"
	unshare --mount --propagation private -- bash -c '
		mount -t tmpfs -o size=$(($4 + 8))m none "$1" || exit 99
		TMPDIR=$1 "$2" -J "$3" -- -t read_basic,file_kinds </dev/null &
		for _ in $(seq 1800); do
			[[ -s $(echo "$1"/vmtest.*/runner.log) ]] && break
			sleep 0.1
		done
		dd if=/dev/zero of="$1/fill" bs=1M 2>/dev/null
		wait $!' sh "$work/fills" "$vmtest" "$work/fills.json" \
		"$(source "$here/lib.sh" && echo "$VMT_TMP_NEED_MB")" >"$work/out" 2>&1
	rc=$?
	if ((rc == 4)) && grep -q "^vmtest: no verdict: the temporary directory's filesystem is full (TMPDIR=$work/fills" "$work/out" &&
	   ! grep -q "numeric argument" "$work/out"; then
		ok "TMPDIR fills during a run: exit 4, the full disk named"
	else
		not_ok "TMPDIR fills during a run: exit $rc"
		sed 's/^/     | /' "$work/out" | tail -n 8
	fi
	json_is "TMPDIR fills during a run: no verdict, no results" "$work/fills.json" \
		4 "^no verdict: the temporary directory's filesystem is full .*it filled during the run" no-results
else
	skip "TMPDIR fills during a run: needs root (a tmpfs is mounted)"
fi
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
expect "an undeclared splat during a run: the runner itself fails the run" 1 \
	'test_progs: kernel splat during the run: WARNING: vmtest\.splat' -- \
	-A vmtest.splat=1 -J "$work/splat.json" -- -t read_basic
json_is "an undeclared splat during a run: verdict 1, the runner's record names it" \
	"$work/splat.json" 1 '^kernel splat in the guest: WARNING: vmtest\.splat' runner-splat
# A hardened kernel: what lockdown refuses is named in a SKIP, never a FAIL.
expect "lockdown=confidentiality: the program it refuses SKIPs naming it, exit 0" 0 \
	'untrusted_core_read_exe_file:SKIP \(kernel lockdown=confidentiality' -- \
	-k 7.3.4 -A lockdown=confidentiality -- -t verifier_file_dynptr
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
