// SPDX-License-Identifier: MIT
/* obj/ec.c — execution contexts: creation, resuming, blocking, killing; create_ec and ec_ctrl. */
#include "ec.h"
#include "pd.h"
#include "ipc.h"
#include "sched.h"
#include "bkl.h"
#include "frame.h"
#include "paging.h"
#include "syscall.h"
#include "x86.h"
#include "sm.h"
#include "tlb.h"
#include "fpu.h"
#include "vcpu.h"
#include "vmx.h"

/*
 * ec_resume's first step: ec is the CPU's current EC, its PD, kernel-entry stack, FS/GS bases
 * and FPU trap loaded. vcpu: ec may be a vCPU (ec_sysret and ec_iret know it is not).
 */
static ALWAYS_INLINE void ec_load(struct cpu *c, struct ec *ec, bool vcpu)
{
    ec_set_current(c, ec);
    pd_activate(c, ec->pd);
    if (vcpu && ec->vcpu)
        vcpu_resume(c, ec);
    if (unlikely(c->vmx_dirty))
        vmx_host_restore(c);                       /* a guest ran here since the last return to user */
    c->regs_top = c->tss.rsp0 = (uint64_t)(&ec->regs + 1);
    if (unlikely(c->fs_base != ec->extra.fs_base))     /* wrmsr is slow: only when it differs */
        wrmsr(MSR_FS_BASE, c->fs_base = ec->extra.fs_base);
    if (unlikely(c->gs_base != ec->extra.gs_base))
        wrmsr(MSR_KERNEL_GS_BASE, c->gs_base = ec->extra.gs_base);
    fpu_enter(c, ec);
}

/*
 * Make ec the running EC of this CPU and continue it the way its
 * continuation says. Holds: the kernel lock is held; ec runs on this CPU.
 */
void ec_resume(struct ec *ec)
{
    struct cpu *c = this_cpu();
    ec_load(c, ec, true);

    switch (ec->cont) {
    case CONT_STARTUP:
        event_send(ec, EV_STARTUP);
    case CONT_EVENT:
        event_send(ec, ec->event);
    case CONT_CALL:
        ec->cont = CONT_SYSRET;
        sys_finish(ec, sys_call(ec, &ec->regs));
    case CONT_SYSRET:
    case CONT_IRET:
        break;
    default:
        panic("[ec] ec#%u resumed while blocked (cont %d)", ec->obj.id, ec->cont);
    }

    if (unlikely(ec->recall)) {
        ec->recall = false;
        if (cap_get(ec->pd, ec->event_base + EV_RECALL, OBJ_PT, 0))
            event_send(ec, EV_RECALL);
    }
    if (ec->cont == CONT_SYSRET) {
        bkl_unlock();
        ret_user_sysret(&ec->regs);
    }
    /* A handler may have written any rip/rsp: iret to a non-canonical one would fault in the kernel. */
    if (unlikely(!canonical(ec->regs.rip) || !canonical(ec->regs.rsp))) {
        ec->regs.err = 0;
        event_send(ec, EXC_GP);
    }
    bkl_unlock();
    ret_user_iret(&ec->regs);
}

/*
 * ec_resume for an EC whose cont is CONT_SYSRET, without the switch over the other
 * continuations: the way into a portal's handler (ipc_enter) and back from the IPC fast path
 * (ipc_fast_call, ipc_fast_reply). A vCPU, or a recall to deliver first, takes ec_resume.
 */
void ec_sysret(struct ec *ec)
{
    if (unlikely(ec->vcpu || ec->recall))
        ec_resume(ec);
    ec_load(this_cpu(), ec, false);
    bkl_unlock();
    ret_user_sysret(&ec->regs);
}

/*
 * The same for cont CONT_IRET: the way back from the fast reply to an event. A non-canonical
 * rip or rsp, which a reply may have set (the #GP message instead), takes ec_resume too.
 */
void ec_iret(struct ec *ec)
{
    if (unlikely(ec->vcpu || ec->recall || !canonical(ec->regs.rip) || !canonical(ec->regs.rsp)))
        ec_resume(ec);
    ec_load(this_cpu(), ec, false);
    bkl_unlock();
    ret_user_iret(&ec->regs);
}

/* Stop the running EC; whoever wakes it finds its SC in wait_sc. */
void ec_block(struct ec *ec, enum ec_cont cont)
{
    struct cpu *c = this_cpu();
    ec->cont = cont;
    ec->wait_sc = c->sc;
    sched_stop_current();
}

/*
 * A handler whose invocation was abandoned while it ran (chain_abort) enters the kernel: it
 * stops here, idle until its next call starts it afresh. Its SC, if alive, goes on with what
 * is now the top of its chain (a caller that gets ABORT; a dead bottom never runs).
 */
void ec_abandon_stop(struct ec *ec)
{
    ec->abandoned = false;
    ec->cont = CONT_SYSRET;
    sched_yield_current();
}

/* Make a blocked ec's SC runnable again: the one that ran when it blocked. */
void ec_wake(struct ec *ec)
{
    struct sc *sc = ec->wait_sc;
    ec->wait_sc = NULL;                            /* set only while blocked */
    if (sc)
        sched_enqueue(sc);
}

/*
 * A fault nobody handles: stop only this EC. If it was serving a call, the
 * caller's call returns ABORT; a faulting EC waiting for this handler's
 * reply to its own event dies too (a chain, unwound in a loop).
 */
void ec_kill(struct ec *ec, const char *why)
{
    for (;;) {
        kprintf("[ec] ec#%u (pd#%u) killed: %s at rip %#lx\n", ec->obj.id, ec->pd->obj.id, why, ec->regs.rip);
        ec->cont = CONT_DEAD;
        waiters_wake_all(ec);
        struct ec *caller = ec->caller;
        if (!caller)
            break;
        chain_unlink(caller, ec);
        if (caller->cont != CONT_EVENT_WAIT) {
            caller->regs.rdi = ABORT;
            caller->cont = CONT_SYSRET;
            ec_resume(caller);
        }
        ec = caller;
        why = "its event handler died";
    }
    ec_block(ec, CONT_DEAD);
    sched_schedule();
}

/* The last capability is gone: it never runs again; whoever it served gets ABORT. */
void ec_die(struct ec *ec)
{
    if (ec->sm)
        sm_forget(ec);
    if (ec->waiting_for)
        waiter_remove(ec);
    waiters_wake_all(ec);
    chain_abort(ec);
    struct ec *caller = ec->caller;
    if (caller) {
        chain_unlink(caller, ec);
        if (caller->cont == CONT_EVENT_WAIT) {
            caller->cont = CONT_DEAD;              /* its fault can never be handled now */
        } else {
            caller->regs.rdi = ABORT;
            caller->cont = CONT_SYSRET;
        }
        ec_wake(ec);                               /* if it was blocked, the caller's SC runs again */
    }
    ec->cont = CONT_DEAD;
    for (unsigned i = 0; i < cpu_count; i++)
        if (cpus[i].ec == ec && &cpus[i] != this_cpu())
            sched_kick(i);                         /* it is running there: make that CPU reschedule */
}

/* Nothing refers to it any more: its FPU state goes, its UTCB leaves every CPU's TLB and is freed. */
void ec_release(struct ec *ec)
{
    fpu_forget(ec);
    if (ec->vcpu) {
        vcpu_release(ec);
        kobj_put(&ec->pd->obj);
        return;
    }
    uint64_t *pte = space_pte(ec->pd->pml4, ec->utcb_va);
    if (pte && (*pte & PTE_P) && (*pte & PTE_ADDR) == virt_to_phys(ec->utcb)) {
        *pte = 0;
        tlb_shootdown();                           /* no CPU may keep using the frame */
    }
    page_free(ec->utcb);
    kobj_put(&ec->pd->obj);
}

/* What every create_ec checks first: a free destination, a PD to create in, a CPU that exists. */
static int create_target(struct ec *cur, struct cpu_regs *r, struct pd **pd)
{
    if (!cap_free(cur->pd, hc_sel(r)))
        return BAD_CAP;
    *pd = cap_get(cur->pd, arg2(r), OBJ_PD, PERM_CREATE);
    if (!*pd)
        return BAD_CAP;
    return EC_CPU(arg3(r)) < cpu_count ? SUCCESS : BAD_CPU;
}

/*
 * create_ec with CREATE_EC_VCPU: ARG2 = the PD whose guest-physical space it
 * runs in, ARG3 = CPU (no UTCB), ARG4 = 0, ARG5 = event base (256 portals).
 * It starts with a startup message once it has an SC.
 */
static int create_vcpu(struct ec *cur, struct cpu_regs *r)
{
    sel_t dst = hc_sel(r);
    unsigned cpu = EC_CPU(arg3(r));
    if (hc_flags(r) & ~(CREATE_EC_VCPU | CREATE_EC_GLOBAL))
        return BAD_PAR;
    if (!vcpus_usable())
        return BAD_FTR;                          /* no VMX with EPT and unrestricted guest, no SVM with NPT */
    struct pd *pd;
    int s = create_target(cur, r, &pd);
    if (s != SUCCESS)
        return s;
    if (!vcpu_cpu_on(cpu))
        return BAD_FTR;
    if (EC_UTCB(arg3(r)) || arg4(r) || arg5(r) > SEL_MAX - VCPU_EVENTS)
        return BAD_PAR;
    if (cap_reserve(cur->pd, dst) != SUCCESS)
        return OOM;
    struct ec *ec = kobj_alloc(OBJ_EC, pd, 2 * PAGE_SIZE);    /* its vCPU state and VMCS (or VMCB) */
    if (!ec)
        return OOM;
    ec->pd = pd;
    bool new_ept = !pd->ept;                     /* the PD's guest-physical space, made with it */
    if ((new_ept && !kmem_fits(pd, PAGE_SIZE)) || vcpu_create(ec) != SUCCESS) {
        kobj_free(ec);
        return OOM;
    }
    if (new_ept)
        kmem_charge_space(pd, PAGE_SIZE);        /* fits: checked above */
    kobj_get(&pd->obj);
    ec->cpu = cpu;
    ec->global = true;
    ec->event_base = arg5(r);
    ec->cont = CONT_STARTUP;
    cap_insert(cur->pd, dst, &ec->obj, PERM_ALL, NULL);
    return SUCCESS;
}

/*
 * create_ec: ARG1 = destination selector + flags (global, vCPU), ARG2 = PD,
 * ARG3 = CPU | UTCB address, ARG4 = stack pointer, ARG5 = event base.
 */
int sys_create_ec(struct ec *cur, struct cpu_regs *r)
{
    sel_t dst = hc_sel(r);
    unsigned flags = hc_flags(r);
    uint64_t utcb_va = EC_UTCB(arg3(r));
    unsigned cpu = EC_CPU(arg3(r));
    if (flags & CREATE_EC_VCPU)
        return create_vcpu(cur, r);
    if (flags & ~(CREATE_EC_GLOBAL | CREATE_EC_SYSCALL))
        return BAD_PAR;
    struct pd *pd;
    int s = create_target(cur, r, &pd);
    if (s != SUCCESS)
        return s;
    if (!utcb_va || !user_range_ok(utcb_va, PAGE_SIZE))
        return BAD_PAR;
    uint64_t *pte = space_pte(pd->pml4, utcb_va);
    if (pte && (*pte & PTE_P))
        return BAD_PAR;                          /* something is mapped there already */
    if (arg5(r) > SEL_MAX - NUM_EVENTS - ((flags & CREATE_EC_SYSCALL) ? 1 : 0))
        return BAD_PAR;
    if (cap_reserve(cur->pd, dst) != SUCCESS || pd_tables_prepare(pd, utcb_va, false) != SUCCESS)
        return OOM;

    struct ec *ec = kobj_alloc(OBJ_EC, pd, PAGE_SIZE);       /* and its UTCB page */
    struct utcb *utcb = page_alloc();
    if (!ec || !utcb || space_map(pd->pml4, utcb_va, virt_to_phys(utcb), PTE_U | PTE_W | PTE_NX)) {
        if (ec) kobj_free(ec);
        if (utcb) page_free(utcb);
        return OOM;
    }
    ec->pd = pd;
    kobj_get(&pd->obj);
    ec->utcb = utcb;
    ec->utcb_va = utcb_va;
    ec->cpu = cpu;
    ec->global = flags & CREATE_EC_GLOBAL;
    ec->sp0 = arg4(r);
    ec->event_base = arg5(r);
    ec->own_syscall = flags & CREATE_EC_SYSCALL;
    ec->regs.cs = SEL_UCODE;
    ec->regs.ss = SEL_UDATA;
    ec->regs.rflags = RFLAGS_IF | RFLAGS_FIXED;
    ec->regs.rsp = ec->sp0;
    ec->cont = ec->global ? CONT_STARTUP : CONT_SYSRET;
    cap_insert(cur->pd, dst, &ec->obj, PERM_ALL, NULL);
    return SUCCESS;
}

/* ec_ctrl: ARG1 = EC selector + sub-operation (recall). */
int sys_ec_ctrl(struct ec *cur, struct cpu_regs *r)
{
    if (hc_flags(r) != EC_CTRL_RECALL)
        return BAD_PAR;
    struct ec *ec = cap_get(cur->pd, hc_sel(r), OBJ_EC, PERM_CTRL);
    if (!ec)
        return BAD_CAP;
    if (!ec->global)
        return BAD_PAR;
    ec->recall = true;
    struct cpu *t = &cpus[ec->cpu];
    if (t != this_cpu() && t->ec == ec)
        sched_kick(ec->cpu);                     /* make it enter the kernel soon */
    return SUCCESS;
}
