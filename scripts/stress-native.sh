#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stress-native.sh [-r RUNNER] [-o DIR] [-- runner options]: vmtest.sh
# --stress on this machine's own kernel. Runs the runner (default
# build/test_progs, with the known-deviations file) quiet, then beside
# Debian's stress-ng (every CPU, memory pressure that drives the page cache
# out, IO on files beside the tests' scratch directory: the arguments of
# vmtest/stress.sh's stress_ng_args), and compares the two per subtest
# (vmtest/report.py --same). Run it as root on a 6.19+ kernel, with
# SCRATCH_DIR on an ext4 directory (as for the runner); stress-ng's files go
# to a directory of its own in it. STRESS_VM (default 75%) is the memory
# stress-ng keeps mapped: on a machine that runs other work, lower it.
#
# Exit 0 when every row is the same, 1 when a result differs (listed, both
# results), 2 on a usage error, 4 (no verdict) when this kernel cannot run
# the suite (no bpf_dynptr_from_file: before 6.19), a run left no results
# or stress-ng did not run throughout. With -o DIR the runs' JSON and
# output are kept there (quiet.json, stress.json, *.log).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
source vmtest/stress.sh
export STRESS_VM=${STRESS_VM:-75%}

usage() { sed -n '3,/^set -uo/{/^set/d;s/^# \{0,1\}//;p}' "$0"; }

runner=build/test_progs keep=''
while getopts ":r:o:h" opt; do
	case $opt in
	r) runner=$OPTARG ;;
	o) keep=$OPTARG ;;
	h) usage; exit 0 ;;
	*) die -c "$VMT_EXIT_USAGE" "usage: scripts/stress-native.sh [-r RUNNER] [-o DIR] [-- runner options]" ;;
	esac
done
shift $((OPTIND - 1))
[[ ${1-} == -- ]] && shift

# The kernel must have the kfunc, or every test skips and a comparison says
# nothing about load.
btf=/sys/kernel/btf/vmlinux
if ! LC_ALL=C grep -qa bpf_dynptr_from_file "$btf" 2>/dev/null; then
	die "this kernel ($(uname -r)) has no bpf_dynptr_from_file in $btf (Linux 6.19 added it): every test would skip, no verdict under stress; use vmtest.sh --stress"
fi
[[ -x $runner ]] || die "runner $runner not built: run 'make' first"
need_cmd stress-ng python3
vmt_init_tmp
work=${keep:-$VMT_TMP}
mkdir -p "$work" || die "cannot write $work"
# On the tests' filesystem (one device, one journal), in a directory of
# its own: the guest's layout.
stress_dir=$(mktemp -d "${SCRATCH_DIR:-/var/tmp}/.stress-ng.XXXXXX") ||
	die "cannot create stress-ng's directory in ${SCRATCH_DIR:-/var/tmp}"
STRESS_NATIVE_PID=
stop_native()
{
	[[ -n $STRESS_NATIVE_PID ]] && kill -INT "$STRESS_NATIVE_PID" 2>/dev/null &&
		wait "$STRESS_NATIVE_PID" 2>/dev/null
	STRESS_NATIVE_PID=
	rm -rf "$stress_dir"
}
trap 'stop_native; vmt_cleanup' EXIT

# run NAME: the runner, its JSON to $work/NAME.json; its exit code.
run()
{
	info "the $1 run: $runner ${*:2}"
	"$runner" -X known-deviations.ini "${@:2}" -J "$work/$1.json" >"$work/$1.log" 2>&1
}

run quiet "$@"
rc=$?
info "quiet: exit $rc ($(tail -n 1 "$work/quiet.log"))"
mapfile -t args < <(stress_ng_args native "$stress_dir")
stress-ng "${args[@]}" --metrics-brief >"$work/stress-ng.log" 2>&1 &
STRESS_NATIVE_PID=$!
# The memory worker fills its share before the stressed run starts.
sleep 20
kill -0 "$STRESS_NATIVE_PID" 2>/dev/null || die "stress-ng did not start: $(tail -n 3 "$work/stress-ng.log")"
run stress "$@"
rc=$?
info "stressed: exit $rc ($(tail -n 1 "$work/stress.log"))"
kill -0 "$STRESS_NATIVE_PID" 2>/dev/null ||
	die "stress-ng ended before the runner did: the run was not stressed throughout ($(tail -n 3 "$work/stress-ng.log"))"
stop_native
for f in quiet stress; do
	[[ -s $work/$f.json ]] || die "the $f run left no results ($work/$f.log)"
done
stress_compare "$work/quiet.json" "$work/stress.json"
