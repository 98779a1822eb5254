/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarative verifier expectations for BPF programs, with the meanings of
 * the kernel's selftests (tools/testing/selftests/bpf/progs/bpf_misc.h).
 *
 * Put these in front of a program; the runner (runner/verifier.c,
 * RUN_VERIFIER_EXPECTATIONS) reads them back from the object's BTF
 * (DECL_TAG types on the program's FUNC, component_idx -1), loads the
 * program alone and checks the verifier's verdict and log:
 *
 *	SEC("lsm/file_open")
 *	__rule("R-VERIFY-6") __failure __msg("{{Unreleased reference|reference leak}}")
 *	int BPF_PROG(leaks, struct file *file) { ... }
 *
 * __success	the program must load.
 * __failure	the program must be rejected. Needs at least one __msg.
 * __msg(TEXT)	TEXT must appear in the verifier log: literal text, with
 *		{{regex}} parts (POSIX extended, REG_NEWLINE) for what varies;
 *		several __msg() must appear in their order. Write wording that
 *		differs across kernels as alternatives, e.g.
 *		"{{arg#0|R1}} must be referenced or trusted".
 * __rule(ID)	the rule of SEMANTICS.md the program checks: a failure names
 *		it and this annotation's file:line.
 *
 * Every program of an object using these needs exactly one of __success or
 * __failure; a program without them is a harness error.
 *
 * Every __failure program X is followed by its twin X_twin (__success), the
 * nearest program that loads, whose comment says "Twin of X" (more twins:
 * X_twin_HOW); a refusal that can have none says "No twin:" and why in its
 * comment. scripts/check-rules.py (make rules) checks this, and that the
 * verdict matches the __rule()'s ("load" or "reject" in SEMANTICS.md).
 */
#ifndef __PROGS_VERIFIER_EXPECT_H
#define __PROGS_VERIFIER_EXPECT_H

/* Must match the prefix runner/verifier.c looks for. */
#define __VERIFIER_EXPECT(what) \
	__attribute__((btf_decl_tag("verifier_expect:" what)))

#define __success __VERIFIER_EXPECT("success")
#define __failure __VERIFIER_EXPECT("failure")
#define __msg(text) __VERIFIER_EXPECT("msg=" text)
#define __VE_STR(x) #x
#define __VE_XSTR(x) __VE_STR(x)
#define __rule(id) \
	__VERIFIER_EXPECT("rule=" id "@" __FILE__ ":" __VE_XSTR(__LINE__))

#endif /* __PROGS_VERIFIER_EXPECT_H */
