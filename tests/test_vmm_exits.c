// SPDX-License-Identifier: MIT
/* tests/test_vmm_exits.c — the VMM's exit handling on the host: port I/O, CPUID, VMCALL, injection, MMIO decoding. */

/*
 * The hypercall wrappers of facet/hypercall.h execute `syscall`; the header
 * is `#pragma once`, so it is included first and the wrappers the code
 * under test may reach are then replaced by macros that record the call.
 * Guest RAM (APP_SHARED, VMM_RAM_HIGH) becomes two buffers here, so the real
 * vmm/memory.c builds the guest's page tables and mmio.c walks them.
 * Everything else exits.c calls (the port bus, the PIC, MSRs) is a stub below.
 */
#include "vmm/vmm.h"

struct hc_log {
    unsigned revokes, sm_ups, sm_downs, delegates;
    uint64_t revoke_crd;
    sel_t up[4];
    uint64_t delegate_dst, delegate_dst_crd;
};
static struct hc_log hc;

__attribute__((unused)) static unsigned stub_revoke(uint64_t crd, unsigned flags, sel_t pd)
{
    (void)flags, (void)pd;
    hc.revokes++;
    hc.revoke_crd = crd;
    return SUCCESS;
}

__attribute__((unused)) static unsigned stub_sm_up(sel_t sm)
{
    if (hc.sm_ups < 4)
        hc.up[hc.sm_ups] = sm;
    hc.sm_ups++;
    return SUCCESS;
}

__attribute__((unused)) static unsigned stub_sm_down(sel_t sm, uint64_t deadline)
{
    (void)sm, (void)deadline;
    hc.sm_downs++;
    return SUCCESS;
}

__attribute__((unused)) static unsigned stub_delegate_guest(sel_t src, sel_t dst, uint64_t src_crd, uint64_t dst_crd)
{
    (void)src, (void)src_crd;
    hc.delegates++;
    hc.delegate_dst = dst;
    hc.delegate_dst_crd = dst_crd;
    return SUCCESS;
}

#define fc_revoke(crd, flags, pd)            stub_revoke(crd, flags, pd)
#define fc_sm_up(sm)                         stub_sm_up(sm)
#define fc_sm_down(sm, deadline)             stub_sm_down(sm, deadline)
#define fc_delegate_guest(s, d, scrd, dcrd)  stub_delegate_guest(s, d, scrd, dcrd)
#define fc_rdtsc()                           UINT64_C(1000000)

/* Guest RAM: [0, 2 MiB) and 2 MiB above it, at host addresses instead of the VMM's fixed ones. */
#define TEST_RAM (4UL << 20)
static uint8_t ram_low[VMM_RAM_LOW] __attribute__((aligned(4096)));
static uint8_t ram_high[TEST_RAM - VMM_RAM_LOW] __attribute__((aligned(4096)));
#undef APP_SHARED
#define APP_SHARED ((uintptr_t)ram_low)
#undef VMM_RAM_HIGH
#define VMM_RAM_HIGH ((uintptr_t)ram_high)

/* The console ring's front (vmm/main.c): a hole's stub says what is missing through it. */
void vmm_log(const char *fmt, ...)
{
    (void)fmt;
}

#include "vmm/exits.c"
#include "vmm/cpuid.c"
#include "vmm/mmio.c"
#include "vmm/memory.c"
#include "vmm/start_state.c"
#include "vmm/fuzz.c"
#include "unit.h"

/* ---- what exits.c needs from vmm/main.c, vmm/io.c, vmm/msr.c and the PIC ---- */

struct vm the_vm;
static const struct vmm_info info = { .guest = "test", .ram = TEST_RAM, .tsc_khz = 1000000 };

/* The guest image guest_boot loads at GUEST_LOAD: the MMIO tests run it. */
static const uint8_t image[] = {
    0x8b, 0x02,                     /* mov eax, [rdx] */
    0x89, 0x0a,                     /* mov [rdx], ecx */
    0xc7, 0x02, 0x78, 0x56, 0x34, 0x12,   /* mov dword [rdx], 0x12345678 */
    0x45, 0x8b, 0x48, 0x08,         /* mov r9d, [r8 + 8] */
    0x0f, 0x0b,                     /* ud2: nothing the decoder knows */
};
const struct guest_image guest_images[] = {
    { "test", image, image + sizeof image },
    { NULL, NULL, NULL },
};

/* The port bus: one access recorded; an IN returns io_in_value. */
static struct {
    unsigned calls;
    uint16_t port;
    bool in;
    unsigned size;
    uint32_t value;              /* what an OUT wrote, or what the handler offered an IN */
} io;
static uint32_t io_in_value;

bool io_access(struct vm *vm, uint16_t port, bool in, unsigned size, uint32_t *value)
{
    (void)vm;
    io.calls++;
    io.port = port, io.in = in, io.size = size, io.value = *value;
    if (in)
        *value = io_in_value;
    return true;
}

static unsigned irq_updates;
void vm_update_irqs(struct vm *vm)
{
    (void)vm;
    irq_updates++;
}

/* The PIC: one pending vector (or -1), taken by pic_ack. */
static int pic_vector = -1;
static unsigned pic_acks;
int pic_pending(const struct pic *p)
{
    (void)p;
    return pic_vector;
}

int pic_ack(struct pic *p)
{
    (void)p;
    int v = pic_vector;
    pic_vector = -1;
    pic_acks++;
    return v;
}

bool msr_read(struct vm *vm, struct utcb_exc *x, uint32_t msr, uint64_t *value)
{
    (void)vm, (void)x, (void)msr;
    *value = 0;
    return false;
}

bool msr_write(struct vm *vm, struct utcb_exc *x, uint32_t msr, uint64_t value)
{
    (void)vm, (void)x, (void)msr, (void)value;
    return false;
}

/* A Linux guest's start (vmm/linux_boot.c): recorded. */
static unsigned linux_starts;
void linux_start(struct vm *vm, struct utcb_exc *x)
{
    (void)vm;
    linux_starts++;
    x->rip = 0x1000200;
}

/* ---- the tests ---- */

static struct vm *vm = &the_vm;
static struct utcb_exc x;

/* A running VM with nothing pending, and an exit message: 64-bit guest, IF set, a 2-byte instruction at rip. */
static void reset(void)
{
    memset(&hc, 0, sizeof hc);
    memset(&io, 0, sizeof io);
    io_in_value = 0;
    irq_updates = 0;
    pic_vector = -1;
    pic_acks = 0;
    memset(populated, 0, sizeof populated);
    memset(&the_vm, 0, sizeof the_vm);
    the_vm.info = &info;
    the_vm.name = "test";
    the_vm.state = VM_RUNNING;
    memset(&x, 0, sizeof x);
    x.rip = 0x100010;
    x.inst_len = 2;
    x.rflags = 0x202;
}

/* The qualification of a port-I/O exit. */
static uint64_t io_qual(unsigned port, unsigned size, bool in)
{
    return (uint64_t)(size - 1) | (in ? 1u << 3 : 0) | (uint64_t)port << 16;
}

/* The VM ended as vm_end ends it: failed, and the main thread woken to report (and revoke the vCPU). */
static void check_ended(void)
{
    CHECK_EQ(vm->state, VM_DONE);
    CHECK_EQ(vm->status, ~0UL);
    CHECK(hc.sm_ups >= 1 && hc.sm_ups <= 4);
    CHECK_EQ(hc.up[hc.sm_ups - 1], SEL_WAKE);
    CHECK_EQ(hc.sm_downs, 0);
}

TEST(io_out_passes_port_size_and_value)
{
    static const struct { unsigned port, size; uint32_t value; } c[] = {
        { 0x3f8, 1, 0x88 }, { 0x1f0, 2, 0x7788 }, { 0xcfc, 4, 0x55667788 },
    };
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
        reset();
        x.rax = 0x1122334455667788ULL;
        x.qual[0] = io_qual(c[i].port, c[i].size, false);
        exit_dispatch(vm, VMX_EXIT_IO, &x);
        CHECK_EQ(io.calls, 1);
        CHECK_EQ(io.port, c[i].port);
        CHECK_EQ(io.in, false);
        CHECK_EQ(io.size, c[i].size);
        CHECK_EQ(io.value, c[i].value);                   /* only the operand's bytes */
        CHECK_EQ(x.rax, 0x1122334455667788ULL);           /* an OUT leaves rax alone */
        CHECK_EQ(x.rip, 0x100012);                        /* past the instruction */
        CHECK_EQ(vm->state, VM_RUNNING);
    }
}

TEST(io_in_merges_into_the_low_bytes)
{
    reset();
    x.rax = 0x1122334455667788ULL;
    x.qual[0] = io_qual(0x60, 1, true);
    io_in_value = 0xfedcba98;                             /* more than the operand: only a byte counts */
    exit_dispatch(vm, VMX_EXIT_IO, &x);
    CHECK_EQ(io.calls, 1);
    CHECK_EQ(io.port, 0x60);
    CHECK_EQ(io.in, true);
    CHECK_EQ(io.size, 1);
    CHECK_EQ(x.rax, 0x1122334455667798ULL);               /* IN AL: the rest of rax stays */
    CHECK_EQ(x.rip, 0x100012);
    reset();
    x.rax = 0x1122334455667788ULL;
    x.qual[0] = io_qual(0x1f0, 2, true);
    io_in_value = 0xfedcba98;
    exit_dispatch(vm, VMX_EXIT_IO, &x);
    CHECK_EQ(io.size, 2);
    CHECK_EQ(x.rax, 0x112233445566ba98ULL);               /* IN AX */
}

TEST(io_in_4_bytes_zero_extends_rax)
{
    reset();
    x.rax = 0x1122334455667788ULL;
    x.qual[0] = io_qual(0xcfc, 4, true);
    io_in_value = 0xfedcba98;
    exit_dispatch(vm, VMX_EXIT_IO, &x);
    CHECK_EQ(io.size, 4);
    CHECK_EQ(x.rip, 0x100012);
    CHECK_EQ(x.rax, 0xfedcba98ULL);                       /* IN EAX writes EAX: bits 63:32 become 0 */
}

TEST(io_string_ends_the_vm)
{
    reset();
    x.qual[0] = io_qual(0x3f8, 1, false) | (1u << 4);     /* outsb */
    pic_vector = 0x20;
    exit_dispatch(vm, VMX_EXIT_IO, &x);
    CHECK_EQ(io.calls, 0);
    check_ended();
    CHECK(strstr(vm->why, "string"));
    CHECK_EQ(x.rip, 0x100010);
    CHECK_EQ(pic_acks, 0);                                /* an ended VM gets no injection */
    CHECK_EQ(x.intr_info, 0);
}

TEST(skip_steps_over_and_ends_sti_and_mov_ss_blocking)
{
    reset();
    x.inst_len = 3;
    x.intr_state = INTR_STATE_STI | INTR_STATE_MOVSS | INTR_STATE_NMI;
    vm_skip(&x);
    CHECK_EQ(x.rip, 0x100013);
    CHECK_EQ(x.intr_state, INTR_STATE_NMI);               /* NMI blocking is not the instruction's */
    reset();
    x.qual[0] = io_qual(0x80, 1, false);
    x.intr_state = INTR_STATE_MOVSS;
    exit_dispatch(vm, VMX_EXIT_IO, &x);
    CHECK_EQ(x.intr_state, 0);
}

TEST(cpuid_hypervisor_leaves)
{
    reset();
    x.rax = 0xffffffff40000000ULL;                        /* CPUID reads eax only */
    x.rbx = x.rcx = x.rdx = ~0ULL;
    exit_dispatch(vm, VMX_EXIT_CPUID, &x);
    CHECK_EQ(x.rax, 0x40000000);
    char sig[13] = { 0 };
    uint32_t r[3] = { (uint32_t)x.rbx, (uint32_t)x.rcx, (uint32_t)x.rdx };
    memcpy(sig, r, 12);
    CHECK_STR(sig, "FacetVMM    ");
    CHECK_EQ(x.rbx >> 32, 0);                             /* 32-bit results: the upper halves are 0 */
    CHECK_EQ(x.rcx >> 32, 0);
    CHECK_EQ(x.rdx >> 32, 0);
    CHECK_EQ(x.rip, 0x100012);
    /* The other hypervisor leaves, topology and XSAVE state: all zero. */
    static const uint32_t leaves[] = { 0x40000001, 0x400000ff, 0xb, 0xd };
    for (unsigned i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
        reset();
        x.rax = leaves[i];
        x.rbx = x.rcx = x.rdx = 0x5555;
        exit_dispatch(vm, VMX_EXIT_CPUID, &x);
        CHECK_EQ(x.rax, 0); CHECK_EQ(x.rbx, 0); CHECK_EQ(x.rcx, 0); CHECK_EQ(x.rdx, 0);
    }
}

TEST(cpuid_leaf_1_hides_what_the_vm_lacks)
{
    reset();
    x.rax = 1;
    exit_dispatch(vm, VMX_EXIT_CPUID, &x);
    CHECK(x.rcx & (1u << 31));                            /* hypervisor present */
    CHECK_EQ(x.rcx & (1u << 5), 0);                       /* no VMX */
    CHECK_EQ(x.rcx & (1u << 21), 0);                      /* no x2APIC */
    CHECK_EQ(x.rcx & ((1u << 26) | (1u << 27)), 0);       /* no XSAVE, no OSXSAVE */
    CHECK_EQ(x.rcx & (1u << 3), 0);                       /* no MONITOR */
    CHECK_EQ(x.rdx & (1u << 9), 0);                       /* no local APIC */
    CHECK_EQ((x.rbx >> 16) & 0xff, 1);                    /* one logical CPU */
    CHECK_EQ(x.rbx >> 24, 0);                             /* initial APIC id 0 */
    CHECK_EQ(x.rip, 0x100012);
}

TEST(vmcall_ping_returns_rbx_plus_one)
{
    reset();
    x.rax = 1;
    x.rbx = 41;
    exit_dispatch(vm, VMX_EXIT_VMCALL, &x);
    CHECK_EQ(x.rax, 42);
    CHECK_EQ(x.rbx, 41);
    CHECK_EQ(x.rip, 0x100012);
    reset();
    x.rax = 99;
    x.rbx = 41;
    exit_dispatch(vm, VMX_EXIT_VMCALL, &x);
    CHECK_EQ(x.rax, ~0ULL);                               /* unknown function */
    CHECK_EQ(vm->state, VM_RUNNING);
}

TEST(inject_a_pending_interrupt_when_the_guest_can_take_it)
{
    reset();
    pic_vector = 0x20;
    exit_dispatch(vm, VMX_EXIT_INTR_WINDOW, &x);
    CHECK(irq_updates >= 1);                              /* device time is brought up to date first */
    CHECK_EQ(pic_acks, 1);
    CHECK_EQ(x.intr_info, INJ_VALID | INJ_TYPE_EXTINT | 0x20);
    CHECK_EQ(x.rip, 0x100010);                            /* a window exit steps over nothing */
    /* Nothing pending: nothing injected, no window asked for (a stale request is dropped). */
    reset();
    x.intr_info = INJ_WINDOW;
    exit_dispatch(vm, VMX_EXIT_INTR_WINDOW, &x);
    CHECK_EQ(x.intr_info, 0);
    CHECK_EQ(pic_acks, 0);
}

TEST(inject_asks_for_a_window_when_the_guest_cannot)
{
    reset();
    pic_vector = 0x21;
    x.rflags = 0x2;                                       /* IF = 0 */
    exit_dispatch(vm, VCPU_EV_RECALL, &x);
    CHECK_EQ(x.intr_info, INJ_WINDOW);
    CHECK_EQ(pic_acks, 0);                                /* still pending on the PIC */
    reset();
    pic_vector = 0x21;
    x.intr_state = INTR_STATE_STI;                        /* IF = 1, but in the shadow of STI */
    exit_dispatch(vm, VCPU_EV_RECALL, &x);
    CHECK_EQ(x.intr_info, INJ_WINDOW);
    reset();
    pic_vector = 0x21;
    x.intr_state = INTR_STATE_MOVSS;
    exit_dispatch(vm, VMX_EXIT_INTR_WINDOW, &x);
    CHECK_EQ(x.intr_info, INJ_WINDOW);
    CHECK_EQ(pic_acks, 0);
}

TEST(inject_after_the_instruction_that_ended_the_sti_shadow)
{
    reset();
    pic_vector = 0x20;
    x.intr_state = INTR_STATE_STI;                        /* sti; vmcall: the vmcall completes the shadow */
    x.rax = 1;
    exit_dispatch(vm, VMX_EXIT_VMCALL, &x);
    CHECK_EQ(x.intr_state, 0);
    CHECK_EQ(x.intr_info, INJ_VALID | 0x20);
}

TEST(inject_keeps_an_event_already_chosen)
{
    reset();
    pic_vector = 0x20;
    x.vect_info = INJ_VALID | INJ_TYPE_HW_EXC | INJ_ERROR | INJ_WINDOW | 14;   /* bit 12: NMI unblocking, not ours */
    x.vect_error = 2;
    x.qual[1] = 0x300000;                                 /* #PF delivery touched a page not given yet */
    exit_dispatch(vm, VMX_EXIT_EPT_VIOLATION, &x);
    CHECK_EQ(hc.delegates, 1);
    CHECK_EQ(x.intr_info, INJ_VALID | INJ_TYPE_HW_EXC | INJ_ERROR | 14);
    CHECK_EQ(x.intr_error, 2);
    CHECK_EQ(pic_acks, 0);                                /* the PIC's interrupt waits */
    /* An event the handler injected itself wins over the PIC too. */
    reset();
    pic_vector = 0x20;
    exit_dispatch(vm, VMX_EXIT_XSETBV, &x);
    CHECK_EQ(x.intr_info, INJ_VALID | INJ_TYPE_HW_EXC | 6);   /* #UD, not the timer */
    CHECK_EQ(pic_acks, 0);
}

TEST(hlt_with_an_interrupt_or_without_hope)
{
    reset();
    pic_vector = 0x20;                                    /* IF = 1 and an interrupt waiting: no sleep */
    exit_dispatch(vm, VMX_EXIT_HLT, &x);
    CHECK_EQ(hc.sm_downs, 0);
    CHECK_EQ(x.rip, 0x100012);
    CHECK_EQ(x.intr_info, INJ_VALID | 0x20);
    CHECK_EQ(vm->state, VM_RUNNING);
    reset();
    x.rflags = 0x2;                                       /* cli; hlt: nothing can ever wake it */
    exit_dispatch(vm, VMX_EXIT_HLT, &x);
    check_ended();
    CHECK(strstr(vm->why, "interrupts disabled"));
}

/* A Linux guest that halts with interrupts off powered itself off: status 0, or 1 after a panic. */
TEST(linux_guest_halt_is_its_power_off)
{
    reset();
    vm->linux_guest = true;
    x.rflags = 0x2;
    exit_dispatch(vm, VMX_EXIT_HLT, &x);
    CHECK_EQ(vm->state, VM_DONE);
    CHECK_EQ(vm->status, 0);
    reset();
    vm->linux_guest = true;
    vm->panicked = true;
    x.rflags = 0x2;
    exit_dispatch(vm, VMX_EXIT_HLT, &x);
    CHECK_EQ(vm->status, 1);
}

TEST(linux_guest_starts_at_its_entry)
{
    reset();
    vm->linux_guest = true;
    linux_starts = 0;
    exit_dispatch(vm, VCPU_EV_STARTUP, &x);
    CHECK_EQ(linux_starts, 1);
    CHECK_EQ(x.rip, 0x1000200);
    CHECK_EQ(vm->state, VM_RUNNING);
}

TEST(ept_violation_in_ram_gives_the_page)
{
    reset();
    x.qual[0] = EPT_QUAL_WRITE;
    x.qual[1] = 0x345678;
    exit_dispatch(vm, VMX_EXIT_EPT_VIOLATION, &x);
    CHECK_EQ(hc.delegates, 1);
    CHECK_EQ(hc.delegate_dst, SEL_VM_PD);
    CHECK_EQ(CRD_BASE(hc.delegate_dst_crd), 0x345);
    CHECK_EQ(vm->pages_populated, 1);
    CHECK_EQ(x.rip, 0x100010);                            /* the same instruction again */
    CHECK_EQ(vm->state, VM_RUNNING);
    /* Outside RAM and not the device: the VM ends. */
    x.qual[1] = 0x80000000;
    exit_dispatch(vm, VMX_EXIT_EPT_VIOLATION, &x);
    check_ended();
    CHECK(strstr(vm->why, "wrote guest-physical 0x80000000"));
}

/* Decode bytes (the array's length) into m; the result of mov_decode. */
#define DECODE(m, ...) ({ static const uint8_t b_[] = { __VA_ARGS__ }; mov_decode(b_, sizeof b_, (m)); })

TEST(decode_mov_forms)
{
    struct mov m;
    CHECK(DECODE(&m, 0x8b, 0x02));                        /* mov eax, [rdx] */
    CHECK_EQ(m.len, 2); CHECK_EQ(m.size, 4); CHECK(!m.write); CHECK_EQ(m.reg, 0);
    CHECK(DECODE(&m, 0x89, 0x0a));                        /* mov [rdx], ecx */
    CHECK_EQ(m.len, 2); CHECK_EQ(m.size, 4); CHECK(m.write); CHECK_EQ(m.reg, 1);
    CHECK(DECODE(&m, 0xc7, 0x02, 0x78, 0x56, 0x34, 0x12));   /* mov dword [rdx], imm32 */
    CHECK_EQ(m.len, 6); CHECK_EQ(m.size, 4); CHECK(m.write); CHECK_EQ(m.reg, -1);
    CHECK_EQ(m.imm, 0x12345678);
    CHECK(DECODE(&m, 0x8a, 0x1a));                        /* mov bl, [rdx] */
    CHECK_EQ(m.size, 1); CHECK_EQ(m.reg, 3);
    CHECK(DECODE(&m, 0xc6, 0x02, 0x7f));                  /* mov byte [rdx], 0x7f */
    CHECK_EQ(m.len, 3); CHECK_EQ(m.size, 1); CHECK_EQ(m.imm, 0x7f);
    CHECK(DECODE(&m, 0x66, 0x89, 0x02));                  /* mov [rdx], ax */
    CHECK_EQ(m.len, 3); CHECK_EQ(m.size, 2);
}

TEST(decode_rex_prefixes)
{
    struct mov m;
    CHECK(DECODE(&m, 0x41, 0x8b, 0x00));                  /* mov eax, [r8]: REX.B names the base only */
    CHECK_EQ(m.len, 3); CHECK_EQ(m.size, 4); CHECK_EQ(m.reg, 0);
    CHECK(DECODE(&m, 0x44, 0x89, 0x08));                  /* mov [rax], r9d: REX.R extends reg */
    CHECK_EQ(m.len, 3); CHECK_EQ(m.reg, 9); CHECK(m.write);
    CHECK(DECODE(&m, 0x48, 0x8b, 0x02));                  /* mov rax, [rdx] */
    CHECK_EQ(m.size, 8);
    CHECK(DECODE(&m, 0x48, 0xc7, 0x02, 0xff, 0xff, 0xff, 0xff));   /* mov qword [rdx], -1 */
    CHECK_EQ(m.len, 7); CHECK_EQ(m.size, 8); CHECK_EQ(m.imm, ~0ULL);   /* imm32 sign-extended */
}

TEST(decode_addressing_forms)
{
    struct mov m;
    CHECK(DECODE(&m, 0x8b, 0x44, 0x24, 0x08));            /* mov eax, [rsp + 8]: SIB, disp8 */
    CHECK_EQ(m.len, 4); CHECK_EQ(m.reg, 0);
    CHECK(DECODE(&m, 0x8b, 0x05, 0x00, 0x10, 0x00, 0x00));   /* mov eax, [rip + 0x1000] */
    CHECK_EQ(m.len, 6);
    CHECK(DECODE(&m, 0x8b, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00));   /* [rsp + disp32] */
    CHECK_EQ(m.len, 7);
    CHECK(DECODE(&m, 0x8b, 0x04, 0x25, 0x00, 0x00, 0xb0, 0xfe));   /* SIB with no base: disp32 */
    CHECK_EQ(m.len, 7);
    CHECK(DECODE(&m, 0x89, 0x4a, 0x04));                  /* mov [rdx + 4], ecx */
    CHECK_EQ(m.len, 3); CHECK_EQ(m.reg, 1);
    CHECK(DECODE(&m, 0xc7, 0x42, 0x08, 0x01, 0x00, 0x00, 0x00));   /* disp8 then imm32 */
    CHECK_EQ(m.len, 7); CHECK_EQ(m.imm, 1);
}

TEST(decode_refuses_what_it_does_not_know)
{
    struct mov m;
    CHECK(!DECODE(&m, 0x8b, 0xc0));                       /* mov eax, eax: no memory operand */
    CHECK(!DECODE(&m, 0x01, 0x02));                       /* add [rdx], eax */
    CHECK(!DECODE(&m, 0x0f, 0xb6, 0x02));                 /* movzx */
    CHECK(!DECODE(&m, 0xc7, 0x0a, 0x01, 0x00, 0x00, 0x00));   /* c7 /1 is not MOV */
    CHECK(!DECODE(&m, 0xc7, 0x02, 0x01, 0x00));           /* the immediate cut short */
    CHECK(!DECODE(&m, 0x8b));                             /* no ModRM */
    CHECK(!DECODE(&m, 0x66, 0x48));                       /* prefixes only */
}

/* Boot the test image (vmm/memory.c: identity tables, the image at GUEST_LOAD) and run to its i-th instruction. */
static void boot_at(uint64_t rip)
{
    reset();
    exit_dispatch(vm, VCPU_EV_STARTUP, &x);
    CHECK_EQ(vm->state, VM_RUNNING);
    CHECK_EQ(x.rip, GUEST_LOAD);
    CHECK_EQ(x.cr3, GUEST_PML4);
    x.rip = rip;
    x.rdx = GUEST_MMIO;
    x.qual[1] = GUEST_MMIO;
}

TEST(mmio_reads_and_writes_the_device)
{
    boot_at(GUEST_LOAD);
    x.rax = ~0ULL;
    exit_dispatch(vm, VMX_EXIT_EPT_VIOLATION, &x);        /* mov eax, [rdx]: the counter */
    CHECK_EQ(vm->state, VM_RUNNING);
    CHECK_EQ(x.rax, 1);                                   /* a 32-bit load zero-extends */
    CHECK_EQ(x.rip, GUEST_LOAD + 2);
    x.rcx = 0xffffffff00000007ULL;
    x.qual[1] = GUEST_MMIO + 4;
    exit_dispatch(vm, VMX_EXIT_EPT_VIOLATION, &x);        /* mov [rdx], ecx: scratch */
    CHECK_EQ(vm->mmio_scratch, 7);
    CHECK_EQ(x.rip, GUEST_LOAD + 4);
    exit_dispatch(vm, VMX_EXIT_EPT_VIOLATION, &x);        /* mov dword [rdx], imm32 */
    CHECK_EQ(vm->mmio_scratch, 0x12345678);
    CHECK_EQ(x.rip, GUEST_LOAD + 10);
    x.r8 = GUEST_MMIO;
    x.r9 = ~0ULL;
    x.qual[1] = GUEST_MMIO + 8;
    exit_dispatch(vm, VMX_EXIT_EPT_VIOLATION, &x);        /* mov r9d, [r8 + 8]: scratch * 3 + 1 */
    CHECK_EQ(x.r9, 0x12345678u * 3 + 1);
    CHECK_EQ(x.rip, GUEST_LOAD + 14);
    CHECK_EQ(hc.delegates, 0);                            /* the device page is never RAM */
}

TEST(mmio_with_an_unknown_instruction_ends_the_vm)
{
    boot_at(GUEST_LOAD + 14);                             /* ud2 */
    exit_dispatch(vm, VMX_EXIT_EPT_VIOLATION, &x);
    check_ended();
    CHECK_EQ(x.rip, GUEST_LOAD + 14);
}

int main(void)
{
    return unit_run();
}
