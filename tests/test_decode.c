/* SPDX-License-Identifier: MIT */
/* tests/test_decode.c — host tests of the hypercall ABI: argument encoders, accessors, layouts. */
#include "syscall.h"
#include "uapi/utcb.h"
#include "uapi/hip.h"
#include "roottask/lib/facet/status.c"          /* fc_status_name, built from the same list */
#include "unit.h"

#define SEL_BITS   52
#define SEL_ALL    ((1ull << SEL_BITS) - 1)

/* A register frame where every field holds a distinct value. */
static void regs_fill(struct cpu_regs *r)
{
    uint64_t *w = (uint64_t *)r;
    for (unsigned i = 0; i < sizeof *r / sizeof *w; i++)
        w[i] = 0x1111111111111111ull * (i % 15 + 1) + i;
}

TEST(hc_arg1_round_trip)
{
    static const unsigned nums[] = { 0, 1, 12, 15, 16, 127, 128, 254, 255 };
    static const uint64_t sels[] = { 0, 1, 0xfff, 0x1000, 0x123456789ull, SEL_ALL - 1, SEL_ALL };

    for (unsigned n = 0; n < sizeof nums / sizeof nums[0]; n++)
        for (unsigned f = 0; f <= 15; f++)
            for (unsigned s = 0; s < sizeof sels / sizeof sels[0]; s++) {
                uint64_t a1 = HC_ARG1(nums[n], f, sels[s]);
                CHECK_EQ(HC_NUM(a1), nums[n]);
                CHECK_EQ(HC_FLAGS(a1), f);
                CHECK_EQ(HC_SEL(a1), sels[s]);
            }
    CHECK_EQ(HC_ARG1(0, 0, 0), 0);
    CHECK(HC_ARG1(255, 15, SEL_ALL) == ~0ull);
    CHECK_EQ(HC_ARG1(HC_sm_ctrl, SM_CTRL_DOWN, 0x42), 0x4210c);
}

TEST(hc_numbers_fit_the_table)
{
    /* Every number, built or not, is below HC_MAX and appears once in the two lists. */
    static const unsigned listed[] = {
#define HC_NUMBER(num, name, summary) num,
        FACET_HYPERCALLS(HC_NUMBER)
        FACET_HYPERCALLS_UNBUILT(HC_NUMBER)
#undef HC_NUMBER
    };
    unsigned seen[HC_MAX] = {0};

    for (unsigned i = 0; i < sizeof listed / sizeof listed[0]; i++) {
        CHECK(listed[i] < HC_MAX);
        CHECK_EQ(seen[listed[i]], 0);
        seen[listed[i]] = 1;
    }
    CHECK_EQ(HC_assign_gsi, 14);                /* Hedron's number */
    CHECK_EQ(HC_revoke, 7);
    CHECK_EQ(HC_pd_ctrl, 8);
    CHECK_EQ(HC_call, 0);
    CHECK_EQ(HC_sm_ctrl, 12);
    CHECK_EQ(HC_machine_ctrl, 15);
}

TEST(status_codes_and_names)
{
    /* The enum and the roottask's name table both come from FACET_STATUS. */
    static const struct { unsigned value; const char *name; } listed[] = {
#define ST(value, name, meaning) { value, #name },
        FACET_STATUS(ST)
#undef ST
    };
    unsigned n = sizeof listed / sizeof listed[0];

    CHECK_EQ(n, 10);
    for (unsigned i = 0; i < n; i++) {
        CHECK_EQ(listed[i].value, i);           /* dense, in order: OUT1[7:0] */
        CHECK(strcmp(fc_status_name(listed[i].value), listed[i].name) == 0);
    }
    CHECK_EQ(SUCCESS, 0);
    CHECK_EQ(BAD_HYP, 3);
    CHECK_EQ(OOM, 9);
    CHECK(strcmp(fc_status_name(OOM), "OOM") == 0);
    CHECK(strcmp(fc_status_name(n), "?") == 0);
    CHECK(strcmp(fc_status_name(255), "?") == 0);
    CHECK(strcmp(fc_status_name(~0u), "?") == 0);
}

TEST(qpd_round_trip)
{
    static const uint64_t quanta[] = { 0, 1, 999, 1000, 10000, 0xfffff, 1ull << 40, SEL_ALL };

    for (unsigned p = 0; p <= 255; p++)
        for (unsigned q = 0; q < sizeof quanta / sizeof quanta[0]; q++) {
            uint64_t qpd = QPD(p, quanta[q]);
            CHECK_EQ(QPD_PRIO(qpd), p);
            CHECK(QPD_QUANTUM(qpd) == quanta[q]);
        }
    CHECK_EQ(QPD(PRIO_MAX, 10000), 127 | 10000ull << 12);
    CHECK_EQ(QPD_PRIO(QPD(1, 0)), 1);
}

TEST(create_ec_arg3_round_trip)
{
    static const uint64_t utcbs[] = { 0, 0x1000, 0x7fffffffd000ull, 0x7ffffffff000ull,
                                      0xfffffffffffff000ull };

    for (unsigned cpu = 0; cpu <= 0xfff; cpu++)
        for (unsigned u = 0; u < sizeof utcbs / sizeof utcbs[0]; u++) {
            uint64_t a3 = EC_ARG3(cpu, utcbs[u]);   /* as fc_create_ec builds it */
            CHECK_EQ(EC_CPU(a3), cpu);
            CHECK(EC_UTCB(a3) == utcbs[u]);
        }
}

TEST(crd_round_trip)
{
    static const uint64_t bases[] = { 0, 1, 0x100, 0xfffff, 0x7ffffffffull, SEL_ALL - 1, SEL_ALL };

    for (unsigned kind = 0; kind <= 3; kind++)
        for (unsigned perm = 0; perm <= 31; perm++)
            for (unsigned order = 0; order <= 31; order++)
                for (unsigned b = 0; b < sizeof bases / sizeof bases[0]; b++) {
                    uint64_t c = CRD(kind, perm, order, bases[b]);
                    CHECK_EQ(CRD_KIND(c), kind);
                    CHECK_EQ(CRD_PERM(c), perm);
                    CHECK_EQ(CRD_ORDER(c), order);
                    CHECK(CRD_BASE(c) == bases[b]);
                }
    CHECK_EQ(CRD(CRD_NULL, 0, 0, 0), 0);
    CHECK(CRD(CRD_OBJ, PERM_ALL, 31, SEL_ALL) == ~0ull);
    CHECK_EQ(CRD(CRD_MEM, MEM_R | MEM_W, 0, 0x400), 0x400000 | 3 << 2 | 1);
    CHECK_EQ(CRD_KIND(CRD(CRD_NULL, 0, 0, 0)), CRD_NULL);
    CHECK_EQ(CRD_NULL, 0);
    CHECK_EQ(CRD_MEM, 1);
    CHECK_EQ(CRD_IO, 2);
    CHECK_EQ(CRD_OBJ, 3);
}

TEST(utcb_items_round_trip)
{
    static const unsigned vals[] = { 0, 1, 2, 0xff, 0x100, UTCB_WORDS, 0x7fff, 0xfffe, 0xffff };

    for (unsigned u = 0; u < sizeof vals / sizeof vals[0]; u++)
        for (unsigned t = 0; t < sizeof vals / sizeof vals[0]; t++) {
            uint64_t it = UTCB_ITEMS(vals[u], vals[t]);
            CHECK_EQ(UTCB_UNTYPED(it), vals[u]);
            CHECK_EQ(UTCB_TYPED(it), vals[t]);
        }
    CHECK_EQ(UTCB_ITEMS(0xffff, 0xffff), 0xffffffff);
    /* Bits above 31 belong to neither count. */
    CHECK_EQ(UTCB_UNTYPED(0xffffffff00000003ull), 3);
    CHECK_EQ(UTCB_TYPED(0xffffffff00050003ull), 5);
}

TEST(register_convention)
{
    struct cpu_regs r, before;

    regs_fill(&r);
    CHECK(arg1(&r) == r.rdi);
    CHECK(arg2(&r) == r.rsi);
    CHECK(arg3(&r) == r.rdx);
    CHECK(arg4(&r) == r.rax);
    CHECK(arg5(&r) == r.r8);
    /* The five values are distinct, so no accessor reads a neighbour. */
    uint64_t a[5] = { arg1(&r), arg2(&r), arg3(&r), arg4(&r), arg5(&r) };
    for (unsigned i = 0; i < 5; i++)
        for (unsigned j = i + 1; j < 5; j++)
            CHECK(a[i] != a[j]);

    /* set_out2 writes rsi and nothing else. */
    before = r;
    set_out2(&r, 0xfeedfacecafebeefull);
    CHECK(r.rsi == 0xfeedfacecafebeefull);
    CHECK(arg2(&r) == 0xfeedfacecafebeefull);
    before.rsi = r.rsi;
    CHECK(memcmp(&before, &r, sizeof r) == 0);
}

TEST(arg1_accessors)
{
    struct cpu_regs r;

    regs_fill(&r);
    for (unsigned f = 0; f <= 15; f++) {
        r.rdi = HC_ARG1(HC_sm_ctrl, f, SEL_ALL);
        CHECK_EQ(hc_flags(&r), f);
        CHECK(hc_sel(&r) == SEL_ALL);
        r.rdi = HC_ARG1(255, f, 0);
        CHECK_EQ(hc_flags(&r), f);
        CHECK_EQ(hc_sel(&r), 0);
    }
    r.rdi = HC_ARG1(HC_sm_ctrl, SM_CTRL_DOWN, 7);
    CHECK_EQ(hc_flags(&r), SM_CTRL_DOWN);
    r.rdi = HC_ARG1(HC_machine_ctrl, MACHINE_CTRL_POWEROFF, 0);
    CHECK_EQ(hc_flags(&r), MACHINE_CTRL_POWEROFF);
}

TEST(sm_deadline_round_trip)
{
    static const uint64_t deadlines[] = {
        0, 1, 0xffffffffull, 0x100000000ull, 0x100000001ull, 0xdeadbeefcafebabeull,
        0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
    };
    struct cpu_regs r;

    for (unsigned i = 0; i < sizeof deadlines / sizeof deadlines[0]; i++) {
        /* fc_sm_down's encoding, then sys_sm_ctrl's decoding of the registers. */
        uint64_t a2 = SM_DEADLINE_ARG2(deadlines[i]), a3 = SM_DEADLINE_ARG3(deadlines[i]);
        regs_fill(&r);
        CHECK(a2 <= 0xffffffff);
        CHECK(a3 <= 0xffffffff);
        r.rsi = a2;
        r.rdx = a3;
        CHECK(SM_DEADLINE(arg2(&r), arg3(&r)) == deadlines[i]);

        /* Junk in the upper halves of ARG2/ARG3 is ignored. */
        r.rsi = a2 | 0xabcd000000000000ull;
        r.rdx = a3 | 0xffffffff00000000ull;
        CHECK(SM_DEADLINE(arg2(&r), arg3(&r)) == deadlines[i]);
    }
}

TEST(utcb_layout)
{
    CHECK_EQ(sizeof(struct utcb_head), 32);
    CHECK_EQ(sizeof(struct utcb), 4096);
    CHECK_EQ(UTCB_WORDS, 508);
    CHECK_EQ(offsetof(struct utcb, head.items), 0x00);
    CHECK_EQ(offsetof(struct utcb, head.xlt), 0x08);
    CHECK_EQ(offsetof(struct utcb, head.del), 0x10);
    CHECK_EQ(offsetof(struct utcb, head.flags), 0x18);
    CHECK_EQ(offsetof(struct utcb, mr), 0x20);
    CHECK_EQ(offsetof(struct utcb, mr[UTCB_WORDS - 1]), 4096 - 8);
    CHECK_EQ(offsetof(struct utcb, exc), 0x20);
    CHECK(sizeof(struct utcb_exc) <= UTCB_WORDS * 8);

    /* The offsets written beside struct utcb_exc's members, as UTCB offsets. */
    CHECK_EQ(offsetof(struct utcb, exc.mtd), 0x020);
    CHECK_EQ(offsetof(struct utcb, exc.inst_len), 0x028);
    CHECK_EQ(offsetof(struct utcb, exc.rip), 0x030);
    CHECK_EQ(offsetof(struct utcb, exc.rflags), 0x038);
    CHECK_EQ(offsetof(struct utcb, exc.intr_state), 0x040);
    CHECK_EQ(offsetof(struct utcb, exc.actv_state), 0x044);
    CHECK_EQ(offsetof(struct utcb, exc.intr_info), 0x048);
    CHECK_EQ(offsetof(struct utcb, exc.vect_info), 0x050);
    CHECK_EQ(offsetof(struct utcb, exc.rax), 0x058);
    CHECK_EQ(offsetof(struct utcb, exc.rcx), 0x060);
    CHECK_EQ(offsetof(struct utcb, exc.rdx), 0x068);
    CHECK_EQ(offsetof(struct utcb, exc.rbx), 0x070);
    CHECK_EQ(offsetof(struct utcb, exc.rsp), 0x078);
    CHECK_EQ(offsetof(struct utcb, exc.rbp), 0x080);
    CHECK_EQ(offsetof(struct utcb, exc.rsi), 0x088);
    CHECK_EQ(offsetof(struct utcb, exc.rdi), 0x090);
    CHECK_EQ(offsetof(struct utcb, exc.r8), 0x098);
    CHECK_EQ(offsetof(struct utcb, exc.r15), 0x0d0);
    CHECK_EQ(offsetof(struct utcb, exc.qual), 0x0d8);
    CHECK_EQ(offsetof(struct utcb, exc.ctrl), 0x0e8);
    CHECK_EQ(offsetof(struct utcb, exc.xcr0), 0x0f0);
    CHECK_EQ(offsetof(struct utcb, exc.cr0), 0x0f8);
    CHECK_EQ(offsetof(struct utcb, exc.cr2), 0x100);
    CHECK_EQ(offsetof(struct utcb, exc.cr3), 0x108);
    CHECK_EQ(offsetof(struct utcb, exc.cr4), 0x110);
    CHECK_EQ(offsetof(struct utcb, exc.fs_base), 0x118);
    CHECK_EQ(offsetof(struct utcb, exc.gs_base), 0x120);
    CHECK_EQ(offsetof(struct utcb, exc.vector), 0x128);

    /* mr[i] and the exception state overlay: mr[7] is exc.rax. */
    static struct utcb u;
    u.mr[7] = 0x1234;
    CHECK_EQ(u.exc.rax, 0x1234);
}

TEST(hip_layout)
{
    CHECK_EQ(offsetof(struct hip, signature), 0);
    CHECK_EQ(offsetof(struct hip, version), 4);
    CHECK_EQ(offsetof(struct hip, length), 6);
    CHECK_EQ(offsetof(struct hip, checksum), 8);
    CHECK_EQ(offsetof(struct hip, num_cpus), 10);
    CHECK_EQ(offsetof(struct hip, num_mem), 12);
    CHECK_EQ(offsetof(struct hip, num_mods), 14);
    CHECK_EQ(offsetof(struct hip, features), 16);
    CHECK_EQ(offsetof(struct hip, tsc_khz), 20);
    CHECK_EQ(offsetof(struct hip, lapic_khz), 24);
    CHECK_EQ(offsetof(struct hip, sel_max), 28);
    CHECK_EQ(offsetof(struct hip, mem_total), 32);
    CHECK_EQ(offsetof(struct hip, frames_free), 40);
    CHECK_EQ(offsetof(struct hip, cpu), 48);
    CHECK_EQ(offsetof(struct hip, mem), 304);
    CHECK_EQ(offsetof(struct hip, mod), 1456);
    CHECK_EQ(sizeof(struct hip), 1456 + HIP_MAX_MODS * 136);
    CHECK(sizeof(struct hip) <= 4096);
    CHECK_EQ(sizeof(struct hip) % 2, 0);        /* the checksum sums 16-bit words */

    CHECK_EQ(sizeof(struct hip_cpu), 4);
    CHECK_EQ(sizeof(struct hip_mem), 24);
    CHECK_EQ(offsetof(struct hip_mem, addr), 0);
    CHECK_EQ(offsetof(struct hip_mem, size), 8);
    CHECK_EQ(offsetof(struct hip_mem, type), 16);
    CHECK_EQ(offsetof(struct hip_mem, reserved), 20);
    CHECK_EQ(sizeof(struct hip_module), 136);
    CHECK_EQ(offsetof(struct hip_module, addr), 0);
    CHECK_EQ(offsetof(struct hip_module, size), 8);
    CHECK_EQ(offsetof(struct hip_module, cmdline), 16);
    CHECK_EQ(HIP_SIGNATURE, 0x54454346u);
    CHECK(memcmp(&(uint32_t){ HIP_SIGNATURE }, "FCET", 4) == 0);   /* reads "FCET" in memory */
}

TEST(cpu_regs_layout)
{
    /* The offsets entry.S relies on (cpu.h asserts cs and rip; check the argument registers too). */
    CHECK_EQ(sizeof(struct cpu_regs), 22 * 8);
    CHECK_EQ(offsetof(struct cpu_regs, r15), 0);
    CHECK_EQ(offsetof(struct cpu_regs, r8), 7 * 8);
    CHECK_EQ(offsetof(struct cpu_regs, rdi), 9 * 8);
    CHECK_EQ(offsetof(struct cpu_regs, rsi), 10 * 8);
    CHECK_EQ(offsetof(struct cpu_regs, rdx), 11 * 8);
    CHECK_EQ(offsetof(struct cpu_regs, rax), 14 * 8);
    CHECK_EQ(offsetof(struct cpu_regs, rip), 17 * 8);
    CHECK_EQ(offsetof(struct cpu_regs, ss), 21 * 8);
}

int main(void)
{
    return unit_run();
}
