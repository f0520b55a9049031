/* SPDX-License-Identifier: MIT */
/* kobj.h — the header every kernel object starts with; lifetime by capabilities and references. */
#pragma once

#include "kernel.h"

enum obj_type { OBJ_NONE, OBJ_PD, OBJ_EC, OBJ_SC, OBJ_PT, OBJ_SM, OBJ_TYPES };
struct pd;

/*
 * An object lives while a capability names it (caps > 0). When the last
 * one goes it dies: it stops working (an SC is never scheduled again, an
 * EC never runs, a PD loses its capabilities and mappings). It is freed
 * once no kernel pointer holds it either (refs == 0): an SC still points
 * to its EC, a CPU to the EC it runs, a handler to the caller it serves.
 */
struct kobj {
    uint8_t  type;            /* enum obj_type */
    bool     dead;            /* the last capability is gone */
    bool     queued;          /* on the reap list */
    uint32_t caps;            /* capability slots naming it */
    uint32_t refs;            /* kernel pointers to it */
    uint32_t id;              /* a serial number for console reports (pd#3, ec#7) */
    uint32_t cost;            /* bytes charged to payer for it (kmem.h) */
    struct pd *payer;         /* the account that pays for it (a reference), NULL: the kernel */
    struct kobj *reap_next;
};

void  kobj_init(struct kobj *o, enum obj_type type);
/* A zeroed object from its slab cache, its size and `extra` bytes (pages it owns) charged to
 * payer's account (payer NULL: the kernel's own object); NULL on OOM or over the quota. */
void *kobj_alloc(enum obj_type type, struct pd *payer, uint64_t extra);
bool  kobj_charge_more(struct kobj *o, uint64_t bytes);  /* a page it takes later: to its payer */
void  kobj_free(void *obj);               /* back to its cache, its charge refunded */
void  kobj_cache_init(void);
void  kobj_report(void);                  /* [mm] line with objects in use per type */
uint64_t kobj_in_use(void);               /* all objects of all types */

static inline void kobj_get(struct kobj *o) { o->refs++; }
void kobj_reap_queue(struct kobj *o);     /* dead, uncapped and unreferenced: free it at the next kobj_reap */
/* Drop a kernel reference. */
static ALWAYS_INLINE void kobj_put(struct kobj *o)
{
    if (--o->refs == 0 && o->dead && o->caps == 0)
        kobj_reap_queue(o);
}
void kobj_cap_gone(struct kobj *o);       /* a capability naming it was removed */
void kobj_reap(void);                     /* kill and free what is due, without recursion */
static inline bool kobj_reap_pending(void) { extern struct kobj *reap_list; return reap_list != NULL; }
