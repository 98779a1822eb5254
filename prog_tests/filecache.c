// SPDX-License-Identifier: GPL-2.0
/* Files and the page cache, without the runner: see filecache.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "shared_defs.h"
#include "filecache.h"

long page_size(void)
{
	static long size;

	if (!size)
		size = sysconf(_SC_PAGESIZE);
	return size;
}

long huge_folio_size(void)
{
	static long size = -1;
	FILE *f;

	if (size >= 0)
		return size;
	size = 0;
	f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	if (f) {
		if (fscanf(f, "%ld", &size) != 1 || size < 0)
			size = 0;
		fclose(f);
	}
	return size;
}

/*
 * Each 8-byte group of the file holds a 64-bit mix of its index (splitmix64's
 * finalizer): neighbouring offsets and offsets a page apart hold different
 * bytes, so a read at a shifted offset cannot match by accident, as it could
 * with a periodic pattern.
 */
static uint64_t pattern_word(uint64_t index)
{
	uint64_t z = index + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint8_t pattern_byte(uint64_t off)
{
	return (uint8_t)(pattern_word(off / 8) >> (8 * (off % 8)));
}

void pattern_fill(void *buf, uint64_t off, size_t len)
{
	uint8_t *bytes = buf;
	uint64_t word = pattern_word(off / 8);
	size_t i;

	for (i = 0; i < len; i++, off++) {
		if (off % 8 == 0)
			word = pattern_word(off / 8);
		bytes[i] = (uint8_t)(word >> (8 * (off % 8)));
	}
}

static int write_pattern(int fd, uint64_t off, uint64_t len)
{
	static uint8_t chunk[1 << 16];
	uint64_t end = off + len;

	while (off < end) {
		size_t n = end - off < sizeof(chunk) ? end - off :
						       sizeof(chunk);
		ssize_t done;

		pattern_fill(chunk, off, n);
		done = pwrite(fd, chunk, n, off);
		if (done < 0)
			return -errno;
		off += done;
	}
	return 0;
}

int make_sparse_pattern_file_in(const char *dir, const char *name,
				uint64_t size, const struct extent *data,
				int n_data, char *path, size_t path_sz)
{
	int fd, err = 0, i;

	snprintf(path, path_sz, "%s/%s.%d", dir, name, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size))
		err = -errno;
	for (i = 0; i < n_data && !err; i++)
		err = write_pattern(fd, data[i].off, data[i].len);
	if (!err && fsync(fd))
		err = -errno;
	close(fd);
	if (!err) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		err = -errno;
	}
	unlink(path);
	return err;
}

void tmpfs_mount(char *dir, size_t sz, const char *prefix, const char *opts)
{
	snprintf(dir, sz, "/tmp/%s.XXXXXX", prefix);
	if (!mkdtemp(dir)) {
		dir[0] = 0;
		return;
	}
	if (mount("tmpfs", dir, "tmpfs", 0, opts)) {
		rmdir(dir);
		dir[0] = 0;
	}
}

void tmpfs_unmount(char *dir)
{
	if (dir[0]) {
		umount2(dir, MNT_DETACH);
		rmdir(dir);
		dir[0] = 0;
	}
}

int evict_range(int fd, off_t off, off_t len)
{
	/* Only clean pages can be dropped: write back anything dirty first. */
	if (fdatasync(fd))
		return -errno;
	return -posix_fadvise(fd, off, len, POSIX_FADV_DONTNEED);
}

static long resident_by_mincore(int fd, off_t off, size_t len)
{
	long psz = page_size();
	off_t map_off = off & ~(off_t)(psz - 1);
	size_t map_len = len + (off - map_off);
	size_t pages = (map_len + psz - 1) / psz;
	unsigned char *vec;
	long resident = 0;
	void *map;
	size_t i;

	vec = calloc(pages, 1);
	if (!vec)
		return -ENOMEM;
	/* A private read-only mapping faults nothing in by itself. */
	map = mmap(NULL, map_len, PROT_READ, MAP_PRIVATE, fd, map_off);
	if (map == MAP_FAILED) {
		free(vec);
		return -errno;
	}
	if (mincore(map, map_len, vec)) {
		resident = -errno;
	} else {
		for (i = 0; i < pages; i++)
			resident += vec[i] & 1;
	}
	munmap(map, map_len);
	free(vec);
	return resident;
}

/*
 * Residency as a non-sleepable file-dynptr read sees it: mincore() counts a
 * page only when its folio is uptodate, which is what the page-cache-only
 * reader requires. cachestat() is not used: it also counts folios that are
 * cached but not uptodate, such as the EOF folio of a file just written with
 * a length that does not end on a page boundary (seen on 6.19 ext4: pread()
 * serves it without I/O, yet a non-sleepable read gets -EFAULT).
 */
long resident_pages(int fd, off_t off, size_t len)
{
	if (!len)
		return 0;
	return resident_by_mincore(fd, off, len);
}

#ifndef __NR_cachestat
#define __NR_cachestat 451 /* the same on every architecture */
#endif

/* include/uapi/linux/mman.h (6.5), which the build's headers may predate. */
struct cachestat_range_v1 {
	uint64_t off, len;
};

struct cachestat_v1 {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted,
		nr_recently_evicted;
};

long cached_pages(int fd)
{
	struct cachestat_range_v1 range = { 0, 0 }; /* len 0: to EOF */
	struct cachestat_v1 cs;

	if (syscall(__NR_cachestat, fd, &range, &cs, 0))
		return -errno;
	return cs.nr_cache;
}

/*
 * A page under I/O (the last read's async readahead), under writeback or in
 * a CPU's LRU batch cannot be dropped yet: on a loaded machine one try is
 * not always enough (once 36 of 128 pages stayed), so a few, 10 ms apart
 * and then longer (up to 100 ms, 0.5 s in all), each proven by mincore().
 */
long evict_counted(int fd, off_t off, size_t len, int *tries)
{
	long resident = 0;
	int try, err;

	for (try = 0; try < EVICT_TRIES; try++) {
		if (try)
			usleep(try < 4 ? 10000 << (try - 1) : 100000);
		if (tries)
			*tries = try + 1;
		err = evict_range(fd, off, len);
		if (err)
			return err;
		resident = resident_pages(fd, off, len);
		if (resident <= 0)
			break;
	}
	return resident;
}

long evict_proven(int fd, off_t off, size_t len)
{
	return evict_counted(fd, off, len, NULL);
}

int page_hold(int fd, off_t off, size_t len, struct page_hold *h)
{
	off_t map_off = off & ~(off_t)(page_size() - 1);
	int err;

	h->map = NULL;
	if (!len)
		return 0;
	h->len = len + (off - map_off);
	h->map = mmap(NULL, h->len, PROT_READ, MAP_SHARED, fd, map_off);
	if (h->map == MAP_FAILED) {
		h->map = NULL;
		return -errno;
	}
	/*
	 * A page reclaimed since the caller read it is read back by the fault
	 * of mlock(): no readahead around it, which would bring in pages the
	 * caller wants absent.
	 */
	if (madvise(h->map, h->len, MADV_RANDOM) || mlock(h->map, h->len)) {
		err = -errno;
		page_hold_release(h);
		return err;
	}
	return 0;
}

void page_hold_release(struct page_hold *h)
{
	if (!h->map)
		return;
	/* munmap() unlocks too; munlock() first says it is meant. */
	munlock(h->map, h->len);
	munmap(h->map, h->len);
	h->map = NULL;
}

int trigger_file_ioctl(int fd)
{
	/* No filesystem knows the command: ENOTTY is the expected outcome. */
	if (ioctl(fd, TRIGGER_IOCTL, 0) == 0 || errno == ENOTTY)
		return 0;
	return -errno;
}
