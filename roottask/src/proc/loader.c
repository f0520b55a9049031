// SPDX-License-Identifier: MIT
/* src/proc/loader.c — a program from the userland archive into a new PD: segments, stack, EC. */
#include <stdio.h>
#include <string.h>
#include "proc/internal.h"
#include "fs/tar.h"
#include "facet/app.h"
#include "facet/mem.h"
#include "lib/elf.h"
#include "facet/spin.h"

#define IMAGE_MAX_PAGES 16384          /* 64 MiB of segments */

/* The image's pages while it is loaded: where each goes, our page, the union of its segments' rights. */
static uint64_t va_of[IMAGE_MAX_PAGES], page_of[IMAGE_MAX_PAGES];
static unsigned perm_of[IMAGE_MAX_PAGES];

static unsigned image_page(uint64_t va, unsigned n)
{
    unsigned j = 0;
    while (j < n && va_of[j] != va)
        j++;
    return j;
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
static unsigned load_image(struct proc *p, proc_image_read read, void *ctx, const struct elf_info *elf,
                           const char **why);

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
    if ((why = proc_image_check(e.data, e.size, &elf)))
        return fail(p, "not a valid program", why);
    unsigned st = proc_make_pd_ec(p, cpu, foreign);
    if (st)
        return fail(p, "its PD, portals or EC", fc_status_name(st));
    if ((st = proc_load_image(p, e.data, &elf, &why)))
        return fail(p, why, fc_status_name(st));
    p->arg = arg;
    p->status = 0;
    return p;
}


/* A fresh PD (foreign or not), its portals on cpu and its EC: what a spawned and a forked process both need. */
unsigned proc_make_pd_ec(struct proc *p, unsigned cpu, bool foreign)
{
    sel_t s = p->sel;
    unsigned st = foreign ? fc_create_pd_foreign(s + SEL_PD, SEL_ROOT_PD, APP_SEL_FOREIGN)
                          : fc_create_pd(s + SEL_PD, SEL_ROOT_PD, 0, 0);
    st = st ? st : proc_portals(p, cpu, foreign && p->personality);
    return st ? st : fc_create_ec(s + SEL_EC, s + SEL_PD, cpu, APP_UTCB, 0, APP_SEL_EVENTS, true);
}

/* A child's first registers and FPU image, kept here until it runs (the caller's copy may be gone by then). */
static struct proc_start fork_states[PROC_MAX];

struct proc *proc_fork(struct proc *parent, const struct utcb_exc *state, const void *fpu)
{
    struct proc *p = proc_slot_take(parent->name);
    if (!p)
        return NULL;
    p->cpu = parent->cpu;
    p->personality = parent->personality;
    unsigned st = proc_make_pd_ec(p, p->cpu, true);
    if (st)
        return fail(p, "its PD, portals or EC", fc_status_name(st));
    if ((st = proc_copy_memory(p, parent)))
        return fail(p, "copying its memory", fc_status_name(st));
    p->entry = parent->entry;
    p->image_end = parent->image_end;
    p->phdr = parent->phdr;
    p->phnum = parent->phnum;
    fork_states[p->slot].regs = *state;
    memcpy(fork_states[p->slot].fpu, fpu, UTCB_FPU_SIZE);
    p->start_state = &fork_states[p->slot];
    p->status = 0;
    return p;
}

/* proc_load_image's work, under image_lock. */
static unsigned load_image(struct proc *p, proc_image_read read, void *ctx, const struct elf_info *elf,
                           const char **why)
{
    unsigned st;
    /*
     * Pages of all segments: union of permissions first, so a shared page is delegated once.
     * (The tables are static: image_lock keeps spawns and execs of different handlers apart.)
     */
    unsigned n = 0;
    for (unsigned i = 0; i < elf->nseg; i++)
        for (uint64_t va = elf->seg[i].vaddr & ~0xfffUL; va < elf->seg[i].vaddr + elf->seg[i].memsz; va += PAGE_SIZE) {
            unsigned j = image_page(va, n);
            if (j == n) {
                if (n == IMAGE_MAX_PAGES)
                    { *why = "program too large"; return OOM; }
                va_of[n] = va;
                perm_of[n] = 0;
                page_of[n] = fc_page_alloc();
                if (!page_of[n]) {
                    while (n)
                        fc_page_free(page_of[--n]);
                    { *why = "out of memory"; return OOM; }
                }
                n++;
            }
            perm_of[j] |= (unsigned)seg_perm(elf->seg[i].flags);
        }
    for (unsigned i = 0; i < elf->nseg; i++) {
        const struct elf_seg *g = &elf->seg[i];
        for (uint64_t off = 0; off < g->filesz; ) {
            uint64_t va = g->vaddr + off, chunk = PAGE_SIZE - (va & 0xfff);
            if (chunk > g->filesz - off)
                chunk = g->filesz - off;
            uint64_t page = page_of[image_page(va & ~0xfffUL, n)];
            read(ctx, (void *)(page + (va & 0xfff)), g->offset + off, chunk);
            off += chunk;
        }
    }
    for (unsigned j = 0; j < n; j++)
        if ((st = proc_add_page(p, va_of[j], page_of[j], perm_of[j]))) {
            for (unsigned k = j + 1; k < n; k++)
                fc_page_free(page_of[k]);        /* not its yet: ours to give back */
            { *why = "delegating its memory failed"; return st; }
        }
    if ((st = proc_map(p, APP_STACK_TOP - APP_STACK_PAGES * PAGE_SIZE, APP_STACK_PAGES, MEM_R | MEM_W))) {
        *why = "its stack";
        return st;
    }
    p->entry = elf->entry;
    p->image_end = elf->hi;
    p->phdr = elf->phdr_vaddr;
    p->phnum = elf->phnum;
    return SUCCESS;
}

/* A static ELF image the loader can place: NULL, or why not. */
const char *proc_image_check(const uint8_t *data, uint64_t size, struct elf_info *elf)
{
    const char *why = NULL;
    /* Position-independent (static-pie) ones are loaded at 4 MiB, where the others start. */
    struct elf_limits lim = { .lo = USER_BASE, .hi = APP_SHARED, .allow_dyn = true, .load_bias = 0x400000 };
    if (elf_parse(data, size, &lim, elf, &why))
        return why ? why : "not an ELF program";
    if (elf->has_interp)
        return "dynamic executable (PT_INTERP): only static ones run here";
    return NULL;
}

static volatile int image_lock;                  /* the loader's tables: one image at a time */

/* Map the image's segments (checked by proc_image_check) and a fresh stack into p; status, *why. */
unsigned proc_load_image_from(struct proc *p, proc_image_read read, void *ctx, const struct elf_info *elf,
                              const char **why)
{
    fc_spin_lock(&image_lock);
    unsigned st = load_image(p, read, ctx, elf, why);
    fc_spin_unlock(&image_lock);
    return st;
}

static void read_memory(void *data, void *dst, uint64_t off, uint64_t len)
{
    memcpy(dst, (const uint8_t *)data + off, len);
}

unsigned proc_load_image(struct proc *p, const uint8_t *data, const struct elf_info *elf, const char **why)
{
    return proc_load_image_from(p, read_memory, (void *)data, elf, why);
}
