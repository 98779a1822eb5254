#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest's own tests: bad input and broken guests give a clear message and
# the documented exit code, and leave no qemu, temporary file or FIFO
# behind. Needs the runner built (make) and a cached or fetchable kernel.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vmtest=$here/vmtest.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/vmtest-selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

ok() { echo "ok   $*"; pass=$((pass + 1)); }
not_ok() { echo "FAIL $*"; fail=$((fail + 1)); }

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
	elif ! grep -qE "$pattern" "$work/out"; then
		not_ok "$name: output lacks /$pattern/"
		sed 's/^/     | /' "$work/out" | tail -n 15
	elif [[ -n $left ]]; then
		not_ok "$name: left behind: $left"
	else
		ok "$name (exit $rc)"
	fi
}

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

head -c 200000 /dev/urandom >"$work/garbage.img"
kernel=$("$vmtest" -h >/dev/null && source "$here/lib.sh" &&
	source "$here/kernel.sh" && kernel_resolve "")
head -c 1000000 "$kernel" >"$work/truncated.img"

expect "unknown option" 2 'unknown option -x' -- -x
expect "missing option argument" 2 'needs an argument' -- -k
expect "bad accelerator" 2 'kvm, tcg or auto' -- -a fast
expect "malformed kernel version" 2 'neither a kernel image path' -- -k six
expect "kernel version Debian lacks" 4 'Debian has no cloud kernel 1\.2\.3' -- -k 1.2.3
expect "missing kernel file" 4 'no such readable file' -- -k "$work/none.img"
expect "corrupt kernel image" 4 'not a bootable x86 kernel' -- -k "$work/garbage.img"
expect "truncated kernel image" 4 'stopped without a result|guest hang' -- -k "$work/truncated.img" -T 30
VMTEST_QEMU=/nonexistent/qemu-system-x86_64 \
	expect "qemu missing" 4 'qemu-system-x86_64 not found' --
expect "guest hang" 4 'guest hang: no result after 5 s' -- -A vmtest.hang=1 -T 5
expect "kernel panic" 1 'kernel splat in the guest.*|Kernel panic - not syncing' -- -A vmtest.sysrq=c
expect "runner exit code passes through" 2 'no test' -- -- -t no_such_test

# Ctrl-C while the guest runs: exit 130, nothing left behind. Job control
# gives the background job its own process group, with SIGINT not ignored.
mkdir -p "$work/tmp"
set -m
TMPDIR=$work/tmp "$vmtest" -A vmtest.hang=1 -T 60 >"$work/out" 2>&1 </dev/null &
job=$!
set +m
for _ in $(seq 100); do
	pgrep -f "$work/tmp.*nvme" >/dev/null && break
	sleep 0.1
done
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

echo "$pass passed, $fail failed"
((fail == 0))
