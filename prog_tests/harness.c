// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <poll.h>
#include <regex.h>
#include <time.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "harness.h"
#include "kmsg.h"

static const char *file_dynptr_unmet(void)
{
	return test__kfunc_missing(FILE_DYNPTR_KFUNC, FILE_DYNPTR_SINCE);
}

const struct test_need need_file_dynptr = {
	.name = "the kfunc " FILE_DYNPTR_KFUNC,
	.unmet = file_dynptr_unmet,
};

static const char *task_exe_file_unmet(void)
{
	return test__kfunc_missing("bpf_get_task_exe_file", "6.12");
}

const struct test_need need_task_exe_file = {
	.name = "the kfunc bpf_get_task_exe_file",
	.unmet = task_exe_file_unmet,
};

/*
 * Set by the fixture before the first test's child is forked; without a
 * fixture run (none linked), assume the LSM programs run and let the
 * tests' own run counters tell.
 */
static bool lsm_runs = true;
static char lsm_why[512];

void bpf_lsm_probed(bool runs, const char *why)
{
	lsm_runs = runs;
	snprintf(lsm_why, sizeof(lsm_why), "%s", why ?: "");
}

static char lsm_skip[600];

static const char *bpf_lsm_unmet(void)
{
	if (lsm_runs)
		return NULL;
	snprintf(lsm_skip, sizeof(lsm_skip),
		 "%s; this test needs its LSM programs to run", lsm_why);
	return lsm_skip;
}

const struct test_need need_bpf_lsm = {
	.name = "BPF LSM programs that run",
	.unmet = bpf_lsm_unmet,
};

bool require_bpf_lsm(void)
{
	const char *why = bpf_lsm_unmet();

	if (why)
		test__skip("%s", why);
	return !why;
}

const char *scratch_dir(void)
{
	const char *dir = getenv("SCRATCH_DIR");

	return dir && *dir ? dir : "/var/tmp";
}

/*
 * Why the scratch directory's page cache cannot be evicted, or NULL: facts
 * that do not change from run to run. vmtest says so in $SCRATCH_NOTE on a
 * kernel without a driver for its disk; tmpfs and ramfs keep their pages
 * until the file goes (there is no swap to push them to here).
 */
static const char *scratch_not_evicting(void)
{
	const char *note = getenv("SCRATCH_NOTE");
	struct statfs fs;

	if (note && *note)
		return note;
	if (statfs(scratch_dir(), &fs))
		return NULL; /* making a file there will say why */
	if (fs.f_type == TMPFS_MAGIC)
		return "a tmpfs";
	if (fs.f_type == RAMFS_MAGIC)
		return "a ramfs";
	return NULL;
}

bool scratch_block_backed(void)
{
	const char *why = scratch_not_evicting();

	if (why)
		test__skip("%s is %s; the test needs a block-backed page cache",
			   scratch_dir(), why);
	return !why;
}

bool scratch_evicts(void)
{
	return !scratch_not_evicting();
}

int make_sparse_pattern_file(const char *name, uint64_t size,
			     const struct extent *data, int n_data, char *path,
			     size_t path_sz)
{
	return make_sparse_pattern_file_in(scratch_dir(), name, size, data,
					   n_data, path, path_sz);
}

bool scratch_pattern_file(struct scratch_file *f, const char *name,
			  uint64_t size)
{
	f->fd = make_pattern_file(name, size, f->path, sizeof(f->path));
	return ASSERT_GE(f->fd, 0, "create the pattern file");
}

void scratch_file_done(struct scratch_file *f)
{
	if (f->fd < 0)
		return;
	after_case_evictable(f->fd, "pages left resident at the file's end");
	file_released(f->fd, f->path, "the scratch file");
	f->fd = -1;
}

/*
 * Filesystems whose clean pages POSIX_FADV_DONTNEED drops: the scratch
 * directory's under vmtest (ext4) and the usual block-backed ones.
 * Anything else keeps its pages by design (tmpfs, ramfs) or has none.
 */
static bool fs_evicts(long type)
{
	return type == EXT4_SUPER_MAGIC || type == XFS_SUPER_MAGIC ||
	       type == BTRFS_SUPER_MAGIC;
}

/* The filesystems whose files the tests read without eviction. */
static const char *fs_name(long type)
{
	static char other[64];

	switch (type) {
	case TMPFS_MAGIC:
		return "tmpfs (also memfd and the initramfs)";
	case RAMFS_MAGIC:
		return "ramfs";
	case SECRETMEM_MAGIC:
		return "secretmem";
	case PROC_SUPER_MAGIC:
		return "procfs";
	}
	snprintf(other, sizeof(other), "a filesystem of magic %#lx", type);
	return other;
}

/* Once per test: why R-AFTER-1 is not checked on some files. */
static void after_not_checked(const char *why)
{
	static char said[8][96];
	int i;

	for (i = 0; i < 8 && said[i][0]; i++)
		if (!strcmp(said[i], why))
			return;
	if (i < 8)
		snprintf(said[i], sizeof(said[i]), "%s", why);
	printf("R-AFTER-1 not checked on %s: its pages cannot be evicted by design\n",
	       why);
}

static void release_resident_file(const struct stat *st);

/*
 * The whole file evicted, counted by cached_pages() (cachestat(): any
 * cached page, uptodate or not, in the time of the few cached ones; a
 * mincore() of a 4 GiB sparse file walks a million pages), by mincore()
 * before 6.5. A first POSIX_FADV_DONTNEED alone, as the pages a read
 * leaves are clean; then evict_counted()'s tries, backoff and fdatasync().
 */
static long evict_cached(int fd, off_t size, int *tries)
{
	long cached;

	*tries = 1;
	if (!posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)) {
		cached = cached_pages(fd);
		if (cached == -ENOSYS)
			cached = resident_pages(fd, 0, size);
		if (!cached)
			return 0;
	}
	cached = evict_counted(fd, 0, size, tries);
	if (cached)
		return cached;
	/* mincore() says none uptodate: are there others? */
	cached = cached_pages(fd);
	return cached == -ENOSYS ? 0 : cached;
}

/* A read-only descriptor of @fd's file: @fd itself unless write-only. */
static int readable_fd(int fd)
{
	char proc[64];
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || (fl & O_ACCMODE) != O_WRONLY)
		return fd;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return open(proc, O_RDONLY | O_CLOEXEC);
}

bool after_case_evictable(int fd, const char *what)
{
	struct statfs fs;
	struct stat st;
	long resident;
	int tries, rfd;

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		after_not_checked("a file that is not regular");
		return true;
	}
	if (fstatfs(fd, &fs) || !fs_evicts(fs.f_type)) {
		after_not_checked(fs_name(fs.f_type));
		return true;
	}
	release_resident_file(&st);
	if (!st.st_size)
		return true;
	rfd = readable_fd(fd);
	if (!ASSERT_GE(rfd, 0, "reopen the write-only file to read"))
		return false;
	resident = evict_cached(rfd, st.st_size, &tries);
	if (rfd != fd)
		close(rfd);
	if (resident >= 0 && tries > 1)
		printf("%s: POSIX_FADV_DONTNEED tried %d times, %ld pages left\n",
		       what, tries, resident);
	/* Asserts only when it fails: it runs after every case. */
	TEST_RULE("R-AFTER-1");
	if (!resident) {
		test__case_end();
		return true;
	}
	if (resident < 0)
		ASSERT_OK(resident, "evict the file's pages");
	else
		ASSERT_EQ(resident, 0, what);
	test__case_end();
	return false;
}

/* Waits for an inotify event in @mask on @ifd; false on the timeout. */
static bool inotify_wait(int ifd, uint32_t mask, int timeout_ms)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	struct timespec start, now;
	int left = timeout_ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (left > 0) {
		struct pollfd p = { .fd = ifd, .events = POLLIN };
		ssize_t n;
		char *e;

		if (poll(&p, 1, left) > 0) {
			n = read(ifd, buf, sizeof(buf));
			for (e = buf; n > 0 && e < buf + n;
			     e += sizeof(struct inotify_event) +
				  ((struct inotify_event *)e)->len)
				if (((struct inotify_event *)e)->mask & mask)
					return true;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms - ((now.tv_sec - start.tv_sec) * 1000 +
				     (now.tv_nsec - start.tv_nsec) / 1000000);
	}
	return false;
}

bool file_released(int fd, const char *path, const char *what)
{
	char proc[64], name[300];
	struct statfs fs;
	struct stat st;
	int ifd, wd = -1;
	uint32_t mask;
	bool released;

	if (fd < 0)
		return true;
	if (fstat(fd, &st))
		st.st_nlink = 1;
	else
		release_resident_file(&st); /* a mapping holds the file */
	if (!fstatfs(fd, &fs) && fs.f_type == SECRETMEM_MAGIC) {
		printf("R-AFTER-2 not checked on %s: secretmem, a pseudo file, sends no fsnotify event\n",
		       what);
		close(fd);
		return true;
	}
	/* Unlinked (now, or by the caller before): the dentry's death. */
	mask = path || !st.st_nlink ? IN_DELETE_SELF : IN_CLOSE;
	/* The magic link reaches any file, also one without a name. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ifd >= 0)
		wd = inotify_add_watch(ifd, proc, mask);
	close(fd);
	if (path)
		unlink(path);
	if (!ASSERT_GE(wd, 0, "inotify watch on the file")) {
		if (ifd >= 0)
			close(ifd);
		return false;
	}
	released = inotify_wait(ifd, mask, AFTER_RELEASE_TIMEOUT_MS);
	close(ifd);
	/* Asserts only when it fails: it runs after every file. */
	TEST_RULE("R-AFTER-2");
	if (released) {
		test__case_end();
		return true;
	}
	snprintf(name, sizeof(name),
		 "%s released within %d ms of its last close (inotify %s)",
		 what, AFTER_RELEASE_TIMEOUT_MS,
		 mask == IN_DELETE_SELF ? "IN_DELETE_SELF" : "IN_CLOSE");
	ASSERT_TRUE(released, name);
	test__case_end();
	return false;
}

int make_pattern_file(const char *name, uint64_t size, char *path,
		      size_t path_sz)
{
	struct extent whole = { 0, size };

	return make_sparse_pattern_file(name, size, &whole, 1, path, path_sz);
}

/* The resident ranges make_file_resident() and hold_resident() hold. */
#define MAX_HOLDS 64
static struct {
	int fd;
	struct page_hold h;
} holds[MAX_HOLDS];

bool hold_resident(int fd, off_t off, size_t len)
{
	int i = 0, err;

	if (!len)
		return true;
	while (i < MAX_HOLDS && holds[i].h.map)
		i++;
	if (i == MAX_HOLDS)
		return ASSERT_LT(i, MAX_HOLDS, "ranges held resident at once");
	err = page_hold(fd, off, len, &holds[i].h);
	if (err) {
		test__setup_error(
			"cannot hold %zu bytes at %lld of a file resident (a locked shared mapping): %s",
			len, (long long)off, strerror(-err));
		return false;
	}
	holds[i].fd = fd;
	return true;
}

void release_resident(int fd)
{
	int i;

	for (i = 0; i < MAX_HOLDS; i++)
		if (holds[i].h.map && holds[i].fd == fd)
			page_hold_release(&holds[i].h);
}

/*
 * release_resident() of every descriptor of @st's file: a test may hold
 * pages through another descriptor than the one it read (file_kinds's
 * write-only file is held through its read-only twin).
 */
static void release_resident_file(const struct stat *st)
{
	struct stat h;
	int i;

	for (i = 0; i < MAX_HOLDS; i++)
		if (holds[i].h.map && !fstat(holds[i].fd, &h) &&
		    h.st_dev == st->st_dev && h.st_ino == st->st_ino)
			page_hold_release(&holds[i].h);
}

/* Evicts the file, proven; the pages left resident, or -errno. */
static long evict_file(int fd, off_t size, const char *what)
{
	long resident;
	int tries;

	if (!scratch_block_backed())
		return -EOPNOTSUPP;
	release_resident(fd);
	resident = evict_counted(fd, 0, size, &tries);
	if (resident >= 0 && tries > 1)
		printf("%s: POSIX_FADV_DONTNEED tried %d times, %ld pages left\n",
		       what, tries, resident);
	return resident;
}

bool make_file_evicted(int fd, off_t size, const char *what)
{
	long resident = evict_file(fd, size, what);

	if (resident == -EOPNOTSUPP)
		return false;
	if (resident < 0)
		return ASSERT_OK(resident, "evict the file's pages");
	if (resident)
		test__setup_error(
			"%s: %ld pages stay resident after %d tries of POSIX_FADV_DONTNEED in %s, whose filesystem should evict them",
			what, resident, EVICT_TRIES, scratch_dir());
	return !resident;
}

bool file_evictable(int fd, off_t size, const char *what)
{
	long resident = evict_file(fd, size, what);

	if (resident == -EOPNOTSUPP)
		return false;
	if (resident < 0)
		return ASSERT_OK(resident, "evict the file's pages");
	return ASSERT_EQ(resident, 0, what);
}

bool make_file_resident(int fd, off_t size, const char *what)
{
	static char chunk[1 << 16];
	off_t off;
	int err;

	release_resident(fd);
	/* Written pages may be cached but not uptodate: drop, read back. */
	err = evict_range(fd, 0, 0);
	for (off = 0; off < size && !err; off += sizeof(chunk))
		if (pread(fd, chunk, sizeof(chunk), off) < 0)
			err = -errno;
	if (err)
		return ASSERT_OK(err, "evict the file and read it back");
	return hold_resident(fd, 0, size) &&
	       ASSERT_EQ(resident_pages(fd, 0, size),
			 (size + page_size() - 1) / page_size(), what);
}

static void kmsg_note(const char *fmt, const char *arg)
{
	char line[256];
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	snprintf(line, sizeof(line), fmt, arg);
	write(fd, line, strlen(line));
	close(fd);
}

int splat_watch(const char *ere)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	kmsg_note("<4>vmtest: expect-splat begin %s\n", ere);
	return fd;
}

/*
 * The runner's rules for a splat (runner/kmsg.h), minus the window's own
 * markers, whose ERE may well contain "BUG: " or "WARNING: ".
 */
static bool is_splat(const char *text)
{
	static regex_t splat;
	static int compiled; /* 0 not yet, 1 ready, -1 failed */

	if (!compiled)
		compiled = regcomp(&splat, KMSG_SPLAT_ERE,
				   REG_EXTENDED | REG_NOSUB) ?
				   -1 :
				   1;
	if (!strncmp(text, KMSG_EXPECT_BEGIN, strlen(KMSG_EXPECT_BEGIN)) ||
	    !strncmp(text, KMSG_EXPECT_END, strlen(KMSG_EXPECT_END)))
		return false;
	if (compiled < 0)
		return strstr(text, "WARNING: ") || strstr(text, "BUG: ");
	return !regexec(&splat, text, 0, NULL, 0);
}

bool splat_seen(int cursor, char *line, size_t line_sz)
{
	char rec[1024];
	ssize_t n;

	line[0] = 0;
	/* Each read() returns one record: "prio,seq,time,flags;text\n". */
	while (cursor >= 0 && (n = read(cursor, rec, sizeof(rec) - 1)) > 0) {
		char *text = strchr(rec, ';');

		rec[n] = 0;
		if (!line[0] && text && is_splat(text + 1)) {
			snprintf(line, line_sz, "%s", text + 1);
			line[strcspn(line, "\n")] = 0;
		}
	}
	kmsg_note("<4>vmtest: expect-splat end%s\n", "");
	if (cursor >= 0)
		close(cursor);
	return line[0];
}

bool may_provoke_splat(void)
{
	const char *guest = getenv("VMTEST_GUEST");

	return guest && !strcmp(guest, "1");
}

long meminfo_kb(const char *field)
{
	size_t n = strlen(field);
	char line[128];
	long kb = -ENOENT;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* The held pair: [0] non-sleepable, [1] sleepable. */
static struct {
	struct bpf_program *prog[2];
	struct bpf_link *link[2];
	int *trigger_ctx;
} held;

int select_held_prog(struct bpf_program *prog)
{
	if (!prog || !held.trigger_ctx)
		return -EINVAL;
	if (prog == held.prog[0])
		*held.trigger_ctx = TRIGGER_CTX_NONSLEEPABLE;
	else if (prog == held.prog[1])
		*held.trigger_ctx = TRIGGER_CTX_SLEEPABLE;
	else
		return -EINVAL;
	return 0;
}

void release_prog_pair(void)
{
	int i;

	for (i = 0; i < 2; i++)
		bpf_link__destroy(held.link[i]);
	memset(&held, 0, sizeof(held));
}

int hold_prog_pair(struct bpf_program *nonsleepable,
		   struct bpf_program *sleepable, int *trigger_ctx)
{
	int i, err;

	release_prog_pair();
	held.prog[0] = nonsleepable;
	held.prog[1] = sleepable;
	held.trigger_ctx = trigger_ctx;
	/* Never both at once: the first trigger must select one. */
	*trigger_ctx = TRIGGER_CTX_NONSLEEPABLE;
	for (i = 0; i < 2; i++) {
		held.link[i] = bpf_program__attach(held.prog[i]);
		if (!held.link[i]) {
			err = -errno;
			release_prog_pair();
			return err;
		}
	}
	return 0;
}

int run_prog_once(struct bpf_program *prog, int fd)
{
	struct bpf_link *link;
	int err;

	if (!select_held_prog(prog))
		return trigger_file_ioctl(fd);
	link = bpf_program__attach(prog);
	if (!link)
		return -errno;
	err = trigger_file_ioctl(fd);
	bpf_link__destroy(link);
	return err;
}

void skel_open_opts(struct bpf_object_open_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	/* 1: the instruction log; 4: verifier statistics. */
	if (test__verbosity() >= 2)
		opts->kernel_log_level = 1 | 4;
}

__u8 *read_self_exe(size_t *size)
{
	struct stat st;
	size_t done = 0;
	__u8 *buf = NULL;
	int fd;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (!ASSERT_GE(fd, 0, "open /proc/self/exe"))
		return NULL;
	if (!ASSERT_OK(fstat(fd, &st), "fstat /proc/self/exe"))
		goto out;
	*size = st.st_size;
	buf = malloc(*size);
	if (!ASSERT_OK_PTR(buf, "malloc"))
		goto out;
	while (done < *size) {
		ssize_t n = pread(fd, buf + done, *size - done, done);

		if (!ASSERT_GT(n, 0, "pread /proc/self/exe")) {
			free(buf);
			buf = NULL;
			goto out;
		}
		done += n;
	}
out:
	close(fd);
	return buf;
}

/* The last parameter of @func's prototype in @btf, or NULL. */
static const struct btf_type *last_param(const struct btf *btf,
					 const char *func, __u32 *param_type)
{
	const struct btf_type *t;
	int id;

	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_func_proto(t) || !btf_vlen(t))
		return NULL;
	if (param_type)
		*param_type = btf_params(t)[btf_vlen(t) - 1].type;
	return t;
}

bool align_impl_proto(struct bpf_object *obj, const struct btf *vmlinux,
		      const char *func)
{
	const struct btf_type *kproto, *kptr, *kstruct;
	struct btf *local = bpf_object__btf(obj);
	struct btf_type *lproto;
	__u32 kparam, lparam;
	const char *name;
	int sid, pid;

	kproto = last_param(vmlinux, func, &kparam);
	if (!kproto)
		return true; /* no _impl: the weak extern stays unresolved */
	kptr = btf__type_by_id(vmlinux, kparam);
	if (!ASSERT_TRUE(kptr && btf_is_ptr(kptr),
			 "kernel _impl last param is a pointer"))
		return false;
	if (!kptr->type)
		return true; /* void *: 6.19's prototype, as declared */
	kstruct = btf__type_by_id(vmlinux, kptr->type);
	if (!ASSERT_TRUE(btf_is_struct(kstruct),
			 "kernel _impl last param points to a struct"))
		return false;
	name = btf__name_by_offset(vmlinux, kstruct->name_off);

	sid = btf__find_by_name_kind(local, name, BTF_KIND_STRUCT);
	if (sid < 0)
		sid = btf__add_struct(local, name, kstruct->size);
	pid = sid < 0 ? sid : btf__add_ptr(local, sid);
	if (!ASSERT_GT(pid, 0,
		       "add the kernel's pointer type to the program BTF"))
		return false;
	/* Types may have moved while being added: look the prototype up now. */
	lproto = (struct btf_type *)last_param(local, func, &lparam);
	if (!ASSERT_OK_PTR(lproto, "the program's _impl prototype"))
		return false;
	btf_params(lproto)[btf_vlen(lproto) - 1].type = pid;
	printf("aligned the program's %s prototype: last parameter struct %s *\n",
	       func, name);
	return true;
}
