// SPDX-License-Identifier: GPL-2.0
/*
 * sleepable_select: the same read of an evicted page, from each context a
 * sleepable program offers: its body, RCU, preempt-disabled and
 * irq-disabled regions (alone and nested), held locks, and the synchronous
 * callbacks it calls.
 *
 * Checks R-SELECT-1..13 (SEMANTICS.md states them). Every run-time row
 * evicts the file and proves it with mincore() first; a row whose program
 * the verifier must refuse (a lock held) loads it alone and checks the
 * refusal and the call it names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "harness.h"
#include "sleepable_select.skel.h"

#define FILE_LEN PG(8, 0)
#define READ_OFF pg(PG(3, 100))
#define SEL_LEN 64

/* What the 7.x and 6.19 verifiers say about any call under a lock. */
#define LOCK_MSG "function calls are not allowed while holding a lock"

/*
 * A sleeping read with preemption or irqs off: what the kernel may log.
 * "BUG[:]", not "BUG:": splat_seen() takes any line with "BUG:" from the
 * log for the warning, and the window's opening line carries this ERE.
 */
#define ATOMIC_SLEEP_ERE \
	"BUG[:] (scheduling while atomic|sleeping function called from invalid context)"

/* A place the read is made from: its program, rule and expected result. */
struct place {
	struct test_case_at at;
	const char *name;
	int expect;
	const char *warns; /* a warning the kernel may log (ERE), or NULL */
	/* The region's or lock's kfunc, probed in the BTF, or NULL. */
	const char *kfunc;
	/* The verifier must refuse it at the call named here (LOCK_MSG). */
	const char *refused_at;
	/*
	 * Read a never-read hole of a sparse file, not an evicted page. For a
	 * read inside a preempt- or irq-disabled region through a dynptr
	 * created before it: if the sleepable reader is bound, an evicted
	 * page makes it wait for I/O there; the scheduler then logs
	 * "scheduling while atomic" and resets the preempt count, which
	 * bpf_preempt_enable() underflows, and the kernel oopses at the next
	 * BUG_ON(in_interrupt()) (seen on 7.3.4: mm/vmalloc.c). A hole has no
	 * I/O to wait for: the sleepable reader returns its zeros without
	 * sleeping, the page-cache-only one -EFAULT, as for an evicted page.
	 */
	bool hole;
};

#define PREEMPT "bpf_preempt_disable"
#define IRQ "bpf_local_irq_save"
#define RES_LOCK "bpf_res_spin_lock"
#define CREATE "bpf_dynptr_from_file"
#define READ "bpf_dynptr_read"

static const struct place places[] = {
	{ CASE_AT("R-SELECT-1"), .name = "sleepable" },
	{ CASE_AT("R-SELECT-2"), .name = "nonsleepable", .expect = -EFAULT },
	{ CASE_AT("R-SELECT-3"), .name = "sleepable_all_in_rcu",
	  .expect = -EFAULT },
	{ CASE_AT("R-SELECT-4"), .name = "sleepable_made_in_rcu",
	  .expect = -EFAULT },
	{ CASE_AT("R-SELECT-5"), .name = "sleepable_read_in_rcu",
	  .expect = -EFAULT,
	  .warns = "tree_plugin\\.h:[0-9]+.*rcu_note_context_switch" },
	{ CASE_AT("R-SELECT-6"), .name = "sleepable_all_in_preempt",
	  .expect = -EFAULT, .kfunc = PREEMPT },
	{ CASE_AT("R-SELECT-6"), .name = "sleepable_all_in_irq",
	  .expect = -EFAULT, .kfunc = IRQ },
	{ CASE_AT("R-SELECT-7"), .name = "sleepable_made_in_preempt",
	  .expect = -EFAULT, .kfunc = PREEMPT },
	{ CASE_AT("R-SELECT-7"), .name = "sleepable_made_in_irq",
	  .expect = -EFAULT, .kfunc = IRQ },
	{ CASE_AT("R-SELECT-8"), .name = "sleepable_read_in_preempt",
	  .expect = -EFAULT, .warns = ATOMIC_SLEEP_ERE, .kfunc = PREEMPT,
	  .hole = true },
	{ CASE_AT("R-SELECT-8"), .name = "sleepable_read_in_irq",
	  .expect = -EFAULT, .warns = ATOMIC_SLEEP_ERE, .kfunc = IRQ,
	  .hole = true },
	{ CASE_AT("R-SELECT-9"), .name = "sleepable_rcu_in_preempt",
	  .expect = -EFAULT, .kfunc = PREEMPT },
	{ CASE_AT("R-SELECT-9"), .name = "sleepable_irq_in_rcu",
	  .expect = -EFAULT, .kfunc = IRQ },
	{ CASE_AT("R-SELECT-10"), .name = "sleepable_made_in_spin_lock",
	  .refused_at = CREATE },
	{ CASE_AT("R-SELECT-10"), .name = "sleepable_read_in_spin_lock",
	  .refused_at = READ },
	{ CASE_AT("R-SELECT-10"), .name = "sleepable_after_spin_lock" },
	{ CASE_AT("R-SELECT-10"), .name = "sleepable_made_in_res_lock",
	  .kfunc = RES_LOCK, .refused_at = CREATE },
	{ CASE_AT("R-SELECT-10"), .name = "sleepable_read_in_res_lock",
	  .kfunc = RES_LOCK, .refused_at = READ },
	{ CASE_AT("R-SELECT-10"), .name = "sleepable_after_res_lock",
	  .kfunc = RES_LOCK },
	{ CASE_AT("R-SELECT-11"), .name = "sleepable_loop_cb" },
	{ CASE_AT("R-SELECT-11"), .name = "sleepable_map_cb" },
	{ CASE_AT("R-SELECT-12"), .name = "sleepable_loop_cb_in_rcu",
	  .expect = -EFAULT },
	{ CASE_AT("R-SELECT-12"), .name = "sleepable_map_cb_in_rcu",
	  .expect = -EFAULT },
	{ CASE_AT("R-SELECT-13"), .name = "sleepable_loop_cb_also_in_rcu" },
};

/* Whether each row's kfunc is in the running kernel's BTF. */
static bool has_kfunc[N_ROWS(places)];

/*
 * Probes each row's kfunc in the kernel's BTF, and picks what the skeleton
 * loads: a program whose kfunc is absent is not loaded (its __weak extern
 * would fail the whole object), a refused program never is (the row loads
 * it alone), the others are.
 */
static bool pick_programs(struct sleepable_select *skel)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int i;

	if (!ASSERT_OK_PTR(vmlinux, "load the kernel's BTF"))
		return false;
	for (i = 0; i < N_ROWS(places); i++) {
		const struct place *p = &places[i];
		struct bpf_program *prog =
			bpf_object__find_program_by_name(skel->obj, p->name);

		if (!ASSERT_OK_PTR(prog, p->name))
			break;
		has_kfunc[i] = !p->kfunc ||
			       btf__find_by_name_kind(vmlinux, p->kfunc,
						      BTF_KIND_FUNC) > 0;
		bpf_program__set_autoload(prog, has_kfunc[i] && !p->refused_at);
	}
	btf__free(vmlinux);
	return i == N_ROWS(places);
}

/* The line of @log before the one at @at, or "" (static). */
static const char *line_before(const char *log, const char *at)
{
	static char line[256];
	const char *end = at, *start;

	line[0] = 0;
	if (end > log && end[-1] == '\n')
		end--;
	for (start = end; start > log && start[-1] != '\n'; start--)
		;
	if (end > start)
		snprintf(line, sizeof(line), "%.*s", (int)(end - start), start);
	return line;
}

/*
 * R-SELECT-10: the program must be refused with LOCK_MSG, at the call of
 * p->refused_at (the instruction the log prints before it).
 */
static void check_refused(const struct place *p)
{
	const void *bytes;
	const char *at, *call;
	size_t sz = 0;
	char *log;
	int err = 0;

	bytes = sleepable_select__elf_bytes(&sz);
	log = test__load_alone("sleepable_select", bytes, sz, p->name, NULL,
			       NULL, &err);
	if (!log)
		return;
	test__case(NULL, &p->at, "%s under a held lock", p->refused_at);
	at = strstr(log, LOCK_MSG);
	call = at ? line_before(log, at) : "";
	if (!ASSERT_NEQ(err, 0, "the verifier refuses the program")) {
		/* Loaded: nothing more to compare. */
	} else if (!at) {
		printf("the verifier did not say '%s'; its log's tail:\n",
		       LOCK_MSG);
		test__print_tail(log, 20, "  | ");
		test__fail();
	} else if (!strstr(call, p->refused_at)) {
		printf("refused at '%s', not at the call of %s\n", call,
		       p->refused_at);
		test__fail();
	} else if (test__verbosity() >= 1) {
		printf("refused as expected at '%s'\n", call);
	}
	free(log);
}

static void run_place(struct sleepable_select *skel, int fd,
		      const struct place *p)
{
	struct bpf_program *prog =
		bpf_object__find_program_by_name(skel->obj, p->name);
	struct sleepable_select__bss *bss = skel->bss;
	int expect = p->expect, cursor = -1;
	struct bpf_link *link;
	__u8 want[SEL_LEN];
	char splat[256];

	if (p->warns && !may_provoke_splat()) {
		test__skip(
			"may make this kernel log a known warning (%s); runs in vmtest",
			p->warns);
		return;
	}
	if (!ASSERT_OK_PTR(prog, "find program") ||
	    !make_file_evicted(fd, pg(FILE_LEN),
			       "resident pages before the trigger (mincore)"))
		return;
	memset(bss, 0x5a, sizeof(*bss));
	bss->target_tgid = getpid();
	bss->runs = 0;
	bss->read_off = READ_OFF;
	link = bpf_program__attach(prog);
	if (!ASSERT_OK_PTR(link, "attach"))
		return;
	if (p->warns)
		cursor = splat_watch(p->warns);
	ASSERT_OK(trigger_file_ioctl(fd), "trigger ioctl");
	test__case(NULL, &p->at, "the read of %s from %s",
		   p->hole ? "a never-read hole" : "an evicted page", p->name);
	if (p->warns && splat_seen(cursor, splat, sizeof(splat))) {
		printf("the kernel warned during the read: %s\n", splat);
		test__fail();
	}
	bpf_link__destroy(link);
	if (!ASSERT_EQ(bss->runs, 1, "program invocations per trigger") ||
	    !ASSERT_OK(bss->create_ret, "bpf_dynptr_from_file"))
		return;
	if (!ASSERT_EQ(bss->read_ret, expect,
		       p->hole ? "read of a never-read hole" :
				 "read of an evicted page"))
		return;
	if (expect) {
		/* A read that cannot sleep must not have brought it in. */
		ASSERT_EQ(resident_pages(fd, READ_OFF, SEL_LEN), 0,
			  "pages resident after the failed read (mincore)");
		return;
	}
	if (ASSERT_EQ(pread(fd, want, SEL_LEN, READ_OFF), SEL_LEN, "pread"))
		ASSERT_MEMEQ(bss->buf, want, SEL_LEN, "bytes equal pread");
}

static void run_row(struct sleepable_select *skel, int fd, int hole_fd, int i)
{
	const struct place *p = &places[i];

	if (!test__start_subtest(p->name))
		return;
	if (!has_kfunc[i])
		test__skip("the kernel lacks the kfunc %s (not in its BTF)",
			   p->kfunc);
	else if (p->refused_at)
		check_refused(p);
	else {
		run_place(skel, p->hole ? hole_fd : fd, p);
		after_case_evictable(p->hole ? hole_fd : fd, p->name);
	}
}

/* FILE_LEN bytes, data in the first page only: READ_OFF is in a hole. */
static bool sparse_file(struct scratch_file *h)
{
	const struct extent data = { 0, pg(PG(1, 0)) };

	h->fd = make_sparse_pattern_file("sleepable_select_hole", pg(FILE_LEN),
					 &data, 1, h->path, sizeof(h->path));
	return ASSERT_GE(h->fd, 0, "create the sparse file");
}

static struct sleepable_select *open_load(void)
{
	struct bpf_object_open_opts opts;
	struct sleepable_select *skel;

	skel_open_opts(&opts);
	skel = sleepable_select__open_opts(&opts);
	if (!ASSERT_OK_PTR(skel, "open skeleton sleepable_select"))
		return NULL;
	if (pick_programs(skel) && ASSERT_OK(sleepable_select__load(skel),
					     "load skeleton sleepable_select"))
		return skel;
	sleepable_select__destroy(skel);
	return NULL;
}

/* Not parallel: under -j it runs alone, as it provokes kernel warnings. */
/*
 * A read that sleeps in an RCU section warns with preemptible RCU (whose
 * __rcu_read_lock() is out of line); without it, it would panic the kernel.
 */
TEST_TRAITS(sleepable_select, NEEDS_FILE_DYNPTR_LSM,
	    .kconfigs = { { "CONFIG_PREEMPT_RCU", "sleepable_read_in_rcu",
			    "__rcu_read_lock" } });

void test_sleepable_select(void)
{
	struct sleepable_select *skel = open_load();
	struct scratch_file f = { .fd = -1 }, h = { .fd = -1 };
	int i;

	if (skel &&
	    scratch_pattern_file(&f, "sleepable_select", pg(FILE_LEN)) &&
	    sparse_file(&h))
		for (i = 0; i < N_ROWS(places); i++)
			run_row(skel, f.fd, h.fd, i);
	scratch_file_done(&h);
	scratch_file_done(&f);
	sleepable_select__destroy(skel);
}
