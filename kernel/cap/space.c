// SPDX-License-Identifier: MIT
/* cap/space.c — object-space lookup and insertion. */
#include "cap.h"
#include "pd.h"
#include "frame.h"
#include "uapi/hypercall.h"

static struct cap *slot(struct pd *pd, sel_t sel)
{
    if (sel >= SEL_MAX)
        return NULL;
    struct cap *leaf = pd->caps->leaf[sel / CAPS_PER_LEAF];
    return leaf ? &leaf[sel % CAPS_PER_LEAF] : NULL;
}

void *cap_get(struct pd *pd, sel_t sel, enum obj_type type, uint64_t perm)
{
    struct cap *c = slot(pd, sel);
    if (!c || !c->obj || c->obj->type != type || (c->perm & perm) != perm)
        return NULL;
    return c->obj;
}

bool cap_free(struct pd *pd, sel_t sel)
{
    if (sel >= SEL_MAX)
        return false;
    struct cap *c = slot(pd, sel);
    return !c || !c->obj;
}

int cap_reserve(struct pd *pd, sel_t sel)
{
    if (sel >= SEL_MAX)
        return BAD_CAP;
    struct cap **leaf = &pd->caps->leaf[sel / CAPS_PER_LEAF];
    if (!*leaf && !(*leaf = page_alloc()))
        return OOM;
    return SUCCESS;
}

int cap_insert(struct pd *pd, sel_t sel, struct kobj *obj, uint64_t perm)
{
    if (!cap_free(pd, sel))
        return BAD_CAP;
    int s = cap_reserve(pd, sel);
    if (s != SUCCESS)
        return s;
    struct cap *c = slot(pd, sel);
    c->obj = obj;
    c->perm = perm & PERM_ALL;
    obj->refs++;
    return SUCCESS;
}

void capspace_destroy(struct capspace *cs)
{
    for (unsigned i = 0; i < CAP_LEAVES; i++)
        if (cs->leaf[i])
            page_free(cs->leaf[i]);
    page_free(cs);
}
