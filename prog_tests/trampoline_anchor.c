// SPDX-License-Identifier: GPL-2.0
/*
 * The run-wide fixture: keep every BPF trampoline the tests use alive, and
 * find out whether BPF LSM programs run at all.
 *
 * When the last program leaves a hook, the kernel tears its trampoline down
 * through ftrace_shutdown(), which waits for RCU Tasks grace periods: about
 * 100 ms a detach, even under KVM, and the tests detach some 80 times.  With
 * one program that does nothing held on each hook for the whole run, a test's
 * attach and detach only rewrite the trampoline (a few ms).
 *
 * The anchors return 0, as the hooks' default does, so no test can see them.
 * If they cannot be loaded or attached, the run goes on without them, only
 * slower; -v says why.
 *
 * A kernel whose active LSM list lacks "bpf" (lsm= on the command line,
 * many distributions' default) loads and attaches LSM programs and never
 * runs them: every test would see its program run 0 times and fail. So the
 * setup issues one ioctl of its own on /dev/null and checks that the
 * file_ioctl anchor saw it; require_bpf_lsm() then skips, with the reason,
 * each test that needs LSM programs to run.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "harness.h"
#include "trampoline_anchor.skel.h"

static struct trampoline_anchor *anchor;

/* Does the attached file_ioctl anchor run on an ioctl of ours? */
static void probe_lsm_runs(void)
{
	const char *lsms = test__lsm_list();
	char why[512];
	int fd;

	anchor->bss->probe_tgid = getpid();
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ioctl(fd, TRIGGER_IOCTL, 0);
		close(fd);
	}
	if (anchor->bss->probe_runs) {
		bpf_lsm_probed(true, NULL);
		return;
	}
	if (lsms && !strstr(lsms, "bpf"))
		snprintf(
			why, sizeof(why),
			"the BPF LSM is not active (active LSMs: %s): add bpf to the lsm= boot parameter, e.g. lsm=%s,bpf",
			lsms, lsms);
	else
		snprintf(
			why, sizeof(why),
			"an attached lsm/file_ioctl program did not run on an ioctl (active LSMs: %s)",
			lsms ?: "unknown, /sys/kernel/security/lsm unreadable");
	bpf_lsm_probed(false, why);
}

int run_fixture_setup(void)
{
	const char *step = "loaded";
	char why[256];
	int err;

	anchor = trampoline_anchor__open_and_load();
	if (!anchor) {
		err = -errno;
		goto fail;
	}
	err = trampoline_anchor__attach(anchor);
	if (!err) {
		probe_lsm_runs();
		return 0;
	}
	step = "attached";
	trampoline_anchor__destroy(anchor);
	anchor = NULL;
fail:
	snprintf(why, sizeof(why), "BPF LSM programs cannot be %s here (%s)",
		 step, strerror(-err));
	bpf_lsm_probed(false, why);
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
