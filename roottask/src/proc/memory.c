// SPDX-License-Identifier: MIT
/* src/proc/memory.c — a process's memory: pages given and taken, and copies in and out of it. */
#include <string.h>
#include "proc/internal.h"
#include "facet/app.h"
#include "facet/mem.h"
#include "facet/spin.h"

/*
 * A process's pages: a radix tree over its virtual page numbers, as the CPU's
 * page tables are, but holding our window address of each page and the
 * rights it was delegated with. Its tables are pages of ours too.
 *
 *   p->pmap -> [va 47:39] -> [38:30] -> [29:21] -> [20:12] = window | PM_COW | PM_PRESENT | perm
 *
 * perm is what the process may do with the page; it is delegated with that, except a page
 * marked PM_COW: shared with other processes since a fork, delegated without MEM_W until the
 * process writes to it (cow_break: then it gets a copy of its own, or the page itself if
 * nobody else holds it any more).
 */
_Static_assert(PM_PERM == (MEM_R | MEM_W | MEM_X), "a slot's low bits are the MEM_* rights");

/* ---- pages shared since a fork: how many processes hold each ---------------------------- */

/*
 * An open-addressing table of the shared pages (a page held by one process is not in it): the
 * number of processes holding it. Full, a fork copies the pages it cannot share.
 */
#define SHARED_MAX (1U << 15)
static struct shared_page { uint64_t page; uint32_t holders; } shared[SHARED_MAX];
static volatile int shared_lock;          /* the handlers of every process, on every CPU */

static unsigned shared_find(uint64_t page)
{
    unsigned i = (unsigned)(page >> 12) * 2654435761U % SHARED_MAX;
    while (shared[i].page && shared[i].page != page)
        i = (i + 1) % SHARED_MAX;
    return i;
}

static unsigned shared_used;

/* One holder more (a page becomes shared: two); false if the table is full. */
static bool shared_hold(uint64_t page)
{
    fc_spin_lock(&shared_lock);
    unsigned i = shared_find(page);
    bool ok = shared[i].page || shared_used < SHARED_MAX / 2;
    if (ok && !shared[i].page) {
        shared[i] = (struct shared_page){ page, 1 };
        shared_used++;
    }
    if (ok)
        shared[i].holders++;
    fc_spin_unlock(&shared_lock);
    return ok;
}

/* One holder fewer; how many are left (0: the page is ours to free, 1: its last holder's alone). */
static uint32_t shared_drop(uint64_t page)
{
    fc_spin_lock(&shared_lock);
    unsigned i = shared_find(page);
    uint32_t left = 0;
    if (shared[i].page && (left = --shared[i].holders) <= 1) {
        /* one holder left or none: out of the table (backward-shift deletion keeps the probes) */
        for (unsigned j = (i + 1) % SHARED_MAX; shared[j].page; j = (j + 1) % SHARED_MAX) {
            unsigned home = (unsigned)(shared[j].page >> 12) * 2654435761U % SHARED_MAX;
            if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
                shared[i] = shared[j];
                i = j;
            }
        }
        shared[i] = (struct shared_page){ 0, 0 };
        shared_used--;
    }
    fc_spin_unlock(&shared_lock);
    return left;
}

/* Our page in a slot let go: freed unless another process still holds it. */
static void page_release(uint64_t slot)
{
    if (!(slot & PM_COW) || shared_drop(slot & PM_PAGE) == 0)
        fc_page_free(slot & PM_PAGE);
}

/* The rights a slot's page is delegated with: a shared page is never writable. */
static unsigned slot_rights(uint64_t slot)
{
    return (unsigned)(slot & PM_PERM) & ((slot & PM_COW) ? ~(unsigned)MEM_W : ~0U);
}

/* va's slot in p's page map, made with the tables down to it; NULL when out of memory. */
static uint64_t *pmap_slot_make(struct proc *p, uint64_t va)
{
    if (!p->pmap && !(p->pmap = fc_page_alloc()))
        return NULL;
    uint64_t *t = (uint64_t *)p->pmap;
    for (int shift = 39; shift > 12; shift -= 9) {
        uint64_t *e = &t[(va >> shift) & 511];
        if (!*e && !(*e = fc_page_alloc()))
            return NULL;
        t = (uint64_t *)*e;
    }
    return &t[(va >> 12) & 511];
}

/*
 * The pages it has in [va, end), in address order: fn(p, va, slot, ctx) for each (it may clear
 * the slot); their number. Empty subtrees are skipped whole: a range of terabytes with a few
 * pages in it costs a few steps.
 */
typedef void (*page_fn)(struct proc *p, uint64_t va, uint64_t *slot, void *ctx);

/* The first entry of t in [i, last] that is not 0, or last + 1 (four at a step: most of a
 * table is empty, and fork walks every table three times). */
static unsigned next_used(const uint64_t *t, unsigned i, unsigned last)
{
    for (; i + 3 <= last; i += 4)
        if (t[i] | t[i + 1] | t[i + 2] | t[i + 3])
            break;
    while (i <= last && !t[i])
        i++;
    return i;
}

/* Holds: t's entries cover [base, base + 512 << shift), which meets [va, end). */
static uint64_t range_walk(uint64_t *t, int shift, uint64_t base, uint64_t va, uint64_t end, struct proc *p,
                           page_fn fn, void *ctx)
{
    uint64_t count = 0;
    unsigned first = va > base ? (unsigned)((va - base) >> shift) : 0;
    unsigned last = (end - 1 - base) >> shift > 511 ? 511 : (unsigned)((end - 1 - base) >> shift);
    for (unsigned i = next_used(t, first, last); i <= last; i = next_used(t, i + 1, last)) {
        uint64_t lo = base + ((uint64_t)i << shift);
        if (shift == 12) {
            if (t[i] & PM_PRESENT) {
                count++;
                if (fn)
                    fn(p, lo, &t[i], ctx);
            }
        } else {
            count += range_walk((uint64_t *)t[i], shift - 9, lo, va, end, p, fn, ctx);
        }
    }
    return count;
}

static uint64_t pmap_range(struct proc *p, uint64_t va, uint64_t end, page_fn fn, void *ctx)
{
    return p->pmap && va < end ? range_walk((uint64_t *)p->pmap, 39, 0, va, end, p, fn, ctx) : 0;
}

/* Every page it has, in address order: fn(va, slot) (which may clear the slot). */
static void pmap_walk(struct proc *p, void (*fn)(struct proc *p, uint64_t va, uint64_t *slot), bool free_tables)
{
    uint64_t *l4 = (uint64_t *)p->pmap;
    for (uint64_t a = l4 ? next_used(l4, 0, 511) : 512; a < 512; a = next_used(l4, a + 1, 511)) {
        uint64_t *l3 = (uint64_t *)l4[a];
        for (uint64_t b = next_used(l3, 0, 511); b < 512; b = next_used(l3, b + 1, 511)) {
            uint64_t *l2 = (uint64_t *)l3[b];
            for (uint64_t c = next_used(l2, 0, 511); c < 512; c = next_used(l2, c + 1, 511)) {
                uint64_t *l1 = (uint64_t *)l2[c];
                for (uint64_t d = next_used(l1, 0, 511); fn && d < 512; d = next_used(l1, d + 1, 511))
                    if (l1[d] & PM_PRESENT)
                        fn(p, a << 39 | b << 30 | c << 21 | d << 12, &l1[d]);
                if (free_tables)
                    fc_page_free((uint64_t)l1);
            }
            if (free_tables)
                fc_page_free((uint64_t)l2);
        }
        if (free_tables)
            fc_page_free((uint64_t)l3);
    }
    if (l4 && free_tables) {
        fc_page_free((uint64_t)l4);
        p->pmap = 0;
    }
}

unsigned proc_give_page(struct proc *p, uint64_t page, uint64_t va, unsigned perm)
{
    return fc_delegate(SEL_ROOT_PD, p->sel + SEL_PD, CRD(CRD_MEM, perm, 0, fc_window_page(page)),
                       CRD(CRD_MEM, perm, 0, va >> PAGE_SHIFT));
}

/*
 * A page at va in p with perm (and PM_COW in flags: a hold on a shared page), recorded and
 * delegated (page: a window address, or 0 for a fresh zeroed one). A given page is p's from
 * then on: kept if only the delegation fails, let go (freed, or its hold dropped) if there
 * is no table to record it in.
 */
static unsigned page_add_as(struct proc *p, uint64_t va, uint64_t page, unsigned perm, uint64_t flags)
{
    uint64_t *slot = pmap_slot_make(p, va);
    if (!slot) {
        if (page)
            page_release(page | flags);
        return OOM;
    }
    if (!page && !(page = fc_page_alloc()))
        return OOM;
    *slot = page | perm | flags | PM_PRESENT;
    p->npages++;
    return slot_rights(*slot) ? proc_give_page(p, page, va, slot_rights(*slot)) : SUCCESS;
}

static unsigned page_add(struct proc *p, uint64_t va, uint64_t page, unsigned perm)
{
    return page_add_as(p, va, page, perm, 0);
}

/* Whatever p has at va out of its address space (other processes holding the page keep it). */
static void page_unmap(struct proc *p, uint64_t va)
{
    fc_revoke(CRD(CRD_MEM, 0, 0, va >> PAGE_SHIFT), REVOKE_SELF | REVOKE_REMOTE, p->sel + SEL_PD);
}

/* The page at slot goes: out of p, back to our free pages once nobody holds it. */
static void page_drop(struct proc *p, uint64_t va, uint64_t *slot)
{
    page_unmap(p, va);
    page_release(*slot);
    *slot = 0;
    p->npages--;
}

/*
 * p writes to a page it shares: it gets a copy of its own, delegated writable (or, when the
 * others have let go meanwhile, the page itself). OOM if there is no page for the copy.
 */
static unsigned cow_break(struct proc *p, uint64_t va, uint64_t *slot)
{
    uint64_t old = *slot & PM_PAGE, page = old;
    fc_spin_lock(&shared_lock);
    bool alone = !shared[shared_find(old)].page;        /* the others are gone: it is p's alone */
    fc_spin_unlock(&shared_lock);
    if (!alone) {
        if (!(page = fc_page_alloc()))
            return OOM;
        memcpy((void *)page, (const void *)old, PAGE_SIZE);
        page_release(*slot);
    }
    page_unmap(p, va);
    *slot = page | (*slot & PM_PERM) | PM_PRESENT;
    return slot_rights(*slot) ? proc_give_page(p, page, va, slot_rights(*slot)) : SUCCESS;
}

unsigned proc_map(struct proc *p, uint64_t va, uint64_t n, unsigned perm)
{
    if (va & 0xfff || va + n * PAGE_SIZE < va)
        return OOM;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t *slot = proc_pmap_slot(p, va + i * PAGE_SIZE);
        if (slot && (*slot & PM_PRESENT))
            return BAD_PAR;
    }
    for (uint64_t i = 0; i < n; i++) {
        unsigned s = page_add(p, va + i * PAGE_SIZE, 0, perm);
        if (s != SUCCESS)
            return s;
    }
    return SUCCESS;
}

/*
 * Unmapping many pages: the process's mappings go by runs, a revoke of an aligned block of its
 * pages at a time (each revoke is one TLB shootdown), then our pages are freed.
 */
struct run { uint64_t start, end; };

static void revoke_run(struct proc *p, const struct run *r)
{
    for (uint64_t va = r->start; va < r->end;) {
        unsigned order = 0;
        while (order < 30 && !(va & ((PAGE_SIZE << (order + 1)) - 1)) && va + (PAGE_SIZE << (order + 1)) <= r->end)
            order++;
        fc_revoke(CRD(CRD_MEM, 0, order, va >> PAGE_SHIFT), REVOKE_SELF | REVOKE_REMOTE, p->sel + SEL_PD);
        va += PAGE_SIZE << order;
    }
}

static void run_fn(struct proc *p, uint64_t va, uint64_t *slot, void *ctx)
{
    (void)slot;
    struct run *r = ctx;
    if (va != r->end) {
        revoke_run(p, r);
        r->start = va;
    }
    r->end = va + PAGE_SIZE;
}

static void page_free_fn(struct proc *p, uint64_t va, uint64_t *slot, void *ctx)
{
    (void)va;
    (void)ctx;
    page_release(*slot);
    *slot = 0;
    p->npages--;
}

void proc_unmap(struct proc *p, uint64_t va, uint64_t n)
{
    struct run r = { 0, 0 };
    uint64_t end = va + n * PAGE_SIZE;
    if (!pmap_range(p, va, end, run_fn, &r))
        return;
    revoke_run(p, &r);
    pmap_range(p, va, end, page_free_fn, NULL);
}

/* Delegate the page at slot again with perm (0: taken away, kept; shared: without MEM_W). */
static unsigned page_reprotect(struct proc *p, uint64_t va, uint64_t *slot, unsigned perm)
{
    page_unmap(p, va);
    *slot = (*slot & ~PM_PERM) | perm;
    return slot_rights(*slot) ? proc_give_page(p, *slot & PM_PAGE, va, slot_rights(*slot)) : SUCCESS;
}

struct reprotect { unsigned perm, status; };
static void page_reprotect_fn(struct proc *p, uint64_t va, uint64_t *slot, void *ctx)
{
    struct reprotect *r = ctx;
    if ((*slot & PM_PERM) != r->perm && r->status == SUCCESS)
        r->status = page_reprotect(p, va, slot, r->perm);
}

unsigned proc_protect(struct proc *p, uint64_t va, uint64_t n, unsigned perm)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t *slot = proc_pmap_slot(p, va + i * PAGE_SIZE);
        if (!slot || !(*slot & PM_PRESENT))
            return BAD_PAR;
    }
    for (uint64_t i = 0; i < n; i++) {
        unsigned s = page_reprotect(p, va + i * PAGE_SIZE, proc_pmap_slot(p, va + i * PAGE_SIZE), perm);
        if (s != SUCCESS)
            return s;
    }
    return SUCCESS;
}

/*
 * fork's memory: each page of src shared with dst (both hold it, PM_COW), or copied when the
 * table of shared pages is full. src's pages that were writable lose MEM_W afterwards
 * (reshare_fn), so that a write of either process breaks the sharing (cow_break).
 */
struct copy { struct proc *dst; unsigned status; };
static void page_copy_fn(struct proc *src, uint64_t va, uint64_t *slot, void *ctx)
{
    (void)src;
    struct copy *c = ctx;
    if (c->status != SUCCESS)
        return;
    uint64_t page = *slot & PM_PAGE;
    if (shared_hold(page)) {
        *slot |= PM_COW;
        c->status = page_add_as(c->dst, va, page, (unsigned)(*slot & PM_PERM), PM_COW);
        return;
    }
    if (!(page = fc_page_alloc())) {
        c->status = OOM;
        return;
    }
    memcpy((void *)page, (const void *)(*slot & PM_PAGE), PAGE_SIZE);
    c->status = page_add(c->dst, va, page, (unsigned)(*slot & PM_PERM));
}

/* A page that was writable and is shared now. */
static bool lost_write(uint64_t slot)
{
    return (slot & PM_COW) && (slot & MEM_W);
}

/* Runs of such pages (as run_fn's, the others left out), each revoked when it ends. */
static void lost_write_run_fn(struct proc *p, uint64_t va, uint64_t *slot, void *ctx)
{
    if (lost_write(*slot))
        run_fn(p, va, slot, ctx);
}

static void reshare_fn(struct proc *p, uint64_t va, uint64_t *slot, void *ctx)
{
    (void)ctx;
    if (lost_write(*slot))
        proc_give_page(p, *slot & PM_PAGE, va, slot_rights(*slot));
}

unsigned proc_copy_memory(struct proc *dst, struct proc *src)
{
    struct copy c = { dst, SUCCESS };
    pmap_range(src, 0, USER_END, page_copy_fn, &c);
    /* src's writable shared pages: all out at once (a revoke per run of pages), back read-only */
    struct run r = { 0, 0 };
    pmap_range(src, 0, USER_END, lost_write_run_fn, &r);
    if (r.end)
        revoke_run(src, &r);
    pmap_range(src, 0, USER_END, reshare_fn, NULL);
    memcpy(dst->areas, src->areas, sizeof src->areas[0] * src->nareas);
    dst->nareas = src->nareas;
    return c.status;
}

void proc_unmap_everything(struct proc *p)
{
    proc_unmap(p, 0, USER_END >> PAGE_SHIFT);
    p->nareas = 0;
}

/* Everything it has goes (the teardown: its PD is gone already, and with it every mapping). */
static void page_free_walk(struct proc *p, uint64_t va, uint64_t *slot)
{
    page_free_fn(p, va, slot, NULL);
}

void proc_unmap_all(struct proc *p)
{
    pmap_walk(p, page_free_walk, true);
    p->npages = 0;
    p->nareas = 0;
}

/* ---- areas: what it may touch, given on first touch ---------------------------------- */

/*
 * An area is a range the process asked for (mmap, brk, its stack) with the
 * rights it asked for; a page of it becomes present when the process first
 * touches it (proc_fault_in) or when we copy into or out of it. Reserving
 * costs nothing: a program may ask for gigabytes and use a page.
 */
static struct proc_area *area_at(struct proc *p, uint64_t va)
{
    for (unsigned i = 0; i < p->nareas; i++)
        if (va >= p->areas[i].start && va < p->areas[i].end)
            return &p->areas[i];
    return NULL;
}

/* Split the area around va so that va starts one (false: no room for another area). */
static bool area_split(struct proc *p, uint64_t va)
{
    struct proc_area *a = area_at(p, va);
    if (!a || a->start == va)
        return true;
    if (p->nareas == PROC_MAX_AREAS)
        return false;
    struct proc_area *b = &p->areas[p->nareas++];
    *b = *a;
    b->start = va;
    a->end = va;
    return true;
}

/* Take [va, end) out of the areas (its pages stay: the caller decides). */
static bool area_cut(struct proc *p, uint64_t va, uint64_t end)
{
    if (!area_split(p, va) || !area_split(p, end))
        return false;
    for (unsigned i = 0; i < p->nareas; )
        if (p->areas[i].start >= va && p->areas[i].end <= end)
            p->areas[i] = p->areas[--p->nareas];
        else
            i++;
    return true;
}

unsigned proc_area_add(struct proc *p, uint64_t va, uint64_t n, unsigned perm)
{
    uint64_t end = va + n * PAGE_SIZE;
    if (va & 0xfff || end < va || end > USER_END)
        return BAD_PAR;
    if (!area_cut(p, va, end))
        return OOM;
    for (unsigned i = 0; i < p->nareas; i++) {         /* grow a neighbour with the same rights */
        struct proc_area *a = &p->areas[i];
        if (a->perm == perm && (a->end == va || a->start == end)) {
            a->start = a->start < va ? a->start : va;
            a->end = a->end > end ? a->end : end;
            return SUCCESS;
        }
    }
    if (p->nareas == PROC_MAX_AREAS)
        return OOM;
    p->areas[p->nareas++] = (struct proc_area){ va, end, perm };
    return SUCCESS;
}

void proc_area_remove(struct proc *p, uint64_t va, uint64_t n)
{
    area_cut(p, va, va + n * PAGE_SIZE);
    proc_unmap(p, va, n);
}

/* Is every page of [va, end) in an area or present? Gaps between areas are checked page by page. */
static bool range_covered(struct proc *p, uint64_t va, uint64_t end)
{
    while (va < end) {
        struct proc_area *a = area_at(p, va);
        if (a) {
            va = a->end;
            continue;
        }
        uint64_t gap_end = end;                          /* up to the next area that starts inside */
        for (unsigned i = 0; i < p->nareas; i++)
            if (p->areas[i].start > va && p->areas[i].start < gap_end)
                gap_end = p->areas[i].start;
        if (pmap_range(p, va, gap_end, NULL, NULL) != (gap_end - va) / PAGE_SIZE)
            return false;
        va = gap_end;
    }
    return true;
}

unsigned proc_area_protect(struct proc *p, uint64_t va, uint64_t n, unsigned perm)
{
    uint64_t end = va + n * PAGE_SIZE;
    if (end < va || !range_covered(p, va, end))
        return BAD_PAR;                                  /* some of it neither asked for nor there */
    if (!area_split(p, va) || !area_split(p, end))
        return OOM;
    for (unsigned i = 0; i < p->nareas; i++)
        if (p->areas[i].start >= va && p->areas[i].end <= end)
            p->areas[i].perm = perm;
    struct reprotect r = { perm, SUCCESS };
    pmap_range(p, va, end, page_reprotect_fn, &r);
    return r.status;
}

bool proc_mapped(struct proc *p, uint64_t va)
{
    uint64_t *slot = proc_pmap_slot(p, va & ~0xfffUL);
    return area_at(p, va) || (slot && (*slot & PM_PRESENT));
}

/* A present page discarded: an area's goes (zero on the next touch), another is cleared. */
static void page_discard_fn(struct proc *p, uint64_t va, uint64_t *slot, void *ctx)
{
    (void)ctx;
    if (area_at(p, va))
        page_drop(p, va, slot);
    else if (!(*slot & PM_COW) || cow_break(p, va, slot) == SUCCESS)
        memset((void *)(*slot & PM_PAGE), 0, PAGE_SIZE);
}

void proc_discard(struct proc *p, uint64_t va, uint64_t n)
{
    pmap_range(p, va, va + n * PAGE_SIZE, page_discard_fn, NULL);
}

#define FAULT_AROUND 8                            /* pages given per fault, where the area goes on */

/*
 * A fresh zeroed page for va if an area allows `need` there (MEM_* bits); a write to a page
 * shared since a fork that the process may write: its own copy (cow_break); false: a real
 * fault. The next few pages of the area come with a fresh page (a program that touches a page
 * mostly touches the next one too: one fault instead of several).
 */
bool proc_fault_in(struct proc *p, uint64_t va, unsigned need)
{
    struct proc_area *a = area_at(p, va);
    uint64_t page = va & ~0xfffUL, *slot = proc_pmap_slot(p, page);
    if (slot && (*slot & PM_PRESENT)) {
        if (!(need & ~slot_rights(*slot)))
            return true;                /* another thread's fault on this page gave it meanwhile: again */
        return (*slot & PM_COW) && !(need & ~(*slot & PM_PERM)) && (need & MEM_W) &&
               cow_break(p, page, slot) == SUCCESS;
    }
    if (!a || (need & ~a->perm))
        return false;
    if (page_add(p, page, 0, a->perm) != SUCCESS)
        return false;
    for (unsigned i = 1; i < FAULT_AROUND && page + i * PAGE_SIZE < a->end; i++) {
        slot = proc_pmap_slot(p, page + i * PAGE_SIZE);
        if ((slot && (*slot & PM_PRESENT)) || page_add(p, page + i * PAGE_SIZE, 0, a->perm) != SUCCESS)
            break;
    }
    return true;
}

/* proc_user_window's and proc_window's other cases (process.h): the page faulted in, or
 * made the process's own copy first, or 0. */
uint64_t proc_window_slow(struct proc *p, uint64_t va, bool write, bool as_process)
{
    uint64_t *slot = proc_pmap_slot(p, va & ~0xfffUL);
    if (!(slot && (*slot & PM_PRESENT))) {
        if (!proc_fault_in(p, va, 0))
            return 0;
        slot = proc_pmap_slot(p, va & ~0xfffUL);   /* the fault made it */
    }
    if (as_process && !(*slot & (write ? MEM_W : MEM_R)))
        return 0;
    if (write && (*slot & PM_COW) && cow_break(p, va & ~0xfffUL, slot) != SUCCESS)
        return 0;
    return (*slot & PM_PAGE) + (va & 0xfff);
}

uint64_t proc_window(struct proc *p, uint64_t va)
{
    return proc_window_at(p, va, true, false);
}

/* Copy len bytes between the process's va and buf (into the process when `to_proc`), page by page. */
static bool proc_copy(struct proc *p, uint64_t va, uint8_t *buf, uint64_t len, bool to_proc)
{
    while (len) {
        uint64_t w = proc_window_at(p, va, to_proc, true), chunk = PAGE_SIZE - (va & 0xfff);
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

unsigned proc_share_large(struct proc *p, uint64_t chunk, unsigned perm)
{
    if (!chunk)
        return OOM;
    p->large = chunk;                    /* not ours to free: fc_large_chunk() stays reserved */
    return fc_delegate(SEL_ROOT_PD, p->sel + SEL_PD, CRD(CRD_MEM, perm, 9, fc_window_page(chunk)),
                       CRD(CRD_MEM, perm, 9, APP_SHARED >> 12));
}

unsigned proc_share_page(struct proc *p, unsigned perm, uint64_t fill)
{
    uint64_t page = fc_page_alloc();
    if (!page)
        return OOM;
    for (unsigned i = 0; i < 512; i++)
        ((uint64_t *)page)[i] = fill;
    unsigned s = page_add(p, APP_SHARED, page, perm);
    p->shared = s == SUCCESS ? page : 0;         /* else freed, or p's to free at the teardown */
    return s;
}

/* The loader: a page of ours (filled already) at va with perm. */
unsigned proc_add_page(struct proc *p, uint64_t va, uint64_t page, unsigned perm)
{
    return page_add(p, va, page, perm);
}


/* ---- mremap ----------------------------------------------------------------------------- */

int proc_area_perm(struct proc *p, uint64_t va)
{
    struct proc_area *a = area_at(p, va);
    return a ? (int)a->perm : -1;
}

bool proc_range_free(struct proc *p, uint64_t va, uint64_t n)
{
    uint64_t end = va + n * PAGE_SIZE;
    for (unsigned i = 0; i < p->nareas; i++)
        if (p->areas[i].start < end && p->areas[i].end > va)
            return false;
    return !pmap_range(p, va, end, NULL, NULL);
}

struct move { uint64_t from, to; unsigned status; };

/* A page of the old range into its slot at the new place (mapped there as it was before). */
static void page_move_fn(struct proc *p, uint64_t va, uint64_t *slot, void *ctx)
{
    struct move *m = ctx;
    uint64_t *dst = m->status == SUCCESS ? pmap_slot_make(p, va - m->from + m->to) : NULL;
    if (!dst) {
        m->status = OOM;
        page_release(*slot);                             /* lost with the old range */
    } else {
        *dst = *slot;
        p->npages++;
        if (slot_rights(*dst))
            proc_give_page(p, *dst & PM_PAGE, va - m->from + m->to, slot_rights(*dst));
    }
    *slot = 0;
    p->npages--;
}

unsigned proc_area_move(struct proc *p, uint64_t from, uint64_t n, uint64_t to, uint64_t m)
{
    struct proc_area *a = area_at(p, from);
    uint64_t end = from + n * PAGE_SIZE;
    if (!a || a->end < end || end < from)
        return BAD_PAR;
    unsigned perm = a->perm, st = proc_area_add(p, to, m, perm);
    if (st != SUCCESS)
        return st;
    struct run r = { 0, 0 };                             /* the old mappings out, a run at a time */
    pmap_range(p, from, end, run_fn, &r);
    if (r.end)
        revoke_run(p, &r);
    struct move mv = { from, to, SUCCESS };
    pmap_range(p, from, end, page_move_fn, &mv);
    area_cut(p, from, end);
    return mv.status;
}
