# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the vmtest scripts, not run on its own.
# Shared by the vmtest scripts: messages, exit codes, the cache, cleanup.

# Exit codes of vmtest (0-3 are the runner's own, passed through). This
# file's variables are for the scripts that source it.
# shellcheck disable=SC2034
VMT_EXIT_USAGE=2	# bad command line (as the runner's "nothing selected")
VMT_EXIT_INFRA=4	# could not fetch, build or boot a guest, or it hung

VMTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034
REPO_DIR=$(dirname "$VMTEST_DIR")
VMTEST_CACHE=${VMTEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-dynptr-file-suite}

info() { printf 'vmtest: %s\n' "$*" >&2; }

# die [-c CODE] MESSAGE: print and exit (default: infrastructure error).
die()
{
	local code=$VMT_EXIT_INFRA

	if [[ ${1-} == -c ]]; then
		code=$2
		shift 2
	fi
	printf 'vmtest: error: %s\n' "$*" >&2
	exit "$code"
}

need_cmd()
{
	local cmd

	for cmd; do
		command -v "$cmd" >/dev/null 2>&1 ||
			die "$cmd not found; install it with 'make deps' (as root)"
	done
}

# One private temporary directory per run, removed on any exit. Processes
# registered with track_pid are killed first, so a Ctrl-C or a failure
# never leaves a qemu behind.
VMT_TMP=
VMT_PIDS=()

vmt_cleanup()
{
	local pid

	for pid in "${VMT_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${VMT_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	# A qemu whose timeout process was killed from outside is nobody's
	# child here: its pid file names it.
	for pid in ${VMT_TMP:+"$VMT_TMP"/*.pid}; do
		[[ -f $pid ]] && pid=$(<"$pid") && [[ $pid =~ ^[0-9]+$ ]] &&
			kill -KILL "$pid" 2>/dev/null
	done
	[[ -n $VMT_TMP ]] && rm -rf "$VMT_TMP"
	VMT_TMP=
}

vmt_init_tmp()
{
	local err

	if ! err=$(mktemp -d "${TMPDIR:-/tmp}/vmtest.XXXXXX" 2>&1); then
		tmp_room_fails "${TMPDIR:-/tmp}" &&
			die "cannot create a temporary directory: $VMT_TMP_FULL"
		die "cannot create a temporary directory in ${TMPDIR:-/tmp} (TMPDIR): ${err#mktemp: }"
	fi
	VMT_TMP=$err
	trap vmt_cleanup EXIT
	trap 'info "interrupted"; exit 130' INT
	trap 'info "terminated"; exit 143' TERM HUP
}

track_pid() { VMT_PIDS+=("$1"); }

# What a guest run writes in its temporary directory: its scratch disk (a
# sparse file of VMT_DISK_MB MiB that grows as the guest writes to it), the
# initramfs and the logs: VMT_TMP_NEED_MB in all.
# shellcheck disable=SC2034
VMT_DISK_MB=256
VMT_TMP_NEED_MB=$((VMT_DISK_MB + 32))

# fs_free_kb DIR: the kB this user may still write on DIR's filesystem.
fs_free_kb() { df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }'; }

# tmp_room_fails DIR: DIR's filesystem is full (a 64 KiB write fails for
# want of space); VMT_TMP_FULL then says so in one line, naming TMPDIR.
tmp_room_fails()
{
	local probe=$1/.vmtest-room.$$ free err

	err=$({ head -c 65536 /dev/zero >"$probe"; } 2>&1)
	rm -f "$probe"
	[[ $err == *"No space left"* || $err == *"quota exceeded"* ]] || return 1
	free=$(fs_free_kb "$1")
	VMT_TMP_FULL="the temporary directory's filesystem is full (TMPDIR=${TMPDIR:-/tmp}, ${free:-?} kB free): a run needs about $VMT_TMP_NEED_MB MB there (the guest's $VMT_DISK_MB MiB scratch disk, its initramfs and logs); free some space or point TMPDIR elsewhere"
}

# tmp_room_check: before a boot, TMPDIR has room for all a run may write,
# so that a guest's disk cannot fill it half-way (exits 4 otherwise).
tmp_room_check()
{
	local free

	tmp_room_fails "$VMT_TMP" && die "$VMT_TMP_FULL"
	free=$(fs_free_kb "$VMT_TMP")
	[[ -z $free ]] || ((free >= VMT_TMP_NEED_MB * 1024)) && return 0
	die "the temporary directory has too little room: $((free / 1024)) MB free in TMPDIR=${TMPDIR:-/tmp}, a run needs about $VMT_TMP_NEED_MB MB there (the guest's $VMT_DISK_MB MiB scratch disk, its initramfs and logs); free some space or point TMPDIR elsewhere"
}

# lock_wait FD FILE WHAT SECS: takes an exclusive lock on FD (open on FILE),
# saying what it waits for when another run holds it. Returns 1, saying so,
# when the lock cannot be had within SECS seconds.
lock_wait()
{
	flock -n "$1" && return 0
	info "waiting for another run that is $3 (lock $2)"
	flock -w "$4" "$1" && return 0
	info "gave up after $4 s waiting for the lock $2"
	return 1
}

# tree_lock SRC: holds SRC/.vmtest-lock for the rest of the process, so that
# two runs never build or plant bugs in one kernel tree at once (the tree
# vmtest/kernel-source.sh unpacks lives in the shared cache). Children
# inherit the lock through VMTEST_TREE_LOCK and do not take it again.
# Returns 1, saying why, when the lock cannot be had within an hour.
tree_lock()
{
	local fd

	[[ ${VMTEST_TREE_LOCK-} == "$1" ]] && return 0
	{ exec {fd}>>"$1/.vmtest-lock"; } 2>/dev/null || {
		info "cannot create the lock $1/.vmtest-lock (read-only tree?)"
		return 1
	}
	lock_wait "$fd" "$1/.vmtest-lock" "building in $1" 3600 || return 1
	export VMTEST_TREE_LOCK=$1
}
