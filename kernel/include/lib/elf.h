/* SPDX-License-Identifier: MIT */
/* lib/elf.h — the ELF64 (x86-64) executable validator shared by kernel and runtime. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The file layout, as the System V gABI and the x86-64 psABI define it. */
#define EI_NIDENT      16
#define EI_CLASS       4
#define EI_DATA        5
#define EI_VERSION     6
#define ELFCLASS64     2
#define ELFDATA2LSB    1
#define EV_CURRENT     1

#define ET_EXEC        2
#define ET_DYN         3
#define EM_X86_64      62

#define PT_NULL        0
#define PT_LOAD        1
#define PT_DYNAMIC     2
#define PT_INTERP      3
#define PT_NOTE        4
#define PT_PHDR        6
#define PT_TLS         7
#define PT_GNU_STACK   0x6474e551u

#define PF_X           (1u << 0)
#define PF_W           (1u << 1)
#define PF_R           (1u << 2)

struct elf64_ehdr {
    uint8_t  e_ident[EI_NIDENT];  /*  0 */
    uint16_t e_type;              /* 16 */
    uint16_t e_machine;           /* 18 */
    uint32_t e_version;           /* 20 */
    uint64_t e_entry;             /* 24 */
    uint64_t e_phoff;             /* 32 */
    uint64_t e_shoff;             /* 40 */
    uint32_t e_flags;             /* 48 */
    uint16_t e_ehsize;            /* 52 */
    uint16_t e_phentsize;         /* 54 */
    uint16_t e_phnum;             /* 56 */
    uint16_t e_shentsize;         /* 58 */
    uint16_t e_shnum;             /* 60 */
    uint16_t e_shstrndx;          /* 62 */
};

struct elf64_phdr {
    uint32_t p_type;              /*  0 */
    uint32_t p_flags;             /*  4 */
    uint64_t p_offset;            /*  8 */
    uint64_t p_vaddr;             /* 16 */
    uint64_t p_paddr;             /* 24 */
    uint64_t p_filesz;            /* 32 */
    uint64_t p_memsz;             /* 40 */
    uint64_t p_align;             /* 48 */
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

/* What a loader needs, validated. */
#define ELF_MAX_SEGS 16

struct elf_seg {
    uint64_t vaddr, memsz, offset, filesz;
    uint32_t flags;               /* PF_* */
    uint64_t align;
};

struct elf_info {
    uint16_t type;                /* ET_EXEC or ET_DYN */
    uint64_t entry;
    uint64_t phoff;               /* for AT_PHDR / AT_PHNUM */
    uint16_t phnum, phentsize;
    uint64_t phdr_vaddr;          /* vaddr of the program headers if inside a PT_LOAD (0 if not) */
    bool     has_interp;          /* PT_INTERP present (dynamic binary) */
    uint64_t tls_vaddr, tls_memsz, tls_filesz, tls_align;  /* PT_TLS if any (all 0 if none) */
    unsigned nseg;
    struct elf_seg seg[ELF_MAX_SEGS];  /* PT_LOAD only, in file order */
    uint64_t lo, hi;              /* page-aligned span of all PT_LOAD segments [lo, hi) */
};

struct elf_limits {
    uint64_t lo, hi;              /* every segment's page span (after load_bias) lies in [lo, hi) */
    bool     allow_dyn;           /* accept ET_DYN (static-pie); if false only ET_EXEC */
    uint64_t load_bias;           /* added to ET_DYN vaddrs; page-aligned; ignored for ET_EXEC */
};

/*
 * Returns 0 and fills *out on success. Otherwise returns -1, leaves *out
 * untouched and points *why (if why is not NULL) at a static message that
 * names the defect, e.g. "truncated: program headers beyond end of file".
 * Addresses in *out (entry, vaddrs, phdr_vaddr, tls_vaddr, lo, hi) include
 * the load bias; file offsets and sizes do not change.
 */
int elf_parse(const void *data, size_t size, const struct elf_limits *lim,
              struct elf_info *out, const char **why);
