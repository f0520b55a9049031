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
 * the creator's. Either way pd holds a reference on the account that pays for it, so that
 * account outlives it. The roottask's PD (creator NULL) is its own account of `quota` bytes.
 */
void kmem_account_set(struct pd *pd, struct pd *creator, uint64_t quota)
{
    if (quota || !creator) {
        pd->acct = pd;
        pd->kmem.limit = quota;
        pd->quota_from = creator ? creator->acct : NULL;
    } else {
        pd->acct = creator->acct;
    }
    struct pd *payer = pd->quota_from ? pd->quota_from : pd->acct;
    if (payer != pd)
        kobj_get(&payer->obj);
}

void kmem_account_release(struct pd *pd)
{
    if (!pd->acct)
        return;                                      /* it never got an account (pd_create failed) */
    kmem_refund(pd, pd->space_bytes);
    pd->space_bytes = 0;
    struct pd *payer = pd->quota_from ? pd->quota_from : pd->acct;
    if (pd->acct == pd && pd->kmem.used)
        panic("[kmem] pd#%u is released with %lu bytes still charged to it", pd->obj.id, pd->kmem.used);
    if (pd->quota_from)
        kmem_refund(pd->quota_from, pd->kmem.limit);
    pd->acct = NULL;
    pd->quota_from = NULL;
    if (payer != pd)
        kobj_put(&payer->obj);
}
