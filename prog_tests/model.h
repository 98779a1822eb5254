/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract of SEMANTICS.md as one executable model of a file dynptr:
 * its window (offset and size), its read-only bit, its null state, the
 * clone beside it, the file's size and page-cache state, and the context.
 * Every operation gives the exact return code the contract expects, the
 * rule that decides it and, for a read that succeeds, where the bytes come
 * from (compared with pread() by the caller, zeros past EOF).
 *
 * It is the oracle of the table-driven tests that have one (adjust,
 * read_grid) and of the random sequences of model_seq.
 *
 * Each tolerated kernel deviation the model can follow is a switch, turned
 * on by the known-deviations entry that names it ("model = NAME") for the
 * running kernel (model_known_switches()). An answer the switch changed
 * says so (.deviation), so a caller can tell "the kernel deviates as
 * listed" from "the kernel follows the contract".
 */
#ifndef __PROG_TESTS_MODEL_H
#define __PROG_TESTS_MODEL_H

#include <stdbool.h>
#include <linux/types.h>

/* The deviations the model knows, and their names in the ini file. */
enum model_switch {
	SW_CLONE_ADJUST_MOVES_PARENT, /* R-CLONE-2 */
	SW_PARENT_ADJUST_MOVES_CLONE, /* R-CLONE-3 */
	SW_EOF_TAIL_READS_ZEROS, /* R-EOF-2 */
	SW_ZERO_LEN_NEEDS_PAGE, /* R-ZERO-1 */
	SW_TMPFS_NEGATIVE_POS_EFBIG, /* R-ZERO-1, R-EOF-2 on tmpfs */
	NR_MODEL_SWITCHES,
};

#define MODEL_STRICT 0u /* no switch: the contract alone */
#define MODEL_NO_DEVIATION (-1)

extern const char *const model_switch_names[NR_MODEL_SWITCHES];

/* The switches the running kernel's known-deviations entries turn on. */
unsigned int model_known_switches(void);

enum model_ctx {
	MODEL_NONSLEEPABLE,
	MODEL_SLEEPABLE,
};

struct model_file {
	__u64 size; /* i_size at read time */
	bool tmpfs; /* shmem: its own answer for negative positions */
	long page; /* the running kernel's page size */
	/*
	 * Whether page @index is resident and uptodate (mincore()): all that
	 * decides a non-sleepable read, which brings nothing in.
	 */
	bool (*resident)(void *arg, __u64 index);
	void *arg;
};

struct model_dynptr {
	bool null;
	bool rdonly;
	bool adjusted; /* its window is not the whole [0, U64_MAX) */
	__u64 start, size;
	int moved_by; /* the switch that last moved this window, or -1 */
};

/* The dynptr [0] and its clone [1]. */
struct model {
	const struct model_file *file;
	enum model_ctx ctx;
	unsigned int switches; /* 1u << enum model_switch */
	struct model_dynptr d[2];
	bool cloned;
};

struct model_answer {
	__s64 ret;
	const char *rule; /* of SEMANTICS.md */
	int deviation; /* the switch that decided it, or MODEL_NO_DEVIATION */
	bool bytes; /* a successful read: its bytes are the file's at pos */
	__u64 pos, len;
};

/* What a slice returns, as model_seq records it. */
#define MODEL_SLICE_NULL 0
#define MODEL_SLICE_BUFFER 1 /* the buffer it was given */
#define MODEL_SLICE_OTHER 2 /* any other pointer */

void model_init(struct model *m, const struct model_file *f, enum model_ctx ctx,
		unsigned int switches);

struct model_answer model_create(struct model *m, __u32 flags);
struct model_answer model_adjust(struct model *m, int which, __u64 start,
				 __u64 end);
struct model_answer model_clone(struct model *m);
struct model_answer model_read(struct model *m, int which, __u64 off,
			       __u64 len);
struct model_answer model_slice(struct model *m, int which, __u64 off,
				__u64 len, bool with_buffer);
struct model_answer model_write(struct model *m, int which, __u64 off,
				__u64 len);
struct model_answer model_data(struct model *m, int which, __u64 off,
			       __u64 len);
struct model_answer model_size(struct model *m, int which);
struct model_answer model_is_null(struct model *m, int which);
struct model_answer model_is_rdonly(struct model *m, int which);
struct model_answer model_discard(struct model *m, int which);

/* Do two answers say the same (return code, bytes and their source)? */
bool model_same(const struct model_answer *a, const struct model_answer *b);

#endif /* __PROG_TESTS_MODEL_H */
