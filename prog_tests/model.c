// SPDX-License-Identifier: GPL-2.0
/*
 * The model of a file dynptr (model.h). Each function is one operation of
 * the contract, written from SEMANTICS.md; the comments name the rule.
 */
#include <errno.h>
#include <string.h>
#include "model.h"
#include "test_progs.h"

#define U64_MAX (~0ull)
/* The largest file position: a loff_t, and a page index that fits. */
#define MAX_POS 0x7fffffffffffffffull

const char *const model_switch_names[NR_MODEL_SWITCHES] = {
	[SW_CLONE_ADJUST_MOVES_PARENT] = "clone_adjust_moves_parent",
	[SW_PARENT_ADJUST_MOVES_CLONE] = "parent_adjust_moves_clone",
	[SW_EOF_TAIL_READS_ZEROS] = "eof_tail_reads_zeros",
	[SW_ZERO_LEN_NEEDS_PAGE] = "zero_len_needs_page",
	[SW_TMPFS_NEGATIVE_POS_EFBIG] = "tmpfs_negative_pos_efbig",
};

unsigned int model_known_switches(void)
{
	unsigned int sw = 0;
	int i;

	for (i = 0; i < NR_MODEL_SWITCHES; i++)
		if (test__known_deviation(model_switch_names[i]))
			sw |= 1u << i;
	return sw;
}

static bool on(const struct model *m, enum model_switch sw)
{
	return m->switches & (1u << sw);
}

void model_init(struct model *m, const struct model_file *f, enum model_ctx ctx,
		unsigned int switches)
{
	memset(m, 0, sizeof(*m));
	m->file = f;
	m->ctx = ctx;
	m->switches = switches;
	m->d[0].null = m->d[1].null = true;
	m->d[0].moved_by = m->d[1].moved_by = MODEL_NO_DEVIATION;
}

static struct model_answer answer(__s64 ret, const char *rule)
{
	return (struct model_answer){ .ret = ret,
				      .rule = rule,
				      .deviation = MODEL_NO_DEVIATION };
}

/* An answer that depends on a window a switch moved carries the switch. */
static struct model_answer through(const struct model_dynptr *d,
				   struct model_answer a)
{
	if (d->moved_by != MODEL_NO_DEVIATION && a.deviation < 0) {
		a.deviation = d->moved_by;
		a.rule = d->moved_by == SW_CLONE_ADJUST_MOVES_PARENT ?
				 "R-CLONE-2" :
				 "R-CLONE-3";
	}
	return a;
}

struct model_answer model_create(struct model *m, __u32 flags)
{
	struct model_dynptr *d = &m->d[0];

	memset(d, 0, sizeof(*d));
	d->moved_by = MODEL_NO_DEVIATION;
	/* R-CREATE-1: any flag fails and leaves a null dynptr. */
	if (flags) {
		d->null = true;
		return answer(-EINVAL, "R-CREATE-1");
	}
	/* R-CREATE-2, R-CREATE-3: read-only, as big as a u64 allows. */
	d->rdonly = true;
	d->size = U64_MAX;
	return answer(0, "R-CREATE-2");
}

struct model_answer model_adjust(struct model *m, int which, __u64 start,
				 __u64 end)
{
	struct model_dynptr *d = &m->d[which], *other = &m->d[!which];
	enum model_switch sw = which ? SW_CLONE_ADJUST_MOVES_PARENT :
				       SW_PARENT_ADJUST_MOVES_CLONE;
	bool was_adjusted = d->adjusted;

	if (d->null)
		return answer(-EINVAL, "R-CREATE-1");
	/* R-ADJUST-1: refused, and nothing changes. */
	if (start > end)
		return answer(-EINVAL, "R-ADJUST-1");
	if (start > d->size || end > d->size)
		return through(d, answer(-ERANGE, "R-ADJUST-1"));
	/* R-ADJUST-2; R-ADJUST-4 when it narrows an earlier window. */
	d->start += start;
	d->size = end - start;
	d->adjusted = true;
	if (m->cloned && on(m, sw)) {
		/* The known deviation: both share one window. */
		other->start = d->start;
		other->size = d->size;
		other->adjusted = true;
		other->moved_by = sw;
	}
	return through(d,
		       answer(0, was_adjusted ? "R-ADJUST-4" : "R-ADJUST-2"));
}

struct model_answer model_clone(struct model *m)
{
	m->cloned = true;
	m->d[1] = m->d[0];
	/* R-CREATE-1: cloning a null dynptr fails and nulls the clone. */
	if (m->d[0].null)
		return answer(-EINVAL, "R-CREATE-1");
	return answer(0, "R-CLONE-1");
}

/* The sleepable reader: __kernel_read() of the whole range, or nothing. */
static struct model_answer read_sleepable(const struct model *m, __u64 pos,
					  __u64 len)
{
	struct model_answer a;

	if (pos > MAX_POS) {
		/* A negative loff_t: tmpfs says -EFBIG, even for 0 bytes. */
		if (m->file->tmpfs && on(m, SW_TMPFS_NEGATIVE_POS_EFBIG)) {
			a = answer(-EFBIG, len ? "R-EOF-2" : "R-ZERO-1");
			a.deviation = SW_TMPFS_NEGATIVE_POS_EFBIG;
			return a;
		}
		return len ? answer(-EINVAL, "R-EOF-2") : answer(0, "R-ZERO-1");
	}
	if (!len)
		return answer(0, "R-ZERO-1");
	/* R-EOF-2: fewer bytes than asked for is -EIO. */
	if (pos + len > m->file->size)
		return answer(-EIO, "R-EOF-2");
	a = answer(0, "R-READ-1");
	a.bytes = true;
	return a;
}

static bool page_resident(const struct model *m, __u64 pos)
{
	return pos <= MAX_POS &&
	       m->file->resident(m->file->arg, pos / m->file->page);
}

/* The non-sleepable reader: the page cache, or -EFAULT. */
static struct model_answer read_nonsleepable(const struct model *m, __u64 pos,
					     __u64 len)
{
	__u64 page = m->file->page, first, last, i;
	struct model_answer a;

	if (!len) {
		/* The known deviation: it looks up the page at pos anyway. */
		if (on(m, SW_ZERO_LEN_NEEDS_PAGE) && !page_resident(m, pos)) {
			a = answer(-EFAULT, "R-ZERO-1");
			a.deviation = SW_ZERO_LEN_NEEDS_PAGE;
			return a;
		}
		return answer(0, "R-ZERO-1");
	}
	/* R-FAULT-1: any byte in a page that is not resident; R-EOF-2. */
	first = pos / page;
	last = (pos + len - 1) / page;
	for (i = first; i <= last; i++) {
		if (i > MAX_POS / page || !page_resident(m, i * page))
			return answer(-EFAULT, i * page < m->file->size ?
						       "R-FAULT-1" :
						       "R-EOF-2");
	}
	a = answer(0, "R-READ-1");
	a.bytes = true;
	if (pos + len <= m->file->size)
		return a;
	/* Past EOF, in resident pages: the folio's zeroed tail. */
	if (!on(m, SW_EOF_TAIL_READS_ZEROS))
		return answer(-EFAULT, "R-EOF-2");
	a.rule = "R-EOF-2";
	a.deviation = SW_EOF_TAIL_READS_ZEROS;
	return a;
}

struct model_answer model_read(struct model *m, int which, __u64 off, __u64 len)
{
	const struct model_dynptr *d = &m->d[which];
	struct model_answer a;

	if (d->null)
		return answer(-EINVAL, "R-CREATE-1");
	/*
	 * R-READ-2, R-ADJUST-3: the range must lie in the window, checked
	 * before the file is touched.
	 */
	if (len > d->size || off > d->size - len)
		return through(d, answer(-E2BIG, d->adjusted ? "R-ADJUST-3" :
							       "R-READ-2"));
	if (m->ctx == MODEL_SLEEPABLE)
		a = read_sleepable(m, d->start + off, len);
	else
		a = read_nonsleepable(m, d->start + off, len);
	a.pos = d->start + off;
	a.len = len;
	/*
	 * R-ADJUST-3: offset 0 is the window's start; through a clone,
	 * R-CLONE-1: the same bytes as the parent's.
	 */
	if (!a.ret && a.deviation < 0 && len && d->adjusted)
		a.rule = "R-ADJUST-3";
	if (which && !a.ret && a.deviation < 0)
		a.rule = "R-CLONE-1";
	return through(d, a);
}

struct model_answer model_slice(struct model *m, int which, __u64 off,
				__u64 len, bool with_buffer)
{
	struct model_answer a;

	if (m->d[which].null)
		return answer(MODEL_SLICE_NULL, "R-CREATE-1");
	/* R-CREATE-4: a read-only dynptr has no memory to give. */
	if (!with_buffer)
		return answer(MODEL_SLICE_NULL, "R-CREATE-4");
	/* R-SLICE-1: what the read of the range does, into the buffer. */
	a = model_read(m, which, off, len);
	if (a.ret) {
		a.ret = MODEL_SLICE_NULL;
		return a;
	}
	a.ret = MODEL_SLICE_BUFFER;
	if (a.deviation < 0)
		a.rule = "R-SLICE-1";
	return a;
}

struct model_answer model_write(struct model *m, int which, __u64 off,
				__u64 len)
{
	(void)off;
	(void)len;
	/* R-CREATE-4: read-only, whatever the range. */
	return answer(-EINVAL, m->d[which].null ? "R-CREATE-1" : "R-CREATE-4");
}

struct model_answer model_data(struct model *m, int which, __u64 off, __u64 len)
{
	(void)off;
	(void)len;
	/* NULL: a read-only dynptr gives no writable memory (R-CREATE-4). */
	return answer(0, m->d[which].null ? "R-CREATE-1" : "R-CREATE-4");
}

struct model_answer model_size(struct model *m, int which)
{
	const struct model_dynptr *d = &m->d[which];

	if (d->null)
		return answer((__s64)-EINVAL, "R-CREATE-1");
	return through(d, answer((__s64)d->size,
				 d->adjusted ? "R-ADJUST-2" : "R-CREATE-3"));
}

struct model_answer model_is_null(struct model *m, int which)
{
	return m->d[which].null ? answer(1, "R-CREATE-1") :
				  answer(0, "R-CREATE-2");
}

struct model_answer model_is_rdonly(struct model *m, int which)
{
	return m->d[which].null ? answer(0, "R-CREATE-1") :
				  answer(1, "R-CREATE-2");
}

struct model_answer model_discard(struct model *m, int which)
{
	/* A clone shares its parent's state: either discard ends both. */
	m->d[0].null = m->d[1].null = true;
	(void)which;
	return answer(0, "R-EXAMPLE-5");
}

bool model_same(const struct model_answer *a, const struct model_answer *b)
{
	if (a->ret != b->ret || a->bytes != b->bytes)
		return false;
	return !a->bytes || (a->pos == b->pos && a->len == b->len);
}
