# SPDX-License-Identifier: GPL-2.0
# Boots the guest under qemu, streams the runner's output, and turns what
# happened into an exit code: the runner's, or a hang, or a kernel splat.

QEMU=${VMTEST_QEMU:-qemu-system-x86_64}
# What a kernel prints when it is in trouble. WARN()s print "WARNING: CPU:
# N PID: P at FILE:LINE FUNC" before 6.19 and "WARNING: FILE:LINE at FUNC"
# since: match both.
SPLAT_RE='Kernel panic|kernel BUG at|BUG: |Oops|WARNING: |general protection fault|UBSAN: |KASAN: |KFENCE: |refcount_t: |list_(add|del) corruption|RCU Stall|rcu_sched detected stall|soft lockup|hard LOCKUP|hung_task'

# qemu_accel_args MODE: the accelerator options for kvm or tcg.
qemu_accel_args()
{
	case $1 in
	kvm) echo "-accel kvm -cpu host" ;;
	tcg) echo "-accel tcg,thread=multi -cpu max" ;;
	esac
}

# qemu_run ACCEL KERNEL INITRD DISK APPEND TIMEOUT OUTFILE
# Runs one guest; ttyS1 goes to OUTFILE (a FIFO or file). Returns qemu's
# exit code, or 124 when the timeout stopped it. timeout sends its signal to
# its whole process group, itself included: with SIGKILL it would die before
# reaping qemu, so TERM first (which it survives), KILL 5 s later.
qemu_run()
{
	local accel=$1 kernel=$2 initrd=$3 disk=$4 append=$5 timeout=$6 outfile=$7
	local pid rc

	# shellcheck disable=SC2046
	timeout -k 5 "$timeout" "$QEMU" $(qemu_accel_args "$accel") \
		-m "$VMT_MEM" -smp "$VMT_SMP" -nodefaults -display none \
		-no-reboot -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 loglevel=5 panic=-1 $append" \
		-serial file:"$VMT_TMP/console.log" \
		-chardev file,id=runner,path="$outfile" -serial chardev:runner \
		-serial file:"$VMT_TMP/dmesg.log" \
		${disk:+-drive file="$disk",if=none,id=scratch,format=raw,cache=unsafe} \
		${disk:+-device nvme,drive=scratch,serial=vmtest} \
		</dev/null >"$VMT_TMP/qemu.log" 2>&1 &
	pid=$!
	track_pid "$pid"
	wait "$pid" 2>/dev/null
	rc=$?
	return $rc
}

# probe_accel KERNEL INITRD: sets VMT_ACCEL to kvm if a guest reaches user
# space under KVM, else to tcg with the reason in VMT_ACCEL_WHY. Stock
# kernels die early under some hypervisors (kvm_pvm), so the presence of
# /dev/kvm proves nothing: boot and see.
probe_accel()
{
	local out=$VMT_TMP/probe.out why

	VMT_ACCEL=tcg
	if [[ ! -w /dev/kvm ]]; then
		VMT_ACCEL_WHY="/dev/kvm is not usable"
		return
	fi
	qemu_run kvm "$1" "$2" "" "vmtest.probe=1" 30 "$out"
	if grep -q VMTEST_PROBE_OK "$out" 2>/dev/null; then
		VMT_ACCEL=kvm
		return
	fi
	why=$(grep -m1 -iE 'error|fail' "$VMT_TMP/qemu.log" | cut -c1-100)
	VMT_ACCEL_WHY="the KVM probe boot failed${why:+: $why}"
}

# stream_results FIFO: prints runner lines as they come, saves the result code.
stream_results()
{
	local line

	while IFS= read -r line; do
		line=${line%$'\r'}
		if [[ $line =~ ^VMTEST_RESULT\ ([0-9]+)$ ]]; then
			echo "${BASH_REMATCH[1]}" >"$VMT_TMP/result"
			continue
		fi
		printf '%s\n' "$line"
		printf '%s\n' "$line" >>"$VMT_TMP/runner.log"
	done <"$1"
}

# splat_lines LOG: numbers of the lines of LOG that start a splat. A test
# that provokes a known splat on purpose declares it in the kernel log:
#   vmtest: expect-splat begin <ERE>   ...   vmtest: expect-splat end
# and reports it itself as a failure (XFAIL only if listed in the
# known-deviations file); a splat line inside such a window that matches
# the ERE is left to the test. Any other splat fails the run.
splat_lines()
{
	awk -v re="$SPLAT_RE" '
		{ sub(/\r$/, "") }	# serial lines end in CR LF
		/vmtest: expect-splat begin / {
			expect = $0
			sub(/.*vmtest: expect-splat begin /, "", expect)
			next
		}
		/vmtest: expect-splat end/ { expect = ""; next }
		$0 ~ re {
			if (expect != "" && $0 ~ expect) {
				tolerated++
				next
			}
			print NR
		}
		END { if (tolerated) print "tolerated " tolerated > "/dev/stderr" }
	' "$1"
}

# report_splat: prints the first splat of the guest's kernel log, if any.
report_splat()
{
	local log first

	for log in "$VMT_TMP/dmesg.log" "$VMT_TMP/console.log"; do
		[[ -s $log ]] || continue
		first=$(splat_lines "$log" 2>/dev/null | head -n 1)
		[[ -n $first ]] || continue
		info "kernel splat in the guest ($(basename "$log"), line $first):"
		tail -n +"$((first > 3 ? first - 3 : 1))" "$log" | head -n 60 | sed 's/^/    /' >&2
		return 0
	done
	return 1
}

# boot_and_run ACCEL KERNEL INITRD DISK APPEND TIMEOUT: returns the verdict;
# VMT_SPLAT=1 if the guest's kernel splatted.
boot_and_run()
{
	local fifo=$VMT_TMP/runner.fifo reader qrc rc unblock

	VMT_SPLAT=0
	rm -f "$fifo" "$VMT_TMP"/{result,runner.log,console.log,dmesg.log}
	mkfifo "$fifo"
	stream_results "$fifo" &
	reader=$!
	track_pid "$reader"
	qemu_run "$@" "$fifo"
	qrc=$?
	# If qemu died before opening the FIFO, the reader still waits in
	# open(): a read-write open never blocks and lets it see EOF.
	exec {unblock}<>"$fifo"
	exec {unblock}>&-
	wait "$reader"

	if report_splat; then
		# The kernel broke: that fails the run whatever the tests said.
		VMT_SPLAT=1
		rc=1
	elif [[ -f $VMT_TMP/result ]]; then
		rc=$(<"$VMT_TMP/result")
	elif ((qrc == 124 || qrc == 137)); then
		info "guest hang: no result after $6 s; qemu killed. Last console lines:"
		tail -n 20 "$VMT_TMP/console.log" | sed 's/^/    /' >&2
		rc=$VMT_EXIT_INFRA
	else
		info "the guest stopped without a result (qemu exit $qrc)"
		tail -n 5 "$VMT_TMP/qemu.log" | sed 's/^/    qemu: /' >&2
		tail -n 20 "$VMT_TMP/console.log" | sed 's/^/    /' >&2
		rc=$VMT_EXIT_INFRA
	fi
	return "$rc"
}
