// SPDX-License-Identifier: MIT
/* grade/witness/ept.c — stage 3: a VM of its own — guest memory by delegation, the start state, port I/O, an EPT violation, hlt. */
#include "witness.h"
#include "start_state.h"                    /* vmm/: the long-mode state, no VMM code */

/* ---- stage 3: ept ------------------------------------------------------------------------- */

/*
 * A VM of our own: four pages of guest-physical memory (long-mode tables at 0x1000-0x3000 that
 * map the first GiB with 2 MiB pages, a GDT at 0x4000) and the code at 0x10000; everything
 * else of that GiB is ours to give on its first touch. The guest (start.S, guest_code) writes
 * rax to port dx, reads the quadword at rbx, writes to port dx again (rcx: what it read), halts.
 */
#define VM_EVT       0x200                  /* the vCPU's portals in the VM's PD (256, aligned) */
#define GUEST_TABLES 0x1000UL
#define GUEST_GDT    0x4000UL
#define GUEST_CODE   0x10000UL
#define PTE_P        0x1UL
#define PTE_W        0x2UL
#define PTE_PS       0x80UL
#define VM_MTD       (MTD_GPR_ACDB | MTD_GPR_BSD | MTD_RIP_LEN | MTD_RFLAGS | MTD_STA | MTD_QUAL)
#define VM_MTD_BOOT  (VM_MTD | MTD_GPR_R8_R15 | MTD_RSP | MTD_DS_ES | MTD_FS_GS | MTD_CS_SS | MTD_TR | \
                      MTD_LDTR | MTD_GDTR | MTD_IDTR | MTD_CR | MTD_DR | MTD_SYSENTER | MTD_EFER_PAT)

extern char guest_code[], guest_code_end[];
static sel_t vm_pd, vm_done;
static volatile struct {
    uint64_t value, port, far;              /* its inputs */
    uint64_t far_value;                     /* what the page we give at far holds */
    unsigned startups, ios, violations, halts, others;
    uint64_t other_event, io_qual[2], io_rax, io_rip[2], read_back, viol_qual, viol_gpa;
    unsigned delegated;                     /* the status of giving the page */
} vm;

static unsigned guest_page(uint64_t gpa, uint64_t *frame_out)
{
    uint64_t f = frame_alloc();
    if (!f)
        return OOM;
    if (frame_out)
        *frame_out = f;
    return fc_delegate_guest(SEL_ROOT_PD, vm_pd, CRD(CRD_MEM, MEM_R | MEM_W | MEM_X, 0, window_page(f)),
                             CRD(CRD_MEM, MEM_R | MEM_W | MEM_X, 0, gpa >> PAGE_SHIFT));
}

/* The guest's first state: long mode, paging through its tables, at its code, our inputs. */
static void vm_start_state(struct utcb_exc *x)
{
    vcpu_long_mode_state(x, GUEST_CODE, 0, GUEST_TABLES, GUEST_GDT);
    x->mtd = VM_MTD_BOOT;
    x->rax = vm.value;
    x->rdx = vm.port;
    x->rbx = vm.far;
}

static void vm_fn(uint64_t event, struct utcb *u)
{
    struct utcb_exc *x = &u->exc;
    if (event == VCPU_EV_STARTUP) {
        vm.startups++;
        vm_start_state(x);
        return;
    }
    x->mtd = MTD_RIP_LEN;                   /* what goes back: where it goes on */
    if (event == VMX_EXIT_IO && vm.ios < 2) {
        vm.io_qual[vm.ios] = x->qual[0];
        vm.io_rip[vm.ios] = x->rip;
        if (vm.ios == 0)
            vm.io_rax = x->rax;
        else
            vm.read_back = x->rcx;
        vm.ios++;
        x->rip += x->inst_len;
    } else if (event == VMX_EXIT_EPT_VIOLATION && !vm.violations) {
        vm.violations++;
        vm.viol_qual = x->qual[0];
        vm.viol_gpa = x->qual[1];
        uint64_t f = 0;
        vm.delegated = guest_page(x->qual[1] & ~0xfffUL, &f);   /* then the access is tried again */
        if (f)
            *(volatile uint64_t *)(window(f) + (vm.far & 0xfff)) = vm.far_value;
    } else if (event == VMX_EXIT_HLT) {
        vm.halts++;
        x->rip += x->inst_len;              /* on to a loop of pauses: we end the VM */
        fc_sm_up(vm_done);
    } else {
        vm.others++;                        /* anything else ends the test */
        vm.other_event = event;
        x->mtd = 0;
        fc_sm_up(vm_done);
        park();                             /* no reply: the vCPU stays stopped */
    }
}

void stage_ept(void)
{
    if (!(hip->features & (HIP_FEAT_VMX | HIP_FEAT_SVM))) {
        verdict("vm-start", "this machine has no vCPUs (no VMX, no SVM)");
        return;
    }
    vm.value = rnd() & 0xffffffff;
    vm.port = 0x500 + rnd() % 0x100;
    vm.far = (0x200000 + (rnd() % (0x40000000 - 0x200000))) & ~7UL;
    vm.far_value = rnd();
    vm_pd = sel_alloc(1);
    vm_done = sm_new(0);
    sel_t evt = sel_alloc(VCPU_EVENTS), ec = handler_new(0, vm_fn), vcpu = sel_alloc(1), sc = sel_alloc(1);
    uint64_t tables = 0, gdt = 0, code = 0;
    unsigned s = fc_create_pd(vm_pd, SEL_ROOT_PD, 0, 0);
    s = s ? s : guest_page(GUEST_TABLES, &tables);
    uint64_t pdpt = 0, pd = 0;
    s = s ? s : guest_page(GUEST_TABLES + 0x1000, &pdpt);
    s = s ? s : guest_page(GUEST_TABLES + 0x2000, &pd);
    s = s ? s : guest_page(GUEST_GDT, &gdt);
    s = s ? s : guest_page(GUEST_CODE, &code);
    if (s == SUCCESS) {
        uint64_t *pml4e = (uint64_t *)window(tables), *pdpte = (uint64_t *)window(pdpt), *pde = (uint64_t *)window(pd);
        pml4e[0] = (GUEST_TABLES + 0x1000) | PTE_P | PTE_W;
        pdpte[0] = (GUEST_TABLES + 0x2000) | PTE_P | PTE_W;
        for (uint64_t i = 0; i < 512; i++)
            pde[i] = (i << 21) | PTE_P | PTE_W | PTE_PS;
        uint64_t *g = (uint64_t *)window(gdt);
        g[GUEST_SEL_CODE / 8] = GUEST_GDT_CODE;
        g[GUEST_SEL_DATA / 8] = GUEST_GDT_DATA;
        memcpy((void *)window(code), guest_code, (size_t)(guest_code_end - guest_code));
    }
    for (unsigned e = 0; s == SUCCESS && e < VCPU_EVENTS; e++)
        s = portal(evt + e, ec, e == VCPU_EV_STARTUP ? VM_MTD_BOOT : VM_MTD, e);
    s = s ? s : fc_delegate(SEL_ROOT_PD, vm_pd, CRD(CRD_OBJ, PERM_EVENT, 8, evt), CRD(CRD_OBJ, PERM_ALL, 8, VM_EVT));
    s = s ? s : fc_create_vcpu(vcpu, vm_pd, 0, VM_EVT);
    s = s ? s : fc_create_sc(sc, SEL_ROOT_PD, vcpu, 1, 1000);   /* below us: it ends in a loop */
    unsigned ran = s ? s : fc_sm_down(vm_done, deadline_ms(10000));
    fc_revoke(CRD(CRD_OBJ, 0, 0, sc), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, vcpu), REVOKE_SELF, 0);

    char why[64] = "";
    if (vm.others)
        snprintf(why, sizeof why, ", then event %lu", vm.other_event);
    expect("vm-start", s == SUCCESS && vm.startups == 1 && vm.ios >= 1 && vm.io_rip[0] == GUEST_CODE,
           "set-up %u, %u startup messages, %u port writes, the first at %#lx%s", s, vm.startups, vm.ios,
           vm.io_rip[0], why);
    expect("vm-io", vm.ios >= 1 && IO_QUAL_PORT(vm.io_qual[0]) == vm.port && IO_QUAL_SIZE(vm.io_qual[0]) == 4 &&
           !IO_QUAL_IN(vm.io_qual[0]) && vm.io_rax == vm.value,
           "%u port writes; the first: qualification %#lx, rax %s", vm.ios, vm.io_qual[0],
           vm.io_rax == vm.value ? "the guest's" : "another value");
    expect("vm-ept", vm.violations == 1 && vm.viol_gpa == vm.far && (vm.viol_qual & EPT_QUAL_READ) &&
           vm.delegated == SUCCESS && vm.ios == 2 && vm.read_back == vm.far_value,
           "%u violations, at %s, qualification %#lx, page given %u; it read %s", vm.violations,
           vm.viol_gpa == vm.far ? "the address read" : "another address", vm.viol_qual, vm.delegated,
           vm.ios == 2 && vm.read_back == vm.far_value ? "the value" : "something else");
    expect("vm-hlt", ran == SUCCESS && vm.halts == 1 && !vm.others, "waited %u, %u halts%s", ran, vm.halts, why);
    fc_revoke(CRD(CRD_OBJ, 0, 0, vm_pd), REVOKE_SELF, 0);
}
