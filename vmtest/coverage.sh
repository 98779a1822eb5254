#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# coverage.sh: which lines and branches of the file-dynptr code a runner
# reaches. Builds Debian's linux-source-7.3 from the suite's config with
# GCOV for kernel/bpf/helpers.c, kernel/bpf/verifier.c and lib/buildid.c
# only (build-kernel.sh --gcov), boots it once per runner with the counters
# zeroed (vmtest --gcov brings them back over a disk of their own, not the
# console), and turns each run's counters into an lcov tracefile, genhtml
# pages and, through scripts/coverage.py, one table per function of
# vmtest/coverage.ini (docs/coverage.md).
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage()
{
	cat <<USAGE
Usage: vmtest/coverage.sh [-s SRC] [-b BUILD] [-o DIR] [-T SECS]
                          [-x NAME=COMMAND]... [-- runner options]

  -s SRC     kernel source tree (default: Debian's linux-source-7.3, fetched
             and unpacked once into the cache by vmtest/kernel-source.sh)
  -b BUILD   the GCOV build directory, reused (default: SRC/.vmtest-gcov)
  -o DIR     where the results go (default: build/coverage): per runner
             DIR/NAME/{trace.info,html/,gcda/,logs}, for all of them
             DIR/coverage.md and DIR/coverage.json
  -T SECS    each guest's timeout (default 600: GCOV slows the kernel)
  -x NAME=COMMAND
             a runner to measure instead of the default one; bash runs
             COMMAND with \$KERNEL (the GCOV bzImage), \$GCOV (the directory
             its counters must land in: give it to vmtest --gcov) and \$OUT
             (a directory for its logs) set, the runner options after -- as
             its arguments. Given several times: one boot
             each, one column each. Default: suite, the whole suite
             (vmtest/vmtest.sh with the runner options after --)
  -h         this help

Exit: 0 when every line vmtest/coverage.ini counts is covered by the first
runner or listed there as unreachable (and no listed line is covered), 1
otherwise, 2 on a usage error, 4 when the kernel cannot be built or a
runner brings no counters back.
USAGE
}

src='' build='' outdir=$REPO_DIR/build/coverage timeout=600
names=() cmds=()
while getopts ":s:b:o:T:x:h" opt; do
	case $opt in
	s) src=$OPTARG ;;
	b) build=$OPTARG ;;
	o) outdir=$OPTARG ;;
	T) timeout=$OPTARG ;;
	x)
		[[ $OPTARG =~ ^([A-Za-z0-9_.-]+)=(.+)$ ]] ||
			die -c "$VMT_EXIT_USAGE" "-x takes NAME=COMMAND, not '$OPTARG'"
		names+=("${BASH_REMATCH[1]}")
		cmds+=("${BASH_REMATCH[2]}")
		;;
	h) usage; exit 0 ;;
	:) die -c "$VMT_EXIT_USAGE" "option -$OPTARG needs an argument (see -h)" ;;
	*) die -c "$VMT_EXIT_USAGE" "unknown option -$OPTARG (see -h)" ;;
	esac
done
shift $((OPTIND - 1))
[[ ${1-} == -- ]] && shift
runner_args=("$@")
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die -c "$VMT_EXIT_USAGE" "-T takes a number of seconds"
if ((${#names[@]} == 0)); then
	[[ -x $REPO_DIR/build/test_progs ]] || die -c "$VMT_EXIT_USAGE" "no runner: run make first"
	names=(suite)
	# shellcheck disable=SC2016 # expanded by the bash that runs it
	cmds=('"$VMTEST_DIR/vmtest.sh" -k "$KERNEL" -T "$TIMEOUT" --gcov "$GCOV" -o "$OUT" -J "$OUT/results.json" -- "$@"')
fi
"$REPO_DIR/scripts/deps.sh" kbuild run coverage >&2 ||
	die "tools are missing (scripts/deps.sh kbuild run coverage names them)"
need_cmd lcov genhtml gcov python3

[[ -n $src ]] || src=$("$VMTEST_DIR/kernel-source.sh") || exit
[[ -f $src/Makefile && -d $src/kernel/bpf ]] ||
	die -c "$VMT_EXIT_USAGE" "$src is not a kernel source tree"
src=$(cd "$src" && pwd)
build=${build:-$src/.vmtest-gcov}

info "building the GCOV kernel in $build (minutes when it was built before)"
kernel=$("$VMTEST_DIR/build-kernel.sh" --gcov "$src" "$build") ||
	die "the GCOV kernel does not build"
build=$(cd "$build" && pwd)
mkdir -p "$outdir" || die -c "$VMT_EXIT_USAGE" "cannot create $outdir"
outdir=$(cd "$outdir" && pwd)

# capture NAME: the counters of NAME's run, each .gcda beside its .gcno
# (which the build left in BUILD), as an lcov tracefile with branches.
capture()
{
	local dir=$outdir/$1 objdir gcda rel

	objdir=$dir/gcda$build
	[[ -d $objdir ]] || { info "$1: no counters under $objdir"; return 1; }
	while IFS= read -r gcda; do
		rel=${gcda#"$objdir"/}
		cp "$build/${rel%.gcda}.gcno" "${gcda%.gcda}.gcno" || return 1
	done < <(find "$objdir" -name '*.gcda')
	lcov --quiet --capture --rc lcov_branch_coverage=1 --directory "$objdir" \
		--base-directory "$build" --output-file "$dir/trace.info" >"$dir/lcov.log" 2>&1 ||
		{ tail -n 5 "$dir/lcov.log" >&2; return 1; }
	genhtml --quiet --branch-coverage --output-directory "$dir/html" \
		"$dir/trace.info" >"$dir/genhtml.log" 2>&1 ||
		{ tail -n 5 "$dir/genhtml.log" >&2; return 1; }
}

traces=()
for i in "${!names[@]}"; do
	name=${names[i]} dir=$outdir/${names[i]}
	rm -rf "$dir" && mkdir -p "$dir/logs" || die "cannot create $dir"
	info "$name: booting the GCOV kernel"
	KERNEL=$kernel GCOV=$dir/gcda OUT=$dir/logs VMTEST_DIR=$VMTEST_DIR TIMEOUT=$timeout \
		bash -c "${cmds[i]}" coverage "${runner_args[@]}" </dev/null >"$dir/run.log" 2>&1
	rc=$?
	info "$name: the runner exited $rc"
	capture "$name" || die "$name: its run brought no usable counters back (see $dir/run.log)"
	traces+=("$name=$dir/trace.info")
done

"$REPO_DIR/scripts/coverage.py" --src "$src" --md "$outdir/coverage.md" \
	--json "$outdir/coverage.json" "${traces[@]}"
