// SPDX-License-Identifier: GPL-2.0
/* What the running kernel offers: its release, BPF itself, kfuncs in BTF. */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "test_progs.h"

static struct utsname uts;
static char release[sizeof(uts.release)];

/* The full "uname -r", e.g. "6.18.44-fc-v657". */
const char *kernel_release_full(void)
{
	if (!uts.release[0] && uname(&uts))
		snprintf(uts.release, sizeof(uts.release), "unknown");
	return uts.release;
}

/*
 * The release without the local suffix, e.g. "6.18.44": that is what the
 * known-deviations file and skip messages talk about.
 */
const char *test__kernel_release(void)
{
	if (!release[0]) {
		snprintf(release, sizeof(release), "%s", kernel_release_full());
		release[strcspn(release, "-+")] = '\0';
	}
	return release;
}

const char *test__lsm_list(void)
{
	static char list[512];
	static int state; /* 0 not read, 1 read, -1 unreadable */
	FILE *f;

	if (state)
		return state > 0 ? list : NULL;
	state = -1;
	f = fopen("/sys/kernel/security/lsm", "re");
	if (!f)
		return NULL;
	if (fgets(list, sizeof(list), f)) {
		list[strcspn(list, "\n")] = '\0';
		state = 1;
	}
	fclose(f);
	return state > 0 ? list : NULL;
}

/*
 * The lockdown mode in force: the bracketed word of "none [integrity]
 * confidentiality", NULL if the file cannot be read (no securityfs, or no
 * lockdown LSM). TEST_PROGS_LOCKDOWN names another file to read: the
 * runner's self-test sets it.
 */
static const char *lockdown_mode(const char **path)
{
	static char mode[64];
	static int state; /* 0 not read, 1 read, -1 unreadable */
	char line[256], *lb, *rb;
	FILE *f;

	*path = getenv("TEST_PROGS_LOCKDOWN") ?:
						"/sys/kernel/security/lockdown";
	if (state)
		return state > 0 ? mode : NULL;
	state = -1;
	f = fopen(*path, "re");
	if (!f)
		return NULL;
	if (fgets(line, sizeof(line), f)) {
		lb = strchr(line, '[');
		rb = lb ? strchr(lb, ']') : NULL;
		if (rb && rb - lb - 1 < (long)sizeof(mode)) {
			*rb = '\0';
			snprintf(mode, sizeof(mode), "%s", lb + 1);
			state = 1;
		}
	}
	fclose(f);
	return state > 0 ? mode : NULL;
}

const char *lockdown_unmet_for(const struct test_traits *t, const char *subtest,
			       char *why, size_t n)
{
	const char *pat = t ? t->lockdown_refused : NULL, *mode, *path;

	if (!pat || (subtest ? fnmatch(pat, subtest, 0) : strcmp(pat, "*")))
		return NULL;
	mode = lockdown_mode(&path);
	if (!mode) {
		/* The load then decides; a refusal would name the helper. */
		printf("cannot read the kernel's lockdown mode (%s); running\n",
		       path);
		return NULL;
	}
	if (strcmp(mode, "confidentiality"))
		return NULL;
	snprintf(
		why, n,
		"kernel lockdown=confidentiality (%s) refuses the helpers that read kernel memory (bpf_probe_read*), which its program calls",
		path);
	return why;
}

int probe_privileges(void)
{
	if (geteuid() == 0)
		return 0;
	fprintf(stderr,
		"test_progs: must run as root (effective uid is %u): the tests load BPF programs\n",
		geteuid());
	return -1;
}

/* Load "r0 = 0; exit", the smallest program any BPF-enabled kernel takes. */
int probe_bpf(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd, err;

	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), NULL);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	err = errno;
	fprintf(stderr,
		"test_progs: BPF is unavailable: loading a trivial socket filter failed: errno %d (%s)\n",
		err, strerror(err));
	return -1;
}

/*
 * vmlinux BTF, loaded once.  The parent loads it before forking, so each
 * test's child inherits it instead of parsing several MB again.
 */
static struct btf *vmlinux_btf;
static int vmlinux_btf_err;

/*
 * libbpf 1.1 parses the kernel's BTF afresh for every object it loads and
 * every attach target it looks up: about 55 ms each under TCG, and a test
 * that loads one object per verifier case pays it 30 times.  The runner is
 * linked with --wrap for these two functions (runner/link.opts), so libbpf
 * gets the copy parsed once above.  libbpf only reads that BTF; freeing it
 * is a no-op, and it lives until the process exits.
 */
struct btf *__real_btf__load_vmlinux_btf(void);
void __real_btf__free(struct btf *btf);

struct btf *__wrap_btf__load_vmlinux_btf(void)
{
	if (vmlinux_btf)
		return vmlinux_btf;
	return __real_btf__load_vmlinux_btf();
}

void __wrap_btf__free(struct btf *btf)
{
	if (btf && btf == vmlinux_btf)
		return;
	__real_btf__free(btf);
}

void probe_preload_btf(void)
{
	if (vmlinux_btf || vmlinux_btf_err)
		return;
	vmlinux_btf = __real_btf__load_vmlinux_btf();
	if (!vmlinux_btf)
		vmlinux_btf_err = errno ? errno : ENOENT;
}

int btf_has_func(const char *name)
{
	probe_preload_btf();
	if (!vmlinux_btf)
		return -1;
	return btf__find_by_name_kind(vmlinux_btf, name, BTF_KIND_FUNC) >= 0;
}

const char *test__kfunc_missing(const char *kfunc, const char *since)
{
	static char why[256];

	probe_preload_btf();
	if (!vmlinux_btf) {
		snprintf(
			why, sizeof(why),
			"cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): %s; needed to look for %s",
			strerror(vmlinux_btf_err), kfunc);
		return why;
	}
	if (btf__find_by_name_kind(vmlinux_btf, kfunc, BTF_KIND_FUNC) >= 0)
		return NULL;
	snprintf(why, sizeof(why), "kernel %s lacks %s (added in %s)",
		 test__kernel_release(), kfunc, since);
	return why;
}

bool test__require_kfunc(const char *kfunc, const char *since)
{
	const char *why = test__kfunc_missing(kfunc, since);

	if (why)
		test__skip("%s", why);
	return !why;
}
