# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the vmtest scripts, not run on its own.
# Boots the guest under qemu, streams the runner's output, and turns what
# happened into an exit code: the runner's, or a hang, or a kernel splat.

QEMU=${VMTEST_QEMU:-qemu-system-x86_64}

# qemu_set_arch: the qemu, the console and the serial ports of the guest's
# architecture (VMT_ARCH). x86_64: four 16550s (ttyS0 the console). arm64
# (-M virt): the console on the PL011 (ttyAMA0), and a PCI card of four
# 16550s for ttyS0-3, so that the guest's init is the same (ttyS0 unused).
# Sets variables for boot_and_run.
# shellcheck disable=SC2034
qemu_set_arch()
{
	case ${VMT_ARCH:-x86_64} in
	x86_64)
		QEMU=${VMTEST_QEMU:-qemu-system-x86_64}
		VMT_CONSOLE=ttyS0 VMT_MACHINE=()
		;;
	arm64)
		QEMU=${VMTEST_QEMU:-qemu-system-aarch64}
		VMT_CONSOLE=ttyAMA0 VMT_MACHINE=(-M virt)
		;;
	esac
}
qemu_set_arch

# qemu_serial_args: the options that give the guest its ports: the console
# to console.log, ttyS1 to $1 (the runner's output), ttyS2 to dmesg.log,
# ttyS3 to record.json.
qemu_serial_args()
{
	local ports=(file:"$VMT_TMP/console.log" chardev:runner file:"$VMT_TMP/dmesg.log"
		file:"$VMT_TMP/record.json")

	printf '%s\n' -chardev file,id=runner,path="$1"
	if [[ ${VMT_ARCH:-x86_64} == x86_64 ]]; then
		printf -- '-serial\n%s\n' "${ports[@]}"
		return
	fi
	printf '%s\n' -serial "${ports[0]}" -chardev null,id=unused \
		-chardev file,id=dmesg,path="$VMT_TMP/dmesg.log" \
		-chardev file,id=record,path="$VMT_TMP/record.json" \
		-device pci-serial-4x,chardev1=unused,chardev2=runner,chardev3=dmesg,chardev4=record
}

# qemu_accel_args MODE: the accelerator options for kvm or tcg.
qemu_accel_args()
{
	case $1:${VMT_ARCH:-x86_64} in
	kvm:*) echo "-accel kvm -cpu host" ;;
	# Pointer authentication with qemu's own cheap algorithm: the
	# architected one costs TCG much time on every call and return.
	tcg:arm64) echo "-accel tcg,thread=multi -cpu max,pauth-impdef=on" ;;
	tcg:*) echo "-accel tcg,thread=multi -cpu max" ;;
	esac
}

# qemu_run ACCEL KERNEL INITRD DISK APPEND TIMEOUT OUTFILE [background]
# Runs one guest; ttyS1 goes to OUTFILE (a FIFO or file). With
# VMT_GCOV_DISK set, that image is the guest's /dev/vda, where it writes
# its GCOV counters (vmtest --gcov). Returns qemu's
# exit code, or 124 when the timeout stopped it; with "background" it
# returns at once, the timeout's pid in VMT_QEMU_PID. timeout sends its signal to
# its whole process group, itself included: with SIGKILL it would die before
# reaping qemu, so TERM first (which it survives), KILL 5 s later.
qemu_run()
{
	local accel=$1 kernel=$2 initrd=$3 disk=$4 append=$5 timeout=$6 outfile=$7
	local pid rc serial

	mapfile -t serial < <(qemu_serial_args "$outfile")
	# shellcheck disable=SC2046
	timeout -k 5 "$timeout" "$QEMU" "${VMT_MACHINE[@]}" $(qemu_accel_args "$accel") \
		-m "$VMT_MEM" -smp "$VMT_SMP" -nodefaults -display none \
		-no-reboot -pidfile "$VMT_TMP/qemu.pid" -kernel "$kernel" -initrd "$initrd" \
		-append "console=$VMT_CONSOLE loglevel=5 panic=-1 $append" \
		"${serial[@]}" \
		${disk:+-drive file="$disk",if=none,id=scratch,format=raw,cache=unsafe} \
		${disk:+-device nvme,drive=scratch,serial=vmtest} \
		${VMT_GCOV_DISK:+-drive file="$VMT_GCOV_DISK",if=virtio,format=raw,cache=unsafe} \
		</dev/null >"$VMT_TMP/qemu.log" 2>&1 &
	pid=$!
	track_pid "$pid"
	if [[ ${8-} == background ]]; then
		VMT_QEMU_PID=$pid
		return 0
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	# The timeout itself may have been killed from outside: qemu is then
	# orphaned and would keep the results channel open. End it too.
	kill_qemu
	return $rc
}

# kill_qemu: ends the qemu named by the pid file, if it still runs.
kill_qemu()
{
	local qpid

	qpid=$(cat "$VMT_TMP/qemu.pid" 2>/dev/null) || return 0
	[[ $qpid =~ ^[0-9]+$ ]] && kill -KILL "$qpid" 2>/dev/null
	rm -f "$VMT_TMP/qemu.pid"
}

KVM_DEV=${VMTEST_KVM_DEV:-/dev/kvm}
ACCEL_CACHE=${VMTEST_ACCEL_CACHE:-$VMTEST_CACHE/accel}
# What qemu prints when KVM cannot run the guest (kvm_pvm runs only guests
# built for it: a stock kernel dies at once), and what the guest prints when
# it dies early. Seeing either ends the probe at once.
KVM_FAIL_RE='KVM internal error|kvm run failed|[Ff]ailed to initialize (kvm|KVM)|Could not access KVM|KVM_[A-Z_]+ failed|kvm: .*(error|fail)'
GUEST_DIED_RE='invalid opcode|Kernel panic|general protection fault|unchecked MSR|Oops'

# accel_key: what can change whether KVM runs a guest here: the qemu
# binary, the KVM device and the host kernel.
accel_key()
{
	local qemu

	qemu=$(command -v "$QEMU")
	printf '%s\n' "$qemu" "$(stat -Lc '%s %Y' "$qemu" 2>/dev/null)" \
		"$KVM_DEV $(stat -Lc '%t:%T %i %Z' "$KVM_DEV" 2>/dev/null)" \
		"$(uname -r) $(uname -v)" | sha256sum | cut -c1-16
}

# probe_kvm KERNEL INITRD: 0 if a guest reaches user space under KVM, else
# 1 with the reason in VMT_ACCEL_WHY. The answer is kept per machine in
# $ACCEL_CACHE, so later runs do not probe again. A failing probe ends as
# soon as qemu says KVM failed, qemu exits or the guest dies: well under a
# second, not its 30 s limit.
probe_kvm()
{
	local out=$VMT_TMP/probe.out key cached pid why ms start

	start=$(date +%s%N)
	if ! host_runs_arch; then
		VMT_ACCEL_WHY="KVM runs only guests of the host's architecture ($(uname -m)), this one is $VMT_ARCH"
		return 1
	fi
	if [[ ! -w $KVM_DEV ]]; then
		VMT_ACCEL_WHY="$KVM_DEV is not usable"
		return 1
	fi
	key=$(accel_key)
	if cached=$(cat "$ACCEL_CACHE/$key" 2>/dev/null) && [[ -n $cached ]]; then
		[[ $cached == kvm ]] && return 0
		VMT_ACCEL_WHY="${cached#tcg }; found by an earlier probe, kept in $ACCEL_CACHE/$key"
		return 1
	fi
	rm -f "$out" "$VMT_TMP/console.log" "$VMT_TMP/qemu.log"
	qemu_run kvm "$1" "$2" "" "vmtest.probe=1" 30 "$out" background
	pid=$VMT_QEMU_PID
	why=
	while :; do
		if grep -q VMTEST_PROBE_OK "$out" 2>/dev/null; then
			why=
			break
		fi
		why=$(grep -h -m1 -E "$KVM_FAIL_RE" "$VMT_TMP/qemu.log" 2>/dev/null | cut -c1-120)
		[[ -n $why ]] && break
		why=$(grep -h -m1 -E "$GUEST_DIED_RE" "$VMT_TMP/console.log" 2>/dev/null |
			tr -d '\r' | sed 's/^\[[^]]*\] //' | cut -c1-120)
		[[ -n $why ]] && why="the guest died: $why" && break
		if ! kill -0 "$pid" 2>/dev/null; then
			grep -q VMTEST_PROBE_OK "$out" 2>/dev/null && { why=; break; }
			why=$(grep -v '^\s*$' "$VMT_TMP/qemu.log" 2>/dev/null | tail -n 1 | cut -c1-120)
			why="qemu exited${why:+: $why}"
			break
		fi
		sleep 0.05
	done
	kill -TERM "$pid" 2>/dev/null # timeout passes it on to qemu
	wait "$pid" 2>/dev/null
	kill_qemu
	if [[ -z $why ]]; then
		cached=kvm
	else
		ms=$((($(date +%s%N) - start) / 1000000))
		VMT_ACCEL_WHY="the KVM probe boot failed after $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s: $why"
		cached="tcg $VMT_ACCEL_WHY"
	fi
	mkdir -p "$ACCEL_CACHE" 2>/dev/null &&
		printf '%s\n' "$cached" >"$ACCEL_CACHE/$key.part" 2>/dev/null &&
		mv -f "$ACCEL_CACHE/$key.part" "$ACCEL_CACHE/$key" 2>/dev/null
	[[ -z $why ]]
}

# probe_accel KERNEL INITRD: sets VMT_ACCEL to kvm if a guest reaches user
# space under KVM, else to tcg with the reason in VMT_ACCEL_WHY. Stock
# kernels die early under some hypervisors (kvm_pvm), so the presence of
# /dev/kvm proves nothing: boot and see (once per machine).
# Sets VMT_ACCEL, for the script that sourced this file.
# shellcheck disable=SC2034
probe_accel()
{
	VMT_ACCEL=tcg
	if ! host_runs_arch; then
		VMT_ACCEL_WHY="an $VMT_ARCH guest on an $(uname -m) host"
		return
	fi
	probe_kvm "$1" "$2" && VMT_ACCEL=kvm
}

# host_runs_arch: the host's CPU is the guest's, so KVM could run it.
host_runs_arch()
{
	local arch=${VMT_ARCH:-x86_64}

	[[ $(uname -m) == "${arch/arm64/aarch64}" ]]
}

# stream_results FIFO: prints runner lines as they come, saves the result code.
stream_results()
{
	local line warned=0

	while IFS= read -r line; do
		line=${line%$'\r'}
		if [[ $line =~ ^VMTEST_RESULT\ ([0-9]+)$ ]]; then
			echo "${BASH_REMATCH[1]}" 2>/dev/null >"$VMT_TMP/result"
			continue
		fi
		printf '%s\n' "$line"
		printf '%s\n' "$line" 2>/dev/null >>"$VMT_TMP/runner.log" && continue
		# Said once, as it happens: what follows is made on a broken host.
		((warned++)) ||
			info "cannot write $VMT_TMP/runner.log (TMPDIR full?): the results from here on are not the kernel's (see the verdict)"
	done <"$1"
}

# kmsg_scan ARGS...: build/kmsg-scan, the runner's splat rules
# (runner/kmsg.c: what a kernel prints when it is in trouble, and the
# windows in which a test declares the splat it provokes) built for this
# host, made first when it is missing or older than its sources.
kmsg_scan()
{
	# Quiet on stdout, which is the scan's: under a parent make (make
	# vmtest), a sub-make prints "make[1]: Entering directory" there.
	make -s -q -C "$REPO_DIR" --no-print-directory build/kmsg-scan >/dev/null 2>&1 ||
		make -s -C "$REPO_DIR" --no-print-directory build/kmsg-scan >&2 ||
		return 2
	"$REPO_DIR/build/kmsg-scan" "$@"
}

# kmsg_scan_ready: build/kmsg-scan is there to read the guest's logs, or
# vmtest stops before a boot (a splat it could not see would pass).
kmsg_scan_ready()
{
	kmsg_scan -h >/dev/null ||
		die "cannot build build/kmsg-scan, the reader of the guest's kernel log (make build/kmsg-scan says why)"
}

# splat_lines LOG: numbers of the lines of LOG that are undeclared splats
# (a test that provokes a splat on purpose reports it itself; see
# runner/kmsg.h); "tolerated N" on stderr for the declared ones.
splat_lines()
{
	kmsg_scan "$1"
	(($? != 2))
}

# report_splat: prints the first splat of the guest's kernel log, if any.
report_splat()
{
	local log first

	for log in "$VMT_TMP/dmesg.log" "$VMT_TMP/console.log"; do
		[[ -s $log ]] || continue
		first=$(splat_lines "$log" 2>/dev/null | head -n 1)
		[[ $first =~ ^[0-9]+$ ]] || continue
		info "kernel splat in the guest ($(basename "$log"), line $first):"
		tail -n +"$((first > 3 ? first - 3 : 1))" "$log" | head -n 60 | sed 's/^/    /' >&2
		return 0
	done
	return 1
}

# last_console_line: the guest console's last non-empty line.
last_console_line()
{
	grep -v '^\s*$' "$VMT_TMP/console.log" 2>/dev/null | tail -n 1 | tr -d '\r'
}

# oom_line: the guest kernel's first out-of-memory kill, if any.
oom_line()
{
	local re

	for re in 'Out of memory: Killed process' 'invoked oom-killer'; do
		grep -h -m1 -E "$re" "$VMT_TMP/dmesg.log" "$VMT_TMP/console.log" 2>/dev/null |
			head -n 1 | tr -d '\r' | sed 's/^\[[^]]*\] //' | grep . && return
	done
}

# signal_name N: SIGSEGV for 11, and so on.
signal_name() { printf 'SIG%s' "$(kill -l "$1" 2>/dev/null || echo "$1")"; }

# end_of_run QRC SECS TIMEOUT: how the guest's run ended, as the verdict
# (VMT_RC) and one line saying why (VMT_REASON, empty for a clean pass),
# the same line for the console and for the JSON. VMT_HOST_FAULT=1 when the
# host broke during the run (vmtest.sh then passes no results on).
# shellcheck disable=SC2034
end_of_run()
{
	local qrc=$1 secs=$2 limit=$3 line

	VMT_SPLAT=0 VMT_HOST_FAULT=0
	if line=$(host_fault) && [[ -n $line ]]; then
		# What the guest reported was made on a broken host: no verdict,
		# and its results are not passed on as the kernel's.
		VMT_RC=$VMT_EXIT_INFRA VMT_HOST_FAULT=1
		VMT_REASON="no verdict: $line"
	elif line=$(oom_line) && [[ -n $line ]]; then
		VMT_RC=$VMT_EXIT_INFRA
		VMT_REASON="no verdict: the guest ran out of memory ($line); give it more with -m"
	elif line=$(splat_first_line) && [[ -n $line ]]; then
		# The kernel broke: that fails the run whatever the tests said.
		VMT_SPLAT=1 VMT_RC=1
		VMT_REASON="kernel splat in the guest: $line"
	elif [[ -f $VMT_TMP/result ]]; then
		VMT_RC=$(<"$VMT_TMP/result")
		if ((VMT_RC > 128)); then
			VMT_REASON="no verdict: the runner crashed, killed by $(signal_name $((VMT_RC - 128)))"
			VMT_RC=$VMT_EXIT_INFRA
		elif ((VMT_RC > 3)); then
			VMT_REASON="no verdict: the runner exited $VMT_RC, which is none of its codes"
			VMT_RC=$VMT_EXIT_INFRA
		elif ((VMT_RC != 0)); then
			# The runner's own word on a splat that the final log
			# no longer holds (the kernel's ring wrapped), else the
			# guest's, else the runner's last line.
			line=$(grep -E '^(vmtest-guest: |test_progs: kernel splat during the run: )' \
				"$VMT_TMP/runner.log" 2>/dev/null | tail -n 1)
			[[ -n $line ]] || line=$(tail -n 1 "$VMT_TMP/runner.log" 2>/dev/null)
			VMT_REASON="runner exit $VMT_RC: $line"
		else
			VMT_REASON=
		fi
	elif ((qrc == 124)); then
		VMT_RC=$VMT_EXIT_INFRA
		VMT_REASON=$(time_limit_reason "$limit")
	elif ((qrc > 128)); then
		VMT_RC=$VMT_EXIT_INFRA
		VMT_REASON="qemu was killed by $(signal_name $((qrc - 128))) after $secs s, not by vmtest's time limit ($limit s); last console line: $(last_console_line)"
	elif ((qrc != 0)); then
		VMT_RC=$VMT_EXIT_INFRA
		VMT_REASON="qemu exited with status $qrc after $secs s, before the guest finished: $(qemu_error)"
	else
		VMT_RC=$VMT_EXIT_INFRA
		VMT_REASON="the guest powered off without a result after $secs s (the runner did not finish); last console line: $(last_console_line)"
	fi
}

# qemu_error: what qemu said (its whole message, on one line).
qemu_error()
{
	grep -v '^\s*$' "$VMT_TMP/qemu.log" 2>/dev/null | head -n 20 | sed 's/\s*$//' | paste -sd ' ' -
}

# host_fault: a line naming what broke on the host during the run, if
# anything did; the guest's results then say nothing about its kernel. The
# scratch disk and every log are files in TMPDIR: when it fills, the guest
# gets I/O errors (tests fail with -EIO, -EROFS) and the results are lost.
host_fault()
{
	local line

	if tmp_room_fails "$VMT_TMP"; then
		echo "$VMT_TMP_FULL; it filled during the run, so the guest's disk and the logs could not be written"
	elif [[ -f $VMT_TMP/result && ! $(<"$VMT_TMP/result") =~ ^[0-9]+$ ]]; then
		echo "the runner's exit code could not be written in $VMT_TMP (TMPDIR=${TMPDIR:-/tmp}): a write on the host failed"
	elif line=$(grep -h -m1 -E 'I/O error,? (on )?dev nvme0n1' "$VMT_TMP/dmesg.log" \
		"$VMT_TMP/console.log" 2>/dev/null) && [[ -n $line ]]; then
		echo "the guest's scratch disk, a file in TMPDIR=${TMPDIR:-/tmp} on the host, failed ($(tr -d '\r' <<<"$line" | sed 's/^\[[^]]*\] //')): a fault of the host, not of the kernel"
	fi
}

# time_limit_reason LIMIT: the guest ran out of its time (-T): what it was
# doing then, and what a whole run needs. Not a verdict on the kernel, so
# nothing about its results (known deviations included) is advised.
time_limit_reason()
{
	local limit=$1 doing last units

	last=$(grep -E '^#[0-9]+' "$VMT_TMP/runner.log" 2>/dev/null | tail -n 1)
	units=$(grep -cE '^#[0-9]+' "$VMT_TMP/runner.log" 2>/dev/null)
	if [[ -n $last ]]; then
		doing="the runner was running ($units results so far, the last: $last)"
	elif [[ -s $VMT_TMP/runner.log ]]; then
		doing="the runner was running (no test had finished)"
	else
		doing="the runner had not started (the kernel's last console line: $(last_console_line))"
	fi
	echo "time limit reached: no result after $limit s (-T $limit), qemu killed; $doing. A boot alone takes about 10 s under TCG (25 s on arm64), the whole suite 1 to 3 minutes (more on arm64 or a busy host): give -T 60 or more for a few tests, 300 (the default) or more for the whole suite; if -T $limit was ample, the guest hangs"
}

# splat_first_line: the first splat line of the guest's kernel log.
splat_first_line()
{
	local log first

	for log in "$VMT_TMP/dmesg.log" "$VMT_TMP/console.log"; do
		[[ -s $log ]] || continue
		first=$(kmsg_scan -l "$log" 2>/dev/null | head -n 1)
		[[ -n $first ]] || continue
		echo "${first#*: }"
		return 0
	done
	return 1
}

# boot_and_run ACCEL KERNEL INITRD DISK APPEND TIMEOUT: returns the verdict
# (also in VMT_RC) and says why (VMT_REASON); VMT_SPLAT=1 if the guest's
# kernel splatted.
boot_and_run()
{
	local fifo=$VMT_TMP/runner.fifo reader qrc unblock start=$SECONDS

	VMT_SPLAT=0
	rm -f "$fifo" "$VMT_TMP"/{result,runner.log,console.log,dmesg.log,record.json}
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

	end_of_run "$qrc" $((SECONDS - start)) "$6"
	if ((VMT_SPLAT)); then
		report_splat
	elif [[ -n $VMT_REASON && ! -f $VMT_TMP/result ]]; then
		info "$VMT_REASON"
		[[ $VMT_REASON == qemu\ exited* ]] &&
			head -n 20 "$VMT_TMP/qemu.log" | sed 's/^/    qemu: /' >&2
		tail -n 20 "$VMT_TMP/console.log" 2>/dev/null | sed 's/^/    /' >&2
	elif ((VMT_RC == VMT_EXIT_INFRA)); then
		info "$VMT_REASON"
	fi
	return "$VMT_RC"
}
