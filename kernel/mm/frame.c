// SPDX-License-Identifier: MIT
/* mm/frame.c — finds free RAM in the boot memory map and serves it through the buddy allocator. */
#include "frame.h"
#include "countdown.h"
#include "buddy.h"
#include "memlayout.h"
#include "spinlock.h"
#include "slab.h"

extern char kernel_phys_start[], kernel_phys_end[];

static struct buddy buddy;
static struct spinlock frame_lock;
static uint64_t frames_total;                /* the kernel's pool */
static uint64_t pool_quota;                  /* frames the kernel keeps; the rest is the roottask's */
struct frame_range root_ranges[MAX_ROOT_RANGES];
unsigned root_range_count;
uint64_t root_frames;

/* RAM for the kernel's pool first, then for the roottask (contiguous ranges merged). */
static void give(uint64_t s, uint64_t e)
{
    uint64_t pages = (e - s) >> PAGE_SHIFT, k = MIN(pages, pool_quota - frames_total);
    if (k) {
        buddy_free_range(&buddy, s >> PAGE_SHIFT, k);
        frames_total += k;
        s += k << PAGE_SHIFT;
    }
    if (s >= e)
        return;
    struct frame_range *last = root_range_count ? &root_ranges[root_range_count - 1] : NULL;
    if (last && last->end == s)
        last->end = e;
    else if (root_range_count < MAX_ROOT_RANGES)
        root_ranges[root_range_count++] = (struct frame_range){ s, e };
    else
        return;                              /* beyond our table: left unused */
    root_frames += (e - s) >> PAGE_SHIFT;
}

/* Physical ranges that are RAM but not ours to hand out. */
struct range { uint64_t start, end; };
#define MAX_RESERVED (HIP_MAX_MODS + 4)
static struct range reserved[MAX_RESERVED];
static unsigned nreserved;

static void reserve(uint64_t start, uint64_t end)
{
    if (nreserved < MAX_RESERVED)
        reserved[nreserved++] = (struct range){ ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE) };
}

/* The reserved range overlapping [s, e) that starts first, or NULL. */
static const struct range *overlap(uint64_t s, uint64_t e)
{
    const struct range *first = NULL;
    for (unsigned i = 0; i < nreserved; i++)
        if (reserved[i].start < e && s < reserved[i].end &&
            (!first || reserved[i].start < first->start))
            first = &reserved[i];
    return first;
}

/* Usable part of a memory-map entry: page aligned, above 1 MiB, inside the direct map. */
static bool usable(const struct boot_mem *m, uint64_t *s, uint64_t *e)
{
    if (m->type != 1)
        return false;
    *s = MAX(ALIGN_UP(m->addr, PAGE_SIZE), 0x100000UL);
    *e = MIN(ALIGN_DOWN(m->addr + m->len, PAGE_SIZE), DIRECT_MAP_SIZE);
    return *s < *e;
}

/* Hand [s, e) minus the reserved ranges to the buddy allocator. */
static void free_ram(uint64_t s, uint64_t e)
{
    while (s < e) {
        const struct range *r = overlap(s, e);
        uint64_t stop = r ? MAX(r->start, s) : e;
        if (stop > s)
            give(s, stop);
        s = r ? r->end : e;
    }
}

/* Split the boot memory map's RAM into the kernel pool (buddy allocator) and the roottask's ranges. */
void frame_init(const struct boot_info *bi)
{
    reserve((uint64_t)kernel_phys_start, (uint64_t)kernel_phys_end);
    reserve(bi->info_start, bi->info_end);
    for (unsigned i = 0; i < bi->nmods; i++)
        reserve(bi->mods[i].start, bi->mods[i].end);

    uint64_t max_end = 0, s, e;
    for (unsigned i = 0; i < bi->nmem; i++)
        if (usable(&bi->mem[i], &s, &e))
            max_end = MAX(max_end, e);
    if (!max_end)
        panic("[mm] no usable RAM above 1 MiB in the memory map");

    /* Per-frame metadata for 0 .. max_end, placed in the first free gap that fits. */
    uint64_t npages = max_end >> PAGE_SHIFT;
    uint64_t meta_size = ALIGN_UP(npages * sizeof(struct buddy_page), PAGE_SIZE);
    uint64_t meta = 0;
    for (unsigned i = 0; i < bi->nmem && !meta; i++) {
        if (!usable(&bi->mem[i], &s, &e))
            continue;
        for (uint64_t at = s; at + meta_size <= e; ) {
            const struct range *r = overlap(at, at + meta_size);
            if (!r) {
                meta = at;
                break;
            }
            at = r->end;
        }
    }
    if (!meta)
        panic("[mm] no room for %lu KiB of frame metadata", meta_size >> 10);
    reserve(meta, meta + meta_size);

    /* A quarter of RAM (32 MiB at least, half at most) for kernel objects and page tables. */
    uint64_t usable_pages = 0;
    for (unsigned i = 0; i < bi->nmem; i++)
        if (usable(&bi->mem[i], &s, &e))
            usable_pages += (e - s) >> PAGE_SHIFT;
    pool_quota = MIN(MAX(usable_pages / 4, 8192UL), usable_pages / 2);

    buddy_init(&buddy, phys_to_virt(meta), 0, npages);
    for (unsigned i = 0; i < bi->nmem; i++)
        if (usable(&bi->mem[i], &s, &e))
            free_ram(s, e);
    kprintf("[mm] kernel pool %lu MiB (%lu frames free), roottask memory %lu MiB in %u ranges, metadata %lu KiB\n",
            (frames_total << PAGE_SHIFT) >> 20, buddy_free_count(&buddy), (root_frames << PAGE_SHIFT) >> 20,
            root_range_count, meta_size >> 10);
}

#ifdef FACET_FAIL_INJECTION
static uint64_t fail_countdown;              /* 0: disarmed; 1: the next allocation fails */

bool alloc_injected_failure(void)
{
    return countdown_hit(&fail_countdown);
}

uint64_t alloc_fail_at(uint64_t n)
{
    return countdown_set(&fail_countdown, n);
}
#endif

void *pages_alloc(unsigned order)
{
    if (alloc_injected_failure())
        return NULL;
    spin_lock(&frame_lock);
    int64_t pfn = buddy_alloc(&buddy, order);
    spin_unlock(&frame_lock);
    if (pfn < 0)
        return NULL;
    void *va = phys_to_virt((uint64_t)pfn << PAGE_SHIFT);
    memset(va, 0, PAGE_SIZE << order);
    return va;
}

void *page_alloc(void)
{
    return pages_alloc(0);
}

void pages_free(void *va, unsigned order)
{
    spin_lock(&frame_lock);
    buddy_free(&buddy, virt_to_phys(va) >> PAGE_SHIFT, order);
    spin_unlock(&frame_lock);
}

void page_free(void *va)
{
    pages_free(va, 0);
}

static void *frame_slab_alloc(void *ctx) { (void)ctx; return page_alloc(); }
static void frame_slab_free(void *ctx, void *page) { (void)ctx; page_free(page); }
const struct slab_backend frame_slab = { frame_slab_alloc, frame_slab_free, NULL };

uint64_t frame_free_count(void)
{
    return buddy_free_count(&buddy);
}

uint64_t frame_total_count(void)
{
    return frames_total;
}
