/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarative verifier tests: runs the expectations that progs/
 * verifier_expect.h's __success, __failure and __msg() attach to each
 * program of a BPF object.
 *
 * For every program of the object, in section order: a subtest named after
 * the program; the object opened afresh with only that program autoloaded,
 * loaded with the verifier log captured (level 1, 1 MiB, grown on ENOSPC);
 * then the verdict and each pattern are checked. A mismatch prints the
 * expected and actual verdict, the patterns that did not match, the tail of
 * the verifier log and anything libbpf said. A program without a verdict
 * annotation, an unknown annotation or a bad regex is a harness error: the
 * subtest fails saying so.
 *
 * Generic: knows nothing about what the programs do.
 */
#ifndef __PROG_TESTS_VERIFIER_EXPECT_H
#define __PROG_TESTS_VERIFIER_EXPECT_H

#include <stddef.h>

/* Returns a BPF object's ELF image, as bpftool's <name>__elf_bytes() does. */
typedef const void *(*verifier_expect_elf_fn)(size_t *sz);

/* @obj_name names the object in libbpf's messages. */
void run_verifier_expectations(const char *obj_name,
			       verifier_expect_elf_fn elf_bytes);

/* For a skeleton <name>.skel.h: RUN_VERIFIER_EXPECTATIONS(name). */
#define RUN_VERIFIER_EXPECTATIONS(skel) \
	run_verifier_expectations(#skel, skel##__elf_bytes)

#endif /* __PROG_TESTS_VERIFIER_EXPECT_H */
