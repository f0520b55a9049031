// SPDX-License-Identifier: MIT
/* src/proc/process.c — the process manager: ELF programs from the userland tar, each in its own PD. */
#include <stdio.h>
#include <string.h>
#include "facet/lab.h"
#include "proc/process.h"
#include "services/services.h"
#include "fs/tar.h"
#include "facet/app.h"
#include "facet/mem.h"
#include "facet/time.h"
#include "lib/elf.h"

#define MAX_PROCS 16
#define SEL_PD      0           /* offsets in a process's block of 64 roottask selectors */
#define SEL_EC      1
#define SEL_SC      2
#define SEL_CONSOLE 3
#define SEL_EXIT    4
#define SEL_NOTIFY  5
#define SEL_FOREIGN 6           /* a foreign process's syscall portal */
#define SEL_FS      7           /* the file service, its id the slot */
#define FOREIGN_MTD (MTD_ALL_GPRS | MTD_RIP_LEN | MTD_RFLAGS | MTD_FS_GS)
#define SEL_EVENTS  32          /* 32 event portals, delegated to 0..31 in the process */

static const uint8_t *tar_data;
static uint64_t tar_len;
static struct proc procs[MAX_PROCS];
static unsigned next_id = 1;
static sel_t echo_pt[HIP_MAX_CPUS];

/* One handler EC per CPU and service, made on first use. */
struct handlers { sel_t startup, fault, exit, console, notify, echo, foreign, fs; };
static struct handlers per_cpu[HIP_MAX_CPUS];
volatile uint64_t proc_notify_verdict;

static struct proc *by_slot(uint64_t id) { return &procs[(id >> 8) % MAX_PROCS]; }
_Static_assert(MAX_PROCS <= FS_SERVICE_CLIENTS, "the file service keeps descriptors for every slot");

static unsigned give_page(struct proc *p, uint64_t page, uint64_t va, unsigned perm);
static void startup_portal(uint64_t id, struct utcb *u);
static void fault_portal(uint64_t id, struct utcb *u);
static void exit_portal(uint64_t id, struct utcb *u);
static void console_portal(uint64_t id, struct utcb *u);
static void fs_portal(uint64_t id, struct utcb *u);
static void notify_portal(uint64_t id, struct utcb *u);
static void foreign_portal(uint64_t id, struct utcb *u);

static unsigned handlers_for(unsigned cpu)
{
    struct handlers *h = &per_cpu[cpu];
    if (h->startup)
        return SUCCESS;
    unsigned s = fc_handler_create(cpu, startup_portal, &h->startup);
    s = s ? s : fc_handler_create(cpu, fault_portal, &h->fault);
    s = s ? s : fc_handler_create(cpu, exit_portal, &h->exit);
    s = s ? s : fc_handler_create(cpu, console_portal, &h->console);
    s = s ? s : fc_handler_create(cpu, fs_portal, &h->fs);
    s = s ? s : fc_handler_create(cpu, notify_portal, &h->notify);
    s = s ? s : fc_handler_create(cpu, foreign_portal, &h->foreign);
    if (s == SUCCESS && !echo_pt[cpu]) {
        echo_pt[cpu] = fc_sel_alloc(1);
        s = fc_portal_create(echo_pt[cpu], cpu, 0, echo_handler, 0);
    }
    return s;
}

void proc_init(const uint8_t *tar, uint64_t tar_size)
{
    tar_data = tar;
    tar_len = tar_size;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        procs[i].slot = i;
        procs[i].sel = fc_sel_alloc(64);
        procs[i].done = fc_sel_alloc(2);
        procs[i].hold = procs[i].done + 1;
        fc_create_sm(procs[i].done, SEL_ROOT_PD, 0);
        fc_create_sm(procs[i].hold, SEL_ROOT_PD, 0);
    }
}

/* ---- the services a process calls ---------------------------------------------------- */

/*
 * A handler runs on the calling process's SC, so the teardown's revoke of that
 * SC abandons it wherever it is: inside console_out or under the fs lock, the
 * lock would stay taken for ever. So a handler works for p only between
 * proc_enter and proc_leave, and proc_destroy waits until none does. Either
 * the handler sees `dying` or the teardown sees `busy` (both seq_cst).
 * Handlers leave before they block for long (proc_block): abandoned there,
 * they hold nothing.
 */
static bool proc_enter(struct proc *p)
{
    __atomic_add_fetch(&p->busy, 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&p->dying, __ATOMIC_SEQ_CST))
        return true;
    __atomic_sub_fetch(&p->busy, 1, __ATOMIC_SEQ_CST);
    return false;
}

static void proc_leave(struct proc *p)
{
    __atomic_sub_fetch(&p->busy, 1, __ATOMIC_SEQ_CST);
}

/* Park a handler that is done with p for good: the teardown abandons this call. */
static void __attribute__((noreturn)) park(struct proc *p)
{
    for (;;)
        fc_sm_down(p->hold, 0);
}

unsigned proc_block(struct proc *p, sel_t sm, uint64_t deadline)
{
    proc_leave(p);
    unsigned s = fc_sm_down(sm, deadline);
    if (!proc_enter(p))
        park(p);                                 /* torn down meanwhile: touch nothing of it */
    return s;
}

/* Each portal of a process: its handler inside proc_enter/proc_leave, nothing once it is dying. */
#define PROC_PORTAL(name, call)                                         \
    static void name(uint64_t id, struct utcb *u)                       \
    {                                                                   \
        struct proc *p = by_slot(id);                                   \
        if (!proc_enter(p))                                             \
            park(p);                                                    \
        call;                                                           \
        proc_leave(p);                                                  \
    }

static void startup_handler(uint64_t id, struct utcb *u);
static void fault_handler(uint64_t id, struct utcb *u);
static void exit_handler(uint64_t id, struct utcb *u);
static void notify_handler(uint64_t id, struct utcb *u);
static void foreign_handler(uint64_t id, struct utcb *u);
PROC_PORTAL(startup_portal, startup_handler(id, u))
PROC_PORTAL(fault_portal, fault_handler(id, u))
PROC_PORTAL(exit_portal, exit_handler(id, u))
PROC_PORTAL(console_portal, console_handler(p->id, u))
PROC_PORTAL(fs_portal, fs_service_handler(p->slot, u))
PROC_PORTAL(notify_portal, notify_handler(id, u))
PROC_PORTAL(foreign_portal, foreign_handler(id, u))

static void startup_handler(uint64_t id, struct utcb *u)
{
    struct proc *p = by_slot(id);
    u->exc.rip = p->entry;
    u->exc.rsp = APP_STACK_TOP - 8;              /* as if called */
    u->exc.rdi = p->arg;
    u->exc.rsi = p->id;
    if (p->start_sp) {                           /* a Linux process: rsp at argc, rdx = 0 (no atexit) */
        u->exc.rsp = p->start_sp;
        u->exc.rdi = u->exc.rsi = 0;
    }
    u->exc.rdx = 0;
}

/* A fault nobody in the process handles: report it, let the roottask end the process. */
static void fault_handler(uint64_t id, struct utcb *u)
{
    struct proc *p = by_slot(id);
    unsigned vector = (unsigned)(id & 0xff);
    if (p->state == PROC_RUNNING) {
        p->status = vector;
        p->fault_rip = u->exc.rip;
        p->fault_addr = u->exc.qual[1];
        printf("[proc] process %u (%s) fault: vector %u at rip %#lx, address %#lx, error %#lx: ended\n",
               p->id, p->name, vector, u->exc.rip, u->exc.qual[1], u->exc.qual[0]);
        if (p->on_fault)
            p->on_fault(p, vector, u->exc.qual[1]);
        p->state = PROC_FAULTED;
        fc_sm_up(p->done);
    }
    proc_leave(p);
    park(p);                                     /* never replied */
}

void proc_exit(struct proc *p, uint64_t status)
{
    if (p->state == PROC_RUNNING) {
        p->status = status;
        p->state = PROC_EXITED;
        fc_sm_up(p->done);
    }
    proc_leave(p);
    park(p);
}

static void exit_handler(uint64_t id, struct utcb *u)
{
    proc_exit(by_slot(id), u->mr[0]);
}

unsigned proc_map(struct proc *p, uint64_t va, uint64_t n, unsigned perm)
{
    if (va & 0xfff || n > PROC_MAX_PAGES - p->npages)
        return OOM;
    for (uint64_t i = 0; i < n; i++)
        for (unsigned j = 0; j < p->npages; j++)
            if (p->page_va[j] == va + i * PAGE_SIZE)
                return BAD_PAR;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t page = fc_page_alloc();
        if (!page)
            return OOM;
        p->page_va[p->npages] = va + i * PAGE_SIZE;
        p->pages[p->npages++] = page;
        unsigned s = give_page(p, page, va + i * PAGE_SIZE, perm);
        if (s != SUCCESS)
            return s;
    }
    return SUCCESS;
}

void proc_unmap(struct proc *p, uint64_t va, uint64_t n)
{
    for (unsigned j = 0; j < p->npages; ) {
        uint64_t v = p->page_va[j];
        if (v >= va && v < va + n * PAGE_SIZE) {
            fc_revoke(CRD(CRD_MEM, 0, 0, fc_window_page(p->pages[j])), 0, 0);
            fc_page_free(p->pages[j]);
            p->npages--;
            p->pages[j] = p->pages[p->npages];          /* keep the arrays dense */
            p->page_va[j] = p->page_va[p->npages];
        } else {
            j++;
        }
    }
}

unsigned proc_protect(struct proc *p, uint64_t va, uint64_t n, unsigned perm)
{
    unsigned found = 0;
    for (unsigned j = 0; j < p->npages; j++)
        found += p->page_va[j] >= va && p->page_va[j] - va < n * PAGE_SIZE;
    if (found != n)
        return BAD_PAR;
    for (unsigned j = 0; j < p->npages; j++)
        if (p->page_va[j] >= va && p->page_va[j] - va < n * PAGE_SIZE) {
            fc_revoke(CRD(CRD_MEM, 0, 0, fc_window_page(p->pages[j])), 0, 0);
            unsigned s = perm ? give_page(p, p->pages[j], p->page_va[j], perm) : SUCCESS;
            if (s != SUCCESS)
                return s;
        }
    return SUCCESS;
}

uint64_t proc_window(struct proc *p, uint64_t va)
{
    uint64_t page = va & ~0xfffUL;
    for (unsigned i = 0; i < p->npages; i++)
        if (p->page_va[i] == page)
            return p->pages[i] + (va & 0xfff);
    return 0;
}

/* Copy len bytes between the process's va and buf (into the process when `to_proc`), page by page. */
static bool proc_copy(struct proc *p, uint64_t va, uint8_t *buf, uint64_t len, bool to_proc)
{
    while (len) {
        uint64_t w = proc_window(p, va), chunk = PAGE_SIZE - (va & 0xfff);
        if (!w || va + len < va)
            return false;
        if (chunk > len)
            chunk = len;
        if (to_proc)
            memcpy((void *)w, buf, chunk);
        else
            memcpy(buf, (const void *)w, chunk);
        buf += chunk, va += chunk, len -= chunk;
    }
    return true;
}

bool proc_read(struct proc *p, void *dst, uint64_t va, uint64_t len)
{
    return proc_copy(p, va, dst, len, false);
}

bool proc_write(struct proc *p, uint64_t va, const void *src, uint64_t len)
{
    return proc_copy(p, va, (uint8_t *)src, len, true);       /* only read from when to_proc */
}

/* A program without a shared page asks for a gift: a semaphore, as a typed item. */
sel_t proc_gift_sm;

/* memuser says its page is written: check it from our side, then take the page away. */
static void notify_handler(uint64_t id, struct utcb *u)
{
    struct proc *p = by_slot(id);
    if (u->mr[0] == 2 && p->large) {
        /* bigmem: both ends of its 2 MiB, then revoke one page in the middle of it. */
        const volatile uint64_t *w = (const volatile uint64_t *)p->large;
        bool first = w[0] == p->id * 1000 + 1, last = w[0x200000 / 8 - 1] == p->id * 1000 + 2;
        unsigned s = fc_revoke(CRD(CRD_MEM, 0, 0, fc_window_page(p->large) + 256), 0, 0);
        printf("[proc] large notify from process %u: first word %s, last word %s; revoked page 256 of it, status %u\n",
               p->id, first ? "right" : "WRONG", last ? "right" : "WRONG", s);
        u->mr[0] = first && last;
        u->head.items = UTCB_ITEMS(1, 0);
        return;
    }
    if (!p->shared) {
        u->mr[0] = 0;
        u->mr[1] = CRD(CRD_OBJ, PERM_CTRL, 0, proc_gift_sm);   /* the item: our semaphore ... */
        u->mr[2] = 3;                                            /* ... at window base + 3 */
        u->head.items = UTCB_ITEMS(1, 1);
        return;
    }
    uint64_t right = 0, n = u->mr[0] > 512 ? 512 : u->mr[0];
    const volatile uint64_t *w = (const volatile uint64_t *)p->shared;
    for (uint64_t i = 0; p->shared && i < n; i++)
        right += w[i] == p->id * 0x100000000ULL + i * i;
    unsigned s = fc_revoke(CRD(CRD_MEM, 0, 0, fc_window_page(p->shared)), 0, 0);
    printf("[proc] notify from process %u: %lu of %lu words right; page revoked, status %u\n",
           p->id, right, n, s);
    proc_notify_verdict = right;
    u->mr[0] = right;
    u->head.items = UTCB_ITEMS(1, 0);
}

/* The foreign-syscall dispatcher: the portal id names the process; its personality decides. */
static void foreign_handler(uint64_t id, struct utcb *u)
{
    /* LAB syscall-redirection BEGIN: find the calling process from the portal id and hand the call to its personality (docs: labs/4-syscall-redirection/README.md#dispatcher) */
    struct proc *p = by_slot(id);
    if (p->personality)
        p->personality(p, u);
    //@ (void)id;
    //@ (void)u;
    //@ LAB_TODO("syscall-redirection: the foreign-syscall dispatcher (foreign_handler)");
    /* LAB syscall-redirection END */
}

/* ---- building a process ----------------------------------------------------------------- */

static uint64_t page_of(struct proc *p, uint64_t va, uint64_t *va_of, unsigned *n)
{
    for (unsigned i = 0; i < *n; i++)
        if (va_of[i] == va)
            return p->pages[i];
    return 0;
}

static unsigned give_page(struct proc *p, uint64_t page, uint64_t va, unsigned perm)
{
    sel_t pd = p->sel + SEL_PD;
    return fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_MEM, perm, 0, fc_window_page(page)), CRD(CRD_MEM, perm, 0, va >> 12));
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

static struct proc *spawn(const char *path, uint64_t arg, unsigned cpu, bool foreign, proc_personality personality)
{
    struct proc *p = NULL;
    for (unsigned i = 0; i < MAX_PROCS && !p; i++)
        if (procs[i].state == PROC_FREE)
            p = &procs[i];
    if (!p) {
        printf("[proc] cannot start %s: too many processes\n", path);
        return NULL;
    }
    memset(p->name, 0, sizeof p->name);
    const char *base = strrchr(path, '/');
    snprintf(p->name, sizeof p->name, "%s", base ? base + 1 : path);
    p->id = next_id++;
    p->cpu = cpu;
    p->npages = 0;
    p->shared = 0;
    p->large = 0;
    p->start_sp = 0;
    p->pstate = NULL;
    p->on_fault = NULL;
    p->teardown = NULL;
    p->personality = personality;
    p->busy = 0;
    p->dying = false;
    p->state = PROC_RUNNING;

    struct tar_entry e;
    const char *why = NULL;
    int found = tar_find(tar_data, tar_len, path, &e, &why);
    if (found <= 0)
        return fail(p, found < 0 ? "the userland archive is damaged" : "no such program in the userland archive", why);
    struct elf_info elf;
    /* Position-independent (static-pie) ones are loaded at 4 MiB, where the others start. */
    struct elf_limits lim = { .lo = USER_BASE, .hi = APP_SHARED, .allow_dyn = true, .load_bias = 0x400000 };
    if (elf_parse(e.data, e.size, &lim, &elf, &why))
        return fail(p, "not a valid program", why);
    if (elf.has_interp)
        return fail(p, "not a valid program", "dynamic executable (PT_INTERP): only static ones run here");
    if (handlers_for(cpu) != SUCCESS)
        return fail(p, "no handlers", NULL);

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
        if ((st = give_page(p, p->pages[j], va_of[j], perm_of[j])))
            return fail(p, "delegating its memory failed", fc_status_name(st));
    for (unsigned j = 0; j < APP_STACK_PAGES; j++) {
        uint64_t page = fc_page_alloc();
        if (!page)
            return fail(p, "out of memory", NULL);
        p->page_va[p->npages] = APP_STACK_TOP - (j + 1) * PAGE_SIZE;
        p->pages[p->npages++] = page;
        if ((st = give_page(p, page, APP_STACK_TOP - (j + 1) * PAGE_SIZE, MEM_R | MEM_W)))
            return fail(p, "delegating its stack failed", fc_status_name(st));
    }

    /* Its portals: events (startup at 30), console, exit, notify, files; echo is shared per CPU. */
    const struct handlers *h = &per_cpu[cpu];
    for (unsigned v = 0; v < NUM_EVENTS && !st; v++)
        st = fc_portal_bind(s + SEL_EVENTS + v, v == EV_STARTUP ? h->startup : h->fault,
                            v == EV_STARTUP ? MTD_RIP_LEN | MTD_RSP | MTD_GPR_BSD : EXC_MTD,
                            ((uint64_t)p->slot << 8) | v);
    st = st ? st : fc_portal_bind(s + SEL_CONSOLE, h->console, 0, (uint64_t)p->slot << 8);
    st = st ? st : fc_portal_bind(s + SEL_EXIT, h->exit, 0, (uint64_t)p->slot << 8);
    st = st ? st : fc_portal_bind(s + SEL_NOTIFY, h->notify, 0, (uint64_t)p->slot << 8);
    st = st ? st : fc_portal_bind(s + SEL_FS, h->fs, 0, (uint64_t)p->slot << 8);
    sel_t pd = s + SEL_PD;
    st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 5, s + SEL_EVENTS), CRD(CRD_OBJ, PERM_CALL, 5, APP_SEL_EVENTS));
    st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 0, s + SEL_CONSOLE), CRD(CRD_OBJ, PERM_CALL, 0, APP_SEL_CONSOLE));
    st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 0, s + SEL_EXIT), CRD(CRD_OBJ, PERM_CALL, 0, APP_SEL_EXIT));
    st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 0, echo_pt[cpu]), CRD(CRD_OBJ, PERM_CALL, 0, APP_SEL_ECHO));
    st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 0, s + SEL_NOTIFY), CRD(CRD_OBJ, PERM_CALL, 0, APP_SEL_NOTIFY));
    st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 0, s + SEL_FS), CRD(CRD_OBJ, PERM_CALL, 0, APP_SEL_FS));
    if (!st && foreign && personality) {
        st = fc_portal_bind(s + SEL_FOREIGN, h->foreign, FOREIGN_MTD, (uint64_t)p->slot << 8);
        st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 0, s + SEL_FOREIGN),
                                   CRD(CRD_OBJ, PERM_CALL, 0, APP_SEL_FOREIGN + cpu));
    }
    if (st)
        return fail(p, "setting up its portals failed", fc_status_name(st));
    st = fc_create_ec(s + SEL_EC, pd, cpu, APP_UTCB, 0, APP_SEL_EVENTS, true);
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

unsigned proc_share_large(struct proc *p, uint64_t chunk)
{
    if (!chunk)
        return OOM;
    p->large = chunk;                    /* not ours to free: fc_large_chunk() stays reserved */
    return fc_delegate(SEL_ROOT_PD, p->sel + SEL_PD, CRD(CRD_MEM, MEM_R | MEM_W, 9, fc_window_page(chunk)),
                       CRD(CRD_MEM, MEM_R | MEM_W, 9, APP_SHARED >> 12));
}

unsigned proc_share_page(struct proc *p, unsigned perm, uint64_t fill)
{
    uint64_t page = p->npages < PROC_MAX_PAGES ? fc_page_alloc() : 0;
    if (!page)
        return OOM;
    for (unsigned i = 0; i < 512; i++)
        ((uint64_t *)page)[i] = fill;
    p->page_va[p->npages] = APP_SHARED;
    p->pages[p->npages++] = page;
    p->shared = page;
    return give_page(p, page, APP_SHARED, perm);
}

sel_t proc_pd(const struct proc *p)
{
    return p->sel + SEL_PD;
}

sel_t proc_echo_portal(unsigned cpu)
{
    return echo_pt[cpu];
}

unsigned proc_start(struct proc *p, unsigned prio)
{
    return fc_create_sc(p->sel + SEL_SC, SEL_ROOT_PD, p->sel + SEL_EC, prio, 1000);
}

void proc_wait(struct proc *p)
{
    fc_sm_down(p->done, 0);
}

unsigned proc_wait_ms(struct proc *p, unsigned ms)
{
    return fc_sm_down(p->done, fc_deadline_ms(ms));
}

const char *proc_state_name(const struct proc *p)
{
    return p->state == PROC_EXITED ? "exited" : p->state == PROC_FAULTED ? "faulted" : "did not finish";
}

void proc_run(struct proc *p, unsigned ms, const char *tag, const char *what)
{
    if (!p)
        return;
    unsigned s = proc_start(p, 20);
    unsigned w = s == SUCCESS ? proc_wait_ms(p, ms) : s;
    printf("[%s] %s: process %u %s status=%lu (wait %u)\n", tag, what, p->id, proc_state_name(p), p->status, w);
    proc_destroy(p);
}

/*
 * Everything it had goes: its capabilities (the PD first), then the memory,
 * which we get back. First no handler may be working for it (proc_enter).
 */
void proc_destroy(struct proc *p)
{
    __atomic_store_n(&p->dying, true, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&p->busy, __ATOMIC_SEQ_CST))
        fc_sleep_ms(1);
    if (p->teardown)
        p->teardown(p);
    p->teardown = NULL;
    fc_revoke(CRD(CRD_OBJ, 0, 6, p->sel), REVOKE_SELF, 0);
    fs_service_release(p->slot);                 /* after its portals: no new file call comes */
    for (unsigned i = 0; i < p->npages; i++) {
        fc_revoke(CRD(CRD_MEM, 0, 0, fc_window_page(p->pages[i])), 0, 0);
        fc_page_free(p->pages[i]);
    }
    if (p->large)
        fc_revoke(CRD(CRD_MEM, 0, 9, fc_window_page(p->large)), 0, 0);
    p->npages = 0;
    p->shared = 0;
    p->large = 0;
    /* Its semaphores may hold counts from a run that ended: drain them. */
    while (fc_sm_down(p->done, 1) == SUCCESS)
        ;
    p->state = PROC_FREE;
}
