/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarative verifier expectations for BPF programs.
 *
 * Put these in front of a program; prog_tests/verifier_expect.c reads them
 * back from the object's BTF (DECL_TAG types on the program's FUNC, with
 * component_idx -1), loads the program alone and checks the verifier's
 * verdict and log:
 *
 *	SEC("lsm/file_open")
 *	__failure __msg("Unreleased reference|reference leak")
 *	int BPF_PROG(leaks, struct file *file) { ... }
 *
 * __success	the program must load.
 * __failure	the program must be rejected. Needs at least one __msg.
 * __msg(ERE)	a POSIX extended regex (REG_NEWLINE: ^ and $ match at line
 *		ends, . does not match a newline) that the verifier log must
 *		match somewhere. Any number; each must match, in any order.
 *		Write patterns that hold across kernel versions, e.g.
 *		"(arg#0|R1) must be referenced or trusted".
 *
 * Every program of an object using these needs exactly one of __success or
 * __failure; a program without them is a harness error.
 */
#ifndef __PROGS_VERIFIER_EXPECT_H
#define __PROGS_VERIFIER_EXPECT_H

/* Must match the prefix prog_tests/verifier_expect.c looks for. */
#define __VERIFIER_EXPECT(what) \
	__attribute__((btf_decl_tag("verifier_expect:" what)))

#define __success	__VERIFIER_EXPECT("success")
#define __failure	__VERIFIER_EXPECT("failure")
#define __msg(ere)	__VERIFIER_EXPECT("msg=" ere)

#endif /* __PROGS_VERIFIER_EXPECT_H */
