/* SPDX-License-Identifier: MIT */
/* uapi/vcpu.h — virtual CPUs: their events (VM exits), and what the guest-state messages mean. */
#pragma once

#include <stdint.h>

/*
 * A vCPU is a global EC created with CREATE_EC_VCPU in the PD that holds the
 * guest's memory (its EPT). It runs the guest on its own SC. Every VM exit the
 * kernel does not handle itself is a message to the portal at the vCPU's
 * event_base + event, looked up in the vCPU's PD; the portal's MTD selects the
 * guest state the handler's UTCB receives (struct utcb_exc), the reply's
 * utcb->exc.mtd what is written back. Events 0..VCPU_EXITS-1 are the VMX basic
 * exit reasons (Intel SDM vol. 3, appendix C); the kernel keeps 1 (external
 * interrupt) and NMIs for itself.
 */
#define VMX_EXIT_EXC_NMI        0    /* an exception the exception bitmap selects (qual[1]: interruption info) */
#define VMX_EXIT_EXTINT         1    /* the kernel's: never a message */
#define VMX_EXIT_TRIPLE         2    /* the guest triple-faulted */
#define VMX_EXIT_INIT           3
#define VMX_EXIT_INTR_WINDOW    7    /* the guest can take an interrupt now (asked for by INJ_WINDOW) */
#define VMX_EXIT_CPUID          10
#define VMX_EXIT_HLT            12
#define VMX_EXIT_INVD           13
#define VMX_EXIT_RDTSC          16
#define VMX_EXIT_VMCALL         18
#define VMX_EXIT_CR             28   /* a write to a CR0/CR4 bit the kernel owns (NE, VMXE) */
#define VMX_EXIT_DR             29
#define VMX_EXIT_IO             30   /* qual[0]: size-1 [2:0], in [3], string [4], rep [5], port [31:16] */
#define VMX_EXIT_RDMSR          31
#define VMX_EXIT_WRMSR          32
#define VMX_EXIT_BAD_GUEST      33   /* VM entry failed: invalid guest state */
#define VMX_EXIT_MSR_LOAD       34   /* VM entry failed: MSR loading */
#define VMX_EXIT_MWAIT          36
#define VMX_EXIT_MONITOR        39
#define VMX_EXIT_PAUSE          40
#define VMX_EXIT_MCE            41   /* VM entry failed: machine check */
#define VMX_EXIT_GDTR_IDTR      46
#define VMX_EXIT_LDTR_TR        47
#define VMX_EXIT_EPT_VIOLATION  48   /* qual[0]: access bits, qual[1]: guest-physical address */
#define VMX_EXIT_EPT_MISCONFIG  49
#define VMX_EXIT_INVEPT         50
#define VMX_EXIT_RDTSCP         51
#define VMX_EXIT_PREEMPT        52
#define VMX_EXIT_INVVPID        53
#define VMX_EXIT_XSETBV         55
#define VCPU_EXITS              64   /* exit reasons the kernel forwards lie below this */

/* Events the kernel makes up (Hedron's numbers). */
#define VCPU_EV_FAILED_ENTRY    253  /* VMLAUNCH/VMRESUME failed: qual[0] = VM-instruction error */
#define VCPU_EV_STARTUP         254  /* the first message: load the initial state */
#define VCPU_EV_RECALL          255  /* ec_ctrl recall of a running vCPU */
#define VCPU_EVENTS             256  /* a vCPU's portals: event_base .. event_base + 255 */

/* EPT-violation qualification (qual[0]) bits. */
#define EPT_QUAL_READ           (1u << 0)
#define EPT_QUAL_WRITE          (1u << 1)
#define EPT_QUAL_FETCH          (1u << 2)

/* Port-I/O qualification (qual[0]). */
#define IO_QUAL_SIZE(q)         ((unsigned)((q) & 7) + 1)    /* 1, 2 or 4 bytes */
#define IO_QUAL_IN(q)           (((q) >> 3) & 1)
#define IO_QUAL_STRING(q)       (((q) >> 4) & 1)
#define IO_QUAL_PORT(q)         ((unsigned)((q) >> 16) & 0xffff)

/*
 * Injection (MTD_INJ, intr_info): the VMX VM-entry interruption-information
 * format, [7:0] vector, [10:8] type, [11] deliver intr_error, [31] valid;
 * plus a request the kernel takes out: INJ_WINDOW asks for an exit 7 as soon
 * as the guest can take an interrupt. INJ_NMI_WINDOW (Hedron's bit for the
 * NMI window) is reserved: Facet takes it out and ignores it, NMI windows
 * need virtual NMIs, which it does not use yet.
 */
#define INJ_VALID               (1u << 31)
#define INJ_ERROR               (1u << 11)
#define INJ_TYPE_EXTINT         (0u << 8)
#define INJ_TYPE_NMI            (2u << 8)
#define INJ_TYPE_HW_EXC         (3u << 8)
#define INJ_TYPE_SW_INT         (4u << 8)
#define INJ_WINDOW              (1u << 12)
#define INJ_NMI_WINDOW          (1u << 13)

/* Interruptibility state (intr_state): blocking by STI, by MOV SS, by NMI. */
#define INTR_STATE_STI          (1u << 0)
#define INTR_STATE_MOVSS        (1u << 1)
#define INTR_STATE_NMI          (1u << 3)
/* Activity state (actv_state). */
#define ACTV_ACTIVE             0
#define ACTV_HLT                1

/* A segment's packed access rights (struct utcb_seg.ar): the usual descriptor bits. */
#define SEG_AR(type, s, dpl, p, l, db, g) \
    ((uint16_t)((type) | (s) << 4 | (dpl) << 5 | (p) << 7 | (l) << 9 | (db) << 10 | (g) << 11))
#define SEG_AR_CODE64           SEG_AR(0xb, 1, 0, 1, 1, 0, 1)   /* execute/read, accessed, L */
#define SEG_AR_DATA             SEG_AR(0x3, 1, 0, 1, 0, 1, 1)   /* read/write, accessed, 4 GiB */
#define SEG_AR_TSS64_BUSY       SEG_AR(0xb, 0, 0, 1, 0, 0, 0)
#define SEG_AR_LDT              SEG_AR(0x2, 0, 0, 1, 0, 0, 0)
#define SEG_AR_UNUSABLE         0

/*
 * MTD_CTRL (write only): ctrl[0] primary and ctrl[1] secondary
 * processor-based controls to turn on besides the kernel's own, exc_bitmap
 * the exceptions that exit (event 0). Controls the CPU does not offer, or
 * that would give the guest what the kernel keeps (interrupts, NMIs, I/O,
 * EPT), are ignored.
 */
#define VCPU_CTRL_RDTSC         (1u << 12)   /* primary: RDTSC exits */
