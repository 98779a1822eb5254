#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mutants.sh: mutation testing of the suite. Plants one known bug at a time
# (vmtest/mutants/NN-name.patch, a unified diff against a kernel tree) into a
# kernel source tree, rebuilds it with build-kernel.sh, runs the suite on it
# with vmtest.sh and records whether the suite noticed (KILLED) or not
# (SURVIVED). The patch is always reverted, also on failure or Ctrl-C. At the
# end the clean kernel is rebuilt and the tree is checked to be byte-for-byte
# what it was before.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MUTANT_DIR=$VMTEST_DIR/mutants

usage()
{
	cat <<USAGE
Usage: vmtest/mutants.sh [-s SRC] [-b BUILD] [-r RUNNER] [-T SECS] [-o DIR] [-n]
                         [-x NAME=COMMAND]... [PATCH...] [-- runner options]

For each PATCH (default: every vmtest/mutants/*.patch): apply it to the
kernel tree SRC (patch -p1), rebuild with vmtest/build-kernel.sh SRC BUILD,
run vmtest/vmtest.sh -k BUILD/arch/x86/boot/bzImage -T SECS, record the
verdict, then revert the patch. Prints a Markdown table at the end: a row
per patch, with the first paragraph of its header (what it models) and the
check its "Killed by: CHECK: why" paragraph names, if it has one.

  -s SRC     kernel source tree (default: \$MUTANTS_SRC, else Debian's
             linux-source-7.3 as vmtest/kernel-source.sh unpacks it into the
             cache)
  -b BUILD   build directory (default: \$MUTANTS_BUILD, else SRC/.vmtest-build)
  -r RUNNER  runner binary (default: a snapshot of build/test_progs taken at
             start, so a rebuild of the suite during the run changes nothing)
  -T SECS    vmtest guest timeout (default 300)
  -o DIR     keep every run's logs in DIR/NAME/ and the table in
             DIR/table.md (default: a temporary directory, removed at the end)
  -n         skip the baseline (the clean kernel must pass before any mutant
             is tried; without -n that is checked first)
  -x NAME=COMMAND
             another runner, judged on the same kernels beside the suite: bash
             runs COMMAND with \$KERNEL (the bzImage) and \$OUT (a directory
             for its logs) set; its exit 0 means it passed, 1 that it failed
             (the mutant is KILLED for it), anything else BROKEN. It must
             pass on the clean kernel too. The table gets a column NAME and
             a count line per runner; the exit code is still the suite's.
             For example -x 'upstream=vmtest/upstream.sh run -k "\$KERNEL" -o "\$OUT"'
  -h         this help

Everything after -- goes to the runner (as with vmtest.sh), for example
'-- -b prog_types/cgroup' on a kernel without CONFIG_CGROUP_BPF.

Verdicts: vmtest exit 0 = SURVIVED, 1 = KILLED, anything else = BROKEN (the
patch does not apply, the kernel does not build, or no verdict: boot failure,
hang, setup error). Exit code: 0 when every mutant was killed, 1 when one
survived or broke, 2 on a usage error, 3 when the baseline fails, 4 when
the tree, the tools or the runner cannot be had, 130 on Ctrl-C.
USAGE
}

msg() { printf 'mutants: %s\n' "$*" >&2; }
die() { local c=$1; shift; printf 'mutants: error: %s\n' "$*" >&2; exit "$c"; }

src=${MUTANTS_SRC-} build=${MUTANTS_BUILD-} runner='' timeout=300 keep='' baseline=1
extra_names=() extra_cmds=()
while getopts ":s:b:r:T:o:x:nh" opt; do
	case $opt in
	s) src=$OPTARG ;;
	b) build=$OPTARG ;;
	r) runner=$OPTARG ;;
	T) timeout=$OPTARG ;;
	o) keep=$OPTARG ;;
	n) baseline= ;;
	x)
		[[ $OPTARG =~ ^([A-Za-z0-9_.-]+)=(.+)$ ]] ||
			die 2 "-x takes NAME=COMMAND (NAME of letters, digits, ._-), not '$OPTARG'"
		extra_names+=("${BASH_REMATCH[1]}")
		extra_cmds+=("${BASH_REMATCH[2]}")
		;;
	h) usage; exit 0 ;;
	:) die 2 "option -$OPTARG needs an argument (see -h)" ;;
	*) die 2 "unknown option -$OPTARG (see -h)" ;;
	esac
done
shift $((OPTIND - 1))
patches=()
while (($#)) && [[ $1 != -- ]]; do
	patches+=("$1")
	shift
done
[[ ${1-} == -- ]] && shift
runner_args=("$@")

if [[ -z $src ]]; then
	src=$("$VMTEST_DIR/kernel-source.sh") || die 4 "no kernel tree: give -s SRC, or let vmtest/kernel-source.sh fetch one"
fi
[[ -f $src/Makefile && -d $src/kernel/bpf ]] || die 2 "$src is not a kernel source tree"
src=$(cd "$src" && pwd)
build=${build:-$src/.vmtest-build}
# Planted bugs and rebuilds: nobody else may build from this tree meanwhile.
tree_lock "$src" || die 4 "the kernel tree $src is in use"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die 2 "-T takes a number of seconds"
if ((${#patches[@]} == 0)); then
	patches=("$MUTANT_DIR"/*.patch)
	[[ -e ${patches[0]} ]] || die 2 "no patches in $MUTANT_DIR"
fi
for i in "${!patches[@]}"; do
	p=${patches[i]}
	[[ -f $p ]] || die 2 "no such patch: $p"
	patches[i]=$(cd "$(dirname "$p")" && pwd)/$(basename "$p")
done
# Building and booting: every tool, before the first build (not after it).
"$REPO_DIR/scripts/deps.sh" kbuild run >&2 ||
	die 4 "tools are missing (scripts/deps.sh kbuild run names them)"

work=$(mktemp -d "${TMPDIR:-/tmp}/mutants.XXXXXX") || die 4 "cannot create a temporary directory"
logroot=${keep:-$work/logs}
mkdir -p "$logroot" || die 2 "cannot create $logroot"

if [[ -z $runner ]]; then
	[[ -x $REPO_DIR/build/test_progs ]] || die 2 "no runner: run make first (or give -r)"
	runner=$work/test_progs
	cp "$REPO_DIR/build/test_progs" "$runner" || die 4 "cannot snapshot the runner"
fi
msg "runner $runner (sha256 $(sha256sum "$runner" | cut -c1-16)), args: ${runner_args[*]:-none}"

# The files the patches touch, and their checksums before anything is done:
# compared at the end, so a patch left applied cannot go unnoticed.
touched=$(for p in "${patches[@]}"; do
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p"
done | sort -u)
[[ -n $touched ]] || die 2 "the patches name no files (+++ b/PATH lines)"
# shellcheck disable=SC2086 # one path a word: the patches' paths have no spaces
(cd "$src" && sha256sum $touched) >"$work/pristine.sha256" ||
	die 2 "a file the patches touch is missing from $src"

applied=''      # the patch currently applied, if any
revert_current()
{
	[[ -n $applied ]] || return 0
	local p=$applied
	if (cd "$src" && patch -p1 -R -s -F0 --no-backup-if-mismatch -r - <"$p" >/dev/null); then
		applied=
		return 0
	fi
	msg "CANNOT REVERT $(basename "$p") in $src: fix the tree by hand"
	return 1
}
on_exit()
{
	local rc=$?
	revert_current
	rm -rf "$work"   # the logs live in it only without -o
	exit "$rc"
}
on_signal()
{
	trap - INT TERM
	msg "interrupted: reverting $( [[ -n $applied ]] && basename "$applied" || echo nothing)"
	revert_current
	msg "the build directory $build may still hold a mutant's objects: rebuild with" \
		"vmtest/build-kernel.sh $src $build"
	exit 130
}
trap on_exit EXIT
trap on_signal INT TERM

# A patch already applied before we start would be "reverted" into a broken
# tree at the end: refuse. (Only when it does not apply forward: a patch that
# only deletes lines may also reverse-apply at another place.)
for p in "${patches[@]}"; do
	(cd "$src" && patch -p1 --dry-run -s -f -F0 <"$p" >/dev/null 2>&1) && continue
	if (cd "$src" && patch -p1 -R --dry-run -s -f -F0 <"$p" >/dev/null 2>&1); then
		die 2 "$(basename "$p") looks already applied to $src: revert it first"
	fi
done

build_kernel() # LOG
{
	"$VMTEST_DIR/build-kernel.sh" "$src" "$build" >"$1" 2>&1
}

# run_suite DIR: runs vmtest, output in DIR/vmtest.log, logs in DIR; returns its code.
run_suite()
{
	"$VMTEST_DIR/vmtest.sh" -k "$build/arch/x86/boot/bzImage" -T "$timeout" \
		-r "$runner" -o "$1" -J "$1/results.json" -- "${runner_args[@]}" \
		>"$1/vmtest.log" 2>&1 </dev/null
}

# run_extra I DIR: runs the I-th -x runner on the built kernel, logs in
# DIR/NAME/; prints its verdict for the mutant (a pass means it SURVIVED).
run_extra()
{
	local out=$2/${extra_names[$1]} rc

	mkdir -p "$out"
	KERNEL=$build/arch/x86/boot/bzImage OUT=$out bash -c "${extra_cmds[$1]}" \
		>"$out/run.log" 2>&1 </dev/null
	rc=$?
	case $rc in
	0) echo SURVIVED ;;
	1) echo KILLED ;;
	130) echo INTERRUPTED ;;
	*) echo "BROKEN (exit $rc)" ;;
	esac
}

# failed_subtests DIR: the failing subtests, comma-separated (a test without
# subtests counts as itself), from the run's JSON, plus the guest's own
# failures (umount).
failed_subtests()
{
	{
		"$VMTEST_DIR/results.py" failed "$1/results.json" 2>/dev/null
		grep -q 'does not unmount' "$1/vmtest.log" "$1"/console.log 2>/dev/null && echo "umount-scratch:FAIL"
	} | grep -v '^$' | paste -sd, - | sed 's/,\([^ ]\)/, \1/g'
}

# first_splat DIR: the first undeclared kernel splat of the run, by vmtest's
# rules (build/kmsg-scan, which vmtest.sh built), one line of at most 100
# characters fit for a Markdown cell: no CR (a CR left in the table becomes
# a line break for any reader), no bare '|'.
first_splat()
{
	local f line

	for f in "$1/dmesg.log" "$1/console.log"; do
		[[ -s $f ]] || continue
		line=$("$REPO_DIR/build/kmsg-scan" -l "$f" 2>/dev/null | head -n1)
		line=$(cut -c1-100 <<<"${line#*: }")
		[[ -n $line ]] || continue
		echo "${line//|/\\|}"
		return 0
	done
	return 1
}

# meant_for PATCH: the check the patch says should kill it, from its header's
# "Killed by: CHECK: why" paragraph (CHECK alone, for a table cell); empty
# if the header has none.
meant_for()
{
	sed -n '1,/^--- /p' "$1" | grep -v '^--- ' |
		awk 'BEGIN { RS = "" } /^Killed by: / { print; exit }' | tr '\n' ' ' |
		sed 's/^Killed by: //; s/: .*//; s/  */ /g; s/ *$//; s/|/\\|/g'
}

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

t_start=$SECONDS
if [[ -n $baseline ]]; then
	d=$logroot/00-baseline
	mkdir -p "$d"
	msg "baseline: building the clean kernel"
	build_kernel "$d/build.log" || { tail -n 20 "$d/build.log" >&2; die 3 "the clean kernel does not build"; }
	run_suite "$d"
	rc=$?
	if ((rc != 0)); then
		grep -E '^#[0-9/]+ .*:(FAIL|XPASS|TIMEOUT)' "$d/vmtest.log" | head -n 20 >&2
		tail -n 3 "$d/vmtest.log" >&2
		die 3 "the clean kernel does not pass (vmtest exit $rc): no mutant verdict would mean anything"
	fi
	msg "baseline: clean kernel passes ($("$VMTEST_DIR/results.py" counts "$d/results.json"))"
	for i in "${!extra_names[@]}"; do
		v=$(run_extra "$i" "$d")
		if [[ $v != SURVIVED ]]; then
			tail -n 5 "$d/${extra_names[i]}/run.log" >&2
			die 3 "${extra_names[i]} does not pass on the clean kernel ($v): no mutant verdict of it would mean anything"
		fi
		msg "baseline: ${extra_names[i]} passes on the clean kernel"
	done
fi

rows=() killed=0 survived=0 broken=0
extra_killed=() extra_survived=() extra_broken=()
for i in "${!extra_names[@]}"; do
	extra_killed[i]=0 extra_survived[i]=0 extra_broken[i]=0
done
for p in "${patches[@]}"; do
	name=$(basename "$p" .patch)
	what=$(sed -n '1,/^--- /p' "$p" | grep -v '^--- ' | sed '/^$/q' | tr '\n' ' ' | sed 's/  */ /g; s/ *$//; s/|/\\|/g')
	meant=$(meant_for "$p")
	d=$logroot/$name
	mkdir -p "$d"
	t0=$SECONDS
	caught='' splat='' note=''
	extra_cells=()
	for i in "${!extra_names[@]}"; do
		extra_cells[i]=BROKEN
	done
	msg "$name: applying"
	if ! (cd "$src" && patch -p1 --dry-run -s -f -F0 --no-backup-if-mismatch -r - <"$p" >"$d/patch.log" 2>&1); then
		verdict=BROKEN note="patch does not apply: $(head -n 2 "$d/patch.log" | tr '\n' ' ')"
	elif ! (cd "$src" && patch -p1 -s -f -F0 --no-backup-if-mismatch -r - <"$p" >>"$d/patch.log" 2>&1); then
		verdict=BROKEN note="patch failed to apply"
		applied=$p      # partly applied: revert what was
		revert_current
	else
		applied=$p
		msg "$name: building"
		if ! build_kernel "$d/build.log"; then
			verdict=BROKEN note="kernel build failed: $(grep -m1 -E 'error|Error' "$d/build.log" | cut -c1-120)"
		else
			msg "$name: running the suite"
			run_suite "$d"
			rc=$?
			caught=$(failed_subtests "$d")
			splat=$(first_splat "$d")
			case $rc in
			0) verdict=SURVIVED ;;
			1) verdict=KILLED ;;
			130) revert_current; msg "interrupted"; exit 130 ;;
			*) verdict=BROKEN note="vmtest exit $rc: $(grep -E '^vmtest: ' "$d/vmtest.log" | grep -v 'kernel /' | tail -n 1 | cut -c9-130)" ;;
			esac
			[[ $rc == 1 && -z $caught && -n $splat ]] && caught="(kernel splat only)"
			for i in "${!extra_names[@]}"; do
				msg "$name: running ${extra_names[i]}"
				extra_cells[i]=$(run_extra "$i" "$d")
				[[ ${extra_cells[i]} == INTERRUPTED ]] && { revert_current; msg "interrupted"; exit 130; }
			done
		fi
		revert_current || { verdict=BROKEN; note="${note:+$note; }NOT REVERTED"; }
	fi
	case $verdict in
	KILLED) ((killed++)) ;;
	SURVIVED) ((survived++)) ;;
	*) ((broken++)) ;;
	esac
	for i in "${!extra_names[@]}"; do
		case ${extra_cells[i]} in
		KILLED) ((extra_killed[i]++)) ;;
		SURVIVED) ((extra_survived[i]++)) ;;
		*) ((extra_broken[i]++)) ;;
		esac
	done
	dt=$((SECONDS - t0))
	msg "$name: $verdict in $(fmt_secs $dt)${caught:+ — $caught}${splat:+ — splat: $splat}${note:+ — $note}"
	ncaught=$(awk -F', ' '{ print NF }' <<<"$caught")
	short=$caught
	if ((ncaught > 6)); then
		short="$(cut -d, -f1-6 <<<"$caught"), … ($ncaught in all)"
	fi
	extra_row=''
	for i in "${!extra_names[@]}"; do
		extra_row+=" ${extra_cells[i]} |"
	done
	rows+=("| $name | $what | ${meant:--} | $verdict | ${short:--}${note:+ ($note)} | ${splat:--} |$extra_row $(fmt_secs $dt) |")
done

# Back to the unmodified kernel: sources (checked against the checksums
# taken at the start) and build directory.
msg "rebuilding the clean kernel"
final_ok=1
if ! (cd "$src" && sha256sum --quiet -c "$work/pristine.sha256" >&2); then
	msg "THE TREE DIFFERS from its state before the run (files above)"
	final_ok=
fi
if ! build_kernel "$logroot/clean-rebuild.log"; then
	msg "the clean kernel does not rebuild: see $logroot/clean-rebuild.log"
	final_ok=
fi

# The table, also as LOGS/table.md (scripts/numbers.py puts it in the README).
{
	echo
	extra_head='' extra_rule=''
	for i in "${!extra_names[@]}"; do
		extra_head+=" ${extra_names[i]} |"
		extra_rule+="---|"
	done
	echo "| mutant | what it models | meant to be killed by | verdict | tests that caught it | kernel splat |$extra_head time |"
	echo "|---|---|---|---|---|---|$extra_rule---|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "total time $(fmt_secs $((SECONDS - t_start)))${final_ok:+; tree and build dir back to the clean kernel}"
	echo "$killed killed, $survived survived, $broken broken"
	for i in "${!extra_names[@]}"; do
		echo "${extra_names[i]}: ${extra_killed[i]} killed, ${extra_survived[i]} survived, ${extra_broken[i]} broken"
	done
} | tee "$logroot/table.md"
[[ -n $keep ]] && msg "logs in $keep"
((survived == 0 && broken == 0)) && [[ -n $final_ok ]] && exit 0
exit 1
