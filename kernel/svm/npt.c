// SPDX-License-Identifier: MIT
/* svm/npt.c — nested page tables: a PD's EPT, its leaves written in AMD64's page-table format. */
#include "ept.h"
#include "svm.h"
#include "paging.h"

/*
 * With SVM the PD's guest table is the nested page table: AMD64's long-mode
 * format, each level walked as a user-mode access. A table entry reads the
 * same in both (EPT's R|W|X is P|W|U); a leaf is written as EPT's, then
 * translated: present and user, W as given, NX unless X, write-back (PAT
 * index 0). Everything else (lookup, walk, revoke, teardown) is ept.c's.
 */
static uint64_t npt_leaf(uint64_t e)
{
    return (e & (EPT_ADDR | EPT_PS)) | PTE_P | PTE_U | ((e & EPT_W) ? PTE_W : 0) | ((e & EPT_X) ? 0 : PTE_NX);
}

int guest_map(uint64_t *ept, uint64_t gpa, uint64_t pa, unsigned order, unsigned perm)
{
    if (ept_map(ept, gpa, pa, order, perm))
        return -1;
    uint64_t *e = svm_caps.usable ? ept_entry(ept, gpa, order) : NULL;
    if (e)
        *e = npt_leaf(*e);
    return 0;
}
