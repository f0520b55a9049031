// SPDX-License-Identifier: MIT
/* gsi.c — assign_gsi: a GSI routed through the I/O APIC to a CPU, each interrupt an up of a semaphore. */
#include "gsi.h"
#include "ioapic.h"
#include "sm.h"
#include "pd.h"
#include "ec.h"
#include "cap.h"
#include "lapic.h"
#include "syscall.h"

/*
 * One semaphore per GSI and one GSI per semaphore (sm->gsi is its GSI + 1, 0: none). An edge
 * GSI stays unmasked: each interrupt is one up (the count stops at 2^32-1). A level GSI is
 * masked when it fires, before the EOI, so a device that keeps its line asserted cannot storm;
 * the semaphore's next down unmasks it (the driver has served the device by then).
 */
static struct gsi {
    struct sm *sm;                   /* NULL: routed nowhere (masked) */
    bool level;
} gsis[GSI_MAX];

/* gsi goes nowhere: masked, and its semaphore forgets it. */
static void gsi_unbind(unsigned gsi)
{
    struct gsi *g = &gsis[gsi];
    if (!g->sm)
        return;
    ioapic_mask(gsi, true);
    g->sm->gsi = 0;
    g->sm = NULL;
}

void gsi_interrupt(unsigned gsi)
{
    struct gsi *g = gsi < GSI_MAX ? &gsis[gsi] : NULL;
    if (g && g->sm && g->level)
        ioapic_mask(gsi, true);
    lapic_eoi();
    if (!g || !g->sm) {
        kprintf("[gsi] GSI %u fired routed nowhere\n", gsi);
        return;
    }
    sm_up(g->sm);                                     /* a full count stays full: no error to report */
}

void gsi_sm_down(struct sm *sm)
{
    if (sm->gsi && gsis[sm->gsi - 1].level)
        ioapic_mask((unsigned)sm->gsi - 1, false);
}

void gsi_sm_die(struct sm *sm)
{
    if (sm->gsi)
        gsi_unbind((unsigned)sm->gsi - 1);
}

/*
 * assign_gsi: ARG1 = semaphore (PERM_CTRL) + flags (ASSIGN_GSI_LEVEL, ASSIGN_GSI_ACTIVE_LOW),
 * ARG2 = GSI, ARG3 = CPU. Passthrough PDs only: interrupts, like every port, are the roottask's.
 */
int sys_assign_gsi(struct ec *ec, struct cpu_regs *r)
{
    unsigned flags = hc_flags(r);
    if (flags & ~(unsigned)(ASSIGN_GSI_LEVEL | ASSIGN_GSI_ACTIVE_LOW))
        return BAD_PAR;
    if (!ec->pd->passthrough)
        return BAD_CAP;
    struct sm *sm = cap_get(ec->pd, hc_sel(r), OBJ_SM, PERM_CTRL);
    if (!sm)
        return BAD_CAP;
    if (arg2(r) >= ioapic_pins())
        return BAD_PAR;
    if (arg3(r) >= cpu_count || !cpus[arg3(r)].online)
        return BAD_CPU;

    unsigned gsi = (unsigned)arg2(r);
    gsi_unbind(gsi);                                  /* its old semaphore */
    if (sm->gsi)
        gsi_unbind((unsigned)sm->gsi - 1);            /* the semaphore's old GSI */
    gsis[gsi] = (struct gsi){ .sm = sm, .level = flags & ASSIGN_GSI_LEVEL };
    sm->gsi = gsi + 1;
    ioapic_route(gsi, (uint8_t)(VEC_GSI + gsi), cpus[arg3(r)].apic_id, flags & ASSIGN_GSI_LEVEL,
                 flags & ASSIGN_GSI_ACTIVE_LOW);
    ioapic_mask(gsi, false);
    return SUCCESS;
}
