/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness the user-space tests share: what tests need (TEST_TRAITS
 * .needs), scratch files with a known byte pattern, page-cache control and
 * verification, the program trigger, skeleton options and page-relative
 * offsets. The low-level helpers return 0 or -errno and leave asserting to
 * their callers; those whose comment says "asserted" (SKEL_OPEN_LOAD,
 * scratch_pattern_file(), make_file_evicted(), ...) assert, skip or report a
 * setup error (test__setup_error()) themselves.
 */
#ifndef __PROG_TESTS_HARNESS_H
#define __PROG_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "test_progs.h"
#include "shared_defs.h"
#include "filecache.h"

#define FILE_DYNPTR_KFUNC "bpf_dynptr_from_file"
#define FILE_DYNPTR_SINCE "6.19"

/*
 * Opens and loads the skeleton NAME with skel_open_opts(), asserting both;
 * NULL (the skeleton destroyed) if either failed.
 */
#define SKEL_OPEN_LOAD(name)                                        \
	({                                                          \
		struct bpf_object_open_opts __opts;                 \
		struct name *__skel;                                \
                                                                    \
		skel_open_opts(&__opts);                            \
		__skel = name##__open_opts(&__opts);                \
		if (!ASSERT_OK_PTR(__skel, "open skeleton " #name)) \
			__skel = NULL;                              \
		else if (!ASSERT_OK(name##__load(__skel),           \
				    "load skeleton " #name)) {      \
			name##__destroy(__skel);                    \
			__skel = NULL;                              \
		}                                                   \
		__skel;                                             \
	})

/* A pattern file in the scratch directory, removed by scratch_file_done(). */
struct scratch_file {
	int fd;
	char path[256];
};

/* make_pattern_file() into @f, asserted; false on failure. */
bool scratch_pattern_file(struct scratch_file *f, const char *name,
			  uint64_t size);
/*
 * Releases the holds, checks the after-state (after_case_evictable(),
 * file_released(): asserted) and removes the file.
 */
void scratch_file_done(struct scratch_file *f);

/*
 * After-state checks (SEMANTICS.md, "After every case": R-AFTER-1,
 * R-AFTER-2). A failing read path that leaks a folio reference (the page
 * can never be evicted again) or a file reference (the file is never
 * released) while returning the right code would pass every other check.
 *
 * after_case_evictable(@fd, @what) runs after every case that read a file:
 * read_rows_check() calls it after each table's cases, the themes that
 * trigger by other means call it themselves. It releases the file's holds
 * (hold_resident(), through any descriptor of the file) and evicts the
 * whole file: POSIX_FADV_DONTNEED, counted by cached_pages() (cachestat()),
 * then evict_counted()'s retries: a page left cached, uptodate or not,
 * fails R-AFTER-1, naming @what. Only regular files on a filesystem that evicts (ext2/3/4, xfs,
 * btrfs): elsewhere (tmpfs, ramfs, memfd, secretmem, procfs, pipes) the
 * pages cannot be evicted by design, logged once per test, and true. A
 * write-only @fd is checked through a read-only reopen of the same file.
 * It leaves the file evicted: a case that needs pages resident makes them
 * so itself.
 *
 * file_released(@fd, @path, @what) closes @fd, the last descriptor of the
 * file the test opened (close the others first), and proves the kernel
 * released it (R-AFTER-2). It watches the file through /proc/self/fd/N
 * with inotify. With @path it then unlinks @path; an unlinked file (@path,
 * or one without links: an unlinked-while-open file, a memfd) waits for
 * IN_DELETE_SELF, sent when the last reference to the dentry goes
 * (dentry_unlink_inode() -> fsnotify_inoderemove()): a struct file the
 * kernel still holds keeps it, whichever descriptor it came from. A file
 * that stays linked (/proc/self/exe, procfs, a directory, a pipe) waits
 * for IN_CLOSE_*, sent by __fput() when the last reference to @fd's own
 * struct file goes. The final fput() of a reference the kernel held may be
 * deferred (task_work, delayed_fput): the wait is a bounded poll
 * (AFTER_RELEASE_TIMEOUT_MS), never a fixed sleep. secretmem sends no
 * event at all (alloc_file_pseudo() sets FMODE_NONOTIFY, its inode keeps
 * its link): only closed, logged. Asserted; false on a failure.
 *
 * How a theme hooks on (sleepable_select, callback_select, ...):
 *   - cases through read_rows()/read_rows_check(): nothing to do, the
 *     check runs after each table; a test that proves a page still absent
 *     after the trigger does so before read_rows_check() (it evicts);
 *   - any other trigger: after_case_evictable(fd, "what") once the case's
 *     checks are done, before the next case makes its page-cache state;
 *   - the file: scratch_file_done() checks both; a file made otherwise
 *     ends with file_released(fd, path_or_NULL, "what") in place of
 *     release_resident() + close() + unlink().
 */
#define AFTER_RELEASE_TIMEOUT_MS 20000
bool after_case_evictable(int fd, const char *what);
bool file_released(int fd, const char *path, const char *what);

/*
 * Under the runner's -j, tests that make page-cache state (residency,
 * eviction) and then rely on it share this lane: one at a time, beside
 * tests that only load and verify programs. Tests that provoke a kernel
 * warning, measure the kernel's memory or race processes of their own
 * declare no traits and run alone.
 */
#define LANE_PAGE_CACHE "page cache"

/*
 * What tests declare they need (TEST_TRAITS .needs): the runner skips a
 * test whose need is unmet, with the reason, before running it.
 */
extern const struct test_need need_file_dynptr; /* bpf_dynptr_from_file, 6.19 */
extern const struct test_need
	need_task_exe_file; /* bpf_get_task_exe_file, 6.12 */
extern const struct test_need need_bpf_lsm; /* LSM programs run */

/* The needs of most tests: the kfunc, and LSM programs that run. */
#define NEEDS_FILE_DYNPTR_LSM .needs = { &need_file_dynptr, &need_bpf_lsm }

/*
 * need_bpf_lsm for one subtest of a test that does not need it as a whole:
 * skips the subtest, saying why, unless BPF LSM programs run on this
 * kernel, as the run-wide fixture found out (prog_tests/trampoline_anchor.c):
 * a kernel without "bpf" in its active LSM list attaches them and never
 * runs them.
 */
bool require_bpf_lsm(void);
/* Whether they run, and if not why; set once, by the fixture. */
void bpf_lsm_probed(bool runs, const char *why);

/*
 * Scratch directory for test files: $SCRATCH_DIR, else /var/tmp. vmtest
 * points it at an ext4 filesystem on an NVMe disk, where page-cache eviction
 * works.
 */
const char *scratch_dir(void);

/* /proc/self/exe read whole by pread() (free() it), or NULL, failed. */
__u8 *read_self_exe(size_t *size);

/*
 * False, and the subtest skipped saying why, when the scratch directory has
 * no block-backed page cache, which a test needs to evict pages, or to make
 * a hole resident by reading it. Decided from facts that do not change from
 * run to run: $SCRATCH_NOTE (vmtest on a kernel without a driver for its
 * disk gives a tmpfs and the reason) and the filesystem type (tmpfs, ramfs).
 */
bool scratch_block_backed(void);

/*
 * The same, quietly (no skip). Never a probe that can fail transiently:
 * where the filesystem should evict and does not, make_file_evicted() makes
 * it a setup error.
 */
bool scratch_evicts(void);

/*
 * Creates @name in the scratch directory holding @size pattern bytes, written
 * and synced, and returns an O_RDONLY descriptor, or -errno. The file's path
 * is left in @path: the caller unlinks it.
 */
int make_pattern_file(const char *name, uint64_t size, char *path,
		      size_t path_sz);

/*
 * Like make_pattern_file(), but the file is @size bytes of holes with
 * pattern bytes only in the @data extents: holes read back as zeros.
 */
int make_sparse_pattern_file(const char *name, uint64_t size,
			     const struct extent *data, int n_data, char *path,
			     size_t path_sz);

/*
 * Evicts the whole file (@size bytes) for a subtest that needs its pages
 * absent, and proves it with mincore(), retrying (EVICT_TRIES, the tries
 * logged when more than one). Where the filesystem cannot evict by design
 * (scratch_block_backed()) the subtest skips; where it should and the
 * pages stay, the subtest is a setup error naming @what and the tries.
 * Releases the file's holds (hold_resident()) first. Asserted.
 */
bool make_file_evicted(int fd, off_t size, const char *what);

/*
 * The same eviction as a check of the kernel (R-FAULT-4: no read pins a
 * page): pages that stay after the tries fail the assertion @what.
 */
bool file_evictable(int fd, off_t size, const char *what);

/*
 * Makes the whole file resident and uptodate, and holds it so through the
 * trigger: evicts it, reads it back (pages that were only written may stay
 * cached but not uptodate, which a non-sleepable read treats as absent),
 * holds it (hold_resident()) and proves it with mincore() (@what names
 * that check). Asserted; a hold that cannot be made is a setup error.
 */
bool make_file_resident(int fd, off_t size, const char *what);

/*
 * Holds [off, off+len) of @fd resident (page_hold(): reclaim cannot take
 * the pages under memory pressure between the proof and the trigger) until
 * release_resident(@fd), which make_file_evicted(), file_evictable(),
 * make_file_resident() and scratch_file_done() do first. A setup error of
 * the subtest, saying why, if it cannot: false.
 */
bool hold_resident(int fd, off_t off, size_t len);
void release_resident(int fd);

/*
 * How many times a case runs when a proof after its trigger fails for a
 * reason outside the kernel under test: pages a sleepable read brought in,
 * reclaimed before they could be counted. Tries beyond the first are logged.
 */
#define CASE_TRIES 3

/* The kB value of @field ("SUnreclaim", ...) in /proc/meminfo, or -errno. */
long meminfo_kb(const char *field);

/*
 * Attaches @prog, triggers it once on @fd, detaches it. 0 or -errno. If
 * @prog is of the held pair (below), only selects it and triggers.
 */
int run_prog_once(struct bpf_program *prog, int fd);

/*
 * Keeps a FILE_IOCTL_PROGS pair attached until release_prog_pair(). Each
 * attach and detach rewrites the hook's trampoline (about 10 ms under TCG)
 * and some tests trigger dozens of times. While the pair is held both
 * programs see every trigger, and @trigger_ctx (the skeleton's
 * bss->trigger_ctx) says which one acts: select_held_prog() sets it,
 * run_prog_once() too. One pair at a time. 0 or -errno.
 */
int hold_prog_pair(struct bpf_program *nonsleepable,
		   struct bpf_program *sleepable, int *trigger_ctx);
int select_held_prog(struct bpf_program *prog);
void release_prog_pair(void);

/*
 * Skeleton open options. Under -vv they ask for the verifier log, which
 * libbpf then prints through the runner's log capture even on success.
 */
void skel_open_opts(struct bpf_object_open_opts *opts);

/*
 * Kernel log around a trigger that may make the kernel warn. splat_watch()
 * declares the splat (an ERE on its first line) for vmtest, which then
 * leaves it to the test, and returns a /dev/kmsg cursor at the log's end;
 * splat_seen() closes the window and copies the first warning logged since
 * into @line (empty when none): a splat by the runner's rules (runner/kmsg.h).
 * True if one was logged.
 */
int splat_watch(const char *ere);
bool splat_seen(int cursor, char *line, size_t line_sz);

/*
 * True where provoking a kernel warning is acceptable: the vmtest guest
 * (VMTEST_GUEST=1), a throw-away kernel. Elsewhere it would taint the
 * user's running kernel.
 */
bool may_provoke_splat(void);

/*
 * A file offset or length in the running kernel's folios and pages:
 * folios * huge_folio_size() + pages * page_size() + bytes. Tables write
 * their page- and folio-edge cases so, and so mean the same edges with
 * 4 KiB and with 16 KiB pages.
 */
struct pgoff {
	long long folios;
	long long pages;
	long long bytes;
};

#define PG(pages, bytes) ((struct pgoff){ 0, (pages), (bytes) })
#define FOLIO_PG(folios, pages, bytes) \
	((struct pgoff){ (folios), (pages), (bytes) })

/*
 * libbpf 1.1 resolves every __weak kfunc extern, called or not, and refuses
 * the whole object when a local prototype differs from the kernel's, even
 * for a kfunc the program will not call. 6.19's _impl kfuncs (task work,
 * wq callbacks) end in "void *aux__prog"; 7.x keeps the _impl names for old
 * programs but with "struct bpf_prog_aux *aux". A program declares
 * 6.19's; on a kernel whose @func ends in a struct pointer, this points the
 * local prototype's last parameter at a (memberless) struct of that name,
 * before the load. True if nothing had to be done or it was done; asserted.
 * (libbpf 1.2+ would let the program declare both with ___flavor names.)
 */
bool align_impl_proto(struct bpf_object *obj, const struct btf *vmlinux,
		      const char *func);

/* The number of rows of a table (an array). */
#define N_ROWS(rows) ((int)(sizeof(rows) / sizeof((rows)[0])))

static inline __u64 pg(struct pgoff p)
{
	return (__u64)(p.folios * huge_folio_size() + p.pages * page_size() +
		       p.bytes);
}

#endif /* __PROG_TESTS_HARNESS_H */
