# SPDX-License-Identifier: GPL-2.0
#
# Conformance suite for the bpf_dynptr_from_file kfunc.
#
#   make              build build/test_progs (static) and the BPF objects
#   make vmtest       the main job: build, fetch a 6.19 kernel, boot it, run
#   make check        the project's tests (runner self-tests, host run, vmtest)
#   make bench        measure time-to-verdict against a bare boot
#   make deps         install missing build/run dependencies (root, Debian)
#
# Variables: OUTPUT (build dir), VMLINUX_BTF (BTF for vmlinux.h), KERNEL
# (vmtest kernel: Debian version or image path), VMTEST_ARGS, RUNNER_ARGS.

OUTPUT		?= build
CLANG		?= clang
LLVM_STRIP	?= llvm-strip
BPFTOOL		?= bpftool
CC		?= cc
# The BTF vmlinux.h is generated from. Any kernel's works with CO-RE: the
# programs use only long-stable types; the kfuncs are declared in progs/.
VMLINUX_BTF	?= /sys/kernel/btf/vmlinux
KERNEL		?=
VMTEST_ARGS	?=
RUNNER_ARGS	?=

BPF_SRCS	:= $(wildcard progs/*.c)
BPF_HDRS	:= $(wildcard progs/*.h)
BPF_OBJS	:= $(patsubst progs/%.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS		:= $(patsubst progs/%.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
TEST_SRCS	:= $(wildcard prog_tests/*.c)
TEST_HDRS	:= $(wildcard prog_tests/*.h)
RUNNER_SRCS	:= $(wildcard runner/*.c)
RUNNER_HDRS	:= $(wildcard runner/*.h)

BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall \
		   -I$(OUTPUT) -Iprogs \
		   -fms-extensions -Wno-microsoft-anon-tag
CFLAGS		?= -O2 -g
CFLAGS		+= -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
		   -I$(OUTPUT) -Irunner -Iprog_tests -Iprogs
# Static: the same binary runs on the host and in a busybox guest.
# runner/link.opts: the options the runner needs to link (runner/probe.c).
LDLIBS		:= -static @runner/link.opts -lbpf -lelf -lz -lzstd

VMTEST		:= vmtest/vmtest.sh $(if $(KERNEL),-k $(KERNEL))

.PHONY: all deps vmtest check bench clean help
.DELETE_ON_ERROR:
.SECONDARY: $(BPF_OBJS)

all: $(OUTPUT)/test_progs

help:
	@sed -n '3,14s/^# \{0,1\}//p' Makefile

deps:
	@scripts/deps.sh

$(OUTPUT):
	@mkdir -p $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT) deps
	@test -r "$(VMLINUX_BTF)" || { echo "error: no BTF at $(VMLINUX_BTF); set VMLINUX_BTF= to a vmlinux or BTF file" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(OUTPUT)/%.bpf.o: progs/%.c $(BPF_HDRS) $(OUTPUT)/vmlinux.h | deps
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@

$(OUTPUT)/tests.h: $(TEST_SRCS) runner/gen-tests.sh | $(OUTPUT)
	runner/gen-tests.sh $(TEST_SRCS) > $@

$(OUTPUT)/test_progs: $(RUNNER_SRCS) $(RUNNER_HDRS) runner/link.opts $(TEST_SRCS) $(TEST_HDRS) \
		      $(SKELS) $(OUTPUT)/tests.h | deps
	$(CC) $(CFLAGS) $(RUNNER_SRCS) $(TEST_SRCS) -o $@ $(LDLIBS)

# The main job: a verdict for the newest Debian 6.19 kernel (or KERNEL=).
vmtest: all
	$(VMTEST) $(VMTEST_ARGS) -- $(RUNNER_ARGS)

# The project's tests: runner self-tests, a host run (on a host without the
# kfunc every test must SKIP with its reason), vmtest's self-tests, the suite
# on Debian 6.19, and a flake check. See scripts/check.sh.
check: all
	OUTPUT=$(OUTPUT) scripts/check.sh

bench: all
	vmtest/bench.sh $(if $(KERNEL),-k $(KERNEL))

clean:
	rm -rf $(OUTPUT)
