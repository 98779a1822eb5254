// SPDX-License-Identifier: GPL-2.0
/*
 * elf_parse: the spec's motivating use ("implement ELF symbol parsing
 * directly in eBPF"), checked against libelf. A sleepable lsm.s/file_ioctl
 * program parses the ELF file the test's ioctl names, through a file dynptr
 * (progs/elf_parse.c); user space parses the same file with libelf and
 * compares every field. Files: the runner itself (/proc/self/exe: static,
 * with .symtab and a build-id note), busybox (/bin/busybox: static and
 * stripped, so it has no symbol table) and /usr/bin/true (dynamic and
 * stripped: only .dynsym; vmtest puts the build host's copy in the guest,
 * as data, never run).
 *
 * Checks R-ELF-1..8 (SEMANTICS.md states them).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "harness.h"
#include "elf_parse.h"
#include "elf_parse.skel.h"

#define RUNNER_PATH "/proc/self/exe"
#define BUSYBOX_PATH "/bin/busybox"
#define DYNAMIC_PATH "/usr/bin/true"

_Static_assert(sizeof(struct ep_ehdr) == sizeof(Elf64_Ehdr), "ehdr layout");
_Static_assert(sizeof(struct ep_phdr) == sizeof(Elf64_Phdr), "phdr layout");
_Static_assert(sizeof(struct ep_shdr) == sizeof(Elf64_Shdr), "shdr layout");
_Static_assert(sizeof(struct ep_sym) == sizeof(Elf64_Sym), "sym layout");
_Static_assert(sizeof(struct ep_nhdr) == sizeof(Elf64_Nhdr), "nhdr layout");

static const char *const stage_names[] = {
	[EP_OK] = "none",
	[EP_EHDR_READ] = "ELF header slice",
	[EP_EHDR_BAD] = "ELF header check (not ELF64 LSB, or odd entry sizes)",
	[EP_PHDR_READ] = "program header read",
	[EP_SHDR_READ] = "section header slice",
	[EP_SHNAME_READ] = "section name read",
	[EP_NOTE_READ] = "note read",
	[EP_SYM_READ] = "symbol slice",
	[EP_SYMNAME_READ] = "symbol name read",
};

/* One file: its libelf handle and what the program made of it. */
struct target {
	const char *label; /* subtest prefix */
	const char *path;
	int fd;
	Elf *elf;
	const char *why_not; /* set when the file cannot be parsed */
	char why_buf[160];
	bool triggered; /* the trigger ioctl succeeded */
	__u32 runs;
	struct ep_result res;
};

/* Assertion names: "<ctx> <field>[i]". One buffer: one name per assert. */
static char name_buf[192];

static const char *N(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static const char *N(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name_buf, sizeof(name_buf), fmt, ap);
	va_end(ap);
	return name_buf;
}

static void reset_result(struct ep_result *r)
{
	/* Poison: what the program does not write cannot match libelf. */
	memset(r, 0xa5, sizeof(*r));
	r->create_err = RESULT_NOT_RUN;
	r->stage = EP_OK;
	r->stage_err = 0;
	r->stage_index = 0;
	r->bid_found = 0;
	r->notes_seen = 0;
	r->sym_found = 0;
	r->n_syms = 0;
}

/* Runs @prog once on @fd; the result and run count go to @t. */
static bool run_prog(struct elf_parse *skel, struct bpf_program *prog,
		     struct target *t, int fd)
{
	struct bpf_link *link;
	int err;

	reset_result(&skel->bss->res);
	skel->bss->runs = 0;
	skel->bss->target_tgid = getpid();
	link = bpf_program__attach(prog);
	if (!ASSERT_OK_PTR(link, N("attach %s", bpf_program__name(prog))))
		return false;
	err = trigger_file_ioctl(fd);
	bpf_link__destroy(link);
	t->triggered = ASSERT_OK(err, N("%s: trigger ioctl", t->label));
	t->runs = skel->bss->runs;
	t->res = skel->bss->res;
	return t->triggered;
}

/* R-ELF-1, checked at the head of every subtest: the program ran, whole. */
static bool check_ran(const struct target *t, const char *ctx)
{
	const struct ep_result *r = &t->res;

	TEST_RULE("R-ELF-1");
	if (!ASSERT_TRUE(t->triggered, N("%s: trigger ioctl", ctx)) ||
	    !ASSERT_EQ(t->runs, 1,
		       N("%s: program runs per trigger (did it run?)", ctx)) ||
	    !ASSERT_OK(r->create_err, N("%s: bpf_dynptr_from_file", ctx)))
		return false;
	if (r->stage != EP_OK)
		printf("%s: parse stopped at %s (index %u) with %d\n", ctx,
		       r->stage < N_ROWS(stage_names) ? stage_names[r->stage] :
							"?",
		       r->stage_index, r->stage_err);
	return ASSERT_EQ(r->stage, EP_OK,
			 N("%s: stage where the parse stopped (0: none)", ctx));
}

static void check_ehdr(const struct target *t, const struct ep_result *r,
		       const char *ctx)
{
	const struct ep_ehdr *e = &r->ehdr;
	size_t phnum, shnum, shstrndx;
	GElf_Ehdr g;

	TEST_RULE("R-ELF-2");
	if (!ASSERT_OK_PTR(gelf_getehdr(t->elf, &g), "gelf_getehdr"))
		return;
	ASSERT_MEMEQ(e->e_ident, g.e_ident, EI_NIDENT,
		     N("%s ehdr.e_ident", ctx));
	ASSERT_EQ(e->e_type, g.e_type, N("%s ehdr.e_type", ctx));
	ASSERT_EQ(e->e_machine, g.e_machine, N("%s ehdr.e_machine", ctx));
	ASSERT_EQ(e->e_version, g.e_version, N("%s ehdr.e_version", ctx));
	ASSERT_EQ(e->e_entry, g.e_entry, N("%s ehdr.e_entry", ctx));
	ASSERT_EQ(e->e_phoff, g.e_phoff, N("%s ehdr.e_phoff", ctx));
	ASSERT_EQ(e->e_shoff, g.e_shoff, N("%s ehdr.e_shoff", ctx));
	ASSERT_EQ(e->e_flags, g.e_flags, N("%s ehdr.e_flags", ctx));
	ASSERT_EQ(e->e_ehsize, g.e_ehsize, N("%s ehdr.e_ehsize", ctx));
	ASSERT_EQ(e->e_phentsize, g.e_phentsize, N("%s ehdr.e_phentsize", ctx));
	ASSERT_EQ(e->e_phnum, g.e_phnum, N("%s ehdr.e_phnum", ctx));
	ASSERT_EQ(e->e_shentsize, g.e_shentsize, N("%s ehdr.e_shentsize", ctx));
	ASSERT_EQ(e->e_shnum, g.e_shnum, N("%s ehdr.e_shnum", ctx));
	ASSERT_EQ(e->e_shstrndx, g.e_shstrndx, N("%s ehdr.e_shstrndx", ctx));
	/* No extended numbering in these files: the raw fields are the counts. */
	if (ASSERT_OK(elf_getphdrnum(t->elf, &phnum), "elf_getphdrnum"))
		ASSERT_EQ((size_t)e->e_phnum, phnum,
			  N("%s ehdr.e_phnum vs elf_getphdrnum", ctx));
	if (ASSERT_OK(elf_getshdrnum(t->elf, &shnum), "elf_getshdrnum"))
		ASSERT_EQ((size_t)e->e_shnum, shnum,
			  N("%s ehdr.e_shnum vs elf_getshdrnum", ctx));
	if (ASSERT_OK(elf_getshdrstrndx(t->elf, &shstrndx),
		      "elf_getshdrstrndx"))
		ASSERT_EQ((size_t)e->e_shstrndx, shstrndx,
			  N("%s ehdr.e_shstrndx vs elf_getshdrstrndx", ctx));
}

/* A field the program read, against libelf's copy @g of entry @idx. */
#define FIELD_EQ(tbl, got, f, idx) \
	ASSERT_EQ(got->f, g.f, N("%s " tbl "[%zu]." #f, ctx, idx))
#define PHDR_EQ(f) FIELD_EQ("phdr", p, f, i)
#define SHDR_EQ(f) FIELD_EQ("shdr", s, f, i)
#define SYM_EQ(f) FIELD_EQ("sym", s, f, want)

static void check_phdrs(const struct target *t, const struct ep_result *r,
			const char *ctx)
{
	size_t phnum, n, i;

	TEST_RULE("R-ELF-3");
	if (!ASSERT_OK(elf_getphdrnum(t->elf, &phnum), "elf_getphdrnum"))
		return;
	if (!phnum) {
		ASSERT_EQ(r->n_phdrs, 0, N("%s n_phdrs", ctx));
		test__skip("%s has no program headers", t->path);
		return;
	}
	n = phnum < EP_MAX_PHDRS ? phnum : EP_MAX_PHDRS;
	if (!ASSERT_EQ((size_t)r->n_phdrs, n,
		       N("%s n_phdrs = min(e_phnum, %d)", ctx, EP_MAX_PHDRS)))
		return;
	for (i = 0; i < n; i++) {
		const struct ep_phdr *p = &r->phdrs[i];
		GElf_Phdr g;

		if (!ASSERT_OK_PTR(gelf_getphdr(t->elf, i, &g),
				   N("gelf_getphdr(%zu)", i)))
			continue;
		PHDR_EQ(p_type);
		PHDR_EQ(p_flags);
		PHDR_EQ(p_offset);
		PHDR_EQ(p_vaddr);
		PHDR_EQ(p_paddr);
		PHDR_EQ(p_filesz);
		PHDR_EQ(p_memsz);
		PHDR_EQ(p_align);
	}
}

/*
 * A name the program read from string table @strndx: its length must be
 * min(EP_NAME_LEN, table size - @off), its bytes the table's, and, when it
 * ends within them, the string elf_strptr() returns.
 */
static void check_name(const struct target *t, size_t strndx, __u32 off,
		       const char *got, __u32 got_len, const char *what)
{
	Elf_Scn *scn = elf_getscn(t->elf, strndx);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	size_t want_len = 0;
	const char *s;

	if (!ASSERT_OK_PTR(d, N("%s: string table %zu data", what, strndx)))
		return;
	if (off < d->d_size)
		want_len = d->d_size - off < EP_NAME_LEN ? d->d_size - off :
							   EP_NAME_LEN;
	if (!ASSERT_EQ((size_t)got_len, want_len, N("%s bytes read", what)) ||
	    !want_len)
		return;
	ASSERT_MEMEQ(got, (const char *)d->d_buf + off, want_len,
		     N("%s bytes", what));
	s = elf_strptr(t->elf, strndx, off);
	if (ASSERT_OK_PTR(s, N("%s: elf_strptr", what)) &&
	    memchr(got, 0, got_len))
		ASSERT_STREQ(got, s, N("%s", what));
}

static void check_shdrs(const struct target *t, const struct ep_result *r,
			const char *ctx)
{
	size_t shnum, shstrndx, n, i;

	TEST_RULE("R-ELF-4");
	if (!ASSERT_OK(elf_getshdrnum(t->elf, &shnum), "elf_getshdrnum") ||
	    !ASSERT_OK(elf_getshdrstrndx(t->elf, &shstrndx),
		       "elf_getshdrstrndx"))
		return;
	if (!shnum) {
		ASSERT_EQ(r->n_shdrs, 0, N("%s n_shdrs", ctx));
		test__skip("%s has no section headers", t->path);
		return;
	}
	n = shnum < EP_MAX_SHDRS ? shnum : EP_MAX_SHDRS;
	if (!ASSERT_EQ((size_t)r->n_shdrs, n,
		       N("%s n_shdrs = min(e_shnum, %d)", ctx, EP_MAX_SHDRS)))
		return;
	for (i = 0; i < n; i++) {
		const struct ep_shdr *s = &r->shdrs[i];
		Elf_Scn *scn = elf_getscn(t->elf, i);
		GElf_Shdr g;

		if (!ASSERT_OK_PTR(scn ? gelf_getshdr(scn, &g) : NULL,
				   N("gelf_getshdr(%zu)", i)))
			continue;
		SHDR_EQ(sh_name);
		SHDR_EQ(sh_type);
		SHDR_EQ(sh_flags);
		SHDR_EQ(sh_addr);
		SHDR_EQ(sh_offset);
		SHDR_EQ(sh_size);
		SHDR_EQ(sh_link);
		SHDR_EQ(sh_info);
		SHDR_EQ(sh_addralign);
		SHDR_EQ(sh_entsize);
		{
			char what[96];

			snprintf(what, sizeof(what), "%s shdr[%zu] name", ctx,
				 i);
			check_name(t, shstrndx, g.sh_name, r->shname[i],
				   r->shname_len[i], what);
		}
	}
}

struct note_ref {
	bool found;
	size_t phdr; /* segment index (segment walk only) */
	unsigned int notes; /* notes walked up to and including it */
	GElf_Off desc_off; /* file offset of the descriptor */
	size_t len;
	const unsigned char *desc;
};

static bool is_gnu_build_id(const Elf_Data *d, const GElf_Nhdr *nh,
			    size_t name_off)
{
	return nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
	       !memcmp((const char *)d->d_buf + name_off, "GNU", 4);
}

/* libelf's walk of the PT_NOTE segments, as the program walks them. */
static struct note_ref build_id_by_segments(Elf *elf, size_t n_phdrs)
{
	struct note_ref ref = {};
	size_t i;

	for (i = 0; i < n_phdrs && !ref.found; i++) {
		size_t off = 0, next, name_off, desc_off;
		unsigned int j;
		GElf_Phdr ph;
		GElf_Nhdr nh;
		Elf_Data *d;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_NOTE)
			continue;
		d = elf_getdata_rawchunk(elf, ph.p_offset, ph.p_filesz,
					 ph.p_align == 8 ? ELF_T_NHDR8 :
							   ELF_T_NHDR);
		if (!d)
			continue;
		for (j = 0; j < EP_MAX_NOTES; j++) {
			next = gelf_getnote(d, off, &nh, &name_off, &desc_off);
			if (!next)
				break;
			ref.notes++;
			if (is_gnu_build_id(d, &nh, name_off)) {
				ref.found = true;
				ref.phdr = i;
				ref.desc_off = ph.p_offset + desc_off;
				ref.len = nh.n_descsz;
				ref.desc = (const unsigned char *)d->d_buf +
					   desc_off;
				break;
			}
			off = next;
		}
	}
	return ref;
}

/* libelf's look at the .note.gnu.build-id section. */
static struct note_ref build_id_by_section(Elf *elf)
{
	struct note_ref ref = {};
	size_t shstrndx, name_off, desc_off;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Nhdr nh;
	const char *name;
	Elf_Data *d;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return ref;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".note.gnu.build-id"))
			continue;
		d = elf_getdata(scn, NULL);
		if (d && gelf_getnote(d, 0, &nh, &name_off, &desc_off) &&
		    is_gnu_build_id(d, &nh, name_off)) {
			ref.found = true;
			ref.desc_off = sh.sh_offset + desc_off;
			ref.len = nh.n_descsz;
			ref.desc = (const unsigned char *)d->d_buf + desc_off;
		}
		break;
	}
	return ref;
}

static void check_build_id(const struct target *t, const struct ep_result *r,
			   const char *ctx)
{
	struct note_ref seg, sec;
	size_t phnum, copied;

	TEST_RULE("R-ELF-5");
	if (!ASSERT_OK(elf_getphdrnum(t->elf, &phnum), "elf_getphdrnum"))
		return;
	seg = build_id_by_segments(t->elf,
				   phnum < EP_MAX_PHDRS ? phnum : EP_MAX_PHDRS);
	sec = build_id_by_section(t->elf);
	if (!seg.found) {
		ASSERT_EQ(r->bid_found, 0,
			  N("%s bid_found (libelf finds no build-id note)",
			    ctx));
		test__skip(
			"%s has no NT_GNU_BUILD_ID note in its first %d program headers%s",
			t->path, EP_MAX_PHDRS,
			sec.found ?
				" (only in a section, which the program does not walk)" :
				"");
		return;
	}
	if (!ASSERT_EQ(r->bid_found, 1, N("%s bid_found", ctx)))
		return;
	ASSERT_EQ((size_t)r->bid_phdr, seg.phdr,
		  N("%s build-id PT_NOTE phdr index", ctx));
	ASSERT_EQ(r->notes_seen, seg.notes,
		  N("%s notes walked up to the build-id", ctx));
	ASSERT_EQ(r->bid_desc_off, seg.desc_off,
		  N("%s build-id descriptor file offset", ctx));
	ASSERT_EQ((size_t)r->bid_len, seg.len, N("%s build-id n_descsz", ctx));
	copied = seg.len < EP_BID_MAX ? seg.len : EP_BID_MAX;
	if (ASSERT_EQ((size_t)r->bid_copied, copied,
		      N("%s build-id bytes copied", ctx)))
		ASSERT_MEMEQ(r->bid, seg.desc, copied,
			     N("%s build-id bytes (segment walk)", ctx));
	if (ASSERT_TRUE(sec.found,
			N("%s: libelf finds .note.gnu.build-id too", ctx))) {
		ASSERT_EQ(r->bid_desc_off, sec.desc_off,
			  N("%s build-id offset vs .note.gnu.build-id", ctx));
		if (ASSERT_EQ((size_t)r->bid_len, sec.len,
			      N("%s build-id size vs .note.gnu.build-id", ctx)))
			ASSERT_MEMEQ(
				r->bid, sec.desc, copied,
				N("%s build-id bytes vs .note.gnu.build-id",
				  ctx));
	}
	if (test__verbosity() >= 1) {
		size_t i;

		printf("%s: build-id ", ctx);
		for (i = 0; i < copied; i++)
			printf("%02x", r->bid[i]);
		printf(" (phdr %u, %u notes walked)\n", r->bid_phdr,
		       r->notes_seen);
	}
}

/* The table the program picks: the first .symtab, else the first .dynsym. */
static Elf_Scn *symbol_table(Elf *elf, size_t n, size_t *index)
{
	static const Elf64_Word types[] = { SHT_SYMTAB, SHT_DYNSYM };
	unsigned int k;
	size_t i;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < n; i++) {
			Elf_Scn *scn = elf_getscn(elf, i);
			GElf_Shdr sh;

			if (scn && gelf_getshdr(scn, &sh) &&
			    sh.sh_type == types[k]) {
				*index = i;
				return scn;
			}
		}
	}
	return NULL;
}

static void check_symbols(const struct target *t, const struct ep_result *r,
			  const char *ctx)
{
	size_t shnum, n, idx, i, count, ent;
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf_Data *d;

	TEST_RULE("R-ELF-6");
	if (!ASSERT_OK(elf_getshdrnum(t->elf, &shnum), "elf_getshdrnum"))
		return;
	scn = symbol_table(t->elf, shnum < EP_MAX_SHDRS ? shnum : EP_MAX_SHDRS,
			   &idx);
	if (!scn) {
		ASSERT_EQ(r->sym_found, 0,
			  N("%s sym_found (libelf finds no symbol table)",
			    ctx));
		test__skip(
			"%s has neither .symtab nor .dynsym (a stripped static binary)",
			t->path);
		return;
	}
	d = elf_getdata(scn, NULL);
	ent = gelf_fsize(t->elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!ASSERT_OK_PTR(gelf_getshdr(scn, &sh),
			   "gelf_getshdr(symbol table)") ||
	    !ASSERT_OK_PTR(d, "elf_getdata(symbol table)") ||
	    !ASSERT_EQ(ent, sizeof(Elf64_Sym), "gelf_fsize(ELF_T_SYM)") ||
	    !ASSERT_EQ(r->sym_found, 1, N("%s sym_found", ctx)))
		return;
	count = d->d_size / ent;
	printf("elf_parse: %s: %zu symbols in %s\n", t->path, count,
	       sh.sh_type == SHT_DYNSYM ? ".dynsym" : ".symtab");
	ASSERT_EQ((size_t)r->sym_shndx, idx,
		  N("%s symbol table section index", ctx));
	ASSERT_EQ((size_t)r->sym_strndx, (size_t)sh.sh_link,
		  N("%s symbol table sh_link", ctx));
	if (!ASSERT_EQ((size_t)r->sym_count, count, N("%s symbol count", ctx)))
		return;
	n = count < EP_MAX_SYMS ? count : EP_MAX_SYMS;
	if (!ASSERT_EQ((size_t)r->n_syms, n, N("%s symbols read", ctx)))
		return;
	for (i = 0; i < n; i++) {
		size_t want = count > EP_MAX_SYMS && i >= EP_SYMS_HEAD ?
				      count - EP_MAX_SYMS + i :
				      i;
		const struct ep_sym *s = &r->syms[i];
		char what[96];
		GElf_Sym g;

		if (!ASSERT_EQ((size_t)r->sym_index[i], want,
			       N("%s sym_index[%zu]", ctx, i)) ||
		    !ASSERT_OK_PTR(gelf_getsym(d, want, &g),
				   N("gelf_getsym(%zu)", want)))
			continue;
		SYM_EQ(st_name);
		SYM_EQ(st_info);
		SYM_EQ(st_other);
		SYM_EQ(st_shndx);
		SYM_EQ(st_value);
		SYM_EQ(st_size);
		snprintf(what, sizeof(what), "%s sym[%zu] name", ctx, want);
		check_name(t, sh.sh_link, g.st_name, r->symname[i],
			   r->symname_len[i], what);
	}
}

static const struct part {
	const char *name;
	void (*check)(const struct target *t, const struct ep_result *r,
		      const char *ctx);
} parts[] = {
	{ "ehdr", check_ehdr },	      { "phdrs", check_phdrs },
	{ "shdrs", check_shdrs },     { "build_id", check_build_id },
	{ "symbols", check_symbols },
};

static bool open_target(struct target *t)
{
	t->fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (t->fd < 0) {
		snprintf(t->why_buf, sizeof(t->why_buf), "cannot open %s: %s",
			 t->path, strerror(errno));
		t->why_not = t->why_buf;
		return false;
	}
	t->elf = elf_begin(t->fd, ELF_C_READ, NULL);
	if (!t->elf || elf_kind(t->elf) != ELF_K_ELF ||
	    gelf_getclass(t->elf) != ELFCLASS64) {
		snprintf(t->why_buf, sizeof(t->why_buf),
			 "libelf cannot read %s as ELF64: %s", t->path,
			 elf_errmsg(-1));
		t->why_not = t->why_buf;
		return false;
	}
	return true;
}

static void close_target(struct target *t)
{
	if (t->elf)
		elf_end(t->elf);
	/* R-AFTER-2 (an initramfs file: nothing to evict, R-AFTER-1). */
	if (t->fd >= 0)
		file_released(t->fd, NULL, "the parsed file");
}

/* Subtests <label>_<part>: the sleepable parse of @t against libelf. */
static void test_target(struct elf_parse *skel, struct target *t,
			bool must_exist)
{
	char name[64];
	unsigned int i;
	bool ok;

	ok = open_target(t);
	if (ok)
		run_prog(skel, skel->progs.elf_parse_sleepable, t, t->fd);
	for (i = 0; i < N_ROWS(parts); i++) {
		snprintf(name, sizeof(name), "%s_%s", t->label, parts[i].name);
		if (!test__start_subtest(name))
			continue;
		if (!ok) {
			/* The runner must always be readable; the others may be absent. */
			if (must_exist)
				ASSERT_TRUE(false, t->why_not);
			else
				test__skip("%s", t->why_not);
			continue;
		}
		if (check_ran(t, t->label))
			parts[i].check(t, &t->res, t->label);
	}
}

/* Copies @src_fd to a fresh scratch file; its fd, or -errno. */
static int copy_to_scratch(int src_fd, char *path, size_t path_sz, off_t *size)
{
	static char buf[1 << 16];
	off_t off = 0;
	ssize_t n;
	int fd;

	snprintf(path, path_sz, "%s/elf_parse.%d", scratch_dir(), getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while ((n = pread(src_fd, buf, sizeof(buf), off)) > 0) {
		if (write(fd, buf, n) != n)
			goto fail;
		off += n;
	}
	if (n < 0 || fsync(fd))
		goto fail;
	*size = off;
	return fd;
fail:
	n = -errno;
	close(fd);
	unlink(path);
	return n ? n : -EIO;
}

/*
 * R-ELF-7: the non-sleepable parse of a resident copy of the runner. The
 * copy lives in the scratch directory (ext4 in vmtest), where the page
 * cache can be evicted; make_file_resident() evicts it and reads it back
 * so that every page is uptodate, and mincore() confirms it.
 */
static void nonsleepable_resident(struct elf_parse *skel, struct target *runner,
				  struct target *copy, off_t size)
{
	long pages = (size + page_size() - 1) / page_size();
	unsigned int i;

	TEST_RULE("R-ELF-7");
	if (!make_file_resident(copy->fd, size,
				"copy resident before the trigger (mincore)") ||
	    !run_prog(skel, skel->progs.elf_parse_nonsleepable, copy, copy->fd))
		return;
	/* Still all resident after the parse: the precondition held throughout. */
	ASSERT_EQ(resident_pages(copy->fd, 0, size), pages,
		  "resident pages after the trigger (mincore)");
	if (!check_ran(copy, copy->label))
		return;
	for (i = 0; i < N_ROWS(parts); i++)
		parts[i].check(copy, &copy->res, copy->label);
	if (ASSERT_TRUE(runner->triggered && runner->runs == 1,
			"the sleepable runner parse to compare with ran"))
		ASSERT_MEMEQ(
			&copy->res, &runner->res, sizeof(copy->res),
			"non-sleepable result vs sleepable result (whole struct ep_result)");
}

/*
 * R-ELF-8: the control for R-ELF-7. With every page of the copy evicted,
 * the non-sleepable parse stops at its first access, the ELF header slice
 * (NULL: the read under it failed with -EFAULT), and brings no page in.
 */
static void nonsleepable_evicted(struct elf_parse *skel, struct target *copy,
				 off_t size)
{
	TEST_RULE("R-ELF-8");
	if (!make_file_evicted(copy->fd, size,
			       "copy evicted before the trigger (mincore)") ||
	    !run_prog(skel, skel->progs.elf_parse_nonsleepable, copy,
		      copy->fd) ||
	    !ASSERT_EQ(copy->runs, 1,
		       "program runs per trigger (did it run?)") ||
	    !ASSERT_OK(copy->res.create_err, "bpf_dynptr_from_file"))
		return;
	ASSERT_EQ(copy->res.stage, EP_EHDR_READ,
		  "stage where the parse stopped (1: ELF header slice)");
	ASSERT_EQ(copy->res.stage_err, -1,
		  "stage error (-1: the slice returned NULL)");
	ASSERT_EQ(resident_pages(copy->fd, 0, size), 0,
		  "resident pages after the trigger (mincore)");
}

static void test_nonsleepable(struct elf_parse *skel, struct target *runner)
{
	static const char *const names[] = {
		"runner_nonsleepable_resident",
		"runner_nonsleepable_evicted",
	};
	struct target copy = { .fd = -1 };
	char path[256] = "";
	off_t size = 0;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (!test__start_subtest(names[i]))
			continue;
		copy.label = names[i];
		if (!ASSERT_TRUE(runner->elf,
				 runner->why_not ? runner->why_not :
						   "runner parsed by libelf"))
			continue;
		if (copy.fd < 0) {
			copy.fd = copy_to_scratch(runner->fd, path,
						  sizeof(path), &size);
			if (!ASSERT_GE(copy.fd, 0,
				       N("copy the runner to %s",
					 scratch_dir())))
				continue;
			copy.path = path;
			copy.elf =
				runner->elf; /* same bytes: libelf's view of the original */
		}
		if (i == 0)
			nonsleepable_resident(skel, runner, &copy, size);
		else
			nonsleepable_evicted(skel, &copy, size);
		after_case_evictable(copy.fd,
				     "pages left resident after the parse");
	}
	if (copy.fd >= 0)
		file_released(copy.fd, path, "the runner's copy");
}

/*
 * The verifier's work for each program (bpf_prog_info.verified_insns): the
 * parser's bounded loops are explored path by path, so this shows how far
 * a program is from the 1M-instruction limit on this kernel.
 */
static void print_verified_insns(struct elf_parse *skel)
{
	struct bpf_program *progs[] = {
		skel->progs.elf_parse_sleepable,
		skel->progs.elf_parse_nonsleepable,
	};
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(bpf_program__fd(progs[i]), &info,
					    &len))
			printf("elf_parse: %s: %u instructions verified, %u xlated\n",
			       bpf_program__name(progs[i]), info.verified_insns,
			       info.xlated_prog_len / 8);
	}
}

/*
 * Not parallel: under -j it runs alone, as it evicts the runner's own
 * executable, which other tests read. A guest carries /usr/bin/true for it.
 */
TEST_TRAITS(elf_parse, NEEDS_FILE_DYNPTR_LSM, .guest_files = DYNAMIC_PATH);

void test_elf_parse(void)
{
	struct target runner = { .label = "runner",
				 .path = RUNNER_PATH,
				 .fd = -1 };
	struct target busybox = { .label = "busybox",
				  .path = BUSYBOX_PATH,
				  .fd = -1 };
	struct target dynamic = { .label = "dynamic",
				  .path = DYNAMIC_PATH,
				  .fd = -1 };
	struct elf_parse *skel;

	if (!ASSERT_NEQ(elf_version(EV_CURRENT), EV_NONE, "elf_version"))
		return;
	skel = SKEL_OPEN_LOAD(elf_parse);
	if (!skel)
		goto out;
	print_verified_insns(skel);

	test_target(skel, &runner, true);
	test_target(skel, &busybox, false);
	test_target(skel, &dynamic, false);
	test_nonsleepable(skel, &runner);
out:
	close_target(&runner);
	close_target(&busybox);
	close_target(&dynamic);
	elf_parse__destroy(skel);
}
