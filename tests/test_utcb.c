// SPDX-License-Identifier: MIT
/* tests/test_utcb.c — the UTCB transfer: untyped words, and exception state gated by MTD bits. */
#include "kernel/ipc/utcb.c"
#include "unit.h"

static struct utcb a, b;

/* Registers with a distinct value in every field, so a wrong copy shows. */
static struct cpu_regs regs_pattern(uint64_t seed)
{
    struct cpu_regs r;
    uint64_t *w = (uint64_t *)&r;
    for (unsigned i = 0; i < sizeof r / 8; i++)
        w[i] = seed + i * 0x1111;
    r.rflags = 0x202;
    return r;
}

TEST(copy_words_copies_exactly_n)
{
    memset(&a, 0, sizeof a);
    memset(&b, 0xee, sizeof b);
    for (unsigned i = 0; i < UTCB_WORDS; i++)
        a.mr[i] = i * 3 + 1;
    utcb_copy_words(&b, &a, 8);
    for (unsigned i = 0; i < 8; i++)
        CHECK_EQ(b.mr[i], i * 3 + 1);
    CHECK_EQ(b.mr[8], 0xeeeeeeeeeeeeeeeeULL);            /* nothing beyond the declared count */
    CHECK_EQ(UTCB_UNTYPED(b.head.items), 8);
    CHECK_EQ(UTCB_TYPED(b.head.items), 0);
}

TEST(copy_words_zero_and_maximum)
{
    memset(&b, 0xee, sizeof b);
    utcb_copy_words(&b, &a, 0);
    CHECK_EQ(b.head.items, 0);
    CHECK_EQ(b.mr[0], 0xeeeeeeeeeeeeeeeeULL);
    utcb_copy_words(&b, &a, UTCB_WORDS);
    CHECK_EQ(b.mr[UTCB_WORDS - 1], (UTCB_WORDS - 1) * 3 + 1);
    CHECK_EQ(UTCB_UNTYPED(b.head.items), UTCB_WORDS);
}

TEST(save_state_only_selected_groups)
{
    struct cpu_regs r = regs_pattern(0x1000);
    struct exc_extra x = { .fault_addr = 0xdead000, .fs_base = 0x7000, .gs_base = 0x8000 };
    memset(&a, 0xcc, sizeof a);
    utcb_save_state(&a, MTD_RIP_LEN | MTD_RSP, 6, &r, &x);
    CHECK_EQ(a.exc.rip, r.rip);
    CHECK_EQ(a.exc.rsp, r.rsp);
    CHECK_EQ(a.exc.mtd, MTD_RIP_LEN | MTD_RSP);
    CHECK_EQ(a.exc.vector, 6);
    CHECK_EQ(a.exc.rax, 0xccccccccccccccccULL);           /* not selected: untouched */
    CHECK_EQ(a.exc.r8, 0xccccccccccccccccULL);
    CHECK_EQ(a.exc.qual[0], 0xccccccccccccccccULL);
    CHECK_EQ(a.head.items, 0);                             /* a state message carries no words */
}

TEST(save_state_every_group)
{
    struct cpu_regs r = regs_pattern(0x2000);
    r.err = 0x6;
    struct exc_extra x = { .fault_addr = 0xdead008, .fs_base = 0x7000, .gs_base = 0x8000 };
    utcb_save_state(&a, MTD_GPR_ACDB | MTD_GPR_BSD | MTD_RSP | MTD_RIP_LEN | MTD_RFLAGS | MTD_GPR_R8_R15 |
                    MTD_QUAL | MTD_CR | MTD_FS_GS, 14, &r, &x);
    CHECK_EQ(a.exc.rax, r.rax); CHECK_EQ(a.exc.rcx, r.rcx); CHECK_EQ(a.exc.rdx, r.rdx); CHECK_EQ(a.exc.rbx, r.rbx);
    CHECK_EQ(a.exc.rbp, r.rbp); CHECK_EQ(a.exc.rsi, r.rsi); CHECK_EQ(a.exc.rdi, r.rdi);
    CHECK_EQ(a.exc.r8, r.r8); CHECK_EQ(a.exc.r15, r.r15);
    CHECK_EQ(a.exc.rflags, r.rflags);
    CHECK_EQ(a.exc.qual[0], 0x6);                          /* error code */
    CHECK_EQ(a.exc.qual[1], 0xdead008);                    /* fault address, only for #PF */
    CHECK_EQ(a.exc.cr2, 0xdead008);
    CHECK_EQ(a.exc.fs_base, 0x7000);
    CHECK_EQ(a.exc.gs_base, 0x8000);
    utcb_save_state(&a, MTD_QUAL | MTD_CR, 13, &r, &x);
    CHECK_EQ(a.exc.qual[1], 0);                            /* not a page fault: no address */
    CHECK_EQ(a.exc.cr2, 0);
    utcb_save_state(&a, MTD_QUAL, 30, &r, &x);
    CHECK_EQ(a.exc.qual[0], 0);                            /* startup: no error code */
}

TEST(load_state_writes_back_only_selected_groups)
{
    struct cpu_regs r = regs_pattern(0x3000), orig = r;
    struct exc_extra x = { 0 };
    memset(&a, 0, sizeof a);
    a.exc.rip = 0x401000;
    a.exc.rsp = 0x7fff0000;
    a.exc.rax = 0xc0ffee;
    utcb_load_state(&a, MTD_RIP_LEN | MTD_RSP, &r, &x);
    CHECK_EQ(r.rip, 0x401000);
    CHECK_EQ(r.rsp, 0x7fff0000);
    CHECK_EQ(r.rax, orig.rax);                             /* GPR_ACDB not selected */
    utcb_load_state(&a, MTD_GPR_ACDB, &r, &x);
    CHECK_EQ(r.rax, 0xc0ffee);
    CHECK_EQ(r.rcx, 0);
}

TEST(load_state_sanitizes_rflags)
{
    struct cpu_regs r = regs_pattern(0x4000);
    struct exc_extra x = { 0 };
    r.rflags = 0x202;                                      /* IF set */
    a.exc.rflags = 0xffffffffffffffffULL;                  /* a handler asks for everything */
    utcb_load_state(&a, MTD_RFLAGS, &r, &x);
    CHECK_EQ(r.rflags & RFLAGS_IF, RFLAGS_IF);             /* interrupts stay on */
    CHECK_EQ(r.rflags & (3UL << 12), 0);                   /* IOPL stays 0 */
    CHECK_EQ(r.rflags & (1UL << 14), 0);                   /* NT stays clear */
    CHECK_EQ(r.rflags & (1UL << 17), 0);                   /* VM stays clear */
    CHECK_EQ(r.rflags & 0x100, 0x100);                     /* TF may be set (single step) */
    a.exc.rflags = 0;
    utcb_load_state(&a, MTD_RFLAGS, &r, &x);
    CHECK_EQ(r.rflags & RFLAGS_IF, RFLAGS_IF);             /* ... and cannot be cleared */
    CHECK_EQ(r.rflags & 0x100, 0);
}

TEST(load_state_ignores_noncanonical_fs_gs)
{
    struct cpu_regs r = regs_pattern(0x5000);
    struct exc_extra x = { .fs_base = 0x1000, .gs_base = 0x2000 };
    a.exc.fs_base = 0x0000800000000000ULL;                 /* non-canonical: wrmsr would fault */
    a.exc.gs_base = 0x3000;
    utcb_load_state(&a, MTD_FS_GS, &r, &x);
    CHECK_EQ(x.fs_base, 0x1000);
    CHECK_EQ(x.gs_base, 0x2000);
    a.exc.fs_base = 0xffff800000001000ULL;
    utcb_load_state(&a, MTD_FS_GS, &r, &x);
    CHECK_EQ(x.fs_base, 0xffff800000001000ULL);
    CHECK_EQ(x.gs_base, 0x3000);
}

TEST(canonical_addresses)
{
    CHECK(canonical(0));
    CHECK(canonical(0x00007fffffffffffULL));
    CHECK(!canonical(0x0000800000000000ULL));
    CHECK(!canonical(0x8000000000000000ULL));
    CHECK(canonical(0xffff800000000000ULL));
    CHECK(canonical(0xffffffffffffffffULL));
}

int main(void)
{
    return unit_run();
}
