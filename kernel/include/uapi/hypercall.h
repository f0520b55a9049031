/* SPDX-License-Identifier: MIT */
/* uapi/hypercall.h — the one list of hypercalls, status codes and argument bits. */
#pragma once

/*
 * X(number, name, summary): the single list of hypercalls. It produces the
 * HC_* enum, the kernel's dispatch table and handler prototypes, and the
 * names tools/abi-check looks for in docs/abi.md. Numbers are Hedron's.
 */
#define FACET_HYPERCALLS(X)                                               \
    X(0,  call,         "IPC call through a portal")                       \
    X(1,  reply,        "reply to the caller and wait for the next call")  \
    X(2,  create_pd,    "create a protection domain")                      \
    X(3,  create_ec,    "create an execution context (global or local)")   \
    X(4,  create_sc,    "create a scheduling context for a global EC")     \
    X(5,  create_pt,    "create a portal bound to a local EC")             \
    X(6,  create_sm,    "create a semaphore")                              \
    X(7,  revoke,       "revoke capabilities (and what was derived from them)") \
    X(8,  pd_ctrl,      "delegate capabilities between PDs")               \
    X(9,  ec_ctrl,      "control an EC (recall)")                          \
    X(10, sc_ctrl,      "query a scheduling context (consumed time)")      \
    X(11, pt_ctrl,      "set a portal's id")                               \
    X(12, sm_ctrl,      "semaphore up / down (with TSC deadline)")         \
    X(14, assign_gsi,   "route a global system interrupt to a semaphore")  \
    X(15, machine_ctrl, "machine operations (poweroff)")

/* X(number, name, summary): numbers Hedron assigns that Facet does not build yet: named, not dispatched (BAD_HYP). */
#define FACET_HYPERCALLS_UNBUILT(X)

enum hc_number {
#define HC_ENUM(num, name, summary) HC_##name = num,
    FACET_HYPERCALLS(HC_ENUM)
    FACET_HYPERCALLS_UNBUILT(HC_ENUM)
#undef HC_ENUM
    HC_MAX = 16,             /* dispatch table size: numbers 0..15 */
};

/*
 * X(value, name, meaning): the status codes, returned in OUT1[7:0]. The one
 * list behind enum hc_status, the roottask's fc_status_name and the table
 * tools/abi-check looks for in docs/abi.md.
 */
#define FACET_STATUS(X)                                                   \
    X(0, SUCCESS, "done")                                                  \
    X(1, TIMEOUT, "a deadline passed, or a non-blocking call found the handler busy") \
    X(2, ABORT,   "abandoned: the handler died, or the call would deadlock") \
    X(3, BAD_HYP, "no such hypercall")                                     \
    X(4, BAD_CAP, "a selector is out of range, empty, of the wrong type, lacks a permission, or the destination is taken") \
    X(5, BAD_PAR, "an argument is out of range or inconsistent")           \
    X(6, BAD_FTR, "a feature this kernel (or this stage) does not provide") \
    X(7, BAD_CPU, "no such CPU, or a portal bound to another CPU")         \
    X(8, BAD_DEV, "reserved for device assignment")                        \
    X(9, OOM,     "the kernel ran out of memory; nothing changed")

enum hc_status {
#define HC_STATUS_ENUM(value, name, meaning) name = value,
    FACET_STATUS(HC_STATUS_ENUM)
#undef HC_STATUS_ENUM
};

/* ARG1 layout: [7:0] number, [11:8] flags, [63:12] primary selector. */
#define HC_NUM(a1)     ((unsigned)((a1) & 0xff))
#define HC_FLAGS(a1)   ((unsigned)(((a1) >> 8) & 0xf))
#define HC_SEL(a1)     ((a1) >> 12)
#define HC_ARG1(num, flags, sel) \
    ((unsigned long)(num) | ((unsigned long)(flags) << 8) | ((unsigned long)(sel) << 12))

/* Per-hypercall flag bits (ARG1[11:8]). */
#define CREATE_PD_PASSTHROUGH  0x1   /* only from a passthrough PD */
#define CREATE_PD_FOREIGN      0x2   /* its syscalls go to portals at ARG4 + cpu (the flexible syscall layer) */
#define CREATE_PD_QUOTA        0x4   /* Facet's: its own kernel-memory account of ARG5 bytes, from the parent's */
#define CREATE_EC_GLOBAL       0x1   /* global EC (can get an SC), else local */
#define CREATE_EC_VCPU         0x2   /* a vCPU (uapi/vcpu.h): BAD_FTR where the CPU cannot run one */
#define CREATE_EC_SYSCALL      0x4   /* its foreign syscalls go to its own portal, event base + NUM_EVENTS */
#define CALL_NONBLOCK          0x1   /* fail with TIMEOUT instead of waiting for a busy handler */
#define ASSIGN_GSI_LEVEL       0x1   /* level-triggered (masked when it fires, until the next down), else edge */
#define ASSIGN_GSI_ACTIVE_LOW  0x2   /* active low, else active high */

/* Sub-operations (ARG1[11:8]). */
#define EC_CTRL_RECALL         0
#define SM_CTRL_UP             0
#define SM_CTRL_DOWN           1
#define MACHINE_CTRL_POWEROFF  2     /* Facet's: ARG2 = exit status 0..127 */
#define MACHINE_CTRL_STATS     3     /* Facet's: OUT2 = free kernel frames, OUT3 (RDX) = objects in use */
#define MACHINE_CTRL_FAIL_ALLOC 4    /* Facet's, FAIL_INJECTION builds: ARG2 = n (0: off), OUT2 = what was left */
#define MACHINE_CTRL_FASTPATH  5     /* Facet's: ARG2 = a FASTPATH_* counter, OUT2 = its count */
#define PD_CTRL_DELEGATE       2
#define PD_CTRL_QUOTA          3     /* Facet's: OUT2 = the limit, OUT3 (RDX) = the bytes charged, of the PD's account */

/*
 * machine_ctrl fastpath's counters (ARG2): how often the IPC fast path did a call or a reply,
 * and how often it left one to the general path, by the first precondition that failed.
 */
#define FASTPATH_CALL_TAKEN    0
#define FASTPATH_CALL_CAP      1     /* no portal capability with the call right at the selector */
#define FASTPATH_CALL_FLAGS    2     /* a flag other than non-blocking */
#define FASTPATH_CALL_CPU      3     /* the handler is bound to another CPU */
#define FASTPATH_CALL_DEAD     4     /* the handler is dead */
#define FASTPATH_CALL_BUSY     5     /* the handler serves a call, makes one, or is the caller itself */
#define FASTPATH_CALL_ITEMS    6     /* typed items, or more words than a UTCB holds */
#define FASTPATH_REPLY_TAKEN   7
#define FASTPATH_REPLY_NONE    8     /* nobody called */
#define FASTPATH_REPLY_OTHER   9     /* the caller is a vCPU waiting for a VM exit's reply, or died */
#define FASTPATH_REPLY_ITEMS   10    /* typed items, or more words than a UTCB holds */
#define FASTPATH_REPLY_WAITERS 11    /* callers wait for this handler: the general path wakes the first */
#define FASTPATH_RESUME        12    /* a call or reply taken, but the EC it returns to has a recall to deliver first: ec_resume */
#define FASTPATH_EVENT_REPLY_TAKEN 13    /* the reply to an event (exception, startup, recall, foreign syscall) */
#define FASTPATH_COUNTERS      14

/* revoke flags (ARG1[11:8]). */
#define REVOKE_SELF            0x1   /* the named capabilities too, not only what was derived */
#define REVOKE_REMOTE          0x2   /* in the PD named by ARG3 instead of the caller's */

/* pd_ctrl delegate flags (ARG4). */
#define DELEGATE_GUEST         0x2   /* into the guest-physical space (EPT stage) */

/* create_sc ARG4 ("qpd"): [7:0] priority 1..PRIO_MAX, [63:12] quantum in microseconds. */
#define PRIO_MAX               127
#define QPD(prio, quantum_us)  ((unsigned long)(prio) | ((unsigned long)(quantum_us) << 12))
#define QPD_PRIO(q)            ((unsigned)((q) & 0xff))
#define QPD_QUANTUM(q)         ((q) >> 12)

/* create_ec ARG3: [11:0] CPU number, [63:12] page-aligned UTCB address (bits 11:0 hold the CPU). */
#define EC_ARG3(cpu, utcb)     ((unsigned long)(utcb) | (unsigned long)(cpu))
#define EC_CPU(a3)             ((unsigned)((a3) & 0xfff))
#define EC_UTCB(a3)            ((a3) & ~0xfffUL)

/* sm_ctrl down: the 64-bit TSC deadline (0 = none) as ARG2[31:0] (high half) and ARG3[31:0] (low half). */
#define SM_DEADLINE_ARG2(d)    ((unsigned long)(d) >> 32)
#define SM_DEADLINE_ARG3(d)    ((unsigned long)(d) & 0xffffffffUL)
#define SM_DEADLINE(a2, a3)    (((unsigned long)(a2) & 0xffffffffUL) << 32 | ((unsigned long)(a3) & 0xffffffffUL))
