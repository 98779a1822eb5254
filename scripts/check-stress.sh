#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-stress.sh QUIET: make check's stress step (docs/stress.md). QUIET is
# a vmtest run of the whole suite on one kernel (make check's matrix run of
# 7.3.4). Checks, each a line:
#  - the host's stress-ng ends with the shell that started it, however that
#    shell ends (exit, an error, SIGINT, SIGTERM, SIGHUP), and by its own
#    time limit when the shell is killed with SIGKILL;
#  - --stress refuses what it cannot do (-J, a missing quiet run);
#  - a stressed guest's initramfs, x86_64 (the host's stress-ng) and arm64
#    (Debian's, fetched), holds stress-ng, its loader and every library a
#    NEEDED entry names, recursively, all of the guest's architecture (no
#    boot); a stress-ng whose library is missing is refused, named;
#  - the comparison fails on a differing result and names the row;
#  - the native stress refuses a kernel without the kfunc (no verdict), or
#    runs where there is one;
#  - a guest whose stress-ng does not start gives a setup error (3);
#  - the suite under stress (vmtest.sh --stress=QUIET on QUIET's kernel)
#    gives every subtest QUIET's result, and the guest was stressed: its
#    stress-ng ran throughout and the kernel reclaimed pages meanwhile.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
source scripts/checks.sh
source vmtest/stress.sh

[[ $# == 1 && -e $1 ]] || { echo "usage: $0 QUIET (a kernel directory or results.json)" >&2; exit 2; }
quiet=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/check-stress.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export STRESS_HOST_CPUS=1

# gone PID...: none of these processes is left, within 10 s.
gone()
{
	local i pid

	for ((i = 0; i < 50; i++)); do
		for pid; do
			kill -0 "$pid" 2>/dev/null && break
			pid=
		done
		[[ -z ${pid-} ]] && return 0
		sleep 0.2
	done
	return 1
}

# host_stress_ends HOW [LIMIT]: a shell starts the host's stress-ng as
# vmtest --stress does, then ends HOW (exit, die, or a signal's name); its
# stress-ng and workers must be gone after.
host_stress_ends()
{
	local how=$1 limit=${2:-60} shell pids i sleeps

	set -m # a background shell takes SIGINT only with job control on
	# The shell writes the pids of stress-ng and of its workers once these
	# run, then ends HOW. Its temporary directory is made in $work: SIGKILL
	# leaves it behind, and $work goes at the end.
	TMPDIR=$work bash -c 'source vmtest/stress.sh; vmt_init_tmp; stress_host_trap
		stress_host_start "$2"
		for ((i = 0; i < 50; i++)); do
			pgrep -P "$STRESS_HOST_PID" >/dev/null && break
			sleep 0.2
		done
		{ echo "$STRESS_HOST_PID"; pgrep -P "$STRESS_HOST_PID"; } >"$3.part"
		mv "$3.part" "$3"
		case $1 in exit) exit 0 ;; die) die "planned" ;; esac
		sleep 600 & track_pid $!; wait $!' _ "$how" "$limit" "$work/pids" 2>/dev/null &
	shell=$!
	set +m
	for ((i = 0; i < 100; i++)); do
		[[ -s $work/pids ]] && break
		sleep 0.1
	done
	mapfile -t pids <"$work/pids"
	rm -f "$work/pids"
	# Its sleep, which SIGKILL leaves behind, is no stress-ng: ended here.
	mapfile -t sleeps < <(pgrep -x -P "$shell" sleep)
	[[ $how == exit || $how == die ]] || kill -"$how" "$shell"
	wait "$shell" 2>/dev/null
	((${#sleeps[@]})) && kill "${sleeps[@]}" 2>/dev/null
	((${#pids[@]} > 1)) || { echo "  no stress-ng workers seen"; return 1; }
	gone "${pids[@]}" || { echo "  left behind: ${pids[*]}"; kill "${pids[@]}" 2>/dev/null; return 1; }
}

for how in exit die INT TERM HUP; do
	check "host stress-ng ends when its shell ends by $how" host_stress_ends "$how"
done
# SIGKILL leaves no trap: stress-ng's own time limit (here 3 s) ends it.
check "host stress-ng ends by its time limit when its shell is killed (KILL)" host_stress_ends KILL 3

# Refused before anything runs: a results file of one run, a missing quiet run.
vmtest/vmtest.sh --stress -k 7.3.4 -J "$work/x.json" 2>/dev/null
rc=$?
check "--stress refuses -J (exit $rc)" test "$rc" = 2 -a ! -e "$work/x.json"
vmtest/vmtest.sh -k 7.3.4 --stress="$work/none" 2>/dev/null
rc=$?
check "--stress=QUIET refuses a missing QUIET (exit $rc)" test "$rc" = 2

# layout ARCH ROOT [SYSROOT]: vmtest's stressed-guest files for ARCH in
# ROOT (guest_stress), or with SYSROOT those of SYSROOT's stress-ng
# (stress_layout); the output of the run that fails.
layout()
{
	bash -c 'source vmtest/lib.sh; source "$VMTEST_DIR/kernel.sh"; source "$VMTEST_DIR/guest.sh"
		source "$VMTEST_DIR/boot.sh"; kernel_set_arch "$1"; mkdir -p "$2/vmtest"
		if [[ -n $3 ]]; then stress_layout "$2" "$3" /usr/bin/stress-ng; else guest_stress "$2"; fi' \
		_ "$1" "$2" "${3-}" 2>&1
}

# layout_complete ARCH ROOT: ROOT's stress-ng, its loader (PT_INTERP) and,
# for every ELF file in ROOT, each NEEDED library, in a directory a Debian
# loader of ARCH searches, all ARCH's (read here without vmtest's code).
layout_complete()
{
	local arch=$1 root=$2 t f so d found bad=0

	[[ $arch == arm64 ]] && t=aarch64-linux-gnu || t=x86_64-linux-gnu
	f=$(LC_ALL=C readelf -l "$root/usr/bin/stress-ng" | sed -n 's/.*interpreter: \(.*\)]$/\1/p')
	[[ -n $f && -f $root$f ]] || { echo "  no loader ${f:-(none named)}"; bad=1; }
	while IFS= read -r f; do
		LC_ALL=C readelf -h "$f" >/dev/null 2>&1 || continue
		[[ $(elf_machine "$f") == "$arch" ]] || { echo "  ${f#"$root"}: not $arch"; bad=1; }
		for so in $(LC_ALL=C readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			found=0
			for d in "/lib/$t" "/usr/lib/$t" /lib /usr/lib; do
				[[ -f $root$d/$so ]] && found=1
			done
			((found)) || { echo "  ${f#"$root"} needs $so: missing"; bad=1; }
		done
	done < <(find "$root" -type f)
	return $bad
}

incomplete() { ! layout_complete "$@" >/dev/null; }

source vmtest/elf.sh
for arch in x86_64 arm64; do
	layout "$arch" "$work/layout-$arch" | grep -v '^vmtest: fetching'
	check "a stressed $arch guest's stress-ng, loader and NEEDED libraries ($(find "$work/layout-$arch" -name '*.so*' | wc -l) files) are there" \
		layout_complete "$arch" "$work/layout-$arch"
done
# Either check can fail: a layout without one library is incomplete, and a
# stress-ng whose library is missing is refused with its name.
rm -f "$work/layout-arm64/lib/aarch64-linux-gnu/libz.so.1"
check "a layout without libz.so.1 is found incomplete" incomplete arm64 "$work/layout-arm64"
out=$(layout arm64 "$work/layout-bad" "$work/layout-arm64")
rc=$?
check "a stress-ng whose libz.so.1 is missing is refused (exit $rc), named" \
	test "$rc" = "$VMT_EXIT_INFRA" -a -n "$(grep 'libz.so.1, which stress-ng needs' <<<"$out")"

# The comparison must be able to fail: QUIET against itself with one
# subtest's result changed.
python3 - "$quiet" "$work/changed.json" <<'EOF'
import json, os, sys
src = sys.argv[1]
d = json.load(open(os.path.join(src, "results.json") if os.path.isdir(src) else src))
sub = next(s for t in d["results"] for s in t.get("subtests") or [] if s["result"] == "OK")
sub["result"] = "SKIP"
json.dump(d, open(sys.argv[2], "w"))
print(f"  changed: {sub['name']} OK -> SKIP")
EOF
out=$(STRESS_TALLY='' stress_compare "$quiet" "$work/changed.json" 2>&1)
rc=$?
check "the comparison fails on a changed subtest (exit $rc) and names it" \
	test "$rc" = 1 -a -n "$(grep '^differs: .*: PASS in .*, SKIP in ' <<<"$out")"

# Natively: this machine's kernel decides what can be checked.
out=$(scripts/stress-native.sh -o "$work/native" -- -t release 2>&1)
rc=$?
if LC_ALL=C grep -qa bpf_dynptr_from_file /sys/kernel/btf/vmlinux 2>/dev/null; then
	check "native stress on $(uname -r): the same results (exit $rc)" test "$rc" = 0
else
	check "native stress on $(uname -r) (no kfunc): no verdict, saying why (exit $rc)" \
		test "$rc" = "$VMT_EXIT_INFRA" -a -n "$(grep 'Linux 6.19 added it' <<<"$out")"
fi

kernel=$(vmtest/results.py field vmtest.kernel "$quiet") || exit 1
# A guest whose stress-ng cannot start (an argument it refuses) makes no
# stressed run: exit 3, nothing compared.
STRESS_VM=nonsense vmtest/vmtest.sh -k "$kernel" --stress="$quiet" -o "$work/bad" -- -t release \
	>"$work/bad.log" 2>&1
rc=$?
check "a guest whose stress-ng does not start: exit $rc (3), nothing compared" \
	test "$rc" = 3 -a -z "$(grep '^differs:' "$work/bad.log")"

# The suite under stress, on QUIET's kernel.
vmtest/vmtest.sh -k "$kernel" --stress="$quiet" -o "$work/run" 2>&1 | tee "$work/run.log" |
	grep -v '^#[0-9]'
rc=${PIPESTATUS[0]}
check "$kernel under stress = quiet, row by row (exit $rc)" test "$rc" = 0
reclaimed=$(sed -n 's/.*stress-ng stopped; the kernel reclaimed \([0-9]*\) pages.*/\1/p' "$work/run.log")
check "the guest was stressed throughout, its page cache reclaimed (${reclaimed:-no} pages)" \
	test "${reclaimed:-0}" -gt 0
checks_done
