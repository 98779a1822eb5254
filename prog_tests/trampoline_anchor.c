// SPDX-License-Identifier: GPL-2.0
/*
 * The run-wide fixture: keep every BPF trampoline the tests use alive.
 *
 * When the last program leaves a hook, the kernel tears its trampoline down
 * through ftrace_shutdown(), which waits for RCU Tasks grace periods: about
 * 100 ms a detach, even under KVM, and the tests detach some 80 times.  With
 * one program that does nothing held on each hook for the whole run, a test's
 * attach and detach only rewrite the trampoline (a few ms).
 *
 * The anchors return 0, as the hooks' default does, so no test can see them.
 * If they cannot be loaded or attached (no BPF LSM, say), the run goes on
 * without them, only slower; -v says why.
 */
#include "test_progs.h"
#include "trampoline_anchor.skel.h"

static struct trampoline_anchor *anchor;

int run_fixture_setup(void)
{
	int err;

	anchor = trampoline_anchor__open_and_load();
	if (!anchor) {
		err = -errno;
		goto fail;
	}
	err = trampoline_anchor__attach(anchor);
	if (!err)
		return 0;
	trampoline_anchor__destroy(anchor);
	anchor = NULL;
fail:
	if (test__verbosity())
		fprintf(stderr,
			"test_progs: trampoline anchors not attached (%s); attach and detach will be slower\n",
			strerror(-err));
	return 0;
}

void run_fixture_teardown(void)
{
	trampoline_anchor__destroy(anchor);
}
