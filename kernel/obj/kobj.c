// SPDX-License-Identifier: MIT
/* obj/kobj.c — slab caches for the kernel objects, and their deaths and frees. */
#include "kobj.h"
#include "slab.h"
#include "frame.h"
#include "pd.h"
#include "ec.h"
#include "sc.h"
#include "sm.h"
#include "pt.h"

static struct slab_cache caches[OBJ_TYPES];
static uint32_t next_id[OBJ_TYPES];
static const char *const names[OBJ_TYPES] = { "none", "pd", "ec", "sc", "pt", "sm" };
static const uint32_t sizes[OBJ_TYPES] = {
    0, sizeof(struct pd), sizeof(struct ec), sizeof(struct sc), sizeof(struct pt), sizeof(struct sm) };

struct kobj *reap_list;

void kobj_cache_init(void)
{
    for (int t = OBJ_PD; t < OBJ_TYPES; t++)
        slab_cache_init(&caches[t], names[t], sizes[t], &frame_slab);
}

void kobj_init(struct kobj *o, enum obj_type type)
{
    o->type = (uint8_t)type;
    o->id = ++next_id[type];
}

void *kobj_alloc(enum obj_type type, struct pd *payer, uint64_t extra)
{
    uint64_t cost = sizes[type] + extra;
    if (alloc_injected_failure() || (payer && !kmem_charge(payer, cost)))
        return NULL;
    struct kobj *o = slab_alloc(&caches[type]);
    if (!o) {
        if (payer)
            kmem_refund(payer, cost);
        return NULL;
    }
    kobj_init(o, type);
    if (payer) {
        o->payer = payer->acct;
        o->cost = (uint32_t)cost;
        kobj_get(&o->payer->obj);
    }
    return o;
}

bool kobj_charge_more(struct kobj *o, uint64_t bytes)
{
    if (o->payer && !kmem_charge(o->payer, bytes))
        return false;
    o->cost += (uint32_t)bytes;
    return true;
}

void kobj_free(void *obj)
{
    struct kobj *o = obj;
    struct pd *payer = o->payer;
    uint32_t cost = o->cost;
    slab_free(&caches[o->type], obj);
    if (payer) {
        kmem_refund(payer, cost);
        kobj_put(&payer->obj);                     /* may queue the account's PD: kobj_reap goes on */
    }
}

void kobj_reap_queue(struct kobj *o)
{
    if (o->queued)
        return;
    o->queued = true;
    o->reap_next = reap_list;
    reap_list = o;
}

void kobj_cap_gone(struct kobj *o)
{
    if (--o->caps == 0)
        kobj_reap_queue(o);
}

/* Kill (last capability gone) and free (nothing refers to it): may queue more objects. */
void kobj_reap(void)
{
    while (reap_list) {
        struct kobj *o = reap_list;
        reap_list = o->reap_next;
        o->queued = false;
        if (o->caps)
            continue;                              /* it got a capability again meanwhile */
        if (!o->dead) {
            o->dead = true;
            switch (o->type) {
            case OBJ_PD: pd_die((struct pd *)o); break;
            case OBJ_EC: ec_die((struct ec *)o); break;
            case OBJ_SC: sc_die((struct sc *)o); break;
            case OBJ_SM: sm_die((struct sm *)o); break;
            default: break;
            }
        }
        if (o->refs)
            continue;                              /* freed when the last reference goes */
        switch (o->type) {
        case OBJ_PD: pd_release((struct pd *)o); break;
        case OBJ_EC: ec_release((struct ec *)o); break;
        case OBJ_SC: kobj_put(&((struct sc *)o)->ec->obj); break;
        case OBJ_PT: kobj_put(&((struct pt *)o)->ec->obj); break;
        default: break;
        }
        kobj_free(o);
    }
}

uint64_t kobj_in_use(void)
{
    uint64_t n = 0;
    for (int t = OBJ_PD; t < OBJ_TYPES; t++)
        n += caches[t].objs_in_use;
    return n;
}

void kobj_report(void)
{
    kprintf("[mm] objects in use: pd %lu, ec %lu, sc %lu, pt %lu, sm %lu; %lu frames free\n",
            caches[OBJ_PD].objs_in_use, caches[OBJ_EC].objs_in_use, caches[OBJ_SC].objs_in_use,
            caches[OBJ_PT].objs_in_use, caches[OBJ_SM].objs_in_use, frame_free_count());
}
