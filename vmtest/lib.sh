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
	VMT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmtest.XXXXXX") ||
		die "cannot create a temporary directory"
	trap vmt_cleanup EXIT
	trap 'info "interrupted"; exit 130' INT
	trap 'info "terminated"; exit 143' TERM HUP
}

track_pid() { VMT_PIDS+=("$1"); }

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
