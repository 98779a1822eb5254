/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files and the page cache, without the runner: pattern files, eviction,
 * residency (mincore), private tmpfs mounts and the ioctl that triggers the
 * programs. Shared by the tests (through harness.h) and by the benchmark
 * (bench/), which is not a test and links this file alone. Nothing here
 * asserts or skips: each function returns what happened.
 */
#ifndef __PROG_TESTS_FILECACHE_H
#define __PROG_TESTS_FILECACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The byte every pattern file holds at offset @off. */
uint8_t pattern_byte(uint64_t off);
void pattern_fill(void *buf, uint64_t off, size_t len);

struct extent {
	uint64_t off;
	uint64_t len;
};

/* The same in directory @dir rather than the scratch directory. */
int make_sparse_pattern_file_in(const char *dir, const char *name,
				uint64_t size, const struct extent *data,
				int n_data, char *path, size_t path_sz);

/*
 * A private tmpfs mounted with @opts on a new directory /tmp/PREFIX.XXXXXX,
 * left in @dir; @dir is "" if it could not be made. tmpfs_unmount() takes
 * it down and removes the directory; it does nothing for "".
 */
void tmpfs_mount(char *dir, size_t sz, const char *prefix, const char *opts);
void tmpfs_unmount(char *dir);

/* Drops the clean page-cache pages of [off, off+len) (len 0: to EOF). */
int evict_range(int fd, off_t off, off_t len);

/*
 * Number of pages of [off, off+len) resident and uptodate in the page cache,
 * from mincore() on a fresh mapping of the file, or -errno.
 */
long resident_pages(int fd, off_t off, size_t len);

/*
 * Number of pages of the whole file in the page cache, uptodate or not,
 * from cachestat() (6.5): what stays cached after an eviction is pinned.
 * It walks the cached folios only, not the file's size (a 4 GiB sparse file
 * costs what its few cached pages cost). -ENOSYS before 6.5.
 */
long cached_pages(int fd);

/*
 * evict_range() of [off, off+len), proven by resident_pages(): the pages
 * still resident after at most EVICT_TRIES tries (0: evicted), or -errno.
 * evict_counted() also leaves the number of tries made in @tries.
 */
#define EVICT_TRIES 8
long evict_proven(int fd, off_t off, size_t len);
long evict_counted(int fd, off_t off, size_t len, int *tries);

/*
 * Pages of [off, off+len) held resident: a shared mapping, mlock()ed.
 * Reclaim skips locked pages, so they stay resident and uptodate (locking
 * reads in any page that is absent or not uptodate) until
 * page_hold_release(), which unmaps them; POSIX_FADV_DONTNEED cannot drop a
 * mapped page, so release before evicting. A reader that only looks pages
 * up in the page cache sees them as it would unmapped. 0 or -errno.
 */
struct page_hold {
	void *map;
	size_t len;
};

int page_hold(int fd, off_t off, size_t len, struct page_hold *h);
void page_hold_release(struct page_hold *h);

/* Runs the programs attached to lsm/file_ioctl on @fd. 0 or -errno. */
int trigger_file_ioctl(int fd);

/* Page size, looked up once. */
long page_size(void);

/*
 * The size of a PMD-sized folio, the one tmpfs's huge=always allocates
 * (2 MiB with 4 KiB pages, 32 MiB with 16 KiB ones), from the kernel's
 * hpage_pmd_size; 0 without transparent huge pages. Looked up once.
 */
long huge_folio_size(void);

#endif /* __PROG_TESTS_FILECACHE_H */
