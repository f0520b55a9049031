// SPDX-License-Identifier: MIT
/* src/linux/mem.c — brk, mmap (anonymous, and private copies of files), munmap, mprotect, madvise. */
/*
 * What a program asks for becomes an area of its process (src/proc/memory.c): its pages come
 * on first touch, so reserving costs nothing (Go reserves hundreds of GiB, glibc an 8 MiB
 * thread stack); a file mapping's pages are filled at once. The limit is the machine's memory.
 */
#include <string.h>
#include "linux/linux.h"
#include "fs/fs.h"
#include "facet/app.h"

#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4
#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_TYPE      0x0f
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MMAP_BASE     0x0000100000000000UL      /* mappings grow up from here */
#define MMAP_END      0x0000700000000000UL

/* PROT_* rights as MEM_* permissions, R always: a present x86 page is readable. */
static unsigned perm_of(uint64_t prot)
{
    return MEM_R | ((prot & PROT_WRITE) ? MEM_W : 0) | ((prot & PROT_EXEC) ? MEM_X : 0);
}

#define BRK_MAX (1UL << 30)                       /* the heap's room above the image */

/* brk: the program break starts at the end of the image; growing adds to its area. */
int64_t lx_brk(struct linux_proc *lp, struct utcb_exc *x)
{
    struct proc *p = lp->p;
    if (!lp->brk_start)
        lp->brk_start = lp->brk = p->image_end;
    uint64_t want = x->rdi;
    if (want < lp->brk_start || want > lp->brk_start + BRK_MAX)
        return (int64_t)lp->brk;                  /* a query, or out of range: Linux returns the old break */
    uint64_t old_top = lx_page_up(lp->brk), new_top = lx_page_up(want);
    if (new_top > old_top && proc_area_add(p, old_top, (new_top - old_top) / PAGE_SIZE, MEM_R | MEM_W) != SUCCESS)
        return (int64_t)lp->brk;                  /* no room for the area: the break stays */
    if (new_top < old_top)
        proc_area_remove(p, new_top, (old_top - new_top) / PAGE_SIZE);
    lp->brk = want;
    return (int64_t)want;
}

/* A private file mapping: the file's bytes from off, copied into the fresh pages at va. */
static int64_t fill_from_file(struct linux_proc *lp, struct fs_node *n, uint64_t off, uint64_t va, uint64_t len)
{
    for (uint64_t done = 0; done < len && off + done < n->size; done += PAGE_SIZE) {
        int64_t r = fs_read(n, off + done, (void *)proc_window(lp->p, va + done),
                            len - done < PAGE_SIZE ? len - done : PAGE_SIZE);
        if (r < 0)
            return r;
    }
    return 0;
}

/* The next free place for n pages from MMAP_BASE up, a guard page after it; 0 if none is left. */
static uint64_t mmap_place(struct linux_proc *lp, uint64_t n)
{
    if (!lp->mmap_next)
        lp->mmap_next = MMAP_BASE;
    uint64_t va = lp->mmap_next;
    if (n * PAGE_SIZE > MMAP_END - va - PAGE_SIZE)
        return 0;
    lp->mmap_next += (n + 1) * PAGE_SIZE;
    return va;
}

/* May a mapping of n pages go to addr (MAP_FIXED, MREMAP_FIXED)? */
static bool fixed_ok(uint64_t addr, uint64_t n)
{
    return lx_page_aligned(addr) && addr >= USER_BASE && addr <= MMAP_END && n * PAGE_SIZE <= MMAP_END - addr;
}

/*
 * mmap: an area at addr (MAP_FIXED: replacing what was there) or at the next free place from
 * MMAP_BASE up, zeroed pages on first touch, or at once a private copy of the file from off;
 * the rights asked for. Its address; or -errno, with the range left unmapped once the mapping
 * has begun.
 */
int64_t lx_mmap(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t addr = x->rdi, len = x->rsi, prot = x->rdx, flags = x->r10, off = x->r9;
    uint64_t type = flags & MAP_TYPE;
    if (!len || len > MMAP_END - MMAP_BASE || !lx_page_aligned(off) || (type != MAP_PRIVATE && type != MAP_SHARED))
        return -LX_EINVAL;
    struct fs_node *file = NULL;
    if (!(flags & MAP_ANONYMOUS)) {
        struct lx_file *f = file_of(lp, x->r8);
        if (!f)
            return -LX_EBADF;
        file = f->node;
        if (!file || file->type != FS_FILE)
            return -LX_ENODEV;                    /* the console, a directory: nothing to map */
        if (type == MAP_SHARED && (prot & PROT_WRITE))
            return -LX_ENODEV;                    /* writes through a mapping into the file: not supported */
        if ((f->flags & O_ACCMODE) == O_WRONLY)
            return -LX_EACCES;
    }
    uint64_t n = lx_pages(len), va;
    if (flags & MAP_FIXED) {
        if (!fixed_ok(addr, n))
            return -LX_EINVAL;
        proc_area_remove(lp->p, addr, n);         /* MAP_FIXED replaces what was there */
        proc_unmap(lp->p, addr, n);               /* (the image's pages too) */
        va = addr;
    } else if (!(va = mmap_place(lp, n))) {
        return -LX_ENOMEM;
    }
    unsigned perm = prot & (PROT_READ | PROT_WRITE | PROT_EXEC) ? perm_of(prot) : 0;
    if (!file)
        return proc_area_add(lp->p, va, n, perm) == SUCCESS ? (int64_t)va : -LX_ENOMEM;
    /* A file's copy: writable pages first so its bytes can go in; then the rights asked for. */
    if (proc_area_add(lp->p, va, n, MEM_R | MEM_W) != SUCCESS ||
        fill_from_file(lp, file, off, va, n * PAGE_SIZE) < 0 ||
        (perm != (MEM_R | MEM_W) && proc_area_protect(lp->p, va, n, perm) != SUCCESS)) {
        proc_area_remove(lp->p, va, n);
        return -LX_ENOMEM;
    }
    return (int64_t)va;
}

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED   2

/* Does the area at old grow by `more` pages where it is? The pages after it must be free. */
static bool grow_in_place(struct linux_proc *lp, uint64_t old, uint64_t n, uint64_t more, unsigned perm)
{
    uint64_t at = old + n * PAGE_SIZE;
    if (more * PAGE_SIZE > MMAP_END - at || !proc_range_free(lp->p, at, more))
        return false;
    if (proc_area_add(lp->p, at, more, perm) != SUCCESS)
        return false;
    uint64_t end = at + more * PAGE_SIZE;
    if (end + PAGE_SIZE > lp->mmap_next)
        lp->mmap_next = end + PAGE_SIZE;          /* later mappings go after it */
    return true;
}

/*
 * mremap: a mapping made smaller (its tail goes), larger where it is (when the pages after it
 * are free), or moved with its pages (MREMAP_MAYMOVE: to a free place; with MREMAP_FIXED: to
 * new_addr, replacing what was there). Its address, or -errno: not one mapping -EFAULT, no
 * room where it is and not allowed to move -ENOMEM.
 */
int64_t lx_mremap(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t old = x->rdi, old_len = x->rsi, new_len = x->rdx, flags = x->r10, new_addr = x->r8;
    if (!lx_page_aligned(old) || !old_len || !new_len || (flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
        ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) || old_len > MMAP_END || new_len > MMAP_END)
        return -LX_EINVAL;
    struct proc *p = lp->p;
    uint64_t n = lx_pages(old_len), m = lx_pages(new_len);
    int perm = proc_area_perm(p, old);
    if (perm < 0)
        return -LX_EFAULT;
    if (!(flags & MREMAP_FIXED)) {
        if (m <= n) {
            proc_area_remove(p, old + m * PAGE_SIZE, n - m);
            return (int64_t)old;
        }
        if (grow_in_place(lp, old, n, m - n, (unsigned)perm))
            return (int64_t)old;
        if (!(flags & MREMAP_MAYMOVE))
            return -LX_ENOMEM;
    }
    uint64_t to = new_addr;
    if (flags & MREMAP_FIXED) {
        if (!fixed_ok(to, m) || (to < old + n * PAGE_SIZE && old < to + m * PAGE_SIZE))
            return -LX_EINVAL;                    /* the new place overlaps the old one */
        proc_area_remove(p, to, m);
        proc_unmap(p, to, m);
    } else if (!(to = mmap_place(lp, m))) {
        return -LX_ENOMEM;
    }
    uint64_t moved = n < m ? n : m;
    unsigned st = proc_area_move(p, old, moved, to, m);
    if (st == BAD_PAR)
        return -LX_EFAULT;                        /* the old range is not all one mapping's */
    proc_area_remove(p, old, n);                  /* what is left of it (a shrinking move's tail) */
    return st == SUCCESS ? (int64_t)to : -LX_ENOMEM;
}

/* munmap: the areas in the range go, with their pages (and the image's pages there); holes are fine. */
int64_t lx_munmap(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t addr = x->rdi, len = x->rsi;
    if (!lx_page_aligned(addr) || !len || len > MMAP_END || addr + len < addr)
        return -LX_EINVAL;
    proc_area_remove(lp->p, addr, lx_pages(len));
    return 0;
}

/* mprotect: new rights for the areas and the pages in the range (none: taken away, kept). */
int64_t lx_mprotect(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t addr = x->rdi, len = x->rsi, prot = x->rdx;
    if (!lx_page_aligned(addr) || prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC) || len > MMAP_END)
        return -LX_EINVAL;
    if (!len)
        return 0;
    unsigned perm = prot ? perm_of(prot) : 0;
    unsigned s = proc_area_protect(lp->p, addr, lx_pages(len), perm);
    return s == SUCCESS ? 0 : s == BAD_PAR ? -LX_ENOMEM : -LX_ENOMEM;
}

#define MADV_DONTNEED 4

/*
 * madvise: advice, except MADV_DONTNEED: private pages read as zero afterwards, as on Linux (an
 * area's pages go and come back zeroed on the next touch; the image's are cleared).
 */
int64_t lx_madvise(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t addr = x->rdi, len = x->rsi, advice = x->rdx;
    if (!lx_page_aligned(addr) || len > MMAP_END || !(advice <= 25 || advice == 100 || advice == 101))
        return -LX_EINVAL;
    if (advice == MADV_DONTNEED)
        proc_discard(lp->p, addr, lx_pages(len));
    return 0;
}
