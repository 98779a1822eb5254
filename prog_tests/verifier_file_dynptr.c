// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_file_dynptr: what the verifier accepts and rejects around file
 * dynptrs (leaks, use after discard, the file put under a live dynptr,
 * overwritten slots, untrusted files, dynptr kinds). One subtest per program
 * of progs/verifier_file_dynptr.c; the expectations are its annotations.
 */
#include "common.h"
#include "verifier_expect.h"
#include "verifier_file_dynptr.skel.h"

/* Loads and runs programs on files it does not evict: beside anything. */
TEST_TRAITS(verifier_file_dynptr, .parallel = true);

void test_verifier_file_dynptr(void)
{
	if (!require_file_dynptr())
		return;
	RUN_VERIFIER_EXPECTATIONS(verifier_file_dynptr);
}
