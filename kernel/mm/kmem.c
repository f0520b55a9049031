// SPDX-License-Identifier: MIT
/* mm/kmem.c — kernel memory accounted per PD (kmem.h). */
#include "kmem.h"
#include "pd.h"

bool kmem_fits(const struct pd *pd, uint64_t bytes)
{
    const struct kmem *k = &pd->acct->kmem;
    return bytes <= k->limit && k->used <= k->limit - bytes;
}

bool kmem_charge(struct pd *pd, uint64_t bytes)
{
    if (!kmem_fits(pd, bytes))
        return false;
    pd->acct->kmem.used += bytes;
    return true;
}

void kmem_refund(struct pd *pd, uint64_t bytes)
{
    struct kmem *k = &pd->acct->kmem;
    if (bytes > k->used)
        panic("[kmem] pd#%u refunds %lu bytes, its account (pd#%u) has %lu charged",
              pd->obj.id, bytes, pd->acct->obj.id, k->used);
    k->used -= bytes;
}

bool kmem_charge_space(struct pd *pd, uint64_t bytes)
{
    if (!kmem_charge(pd, bytes))
        return false;
    pd->space_bytes += bytes;
    return true;
}

void kmem_refund_space(struct pd *pd, uint64_t bytes)
{
    kmem_refund(pd, bytes);
    pd->space_bytes -= bytes;
}

/*
 * pd's account: its own, with `quota` bytes already charged to the creator's (quota > 0), or
 * the creator's. Either way pd holds a reference on the creator's account, which pays for it,
 * so that account outlives it. The roottask's PD (creator NULL) is its own account of `quota`
 * bytes.
 */
void kmem_account_set(struct pd *pd, struct pd *creator, uint64_t quota)
{
    pd->parent_acct = creator ? creator->acct : NULL;
    pd->acct = quota || !creator ? pd : pd->parent_acct;
    pd->kmem.limit = quota;
    if (pd->parent_acct)
        kobj_get(&pd->parent_acct->obj);
}

void kmem_account_release(struct pd *pd)
{
    if (!pd->acct)
        return;                                      /* it never got an account (pd_create failed) */
    kmem_refund(pd, pd->space_bytes);
    pd->space_bytes = 0;
    if (pd->acct == pd && pd->kmem.used)
        panic("[kmem] pd#%u is released with %lu bytes still charged to it", pd->obj.id, pd->kmem.used);
    if (pd->acct == pd && pd->parent_acct)
        kmem_refund(pd->parent_acct, pd->kmem.limit);   /* its quota goes back */
    if (pd->parent_acct)
        kobj_put(&pd->parent_acct->obj);
    pd->acct = pd->parent_acct = NULL;
}
