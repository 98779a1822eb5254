// SPDX-License-Identifier: GPL-2.0
/*
 * file_kinds: a file dynptr over files of every kind, in both contexts.
 *
 * R-KIND-1  regular files on ext4, tmpfs (also with 2 MiB folios), the
 *           initramfs, a memfd, and a file unlinked while open: resident
 *           bytes read back as pread() returns them, in both contexts.
 * R-KIND-2  a file truncated after it was opened: the dynptr sees the file
 *           as it is at read time; reads past the new EOF follow R-EOF-2.
 * R-KIND-3  a sparse file's hole that was never read is not resident
 *           (non-sleepable -EFAULT); a sleepable read returns zeros and
 *           leaves it resident; then a non-sleepable read returns zeros.
 * R-KIND-4  memfd_secret: every read fails with -EFAULT, in both contexts,
 *           and no byte of the secret reaches the program's buffer.
 * R-KIND-5  procfs: no page cache, so non-sleepable -EFAULT; sleepable reads
 *           return what pread() returns.
 * R-KIND-6  a pipe has no file positions: reads fail as pread() does
 *           (-ESPIPE; non-sleepable -EFAULT) and never consume its data.
 * R-KIND-7  a directory: reads fail (sleepable -EINVAL: __kernel_read()
 *           refuses a file without ->read_iter, where pread() says -EISDIR;
 *           a decision pinning the kernel's code; non-sleepable -EFAULT).
 * R-KIND-8  a file opened write-only: reads fail as pread() does (-EBADF),
 *           in both contexts, return none of its bytes, and make the kernel
 *           log no warning.
 * Each kind and context is a subtest, named <kind>_<context>.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/magic.h>
#include "read_batch.h"
#include "file_kinds.skel.h"

#define PAGE		4096
#define HUGE		(2 << 20)
#define MAX_KIND_CASES	4

#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447
#endif

struct kinds {
	struct file_kinds *skel;
	struct read_batch batch;
	char tmpfs[64];		/* a private tmpfs mount, or "" */
	char tmpfs_huge[64];	/* one with huge=always, or "" */
};

/* An open file of some kind, and what to undo when done with it. */
struct opened {
	int fd;
	int other_fd;		/* the pipe's write end */
	char path[256];		/* unlinked on close when set */
	void *map;		/* memfd_secret's mapping */
	size_t map_len;
};

struct kind {
	const char *name;
	/* Opens the file (fd >= 0), or skips (test__skip) and returns false. */
	bool (*open)(struct kinds *k, struct opened *o);
	/* Checks after the reads, e.g. that the pipe still holds its data. */
	void (*after)(struct kinds *k, struct opened *o);
	int n;
	struct read_case cases[MAX_KIND_CASES];
	int expect[2][MAX_KIND_CASES];	/* [sleepable][case] */
	bool untouched;		/* failed reads must leave the buffer as poisoned */
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
	return make_in(scratch_dir(), "kind_ext4", 3 * PAGE, o) &&
	       ASSERT_EQ(make_file_resident(o->fd, 3 * PAGE), 3, "resident (mincore)");
}

static bool open_tmpfs(struct kinds *k, struct opened *o)
{
	if (!k->tmpfs[0]) {
		test__skip("cannot mount a tmpfs");
		return false;
	}
	return make_in(k->tmpfs, "kind_tmpfs", 3 * PAGE + 17, o);
}

static bool open_tmpfs_huge(struct kinds *k, struct opened *o)
{
	long before = meminfo_kb("ShmemHugePages"), after;

	if (!k->tmpfs_huge[0]) {
		test__skip("cannot mount a tmpfs with huge=always (no transparent huge pages?)");
		return false;
	}
	if (!make_in(k->tmpfs_huge, "kind_huge", 2 * HUGE + 123, o))
		return false;
	after = meminfo_kb("ShmemHugePages");
	/* The reads are about crossing 2 MiB folios: prove there are some. */
	if (after - before < 2 * HUGE / 1024) {
		test__skip("tmpfs huge=always allocated no 2 MiB folios (ShmemHugePages %ld -> %ld kB)",
			   before, after);
		return false;
	}
	return true;
}

static bool open_initramfs(struct kinds *k, struct opened *o)
{
	struct statfs fs;

	o->fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (!ASSERT_GE(o->fd, 0, "open /proc/self/exe"))
		return false;
	if (fstatfs(o->fd, &fs) || (fs.f_type != RAMFS_MAGIC && fs.f_type != TMPFS_MAGIC)) {
		test__skip("the runner does not live in an initramfs here (runs in vmtest)");
		return false;
	}
	return true;
}

static bool open_unlinked(struct kinds *k, struct opened *o)
{
	if (!make_in(scratch_dir(), "kind_unlinked", 3 * PAGE, o))
		return false;
	unlink(o->path);
	o->path[0] = 0;
	return ASSERT_EQ(make_file_resident(o->fd, 3 * PAGE), 3, "resident (mincore)");
}

static bool open_truncated(struct kinds *k, struct opened *o)
{
	if (!make_in(scratch_dir(), "kind_truncated", 5 * PAGE, o) ||
	    !ASSERT_EQ(make_file_resident(o->fd, 5 * PAGE), 5, "resident (mincore)"))
		return false;
	/* Shrink it under the open descriptor. */
	return ASSERT_OK(truncate(o->path, 2 * PAGE + 100), "truncate to 2 pages + 100");
}

static bool open_memfd(struct kinds *k, struct opened *o)
{
	__u8 buf[2 * PAGE + 9];

	o->fd = memfd_create("file_kinds", MFD_CLOEXEC);
	if (!ASSERT_GE(o->fd, 0, "memfd_create"))
		return false;
	pattern_fill(buf, 0, sizeof(buf));
	return ASSERT_EQ(pwrite(o->fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf), "write memfd");
}

static bool open_secret(struct kinds *k, struct opened *o)
{
	o->fd = syscall(__NR_memfd_secret, 0);
	if (o->fd < 0) {
		test__skip("memfd_secret: %s (CONFIG_SECRETMEM off or secretmem disabled)",
			   strerror(errno));
		return false;
	}
	o->map_len = 2 * PAGE;
	if (!ASSERT_OK(ftruncate(o->fd, o->map_len), "ftruncate secret"))
		return false;
	o->map = mmap(NULL, o->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, o->fd, 0);
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
	return ASSERT_EQ(write(o->other_fd, buf, sizeof(buf)), 100, "fill the pipe");
}

static void pipe_intact(struct kinds *k, struct opened *o)
{
	__u8 got[128], want[100];

	pattern_fill(want, 0, sizeof(want));
	fcntl(o->fd, F_SETFL, O_NONBLOCK);
	if (ASSERT_EQ(read(o->fd, got, sizeof(got)), 100, "the pipe still holds all its bytes"))
		ASSERT_MEMEQ(got, want, sizeof(want), "the pipe's bytes");
}

static bool open_wronly(struct kinds *k, struct opened *o)
{
	if (!make_in(scratch_dir(), "kind_wronly", 2 * PAGE, o) ||
	    !ASSERT_EQ(make_file_resident(o->fd, 2 * PAGE), 2, "resident (mincore)"))
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

static const struct kind kinds[] = {
	{ "ext4", open_ext4, NULL, 3,
	  { { 0, 100 }, { PAGE - 1, 2 }, { 0, 3 * PAGE } },
	  { { 0, 0, 0 }, { 0, 0, 0 } }, false, NULL },
	{ "tmpfs", open_tmpfs, NULL, 3,
	  { { 0, 100 }, { PAGE - 1, 2 }, { 0, 3 * PAGE + 17 } },
	  { { 0, 0, 0 }, { 0, 0, 0 } }, false, NULL },
	{ "tmpfs_huge", open_tmpfs_huge, NULL, 4,
	  { { HUGE - 8, 16 }, { HUGE - PAGE, 2 * PAGE }, { 2 * HUGE - 100, 223 },
	    { HUGE + 5, READ_CHUNK } },
	  { { 0, 0, 0, 0 }, { 0, 0, 0, 0 } }, false, NULL },
	{ "initramfs", open_initramfs, NULL, 3,
	  { { 0, 64 }, { PAGE - 8, 16 }, { 3 * PAGE, 2 * PAGE } },
	  { { 0, 0, 0 }, { 0, 0, 0 } }, false, NULL },
	{ "unlinked", open_unlinked, NULL, 2,
	  { { 0, 100 }, { PAGE - 1, 2 * PAGE } },
	  { { 0, 0 }, { 0, 0 } }, false, NULL },
	{ "truncated", open_truncated, NULL, 3,
	  { { 0, 100 }, { 2 * PAGE, 100 }, { 3 * PAGE, 16 } },
	  { { 0, 0, -EFAULT }, { 0, 0, -EIO } }, false, NULL },
	{ "memfd", open_memfd, NULL, 2,
	  { { 0, 100 }, { PAGE - 1, PAGE + 10 } },
	  { { 0, 0 }, { 0, 0 } }, false, NULL },
	{ "memfd_secret", open_secret, NULL, 2,
	  { { 0, 64 }, { PAGE - 8, 16 } },
	  { { -EFAULT, -EFAULT }, { -EFAULT, -EFAULT } }, true, NULL },
	{ "procfs", open_procfs, NULL, 1,
	  { { 0, 16 } },
	  { { -EFAULT }, { 0 } }, false, NULL },
	{ "pipe", open_pipe, pipe_intact, 1,
	  { { 0, 16 } },
	  { { -EFAULT }, { -ESPIPE } }, false, NULL },
	{ "directory", open_directory, NULL, 1,
	  { { 0, 16 } },
	  { { -EFAULT }, { -EINVAL } }, false, NULL },
	{ "wronly", open_wronly, NULL, 2,
	  { { 0, 100 }, { PAGE - 1, 2 } },
	  { { -EBADF, -EBADF }, { -EBADF, -EBADF } }, true,
	  "read_write\\.c:[0-9]+.*__kernel_read" },
};

#define N_KINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

static void close_opened(struct opened *o)
{
	if (o->map)
		munmap(o->map, o->map_len);
	if (o->fd >= 0)
		close(o->fd);
	if (o->other_fd >= 0)
		close(o->other_fd);
	if (o->path[0])
		unlink(o->path);
}

/* A failed read must not have written into the program's buffer. */
static void check_untouched(struct kinds *k, int i, const struct read_case *c)
{
	__u8 poison[READ_CHUNK];

	memset(poison, 0xa5, c->len);
	ASSERT_MEMEQ(k->batch.out[i], poison, c->len,
		     "buffer untouched: no byte of the file reached the program");
}

static void run_kind(struct kinds *k, const struct kind *kd, bool sleepable)
{
	struct bpf_program *prog = sleepable ? k->skel->progs.read_sleepable
					     : k->skel->progs.read_nonsleepable;
	const char *ctx = sleepable ? "sleepable" : "nonsleepable";
	struct opened o = { .fd = -1, .other_fd = -1 };
	char name[64];
	bool ok;
	int i;

	snprintf(name, sizeof(name), "%s_%s", kd->name, ctx);
	if (!test__start_subtest(name))
		return;
	bool watch = sleepable && kd->warns;
	char splat[256];
	int cursor = -1;

	if (watch && !may_provoke_splat()) {
		test__skip("would make this kernel log a known warning (%s); runs in vmtest",
			   kd->warns);
		return;
	}
	if (!kd->open(k, &o))
		goto out;
	if (watch)
		cursor = splat_watch(kd->warns);
	ok = read_batch_run(&k->batch, prog, o.fd, kd->cases, kd->n);
	if (watch && splat_seen(cursor, splat, sizeof(splat))) {
		printf("the kernel warned during the read: %s\n", splat);
		test__fail();
	}
	if (!ok || !read_batch_ran(&k->batch))
		goto out;
	for (i = 0; i < kd->n; i++) {
		read_batch_check_case(&k->batch, o.fd, i, &kd->cases[i],
				      kd->expect[sleepable][i], name);
		if (kd->untouched && kd->expect[sleepable][i])
			check_untouched(k, i, &kd->cases[i]);
	}
	if (kd->after)
		kd->after(k, &o);
out:
	close_opened(&o);
}

/*
 * R-KIND-3, step by step: the hole page's residency decides the
 * non-sleepable result; a sleepable read fills it with zeros.
 */
static void sparse_hole(struct kinds *k)
{
	static const struct extent data[] = { { 0, PAGE }, { 10 * PAGE, PAGE } };
	const struct read_case hole = { 5 * PAGE + 7, 16 };
	struct bpf_program *ns = k->skel->progs.read_nonsleepable;
	struct bpf_program *sl = k->skel->progs.read_sleepable;
	struct opened o = { .fd = -1, .other_fd = -1 };
	__u8 zeros[16] = {};

	if (!test__start_subtest("sparse_hole"))
		return;
	o.fd = make_sparse_pattern_file("kind_sparse", 11 * PAGE, data, 2, o.path,
					sizeof(o.path));
	if (!ASSERT_GE(o.fd, 0, "create sparse file") ||
	    !make_file_evicted(o.fd, 11 * PAGE, "hole page resident before any read"))
		goto out;
	if (read_batch_run(&k->batch, ns, o.fd, &hole, 1) && read_batch_ran(&k->batch))
		ASSERT_EQ(k->batch.results[0], -EFAULT, "non-sleepable read of a never-read hole");
	ASSERT_EQ(resident_pages(o.fd, 5 * PAGE, PAGE), 0, "hole page resident after it");
	if (read_batch_run(&k->batch, sl, o.fd, &hole, 1) && read_batch_ran(&k->batch) &&
	    ASSERT_OK(k->batch.results[0], "sleepable read of the hole"))
		ASSERT_MEMEQ(k->batch.out[0], zeros, sizeof(zeros), "hole bytes are zeros");
	if (!ASSERT_EQ(resident_pages(o.fd, 5 * PAGE, PAGE), 1, "hole page resident after the sleepable read"))
		goto out;
	if (read_batch_run(&k->batch, ns, o.fd, &hole, 1) && read_batch_ran(&k->batch) &&
	    ASSERT_OK(k->batch.results[0], "non-sleepable read of the read hole"))
		ASSERT_MEMEQ(k->batch.out[0], zeros, sizeof(zeros), "hole bytes are zeros");
out:
	close_opened(&o);
}

static void mount_tmpfs(char *dir, size_t sz, const char *opts)
{
	snprintf(dir, sz, "/tmp/file_kinds.XXXXXX");
	if (!mkdtemp(dir) || mount("tmpfs", dir, "tmpfs", 0, opts)) {
		if (dir[0] && strncmp(dir, "/tmp/file_kinds.XXXXXX", sz))
			rmdir(dir);
		dir[0] = 0;
	}
}

static void unmount_tmpfs(char *dir)
{
	if (dir[0]) {
		umount2(dir, MNT_DETACH);
		rmdir(dir);
	}
}

/* No traits: under -j it runs alone, as it provokes a kernel warning (write-only file). */
void test_file_kinds(void)
{
	struct bpf_object_open_opts opts;
	struct kinds k = {};
	int i;

	if (!require_file_dynptr() || !require_bpf_lsm())
		return;
	skel_open_opts(&opts);
	k.skel = file_kinds__open_opts(&opts);
	if (!ASSERT_OK_PTR(k.skel, "open skeleton"))
		return;
	if (!ASSERT_OK(file_kinds__load(k.skel), "load skeleton") ||
	    !ASSERT_OK(hold_prog_pair(k.skel->progs.read_nonsleepable,
				      k.skel->progs.read_sleepable,
				      &k.skel->bss->trigger_ctx),
		       "attach both programs"))
		goto out;
	k.batch = READ_BATCH_OF(k.skel);
	mount_tmpfs(k.tmpfs, sizeof(k.tmpfs), "size=64m");
	mount_tmpfs(k.tmpfs_huge, sizeof(k.tmpfs_huge), "size=64m,huge=always");

	for (i = 0; i < N_KINDS; i++) {
		run_kind(&k, &kinds[i], false);
		run_kind(&k, &kinds[i], true);
	}
	sparse_hole(&k);

	unmount_tmpfs(k.tmpfs);
	unmount_tmpfs(k.tmpfs_huge);
out:
	release_prog_pair();
	file_kinds__destroy(k.skel);
}
