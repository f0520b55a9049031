// SPDX-License-Identifier: MIT
/* src/proc/memory.c — a process's memory: pages given and taken, and copies in and out of it. */
#include <string.h>
#include "proc/internal.h"
#include "facet/app.h"
#include "facet/mem.h"

/* Pages are tracked in two parallel arrays: pages[i] (our window address) is at page_va[i]. */
unsigned proc_give_page(struct proc *p, uint64_t page, uint64_t va, unsigned perm)
{
    return fc_delegate(SEL_ROOT_PD, p->sel + SEL_PD, CRD(CRD_MEM, perm, 0, fc_window_page(page)),
                       CRD(CRD_MEM, perm, 0, va >> PAGE_SHIFT));
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
        unsigned s = proc_give_page(p, page, va + i * PAGE_SIZE, perm);
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
            unsigned s = perm ? proc_give_page(p, p->pages[j], p->page_va[j], perm) : SUCCESS;
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
    uint64_t page = p->npages < PROC_MAX_PAGES ? fc_page_alloc() : 0;
    if (!page)
        return OOM;
    for (unsigned i = 0; i < 512; i++)
        ((uint64_t *)page)[i] = fill;
    p->page_va[p->npages] = APP_SHARED;
    p->pages[p->npages++] = page;
    p->shared = page;
    return proc_give_page(p, page, APP_SHARED, perm);
}

