// SPDX-License-Identifier: MIT
/* root.c — the roottask: its PD, its ELF image, stack, UTCB, HIP and initial capabilities. */
#include "root.h"
#include "ec.h"
#include "pd.h"
#include "sc.h"
#include "sched.h"
#include "frame.h"
#include "paging.h"
#include "lapic.h"
#include "lib/elf.h"
#include "lib/hip.h"
#include "resource.h"
#include "x86.h"

/* Copy one PT_LOAD segment into fresh frames; pages shared with a previous segment are reused. */
static const char *load_segment(struct pd *pd, const uint8_t *file, const struct elf_seg *s)
{
    uint64_t flags = PTE_U | ((s->flags & PF_W) ? PTE_W : 0) | ((s->flags & PF_X) ? 0 : PTE_NX);
    for (uint64_t va = ALIGN_DOWN(s->vaddr, PAGE_SIZE); va < s->vaddr + s->memsz; va += PAGE_SIZE) {
        uint64_t *pte = space_pte(pd->pml4, va);
        uint8_t *page;
        if (pte && (*pte & PTE_P)) {
            page = phys_to_virt(*pte & PTE_ADDR);
            *pte |= flags & (PTE_W);
            if (!(flags & PTE_NX))
                *pte &= ~PTE_NX;
        } else {
            page = page_alloc();
            if (!page || space_map(pd->pml4, va, virt_to_phys(page), flags))
                return "out of memory loading the roottask";
        }
        /* The part of [vaddr, vaddr+filesz) that falls in this page comes from the file. */
        uint64_t lo = MAX(va, s->vaddr), hi = MIN(va + PAGE_SIZE, s->vaddr + s->filesz);
        if (lo < hi)
            memcpy(page + (lo - va), file + s->offset + (lo - s->vaddr), hi - lo);
    }
    return NULL;
}

static const char *map_fresh(struct pd *pd, uint64_t va, uint64_t flags, void **out)
{
    void *p = page_alloc();
    if (!p || space_map(pd->pml4, va, virt_to_phys(p), flags))
        return "out of memory building the roottask";
    if (out)
        *out = p;
    return NULL;
}

/* The roottask from the first boot module: PD, image, stack, UTCB, HIP, windows, EC and SC, ready to run. */
const char *root_create(const struct boot_info *bi, struct hip *hip)
{
    if (bi->nmods == 0)
        return "no boot modules: the loader must load the roottask as the first module (grub.cfg module2, QEMU -initrd)";
    const struct boot_module *m = &bi->mods[0];
    if (m->end > DIRECT_MAP_SIZE)
        return "roottask module lies above the direct map";
    const uint8_t *file = phys_to_virt(m->start);
    struct elf_info elf;
    const char *why;
    struct elf_limits lim = { .lo = USER_BASE, .hi = ROOT_STACK_TOP - ROOT_STACK_PAGES * PAGE_SIZE };
    if (elf_parse(file, m->end - m->start, &lim, &elf, &why))
        return why;
    if (elf.has_interp)
        return "roottask is a dynamic executable (PT_INTERP)";

    struct pd *pd = pd_create(true, NULL);         /* the kernel's own objects: charged to nobody */
    struct ec *ec = kobj_alloc(OBJ_EC, NULL, 0);
    struct sc *sc = kobj_alloc(OBJ_SC, NULL, 0);
    if (!pd || !ec || !sc)
        return "out of memory creating the root objects";
    kmem_account_set(pd, NULL, frame_free_count() * PAGE_SIZE);   /* the roottask's account: the pool */
    for (unsigned i = 0; i < elf.nseg; i++)
        if ((why = load_segment(pd, file, &elf.seg[i])))
            return why;
    for (unsigned i = 1; i <= ROOT_STACK_PAGES; i++)
        if ((why = map_fresh(pd, ROOT_STACK_TOP - i * PAGE_SIZE, PTE_U | PTE_W | PTE_NX, NULL)))
            return why;
    void *utcb;
    if ((why = map_fresh(pd, ROOT_UTCB, PTE_U | PTE_W | PTE_NX, &utcb)))
        return why;
    if (space_map(pd->pml4, ROOT_HIP, virt_to_phys(hip), PTE_U | PTE_NX))
        return "out of memory mapping the HIP";

    /* The roottask's memory window: the roots of every memory delegation. */
    uint64_t max_frame = 0;
    for (unsigned i = 0; i < root_range_count; i++) {
        const struct frame_range *rr = &root_ranges[i];
        if (space_map_range(pd->pml4, ROOT_MEM_WINDOW + rr->start, rr->start, rr->end - rr->start, PTE_U | PTE_W | PTE_NX))
            return "out of memory mapping the roottask's memory";
        hip_add_mem(hip, rr->start, rr->end - rr->start, HIP_MEM_ROOT);
        max_frame = MAX(max_frame, rr->end >> PAGE_SHIFT);
    }
    mem_init(max_frame);
    pd->root = true;
    for (unsigned i = 0; i < bi->nmods; i++) {
        uint64_t s0 = ALIGN_DOWN(bi->mods[i].start, PAGE_SIZE), e0 = ALIGN_UP(bi->mods[i].end, PAGE_SIZE);
        if (space_map_range(pd->pml4, ROOT_MODULE_WINDOW + s0, s0, e0 - s0, PTE_U | PTE_NX))
            return "out of memory mapping the boot modules";
    }

    ec->pd = pd;
    ec->utcb = utcb;
    ec->utcb_va = ROOT_UTCB;
    ec->cpu = 0;
    ec->global = true;
    ec->event_base = SEL_EXC_BASE;
    ec->regs = (struct cpu_regs){
        .rip = elf.entry, .rsp = ROOT_STACK_TOP, .rdi = ROOT_HIP, .rsi = ROOT_UTCB,
        .cs = SEL_UCODE, .ss = SEL_UDATA, .rflags = RFLAGS_IF | RFLAGS_FIXED };
    ec->cont = CONT_IRET;
    sc->ec = ec;
    sc->cpu = 0;
    sc->prio = ROOT_PRIO;
    sc->quantum = sc->left = ROOT_QUANTUM_US * TICK_HZ / 1000000;
    ec->sc = sc;
    kobj_get(&pd->obj);                            /* the EC's */
    kobj_get(&ec->obj);                            /* the SC's */
    if (cap_reserve(pd, SEL_ROOT_PD) || cap_reserve(pd, SEL_ROOT_EC) || cap_reserve(pd, SEL_ROOT_SC))
        return "out of memory for the root capabilities";
    cap_insert(pd, SEL_ROOT_PD, &pd->obj, PERM_ALL, NULL);
    cap_insert(pd, SEL_ROOT_EC, &ec->obj, PERM_ALL, NULL);
    cap_insert(pd, SEL_ROOT_SC, &sc->obj, PERM_ALL, NULL);

    hip->frames_free = frame_free_count();
    kprintf("[root] roottask: entry %#lx, %u segments [%#lx, %#lx), cmdline \"%s\"\n",
            elf.entry, elf.nseg, elf.lo, elf.hi, m->cmdline);
    sched_enqueue(sc);
    return NULL;
}
