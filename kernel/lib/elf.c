/* SPDX-License-Identifier: MIT */
/* kernel/lib/elf.c — validate an ELF64 x86-64 executable and describe what to load. */
#include <lib/elf.h>

/*
 * elf_parse() runs in two steps. elf_validate() reads the file (every field
 * through byte accessors, so neither the image nor its headers need to be
 * aligned) and returns the first defect as a message, or NULL; it records
 * only which program headers matter in a small struct elf_scan. elf_fill()
 * then produces *out from the file and the scan and cannot fail.
 */

#define ELF_PAGE      4096ull
#define ELF_PHDR_SIZE 56u
#define ELF_NO_INDEX  0xffffffffu

/* What validation learned, for elf_fill(). */
struct elf_scan {
    uint64_t bias;                     /* load bias (0 for ET_EXEC) */
    unsigned nload;
    uint32_t load_idx[ELF_MAX_SEGS];   /* program header index of each PT_LOAD */
    uint32_t tls_idx;                  /* index of PT_TLS, or ELF_NO_INDEX */
    bool     has_interp;
    bool     has_phdr;                 /* a PT_PHDR was seen ... */
    uint64_t phdr_declared;            /* ... declaring this (biased) vaddr */
    bool     phdr_loaded;              /* a PT_LOAD maps the program headers ... */
    uint64_t phdr_vaddr;               /* ... at this (biased) vaddr */
};

/* Read little-endian integers from an unaligned byte pointer. */
static uint16_t elf_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t elf_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t elf_rd64(const uint8_t *p)
{
    return (uint64_t)elf_rd32(p) | (uint64_t)elf_rd32(p + 4) << 32;
}

/* Decode the ELF header; the caller has checked that 64 bytes are there. */
static void elf_ehdr_read(const uint8_t *p, struct elf64_ehdr *eh)
{
    for (unsigned i = 0; i < EI_NIDENT; i++)
        eh->e_ident[i] = p[i];
    eh->e_type      = elf_rd16(p + 16);
    eh->e_machine   = elf_rd16(p + 18);
    eh->e_version   = elf_rd32(p + 20);
    eh->e_entry     = elf_rd64(p + 24);
    eh->e_phoff     = elf_rd64(p + 32);
    eh->e_shoff     = elf_rd64(p + 40);
    eh->e_flags     = elf_rd32(p + 48);
    eh->e_ehsize    = elf_rd16(p + 52);
    eh->e_phentsize = elf_rd16(p + 54);
    eh->e_phnum     = elf_rd16(p + 56);
    eh->e_shentsize = elf_rd16(p + 58);
    eh->e_shnum     = elf_rd16(p + 60);
    eh->e_shstrndx  = elf_rd16(p + 62);
}

/* Decode program header i; the caller has checked that the table is inside the file. */
static void elf_phdr_read(const uint8_t *file, uint64_t phoff, uint32_t i, struct elf64_phdr *ph)
{
    const uint8_t *p = file + phoff + (uint64_t)i * ELF_PHDR_SIZE;

    ph->p_type   = elf_rd32(p + 0);
    ph->p_flags  = elf_rd32(p + 4);
    ph->p_offset = elf_rd64(p + 8);
    ph->p_vaddr  = elf_rd64(p + 16);
    ph->p_paddr  = elf_rd64(p + 24);
    ph->p_filesz = elf_rd64(p + 32);
    ph->p_memsz  = elf_rd64(p + 40);
    ph->p_align  = elf_rd64(p + 48);
}

static bool elf_is_pow2(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

/* Is [off, off+len) inside a file of size bytes (without wrapping)? */
static bool elf_in_file(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

/* A segment's biased byte range [*start, *end); false if it wraps or its last page does. */
static bool elf_span(const struct elf64_phdr *ph, uint64_t bias, uint64_t *start, uint64_t *end)
{
    uint64_t v = ph->p_vaddr + bias;

    *start = v;
    *end = v + ph->p_memsz;
    return v >= bias && ph->p_memsz <= UINT64_MAX - v && *end <= UINT64_MAX - (ELF_PAGE - 1);
}

static uint64_t elf_page_down(uint64_t a)
{
    return a & ~(ELF_PAGE - 1);
}

/* Only for addresses elf_span() has accepted: cannot wrap. */
static uint64_t elf_page_up(uint64_t a)
{
    return (a + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
}

/* Check one PT_LOAD on its own; NULL if it is sound. */
static const char *elf_load_check(const struct elf64_phdr *ph, size_t size,
                                  const struct elf_limits *lim, uint64_t bias)
{
    uint64_t start, end;

    if (ph->p_filesz > ph->p_memsz)
        return "PT_LOAD filesz larger than memsz";
    if (ph->p_filesz > UINT64_MAX - ph->p_offset)
        return "PT_LOAD file range (offset+filesz) overflows";
    if (!elf_in_file(ph->p_offset, ph->p_filesz, size))
        return "truncated: PT_LOAD data beyond end of file";
    if (ph->p_align > 1 && !elf_is_pow2(ph->p_align))
        return "PT_LOAD p_align not a power of two";
    if (ph->p_align > 1 && ph->p_vaddr % ph->p_align != ph->p_offset % ph->p_align)
        return "PT_LOAD vaddr and offset not congruent modulo p_align";
    if (!elf_span(ph, bias, &start, &end))
        return "PT_LOAD vaddr+memsz overflows";
    if (elf_page_down(start) < lim->lo || elf_page_up(end) > lim->hi)
        return "PT_LOAD segment outside the allowed address range";
    return NULL;
}

/* Check the PT_TLS header on its own; NULL if it is sound. */
static const char *elf_tls_check(const struct elf64_phdr *ph, size_t size, uint64_t bias)
{
    uint64_t start, end;

    if (ph->p_filesz > ph->p_memsz)
        return "PT_TLS filesz larger than memsz";
    if (ph->p_filesz > UINT64_MAX - ph->p_offset || !elf_in_file(ph->p_offset, ph->p_filesz, size))
        return "truncated: PT_TLS data beyond end of file";
    if (ph->p_align > 1 && !elf_is_pow2(ph->p_align))
        return "PT_TLS p_align not a power of two";
    if (!elf_span(ph, bias, &start, &end))
        return "PT_TLS vaddr+memsz overflows";
    return NULL;
}

/* Check the header fields that come before the program header table. */
static const char *elf_ehdr_check(const struct elf64_ehdr *eh, size_t size,
                                  const struct elf_limits *lim)
{
    const uint8_t *id = eh->e_ident;

    if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
        return "bad magic: not an ELF file";
    if (id[EI_CLASS] != ELFCLASS64)
        return id[EI_CLASS] == 1 ? "a 32-bit executable (ELFCLASS32): only x86-64 ones run here" : "not ELFCLASS64";
    if (id[EI_DATA] != ELFDATA2LSB)
        return "not little-endian (ELFDATA2LSB)";
    if (id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return "bad ELF version";
    if (eh->e_machine != EM_X86_64)
        return "machine not x86-64";
    if (eh->e_type == ET_DYN && !lim->allow_dyn)
        return "type not accepted: ET_DYN (static-pie) not allowed";
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return "type not accepted: neither ET_EXEC nor ET_DYN";
    if (eh->e_type == ET_DYN && lim->load_bias % ELF_PAGE != 0)
        return "load bias not page-aligned";
    if (eh->e_phentsize != ELF_PHDR_SIZE)
        return "bad e_phentsize (not 56)";
    if ((uint64_t)eh->e_phnum * ELF_PHDR_SIZE > UINT64_MAX - eh->e_phoff)
        return "program header table offset overflows";
    if (!elf_in_file(eh->e_phoff, (uint64_t)eh->e_phnum * ELF_PHDR_SIZE, size))
        return "truncated: program headers beyond end of file";
    return NULL;
}

/* Walk the program headers once: check each on its own and note the ones that matter. */
static const char *elf_phdrs_scan(const uint8_t *file, size_t size, const struct elf64_ehdr *eh,
                                  const struct elf_limits *lim, struct elf_scan *sc)
{
    struct elf64_phdr ph;
    const char *err;

    for (uint32_t i = 0; i < eh->e_phnum; i++) {
        elf_phdr_read(file, eh->e_phoff, i, &ph);
        switch (ph.p_type) {
        case PT_LOAD:
            if (ph.p_memsz == 0)
                break;                  /* maps nothing: linkers emit these for empty sections */
            if (sc->nload == ELF_MAX_SEGS)
                return "too many PT_LOAD segments (more than ELF_MAX_SEGS)";
            err = elf_load_check(&ph, size, lim, sc->bias);
            if (err)
                return err;
            sc->load_idx[sc->nload++] = i;
            break;
        case PT_TLS:
            if (sc->tls_idx != ELF_NO_INDEX)
                return "more than one PT_TLS";
            err = elf_tls_check(&ph, size, sc->bias);
            if (err)
                return err;
            sc->tls_idx = i;
            break;
        case PT_INTERP:
            if (ph.p_filesz > UINT64_MAX - ph.p_offset || !elf_in_file(ph.p_offset, ph.p_filesz, size))
                return "truncated: PT_INTERP beyond end of file";
            sc->has_interp = true;
            break;
        case PT_PHDR:
            if (sc->has_phdr)
                return "more than one PT_PHDR";
            if (ph.p_vaddr > UINT64_MAX - sc->bias)
                return "PT_PHDR vaddr overflows";
            sc->has_phdr = true;
            sc->phdr_declared = ph.p_vaddr + sc->bias;
            break;
        default:
            break;
        }
    }
    if (sc->nload == 0)
        return "no PT_LOAD segment";
    return NULL;
}

/* Find where a PT_LOAD maps the program header table, if one does. */
static void elf_phdr_locate(const uint8_t *file, const struct elf64_ehdr *eh, struct elf_scan *sc)
{
    struct elf64_phdr ph;
    uint64_t len = (uint64_t)eh->e_phnum * ELF_PHDR_SIZE;

    for (unsigned k = 0; k < sc->nload; k++) {
        elf_phdr_read(file, eh->e_phoff, sc->load_idx[k], &ph);
        if (eh->e_phoff >= ph.p_offset && eh->e_phoff - ph.p_offset <= ph.p_filesz &&
            len <= ph.p_filesz - (eh->e_phoff - ph.p_offset)) {
            sc->phdr_vaddr = ph.p_vaddr + sc->bias + (eh->e_phoff - ph.p_offset);
            sc->phdr_loaded = true;
            return;
        }
    }
}

/* Is [a, a+n) inside some PT_LOAD's memory range (executable ones only if need_x)? */
static bool elf_in_load(const uint8_t *file, const struct elf64_ehdr *eh, const struct elf_scan *sc,
                        uint64_t a, uint64_t n, bool need_x)
{
    struct elf64_phdr ph;
    uint64_t start, end;

    for (unsigned k = 0; k < sc->nload; k++) {
        elf_phdr_read(file, eh->e_phoff, sc->load_idx[k], &ph);
        if (need_x && !(ph.p_flags & PF_X))
            continue;
        if (!elf_span(&ph, sc->bias, &start, &end))
            continue;
        if (a >= start && a < end && n <= end - a)
            return true;
    }
    return false;
}

/* Check the PT_LOAD segments against each other, the entry point, the TLS image and PT_PHDR. */
static const char *elf_layout_check(const uint8_t *file, const struct elf64_ehdr *eh,
                                    const struct elf_scan *sc)
{
    struct elf64_phdr a, b;
    uint64_t as, ae, bs, be, entry;

    for (unsigned i = 0; i < sc->nload; i++) {
        elf_phdr_read(file, eh->e_phoff, sc->load_idx[i], &a);
        elf_span(&a, sc->bias, &as, &ae);
        for (unsigned j = i + 1; j < sc->nload; j++) {
            elf_phdr_read(file, eh->e_phoff, sc->load_idx[j], &b);
            elf_span(&b, sc->bias, &bs, &be);
            if (as < be && bs < ae)
                return "PT_LOAD segments overlap";
        }
    }
    entry = eh->e_entry + sc->bias;
    if (entry < sc->bias || !elf_in_load(file, eh, sc, entry, 1, true))
        return "entry point not inside an executable PT_LOAD segment";
    if (sc->tls_idx != ELF_NO_INDEX) {
        elf_phdr_read(file, eh->e_phoff, sc->tls_idx, &a);
        if (a.p_filesz != 0 && !elf_in_load(file, eh, sc, a.p_vaddr + sc->bias, a.p_filesz, false))
            return "PT_TLS image not inside a PT_LOAD segment";
    }
    if (sc->has_phdr && (!sc->phdr_loaded || sc->phdr_declared != sc->phdr_vaddr))
        return "PT_PHDR does not match where a PT_LOAD maps the program headers";
    return NULL;
}

/* All checks, in order; NULL if the image is sound. Fills *sc for elf_fill(). */
static const char *elf_validate(const uint8_t *file, size_t size, const struct elf_limits *lim,
                                struct elf64_ehdr *eh, struct elf_scan *sc)
{
    const char *err;

    if (size < sizeof(struct elf64_ehdr))
        return "truncated: file smaller than the ELF header";
    elf_ehdr_read(file, eh);
    err = elf_ehdr_check(eh, size, lim);
    if (err)
        return err;
    sc->bias = eh->e_type == ET_DYN ? lim->load_bias : 0;
    err = elf_phdrs_scan(file, size, eh, lim, sc);
    if (err)
        return err;
    elf_phdr_locate(file, eh, sc);
    return elf_layout_check(file, eh, sc);
}

/* Produce the description; everything has been validated. */
static void elf_fill(const uint8_t *file, const struct elf64_ehdr *eh, const struct elf_scan *sc,
                     struct elf_info *out)
{
    struct elf64_phdr ph;
    uint64_t start, end;

    out->type = eh->e_type;
    out->entry = eh->e_entry + sc->bias;
    out->phoff = eh->e_phoff;
    out->phnum = eh->e_phnum;
    out->phentsize = eh->e_phentsize;
    out->phdr_vaddr = sc->phdr_loaded ? sc->phdr_vaddr : 0;
    out->has_interp = sc->has_interp;

    out->tls_vaddr = out->tls_memsz = out->tls_filesz = out->tls_align = 0;
    if (sc->tls_idx != ELF_NO_INDEX) {
        elf_phdr_read(file, eh->e_phoff, sc->tls_idx, &ph);
        out->tls_vaddr = ph.p_vaddr + sc->bias;
        out->tls_memsz = ph.p_memsz;
        out->tls_filesz = ph.p_filesz;
        out->tls_align = ph.p_align;
    }

    out->nseg = sc->nload;
    out->lo = UINT64_MAX;
    out->hi = 0;
    for (unsigned k = 0; k < ELF_MAX_SEGS; k++) {
        struct elf_seg *s = &out->seg[k];

        if (k >= sc->nload) {
            s->vaddr = s->memsz = s->offset = s->filesz = s->align = 0;
            s->flags = 0;
            continue;
        }
        elf_phdr_read(file, eh->e_phoff, sc->load_idx[k], &ph);
        elf_span(&ph, sc->bias, &start, &end);
        s->vaddr = start;
        s->memsz = ph.p_memsz;
        s->offset = ph.p_offset;
        s->filesz = ph.p_filesz;
        s->flags = ph.p_flags;
        s->align = ph.p_align;
        if (elf_page_down(start) < out->lo)
            out->lo = elf_page_down(start);
        if (elf_page_up(end) > out->hi)
            out->hi = elf_page_up(end);
    }
}

/* Validate an ELF64 x86-64 executable against *lim and describe it in *out. */
int elf_parse(const void *data, size_t size, const struct elf_limits *lim,
              struct elf_info *out, const char **why)
{
    struct elf64_ehdr eh;
    struct elf_scan sc = { .tls_idx = ELF_NO_INDEX };
    const char *err;

    if (data == NULL || lim == NULL || out == NULL)
        err = "bad arguments: NULL image, limits or output";
    else
        err = elf_validate(data, size, lim, &eh, &sc);
    if (err) {
        if (why)
            *why = err;
        return -1;
    }
    elf_fill(data, &eh, &sc, out);
    return 0;
}
