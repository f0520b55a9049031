// SPDX-License-Identifier: MIT
/* vmm/memory.c — guest RAM: the VMM's view of it, pages given on first touch, the boot image. */
#include <string.h>
#include "vmm.h"

#define PTE_P    0x1UL
#define PTE_W    0x2UL
#define PTE_PS   0x80UL
#define PTE_ADDR 0x000ffffffffff000UL
#define MAX_HIGH_PAGES (((1UL << 30) - VMM_RAM_LOW) >> 12)   /* guest RAM up to 1 GiB (the identity map's reach) */

static uint64_t populated[MAX_HIGH_PAGES / 64];   /* RAM pages above 2 MiB the guest has */

/*
 * Guest-physical [0, 2 MiB) is the VMM's 2 MiB page at APP_SHARED; a page
 * above it is at VMM_RAM_HIGH + (gpa - 2 MiB), once the guest has it.
 */
void *guest_ptr(uint64_t gpa, uint64_t len)
{
    if (len > VMM_RAM_LOW || gpa > the_vm.info->ram - len)
        return NULL;
    if (gpa + len <= VMM_RAM_LOW)
        return (void *)(APP_SHARED + gpa);
    uint64_t first = (gpa - VMM_RAM_LOW) >> 12, last = (gpa + len - 1 - VMM_RAM_LOW) >> 12;
    if (gpa < VMM_RAM_LOW || first != last || !(populated[first / 64] & (1UL << (first % 64))))
        return NULL;                              /* one page at a time, and only what the guest has */
    return (void *)(VMM_RAM_HIGH + gpa - VMM_RAM_LOW);
}

/* The VMM's view of guest RAM whether or not the guest has the pages yet (the loader's), or NULL. */
void *guest_ram(uint64_t gpa, uint64_t len)
{
    if (gpa > the_vm.info->ram || len > the_vm.info->ram - gpa)
        return NULL;
    if (gpa + len <= VMM_RAM_LOW)
        return (void *)(APP_SHARED + gpa);
    return gpa >= VMM_RAM_LOW ? (void *)(VMM_RAM_HIGH + gpa - VMM_RAM_LOW) : NULL;
}

/* Give the guest all its RAM now, 2 MiB per delegation where the range allows: no exit for first touches. */
bool guest_populate_all(struct vm *vm)
{
    uint64_t pages = (vm->info->ram - VMM_RAM_LOW) >> 12;
    unsigned perm = MEM_R | MEM_W | MEM_X;
    if (vm->info->ram > (1UL << 30))
        return false;
    for (uint64_t page = 0; page < pages;) {
        unsigned order = !(page & 511) && pages - page >= 512 ? 9 : 0;
        if (fc_delegate_guest(VMM_SEL_PD, SEL_VM_PD, CRD(CRD_MEM, perm, order, (VMM_RAM_HIGH >> 12) + page),
                              CRD(CRD_MEM, perm, order, (VMM_RAM_LOW >> 12) + page)) != SUCCESS)
            return false;
        for (uint64_t i = page; i < page + (1UL << order); i++)
            populated[i / 64] |= 1UL << (i % 64);
        vm->pages_populated += 1UL << order;
        page += 1UL << order;
    }
    return true;
}

/* Give the guest the RAM page at gpa: one of the VMM's pages, delegated into the VM's guest space. */
bool guest_populate(struct vm *vm, uint64_t gpa)
{
    if (gpa < VMM_RAM_LOW || gpa >= vm->info->ram)
        return false;
    uint64_t page = (gpa - VMM_RAM_LOW) >> 12;
    if (page >= MAX_HIGH_PAGES || (populated[page / 64] & (1UL << (page % 64))))
        return false;                             /* it has it: a violation there is not about presence */
    unsigned perm = MEM_R | MEM_W | MEM_X;
    if (fc_delegate_guest(VMM_SEL_PD, SEL_VM_PD, CRD(CRD_MEM, perm, 0, (VMM_RAM_HIGH >> 12) + page),
                          CRD(CRD_MEM, perm, 0, gpa >> 12)) != SUCCESS)
        return false;
    populated[page / 64] |= 1UL << (page % 64);
    vm->pages_populated++;
    return true;
}

/* A 4-level walk of the guest's own tables (4 KiB and 2 MiB pages), reading them from guest RAM. */
bool guest_translate(uint64_t cr3, uint64_t va, uint64_t *gpa)
{
    uint64_t table = cr3 & PTE_ADDR;
    for (int shift = 39; shift >= 12; shift -= 9) {
        uint64_t *e = guest_ptr(table + ((va >> shift) & 511) * 8, 8);
        if (!e || !(*e & PTE_P))
            return false;
        if (shift == 21 && (*e & PTE_PS)) {
            *gpa = (*e & PTE_ADDR & ~0x1fffffUL) | (va & 0x1fffff);
            return true;
        }
        table = *e & PTE_ADDR;
    }
    *gpa = table | (va & 0xfff);
    return true;
}

/*
 * What every guest finds in low RAM (vmm/guests/README.md): zeroes, identity
 * tables for [0, 1 GiB) in 2 MiB pages at GUEST_PML4, a GDT with a 64-bit
 * code (0x10) and a data segment (0x18) at GUEST_GDT.
 */
void guest_tables(void)
{
    memset((void *)APP_SHARED, 0, VMM_RAM_LOW);  /* RAM starts zeroed, whoever had the page before */
    uint64_t *pml4 = guest_ram(GUEST_PML4, 4096), *pdpt = guest_ram(GUEST_PML4 + 0x1000, 4096),
             *pd = guest_ram(GUEST_PML4 + 0x2000, 4096);
    pml4[0] = (GUEST_PML4 + 0x1000) | PTE_P | PTE_W;
    pdpt[0] = (GUEST_PML4 + 0x2000) | PTE_P | PTE_W;
    for (uint64_t i = 0; i < 512; i++)
        pd[i] = (i << 21) | PTE_P | PTE_W | PTE_PS;
    uint64_t *gdt = guest_ram(GUEST_GDT, 32);
    gdt[GUEST_SEL_CODE / 8] = GUEST_GDT_CODE;
    gdt[GUEST_SEL_DATA / 8] = GUEST_GDT_DATA;
}

/* The first state of every guest: long mode with paging on through those tables, interrupts off, at rip. */
void guest_start_state(struct utcb_exc *x, uint64_t rip, uint64_t rsp)
{
    vcpu_long_mode_state(x, rip, rsp, GUEST_PML4, GUEST_GDT);
}

/* A test guest's start: its image at GUEST_LOAD, RDI = RAM size. */
bool guest_boot(struct vm *vm, struct utcb_exc *x)
{
    const struct guest_image *g = NULL;
    for (const struct guest_image *i = guest_images; i->name; i++)
        if (!strcmp(i->name, vm->name))
            g = i;
    uint64_t size = (uint64_t)(g->end - g->start);
    if (size > GUEST_STACK - 0x10000 - GUEST_LOAD)
        return false;
    guest_tables();
    memcpy(guest_ptr(GUEST_LOAD, size), g->start, size);
    guest_start_state(x, GUEST_LOAD, GUEST_STACK);
    x->rdi = vm->info->ram;
    return true;
}
