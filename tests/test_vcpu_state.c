// SPDX-License-Identifier: MIT
/* tests/test_vcpu_state.c — a vCPU's guest state to and from the UTCB, over a fake VMCS. */
#include "kernel/vmx/state.c"
#include "unit.h"

/*
 * state.c reaches the VMCS only through vmcs_read and vmcs_write: here they
 * are an array indexed by the field's encoding (every encoding is below
 * 0x8000), and a log of which fields were written. A field outside the
 * array fails the test.
 */
#define FAKE_FIELDS 0x8000
static uint64_t vmcs[FAKE_FIELDS];
static bool vmcs_written[FAKE_FIELDS];
static unsigned vmcs_writes;

uint64_t vmcs_read(uint32_t field)
{
    if (field >= FAKE_FIELDS)
        unit_fail(__FILE__, __LINE__, "vmcs_read of a field the fake VMCS does not have");
    return vmcs[field];
}

void vmcs_write(uint32_t field, uint64_t value)
{
    if (field >= FAKE_FIELDS)
        unit_fail(__FILE__, __LINE__, "vmcs_write of a field the fake VMCS does not have");
    vmcs[field] = value;
    vmcs_written[field] = true;
    vmcs_writes++;
}

#define PATTERN 0xa5a5a5a5a5a5a5a5ULL

static struct utcb_exc x;
static struct vcpu v;
static struct cpu_regs g;

/* Everything fresh: an empty VMCS, the UTCB state filled with PATTERN, a distinct value in every GPR. */
static void reset(void)
{
    memset(vmcs, 0, sizeof vmcs);
    memset(vmcs_written, 0, sizeof vmcs_written);
    vmcs_writes = 0;
    memset(&x, 0xa5, sizeof x);
    memset(&v, 0, sizeof v);
    uint64_t *w = (uint64_t *)&g;
    for (unsigned i = 0; i < sizeof g / 8; i++)
        w[i] = 0x1000000000000000ULL + i * 0x1111;
}

/* ---- vcpu_save_state: VMCS and GPR frame -> UTCB ---- */

TEST(save_gprs_come_from_the_frame)
{
    reset();
    vcpu_save_state(&x, MTD_GPR_ACDB | MTD_GPR_BSD | MTD_GPR_R8_R15, VMX_EXIT_CPUID, &v, &g);
    CHECK_EQ(x.mtd, MTD_GPR_ACDB | MTD_GPR_BSD | MTD_GPR_R8_R15);
    CHECK_EQ(x.vector, VMX_EXIT_CPUID);
    CHECK_EQ(x.rax, g.rax); CHECK_EQ(x.rcx, g.rcx); CHECK_EQ(x.rdx, g.rdx); CHECK_EQ(x.rbx, g.rbx);
    CHECK_EQ(x.rbp, g.rbp); CHECK_EQ(x.rsi, g.rsi); CHECK_EQ(x.rdi, g.rdi);
    CHECK_EQ(x.r8, g.r8);   CHECK_EQ(x.r9, g.r9);   CHECK_EQ(x.r10, g.r10); CHECK_EQ(x.r11, g.r11);
    CHECK_EQ(x.r12, g.r12); CHECK_EQ(x.r13, g.r13); CHECK_EQ(x.r14, g.r14); CHECK_EQ(x.r15, g.r15);
    CHECK_EQ(x.rsp, PATTERN);                             /* MTD_RSP not asked: untouched */
    CHECK_EQ(x.rip, PATTERN);
    CHECK_EQ(vmcs_writes, 0);                             /* saving writes nothing */
}

TEST(save_each_gpr_group_alone)
{
    reset();
    vcpu_save_state(&x, MTD_GPR_BSD, VMX_EXIT_HLT, &v, &g);
    CHECK_EQ(x.rbp, g.rbp); CHECK_EQ(x.rsi, g.rsi); CHECK_EQ(x.rdi, g.rdi);
    CHECK_EQ(x.rax, PATTERN); CHECK_EQ(x.rbx, PATTERN); CHECK_EQ(x.r8, PATTERN);
    reset();
    vcpu_save_state(&x, MTD_GPR_R8_R15, VMX_EXIT_HLT, &v, &g);
    CHECK_EQ(x.r8, g.r8); CHECK_EQ(x.r15, g.r15);
    CHECK_EQ(x.rax, PATTERN); CHECK_EQ(x.rdi, PATTERN);
    reset();
    vcpu_save_state(&x, MTD_GPR_ACDB, VMX_EXIT_HLT, &v, &g);
    CHECK_EQ(x.rax, g.rax); CHECK_EQ(x.rbx, g.rbx);
    CHECK_EQ(x.rbp, PATTERN); CHECK_EQ(x.r15, PATTERN);
}

TEST(save_rip_len_rsp_and_rflags_from_the_vmcs)
{
    reset();
    vmcs[VMCS_GUEST_RIP] = 0x100234;
    vmcs[VMCS_EXIT_INSTR_LEN] = 3;
    vmcs[VMCS_GUEST_RSP] = 0x1fefe8;
    vmcs[VMCS_GUEST_RFLAGS] = 0x246;
    vcpu_save_state(&x, MTD_RIP_LEN, VMX_EXIT_IO, &v, &g);
    CHECK_EQ(x.rip, 0x100234);
    CHECK_EQ(x.inst_len, 3);
    CHECK_EQ(x.rflags, PATTERN);
    CHECK_EQ(x.rsp, PATTERN);
    CHECK_EQ(x.rax, PATTERN);
    vcpu_save_state(&x, MTD_RFLAGS | MTD_RSP, VMX_EXIT_IO, &v, &g);
    CHECK_EQ(x.rflags, 0x246);
    CHECK_EQ(x.rsp, 0x1fefe8);
}

TEST(save_qual_of_an_ept_violation)
{
    reset();
    vmcs[VMCS_EXIT_QUAL] = EPT_QUAL_WRITE | 0x180;
    vmcs[VMCS_GUEST_PHYS] = 0xfeb00004;
    vcpu_save_state(&x, MTD_QUAL, VMX_EXIT_EPT_VIOLATION, &v, &g);
    CHECK_EQ(x.qual[0], EPT_QUAL_WRITE | 0x180);
    CHECK_EQ(x.qual[1], 0xfeb00004);
    CHECK_EQ(x.rip, PATTERN);                             /* only the qualification */
    reset();
    vmcs[VMCS_EXIT_QUAL] = 0;
    vmcs[VMCS_GUEST_PHYS] = 0x7ffffff000;
    vcpu_save_state(&x, MTD_QUAL, VMX_EXIT_EPT_MISCONFIG, &v, &g);
    CHECK_EQ(x.qual[1], 0x7ffffff000);
}

TEST(save_qual_of_an_exception)
{
    reset();
    vmcs[VMCS_EXIT_QUAL] = 0xdead000;                     /* #PF: the fault address */
    vmcs[VMCS_EXIT_INTR_INFO] = INJ_VALID | INJ_TYPE_HW_EXC | INJ_ERROR | 14;
    vmcs[VMCS_EXIT_INTR_ERROR] = 6;
    vmcs[VMCS_GUEST_PHYS] = 0x1234000;                    /* stale: not for this event */
    vcpu_save_state(&x, MTD_QUAL, VMX_EXIT_EXC_NMI, &v, &g);
    CHECK_EQ(x.qual[0], 0xdead000);
    CHECK_EQ(x.qual[1], (uint64_t)(INJ_VALID | INJ_TYPE_HW_EXC | INJ_ERROR | 14) | 6ULL << 32);
}

TEST(save_qual_of_other_events)
{
    reset();
    vmcs[VMCS_EXIT_QUAL] = 0x3f80008;                     /* in, port 0x3f8 */
    vmcs[VMCS_GUEST_PHYS] = 0x1234000;
    vmcs[VMCS_EXIT_INTR_INFO] = 0x80000b0e;
    vcpu_save_state(&x, MTD_QUAL, VMX_EXIT_IO, &v, &g);
    CHECK_EQ(x.qual[0], 0x3f80008);
    CHECK_EQ(x.qual[1], 0);
    reset();
    vmcs[VMCS_EXIT_QUAL] = 0x55;
    v.entry_error = 7;                                    /* VM entry with invalid control fields */
    vcpu_save_state(&x, MTD_QUAL, VCPU_EV_FAILED_ENTRY, &v, &g);
    CHECK_EQ(x.qual[0], 7);                               /* the VM-instruction error, not the VMCS's qual */
    CHECK_EQ(x.qual[1], 0);
    CHECK_EQ(x.vector, VCPU_EV_FAILED_ENTRY);
}

TEST(save_nothing_outside_the_mtd)
{
    reset();
    for (unsigned f = 0; f < FAKE_FIELDS; f++)
        vmcs[f] = 0x5a5a0000 + f;                         /* any group read would show */
    vcpu_save_state(&x, 0, VMX_EXIT_CPUID, &v, &g);
    CHECK_EQ(x.mtd, 0);
    CHECK_EQ(x.vector, VMX_EXIT_CPUID);
    _Static_assert(offsetof(struct utcb_exc, mtd) == 0, "mtd first");
    /* Every byte after mtd and vector is still the pattern. */
    const uint8_t *b = (const uint8_t *)&x;
    for (size_t i = 0; i < sizeof x; i++) {
        if (i < offsetof(struct utcb_exc, mtd) + 8)      /* mtd is the first field */
            continue;
        if (i >= offsetof(struct utcb_exc, vector) && i < offsetof(struct utcb_exc, vector) + 8)
            continue;
        CHECK_EQ(b[i], 0xa5);
    }
}

TEST(access_rights_pack_and_unpack)
{
    static const uint16_t ars[] = { SEG_AR_CODE64, SEG_AR_DATA, SEG_AR_TSS64_BUSY, SEG_AR_LDT,
                                    SEG_AR(0x3, 1, 3, 1, 0, 1, 1) };
    for (unsigned i = 0; i < ARRAY_SIZE(ars); i++) {
        CHECK_EQ(vcpu_ar_pack(vcpu_ar_unpack(ars[i])), ars[i]);
        CHECK_EQ(vcpu_ar_unpack(ars[i]) & VMCS_AR_UNUSABLE, 0);
    }
    CHECK_EQ(vcpu_ar_unpack(SEG_AR_CODE64), 0xa09b);      /* L and G in VMX's bits 13 and 15 */
    CHECK_EQ(vcpu_ar_pack(0xa09b), SEG_AR_CODE64);
    CHECK_EQ(vcpu_ar_pack(0xc093), SEG_AR_DATA);
    CHECK_EQ(vcpu_ar_pack(VMCS_AR_UNUSABLE | 0xc093), SEG_AR_UNUSABLE);   /* unusable: P = 0 */
    CHECK(vcpu_ar_unpack(SEG_AR_UNUSABLE) & VMCS_AR_UNUSABLE);
    CHECK(vcpu_ar_unpack(SEG_AR(0x3, 1, 0, 0, 0, 1, 1)) & VMCS_AR_UNUSABLE);   /* not present */
}

TEST(save_and_load_segments)
{
    reset();
    vmcs[VMCS_SEG(VMCS_GUEST_ES_SEL, SEG_CS)] = 0x10;
    vmcs[VMCS_SEG(VMCS_GUEST_ES_AR, SEG_CS)] = 0xa09b;
    vmcs[VMCS_SEG(VMCS_GUEST_ES_LIMIT, SEG_CS)] = 0xffffffff;
    vmcs[VMCS_SEG(VMCS_GUEST_ES_BASE, SEG_CS)] = 0x1000;
    vmcs[VMCS_SEG(VMCS_GUEST_ES_SEL, SEG_SS)] = 0;
    vmcs[VMCS_SEG(VMCS_GUEST_ES_AR, SEG_SS)] = VMCS_AR_UNUSABLE | 0xc093;
    vcpu_save_state(&x, MTD_CS_SS, VMX_EXIT_HLT, &v, &g);
    CHECK_EQ(x.cs.sel, 0x10);
    CHECK_EQ(x.cs.ar, SEG_AR_CODE64);
    CHECK_EQ(x.cs.limit, 0xffffffff);
    CHECK_EQ(x.cs.base, 0x1000);
    CHECK_EQ(x.ss.ar, SEG_AR_UNUSABLE);
    CHECK_EQ(x.ds.base, PATTERN);                         /* MTD_DS_ES not asked */
    x.ds = (struct utcb_seg){ 0x18, SEG_AR_DATA, 0xfffff, 0x2000 };
    x.es = (struct utcb_seg){ 0, SEG_AR_UNUSABLE, 0, 0 };
    vcpu_load_state(&x, MTD_DS_ES, &v, &g);
    CHECK_EQ(vmcs[VMCS_SEG(VMCS_GUEST_ES_SEL, SEG_DS)], 0x18);
    CHECK_EQ(vmcs[VMCS_SEG(VMCS_GUEST_ES_AR, SEG_DS)], 0xc093);
    CHECK_EQ(vmcs[VMCS_SEG(VMCS_GUEST_ES_LIMIT, SEG_DS)], 0xfffff);
    CHECK_EQ(vmcs[VMCS_SEG(VMCS_GUEST_ES_BASE, SEG_DS)], 0x2000);
    CHECK(vmcs[VMCS_SEG(VMCS_GUEST_ES_AR, SEG_ES)] & VMCS_AR_UNUSABLE);
    CHECK(!vmcs_written[VMCS_SEG(VMCS_GUEST_ES_AR, SEG_CS)]);
}

TEST(save_cr_is_the_guests_view)
{
    reset();
    vmcs[VMCS_GUEST_CR0] = 0x80000031;                    /* NE forced on by VMX */
    vmcs[VMCS_CR0_MASK] = CR0_NE;
    vmcs[VMCS_CR0_SHADOW] = 0x80000011;                   /* the guest wrote NE = 0 */
    vmcs[VMCS_GUEST_CR4] = 0x2020;                        /* VMXE forced on */
    vmcs[VMCS_CR4_MASK] = CR4_VMXE;
    vmcs[VMCS_CR4_SHADOW] = 0x20;
    vmcs[VMCS_GUEST_CR3] = 0x1000;
    v.cr2 = 0xdead000;
    vcpu_save_state(&x, MTD_CR, VMX_EXIT_CR, &v, &g);
    CHECK_EQ(x.cr0, 0x80000011);
    CHECK_EQ(x.cr4, 0x20);
    CHECK_EQ(x.cr3, 0x1000);
    CHECK_EQ(x.cr2, 0xdead000);                           /* VMX does not switch CR2: the vCPU keeps it */
    /* Unmasked bits are the real register's. */
    vmcs[VMCS_CR0_SHADOW] = 0x20;
    vcpu_save_state(&x, MTD_CR, VMX_EXIT_CR, &v, &g);
    CHECK_EQ(x.cr0, 0x80000031);
}

/* ---- vcpu_load_state: UTCB -> VMCS, GPR frame and vCPU ---- */

TEST(load_nothing_outside_the_mtd)
{
    reset();
    struct cpu_regs before = g;
    struct vcpu vbefore = v;
    vcpu_load_state(&x, 0, &v, &g);
    CHECK_EQ(vmcs_writes, 0);
    CHECK(!memcmp(&g, &before, sizeof g));
    CHECK(!memcmp(&v, &vbefore, sizeof v));
    vcpu_load_state(&x, MTD_GPR_ACDB | MTD_GPR_BSD | MTD_GPR_R8_R15, &v, &g);
    CHECK_EQ(vmcs_writes, 0);                             /* GPRs go to the frame, not the VMCS */
    CHECK_EQ(g.rax, PATTERN); CHECK_EQ(g.rdi, PATTERN); CHECK_EQ(g.r15, PATTERN);
    CHECK_EQ(g.rip, before.rip);                          /* the frame's iret part is not the guest's */
}

TEST(load_rflags_is_sanitized)
{
    reset();
    x.rflags = ~0ULL;
    vcpu_load_state(&x, MTD_RFLAGS, &v, &g);
    uint64_t f = vmcs[VMCS_GUEST_RFLAGS];
    CHECK(f & RFLAGS_FIXED);                              /* bit 1 always set */
    CHECK_EQ(f & ((1UL << 3) | (1UL << 5) | (1UL << 15)), 0);   /* reserved bits cleared */
    CHECK_EQ(f >> 22, 0);
    CHECK_EQ(f, 0x3f7fd7);
    x.rflags = 0;
    vcpu_load_state(&x, MTD_RFLAGS, &v, &g);
    CHECK_EQ(vmcs[VMCS_GUEST_RFLAGS], 0x2);
    x.rflags = 0x246;
    vcpu_load_state(&x, MTD_RFLAGS | MTD_RIP_LEN | MTD_RSP, &v, &g);
    CHECK_EQ(vmcs[VMCS_GUEST_RFLAGS], 0x246);
    CHECK_EQ(vmcs[VMCS_GUEST_RIP], PATTERN);
    CHECK_EQ(vmcs[VMCS_GUEST_RSP], PATTERN);
}

TEST(load_cr0_gets_fixed_bits_but_the_shadow_the_vmms_value)
{
    reset();
    v.cr0_fixed0 = CR0_PE | CR0_NE | CR0_PG;              /* what VMX demands without unrestricted guest */
    v.cr0_fixed1 = 0xffffffff;
    v.cr4_fixed0 = CR4_VMXE;
    v.cr4_fixed1 = 0x3fffff;
    x.cr0 = 0x10;                                         /* real mode: ET only */
    x.cr4 = 0x800020;                                     /* PAE, and a bit fixed1 does not allow */
    x.cr3 = 0x5000;
    x.cr2 = 0xbad000;
    vcpu_load_state(&x, MTD_CR, &v, &g);
    CHECK_EQ(vmcs[VMCS_GUEST_CR0], 0x10 | CR0_NE);        /* NE forced, PE and PG left to the guest */
    CHECK_EQ(vmcs[VMCS_CR0_SHADOW], 0x10);
    CHECK_EQ(vmcs[VMCS_GUEST_CR4], 0x20 | CR4_VMXE);
    CHECK_EQ(vmcs[VMCS_CR4_SHADOW], 0x800020);
    CHECK_EQ(vmcs[VMCS_GUEST_CR3], 0x5000);
    CHECK_EQ(v.cr2, 0xbad000);
    x.cr0 = 0x80000031;                                   /* paging on: PE and PG pass through */
    vcpu_load_state(&x, MTD_CR, &v, &g);
    CHECK_EQ(vmcs[VMCS_GUEST_CR0], 0x80000031);
    CHECK_EQ(vmcs[VMCS_CR0_SHADOW], 0x80000031);
}

TEST(load_inj_window_asks_for_the_exit)
{
    reset();
    vmcs[VMCS_CPU_CTLS] = CPU_HLT | CPU_IO | CPU_SECONDARY;
    x.intr_info = INJ_WINDOW;
    x.intr_error = 0;
    x.inst_len = 2;
    vcpu_load_state(&x, MTD_INJ, &v, &g);
    CHECK_EQ(vmcs[VMCS_CPU_CTLS], CPU_HLT | CPU_IO | CPU_SECONDARY | CPU_INTR_WINDOW);
    CHECK(vmcs_written[VMCS_ENTRY_INTR_INFO]);
    CHECK_EQ(vmcs[VMCS_ENTRY_INTR_INFO], 0);              /* bit 12 is a request, never the VMCS's */
    /* A window and an injection together: the event goes in, the window stays asked for. */
    x.intr_info = INJ_WINDOW | INJ_NMI_WINDOW | INJ_VALID | INJ_TYPE_HW_EXC | INJ_ERROR | 13;
    x.intr_error = 0x18;
    vcpu_load_state(&x, MTD_INJ, &v, &g);
    CHECK_EQ(vmcs[VMCS_ENTRY_INTR_INFO], INJ_VALID | INJ_TYPE_HW_EXC | INJ_ERROR | 13);
    CHECK_EQ(vmcs[VMCS_ENTRY_INTR_ERROR], 0x18);
    CHECK_EQ(vmcs[VMCS_ENTRY_INSTR_LEN], 2);
    CHECK(vmcs[VMCS_CPU_CTLS] & CPU_INTR_WINDOW);
}

TEST(load_inj_without_window_removes_it)
{
    reset();
    vmcs[VMCS_CPU_CTLS] = CPU_HLT | CPU_INTR_WINDOW | CPU_SECONDARY;
    x.intr_info = INJ_VALID | INJ_TYPE_EXTINT | 0x20;
    vcpu_load_state(&x, MTD_INJ, &v, &g);
    CHECK_EQ(vmcs[VMCS_CPU_CTLS], CPU_HLT | CPU_SECONDARY);
    CHECK_EQ(vmcs[VMCS_ENTRY_INTR_INFO], INJ_VALID | 0x20);
    /* Without MTD_INJ the window is left as it is. */
    vmcs[VMCS_CPU_CTLS] |= CPU_INTR_WINDOW;
    x.intr_info = 0;
    vcpu_load_state(&x, MTD_RFLAGS, &v, &g);
    CHECK(vmcs[VMCS_CPU_CTLS] & CPU_INTR_WINDOW);
}

TEST(save_inj_reports_the_window)
{
    reset();
    vmcs[VMCS_CPU_CTLS] = CPU_HLT | CPU_INTR_WINDOW;
    vmcs[VMCS_ENTRY_INTR_INFO] = 0;
    vmcs[VMCS_IDT_VECT_INFO] = INJ_VALID | INJ_TYPE_HW_EXC | 14;
    vcpu_save_state(&x, MTD_INJ, VMX_EXIT_EPT_VIOLATION, &v, &g);
    CHECK_EQ(x.intr_info, INJ_WINDOW);
    CHECK_EQ(x.vect_info, INJ_VALID | INJ_TYPE_HW_EXC | 14);
}

TEST(load_efer_lma_decides_ia32e_mode)
{
    reset();
    vmcs[VMCS_ENTRY_CTLS] = ENTRY_LOAD_EFER | ENTRY_LOAD_PAT;
    x.efer = 0x501;                                       /* LMA LME SCE */
    x.pat = 0x0007040600070406ULL;
    vcpu_load_state(&x, MTD_EFER_PAT, &v, &g);
    CHECK_EQ(vmcs[VMCS_ENTRY_CTLS], ENTRY_LOAD_EFER | ENTRY_LOAD_PAT | ENTRY_IA32E);
    CHECK_EQ(vmcs[VMCS_GUEST_EFER], 0x501);
    CHECK_EQ(vmcs[VMCS_GUEST_PAT], 0x0007040600070406ULL);
    x.efer = 0x100;                                       /* LME without LMA: not (yet) in long mode */
    vcpu_load_state(&x, MTD_EFER_PAT, &v, &g);
    CHECK_EQ(vmcs[VMCS_ENTRY_CTLS], ENTRY_LOAD_EFER | ENTRY_LOAD_PAT);
    CHECK_EQ(vmcs[VMCS_GUEST_EFER], 0x100);
}

TEST(load_activity_and_interruptibility_state)
{
    reset();
    static const struct { uint32_t in, out; } a[] = {
        { ACTV_ACTIVE, ACTV_ACTIVE }, { ACTV_HLT, ACTV_ACTIVE }, { 2, ACTV_ACTIVE }, { 3, ACTV_ACTIVE },
        { 0xffffffff, ACTV_ACTIVE },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(a); i++) {
        x.actv_state = a[i].in;
        x.intr_state = 0xfffffff0 | INTR_STATE_STI;
        vcpu_load_state(&x, MTD_STA, &v, &g);
        CHECK_EQ(vmcs[VMCS_GUEST_ACTV_STATE], a[i].out);  /* always active: HLT exits, halting is the VMM's */
        CHECK_EQ(vmcs[VMCS_GUEST_INTR_STATE], INTR_STATE_STI);
    }
}

TEST(load_tlb_asks_for_a_flush)
{
    reset();
    vcpu_load_state(&x, MTD_RFLAGS, &v, &g);
    CHECK(!v.flush);
    vcpu_load_state(&x, MTD_TLB, &v, &g);
    CHECK(v.flush);
    CHECK_EQ(vmcs_writes, 1);                             /* only the RFLAGS write before */
}

TEST(state_round_trips)
{
    reset();
    x.rax = 1; x.rcx = 2; x.rdx = 3; x.rbx = 4; x.rbp = 5; x.rsi = 6; x.rdi = 7;
    x.r8 = 8; x.r9 = 9; x.r10 = 10; x.r11 = 11; x.r12 = 12; x.r13 = 13; x.r14 = 14; x.r15 = 15;
    x.rsp = 0x1ff000; x.rip = 0x100000; x.inst_len = 0; x.rflags = 0x202;
    uint64_t mtd = MTD_GPR_ACDB | MTD_GPR_BSD | MTD_GPR_R8_R15 | MTD_RSP | MTD_RIP_LEN | MTD_RFLAGS;
    vcpu_load_state(&x, mtd, &v, &g);
    struct utcb_exc y;
    memset(&y, 0, sizeof y);
    vcpu_save_state(&y, mtd, VMX_EXIT_VMCALL, &v, &g);
    CHECK_EQ(y.rax, 1); CHECK_EQ(y.rbx, 4); CHECK_EQ(y.rdi, 7); CHECK_EQ(y.r8, 8); CHECK_EQ(y.r15, 15);
    CHECK_EQ(y.rsp, 0x1ff000);
    CHECK_EQ(y.rip, 0x100000);
    CHECK_EQ(y.rflags, 0x202);
}

int main(void)
{
    return unit_run();
}
