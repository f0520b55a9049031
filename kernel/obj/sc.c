// SPDX-License-Identifier: MIT
/* obj/sc.c — scheduling contexts: create_sc and sc_ctrl. */
#include "sc.h"
#include "sched.h"
#include "ipc.h"
#include "ec.h"
#include "pd.h"
#include "lapic.h"
#include "syscall.h"

/* create_sc: ARG1 = destination selector, ARG2 = PD, ARG3 = global EC, ARG4 = QPD(prio, quantum us). */
int sys_create_sc(struct ec *cur, struct cpu_regs *r)
{
    sel_t dst = hc_sel(r);
    uint64_t qpd = arg4(r);
    unsigned prio = QPD_PRIO(qpd);
    uint64_t quantum_us = QPD_QUANTUM(qpd);
    if (hc_flags(r))
        return BAD_PAR;
    struct pd *pd = cap_get(cur->pd, arg2(r), OBJ_PD, PERM_CREATE);
    if (!cap_free(cur->pd, dst) || !pd)
        return BAD_CAP;
    struct ec *ec = cap_get(cur->pd, arg3(r), OBJ_EC, PERM_CTRL);
    if (!ec)
        return BAD_CAP;
    if (!ec->global || ec->sc || ec->cont == CONT_DEAD)
        return BAD_PAR;
    if (prio < 1 || prio > PRIO_MAX || quantum_us < 100 || quantum_us > 10000000)
        return BAD_PAR;
    if (cap_reserve(cur->pd, dst) != SUCCESS)
        return OOM;
    struct sc *sc = kobj_alloc(OBJ_SC, pd, 0);
    if (!sc)
        return OOM;
    sc->ec = ec;
    kobj_get(&ec->obj);
    sc->cpu = ec->cpu;
    sc->prio = prio;
    sc->quantum = (uint32_t)MAX(1, quantum_us * TICK_HZ / 1000000);
    sc->left = sc->quantum;
    ec->sc = sc;
    cap_insert(cur->pd, dst, &sc->obj, PERM_ALL, NULL);
    sched_enqueue(sc);
    return SUCCESS;
}

/* sc_ctrl: ARG1 = SC selector; OUT2 = TSC ticks consumed so far. */
int sys_sc_ctrl(struct ec *cur, struct cpu_regs *r)
{
    if (hc_flags(r))
        return BAD_PAR;
    struct sc *sc = cap_get(cur->pd, hc_sel(r), OBJ_SC, PERM_CTRL);
    if (!sc)
        return BAD_CAP;
    set_out2(r, sc_consumed(sc));
    return SUCCESS;
}

/* The last capability is gone: never scheduled again. */
void sc_die(struct sc *sc)
{
    sched_dequeue(sc);
    chain_abort(sc->ec);                           /* handlers running on it give up */
    if (sc->ec->sc == sc)
        sc->ec->sc = NULL;
    if (cpus[sc->cpu].sc == sc && &cpus[sc->cpu] != this_cpu())
        sched_kick(sc->cpu);
}
