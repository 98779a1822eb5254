// SPDX-License-Identifier: GPL-2.0
/*
 * callback_select: the read of an evicted page from asynchronous callbacks
 * (bpf_timer, bpf_wq, task_work), each scheduled from a non-sleepable and
 * from a sleepable LSM program, and from an RCU section inside a wq
 * callback.
 *
 * Checks R-CALLBACK-1..4 (SEMANTICS.md states them).
 *
 * A callback has no hook argument, so the file comes from a task: a child
 * runs a copy of cat(1) (busybox in vmtest) made in the scratch directory
 * with pattern pages appended, far past its ELF image, where the loader
 * maps nothing. The child blocks reading a pipe; each row evicts the tail
 * (proven with mincore()) and the callback reads it through
 * bpf_get_task_exe_file(bpf_task_from_pid(child)). The helpers here are
 * static: prog_tests/harness.[ch] is not this theme's to change.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <bpf/btf.h>
#include "harness.h"
#include "callback_select.skel.h"

#define SEL_LEN 64
#define TAIL_PAGES 4
/* Generous for TCG under load: the work normally runs within milliseconds. */
#define WAIT_MS 20000
#define HANDSHAKE "ready\n"

/*
 * A kernel that binds the sleeping reader where nothing may sleep logs one
 * of these; the row declares them so that it can fail naming the splat.
 */
#define WRONG_READER_SPLAT                                                      \
	"scheduling while atomic|sleeping function called from invalid context" \
	"|rcu_note_context_switch|Voluntary context switch within RCU"

enum kind { KIND_TIMER, KIND_WQ, KIND_WQ_RCU, KIND_TW, NR_KINDS };

struct row {
	struct test_case_at at;
	const char *name;
	enum kind kind;
	bool from_sleepable;
	int expect;
};

static const struct row rows[] = {
	{ CASE_AT("R-CALLBACK-1"), "timer_from_lsm", KIND_TIMER, false,
	  -EFAULT },
	{ CASE_AT("R-CALLBACK-1"), "timer_from_lsm_s", KIND_TIMER, true,
	  -EFAULT },
	{ CASE_AT("R-CALLBACK-2"), "wq_from_lsm", KIND_WQ, false, 0 },
	{ CASE_AT("R-CALLBACK-2"), "wq_from_lsm_s", KIND_WQ, true, 0 },
	{ CASE_AT("R-CALLBACK-3"), "task_work_from_lsm", KIND_TW, false, 0 },
	{ CASE_AT("R-CALLBACK-3"), "task_work_from_lsm_s", KIND_TW, true, 0 },
	{ CASE_AT("R-CALLBACK-4"), "wq_rcu_from_lsm", KIND_WQ_RCU, false,
	  -EFAULT },
	{ CASE_AT("R-CALLBACK-4"), "wq_rcu_from_lsm_s", KIND_WQ_RCU, true,
	  -EFAULT },
};

/*
 * What the kernel offers for each kind: the programs' name prefix (the
 * kfunc variant), or why the kind's rows skip.
 */
struct offer {
	const char *prefix;
	const char *how;
	char why_not[160];
};

static bool has_kfunc(const struct btf *btf, const char *name)
{
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

/* The first of @names the kernel lacks, or NULL. */
static const char *missing(const struct btf *btf, const char *const *names)
{
	for (; *names; names++)
		if (!has_kfunc(btf, *names))
			return *names;
	return NULL;
}

/*
 * @plain (7.x) or @impl (6.19): prefers the plain name, which 7.x has
 * beside a BTF-only _impl that no program can call.
 */
static void pick_variant(struct offer *o, const struct btf *btf,
			 const char *const *needs, const char *plain,
			 const char *impl, const char *prefix_plain,
			 const char *prefix_impl)
{
	const char *lack = missing(btf, needs);

	if (lack) {
		snprintf(o->why_not, sizeof(o->why_not), "kernel %s has no %s",
			 test__kernel_release(), lack);
	} else if (has_kfunc(btf, plain)) {
		o->prefix = prefix_plain;
		o->how = plain;
	} else if (has_kfunc(btf, impl)) {
		o->prefix = prefix_impl;
		o->how = impl;
	} else {
		snprintf(o->why_not, sizeof(o->why_not),
			 "kernel %s has neither %s nor %s",
			 test__kernel_release(), plain, impl);
	}
}

static bool kernel_preempt_rt(void)
{
	struct utsname u;

	return !uname(&u) && strstr(u.version, "PREEMPT_RT");
}

static void find_offers(const struct btf *btf, struct offer *offers)
{
	static const char *const wq_needs[] = { "bpf_wq_init", "bpf_wq_start",
						NULL };
	static const char *const no_needs[] = { NULL };

	memset(offers, 0, sizeof(*offers) * NR_KINDS);
	/*
	 * The bpf_timer_* helpers exist on every kernel with the kfunc, but
	 * PREEMPT_RT's verifier refuses them ("bpf_timer cannot be used for
	 * PREEMPT_RT"); uname -v names the preemption model.
	 */
	if (kernel_preempt_rt()) {
		snprintf(offers[KIND_TIMER].why_not,
			 sizeof(offers[KIND_TIMER].why_not),
			 "kernel %s is PREEMPT_RT (uname -v), whose verifier "
			 "refuses bpf_timer (\"bpf_timer cannot be used for "
			 "PREEMPT_RT\")",
			 test__kernel_release());
	} else {
		offers[KIND_TIMER].prefix = "timer";
		offers[KIND_TIMER].how = "bpf_timer_start";
	}
	pick_variant(&offers[KIND_WQ], btf, wq_needs, "bpf_wq_set_callback",
		     "bpf_wq_set_callback_impl", "wq_plain", "wq_impl");
	offers[KIND_WQ_RCU] = offers[KIND_WQ];
	if (offers[KIND_WQ].prefix)
		offers[KIND_WQ_RCU].prefix =
			strcmp(offers[KIND_WQ].prefix, "wq_plain") ?
				"wq_rcu_impl" :
				"wq_rcu_plain";
	pick_variant(&offers[KIND_TW], btf, no_needs,
		     "bpf_task_work_schedule_signal",
		     "bpf_task_work_schedule_signal_impl", "tw_plain",
		     "tw_impl");
	printf("kernel %s offers: timer (%s), wq (%s), task_work (%s)\n",
	       test__kernel_release(),
	       offers[KIND_TIMER].prefix ? offers[KIND_TIMER].how :
					   offers[KIND_TIMER].why_not,
	       offers[KIND_WQ].prefix ? offers[KIND_WQ].how :
					offers[KIND_WQ].why_not,
	       offers[KIND_TW].prefix ? offers[KIND_TW].how :
					offers[KIND_TW].why_not);
}

/* The child and the file it runs. */
struct target {
	int fd; /* O_RDONLY, for eviction, mincore() and pread() */
	char path[PATH_MAX];
	off_t tail_off;
	size_t tail_len;
	ino_t ino;
	pid_t pid;
	int in_w; /* the child's stdin */
	int out_r; /* its stdout */
};

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* The cat(1) to copy: busybox in vmtest's guest, coreutils elsewhere. */
static bool find_cat(char *path, size_t sz)
{
	static const char *const cands[] = { "/bin/cat", "/usr/bin/cat" };
	char real[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
		if (realpath(cands[i], real) && !access(real, X_OK)) {
			snprintf(path, sz, "%s", real);
			return true;
		}
	return false;
}

static bool write_all(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n <= 0)
			return false;
		p += n, off += n, len -= n;
	}
	return true;
}

/*
 * The tail starts past the image by at least a PMD-sized folio and on a
 * multiple of one: a large folio of the page cache never holds both a
 * page the child maps (which no eviction drops) and a tail page, and the
 * loader's readaround never reaches the tail.
 */
static off_t tail_offset(off_t image)
{
	off_t align = huge_folio_size() ?: 2 << 20;

	return (image + 2 * align) / align * align;
}

/* Writes the copy: the image, a hole, the pattern tail. Asserted. */
static bool make_copy(struct target *t, const char *src)
{
	size_t size = 0;
	__u8 *image = NULL, *tail = NULL;
	bool ok = false;
	struct stat st;
	int in, out;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (!ASSERT_GE(in, 0, "open cat") || !ASSERT_OK(fstat(in, &st), "stat"))
		goto out;
	size = st.st_size;
	image = malloc(size);
	if (!ASSERT_OK_PTR(image, "malloc") ||
	    !ASSERT_EQ(pread(in, image, size, 0), (ssize_t)size, "read cat"))
		goto out;
	t->tail_off = tail_offset(size);
	t->tail_len = TAIL_PAGES * page_size();
	tail = malloc(t->tail_len);
	if (!ASSERT_OK_PTR(tail, "malloc"))
		goto out;
	pattern_fill(tail, t->tail_off, t->tail_len);
	snprintf(t->path, sizeof(t->path), "%s/callback_select.exe",
		 scratch_dir());
	unlink(t->path);
	out = open(t->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (!ASSERT_GE(out, 0, "create the copy"))
		goto out;
	/* Closed before the exec: an open writer would make it ETXTBSY. */
	ok = ASSERT_TRUE(write_all(out, image, size, 0) &&
				 write_all(out, tail, t->tail_len,
					   t->tail_off) &&
				 !fsync(out),
			 "write the copy");
	close(out);
	if (ok) {
		t->fd = open(t->path, O_RDONLY | O_CLOEXEC);
		ok = ASSERT_GE(t->fd, 0, "open the copy") &&
		     ASSERT_OK(fstat(t->fd, &st), "stat the copy");
		t->ino = st.st_ino;
	}
out:
	if (in >= 0)
		close(in);
	free(image);
	free(tail);
	return ok;
}

/*
 * Runs the copy as "cat" on two pipes and waits until it echoed a line:
 * it is then past its loading and blocked in read(), touching nothing of
 * its file until it is killed. Asserted; a child that does not answer in
 * time is a setup error.
 */
static bool start_child(struct target *t)
{
	int in[2], out[2], st[2], err = 0;
	char *const argv[] = { "cat", NULL };
	char echo[sizeof(HANDSHAKE)] = "";
	struct pollfd pfd;
	size_t got = 0;
	ssize_t n;

	if (!ASSERT_OK(pipe2(in, O_CLOEXEC), "pipe") ||
	    !ASSERT_OK(pipe2(out, O_CLOEXEC), "pipe") ||
	    !ASSERT_OK(pipe2(st, O_CLOEXEC), "pipe"))
		return false;
	t->pid = fork();
	if (t->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execv(t->path, argv);
		err = errno;
		if (write(st[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(st[1]);
	t->in_w = in[1];
	t->out_r = out[0];
	if (!ASSERT_GT(t->pid, 0, "fork")) {
		close(st[0]);
		return false;
	}
	/* EOF: the exec closed the status pipe; a number: its errno. */
	n = read(st[0], &err, sizeof(err));
	close(st[0]);
	if (!ASSERT_EQ(n, 0, "exec the copy") || err)
		return false;
	if (!ASSERT_EQ(write(t->in_w, HANDSHAKE, strlen(HANDSHAKE)),
		       (ssize_t)strlen(HANDSHAKE), "write to the child"))
		return false;
	pfd = (struct pollfd){ .fd = t->out_r, .events = POLLIN };
	while (got < strlen(HANDSHAKE) && poll(&pfd, 1, WAIT_MS) > 0) {
		n = read(t->out_r, echo + got, strlen(HANDSHAKE) - got);
		if (n <= 0)
			break;
		got += n;
	}
	if (got < strlen(HANDSHAKE)) {
		test__setup_error(
			"the child (%s run as cat) did not echo a line "
			"within %d ms",
			t->path, WAIT_MS);
		return false;
	}
	return ASSERT_STREQ(echo, HANDSHAKE, "the child's echo");
}

/*
 * Ends the child, then proves the copy released (R-AFTER-2): once the
 * child is gone only this descriptor may hold it, whatever the callbacks
 * took with bpf_get_task_exe_file().
 */
static void target_done(struct target *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	if (t->in_w >= 0)
		close(t->in_w);
	if (t->out_r >= 0)
		close(t->out_r);
	if (t->fd >= 0)
		file_released(
			t->fd, t->path[0] ? t->path : NULL,
			"the child's executable, a copy, after the child");
	else if (t->path[0])
		unlink(t->path);
}

/*
 * R-AFTER-1 on the tail alone: the child maps its ELF image, which can
 * only be evicted once it is gone.
 */
static void tail_evictable(const struct target *t)
{
	long left;
	int tries;

	TEST_RULE("R-AFTER-1");
	left = evict_counted(t->fd, t->tail_off, t->tail_len, &tries);
	ASSERT_EQ(left, 0, "tail pages that stay cached after the case");
}

/* Opens and loads the skeleton with the program @name alone. */
static struct callback_select *load_one(const struct btf *vmlinux,
					const char *name)
{
	struct bpf_object_open_opts opts;
	struct callback_select *skel;
	struct bpf_program *prog;

	skel_open_opts(&opts);
	skel = callback_select__open_opts(&opts);
	if (!ASSERT_OK_PTR(skel, "open skeleton"))
		return NULL;
	prog = bpf_object__find_program_by_name(skel->obj, name);
	if (!ASSERT_OK_PTR(prog, name) ||
	    !align_impl_proto(skel->obj, vmlinux, "bpf_wq_set_callback_impl") ||
	    !align_impl_proto(skel->obj, vmlinux,
			      "bpf_task_work_schedule_signal_impl"))
		goto fail;
	bpf_program__set_autoload(prog, true);
	if (ASSERT_OK(callback_select__load(skel), name))
		return skel;
fail:
	callback_select__destroy(skel);
	return NULL;
}

static void arm(struct callback_select__bss *bss, const struct target *t)
{
	memset(bss, 0, sizeof(*bss));
	bss->target_tgid = getpid();
	bss->child_pid = t->pid;
	bss->read_off = t->tail_off + page_size() + 100;
	bss->sched_ret = bss->create_ret = bss->read_ret = RESULT_NOT_RUN;
	memset(bss->buf, 0xa5, sizeof(bss->buf));
	bss->armed = 1;
}

/* Triggers the scheduling program and waits for the callback. */
static bool trigger_and_wait(struct callback_select__bss *bss, int fd,
			     char *splat, size_t splat_sz)
{
	int cursor = splat_watch(WRONG_READER_SPLAT);
	struct timespec start;
	long waited;

	clock_gettime(CLOCK_MONOTONIC, &start);
	ASSERT_OK(trigger_file_ioctl(fd), "trigger ioctl");
	while (!__atomic_load_n(&bss->cb_done, __ATOMIC_ACQUIRE) &&
	       elapsed_ms(&start) < WAIT_MS)
		usleep(1000);
	waited = elapsed_ms(&start);
	/* A callback that warned and never finished fails its row. */
	if (splat_seen(cursor, splat, splat_sz))
		return true;
	if (!bss->cb_done && bss->sched_runs == 1 && bss->sched_ret == 0) {
		test__setup_error("the callback did not run within %d ms of "
				  "a successful schedule",
				  WAIT_MS);
		return false;
	}
	if (waited > 1000)
		printf("the callback ran %ld ms after the trigger\n", waited);
	return true;
}

static void check_row(const struct row *r, const struct target *t,
		      const struct callback_select__bss *bss, const char *splat)
{
	__u8 want[SEL_LEN];

	test__case(NULL, &r->at, "the read from the %s callback", r->name);
	if (splat[0]) {
		printf("the kernel warned during the callback: %s\n", splat);
		test__fail();
	}
	if (!ASSERT_EQ(bss->sched_runs, 1, "scheduling program runs") ||
	    !ASSERT_EQ(bss->sched_ret, 0, "schedule the work") ||
	    !ASSERT_EQ(bss->cb_runs, 1, "callback runs") ||
	    !ASSERT_EQ(bss->cb_err, 0,
		       "the child's task and file (1: no "
		       "task, 2: no executable)") ||
	    !ASSERT_EQ(bss->cb_ino, (__u64)t->ino,
		       "the file is the child's executable, the copy") ||
	    !ASSERT_OK(bss->create_ret, "bpf_dynptr_from_file"))
		return;
	if (!ASSERT_EQ(bss->read_ret, r->expect, "read of an evicted page"))
		return;
	if (r->expect) {
		/* A read that cannot sleep must not have brought it in. */
		ASSERT_EQ(resident_pages(t->fd, bss->read_off, SEL_LEN), 0,
			  "pages resident after the failed read (mincore)");
		return;
	}
	if (ASSERT_EQ(pread(t->fd, want, SEL_LEN, bss->read_off), SEL_LEN,
		      "pread"))
		ASSERT_MEMEQ(bss->buf, want, SEL_LEN, "bytes equal pread");
}

static void run_row(const struct btf *vmlinux, const struct offer *offers,
		    const struct target *t, const struct row *r)
{
	const struct offer *o = &offers[r->kind];
	struct callback_select *skel;
	struct bpf_program *prog;
	struct bpf_link *link;
	char name[64], splat[256];
	long left;
	int tries;

	if (!test__start_subtest(r->name))
		return;
	if (!o->prefix) {
		test__skip("%s", o->why_not);
		return;
	}
	snprintf(name, sizeof(name), "%s_%s", o->prefix,
		 r->from_sleepable ? "lsm_s" : "lsm");
	skel = load_one(vmlinux, name);
	if (!skel)
		return;
	prog = bpf_object__find_program_by_name(skel->obj, name);
	link = bpf_program__attach(prog);
	if (!ASSERT_OK_PTR(link, "attach"))
		goto out;
	left = evict_counted(t->fd, t->tail_off, t->tail_len, &tries);
	if (!ASSERT_GE(left, 0, "evict the tail (fadvise, mincore)"))
		goto out;
	if (left) {
		test__setup_error("%ld of the tail's %d pages stay resident "
				  "after %d tries to evict them",
				  left, TAIL_PAGES, tries);
		goto out;
	}
	arm(skel->bss, t);
	if (trigger_and_wait(skel->bss, t->fd, splat, sizeof(splat))) {
		check_row(r, t, skel->bss, splat);
		tail_evictable(t);
	}
out:
	bpf_link__destroy(link);
	callback_select__destroy(skel);
}

/*
 * Not parallel: under -j it runs alone, as it runs a child process and a
 * wrong reader would make the kernel warn.
 */
TEST_TRAITS(callback_select,
	    .needs = { &need_file_dynptr, &need_bpf_lsm, &need_task_exe_file });

void test_callback_select(void)
{
	struct target t = { .fd = -1, .in_w = -1, .out_r = -1 };
	struct offer offers[NR_KINDS];
	struct btf *vmlinux;
	char cat[PATH_MAX];
	int i;

	if (!scratch_block_backed())
		return;
	if (!find_cat(cat, sizeof(cat))) {
		test__skip(
			"no cat(1) to run as the child (/bin/cat, /usr/bin/cat)");
		return;
	}
	vmlinux = btf__load_vmlinux_btf();
	if (!ASSERT_OK_PTR(vmlinux, "load vmlinux BTF"))
		return;
	find_offers(vmlinux, offers);
	if (make_copy(&t, cat) && start_child(&t)) {
		printf("child %d runs %s (a copy of %s); tail at %lld\n", t.pid,
		       t.path, cat, (long long)t.tail_off);
		for (i = 0; i < N_ROWS(rows); i++)
			run_row(vmlinux, offers, &t, &rows[i]);
	}
	target_done(&t);
	btf__free(vmlinux);
}
