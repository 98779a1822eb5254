// SPDX-License-Identifier: GPL-2.0
/*
 * file_kinds: a file dynptr over files of every kind, in both contexts.
 *
 * Checks R-KIND-1..8 (SEMANTICS.md states them).
 * Each kind and context is a subtest, named <kind>_<context>.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/magic.h>
#include "read_batch.h"
#include "file_kinds.skel.h"

#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447
#endif

struct kinds {
	struct file_kinds *skel;
	struct read_batch batch;
	char tmpfs[64]; /* a private tmpfs mount, or "" */
	char tmpfs_huge[64]; /* one with huge=always, or "" */
};

/* An open file of some kind, and what to undo when done with it. */
struct opened {
	int fd;
	int other_fd; /* the pipe's write end */
	char path[256]; /* unlinked on close when set */
	void *map; /* memfd_secret's mapping */
	size_t map_len;
};

struct kind {
	const char *name;
	/* Opens the file (fd >= 0), or skips (test__skip) and returns false. */
	bool (*open)(struct kinds *k, struct opened *o);
	/* Checks after the reads, e.g. that the pipe still holds its data. */
	void (*after)(struct kinds *k, struct opened *o);
	const struct read_row *rows; /* read in either context */
	int n;
	bool untouched; /* failed reads must leave the buffer as poisoned */
	/*
	 * A warning the kernel is known to log on the sleepable read (an ERE on
	 * its first line): the subtest runs only where that is acceptable
	 * (may_provoke_splat()) and fails if the warning appears.
	 */
	const char *warns;
};

static bool make_in(const char *dir, const char *name, size_t size,
		    struct opened *o)
{
	struct extent whole = { 0, size };

	o->fd = make_sparse_pattern_file_in(dir, name, size, &whole, 1, o->path,
					    sizeof(o->path));
	return ASSERT_GE(o->fd, 0, "create pattern file");
}

static bool open_ext4(struct kinds *k, struct opened *o)
{
	struct statfs fs;

	/* The rows are about ext4: a scratch directory elsewhere is not. */
	if (statfs(scratch_dir(), &fs) || fs.f_type != EXT4_SUPER_MAGIC) {
		test__skip(
			"%s is not on ext4 (set SCRATCH_DIR to an ext4 directory; vmtest does)",
			scratch_dir());
		return false;
	}
	return make_in(scratch_dir(), "kind_ext4", pg(PG(3, 0)), o) &&
	       make_file_resident(o->fd, pg(PG(3, 0)), "resident (mincore)");
}

/* tmpfs pages are reclaimed only to swap: held all the same (hosts swap). */
static bool make_held(const char *dir, const char *name, size_t size,
		      struct opened *o)
{
	return make_in(dir, name, size, o) && hold_resident(o->fd, 0, size);
}

static bool open_tmpfs(struct kinds *k, struct opened *o)
{
	if (!k->tmpfs[0]) {
		/* Root mounts a tmpfs anywhere: only the environment fails it. */
		test__setup_error("cannot mount a tmpfs");
		return false;
	}
	return make_held(k->tmpfs, "kind_tmpfs", pg(PG(3, 17)), o);
}

/* Whether a setting of the machine keeps huge folios out of every tmpfs. */
static bool shmem_huge_denied(void)
{
	char line[128] = "";
	FILE *f;

	f = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "re");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	return strstr(line, "[deny]");
}

/*
 * The reads are about crossing huge folios: prove there are some. Memory
 * too fragmented for one is the moment's state, not the kernel's: the file
 * is made again (CASE_TRIES), then it is a setup error.
 */
static bool open_tmpfs_huge(struct kinds *k, struct opened *o)
{
	size_t size = pg(FOLIO_PG(2, 0, 123));
	long before, after;
	int try;

	if (!huge_folio_size() || shmem_huge_denied()) {
		test__skip(
			"%s",
			huge_folio_size() ?
				"shmem_enabled is deny: no tmpfs gets huge folios" :
				"the kernel gives no huge page size (hpage_pmd_size)");
		return false;
	}
	if (!k->tmpfs_huge[0]) {
		test__setup_error("cannot mount a tmpfs with huge=always");
		return false;
	}
	for (try = 1;; try++) {
		before = meminfo_kb("ShmemHugePages");
		if (!make_held(k->tmpfs_huge, "kind_huge", size, o))
			return false;
		after = meminfo_kb("ShmemHugePages");
		if (after - before >= 2 * huge_folio_size() / 1024)
			break;
		release_resident(o->fd);
		close(o->fd);
		o->fd = -1;
		if (try == CASE_TRIES) {
			test__setup_error(
				"tmpfs huge=always allocated no %ld kB folios in %d tries (ShmemHugePages %ld -> %ld kB)",
				huge_folio_size() / 1024, try, before, after);
			return false;
		}
	}
	if (try > 1)
		printf("tmpfs_huge: huge folios allocated on try %d\n", try);
	return true;
}

static bool open_initramfs(struct kinds *k, struct opened *o)
{
	struct statfs fs;

	o->fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (!ASSERT_GE(o->fd, 0, "open /proc/self/exe"))
		return false;
	if (fstatfs(o->fd, &fs) ||
	    (fs.f_type != RAMFS_MAGIC && fs.f_type != TMPFS_MAGIC)) {
		test__skip(
			"the runner does not live in an initramfs here (runs in vmtest)");
		return false;
	}
	return true;
}

static bool open_unlinked(struct kinds *k, struct opened *o)
{
	if (!make_in(scratch_dir(), "kind_unlinked", pg(PG(3, 0)), o))
		return false;
	unlink(o->path);
	o->path[0] = 0;
	return make_file_resident(o->fd, pg(PG(3, 0)), "resident (mincore)");
}

static bool open_truncated(struct kinds *k, struct opened *o)
{
	if (!make_in(scratch_dir(), "kind_truncated", pg(PG(5, 0)), o) ||
	    !make_file_resident(o->fd, pg(PG(5, 0)), "resident (mincore)"))
		return false;
	/* Shrink it under the open descriptor. */
	return ASSERT_OK(truncate(o->path, pg(PG(2, 100))),
			 "truncate to 2 pages + 100");
}

static bool open_memfd(struct kinds *k, struct opened *o)
{
	size_t len = pg(PG(2, 9));
	__u8 *buf = malloc(len);
	bool ok;

	o->fd = memfd_create("file_kinds", MFD_CLOEXEC);
	if (!ASSERT_GE(o->fd, 0, "memfd_create") ||
	    !ASSERT_OK_PTR(buf, "malloc")) {
		free(buf);
		return false;
	}
	pattern_fill(buf, 0, len);
	ok = ASSERT_EQ(pwrite(o->fd, buf, len, 0), (ssize_t)len, "write memfd");
	free(buf);
	return ok && hold_resident(o->fd, 0, len);
}

static bool open_secret(struct kinds *k, struct opened *o)
{
	o->fd = syscall(__NR_memfd_secret, 0);
	if (o->fd < 0) {
		/* ENOSYS: off by design (secretmem.enable=0); else the moment. */
		if (errno == ENOSYS)
			test__skip("memfd_secret: %s", strerror(errno));
		else
			test__setup_error("memfd_secret: %s", strerror(errno));
		return false;
	}
	o->map_len = pg(PG(2, 0));
	if (!ASSERT_OK(ftruncate(o->fd, o->map_len), "ftruncate secret"))
		return false;
	o->map = mmap(NULL, o->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      o->fd, 0);
	if (!ASSERT_NEQ(o->map, MAP_FAILED, "mmap secret")) {
		o->map = NULL;
		return false;
	}
	/* The secret: pattern bytes, so a leak could not pass for poison. */
	pattern_fill(o->map, 0, o->map_len);
	return true;
}

static bool open_procfs(struct kinds *k, struct opened *o)
{
	o->fd = open("/proc/version", O_RDONLY | O_CLOEXEC);
	return ASSERT_GE(o->fd, 0, "open /proc/version");
}

static bool open_pipe(struct kinds *k, struct opened *o)
{
	int fds[2];
	__u8 buf[100];

	if (!ASSERT_OK(pipe2(fds, O_CLOEXEC), "pipe"))
		return false;
	o->fd = fds[0];
	o->other_fd = fds[1];
	pattern_fill(buf, 0, sizeof(buf));
	return ASSERT_EQ(write(o->other_fd, buf, sizeof(buf)), 100,
			 "fill the pipe");
}

static void pipe_intact(struct kinds *k, struct opened *o)
{
	__u8 got[128], want[100];

	pattern_fill(want, 0, sizeof(want));
	fcntl(o->fd, F_SETFL, O_NONBLOCK);
	if (ASSERT_EQ(read(o->fd, got, sizeof(got)), 100,
		      "the pipe still holds all its bytes"))
		ASSERT_MEMEQ(got, want, sizeof(want), "the pipe's bytes");
}

static bool open_wronly(struct kinds *k, struct opened *o)
{
	if (!make_in(scratch_dir(), "kind_wronly", pg(PG(2, 0)), o) ||
	    !make_file_resident(o->fd, pg(PG(2, 0)), "resident (mincore)"))
		return false;
	/* Keep the read-only descriptor aside; trigger on a write-only one. */
	o->other_fd = o->fd;
	o->fd = open(o->path, O_WRONLY | O_CLOEXEC);
	return ASSERT_GE(o->fd, 0, "open O_WRONLY");
}

static bool open_directory(struct kinds *k, struct opened *o)
{
	o->fd = open(scratch_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return ASSERT_GE(o->fd, 0, "open the scratch directory");
}

/* Both contexts return @ret, a case of @rule. */
#define BOTH(ret, rule) EXPECT(ret, rule), EXPECT(ret, rule)

static const struct read_row ext4_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(0, 100), BOTH(0, "R-KIND-1") },
	{ CASE_AT(NULL), PG(1, -1), PG(0, 2), BOTH(0, "R-KIND-1") },
	{ CASE_AT(NULL), PG(0, 0), PG(3, 0), BOTH(0, "R-KIND-1") },
};

static const struct read_row tmpfs_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(0, 100), BOTH(0, "R-KIND-1") },
	{ CASE_AT(NULL), PG(1, -1), PG(0, 2), BOTH(0, "R-KIND-1") },
	{ CASE_AT(NULL), PG(0, 0), PG(3, 17), BOTH(0, "R-KIND-1") },
	/* Above 2^63-1 the file position is negative: read_grid's ext4
	 * returns 0 for 0 bytes there; tmpfs is asked the same. */
	{ CASE_AT(NULL), PG(0, -2), PG(0, 0), BOTH(0, "R-ZERO-1") },
};

/* Around and across huge folios, whatever their size and the page's. */
static const struct read_row tmpfs_huge_rows[] = {
	{ CASE_AT(NULL), FOLIO_PG(1, 0, -8), PG(0, 16), BOTH(0, "R-KIND-1") },
	{ CASE_AT(NULL), FOLIO_PG(1, -1, 0), PG(2, 0), BOTH(0, "R-KIND-1") },
	{ CASE_AT(NULL), FOLIO_PG(2, 0, -100), PG(0, 223),
	  BOTH(0, "R-KIND-1") },
	{ CASE_AT(NULL), FOLIO_PG(1, 0, 5), PG(0, READ_CHUNK),
	  BOTH(0, "R-KIND-1") },
};

static const struct read_row initramfs_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(0, 64), BOTH(0, "R-KIND-1") },
	{ CASE_AT(NULL), PG(1, -8), PG(0, 16), BOTH(0, "R-KIND-1") },
	{ CASE_AT(NULL), PG(3, 0), PG(2, 0), BOTH(0, "R-KIND-1") },
};

static const struct read_row unlinked_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(0, 100), BOTH(0, "R-KIND-1") },
	{ CASE_AT(NULL), PG(1, -1), PG(2, 0), BOTH(0, "R-KIND-1") },
};

/* 5 pages, truncated to 2 pages + 100 bytes under the open descriptor. */
static const struct read_row truncated_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(0, 100), BOTH(0, "R-KIND-2") },
	{ CASE_AT(NULL), PG(2, 0), PG(0, 100), BOTH(0, "R-KIND-2") },
	{ CASE_AT(NULL), PG(3, 0), PG(0, 16), EXPECT(-EFAULT, "R-KIND-2"),
	  EXPECT(-EIO, "R-KIND-2") },
};

static const struct read_row memfd_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(0, 100), BOTH(0, "R-KIND-1") },
	{ CASE_AT(NULL), PG(1, -1), PG(1, 10), BOTH(0, "R-KIND-1") },
};

static const struct read_row secret_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(0, 64), BOTH(-EFAULT, "R-KIND-4") },
	{ CASE_AT(NULL), PG(1, -8), PG(0, 16), BOTH(-EFAULT, "R-KIND-4") },
};

static const struct read_row procfs_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(0, 16), EXPECT(-EFAULT, "R-KIND-5"),
	  EXPECT(0, "R-KIND-5") },
};

static const struct read_row pipe_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(0, 16), EXPECT(-EFAULT, "R-KIND-6"),
	  EXPECT(-ESPIPE, "R-KIND-6") },
};

static const struct read_row directory_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(0, 16), EXPECT(-EFAULT, "R-KIND-7"),
	  EXPECT(-EINVAL, "R-KIND-7") },
};

static const struct read_row wronly_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(0, 100), BOTH(-EBADF, "R-KIND-8") },
	{ CASE_AT(NULL), PG(1, -1), PG(0, 2), BOTH(-EBADF, "R-KIND-8") },
};

#define ROWS(r) .rows = (r), .n = N_ROWS(r)

static const struct kind kinds[] = {
	{ .name = "ext4", .open = open_ext4, ROWS(ext4_rows) },
	{ .name = "tmpfs", .open = open_tmpfs, ROWS(tmpfs_rows) },
	{ .name = "tmpfs_huge", .open = open_tmpfs_huge, ROWS(tmpfs_huge_rows) },
	{ .name = "initramfs", .open = open_initramfs, ROWS(initramfs_rows) },
	{ .name = "unlinked", .open = open_unlinked, ROWS(unlinked_rows) },
	{ .name = "truncated", .open = open_truncated, ROWS(truncated_rows) },
	{ .name = "memfd", .open = open_memfd, ROWS(memfd_rows) },
	{ .name = "memfd_secret",
	  .open = open_secret,
	  ROWS(secret_rows),
	  .untouched = true },
	{ .name = "procfs", .open = open_procfs, ROWS(procfs_rows) },
	{ .name = "pipe",
	  .open = open_pipe,
	  .after = pipe_intact,
	  ROWS(pipe_rows) },
	{ .name = "directory", .open = open_directory, ROWS(directory_rows) },
	{ .name = "wronly",
	  .open = open_wronly,
	  ROWS(wronly_rows),
	  .untouched = true,
	  .warns = "read_write\\.c:[0-9]+.*__kernel_read" },
};

/*
 * The after-state (R-AFTER-1, R-AFTER-2): the file's pages evictable where
 * its filesystem evicts, and the file released once its descriptors are
 * closed (the write-only kind's read-only one and the pipe's write end
 * first): see harness.h for what each kind allows.
 */
static void close_opened(struct opened *o)
{
	if (o->map)
		munmap(o->map, o->map_len);
	release_resident(o->other_fd);
	if (o->other_fd >= 0)
		close(o->other_fd);
	after_case_evictable(o->fd, "pages left resident at the file's end");
	file_released(o->fd, o->path[0] ? o->path : NULL, "the file read");
}

/* A failed read must not have written into the program's buffer. */
static void check_untouched(struct read_batch *b, int i,
			    const struct read_row *r, int ret, void *arg)
{
	const struct kind *kd = arg;
	__u64 len = pg(r->len);
	__u8 poison[READ_CHUNK];

	if (!kd->untouched || !ret)
		return;
	memset(poison, 0xa5, len);
	ASSERT_MEMEQ(
		b->out[i], poison, len,
		"buffer untouched: no byte of the file reached the program");
}

static void run_kind(struct kinds *k, const struct kind *kd, bool sleepable)
{
	struct bpf_program *prog = sleepable ? k->skel->progs.read_sleepable :
					       k->skel->progs.read_nonsleepable;
	enum read_ctx ctx = sleepable ? CTX_SLEEPABLE : CTX_NONSLEEPABLE;
	struct opened o = { .fd = -1, .other_fd = -1 };
	bool watch = sleepable && kd->warns;
	char name[64], splat[256];
	int cursor = -1;
	bool ok;

	snprintf(name, sizeof(name), "%s_%s", kd->name,
		 sleepable ? "sleepable" : "nonsleepable");
	if (!test__start_subtest(name))
		return;
	if (watch && !may_provoke_splat()) {
		test__skip(
			"would make this kernel log a known warning (%s); runs in vmtest",
			kd->warns);
		return;
	}
	if (!kd->open(k, &o))
		goto out;
	if (watch)
		cursor = splat_watch(kd->warns);
	ok = read_rows_trigger(&k->batch, prog, ctx, o.fd, kd->rows, kd->n);
	if (watch && splat_seen(cursor, splat, sizeof(splat))) {
		/* R-KIND-8: no warning; the rule the rows cite. */
		test__case(kd->rows[0].sleepable.rule, &kd->rows[0].at,
			   "the kernel's log during the reads");
		printf("the kernel warned during the read: %s\n", splat);
		test__fail();
		test__case_end();
	}
	if (!ok)
		goto out;
	read_rows_check_with(&k->batch, ctx, o.fd, kd->rows, kd->n,
			     check_untouched, (void *)kd);
	if (kd->after) {
		test__case(kd->rows[0].sleepable.rule, &kd->rows[0].at,
			   "after the reads");
		kd->after(k, &o);
		test__case_end();
	}
out:
	close_opened(&o);
}

/*
 * R-KIND-3, step by step: the hole page's residency decides the
 * non-sleepable result; a sleepable read fills it with zeros.
 */
static void sparse_hole(struct kinds *k)
{
	long page = page_size();
	const struct extent data[] = { { 0, page }, { 10 * page, page } };
	const struct read_case hole = { 5 * page + 7, 16 };
	struct bpf_program *ns = k->skel->progs.read_nonsleepable;
	struct bpf_program *sl = k->skel->progs.read_sleepable;
	struct opened o = { .fd = -1, .other_fd = -1 };
	__u8 zeros[16] = {};

	if (!test__start_subtest("sparse_hole"))
		return;
	o.fd = make_sparse_pattern_file("kind_sparse", 11 * page, data, 2,
					o.path, sizeof(o.path));
	if (!ASSERT_GE(o.fd, 0, "create sparse file") ||
	    !make_file_evicted(o.fd, 11 * page,
			       "hole page resident before any read"))
		goto out;
	TEST_RULE("R-KIND-3");
	if (read_batch_run(&k->batch, ns, o.fd, &hole, 1) &&
	    read_batch_ran(&k->batch))
		ASSERT_EQ(k->batch.results[0], -EFAULT,
			  "non-sleepable read of a never-read hole");
	ASSERT_EQ(resident_pages(o.fd, 5 * page, page), 0,
		  "hole page resident after it");
	if (read_batch_run(&k->batch, sl, o.fd, &hole, 1) &&
	    read_batch_ran(&k->batch) &&
	    ASSERT_OK(k->batch.results[0], "sleepable read of the hole"))
		ASSERT_MEMEQ(k->batch.out[0], zeros, sizeof(zeros),
			     "hole bytes are zeros");
	if (!ASSERT_EQ(resident_pages(o.fd, 5 * page, page), 1,
		       "hole page resident after the sleepable read"))
		goto out;
	if (read_batch_run(&k->batch, ns, o.fd, &hole, 1) &&
	    read_batch_ran(&k->batch) &&
	    ASSERT_OK(k->batch.results[0],
		      "non-sleepable read of the read hole"))
		ASSERT_MEMEQ(k->batch.out[0], zeros, sizeof(zeros),
			     "hole bytes are zeros");
out:
	close_opened(&o);
}

/* Not parallel: under -j it runs alone, as it provokes a kernel warning. */
TEST_TRAITS(file_kinds, NEEDS_FILE_DYNPTR_LSM,
	    .kconfigs = { { "CONFIG_TRANSPARENT_HUGEPAGE", "tmpfs_huge_*",
			    "thp_get_unmapped_area" },
			  { "CONFIG_SECRETMEM", "memfd_secret_*",
			    "secretmem_active" } });

void test_file_kinds(void)
{
	struct kinds k = { .skel = SKEL_OPEN_LOAD(file_kinds) };
	char huge_opts[64];
	int i;

	if (!k.skel ||
	    !ASSERT_OK(hold_prog_pair(k.skel->progs.read_nonsleepable,
				      k.skel->progs.read_sleepable,
				      &k.skel->bss->trigger_ctx),
		       "attach both programs"))
		goto out;
	k.batch = READ_BATCH_OF(k.skel);
	tmpfs_mount(k.tmpfs, sizeof(k.tmpfs), "file_kinds", "size=64m");
	/* Room for the huge file's three folios, whatever their size. */
	snprintf(huge_opts, sizeof(huge_opts), "size=%ldk,huge=always",
		 4 * huge_folio_size() / 1024);
	if (huge_folio_size())
		tmpfs_mount(k.tmpfs_huge, sizeof(k.tmpfs_huge), "file_kinds",
			    huge_opts);

	for (i = 0; i < N_ROWS(kinds); i++) {
		run_kind(&k, &kinds[i], false);
		run_kind(&k, &kinds[i], true);
	}
	sparse_hole(&k);

	tmpfs_unmount(k.tmpfs);
	tmpfs_unmount(k.tmpfs_huge);
out:
	release_prog_pair();
	file_kinds__destroy(k.skel);
}
