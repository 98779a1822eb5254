# SPDX-License-Identifier: GPL-2.0
#
# Conformance suite for the bpf_dynptr_from_file kfunc.
#
#   make              build build/test_progs (static) and the BPF objects
#   make vmtest       the main job: install what is missing, build, fetch a
#                     6.19 kernel, boot it, run the suite, print the verdict
#   make stress       the suite under stress-ng = a quiet run (vmtest --stress)
#   make lint         the gates on the sources, in seconds: clang-format,
#                     shellcheck, pyflakes, function length, the -Werror build
#   make rules        SEMANTICS.md against the code, both ways; the docs agree
#   make selftest     the runner's and vmtest's self-tests that boot no guest
#   make check        the project's tests: the three above first, then a host
#                     run, the suite on Debian kernels and the CI jobs
#                     (scripts/ci-job.sh) in fresh Debian 13 and sid roots
#   make coverage     line and branch coverage of the file-dynptr code in a GCOV
#                     kernel built from config (vmtest/coverage.sh)
#   make bench        measure time-to-verdict against a bare boot
#   make bench-kfunc  benchmark file-dynptr reads against pread and mmap
#   make numbers      measure, and write the figures of README.md and docs/ (scripts/numbers.py)
#   make upstream     write the selftests/bpf patch series into $(OUTPUT)/upstream/
#                     (scripts/upstream-series.py; docs/series.md)
#   make deps         install missing build/run/check dependencies (root, Debian)
#   make ARCH=arm64   the same for arm64 guests, in build-arm64/ (cross-built
#                     on an x86_64 host; make ARCH=arm64 vmtest boots one)
#
# Variables: ARCH (x86_64 or arm64; default: the host's), OUTPUT (build
# dir), TYPES_KERNEL (the Debian kernel whose BTF vmlinux.h is made from),
# VMLINUX_BTF (another BTF, vmlinux or kernel image instead), KERNEL
# (vmtest kernel: [FLAVOUR:]VERSION or image path), VMTEST_ARGS, RUNNER_ARGS,
# BENCH_ARGS (make bench-kfunc: -q, the quick mode).

# The guest's architecture, in the kernel's spelling (x86_64, arm64).
# An arm64 flavour in KERNEL (KERNEL=arm64-16k:7.3.4) says it too.
HOST_ARCH	:= $(patsubst aarch64,arm64,$(shell uname -m))
ARCH		?= $(if $(findstring arm64:,$(KERNEL)),arm64,$(HOST_ARCH))
override ARCH	:= $(patsubst aarch64,arm64,$(patsubst x86,x86_64,$(patsubst amd64,x86_64,$(ARCH))))
ifeq ($(filter $(ARCH),x86_64 arm64),)
$(error ARCH=$(ARCH): the suite builds for x86_64 or arm64)
endif
BPF_ARCH	:= $(if $(filter arm64,$(ARCH)),arm64,x86)
DEB_ARCH	:= $(if $(filter arm64,$(ARCH)),arm64,amd64)
GNU_TRIPLET	:= $(if $(filter arm64,$(ARCH)),aarch64-linux-gnu,x86_64-linux-gnu)
# x86_64 builds in build/ (as always), arm64 in build-arm64/, whatever the
# host: vmtest finds each architecture's runner by name.
OUTPUT		?= $(if $(filter arm64,$(ARCH)),build-arm64,build)
CLANG		?= clang
LLVM_STRIP	?= llvm-strip
BPFTOOL		?= bpftool
# A cross build takes Debian's cross compiler and a sysroot of the target's
# static libraries (scripts/sysroot.sh: downloaded, never installed).
ifneq ($(ARCH),$(HOST_ARCH))
CROSS_COMPILE	?= $(GNU_TRIPLET)-
SYSROOT		:= $(OUTPUT)/sysroot
endif
ifeq ($(origin CC),default)
CC		:= $(CROSS_COMPILE)cc
ifneq ($(CROSS_COMPILE),)
CC		:= $(CROSS_COMPILE)gcc
endif
endif
NM		?= $(CROSS_COMPILE)nm
# vmlinux.h comes from the BTF of one known kernel, never from the build
# host's: Debian's TYPES_KERNEL, fetched into vmtest's cache. Any 6.19+ BTF
# works with CO-RE (VMLINUX_BTF=: a raw BTF, a vmlinux or a kernel image).
TYPES_KERNEL	?= $(if $(filter arm64,$(ARCH)),cloud-arm64:)6.19.14
VMLINUX_BTF	?=
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

# Warnings are errors, for the runner and the programs alike (make check
# builds with clang 14, 19 and 21); WERROR= builds anyway, for a compiler
# newer than those that warns about something new.
WERROR		?= -Werror
BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall $(WERROR) \
		   -I$(OUTPUT) -Iprogs \
		   -fms-extensions -Wno-microsoft-anon-tag
CFLAGS		?= -O2 -g
CFLAGS		+= -std=gnu11 -Wall -Wextra -Wno-unused-parameter $(WERROR) \
		   -I$(OUTPUT) -Irunner -Iprog_tests -Iprogs \
		   $(if $(SYSROOT),-I$(SYSROOT)/usr/include)
# The runner says what built it (its first line and its JSON).
BUILD_INFO	 = clang $(shell $(CLANG) -dumpversion 2>/dev/null) (BPF), \
		   $(notdir $(CC)) $(shell $(CC) -dumpfullversion 2>/dev/null)
# Static: the same binary runs on the host and in a busybox guest.
# runner/link.opts: the options the runner needs to link (runner/probe.c).
LIBS		:= $(if $(SYSROOT),-L$(SYSROOT)/usr/lib/$(GNU_TRIPLET)) -lbpf -lelf -lz -lzstd
LDLIBS		:= -static @runner/link.opts $(LIBS)
# elfutils 0.192 (Debian 13) ships a libelf.a that calls four helpers it does
# not contain; runner/compat/eu_search.c fills exactly that hole. Looked at
# when the runner is linked (a cross build's libelf.a is fetched first).
LIBELF_A	 = $(or $(wildcard $(SYSROOT)/usr/lib/$(GNU_TRIPLET)/libelf.a), \
		   $(shell $(CC) -print-file-name=libelf.a 2>/dev/null))
COMPAT_SRCS	 = $(if $(shell $(NM) -A "$(LIBELF_A)" 2>/dev/null | grep -q ' U eu_search_tree_init$$' && \
			  ! $(NM) --defined-only "$(LIBELF_A)" 2>/dev/null | grep -q ' eu_search_tree_init$$' && \
			  echo hole),runner/compat/eu_search.c)

# Host tools: vmtest runs them on this machine, so they are built with the
# host's compiler whatever ARCH is, always in build/, with no libbpf.
HOST_CC		?= cc
KMSG_SCAN	:= build/kmsg-scan

VMTEST		:= vmtest/vmtest.sh --arch $(ARCH) -r $(OUTPUT)/test_progs $(if $(KERNEL),-k $(KERNEL))

.PHONY: all deps toolchain vmtest upstream-run stress lint rules selftest check coverage bench bench-kfunc numbers upstream clean help FORCE
.DELETE_ON_ERROR:
.SECONDARY: $(BPF_OBJS)

all: $(OUTPUT)/test_progs $(OUTPUT)/bench_kfunc $(KMSG_SCAN)

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' Makefile

# The groups of deps.sh a goal needs, for this ARCH.
DEPS_ARCH	:= $(if $(SYSROOT),cross-$(ARCH)) $(if $(filter arm64,$(ARCH)),run-arm64)

deps:
	@scripts/deps.sh build run check $(DEPS_ARCH)

# What the build needs, checked (never installed: that is 'make deps').
toolchain:
	@CC="$(if $(SYSROOT),cc,$(CC))" CLANG="$(CLANG)" LLVM_STRIP="$(LLVM_STRIP)" BPFTOOL="$(BPFTOOL)" \
		scripts/deps.sh --check build $(if $(SYSROOT),cross-$(ARCH))

ifneq ($(SYSROOT),)
$(SYSROOT)/.complete:
	@scripts/sysroot.sh $(ARCH) $(SYSROOT)
endif

$(OUTPUT):
	@mkdir -p $@

# Where the types come from; rewritten only when that changes, so that
# vmlinux.h is remade when TYPES_KERNEL or VMLINUX_BTF changes.
$(OUTPUT)/types.src: FORCE | $(OUTPUT)
	@echo "ARCH=$(ARCH) TYPES_KERNEL=$(TYPES_KERNEL) VMLINUX_BTF=$(VMLINUX_BTF)" | cmp -s - $@ || \
		echo "ARCH=$(ARCH) TYPES_KERNEL=$(TYPES_KERNEL) VMLINUX_BTF=$(VMLINUX_BTF)" >$@

$(OUTPUT)/vmlinux.h: $(OUTPUT)/types.src | toolchain
	@scripts/vmlinux-h.sh "$(VMLINUX_BTF)" "$(TYPES_KERNEL)" "$(BPFTOOL)" $@

$(OUTPUT)/%.bpf.o: progs/%.c $(BPF_HDRS) $(OUTPUT)/vmlinux.h | toolchain
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@

$(OUTPUT)/tests.h: $(TEST_SRCS) runner/gen-tests.sh | $(OUTPUT)
	runner/gen-tests.sh $(TEST_SRCS) > $@

$(OUTPUT)/test_progs: $(RUNNER_SRCS) $(RUNNER_HDRS) runner/link.opts $(TEST_SRCS) $(TEST_HDRS) \
		      runner/compat/eu_search.c $(SKELS) $(OUTPUT)/tests.h \
		      | toolchain $(if $(SYSROOT),$(SYSROOT)/.complete)
	$(CC) $(CFLAGS) -DTEST_BUILD_INFO='"$(BUILD_INFO)"' \
		$(RUNNER_SRCS) $(TEST_SRCS) $(COMPAT_SRCS) -o $@ $(LDLIBS)

# The benchmark of file-dynptr reads (bench/): not a test, a program of its
# own, run in a vmtest guest as the runner is (bench/kfunc-bench.sh).
$(OUTPUT)/bench_kfunc.bpf.o: bench/bench_kfunc.bpf.c bench/bench_kfunc.h $(BPF_HDRS) \
			     $(OUTPUT)/vmlinux.h | toolchain
	$(CLANG) $(BPF_CFLAGS) -Ibench -c $< -o $@
	$(LLVM_STRIP) -g $@

$(OUTPUT)/bench_kfunc: bench/bench_kfunc.c bench/bench_kfunc.h prog_tests/filecache.c \
		       prog_tests/filecache.h runner/compat/eu_search.c \
		       $(OUTPUT)/bench_kfunc.skel.h \
		       | toolchain $(if $(SYSROOT),$(SYSROOT)/.complete)
	$(CC) $(CFLAGS) -Ibench bench/bench_kfunc.c prog_tests/filecache.c \
		$(COMPAT_SRCS) -o $@ -static $(LIBS)

# vmtest's reader of the guest's kernel logs: the runner's splat rules
# (runner/kmsg.c). Written under a temporary name first: two vmtests that
# build it at once each get a whole binary.
$(KMSG_SCAN): vmtest/kmsg-scan.c runner/kmsg.c runner/kmsg.h
	@mkdir -p $(@D)
	$(HOST_CC) -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter $(WERROR) -Irunner \
		vmtest/kmsg-scan.c runner/kmsg.c -o $@.$$$$ && mv -f $@.$$$$ $@

# The main job: a verdict for the newest Debian 6.19 kernel (or KERNEL=).
# It installs what is missing first (as root; otherwise it names it).
vmtest:
	@scripts/deps.sh build run $(DEPS_ARCH)
	@$(MAKE) --no-print-directory all
	$(VMTEST) $(VMTEST_ARGS) -- $(RUNNER_ARGS)

# The same under load: stress-ng in the guest and on the host, every
# subtest's result compared with a quiet run's (docs/stress.md).
stress:
	@scripts/deps.sh build run $(DEPS_ARCH)
	@$(MAKE) --no-print-directory all
	$(VMTEST) --stress $(VMTEST_ARGS) -- $(RUNNER_ARGS)

# The kernel's own file-dynptr tests with its own test_progs, built from
# linux-source-7.3 (vmtest/upstream.sh; docs/upstream.md), on KERNEL
# (default 7.3.4, the tree's own).
upstream-run:
	vmtest/upstream.sh run -k $(or $(KERNEL),7.3.4)

# The gates a new test meets first, each alone (scripts/check.sh runs the
# same commands as its first steps). lint builds first: warnings are errors.
lint: all
	scripts/check-lint.sh

rules:
	scripts/check-rules.py
	scripts/check-docs.py

selftest: all
	runner/selftest/run.sh $(OUTPUT)/selftest
	vmtest/selftest.sh --no-boot

# The project's tests: the gates above, a host run (on a host without the
# kfunc every test must SKIP with its reason), the suite on Debian kernels
# and the CI jobs, each in the fresh Debian root CI gives it. See
# scripts/check.sh.
check:
	@scripts/deps.sh build run check plot cross-arm64 run-arm64 upstream
	@$(MAKE) --no-print-directory all
	OUTPUT=$(OUTPUT) scripts/check.sh

# The kernel's file-dynptr code reached by the suite (RUNNER_ARGS: a part of
# it), in a kernel built from config with GCOV for three files only.
coverage:
	@scripts/deps.sh build run kbuild coverage
	@$(MAKE) --no-print-directory all
	vmtest/coverage.sh -- $(RUNNER_ARGS)

bench: all
	vmtest/bench.sh $(if $(KERNEL),-k $(KERNEL))

# The benchmark of file-dynptr reads against pread and mmap, on each kernel
# of KERNEL (space-separated; default vmtest's) or, with KERNEL=native, on
# this machine. BENCH_ARGS=-q: the quick mode. See bench/kfunc-bench.sh -h.
BENCH_ARGS	?=
bench-kfunc:
	@scripts/deps.sh build run plot $(DEPS_ARCH)
	@$(MAKE) --no-print-directory all
	bench/kfunc-bench.sh $(if $(filter native,$(KERNEL)),--native,$(foreach k,$(KERNEL),-k $(k))) $(BENCH_ARGS)

# NUMBERS="bench matrix" measures only those parts (default: all but mutants).
numbers:
	@scripts/deps.sh build run check
	@$(MAKE) --no-print-directory all
	scripts/numbers.py $(NUMBERS)

# The suite's movable themes as a patch series against linux-source-7.3's
# tools/testing/selftests/bpf, made from the same sources (docs/series.md);
# scripts/check-series.sh applies, checkpatches and runs it.
upstream:
	scripts/upstream-series.py -o $(OUTPUT)/upstream

clean:
	rm -rf $(OUTPUT)
