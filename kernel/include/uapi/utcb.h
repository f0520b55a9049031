/* SPDX-License-Identifier: MIT */
/* uapi/utcb.h — the User Thread Control Block: IPC message buffer and exception state. */
#pragma once

#include <stdint.h>

/*
 * MTD (message transfer descriptor) bits: which architectural state a
 * kernel-initiated message (exception, startup, foreign syscall) carries.
 * Bit positions are Hedron's.
 */
#define MTD_GPR_ACDB    (1u << 0)    /* rax rcx rdx rbx */
#define MTD_GPR_BSD     (1u << 1)    /* rbp rsi rdi */
#define MTD_RSP         (1u << 2)
#define MTD_RIP_LEN     (1u << 3)    /* rip (and instruction length for vCPUs) */
#define MTD_RFLAGS      (1u << 4)
#define MTD_DS_ES       (1u << 5)
#define MTD_FS_GS       (1u << 6)
#define MTD_CS_SS       (1u << 7)
#define MTD_TR          (1u << 8)
#define MTD_LDTR        (1u << 9)
#define MTD_GDTR        (1u << 10)
#define MTD_IDTR        (1u << 11)
#define MTD_CR          (1u << 12)   /* cr0 cr2 cr3 cr4 (cr2 = fault address) */
#define MTD_DR          (1u << 13)
#define MTD_SYSENTER    (1u << 14)
#define MTD_QUAL        (1u << 15)   /* qual[0] = error code, qual[1] = fault address */
#define MTD_CTRL        (1u << 16)
#define MTD_INJ         (1u << 17)
#define MTD_STA         (1u << 18)
#define MTD_TSC         (1u << 19)
#define MTD_EFER_PAT    (1u << 20)
#define MTD_PDPTE       (1u << 21)
#define MTD_GPR_R8_R15  (1u << 22)
#define MTD_SYSCALL_SWAPGS (1u << 23)
#define MTD_TSC_TIMEOUT (1u << 24)
#define MTD_VINTR       (1u << 26)
#define MTD_EOI         (1u << 27)
#define MTD_TPR         (1u << 28)
#define MTD_TLB         (1u << 30)
#define MTD_FPU         (1u << 31)

/* The bits that mean something for a host EC's exception message. */
#define MTD_EXC_VALID   (MTD_GPR_ACDB | MTD_GPR_BSD | MTD_RSP | MTD_RIP_LEN | \
                         MTD_RFLAGS | MTD_FS_GS | MTD_QUAL | MTD_GPR_R8_R15 | MTD_FPU)
#define MTD_ALL_GPRS    (MTD_GPR_ACDB | MTD_GPR_BSD | MTD_RSP | MTD_GPR_R8_R15)

/*
 * CRD (capability range descriptor):
 *   [1:0] kind  [6:2] permissions  [11:7] order  [63:12] base
 */
#define CRD_NULL        0
#define CRD_MEM         1
#define CRD_IO          2
#define CRD_OBJ         3
#define CRD(kind, perm, order, base) \
    ((uint64_t)(kind) | ((uint64_t)(perm) << 2) | ((uint64_t)(order) << 7) | ((uint64_t)(base) << 12))
#define CRD_KIND(c)     ((unsigned)((c) & 3))
#define CRD_PERM(c)     ((unsigned)(((c) >> 2) & 0x1f))
#define CRD_ORDER(c)    ((unsigned)(((c) >> 7) & 0x1f))
#define CRD_BASE(c)     ((c) >> 12)

/* Object capability permissions (CRD_PERM for CRD_OBJ). */
#define PERM_CALL       0x1     /* PT: call */
#define PERM_CTRL       0x2     /* SM: up/down, PT: pt_ctrl, EC: ec_ctrl, SC: sc_ctrl */
#define PERM_EVENT      0x4     /* PT: the kernel delivers the holder's events through it (no call) */
#define PERM_CREATE     0x1     /* PD: create objects in it (same bit as CALL: per type) */
#define PERM_ALL        0x1f

/* Memory permissions (CRD_PERM for CRD_MEM). */
#define MEM_R           0x1
#define MEM_W           0x2
#define MEM_X           0x4

/*
 * UTCB: one 4 KiB page per EC, mapped in its PD.
 *
 *   0x000 head.items   [15:0] untyped words, [31:16] typed items
 *   0x008 head.xlt     translate window (CRD)
 *   0x010 head.del     delegate/receive window (CRD)
 *   0x018 head.flags   UTCB_NSCT, ...
 *   0x020 data         untyped words, or the exception state below
 */
#define UTCB_NSCT       (1u << 0)    /* Native System Call Toggle (foreign PDs) */

struct utcb_head {
    uint64_t items;
    uint64_t xlt;
    uint64_t del;
    uint64_t flags;
};

/*
 * A vCPU's segment register. ar is Hedron's packed form of the VMX access
 * rights: [7:0] type, S, DPL, P and [11:8] AVL, L, D/B, G. P = 0 means
 * "unusable" (a null selector loaded in protected mode).
 */
struct utcb_seg {
    uint16_t sel, ar;
    uint32_t limit;
    uint64_t base;
};

/* Exception / startup / foreign-syscall state (and a vCPU's guest state), selected by mtd. */
struct utcb_exc {
    uint64_t mtd;           /* 0x020 which groups are valid */
    uint64_t inst_len;      /* 0x028 */
    uint64_t rip;           /* 0x030 */
    uint64_t rflags;        /* 0x038 */
    uint32_t intr_state, actv_state;        /* 0x040 */
    uint32_t intr_info, intr_error;         /* 0x048 */
    uint32_t vect_info, vect_error;         /* 0x050 */
    uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;    /* 0x058 */
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;      /* 0x098 */
    uint64_t qual[2];       /* 0x0d8 error code, fault address */
    uint32_t ctrl[2];       /* 0x0e8 */
    uint64_t xcr0;          /* 0x0f0 */
    uint64_t cr0, cr2, cr3, cr4;    /* 0x0f8 */
    uint64_t fs_base, gs_base;      /* 0x118 (MTD_FS_GS for host ECs) */
    uint64_t vector;        /* 0x128 the event number that sent this message */
    /* vCPUs only (uapi/vcpu.h): the rest of the guest state, selected by the same bits. */
    uint64_t efer, pat;                             /* 0x130 MTD_EFER_PAT */
    uint64_t star, lstar, fmask, kernel_gs_base;    /* 0x140 MTD_SYSCALL_SWAPGS */
    uint64_t dr7;                                   /* 0x160 MTD_DR */
    uint64_t sysenter_cs, sysenter_rsp, sysenter_rip;   /* 0x168 MTD_SYSENTER */
    uint64_t pdpte[4];                              /* 0x180 MTD_PDPTE */
    struct utcb_seg es, cs, ss, ds, fs, gs;         /* 0x1a0 MTD_DS_ES, MTD_FS_GS, MTD_CS_SS */
    struct utcb_seg tr, ldtr, gdtr, idtr;           /* 0x200 MTD_TR, MTD_LDTR, MTD_GDTR, MTD_IDTR */
    uint64_t tsc_val, tsc_off;                      /* 0x240 MTD_TSC */
    uint32_t exc_bitmap, reserved;                  /* 0x250 MTD_CTRL (with ctrl[2]) */
};

#define UTCB_WORDS  ((4096 - sizeof(struct utcb_head)) / sizeof(uint64_t))   /* 508 */

struct utcb {
    struct utcb_head head;
    union {
        uint64_t        mr[UTCB_WORDS];     /* untyped message words */
        struct utcb_exc exc;                /* kernel-initiated messages */
    };
};

/* MTD_FPU in a host EC's message and reply: its FPU/SSE state as FXSAVE lays it out (512 bytes:
 * x87, MXCSR at 24, MXCSR_MASK at 28, XMM0..15 at 160), at this offset of the UTCB. */
#define UTCB_FPU_OFF    0x400
#define UTCB_FPU_SIZE   512
#define UTCB_FPU_FCW        0            /* offsets in the image */
#define UTCB_FPU_MXCSR      24
#define UTCB_FPU_MXCSR_MASK 28
#define UTCB_FPU_XMM(n)     (160 + 16 * (n))
#define FPU_FCW_INIT    0x37f            /* fninit's */
#define FPU_MXCSR_INIT  0x1f80           /* all SIMD exceptions masked, round to nearest */
static inline void *utcb_fpu(struct utcb *u) { return (char *)u + UTCB_FPU_OFF; }

/* The image of the state a first FPU use starts with (fninit, then MXCSR_INIT). */
static inline void utcb_fpu_fresh(void *image)
{
    uint8_t *b = image;
    uint16_t fcw = FPU_FCW_INIT;
    uint32_t mxcsr = FPU_MXCSR_INIT;
    __builtin_memset(b, 0, UTCB_FPU_SIZE);
    __builtin_memcpy(b + UTCB_FPU_FCW, &fcw, sizeof fcw);
    __builtin_memcpy(b + UTCB_FPU_MXCSR, &mxcsr, sizeof mxcsr);
}

#define UTCB_UNTYPED(items)     ((unsigned)((items) & 0xffff))
#define UTCB_TYPED(items)       ((unsigned)(((items) >> 16) & 0xffff))
#define UTCB_ITEMS(untyped, typed)  ((uint64_t)(untyped) | ((uint64_t)(typed) << 16))

_Static_assert(sizeof(struct utcb) == 4096, "UTCB is one page");
_Static_assert(__builtin_offsetof(struct utcb, mr) == 0x20, "UTCB data offset");
_Static_assert(__builtin_offsetof(struct utcb_exc, rax) == 0x38, "exc.rax at UTCB 0x58");
_Static_assert(__builtin_offsetof(struct utcb_exc, qual) == 0xb8, "exc.qual at UTCB 0xd8");
_Static_assert(__builtin_offsetof(struct utcb_exc, efer) == 0x110, "exc.efer at UTCB 0x130");
_Static_assert(__builtin_offsetof(struct utcb_exc, es) == 0x180, "exc.es at UTCB 0x1a0");
_Static_assert(__builtin_offsetof(struct utcb_exc, tsc_val) == 0x220, "exc.tsc_val at UTCB 0x240");
_Static_assert(sizeof(struct utcb_seg) == 16, "a segment is 16 bytes");
