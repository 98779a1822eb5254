#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# config-kernel.sh: does a kernel built from the suite's config run every
# subtest that Debian's kernel of the same version runs, with the same
# result? Builds the source tree with vmtest/build-kernel.sh (x86_64
# defconfig + config + fast.config), runs the whole suite on it and on
# Debian's cloud kernel of the same version, and compares the two results
# row by row (vmtest/report.py --same). A SKIP that only the built kernel
# has is a difference like any other: an option config lacks.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage()
{
	cat <<USAGE
Usage: vmtest/config-kernel.sh [-s SRC] [-b BUILD] [-k KERNEL] [-C JSON]
                               [-T SECS] [-o DIR]

  -s SRC     kernel source tree (default: Debian's linux-source-7.3, fetched
             and unpacked once into the cache by vmtest/kernel-source.sh)
  -b BUILD   build directory, reused between runs (default: SRC/.vmtest-build,
             as for build-kernel.sh and mutants.sh)
  -k KERNEL  the Debian kernel to compare with (default: the cloud kernel of
             the source package's upstream version, 7.3.4 for 7.3.4-1~bpo13+1;
             required with -s)
  -C JSON    use this earlier vmtest -J result of KERNEL instead of running it
  -T SECS    each guest's timeout (default 300)
  -o DIR     keep both runs (DIR/config/, DIR/debian/: logs and JSON) and
             the comparison (DIR/same.txt); default: a temporary directory
  -h         this help

Prints every row that differs, then "N passed, N failed" (rows).
Exit: 0 when every row is the same, 1 when one differs or the built kernel
gives no verdict, 2 on a usage error, 4 when a kernel cannot be built,
fetched or booted.
USAGE
}

src='' build='' kernel='' cloud_json='' timeout=300 keep=''
while getopts ":s:b:k:C:T:o:h" opt; do
	case $opt in
	s) src=$OPTARG ;;
	b) build=$OPTARG ;;
	k) kernel=$OPTARG ;;
	C) cloud_json=$OPTARG ;;
	T) timeout=$OPTARG ;;
	o) keep=$OPTARG ;;
	h) usage; exit 0 ;;
	:) die -c "$VMT_EXIT_USAGE" "option -$OPTARG needs an argument (see -h)" ;;
	*) die -c "$VMT_EXIT_USAGE" "unknown option -$OPTARG (see -h)" ;;
	esac
done
shift $((OPTIND - 1))
(($# == 0)) || die -c "$VMT_EXIT_USAGE" "unexpected argument '$1' (see -h)"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die -c "$VMT_EXIT_USAGE" "-T takes a number of seconds"
[[ -z $cloud_json || -f $cloud_json ]] || die -c "$VMT_EXIT_USAGE" "no such file: $cloud_json"
[[ -n $src && -z $kernel ]] &&
	die -c "$VMT_EXIT_USAGE" "-s needs -k: which Debian kernel has this tree's version?"
[[ -x $REPO_DIR/build/test_progs ]] ||
	die -c "$VMT_EXIT_USAGE" "no runner: run make first"

if [[ -z $src ]]; then
	src=$("$VMTEST_DIR/kernel-source.sh") || exit
	# 7.3.4-1~bpo13+1 -> 7.3.4: Debian's kernels carry the upstream version.
	version=$(basename "$src")
	version=${version#linux-source-*-}
	kernel=${version%%-*}
fi
[[ -f $src/Makefile && -d $src/kernel/bpf ]] ||
	die -c "$VMT_EXIT_USAGE" "$src is not a kernel source tree"
src=$(cd "$src" && pwd)
build=${build:-$src/.vmtest-build}
tree_lock "$src" || die "the kernel tree $src is in use"
# Building and booting: every tool, before the 30-minute build.
"$REPO_DIR/scripts/deps.sh" kbuild run >&2 ||
	die "tools are missing (scripts/deps.sh kbuild run names them)"

vmt_init_tmp
out=${keep:-$VMT_TMP}
mkdir -p "$out/config" "$out/debian" || die "cannot create $out"

info "building $src into $build (defconfig + config + fast.config; a first build takes about 30 min on 2 cores)"
t0=$SECONDS
image=$("$VMTEST_DIR/build-kernel.sh" "$src" "$build" 2>"$out/config/build.log") || {
	tail -n 15 "$out/config/build.log" >&2
	die "the kernel does not build (log: $out/config/build.log)"
}
echo $((SECONDS - t0)) >"$out/config/build-seconds"
info "built $image in $((SECONDS - t0)) s"

# run_suite LABEL KERNEL: the whole suite, its JSON in $out/LABEL/results.json.
run_suite()
{
	info "running the suite on $2"
	"$VMTEST_DIR/vmtest.sh" -k "$2" -T "$timeout" -o "$out/$1" \
		-J "$out/$1/results.json" </dev/null >"$out/$1/vmtest.log" 2>&1
	local rc=$?
	info "$1: $(tail -n 1 "$out/$1/vmtest.log") (vmtest exit $rc)"
	# Without a verdict (setup error, hang) the JSON still says why, and
	# report.py --same counts it as a difference.
	[[ -s $out/$1/results.json ]] ||
		die "no results from $2 (vmtest exit $rc): see $out/$1/vmtest.log"
}

run_suite config "$image"
if [[ -n $cloud_json ]]; then
	cp "$cloud_json" "$out/debian/results.json" || die "cannot copy $cloud_json"
else
	run_suite debian "$kernel"
fi

info "comparing the built kernel's results with Debian's $kernel, row by row"
python3 "$VMTEST_DIR/report.py" --same "$out/config/results.json" \
	"$out/debian/results.json" | tee "$out/same.txt"
rc=${PIPESTATUS[0]}
[[ -n $keep ]] && info "runs and comparison kept in $keep"
exit "$rc"
