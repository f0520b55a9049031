/* SPDX-License-Identifier: MIT */
/* facet/hypercall.h — the user-side hypercall wrappers; each returns a status code. */
#pragma once

#include <stdint.h>
#include <stdbool.h>
#include "uapi/hypercall.h"
#include "uapi/layout.h"
#include "uapi/utcb.h"

typedef uint64_t sel_t;

/* The one trap: ARG1..5 in rdi rsi rdx rax r8; status back in rdi[7:0], OUT2 in rsi. */
static inline unsigned fc_hypercall(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                                    uint64_t *out2)
{
    register uint64_t r8 __asm__("r8") = a5;
    __asm__ volatile("syscall"
                     : "+D"(a1), "+S"(a2), "+d"(a3), "+a"(a4), "+r"(r8)
                     :: "rcx", "r11", "memory");
    if (out2)
        *out2 = a2;
    return (unsigned)(a1 & 0xff);
}

#define FC_HC(num, flags, sel) HC_ARG1(num, flags, sel)

static inline unsigned fc_call(sel_t pt) { return fc_hypercall(FC_HC(HC_call, 0, pt), 0, 0, 0, 0, 0); }
static inline unsigned fc_call_nb(sel_t pt) { return fc_hypercall(FC_HC(HC_call, CALL_NONBLOCK, pt), 0, 0, 0, 0, 0); }
static inline unsigned fc_reply(void) { return fc_hypercall(FC_HC(HC_reply, 0, 0), 0, 0, 0, 0, 0); }

static inline unsigned fc_create_pd(sel_t dst, sel_t parent, uint64_t crd, unsigned flags)
{
    return fc_hypercall(FC_HC(HC_create_pd, flags, dst), parent, crd, 0, 0, 0);
}

/* A PD with a kernel-memory account of its own: `bytes`, taken from parent's account while it
 * exists; what is made for it (objects named with it, its capabilities, page tables and
 * mappings) is charged there, and a charge beyond it answers OOM. */
static inline unsigned fc_create_pd_quota(sel_t dst, sel_t parent, uint64_t bytes)
{
    return fc_hypercall(FC_HC(HC_create_pd, CREATE_PD_QUOTA, dst), parent, 0, 0, bytes, 0);
}

/* A hypercall of ARG1 alone that answers in OUT2 and OUT3 (RDX). */
static inline unsigned fc_hypercall_out3(uint64_t a1, uint64_t *out2, uint64_t *out3)
{
    uint64_t a2 = 0, a3 = 0, a4 = 0;
    register uint64_t r8 __asm__("r8") = 0;
    __asm__ volatile("syscall" : "+D"(a1), "+S"(a2), "+d"(a3), "+a"(a4), "+r"(r8) :: "rcx", "r11", "memory");
    *out2 = a2;
    *out3 = a3;
    return (unsigned)(a1 & 0xff);
}

/* The kernel-memory account pd charges: its limit and the bytes charged now. */
static inline unsigned fc_pd_quota(sel_t pd, uint64_t *limit, uint64_t *used)
{
    return fc_hypercall_out3(FC_HC(HC_pd_ctrl, PD_CTRL_QUOTA, pd), limit, used);
}

/* A foreign PD: its syscalls become messages to the portal at foreign_base + cpu in it. */
static inline unsigned fc_create_pd_foreign(sel_t dst, sel_t parent, sel_t foreign_base)
{
    return fc_hypercall(FC_HC(HC_create_pd, CREATE_PD_FOREIGN, dst), parent, 0, foreign_base, 0, 0);
}

static inline unsigned fc_create_ec(sel_t dst, sel_t pd, unsigned cpu, uint64_t utcb, uint64_t sp,
                                    sel_t event_base, bool global)
{
    return fc_hypercall(FC_HC(HC_create_ec, global ? CREATE_EC_GLOBAL : 0, dst), pd,
                        EC_ARG3(cpu, utcb), sp, event_base, 0);
}

/* A thread of a foreign PD whose syscalls go to its own portal at event_base + NUM_EVENTS. */
static inline unsigned fc_create_ec_own_syscall(sel_t dst, sel_t pd, unsigned cpu, uint64_t utcb, sel_t event_base)
{
    return fc_hypercall(FC_HC(HC_create_ec, CREATE_EC_GLOBAL | CREATE_EC_SYSCALL, dst), pd,
                        EC_ARG3(cpu, utcb), 0, event_base, 0);
}

static inline unsigned fc_create_sc(sel_t dst, sel_t pd, sel_t ec, unsigned prio, uint64_t quantum_us)
{
    return fc_hypercall(FC_HC(HC_create_sc, 0, dst), pd, ec, QPD(prio, quantum_us), 0, 0);
}

static inline unsigned fc_create_pt(sel_t dst, sel_t pd, sel_t ec, uint64_t mtd, uint64_t ip)
{
    return fc_hypercall(FC_HC(HC_create_pt, 0, dst), pd, ec, mtd, ip, 0);
}

static inline unsigned fc_create_sm(sel_t dst, sel_t pd, uint64_t count)
{
    return fc_hypercall(FC_HC(HC_create_sm, 0, dst), pd, count, 0, 0, 0);
}

static inline unsigned fc_ec_recall(sel_t ec)
{
    return fc_hypercall(FC_HC(HC_ec_ctrl, EC_CTRL_RECALL, ec), 0, 0, 0, 0, 0);
}

static inline unsigned fc_sc_consumed(sel_t sc, uint64_t *ticks)
{
    return fc_hypercall(FC_HC(HC_sc_ctrl, 0, sc), 0, 0, 0, 0, ticks);
}

static inline unsigned fc_pt_ctrl(sel_t pt, uint64_t id)
{
    return fc_hypercall(FC_HC(HC_pt_ctrl, 0, pt), id, 0, 0, 0, 0);
}

static inline unsigned fc_sm_up(sel_t sm)
{
    return fc_hypercall(FC_HC(HC_sm_ctrl, SM_CTRL_UP, sm), 0, 0, 0, 0, 0);
}

/* Down; with deadline != 0 give up with TIMEOUT when the TSC reaches it. */
static inline unsigned fc_sm_down(sel_t sm, uint64_t deadline)
{
    return fc_hypercall(FC_HC(HC_sm_ctrl, SM_CTRL_DOWN, sm), SM_DEADLINE_ARG2(deadline), SM_DEADLINE_ARG3(deadline),
                        0, 0, 0);
}

/* Each interrupt of gsi on cpu ups sm; flags: ASSIGN_GSI_LEVEL, ASSIGN_GSI_ACTIVE_LOW (0: an ISA edge GSI). */
static inline unsigned fc_assign_gsi(sel_t sm, unsigned gsi, unsigned cpu, unsigned flags)
{
    return fc_hypercall(FC_HC(HC_assign_gsi, flags, sm), gsi, cpu, 0, 0, 0);
}

static inline unsigned fc_poweroff(unsigned status)
{
    return fc_hypercall(FC_HC(HC_machine_ctrl, MACHINE_CTRL_POWEROFF, 0), status, 0, 0, 0, 0);
}

/* Delegate src_crd of PD src to dst_crd of PD dst (orders must match). */
static inline unsigned fc_delegate(sel_t src, sel_t dst, uint64_t src_crd, uint64_t dst_crd)
{
    return fc_hypercall(FC_HC(HC_pd_ctrl, PD_CTRL_DELEGATE, src), dst, src_crd, 0, dst_crd, 0);
}

/* The same into dst's guest-physical space (its EPT): dst_crd names guest pages. */
static inline unsigned fc_delegate_guest(sel_t src, sel_t dst, uint64_t src_crd, uint64_t dst_crd)
{
    return fc_hypercall(FC_HC(HC_pd_ctrl, PD_CTRL_DELEGATE, src), dst, src_crd, DELEGATE_GUEST, dst_crd, 0);
}

/* A vCPU in pd (its guest-physical space) on cpu, its exits at the portals event_base + reason of pd. */
static inline unsigned fc_create_vcpu(sel_t dst, sel_t pd, unsigned cpu, sel_t event_base)
{
    return fc_hypercall(FC_HC(HC_create_ec, CREATE_EC_VCPU, dst), pd, cpu, 0, event_base, 0);
}

/* Revoke what was derived from crd (and crd itself with REVOKE_SELF), in pd if REVOKE_REMOTE. */
static inline unsigned fc_revoke(uint64_t crd, unsigned flags, sel_t pd)
{
    return fc_hypercall(FC_HC(HC_revoke, flags, 0), crd, pd, 0, 0, 0);
}

/* Kernel free frames and objects in use (passthrough PDs only). */
static inline unsigned fc_stats(uint64_t *free_frames, uint64_t *objects)
{
    return fc_hypercall_out3(FC_HC(HC_machine_ctrl, MACHINE_CTRL_STATS, 0), free_frames, objects);
}

/* How often the IPC fast path did, or left to the general path, what counter names (FASTPATH_*). */
static inline unsigned fc_fastpath_count(unsigned counter, uint64_t *count)
{
    return fc_hypercall(FC_HC(HC_machine_ctrl, MACHINE_CTRL_FASTPATH, 0), counter, 0, 0, 0, count);
}

static inline uint64_t fc_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

const char *fc_status_name(unsigned status);
