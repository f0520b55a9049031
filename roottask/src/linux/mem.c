// SPDX-License-Identifier: MIT
/* src/linux/mem.c — brk, anonymous private mmap, munmap, mprotect, madvise. */
#include "linux.h"
#include "facet/app.h"

#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MMAP_BASE     0x0000100000000000UL      /* mappings grow up from here */
#define MMAP_END      0x0000700000000000UL

static uint64_t pages_of(uint64_t len) { return (len + 4095) / 4096; }

static unsigned perm_of(uint64_t prot)
{
    return MEM_R | ((prot & PROT_WRITE) ? MEM_W : 0) | ((prot & PROT_EXEC) ? MEM_X : 0);
}

/* brk: the program break starts at the end of the image; growing maps zeroed pages. */
int64_t lx_brk(struct linux_proc *lp, struct utcb_exc *x)
{
    struct proc *p = lp->p;
    if (!lp->brk_start)
        lp->brk_start = lp->brk = p->image_end;
    uint64_t want = x->rdi;
    if (want < lp->brk_start || want > lp->brk_start + (64UL << 20))
        return (int64_t)lp->brk;                  /* a query, or out of range: Linux returns the old break */
    uint64_t old_top = (lp->brk + 4095) & ~4095UL, new_top = (want + 4095) & ~4095UL;
    if (new_top > old_top && proc_map(p, old_top, (new_top - old_top) / 4096, MEM_R | MEM_W) != SUCCESS)
        return (int64_t)lp->brk;                  /* no memory: the break stays */
    if (new_top < old_top)
        proc_unmap(p, new_top, (old_top - new_top) / 4096);
    lp->brk = want;
    return (int64_t)want;
}

int64_t lx_mmap(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t addr = x->rdi, len = x->rsi, prot = x->rdx, flags = x->r10;
    int64_t fd = (int64_t)x->r8;
    if (!len || len > (1UL << 32))
        return -LX_EINVAL;
    if (!(flags & MAP_ANONYMOUS) || fd != -1)
        return -LX_ENODEV;                        /* file mappings: not yet */
    if (!(flags & MAP_PRIVATE))
        return -LX_EINVAL;
    uint64_t n = pages_of(len), va;
    if (flags & MAP_FIXED) {
        if (addr & 4095 || addr < USER_BASE || addr + n * 4096 > MMAP_END)
            return -LX_EINVAL;
        proc_unmap(lp->p, addr, n);               /* MAP_FIXED replaces what was there */
        va = addr;
    } else {
        if (!lp->mmap_next)
            lp->mmap_next = MMAP_BASE;
        va = lp->mmap_next;
        if (va + n * 4096 > MMAP_END)
            return -LX_ENOMEM;
        lp->mmap_next += (n + 1) * 4096;          /* a guard page between mappings */
    }
    if (prot && proc_map(lp->p, va, n, perm_of(prot)) != SUCCESS) {
        proc_unmap(lp->p, va, n);
        return -LX_ENOMEM;
    }
    return (int64_t)va;
}

int64_t lx_munmap(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t addr = x->rdi, len = x->rsi;
    if (addr & 4095 || !len)
        return -LX_EINVAL;
    proc_unmap(lp->p, addr, pages_of(len));
    return 0;
}

/* mprotect and madvise: accepted (the pages keep the rights they were mapped with). */
int64_t lx_mprotect(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)lp;
    return x->rdi & 4095 ? -LX_EINVAL : 0;
}
