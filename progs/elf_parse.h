/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layouts shared by progs/elf_parse.c and prog_tests/elf_parse.c.
 *
 * The ep_* structs mirror the on-disk ELF64 structures byte for byte (the
 * program reads them straight from the file), under names of their own so
 * that they clash neither with vmlinux.h's elf64_* nor with <elf.h>'s
 * Elf64_*. User space checks their sizes against <elf.h>.
 */
#ifndef __ELF_PARSE_H
#define __ELF_PARSE_H

#define EP_MAX_PHDRS 32 /* program headers parsed */
#define EP_MAX_SHDRS 64 /* section headers parsed */
#define EP_NAME_LEN 32 /* bytes of a name read from a string table */
#define EP_MAX_NOTES 16 /* notes walked per PT_NOTE segment */
#define EP_BID_MAX 64 /* largest build-id copied */
#define EP_MAX_SYMS 16 /* symbols read */
#define EP_SYMS_HEAD 12 /* the first 12 symbols, then the last 4 */

#define EP_PT_NOTE 4
#define EP_SHT_SYMTAB 2
#define EP_SHT_DYNSYM 11
#define EP_NT_GNU_BUILD_ID 3

/* Where parsing stopped: the part that failed (0: none). */
enum ep_stage {
	EP_OK = 0,
	EP_EHDR_READ = 1, /* the 64-byte header slice */
	EP_EHDR_BAD = 2, /* not ELF64 little-endian, or odd entry sizes */
	EP_PHDR_READ = 3,
	EP_SHDR_READ = 4,
	EP_SHNAME_READ = 5,
	EP_NOTE_READ = 6,
	EP_SYM_READ = 7,
	EP_SYMNAME_READ = 8,
};

struct ep_ehdr {
	__u8 e_ident[16];
	__u16 e_type;
	__u16 e_machine;
	__u32 e_version;
	__u64 e_entry;
	__u64 e_phoff;
	__u64 e_shoff;
	__u32 e_flags;
	__u16 e_ehsize;
	__u16 e_phentsize;
	__u16 e_phnum;
	__u16 e_shentsize;
	__u16 e_shnum;
	__u16 e_shstrndx;
};

struct ep_phdr {
	__u32 p_type;
	__u32 p_flags;
	__u64 p_offset;
	__u64 p_vaddr;
	__u64 p_paddr;
	__u64 p_filesz;
	__u64 p_memsz;
	__u64 p_align;
};

struct ep_shdr {
	__u32 sh_name;
	__u32 sh_type;
	__u64 sh_flags;
	__u64 sh_addr;
	__u64 sh_offset;
	__u64 sh_size;
	__u32 sh_link;
	__u32 sh_info;
	__u64 sh_addralign;
	__u64 sh_entsize;
};

struct ep_sym {
	__u32 st_name;
	__u8 st_info;
	__u8 st_other;
	__u16 st_shndx;
	__u64 st_value;
	__u64 st_size;
};

struct ep_nhdr {
	__u32 n_namesz;
	__u32 n_descsz;
	__u32 n_type;
};

/* Everything one program run learned about the file. */
struct ep_result {
	__s32 create_err; /* bpf_dynptr_from_file() */
	__u32 stage; /* enum ep_stage where parsing stopped */
	__s32 stage_err; /* the read's code there (-1: a NULL slice) */
	__u32 stage_index; /* the header/symbol index there */

	struct ep_ehdr ehdr;

	__u32 n_phdrs; /* min(e_phnum, EP_MAX_PHDRS) */
	__u32 n_shdrs; /* min(e_shnum, EP_MAX_SHDRS) */
	struct ep_phdr phdrs[EP_MAX_PHDRS];
	struct ep_shdr shdrs[EP_MAX_SHDRS];
	/* Each section's name: the bytes read from the name table. */
	__u32 shname_len[EP_MAX_SHDRS];
	char shname[EP_MAX_SHDRS][EP_NAME_LEN];

	/* The GNU build-id note, found through the PT_NOTE segments. */
	__u32 bid_found;
	__u32 bid_phdr; /* the segment holding it */
	__u64 bid_desc_off; /* file offset of the descriptor */
	__u32 bid_len; /* n_descsz */
	__u32 bid_copied; /* min(n_descsz, EP_BID_MAX) */
	__u8 bid[EP_BID_MAX];
	__u32 notes_seen; /* notes walked in all PT_NOTE segments */

	/* Symbols from .symtab, else .dynsym. */
	__u32 sym_found;
	__u32 sym_shndx; /* the symbol table's section */
	__u32 sym_strndx; /* its string table (sh_link) */
	__u64 sym_count; /* sh_size / sizeof(Elf64_Sym) */
	__u32 n_syms;
	__u32 pad;
	__u64 sym_index[EP_MAX_SYMS];
	struct ep_sym syms[EP_MAX_SYMS];
	__u32 symname_len[EP_MAX_SYMS];
	char symname[EP_MAX_SYMS][EP_NAME_LEN];
};

#endif /* __ELF_PARSE_H */
