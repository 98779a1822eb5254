#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh --stress[=QUIET] [vmtest options] [-- runner options]
#
# The suite under load must give the verdicts it gives quiet. Runs the
# suite twice on one kernel with the same build: once quiet (or takes the
# quiet run's results from QUIET, a vmtest -o directory or -J file of the
# same build and kernel), once while Debian's stress-ng loads the guest (its
# CPUs, memory pressure that drives the page cache out, IO on files of the
# scratch disk beside the tests' own) and the host (its CPUs), then compares
# the two per subtest (vmtest/report.py --same).
#
# Exit 0 when every row is the same, 1 when a result differs (the rows are
# listed, both results), 2 on a usage error, 4 when either run gave no
# verdict (the runs' own verdicts are compared, not judged: a kernel that
# fails a test quiet must fail it under stress). With -o DIR the runs are
# kept in DIR/quiet and DIR/stress (vmtest -o's files and results.json).
#
# Sourced (by guest.sh and scripts/stress-native.sh), it gives the one
# place that builds stress-ng's command line, stress_ng_args.

# Sourced by guest.sh, lib.sh is there already (and its state).
declare -F vmt_cleanup >/dev/null || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The stressed guest's scratch directory for stress-ng's own files: on the
# tests' ext4 disk (one device, one journal), never a file of theirs.
# shellcheck disable=SC2034 # for guest.sh
STRESS_GUEST_DIR=/scratch/.stress-ng
# Room on the scratch disk for those files (guest_disk adds it).
# shellcheck disable=SC2034 # for guest.sh
STRESS_DISK_MB=256

# stress_ng_args WHERE [DIR]: stress-ng's arguments, one a line. WHERE is
# guest or native: every CPU busy, memory pressure, and IO on files in DIR;
# or host: the CPUs only (the guest's memory and disk are qemu's). The
# memory worker maps and unmaps half of the memory over and over: with the
# IO workers' page cache beside it, the kernel must reclaim the cache all
# the time (the tests' proofs of residency and eviction meet that), yet the
# runner keeps the room it needs: no OOM kill (vmtest counts one as no
# verdict). No stressor that calls ioctl() (iomix does): under TCG one hit
# the int3 of lsm/file_ioctl's trampoline while a test attached there
# (Oops: int3, docs/stress.md).
stress_ng_args()
{
	local where=$1 dir=${2-}

	if [[ $where == host ]]; then
		printf '%s\n' --cpu "${STRESS_HOST_CPUS:-0}"
		return 0
	fi
	printf '%s\n' --cpu 0
	printf '%s\n' --vm 1 --vm-bytes "${STRESS_VM:-85%}" --vm-keep --vm-populate \
		--hdd 1 --hdd-bytes 64m --readahead 1 --readahead-bytes 128m \
		--temp-path "$dir"
}

# stress_host_start SECS: stress-ng loads the host's CPUs in the background
# for at most SECS seconds (its own --timeout: it ends even if this shell is
# killed with SIGKILL); its pid in STRESS_HOST_PID. stress_host_stop ends it:
# callers trap it on every exit (stress_host_trap).
STRESS_HOST_PID=
stress_host_start()
{
	local args

	need_cmd stress-ng
	mapfile -t args < <(stress_ng_args host)
	stress-ng "${args[@]}" --timeout "$1" --quiet </dev/null >/dev/null 2>&1 &
	STRESS_HOST_PID=$!
	info "stress-ng on the host (pid $STRESS_HOST_PID): ${args[*]}, at most $1 s"
}

stress_host_stop()
{
	local pid=$STRESS_HOST_PID

	[[ -n $pid ]] || return 0
	STRESS_HOST_PID=
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	info "stress-ng on the host stopped"
}

# stress_host_trap: stress_host_stop on every way out of this shell, the
# cleanup already trapped on EXIT (vmt_cleanup) kept.
stress_host_trap()
{
	trap 'stress_host_stop; vmt_cleanup' EXIT
	trap 'info "interrupted"; exit 130' INT
	trap 'info "terminated"; exit 143' TERM HUP
}

# stress_compare QUIET STRESSED: the per-subtest comparison; 0 or 1.
stress_compare()
{
	info "comparing the stressed run with the quiet one, row by row"
	python3 "$VMTEST_DIR/report.py" --same ${STRESS_TALLY:+--tally "$STRESS_TALLY"} "$1" "$2"
}

[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0
set -uo pipefail

# --- vmtest.sh --stress ---------------------------------------------------
# split_args ARGS...: vmtest's options into opts (-o DIR taken out, into
# keep) and the runner's (after --) into rargs; --stress[=QUIET] into quiet.
opts=() rargs=() keep='' quiet='' stress_seen=0
split_args()
{
	while (($#)); do
		case $1 in
		--) shift; rargs=("$@"); return 0 ;;
		--stress) stress_seen=1 ;;
		--stress=*) stress_seen=1 quiet=${1#*=} ;;
		-o) keep=${2-}; shift ;;
		-o?*) keep=${1#-o} ;;
		-J | -J?* | -K* | -U* | --ktap* | --junit*)
			die -c "$VMT_EXIT_USAGE" "with --stress, $1 is not taken: the two runs' results are in -o DIR (quiet/, stress/)" ;;
		*) opts+=("$1") ;;
		esac
		shift
	done
}

# vmtest_run NAME [ENV...]: one vmtest run into $work/NAME; its exit code.
vmtest_run()
{
	local name=$1
	shift

	mkdir -p "$work/$name" || die "cannot write $work/$name"
	env -u VMTEST_STRESS "$@" "$VMTEST_DIR/vmtest.sh" -T "$(guest_limit)" "${opts[@]}" -o "$work/$name" \
		-J "$work/$name/results.json" -- "${rargs[@]}"
}

# guest_limit: the stressed guest's timeout: -T, or by default 1200 s
# (stress slows a TCG guest down about three times).
guest_limit()
{
	local i t=1200

	for ((i = 0; i < ${#opts[@]}; i++)); do
		case ${opts[i]} in
		-T) t=${opts[i + 1]-} ;;
		-T?*) t=${opts[i]#-T} ;;
		esac
	done
	[[ $t =~ ^[0-9]+$ ]] && echo "$t" || echo 1200
}

stress_main()
{
	local rc qrc=0

	split_args "$@"
	((stress_seen)) || die -c "$VMT_EXIT_USAGE" "vmtest/stress.sh is vmtest.sh --stress: give --stress"
	[[ -z $quiet || -e $quiet ]] || die -c "$VMT_EXIT_USAGE" "--stress=$quiet: no such quiet run"
	need_cmd python3 stress-ng
	vmt_init_tmp
	work=${keep:-$VMT_TMP}
	stress_host_trap
	# The stressed run first: a guest that cannot be stressed (no stress-ng) is
	# said before a quiet run is spent. The host's stress-ng ends at most
	# a while after the guest's timeout, should this shell die without its
	# traps (SIGKILL).
	stress_host_start "$(($(guest_limit) + 120))"
	info "the stressed run: stress-ng in the guest and on the host"
	vmtest_run stress VMTEST_STRESS=1
	rc=$?
	stress_host_stop
	# stress-ng that did not run throughout (the guest said so, exit 3)
	# made no stressed run. A runner's setup error (ERROR) is a result:
	# compared.
	grep -qE 'vmtest-guest: stress-ng (did not start|ended before the runner)' \
		"$work/stress/runner.log" 2>/dev/null &&
		die -c 3 "stress-ng did not load the guest throughout (above): nothing to compare"
	if [[ -z $quiet ]] && ((rc != VMT_EXIT_USAGE && rc != VMT_EXIT_INFRA)); then
		info "the quiet run"
		vmtest_run quiet
		qrc=$?
		quiet=$work/quiet
	fi
	for r in "$qrc" "$rc"; do
		((r == VMT_EXIT_USAGE || r == VMT_EXIT_INFRA)) &&
			die -c "$r" "a run gave no verdict (exit $r, above): nothing to compare"
	done
	stress_compare "$quiet" "$work/stress"
}

stress_main "$@"
