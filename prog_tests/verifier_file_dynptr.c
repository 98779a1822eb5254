// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_file_dynptr: what the verifier accepts and rejects around file
 * dynptrs (leaks, use after discard, the file put under a live dynptr,
 * overwritten slots, untrusted files, dynptr kinds), each refusal beside
 * its twin, the nearest program that loads. One subtest per program of
 * progs/verifier_file_dynptr.c; the expectations are its annotations.
 */
#include "harness.h"
#include "verifier_file_dynptr.skel.h"

/*
 * Only loads programs: beside anything. Needs no BPF LSM to be active.
 * untrusted_core_read_exe_file reads its file with BPF_CORE_READ(), a
 * bpf_probe_read*() call that lockdown=confidentiality refuses before the
 * kfunc's argument is checked.
 */
TEST_TRAITS(verifier_file_dynptr, .needs = { &need_file_dynptr },
	    .parallel = true,
	    .lockdown_refused = "untrusted_core_read_exe_file");

void test_verifier_file_dynptr(void)
{
	RUN_VERIFIER_EXPECTATIONS(verifier_file_dynptr);
}
