// SPDX-License-Identifier: GPL-2.0
/*
 * bench_kfunc: what a read through a file dynptr costs, beside pread() and
 * mmap() + memcpy() of the same bytes of the same file, in one run.
 *
 * Measures and checks; asserts no timing. Every measured read's bytes are
 * compared with the file's pattern, every error code must be 0, and the
 * page-cache state a measurement needs (resident, or evicted) is made and
 * proven with mincore() before each repetition. The raw samples go to the
 * JSON record (-J); bench/bench_kfunc.py turns them into medians, spreads,
 * ratios, tables and plots. See docs/benchmark.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <signal.h>
#include <getopt.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "shared_defs.h"
#include "filecache.h"
#include "bench_kfunc.h"
#include "bench_kfunc.skel.h"

#define EXIT_MEASURED 0
#define EXIT_CHECK_FAILED 1
#define EXIT_USAGE 2
#define EXIT_SETUP 3

#define MIB (1ul << 20)

static struct {
	bool quick, verbose, check_only;
	int reps, warmup, cold_reps; /* -1: not given (parse_args()) */
	const char *json_path;
	const char *fs_filter; /* ext4, tmpfs or NULL: both */
} opt = { .json_path = "bench_kfunc.json" };

static struct bench_kfunc *skel;
static FILE *rec; /* the JSON record being written (a temporary file) */
static int n_cells, n_failed;
static double run_start; /* now_ns() at the start */

/* One file the methods read, on one filesystem. */
struct bench_file {
	const char *fs; /* "ext4", "tmpfs" (PMD-sized folios when THP) */
	char path[512];
	int fd;
	uint64_t size;
	uint64_t nominal_folio; /* page size, or the PMD-sized folio */
	bool evicts; /* its pages can be dropped: cold methods run */
	uint8_t *folio_start; /* per page: a folio starts there (NULL: unknown) */
	bool folios_changed; /* the map differed after the resident methods */
	const char *note; /* a row left out, and why */
};

/* One measured operation: a method at an (offset, length). */
struct cell {
	const char *method;
	const char *row; /* "4096", "x1" (crosses one folio boundary), ... */
	uint64_t off, len;
	unsigned int iters;
	bool cold;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void progress(const char *fmt, ...)
{
	va_list ap;

	printf("bench [%6.1f s] ", (now_ns() - run_start) / 1e9);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* @before (the key, its comma), then @s as a JSON string. */
static void json_str(const char *before, const char *s)
{
	fprintf(rec, "%s\"", before);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(rec, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			fputc('?', rec);
		else
			fputc(*s, rec);
	}
	fputc('"', rec);
}

/* A cell's record opens with what it measured. */
static void json_cell(const struct bench_file *f, const struct cell *c)
{
	fputs(n_cells++ ? "," : "", rec);
	json_str("\n    {\"fs\": ", f->fs);
	json_str(", \"method\": ", c->method);
	json_str(", \"row\": ", c->row);
}

/* A check that failed: named in the output and the record, exit 1 at end. */
static void cell_failed(const struct bench_file *f, const struct cell *c,
			const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("FAIL %s %s %s (off %llu, len %llu): %s\n", f->fs, c->method,
	       c->row, (unsigned long long)c->off, (unsigned long long)c->len,
	       why);
	json_cell(f, c);
	json_str(", \"error\": ", why);
	fputc('}', rec);
	n_failed++;
}

/* The symbol an ELF lookup looks for, and where libelf found it. */
struct elf_target {
	char name[32];
	long index; /* the first symbol of that name */
	uint64_t value;
	long n_syms;
};

/* --- the page cache -------------------------------------------------- */

static uint64_t pages_of(uint64_t off, uint64_t len)
{
	uint64_t psz = page_size();

	return len ? (off + len + psz - 1) / psz - off / psz : 0;
}

/* Every page of [off, off+len) resident, proven; read in what is not. */
static bool make_resident(const struct bench_file *f, uint64_t off,
			  uint64_t len)
{
	static char chunk[1 << 16];
	uint64_t pos;

	if (resident_pages(f->fd, off, len) == (long)pages_of(off, len))
		return true;
	for (pos = off & ~(uint64_t)(page_size() - 1); pos < off + len;
	     pos += sizeof(chunk))
		if (pread(f->fd, chunk, sizeof(chunk), pos) < 0)
			return false;
	return resident_pages(f->fd, off, len) == (long)pages_of(off, len);
}

/* No page of the file resident, proven (evict_proven() says why tries). */
static bool make_evicted(const struct bench_file *f)
{
	return evict_proven(f->fd, 0, f->size) == 0;
}

/*
 * Where the file's folios start, from /proc/self/pagemap (the page frames
 * of a mapping of it) and /proc/kpageflags (KPF_COMPOUND_TAIL: the page
 * continues the folio before it). Needs CAP_SYS_ADMIN, which the guest's
 * root has; NULL when it cannot be read. The file must be resident.
 */
#define PM_PFN_MASK ((1ull << 55) - 1)
#define PM_PRESENT (1ull << 63)
#define KPF_COMPOUND_TAIL 16

static uint8_t *folio_starts(const struct bench_file *f)
{
	uint64_t n = f->size / page_size(), i = 0, ent, flags;
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	uint8_t *map = MAP_FAILED, *starts = calloc(n, 1);
	volatile uint8_t sink;
	bool ok;

	if (pm >= 0 && kf >= 0 && starts)
		map = mmap(NULL, f->size, PROT_READ, MAP_SHARED, f->fd, 0);
	for (; map != MAP_FAILED && i < n; i++) {
		sink = map[i * page_size()]; /* the page, mapped */
		(void)sink;
		if (pread(pm, &ent, 8,
			  (uintptr_t)map / page_size() * 8 + i * 8) != 8 ||
		    !(ent & PM_PRESENT) || !(ent & PM_PFN_MASK) ||
		    pread(kf, &flags, 8, (ent & PM_PFN_MASK) * 8) != 8)
			break;
		starts[i] = !(flags & (1ull << KPF_COMPOUND_TAIL));
	}
	ok = map != MAP_FAILED && i == n;
	if (map != MAP_FAILED)
		munmap(map, f->size);
	if (pm >= 0)
		close(pm);
	if (kf >= 0)
		close(kf);
	if (!ok)
		free(starts);
	return ok ? starts : NULL;
}

/* Folio boundaries inside (off, off+len), or -1 when unknown. */
static long folios_crossed(const struct bench_file *f, uint64_t off,
			   uint64_t len)
{
	uint64_t p, first = off / page_size(),
		    last = (off + len - 1) / page_size();
	long n = 0;

	if (!f->folio_start || !len)
		return f->folio_start ? 0 : -1;
	for (p = first + 1; p <= last; p++)
		n += f->folio_start[p];
	return n;
}

/* The offset of the @nth folio boundary after offset 0 (nominal if unknown). */
static uint64_t folio_boundary(const struct bench_file *f, int nth)
{
	uint64_t p, n = f->size / page_size();

	if (!f->folio_start)
		return nth * f->nominal_folio;
	for (p = 1; p < n; p++)
		if (f->folio_start[p] && !--nth)
			return p * page_size();
	return 0;
}

/* The folio sizes of the file, as {"bytes": count, ...}. */
static void json_folio_sizes(const struct bench_file *f)
{
	uint64_t n = f->size / page_size(), p, q;
	uint64_t sizes[24] = {}, counts[24] = {};
	int k, used = 0;

	if (!f->folio_start) {
		fprintf(rec, "null");
		return;
	}
	for (p = 0; p < n; p = q) {
		for (q = p + 1; q < n && !f->folio_start[q]; q++)
			;
		for (k = 0; k < used && sizes[k] != (q - p) * page_size(); k++)
			;
		if (k == used && used < 24)
			sizes[used++] = (q - p) * page_size();
		if (k < used)
			counts[k]++;
	}
	fputc('{', rec);
	for (k = 0; k < used; k++)
		fprintf(rec, "%s\"%llu\": %llu", k ? ", " : "",
			(unsigned long long)sizes[k],
			(unsigned long long)counts[k]);
	fputc('}', rec);
}

/* --- the methods ------------------------------------------------------ */

static uint8_t *dst; /* user space's destination, BENCH_BUF bytes */
static uint8_t *expect; /* the pattern bytes a read must return */
static uint8_t *file_map; /* mmap_memcpy's mapping of the current file */

/*
 * One trigger of the BPF program. Returns the nanoseconds per operation it
 * timed, or -1 with @why filled in.
 */
static double bpf_once(const struct cell *c, int fd, char *why, size_t why_sz)
{
	struct bench_out *o = &skel->bss->out;
	__u32 runs = o->runs;
	int err;

	memset(o, 0, sizeof(*o));
	o->runs = runs;
	skel->bss->params.iters = c->iters;
	skel->bss->params.off = c->off;
	skel->bss->params.len = c->len;
	err = trigger_file_ioctl(fd);
	if (err) {
		snprintf(why, why_sz, "the trigger ioctl failed: %s",
			 strerror(-err));
		return -1;
	}
	if (o->runs != runs + 1) {
		snprintf(why, why_sz, "the program ran %u times, not once",
			 o->runs - runs);
		return -1;
	}
	if (o->create_err || o->err || o->done != c->iters) {
		snprintf(
			why, why_sz,
			"from_file %d, first error %d, %u of %u operations succeeded",
			o->create_err, o->err, o->done, c->iters);
		return -1;
	}
	return (double)o->ns / c->iters;
}

static double pread_once(const struct bench_file *f, const struct cell *c,
			 char *why, size_t why_sz)
{
	double t0 = now_ns();
	unsigned int i;

	for (i = 0; i < c->iters; i++) {
		ssize_t got = pread(f->fd, dst, c->len, c->off);

		if (got != (ssize_t)c->len) {
			snprintf(why, why_sz, "pread returned %zd (%s)", got,
				 got < 0 ? strerror(errno) : "short");
			return -1;
		}
	}
	return (now_ns() - t0) / c->iters;
}

static double mmap_once(const struct bench_file *f, const struct cell *c,
			char *why, size_t why_sz)
{
	unsigned int i;
	double t0;

	if (!file_map) {
		file_map = mmap(NULL, f->size, PROT_READ, MAP_SHARED, f->fd, 0);
		if (file_map == MAP_FAILED) {
			file_map = NULL;
			snprintf(why, why_sz, "mmap: %s", strerror(errno));
			return -1;
		}
	}
	t0 = now_ns();
	for (i = 0; i < c->iters; i++) {
		memcpy(dst, file_map + c->off, c->len);
		/* The copy is the measurement: keep it. */
		asm volatile("" : : "r"(dst) : "memory");
	}
	return (now_ns() - t0) / c->iters;
}

static void drop_map(const struct bench_file *f)
{
	if (file_map)
		munmap(file_map, f->size);
	file_map = NULL;
}

/*
 * Looks @name up in the first SHT_SYMTAB of @fd with libelf, as a user-space
 * tool would; with @name NULL, picks the last named symbol (a lookup walks
 * the whole table) instead. 0, or -1 when the file has no such table.
 */
static int libelf_lookup(int fd, const char *name, struct elf_target *t)
{
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	GElf_Sym sym;
	long i, n;
	int ret = -1;

	if (!e)
		return -1;
	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			break;
	data = scn ? elf_getdata(scn, NULL) : NULL;
	n = data && sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
	t->n_syms = n;
	for (i = 0; i < n && gelf_getsym(data, i, &sym); i++) {
		const char *s = sym.st_name ?
					elf_strptr(e, sh.sh_link, sym.st_name) :
					NULL;

		if (!s || !*s || strlen(s) >= sizeof(t->name))
			continue;
		if (!name) {
			snprintf(t->name, sizeof(t->name), "%s", s);
			ret = 0;
		} else if (!strcmp(s, name)) {
			t->index = i;
			t->value = sym.st_value;
			ret = 0;
			break;
		}
	}
	elf_end(e);
	return ret;
}

static double libelf_once(int fd, const struct cell *c,
			  const struct elf_target *want, char *why,
			  size_t why_sz)
{
	struct elf_target got = {};
	double t0 = now_ns();
	unsigned int i;

	for (i = 0; i < c->iters; i++) {
		if (libelf_lookup(fd, want->name, &got) ||
		    got.index != want->index) {
			snprintf(why, why_sz, "libelf found %s at %ld, not %ld",
				 want->name, got.index, want->index);
			return -1;
		}
	}
	return (now_ns() - t0) / c->iters;
}

enum kind { K_BPF_NS, K_BPF_S, K_PREAD, K_MMAP, K_LIBELF };

static enum kind method_kind(const char *method)
{
	if (!strncmp(method, "pread", 5))
		return K_PREAD;
	if (!strncmp(method, "mmap", 4))
		return K_MMAP;
	if (!strcmp(method, "elf_libelf"))
		return K_LIBELF;
	return strstr(method, "_ns") ? K_BPF_NS : K_BPF_S;
}

static const struct elf_target *elf_want; /* what libelf found */

/*
 * What the cell's last repetition left, against the truth: the bytes of a
 * read (the file's pattern), the symbol an ELF lookup found (libelf's).
 * NULL when they agree, else why not; @verified says what was compared.
 */
static const char *check_result(const struct cell *c, enum kind k, uint32_t op,
				const char **verified)
{
	const uint8_t *got = k == K_PREAD || k == K_MMAP ? dst : skel->bss->buf;
	const struct bench_out *o = &skel->bss->out;
	static char why[160];
	uint64_t i;

	*verified = "codes only";
	if (k == K_LIBELF) {
		/* libelf_once() compared every lookup's with libelf's first. */
		*verified = "symbol index and value";
		return NULL;
	}
	if (op == BENCH_ELF) {
		*verified = "symbol index and value";
		if (o->sym_index == elf_want->index &&
		    o->sym_value == elf_want->value)
			return NULL;
		snprintf(
			why, sizeof(why),
			"found %s at index %lld value %#llx, libelf at %ld value %#llx",
			elf_want->name, (long long)o->sym_index,
			(unsigned long long)o->sym_value, elf_want->index,
			(unsigned long long)elf_want->value);
		return why;
	}
	if (op != BENCH_READ && op != BENCH_SLICE)
		return NULL;
	if (op == BENCH_SLICE && !o->slice_copied) {
		*verified =
			"not compared: the slice did not point into the buffer";
		return NULL;
	}
	*verified = "bytes equal the file's";
	pattern_fill(expect, c->off, c->len);
	for (i = 0; i < c->len; i++) {
		if (got[i] != expect[i]) {
			snprintf(
				why, sizeof(why),
				"byte %llu of the read is %#x, the file holds %#x",
				(unsigned long long)i, got[i], expect[i]);
			return why;
		}
	}
	return NULL;
}

/* Brings the page cache to the state the cell needs, and proves it. */
static bool prepare(const struct bench_file *f, const struct cell *c, char *why,
		    size_t why_sz)
{
	if (c->cold)
		drop_map(f);
	if (c->cold ? make_evicted(f) : make_resident(f, c->off, c->len))
		return true;
	if (c->cold)
		snprintf(why, why_sz,
			 "%ld pages stay resident after POSIX_FADV_DONTNEED",
			 resident_pages(f->fd, 0, f->size));
	else
		snprintf(why, why_sz, "only %ld of %llu pages resident",
			 resident_pages(f->fd, c->off, c->len),
			 (unsigned long long)pages_of(c->off, c->len));
	return false;
}

/* Warm-up, then the repetitions: the samples go to the record. */
static void measure(const struct bench_file *f, const struct cell *c,
		    uint32_t op)
{
	int reps = c->cold ? opt.cold_reps : opt.reps, r, nr = 0;
	enum kind k = method_kind(c->method);
	const char *verified = NULL, *wrong = NULL;
	double samples[64], ns = -1;
	char why[256] = "";

	skel->bss->params.op = op;
	if (k == K_BPF_NS || k == K_BPF_S)
		skel->bss->trigger_ctx = k == K_BPF_S ?
						 TRIGGER_CTX_SLEEPABLE :
						 TRIGGER_CTX_NONSLEEPABLE;
	for (r = -opt.warmup; r < reps && r < 64; r++) {
		if ((c->len || c->cold) && !prepare(f, c, why, sizeof(why))) {
			ns = -1; /* a state not reached fails the cell */
			break;
		}
		if (k == K_PREAD)
			ns = pread_once(f, c, why, sizeof(why));
		else if (k == K_MMAP)
			ns = mmap_once(f, c, why, sizeof(why));
		else if (k == K_LIBELF)
			ns = libelf_once(f->fd, c, elf_want, why, sizeof(why));
		else
			ns = bpf_once(c, f->fd, why, sizeof(why));
		if (ns < 0)
			break;
		if (r >= 0)
			samples[nr++] = ns;
	}
	if (ns >= 0)
		wrong = check_result(c, k, op, &verified);
	if (ns < 0 || wrong) {
		cell_failed(f, c, "%s", ns < 0 ? why : wrong);
		return;
	}
	json_cell(f, c);
	fprintf(rec,
		", \"off\": %llu, \"len\": %llu, \"folios_crossed\": %ld, \"iters\": %u, \"cold\": %s, \"verified\": ",
		(unsigned long long)c->off, (unsigned long long)c->len,
		c->cold ? -1 : folios_crossed(f, c->off, c->len), c->iters,
		c->cold ? "true" : "false");
	json_str("", verified);
	fprintf(rec, ", \"ns_per_op\": [");
	for (r = 0; r < nr; r++)
		fprintf(rec, "%s%.1f", r ? ", " : "", samples[r]);
	fprintf(rec, "]}");
	if (opt.verbose)
		progress("%s %s %s: %.0f ns/op (last)", f->fs, c->method,
			 c->row, ns);
}

/* --- what is measured ---------------------------------------------- */

static unsigned int iters_for(uint64_t len)
{
	uint64_t budget = opt.quick ? 512 * 1024 : 4 * MIB;
	unsigned int max = opt.quick ? 256 : 2048;
	uint64_t n = budget / (len > 256 ? len : 256);

	return n < 4 ? 4 : n > max ? max : n;
}

#define MAX_ROWS 32
static char row_names[MAX_ROWS][24];

/*
 * The (offset, length) rows of a file: powers of two from offset 0, then
 * reads across the file's first folio boundaries as the folio map found
 * them: x1 crosses one, x2 two, xN runs 1 MiB from the first.
 */
static int file_rows(struct bench_file *f, struct cell *rows)
{
	/* The quick mode's powers of two: 1 B, 64 B, 4 KiB, 64 KiB, 1 MiB. */
	static const unsigned int quick_sizes = 1u << 0 | 1u << 6 | 1u << 12 |
						1u << 16 | 1u << 20;
	uint64_t b1 = folio_boundary(f, 1), b2 = folio_boundary(f, 2);
	int n = 0, k;

	for (k = 0; k <= 20; k++) {
		if (opt.quick && !(quick_sizes & 1u << k))
			continue;
		snprintf(row_names[n], sizeof(row_names[n]), "%lu", 1ul << k);
		rows[n] = (struct cell){ .row = row_names[n], .len = 1ul << k };
		n++;
	}
	if (b1 < 8)
		return n;
	rows[n++] = (struct cell){ .row = "x1", .off = b1 - 8, .len = 16 };
	if (!opt.quick && b2 > b1 && b2 - b1 + 16 > BENCH_BUF)
		f->note =
			"no x2 row: crossing two of its folios takes a read longer than 1 MiB";
	if (!opt.quick && b2 > b1 && b2 - b1 + 16 <= BENCH_BUF)
		rows[n++] = (struct cell){ .row = "x2",
					   .off = b1 - 8,
					   .len = b2 - b1 + 16 };
	if (b1 - 8 + BENCH_BUF <= f->size)
		rows[n++] = (struct cell){ .row = "xN",
					   .off = b1 - 8,
					   .len = BENCH_BUF };
	return n;
}

/* One method over every row (slices: the rows of a power-of-two length). */
static void method_rows(struct bench_file *f, const char *method, uint32_t op,
			bool cold)
{
	struct cell rows[MAX_ROWS];
	int n = file_rows(f, rows), i;
	double t0 = now_ns();

	for (i = 0; i < n; i++) {
		/* A slice's length is a power of two (rows are not empty). */
		if (op == BENCH_SLICE && (rows[i].len & (rows[i].len - 1)))
			continue;
		rows[i].method = method;
		rows[i].cold = cold;
		rows[i].iters = cold ? 1 : iters_for(rows[i].len);
		skel->bss->params.slice_log2 = __builtin_ctzll(rows[i].len);
		measure(f, &rows[i], op);
	}
	progress("%s: %s, %d rows in %.1f s", f->fs, method, n,
		 (now_ns() - t0) / 1e9);
}

static void fixed_cost(const struct bench_file *f, const char *method,
		       uint32_t op)
{
	struct cell c = { .method = method,
			  .row = op == BENCH_NOP ? "loop" : "create",
			  .iters = opt.quick ? 256 : 2048 };

	measure(f, &c, op);
}

static void measure_file(struct bench_file *f)
{
	progress("%s: %s, %llu MiB, folio map %s", f->fs, f->path,
		 (unsigned long long)(f->size / MIB),
		 f->folio_start ? "from kpageflags" :
				  "unknown (nominal sizes)");
	method_rows(f, "dynptr_read_ns", BENCH_READ, false);
	method_rows(f, "dynptr_read_s", BENCH_READ, false);
	method_rows(f, "dynptr_slice_ns", BENCH_SLICE, false);
	method_rows(f, "pread", BENCH_READ, false);
	method_rows(f, "mmap_memcpy", BENCH_READ, false);
	drop_map(f);
	if (f->folio_start) {
		uint8_t *again = folio_starts(f);

		f->folios_changed = !again || memcmp(again, f->folio_start,
						     f->size / page_size());
		free(again);
	}
	fixed_cost(f, "create_discard_ns", BENCH_CREATE);
	fixed_cost(f, "create_discard_s", BENCH_CREATE);
	fixed_cost(f, "bpf_loop_ns", BENCH_NOP);
	if (!f->evicts)
		return;
	method_rows(f, "dynptr_read_s_cold", BENCH_READ, true);
	method_rows(f, "pread_cold", BENCH_READ, true);
	method_rows(f, "mmap_memcpy_cold", BENCH_READ, true);
	drop_map(f);
}

/* --- the ELF lookup: the spec's motivating use ------------------------- */

static void measure_elf(struct bench_file *f)
{
	static struct elf_target t;
	struct cell c = { .row = "elf", .iters = opt.quick ? 4 : 16 };
	double t0 = now_ns();

	c.len = f->size;
	if (libelf_lookup(f->fd, NULL, &t) ||
	    libelf_lookup(f->fd, t.name, &t)) {
		c.method = "elf_libelf";
		cell_failed(f, &c, "%s has no named symbol in a .symtab",
			    f->path);
		return;
	}
	memset(&skel->bss->params.name, 0, sizeof(skel->bss->params.name));
	memcpy(skel->bss->params.name, t.name, strlen(t.name));
	skel->bss->params.name_len = strlen(t.name);
	elf_want = &t;
	c.method = "elf_dynptr_ns";
	measure(f, &c, BENCH_ELF);
	c.method = "elf_dynptr_s";
	measure(f, &c, BENCH_ELF);
	c.method = "elf_libelf";
	measure(f, &c, BENCH_ELF);
	progress("%s: ELF lookup of %s (symbol %ld of %ld) in %.1f s", f->fs,
		 t.name, t.index, t.n_syms, (now_ns() - t0) / 1e9);
}

/* What the ELF lookup looked for, after the cells. */
static void json_elf(void)
{
	if (!elf_want)
		return;
	fprintf(rec, ",\n  \"elf\": {\"symbols\": %ld, \"symbol\": ",
		elf_want->n_syms);
	json_str("", elf_want->name);
	fprintf(rec, ", \"index\": %ld}", elf_want->index);
}

/* --- files ------------------------------------------------------------ */

#define MAX_FILES 3
static struct bench_file files[MAX_FILES];
static int n_files;

static const char *fs_name(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf))
		return "unknown";
	return sf.f_type == 0xef53     ? "ext4" :
	       sf.f_type == 0x01021994 ? "tmpfs" :
	       sf.f_type == 0x9123683e ? "btrfs" :
	       sf.f_type == 0x58465342 ? "xfs" :
					 "other";
}

/* A pattern file of @size bytes in @dir, resident, its folios mapped. */
static struct bench_file *new_file(const char *fs, const char *dir,
				   const char *name, uint64_t size,
				   uint64_t nominal_folio)
{
	struct bench_file *f = &files[n_files];
	struct extent all = { 0, size };

	f->fs = fs;
	f->size = size;
	f->nominal_folio = nominal_folio;
	f->fd = make_sparse_pattern_file_in(dir, name, size, &all, 1, f->path,
					    sizeof(f->path));
	if (f->fd < 0) {
		fprintf(stderr, "bench: cannot create %s/%s: %s\n", dir, name,
			strerror(-f->fd));
		return NULL;
	}
	n_files++;
	f->evicts = evict_proven(f->fd, 0, size) == 0;
	if (!make_resident(f, 0, size)) {
		fprintf(stderr, "bench: %s does not become resident\n",
			f->path);
		return NULL;
	}
	f->folio_start = folio_starts(f);
	return f;
}

/* A copy of this program's own executable, for the ELF lookup. */
static struct bench_file *elf_file(const char *dir)
{
	struct bench_file *f = &files[n_files++]; /* cleanup() removes it */
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	char chunk[1 << 16];
	ssize_t n = 0;

	f->fs = fs_name(dir);
	snprintf(f->path, sizeof(f->path), "%s/bench_kfunc_elf.%d", dir,
		 getpid());
	f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (in >= 0 && f->fd >= 0)
		while ((n = read(in, chunk, sizeof(chunk))) > 0)
			if (write(f->fd, chunk, n) != n)
				n = -1;
	if (in >= 0)
		close(in);
	if (f->fd < 0 || n < 0 || fsync(f->fd)) {
		fprintf(stderr, "bench: cannot copy /proc/self/exe to %s\n",
			f->path);
		return NULL;
	}
	f->size = lseek(f->fd, 0, SEEK_END);
	return make_resident(f, 0, f->size) ? f : NULL;
}

static void json_files(void)
{
	int i;

	fprintf(rec, ",\n  \"files\": [");
	for (i = 0; i < n_files; i++) {
		struct bench_file *f = &files[i];

		fputs(i ? "," : "", rec);
		json_str("\n    {\"fs\": ", f->fs);
		json_str(", \"path\": ", f->path);
		fprintf(rec,
			", \"size\": %llu, \"nominal_folio\": %llu, \"evicts\": %s, \"folio_sizes\": ",
			(unsigned long long)f->size,
			(unsigned long long)f->nominal_folio,
			f->evicts ? "true" : "false");
		json_folio_sizes(f);
		fprintf(rec, ", \"folios_changed\": %s, \"note\": ",
			f->folios_changed ? "true" : "false");
		json_str("", f->note ? f->note : "");
		fputc('}', rec);
	}
	fprintf(rec, "]");
}

static char tmpfs_dir[256];
static char tmp_path[600]; /* the record until it is complete */

static void cleanup(void)
{
	int i;

	if (rec) {
		fclose(rec);
		rec = NULL;
		unlink(tmp_path);
	}
	for (i = 0; i < n_files; i++) {
		if (files[i].fd >= 0)
			close(files[i].fd);
		unlink(files[i].path);
		free(files[i].folio_start);
	}
	n_files = 0;
	tmpfs_unmount(tmpfs_dir);
	bench_kfunc__destroy(skel);
	skel = NULL;
}

/* --- the run ------------------------------------------------------------ */

static const char usage_text[] =
	"Usage: bench_kfunc [-q] [-n REPS] [-w WARMUP] [-c REPS] [-f FS] [-J FILE] [-v]\n"
	"                   [-l]\n"
	"\n"
	"Measures bpf_dynptr_read() and bpf_dynptr_slice() through a file dynptr\n"
	"(non-sleepable and sleepable, resident and evicted pages),\n"
	"bpf_dynptr_from_file() + bpf_dynptr_file_discard(), and an ELF symbol\n"
	"lookup, beside pread(), mmap() + memcpy() and libelf on the same file,\n"
	"on the scratch directory ($SCRATCH_DIR, else /var/tmp) and on a tmpfs\n"
	"with PMD-sized folios. Needs root, a 6.19+ kernel and the BPF LSM.\n"
	"\n"
	"  -q          quick: 1 B, 64 B, 4 KiB, 64 KiB, 1 MiB and two folio\n"
	"              crossings, 3 repetitions (make check)\n"
	"  -n REPS     repetitions per measurement (default 11, quick 3)\n"
	"  -w WARMUP   repetitions run first and not kept (default 2, quick 1)\n"
	"  -c REPS     repetitions of an evicted-page measurement (default 7,\n"
	"              quick 2)\n"
	"  -f FS       only the scratch directory's (ext4) or the tmpfs file\n"
	"  -J FILE     the raw samples as JSON (default bench_kfunc.json);\n"
	"              bench/bench_kfunc.py makes the tables and plots from it\n"
	"  -v          a line per measurement\n"
	"  -l          check the options and exit (vmtest asks this)\n"
	"\n"
	"Exit: 0 measured, 1 a check failed (bytes, codes or page-cache state),\n"
	"2 usage, 3 cannot measure here (not root, no kfunc, no BPF LSM).\n";

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_kfunc: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see -h)\n");
	return EXIT_USAGE;
}

/* -n, -w or -c: an integer in @lo .. @hi. 0, else an exit code. */
static int count_arg(int ch, const char *arg, int lo, int hi, int *val)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v < lo || v > hi)
		return usage_error("-%c takes %d .. %d, not %s", ch, lo, hi,
				   arg);
	*val = v;
	return 0;
}

/* A count not given takes its default, or under -q its quick default. */
static void count_default(int *val, int dflt, int quick)
{
	if (*val < 0)
		*val = opt.quick ? quick : dflt;
}

#define OPT_GUEST_FILES 256 /* getopt_long's value for --guest-files */

/* 0 to run, -1 to exit 0 (-h, -l, --guest-files), else an exit code. */
static int parse_args(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "guest-files", no_argument, NULL, OPT_GUEST_FILES },
		{},
	};
	int ch, rc = 0;

	opt.reps = opt.warmup = opt.cold_reps = -1;
	opterr = 0; /* the errors are said below, once */
	while (!rc && (ch = getopt_long(argc, argv, "qn:w:c:f:J:vlj:X:h", longs,
					NULL)) != -1) {
		switch (ch) {
		case 'q':
			opt.quick = true;
			break;
		case 'n':
			rc = count_arg(ch, optarg, 1, 60, &opt.reps);
			break;
		case 'w':
			rc = count_arg(ch, optarg, 0, 3, &opt.warmup);
			break;
		case 'c':
			rc = count_arg(ch, optarg, 1, 60, &opt.cold_reps);
			break;
		case 'f':
			if (strcmp(optarg, "ext4") && strcmp(optarg, "tmpfs"))
				rc = usage_error(
					"-f takes ext4 or tmpfs, not %s",
					optarg);
			opt.fs_filter = optarg;
			break;
		case 'J':
			opt.json_path = optarg;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'l':
			opt.check_only = true;
			break;
		case 'j': /* vmtest's CPU count: measurements run one at a time */
			break;
		case 'X':
			rc = usage_error(
				"-X %s: a benchmark has no known deviations (vmtest -X none)",
				optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case OPT_GUEST_FILES: /* the files the guest needs: none */
			return -1;
		default:
			if (optopt && optopt != OPT_GUEST_FILES)
				rc = usage_error(
					"-%c: unknown option, or it needs an argument",
					optopt);
			else
				rc = usage_error("%s: unknown option",
						 argv[optind - 1]);
		}
	}
	if (!rc && optind < argc)
		rc = usage_error("unexpected argument %s", argv[optind]);
	count_default(&opt.reps, 11, 3);
	count_default(&opt.warmup, 2, 1);
	count_default(&opt.cold_reps, 7, 2);
	return rc ?: opt.check_only ? -1 : 0;
}

/* What cannot be measured here, or NULL. */
static const char *cannot_measure(void)
{
	static char why[256];
	struct btf *btf;
	char lsm[256] = "";
	bool kfunc;
	FILE *f;

	if (geteuid())
		return "it needs root (BPF programs, mounts, /proc/kpageflags)";
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return "the kernel's BTF (/sys/kernel/btf/vmlinux) cannot be read";
	kfunc = btf__find_by_name_kind(btf, "bpf_dynptr_from_file",
				       BTF_KIND_FUNC) >= 0;
	btf__free(btf);
	if (!kfunc)
		return "the kernel has no bpf_dynptr_from_file (added in 6.19)";
	f = fopen("/sys/kernel/security/lsm", "re");
	if (f) {
		if (!fgets(lsm, sizeof(lsm), f))
			lsm[0] = 0;
		fclose(f);
	}
	if (!strstr(lsm, "bpf")) {
		snprintf(
			why, sizeof(why),
			"the BPF LSM is not active (lsm: %s): its programs are the trigger",
			lsm[0] ? lsm : "unknown");
		return why;
	}
	return NULL;
}

/* The value of "key" in /proc/cmdline or /proc/cpuinfo lines. */
static bool file_value(const char *path, const char *key, char sep, char *val,
		       size_t sz)
{
	char line[512], *p;
	size_t n = strlen(key);
	FILE *f = fopen(path, "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		for (p = line; (p = strstr(p, key)); p += n) {
			char *v = p + n;

			if (p != line && p[-1] != ' ')
				continue;
			while (*v == ' ' || *v == '\t')
				v++;
			if (*v++ != sep)
				continue;
			while (*v == ' ')
				v++;
			snprintf(val, sz, "%.*s", (int)strcspn(v, " \n"), v);
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

static void json_header(void)
{
	char accel[32] = "none (native run)", mhz[32] = "", model[128] = "";
	struct utsname u;

	uname(&u);
	file_value("/proc/cmdline", "vmtest.accel", '=', accel, sizeof(accel));
	file_value("/proc/cpuinfo", "cpu MHz", ':', mhz, sizeof(mhz));
	file_value("/proc/cpuinfo", "model name", ':', model, sizeof(model));
	json_str("{\n  \"schema\": \"bench_kfunc/1\",\n  \"kernel\": ",
		 u.release);
	json_str(",\n  \"machine\": ", u.machine);
	json_str(",\n  \"accel\": ", accel);
	json_str(",\n  \"cpu_mhz\": ", mhz[0] ? mhz : "not reported");
	json_str(",\n  \"cpu_model\": ", model[0] ? model : "not reported");
	fprintf(rec,
		",\n  \"page_size\": %ld, \"huge_folio_size\": %ld, \"mode\": \"%s\", \"reps\": %d, \"warmup\": %d, \"cold_reps\": %d,\n  \"cells\": [",
		page_size(), huge_folio_size(), opt.quick ? "quick" : "full",
		opt.reps, opt.warmup, opt.cold_reps);
}

static int setup(void)
{
	skel = bench_kfunc__open_and_load();
	if (!skel) {
		fprintf(stderr, "bench: cannot load the BPF programs: %s\n",
			strerror(errno));
		return EXIT_SETUP;
	}
	skel->bss->target_tgid = getpid();
	if (bench_kfunc__attach(skel)) {
		fprintf(stderr, "bench: cannot attach the BPF programs: %s\n",
			strerror(errno));
		return EXIT_SETUP;
	}
	dst = malloc(BENCH_BUF);
	expect = malloc(BENCH_BUF);
	if (!dst || !expect)
		return EXIT_SETUP;
	return 0;
}

/* False when a file to measure could not be made. */
static bool run_files(void)
{
	const char *scratch = getenv("SCRATCH_DIR") ?: "/var/tmp";
	long huge = huge_folio_size();
	uint64_t size = 8 * MIB;
	struct bench_file *f;

	if (!opt.fs_filter || !strcmp(opt.fs_filter, "ext4")) {
		f = new_file(fs_name(scratch), scratch, "bench_kfunc", size,
			     page_size());
		if (!f)
			return false;
		measure_file(f);
		f = elf_file(scratch);
		if (!f)
			return false;
		measure_elf(f);
	}
	if (!opt.fs_filter || !strcmp(opt.fs_filter, "tmpfs")) {
		char opts[64];

		/* Two folios and 1 MiB past the first: xN fits. */
		if (huge && size < 2 * (uint64_t)huge + BENCH_BUF)
			size = 3 * (uint64_t)huge;
		snprintf(opts, sizeof(opts), "%ssize=%llum",
			 huge ? "huge=always," : "",
			 (unsigned long long)(size / MIB + 8));
		tmpfs_mount(tmpfs_dir, sizeof(tmpfs_dir), "bench_kfunc", opts);
		if (!tmpfs_dir[0]) {
			fprintf(stderr, "bench: cannot mount a tmpfs (%s)\n",
				opts);
			return false;
		}
		f = new_file(huge ? "tmpfs-huge" : "tmpfs", tmpfs_dir,
			     "bench_kfunc", size, huge ?: page_size());
		if (!f)
			return false;
		measure_file(f);
	}
	return true;
}

static void on_signal(int sig)
{
	/* exit() runs cleanup(): no file, mount or program is left. */
	exit(128 + sig);
}

int main(int argc, char **argv)
{
	const char *why;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = parse_args(argc, argv);
	if (rc)
		return rc < 0 ? 0 : rc;
	why = cannot_measure();
	if (why) {
		fprintf(stderr, "bench: cannot measure here: %s\n", why);
		return EXIT_SETUP;
	}
	elf_version(EV_CURRENT);
	run_start = now_ns();
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = setup();
	if (rc)
		return rc;
	snprintf(tmp_path, sizeof(tmp_path), "%s.part", opt.json_path);
	rec = fopen(tmp_path, "we");
	if (!rec) {
		fprintf(stderr, "bench: cannot write %s: %s\n", tmp_path,
			strerror(errno));
		return EXIT_SETUP;
	}
	json_header();
	progress(
		"%s mode: %d repetitions after %d warm-up, %d of evicted pages",
		opt.quick ? "quick" : "full", opt.reps, opt.warmup,
		opt.cold_reps);
	if (!run_files()) {
		fprintf(stderr, "bench: cannot make the files to measure\n");
		return EXIT_SETUP;
	}
	fprintf(rec, "\n  ]");
	json_elf();
	json_files();
	fprintf(rec, ",\n  \"failed\": %d,\n  \"seconds\": %.1f\n}\n", n_failed,
		(now_ns() - run_start) / 1e9);
	rc = fclose(rec);
	rec = NULL;
	if (rc || rename(tmp_path, opt.json_path)) {
		unlink(tmp_path);
		fprintf(stderr, "bench: cannot write %s\n", opt.json_path);
		return EXIT_SETUP;
	}
	progress("%d measurements, %d failed: samples in %s",
		 n_cells - n_failed, n_failed, opt.json_path);
	return n_failed ? EXIT_CHECK_FAILED : EXIT_MEASURED;
}
