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
