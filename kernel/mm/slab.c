/* SPDX-License-Identifier: MIT */
/* mm/slab.c — fixed-size object caches (pure logic, caller locks). */
#include "slab.h"

#define SLAB_MAGIC      0x51ab51ab0b1ec7edull   /* stored XORed with the owner's address */
#define SLAB_MAP_WORDS  4                       /* used-bitmap: up to 256 objects per page */

/* In-page header; the objects start at SLAB_DATA_OFF. */
struct slab_page {
    uint64_t magic;                     /* 0: SLAB_MAGIC ^ (uintptr_t)cache; 0 once returned */
    struct slab_cache *cache;           /* 8: owner */
    struct slab_page *next;             /* 16: on the owner's partial or full list */
    struct slab_page *prev;             /* 24 */
    uint32_t in_use;                    /* 32: live objects */
    uint32_t pad;                       /* 36 */
    uint64_t used[SLAB_MAP_WORDS];      /* 40: bit i = object i live; bits >= per_page stay set */
};

#define SLAB_DATA_OFF   ((sizeof(struct slab_page) + SLAB_ALIGN - 1) & ~(size_t)(SLAB_ALIGN - 1))
#define SLAB_MAX_PER    ((SLAB_PAGE_SIZE - SLAB_DATA_OFF) / SLAB_ALIGN)

_Static_assert(SLAB_DATA_OFF == 80, "slab header layout changed");
_Static_assert(SLAB_MAX_PER <= SLAB_MAP_WORDS * 64, "used-bitmap too small for 16-byte objects");
_Static_assert(SLAB_DATA_OFF + SLAB_MAX_OBJ <= SLAB_PAGE_SIZE, "largest object must fit a page");

/* The magic a page owned by c carries. */
static inline uint64_t slab_magic(const struct slab_cache *c)
{
    return SLAB_MAGIC ^ (uint64_t)(uintptr_t)c;
}

/* Bits set in x (no __builtin_popcount: it calls libgcc without -mpopcnt). */
static unsigned slab_bits(uint64_t x)
{
    unsigned n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* Push page pg onto the list at *head. */
static void slab_list_push(struct slab_page **head, struct slab_page *pg)
{
    pg->prev = NULL;
    pg->next = *head;
    if (*head)
        (*head)->prev = pg;
    *head = pg;
}

/* Unlink page pg from the list at *head. */
static void slab_list_del(struct slab_page **head, struct slab_page *pg)
{
    if (pg->prev)
        pg->prev->next = pg->next;
    else
        *head = pg->next;
    if (pg->next)
        pg->next->prev = pg->prev;
    pg->next = pg->prev = NULL;
}

/* Get a page from the backend, give it a header and put it on the partial list. */
static struct slab_page *slab_page_new(struct slab_cache *c)
{
    void *raw = c->backend->page_alloc(c->backend->ctx);
    if (!raw)
        return NULL;
    if ((uintptr_t)raw & (SLAB_PAGE_SIZE - 1)) {
        /* Masking object pointers would miss this header: refuse the page. */
        c->errors++;
        c->backend->page_free(c->backend->ctx, raw);
        return NULL;
    }

    struct slab_page *pg = raw;
    pg->magic = slab_magic(c);
    pg->cache = c;
    pg->in_use = 0;
    pg->pad = 0;
    /* Pre-set the bits past per_page so the free-bit search never finds them. */
    for (unsigned w = 0; w < SLAB_MAP_WORDS; w++) {
        unsigned lo = w * 64;
        if (c->per_page >= lo + 64)
            pg->used[w] = 0;
        else if (c->per_page <= lo)
            pg->used[w] = ~(uint64_t)0;
        else
            pg->used[w] = ~(uint64_t)0 << (c->per_page - lo);
    }
    slab_list_push(&c->partial, pg);
    c->pages++;
    return pg;
}

/* Set up an empty cache; an invalid size or backend leaves one that never allocates. */
void slab_cache_init(struct slab_cache *c, const char *name, uint32_t obj_size, const struct slab_backend *be)
{
    c->name = name;
    c->partial = NULL;
    c->full = NULL;
    c->objs_in_use = 0;
    c->pages = 0;
    c->errors = 0;
    c->backend = be;
    c->obj_size = 0;
    c->per_page = 0;
    if (obj_size == 0 || obj_size > SLAB_MAX_OBJ || !be || !be->page_alloc || !be->page_free) {
        c->errors = 1;
        return;
    }
    c->obj_size = (obj_size + SLAB_ALIGN - 1) & ~(SLAB_ALIGN - 1);
    c->per_page = (uint32_t)((SLAB_PAGE_SIZE - SLAB_DATA_OFF) / c->obj_size);
}

/* A zeroed, 16-byte aligned object, or NULL when the backend has no page. */
void *slab_alloc(struct slab_cache *c)
{
    if (c->per_page == 0)
        return NULL;
    struct slab_page *pg = c->partial;
    if (!pg && !(pg = slab_page_new(c)))
        return NULL;

    /* A partial page has a clear bit below per_page. */
    unsigned w = 0;
    while (pg->used[w] == ~(uint64_t)0)
        w++;
    unsigned bit = (unsigned)__builtin_ctzll(~pg->used[w]);
    pg->used[w] |= (uint64_t)1 << bit;
    if (++pg->in_use == c->per_page) {
        slab_list_del(&c->partial, pg);
        slab_list_push(&c->full, pg);
    }
    c->objs_in_use++;

    uint64_t *obj = (uint64_t *)((char *)pg + SLAB_DATA_OFF + (size_t)(w * 64 + bit) * c->obj_size);
    for (uint32_t i = 0; i < c->obj_size / sizeof(uint64_t); i++)
        obj[i] = 0;
    return obj;
}

/*
 * Return obj to its page; the page goes back to the backend when it empties.
 * NULL is a no-op; a pointer this cache did not hand out (other cache, not
 * an object boundary, already free) is counted in c->errors and ignored.
 */
void slab_free(struct slab_cache *c, void *obj)
{
    if (!obj)
        return;
    uintptr_t addr = (uintptr_t)obj;
    struct slab_page *pg = (struct slab_page *)(addr & ~(uintptr_t)(SLAB_PAGE_SIZE - 1));
    size_t off = addr - (uintptr_t)pg;
    if (c->per_page == 0 || pg->magic != slab_magic(c) || pg->cache != c ||
        off < SLAB_DATA_OFF || (off - SLAB_DATA_OFF) % c->obj_size != 0) {
        c->errors++;
        return;
    }
    size_t idx = (off - SLAB_DATA_OFF) / c->obj_size;
    uint64_t mask = (uint64_t)1 << (idx % 64);
    if (idx >= c->per_page || !(pg->used[idx / 64] & mask)) {
        c->errors++;
        return;
    }

    bool was_full = pg->in_use == c->per_page;
    pg->used[idx / 64] &= ~mask;
    pg->in_use--;
    c->objs_in_use--;
    slab_list_del(was_full ? &c->full : &c->partial, pg);
    if (pg->in_use > 0) {
        slab_list_push(&c->partial, pg);
        return;
    }
    /* Last object: forget the header so stale pointers fail the magic check. */
    pg->magic = 0;
    pg->cache = NULL;
    c->pages--;
    c->backend->page_free(c->backend->ctx, pg);
}

/* Check one page list: owner, links, bitmap against in_use; adds to the totals. */
static bool slab_check_list(const struct slab_cache *c, const struct slab_page *head, bool full,
                            uint64_t *pages, uint64_t *objs)
{
    const struct slab_page *prev = NULL;
    for (const struct slab_page *pg = head; pg; pg = pg->next) {
        if (++*pages > c->pages)
            return false;               /* also stops a cyclic list */
        if (pg->magic != slab_magic(c) || pg->cache != c || pg->prev != prev)
            return false;
        if ((uintptr_t)pg & (SLAB_PAGE_SIZE - 1))
            return false;
        if (full ? pg->in_use != c->per_page : (pg->in_use == 0 || pg->in_use >= c->per_page))
            return false;
        unsigned live = 0;
        for (unsigned w = 0; w < SLAB_MAP_WORDS; w++)
            live += slab_bits(pg->used[w]);
        if (live - (SLAB_MAP_WORDS * 64 - c->per_page) != pg->in_use)
            return false;
        *objs += pg->in_use;
        prev = pg;
    }
    return true;
}

/* Verify the lists and counts of c; for tests and debug builds. */
bool slab_check(const struct slab_cache *c)
{
    uint64_t pages = 0, objs = 0;
    if (!slab_check_list(c, c->partial, false, &pages, &objs) ||
        !slab_check_list(c, c->full, true, &pages, &objs))
        return false;
    return pages == c->pages && objs == c->objs_in_use;
}
