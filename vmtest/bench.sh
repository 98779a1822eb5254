#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [-k KERNEL] [-n RUNS] [--cold] [-J FILE] [-- RUNNER_ARGS]: measures vmtest's
# time-to-verdict against its floor, a bare boot of the same kernel to user
# space and power off, side by side in one run (median of RUNS each), for
# the whole suite or the selection RUNNER_ARGS make. The warm runs are
# vmtest as make vmtest runs it (-a auto: the accelerator probe, or its
# remembered answer, included). --cold also times a
# fresh clone of this repository building and running 'make vmtest' with an
# empty kernel cache. Prints a Markdown table; -J also writes the
# measurements and the last warm run's results as JSON (scripts/numbers.py
# makes the README's figures from it). Measures; asserts nothing.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$VMTEST_DIR/kernel.sh"
source "$VMTEST_DIR/guest.sh"
source "$VMTEST_DIR/boot.sh"

kernel_arg='' runs=5 cold=0 json_out=''
while (($#)); do
	case $1 in
	-k) kernel_arg=${2:?-k needs a kernel}; shift ;;
	-n) runs=${2:?-n needs a count}; shift ;;
	--cold) cold=1 ;;
	-J) json_out=${2:?-J needs a file}; shift ;;
	--) shift; break ;;
	-h) sed -n '4,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die -c "$VMT_EXIT_USAGE" "unknown argument $1 (see -h)" ;;
	esac
	shift
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

vmt_init_tmp
# -k [FLAVOUR:]VERSION or an image, as vmtest takes it (arm64 too).
kernel_parse "$kernel_arg"
qemu_set_arch
kernel=$(kernel_resolve) || exit
VMT_MEM=1G VMT_SMP=2
runner=$REPO_DIR/$([[ $VMT_ARCH == arm64 ]] && echo build-arm64 || echo build)/test_progs
guest_initramfs "$VMT_TMP/initramfs.cpio" "$runner" ""
probe_accel "$kernel" "$VMT_TMP/initramfs.cpio"
accel=$VMT_ACCEL
info "kernel $kernel, accel $accel, $runs runs each"

floor=() warm=()
for ((i = 0; i < runs; i++)); do
	t=$(now_ms)
	qemu_run "$accel" "$kernel" "$VMT_TMP/initramfs.cpio" "" \
		"vmtest.probe=1" 60 "$VMT_TMP/probe.out"
	floor+=($(($(now_ms) - t)))

	# As make vmtest runs it: -a auto, the accelerator probe included.
	t=$(now_ms)
	"$VMTEST_DIR/vmtest.sh" -k "$kernel" -J "$VMT_TMP/run.json" -- "$@" \
		>"$VMT_TMP/run.log" 2>&1 ||
		die "vmtest failed during the benchmark: $(tail -n 3 "$VMT_TMP/run.log")"
	warm+=($(($(now_ms) - t)))
done
f=$(printf '%s\n' "${floor[@]}" | median)
w=$(printf '%s\n' "${warm[@]}" | median)
cases=$("$VMTEST_DIR/results.py" counts "$VMT_TMP/run.json")

echo "| measure ($accel, $(basename "$(dirname "$kernel")"), median of $runs) | seconds |"
echo "|---|---|"
printf '| floor: bare boot to user space and power off | %d.%03d |\n' $((f / 1000)) $((f % 1000))
printf '| warm time-to-verdict, %s (%s) | %d.%03d |\n' \
	"$( (($#)) && echo "runner $*" || echo "whole suite")" "$cases" $((w / 1000)) $((w % 1000))
printf '| ratio warm / floor | %s |\n' "$(awk -v w="$w" -v f="$f" 'BEGIN { printf "%.2f", w / f }')"

if ((cold)); then
	clone=$VMT_TMP/clone
	git clone -q "$REPO_DIR" "$clone" || die "cannot clone $REPO_DIR"
	t=$(now_ms)
	VMTEST_CACHE=$VMT_TMP/cache make -C "$clone" vmtest >"$VMT_TMP/cold.log" 2>&1 ||
		die "cold run failed; the end of its log:"$'\n'"$(tail -n 20 "$VMT_TMP/cold.log")"
	c=$(($(now_ms) - t))
	printf '| cold: fresh clone, empty kernel cache, make vmtest | %d.%03d |\n' $((c / 1000)) $((c % 1000))
fi

# The measurements, for scripts/numbers.py: milliseconds, and the last
# warm run's results (its counts, wall time and tests' durations).
if [[ -n $json_out ]]; then
	"$VMTEST_DIR/bench_record.py" -o "$json_out" --run "$VMT_TMP/run.json" --accel "$accel" \
		--kernel-image "$kernel" ${c:+--cold "$c"} --floor "${floor[@]}" --warm "${warm[@]}" \
		--runner-args="$*" ||
		die "cannot write $json_out"
fi
