// SPDX-License-Identifier: MIT
/* obj/kobj.c — slab caches for the kernel objects, backed by the frame allocator. */
#include "kobj.h"
#include "slab.h"
#include "frame.h"
#include "pd.h"
#include "ec.h"
#include "sc.h"
#include "sm.h"
#include "pt.h"

static void *backend_alloc(void *ctx) { (void)ctx; return page_alloc(); }
static void backend_free(void *ctx, void *page) { (void)ctx; page_free(page); }
static const struct slab_backend frames = { backend_alloc, backend_free, NULL };

static struct slab_cache caches[OBJ_TYPES];
static uint32_t next_id[OBJ_TYPES];
static const char *const names[OBJ_TYPES] = { "none", "pd", "ec", "sc", "pt", "sm" };
static const uint32_t sizes[OBJ_TYPES] = {
    0, sizeof(struct pd), sizeof(struct ec), sizeof(struct sc), sizeof(struct pt), sizeof(struct sm) };

const char *kobj_type_name(enum obj_type type)
{
    return type < OBJ_TYPES ? names[type] : "?";
}

void kobj_cache_init(void)
{
    for (int t = OBJ_PD; t < OBJ_TYPES; t++)
        slab_cache_init(&caches[t], names[t], sizes[t], &frames);
}

void kobj_init(struct kobj *o, enum obj_type type)
{
    o->type = (uint8_t)type;
    o->refs = 0;
    o->id = ++next_id[type];
}

void *kobj_alloc(enum obj_type type)
{
    struct kobj *o = slab_alloc(&caches[type]);
    if (o)
        kobj_init(o, type);
    return o;
}

void kobj_report(void)
{
    kprintf("[mm] objects in use: pd %lu, ec %lu, sc %lu, pt %lu, sm %lu; %lu frames free\n",
            caches[OBJ_PD].objs_in_use, caches[OBJ_EC].objs_in_use, caches[OBJ_SC].objs_in_use,
            caches[OBJ_PT].objs_in_use, caches[OBJ_SM].objs_in_use, frame_free_count());
}

void kobj_free(void *obj)
{
    struct kobj *o = obj;
    slab_free(&caches[o->type], obj);
}
