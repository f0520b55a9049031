// SPDX-License-Identifier: MIT
/* src/proc/loader.c — a program from the userland archive into a new PD: segments, stack, EC. */
#include <stdio.h>
#include <string.h>
#include "proc/internal.h"
#include "fs/tar.h"
#include "facet/app.h"
#include "facet/mem.h"
#include "lib/elf.h"

static uint64_t page_of(struct proc *p, uint64_t va, uint64_t *va_of, unsigned *n)
{
    for (unsigned i = 0; i < *n; i++)
        if (va_of[i] == va)
            return p->pages[i];
    return 0;
}

static uint64_t seg_perm(uint32_t flags)
{
    return MEM_R | ((flags & PF_W) ? MEM_W : 0) | ((flags & PF_X) ? MEM_X : 0);
}

static struct proc *fail(struct proc *p, const char *what, const char *why)
{
    printf("[proc] cannot start %s: %s%s%s\n", p->name, what, why ? ": " : "", why ? why : "");
    proc_destroy(p);
    return NULL;
}

static struct proc *spawn(const char *path, uint64_t arg, unsigned cpu, bool foreign, proc_personality personality);

/* A native program of the archive: bin/<name>. */
static struct proc *spawn_bin(const char *name, uint64_t arg, unsigned cpu, bool foreign, proc_personality personality)
{
    char path[64];
    snprintf(path, sizeof path, "bin/%s", name);
    return spawn(path, arg, cpu, foreign, personality);
}

struct proc *proc_spawn(const char *name, uint64_t arg, unsigned cpu)
{
    return spawn_bin(name, arg, cpu, false, NULL);
}

struct proc *proc_spawn_foreign(const char *name, uint64_t arg, unsigned cpu, proc_personality personality)
{
    return spawn_bin(name, arg, cpu, true, personality);
}

struct proc *proc_spawn_path(const char *path, unsigned cpu, proc_personality personality)
{
    return spawn(path, 0, cpu, true, personality);
}

/*
 * Load path from the archive into a fresh PD (foreign: its syscalls go to
 * `personality`): each ELF segment's pages with the union of the permissions
 * of the segments on them, its stack, its portals, its EC. Not started.
 */
static struct proc *spawn(const char *path, uint64_t arg, unsigned cpu, bool foreign, proc_personality personality)
{
    struct proc *p = proc_slot_take(path);
    if (!p)
        return NULL;
    p->cpu = cpu;
    p->personality = personality;

    struct tar_entry e;
    const char *why = NULL;
    int found = tar_find(proc_tar, proc_tar_len, path, &e, &why);
    if (found <= 0)
        return fail(p, found < 0 ? "the userland archive is damaged" : "no such program in the userland archive", why);
    struct elf_info elf;
    /* Position-independent (static-pie) ones are loaded at 4 MiB, where the others start. */
    struct elf_limits lim = { .lo = USER_BASE, .hi = APP_SHARED, .allow_dyn = true, .load_bias = 0x400000 };
    if (elf_parse(e.data, e.size, &lim, &elf, &why))
        return fail(p, "not a valid program", why);
    if (elf.has_interp)
        return fail(p, "not a valid program", "dynamic executable (PT_INTERP): only static ones run here");
    sel_t s = p->sel;
    unsigned st = foreign ? fc_create_pd_foreign(s + SEL_PD, SEL_ROOT_PD, APP_SEL_FOREIGN)
                          : fc_create_pd(s + SEL_PD, SEL_ROOT_PD, 0, 0);
    if (st)
        return fail(p, "create_pd failed", fc_status_name(st));

    /* Pages of all segments: union of permissions first, so a shared page is delegated once. */
    static uint64_t va_of[PROC_MAX_PAGES];
    static unsigned perm_of[PROC_MAX_PAGES];
    unsigned n = 0;
    for (unsigned i = 0; i < elf.nseg; i++)
        for (uint64_t va = elf.seg[i].vaddr & ~0xfffUL; va < elf.seg[i].vaddr + elf.seg[i].memsz; va += PAGE_SIZE) {
            unsigned j = 0;
            while (j < n && va_of[j] != va)
                j++;
            if (j == n) {
                if (n == PROC_MAX_PAGES - APP_STACK_PAGES)
                    return fail(p, "program too large", NULL);
                va_of[n] = va;
                perm_of[n] = 0;
                p->page_va[n] = va;
                p->pages[n] = fc_page_alloc();
                if (!p->pages[n])
                    return fail(p, "out of memory", NULL);
                p->npages = ++n;
            }
            perm_of[j] |= (unsigned)seg_perm(elf.seg[i].flags);
        }
    for (unsigned i = 0; i < elf.nseg; i++) {
        const struct elf_seg *g = &elf.seg[i];
        for (uint64_t off = 0; off < g->filesz; ) {
            uint64_t va = g->vaddr + off, chunk = PAGE_SIZE - (va & 0xfff);
            if (chunk > g->filesz - off)
                chunk = g->filesz - off;
            uint64_t page = page_of(p, va & ~0xfffUL, va_of, &n);
            memcpy((void *)(page + (va & 0xfff)), e.data + g->offset + off, chunk);
            off += chunk;
        }
    }
    for (unsigned j = 0; j < n; j++)
        if ((st = proc_give_page(p, p->pages[j], va_of[j], perm_of[j])))
            return fail(p, "delegating its memory failed", fc_status_name(st));
    for (unsigned j = 0; j < APP_STACK_PAGES; j++) {
        uint64_t page = fc_page_alloc();
        if (!page)
            return fail(p, "out of memory", NULL);
        p->page_va[p->npages] = APP_STACK_TOP - (j + 1) * PAGE_SIZE;
        p->pages[p->npages++] = page;
        if ((st = proc_give_page(p, page, APP_STACK_TOP - (j + 1) * PAGE_SIZE, MEM_R | MEM_W)))
            return fail(p, "delegating its stack failed", fc_status_name(st));
    }

    if ((st = proc_portals(p, cpu, foreign && personality)))
        return fail(p, "setting up its portals failed", fc_status_name(st));
    st = fc_create_ec(s + SEL_EC, s + SEL_PD, cpu, APP_UTCB, 0, APP_SEL_EVENTS, true);
    if (st)
        return fail(p, "create_ec failed", fc_status_name(st));
    p->entry = elf.entry;
    p->image_end = elf.hi;
    p->phdr = elf.phdr_vaddr;
    p->phnum = elf.phnum;
    p->arg = arg;
    p->status = 0;
    return p;
}

