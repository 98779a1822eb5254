// SPDX-License-Identifier: GPL-2.0
/*
 * elf_parse: the spec's motivating use, an ELF parser in BPF. One program
 * run parses the file its ioctl names through a file dynptr: the ELF64
 * header, the program headers, the section headers and their names, the
 * GNU build-id note (walking the PT_NOTE segments, as a profiler does) and
 * some symbols of .symtab (else .dynsym) with their names. Everything goes
 * to the global `res`; user space parses the same file with libelf and
 * compares (SEMANTICS.md R-ELF-*).
 *
 * Fixed-size structures are read with bpf_dynptr_slice() into a stack
 * buffer, the rest with bpf_dynptr_read() straight into `res`. File offsets
 * come from the file and need no bounds; indexes into `res` are masked.
 *
 * Verifier cost. A bounded for loop is walked once per iteration and once
 * per way into it: a stage that starts with a count left in a register by
 * the previous loop (n == 0, 1, ... 64 on its 65 exits) is walked 65 times,
 * and a table index used to address `res` (precise) splits every later
 * path. Written that way the parser took 757,806 verified instructions on
 * 6.19.14; with bounded loops and the reloads below, 141,772 and 1.2 s
 * to load under TCG. The loops are number iterators (for_each_num), whose
 * bodies are checked until their states converge: 3,058 instructions. Each
 * stage still reloads its counts from `res` (volatile: no register carries
 * over) and reads the headers of the tables it picks from the file, by
 * offset, never as res.shdrs[picked]. User space prints the count (-v).
 */
#include "common.h"
#include "elf_parse.h"

struct ep_result res;
__u32 runs;

#define PHDR_MASK (EP_MAX_PHDRS - 1)
#define SHDR_MASK (EP_MAX_SHDRS - 1)
#define SYM_MASK (EP_MAX_SYMS - 1)

/* A fresh load: the verifier sees an unknown value, not the last loop's. */
#define RELOAD(x) (*(volatile typeof(x) *)&(x))

static __always_inline int stop(__u32 stage, int err, __u32 index)
{
	res.stage = stage;
	res.stage_err = err;
	res.stage_index = index;
	return -1;
}

/*
 * Reads the name at @name of the string table at [@tab_off, +@tab_size):
 * up to EP_NAME_LEN bytes, never past the table's end.
 */
static __always_inline long read_name(struct bpf_dynptr *p, __u64 tab_off,
				      __u64 tab_size, __u32 name, char *dst,
				      __u32 *len_out)
{
	__u64 len = 0;

	if (name < tab_size) {
		len = tab_size - name;
		if (len > EP_NAME_LEN)
			len = EP_NAME_LEN;
	}
	*len_out = len;
	if (!len)
		return 0;
	return dynptr_read(dst, len, p, tab_off + name, 0);
}

/* Section header @index, read from the file (not from res.shdrs). */
static __always_inline struct ep_shdr *
slice_shdr(struct bpf_dynptr *p, __u64 index, struct ep_shdr *buf)
{
	return bpf_dynptr_slice(p,
				RELOAD(res.ehdr.e_shoff) + index * sizeof(*buf),
				buf, sizeof(*buf));
}

static __always_inline int parse_ehdr(struct bpf_dynptr *p)
{
	struct ep_ehdr buf, *eh;

	eh = bpf_dynptr_slice(p, 0, &buf, sizeof(buf));
	if (!eh)
		return stop(EP_EHDR_READ, -1, 0);
	__builtin_memcpy(&res.ehdr, eh, sizeof(buf));
	if (eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' ||
	    eh->e_ident[2] != 'L' || eh->e_ident[3] != 'F' ||
	    eh->e_ident[4] != 2 /* ELFCLASS64 */ ||
	    eh->e_ident[5] != 1 /* ELFDATA2LSB */ ||
	    (eh->e_phnum && eh->e_phentsize != sizeof(struct ep_phdr)) ||
	    (eh->e_shnum && eh->e_shentsize != sizeof(struct ep_shdr)))
		return stop(EP_EHDR_BAD, 0, 0);
	return 0;
}

static __always_inline int parse_phdrs(struct bpf_dynptr *p)
{
	__u32 i, n = RELOAD(res.ehdr.e_phnum);
	__u64 phoff = RELOAD(res.ehdr.e_phoff);
	long err;

	if (n > EP_MAX_PHDRS)
		n = EP_MAX_PHDRS;
	res.n_phdrs = n;
	for_each_num(i, 0, EP_MAX_PHDRS)
	{
		if (i >= n)
			break;
		err = dynptr_read(&res.phdrs[i & PHDR_MASK],
				  sizeof(struct ep_phdr), p,
				  phoff + (__u64)i * sizeof(struct ep_phdr), 0);
		if (err)
			return stop(EP_PHDR_READ, err, i);
	}
	return 0;
}

static __always_inline int parse_shdrs(struct bpf_dynptr *p)
{
	__u32 i, n = RELOAD(res.ehdr.e_shnum);
	struct ep_shdr buf, *sh;

	if (n > EP_MAX_SHDRS)
		n = EP_MAX_SHDRS;
	res.n_shdrs = n;
	for_each_num(i, 0, EP_MAX_SHDRS)
	{
		if (i >= n)
			break;
		sh = slice_shdr(p, i, &buf);
		if (!sh)
			return stop(EP_SHDR_READ, -1, i);
		__builtin_memcpy(&res.shdrs[i & SHDR_MASK], sh, sizeof(buf));
	}
	return 0;
}

/* Each section's name, from the table e_shstrndx names. */
static __always_inline int parse_shnames(struct bpf_dynptr *p)
{
	__u32 i, n = RELOAD(res.n_shdrs);
	struct ep_shdr buf, *sh;
	__u64 str_off, str_size;
	long err;

	if (!n)
		return 0;
	sh = slice_shdr(p, RELOAD(res.ehdr.e_shstrndx), &buf);
	if (!sh)
		return stop(EP_SHDR_READ, -1, RELOAD(res.ehdr.e_shstrndx));
	str_off = sh->sh_offset;
	str_size = sh->sh_size;
	for_each_num(i, 0, EP_MAX_SHDRS)
	{
		if (i >= n)
			break;
		err = read_name(p, str_off, str_size,
				res.shdrs[i & SHDR_MASK].sh_name,
				res.shname[i & SHDR_MASK],
				&res.shname_len[i & SHDR_MASK]);
		if (err)
			return stop(EP_SHNAME_READ, err, i);
	}
	return 0;
}

/*
 * The build-id as a profiler finds it: walk the notes of each PT_NOTE
 * segment for type NT_GNU_BUILD_ID named "GNU". Notes are padded to 8 bytes
 * in segments aligned to 8, else to 4 (as libelf's ELF_T_NHDR8/ELF_T_NHDR).
 */
static __always_inline int parse_build_id(struct bpf_dynptr *p)
{
	__u32 i, j, n = RELOAD(res.n_phdrs);
	struct ep_nhdr buf, *nh;
	char name[4];
	long err;

	for_each_num(i, 0, EP_MAX_PHDRS)
	{
		struct ep_phdr *ph = &res.phdrs[i & PHDR_MASK];
		__u64 off, end, a, name_off, desc_off, next, len;

		if (i >= n)
			break;
		if (ph->p_type != EP_PT_NOTE)
			continue;
		a = ph->p_align == 8 ? 7 : 3;
		off = ph->p_offset;
		end = off + ph->p_filesz;
		for_each_num(j, 0, EP_MAX_NOTES)
		{
			if (off + sizeof(buf) > end || off + sizeof(buf) < off)
				break;
			nh = bpf_dynptr_slice(p, off, &buf, sizeof(buf));
			if (!nh)
				return stop(EP_NOTE_READ, -1, i);
			res.notes_seen++;
			name_off = off + sizeof(buf);
			desc_off = (name_off + nh->n_namesz + a) & ~a;
			next = (desc_off + nh->n_descsz + a) & ~a;
			if (nh->n_type == EP_NT_GNU_BUILD_ID &&
			    nh->n_namesz == 4) {
				len = nh->n_descsz;
				err = dynptr_read(name, sizeof(name), p,
						  name_off, 0);
				if (err)
					return stop(EP_NOTE_READ, err, i);
				if (name[0] == 'G' && name[1] == 'N' &&
				    name[2] == 'U' && name[3] == 0) {
					res.bid_found = 1;
					res.bid_phdr = i;
					res.bid_desc_off = desc_off;
					res.bid_len = len;
					if (len > EP_BID_MAX)
						len = EP_BID_MAX;
					res.bid_copied = len;
					err = dynptr_read(res.bid, len, p,
							  desc_off, 0);
					if (err)
						return stop(EP_NOTE_READ, err,
							    i);
					return 0;
				}
			}
			if (next <= off)
				break;
			off = next;
		}
	}
	return 0;
}

/* The first section of @type among the first n, or EP_MAX_SHDRS. */
static __always_inline __u32 find_section(__u32 type)
{
	__u32 i, n = RELOAD(res.n_shdrs);

	for_each_num(i, 0, EP_MAX_SHDRS)
	{
		if (i >= n)
			break;
		if (res.shdrs[i & SHDR_MASK].sh_type == type)
			return i;
	}
	return EP_MAX_SHDRS;
}

/*
 * The symbol table (.symtab, else .dynsym): the first EP_SYMS_HEAD symbols
 * and the last EP_MAX_SYMS - EP_SYMS_HEAD (all of them if there are no more
 * than EP_MAX_SYMS), and their names from the table sh_link names.
 */
static __always_inline int parse_symbols(struct bpf_dynptr *p)
{
	struct ep_shdr sbuf, *sh;
	struct ep_sym buf, *sym;
	__u64 count, tab_off, str_off, str_size;
	__u32 i, pick, link;
	long err;

	pick = find_section(EP_SHT_SYMTAB);
	if (pick == EP_MAX_SHDRS)
		pick = find_section(EP_SHT_DYNSYM);
	if (pick >= EP_MAX_SHDRS)
		return 0;
	res.sym_found = 1;
	res.sym_shndx = pick;

	sh = slice_shdr(p, pick, &sbuf);
	if (!sh)
		return stop(EP_SHDR_READ, -1, pick);
	link = sh->sh_link;
	tab_off = sh->sh_offset;
	count = sh->sh_size / sizeof(buf);
	res.sym_strndx = link;
	res.sym_count = count;

	sh = slice_shdr(p, link, &sbuf);
	if (!sh)
		return stop(EP_SHDR_READ, -1, link);
	str_off = sh->sh_offset;
	str_size = sh->sh_size;

	for_each_num(i, 0, EP_MAX_SYMS)
	{
		__u64 idx = i;

		if (i >= count)
			break;
		if (count > EP_MAX_SYMS && i >= EP_SYMS_HEAD)
			idx = count - EP_MAX_SYMS + i;
		sym = bpf_dynptr_slice(p, tab_off + idx * sizeof(buf), &buf,
				       sizeof(buf));
		if (!sym)
			return stop(EP_SYM_READ, -1, i);
		res.sym_index[i & SYM_MASK] = idx;
		__builtin_memcpy(&res.syms[i & SYM_MASK], sym, sizeof(buf));
		res.n_syms = i + 1;
		err = read_name(p, str_off, str_size, sym->st_name,
				res.symname[i & SYM_MASK],
				&res.symname_len[i & SYM_MASK]);
		if (err)
			return stop(EP_SYMNAME_READ, err, i);
	}
	return 0;
}

static __always_inline void run(struct file *file)
{
	struct bpf_dynptr ptr;

	runs++;
	res.create_err = bpf_dynptr_from_file(file, 0, &ptr);
	if (!res.create_err && !parse_ehdr(&ptr) && !parse_phdrs(&ptr) &&
	    !parse_shdrs(&ptr) && !parse_shnames(&ptr) && !parse_build_id(&ptr))
		parse_symbols(&ptr);
	bpf_dynptr_file_discard(&ptr);
}

/* trigger_ctx is never set here: whichever program is attached runs. */
FILE_IOCTL_PROGS(elf_parse, run)

char _license[] SEC("license") = "GPL";
