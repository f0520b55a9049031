// SPDX-License-Identifier: MIT
/* grade/witness/capabilities.c — stage 2: rights, delegation and revocation of objects, memory and I/O ports. */
#include "witness.h"

/* The cap group: rights, an order-2 range, a chain of revokes. */
static void capabilities_objects(void)
{
    /* Rights: a copy without CTRL cannot up, a portal without CALL cannot be called. */
    sel_t sm = sm_new(0), weak = sel_alloc(1), strong = sel_alloc(1), pt = sel_alloc(1), pt_nocall = sel_alloc(1);
    echo_key = rnd();
    unsigned s1 = portal(pt, handler_new(0, echo_fn), 0, 0);
    unsigned d1 = self_delegate(CRD(CRD_OBJ, PERM_CALL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, weak));
    unsigned d2 = self_delegate(CRD(CRD_OBJ, PERM_CTRL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, strong));
    unsigned d3 = self_delegate(CRD(CRD_OBJ, PERM_ALL & ~PERM_CALL, 0, pt), CRD(CRD_OBJ, PERM_ALL, 0, pt_nocall));
    unsigned up_weak = fc_sm_up(weak), up_strong = fc_sm_up(strong);
    unsigned down = fc_sm_down(sm, deadline_ms(100)), down_again = fc_sm_down(sm, fc_rdtsc() + 1000);
    root_utcb->head.items = 0;
    unsigned call_nocall = fc_call(pt_nocall), call = fc_call(pt);
    expect("cap-rights", s1 == SUCCESS && d1 == SUCCESS && d2 == SUCCESS && d3 == SUCCESS && up_weak == BAD_CAP &&
           up_strong == SUCCESS && down == SUCCESS && down_again == TIMEOUT && call_nocall == BAD_CAP && call == SUCCESS,
           "delegations %u %u %u; up without CTRL %u, with %u; downs %u %u; call without CALL %u, with %u",
           d1, d2, d3, up_weak, up_strong, down, down_again, call_nocall, call);

    /* Four semaphores delegated as one order-2 range: each copy ups its own original. */
    sel_t orig = sel_alloc(4), copy = sel_alloc(4);
    unsigned made = SUCCESS, bad = 0;
    for (unsigned i = 0; i < 4; i++)
        made |= fc_create_sm(orig + i, SEL_ROOT_PD, 0);
    unsigned d = self_delegate(CRD(CRD_OBJ, PERM_ALL, 2, orig), CRD(CRD_OBJ, PERM_ALL, 2, copy));
    unsigned ups[4];
    for (unsigned i = 0; i < 4; i++) {
        ups[i] = 1 + rnd() % 3;
        for (unsigned k = 0; k < ups[i]; k++)
            bad += fc_sm_up(copy + i) != SUCCESS;
    }
    for (unsigned i = 0; i < 4; i++) {
        for (unsigned k = 0; k < ups[i]; k++)
            bad += fc_sm_down(orig + i, deadline_ms(100)) != SUCCESS;
        bad += fc_sm_down(orig + i, fc_rdtsc() + 1000) != TIMEOUT;
    }
    expect("cap-delegate", made == SUCCESS && d == SUCCESS && !bad, "create %u, delegate %u, %u wrong counts", made, d, bad);

    /* Revoke: a chain a -> b -> c; revoking what a gave takes b and c, a stays; then a itself. */
    sel_t base = sm_new(0), a = sel_alloc(1), b = sel_alloc(1), c = sel_alloc(1);
    unsigned chain = self_delegate(CRD(CRD_OBJ, PERM_ALL, 0, base), CRD(CRD_OBJ, PERM_ALL, 0, a));
    chain |= self_delegate(CRD(CRD_OBJ, PERM_ALL, 0, a), CRD(CRD_OBJ, PERM_ALL, 0, b));
    chain |= self_delegate(CRD(CRD_OBJ, PERM_ALL, 0, b), CRD(CRD_OBJ, PERM_ALL, 0, c));
    unsigned c_before = fc_sm_up(c);
    unsigned r1 = fc_revoke(CRD(CRD_OBJ, 0, 0, a), 0, 0);
    unsigned ua = fc_sm_up(a), ub = fc_sm_up(b), uc = fc_sm_up(c);
    unsigned r2 = fc_revoke(CRD(CRD_OBJ, 0, 0, a), REVOKE_SELF, 0);
    unsigned ua2 = fc_sm_up(a), ubase = fc_sm_up(base);
    expect("cap-revoke", chain == SUCCESS && c_before == SUCCESS && r1 == SUCCESS && ua == SUCCESS && ub == BAD_CAP &&
           uc == BAD_CAP && r2 == SUCCESS && ua2 == BAD_CAP && ubase == SUCCESS,
           "chain %u, c %u; revoke %u: a %u b %u c %u; revoke a itself %u: a %u, the original %u",
           chain, c_before, r1, ua, ub, uc, r2, ua2, ubase);
}

/* The mem group: a frame of ours delegated to addresses of ours, then revoked. */
static void capabilities_memory(void)
{
    /* Memory: a frame of ours delegated to an address of ours, read-write and read-only. */
    exc_portals(SEL_EXC_BASE, handler_new(0, exc_fn), 0);
    uint64_t frame = frame_alloc(), x = map_alloc(), y = map_alloc(), z = map_alloc();
    uint64_t v1 = rnd(), v2 = rnd();
    *(volatile uint64_t *)window(frame) = v1;
    unsigned dm = frame ? self_delegate(CRD(CRD_MEM, MEM_R | MEM_W, 0, window_page(frame)),
                                        CRD(CRD_MEM, MEM_R | MEM_W, 0, x >> PAGE_SHIFT)) : OOM;
    struct probe rd = probe(false, x, 0), wr = probe(true, x + 8, v2);
    uint64_t seen = *(volatile uint64_t *)(window(frame) + 8);
    expect("mem-delegate", dm == SUCCESS && rd.vector < 0 && rd.value == v1 && wr.vector < 0 && seen == v2,
           "delegate %u; read: vector %d, %s; write: vector %d, %s", dm, rd.vector,
           rd.value == v1 ? "our value" : "another value", wr.vector, seen == v2 ? "seen" : "not seen");

    unsigned dr = self_delegate(CRD(CRD_MEM, MEM_R, 0, window_page(frame)), CRD(CRD_MEM, MEM_R | MEM_W, 0, y >> PAGE_SHIFT));
    struct probe ro_rd = probe(false, y, 0), ro_wr = probe(true, y, v2);
    expect("mem-readonly", dr == SUCCESS && ro_rd.vector < 0 && ro_rd.value == v1 && ro_wr.vector == 14 &&
           ro_wr.err == 7 && ro_wr.addr == y,
           "delegate %u; read: vector %d; write: vector %d, error %#lx, address %s", dr, ro_rd.vector,
           ro_wr.vector, ro_wr.err, ro_wr.addr == y ? "right" : "wrong");

    /* x -> z, then revoke everything derived from the frame: x, y and z are gone, it stays. */
    unsigned dz = self_delegate(CRD(CRD_MEM, MEM_R | MEM_W, 0, x >> PAGE_SHIFT), CRD(CRD_MEM, MEM_R | MEM_W, 0, z >> PAGE_SHIFT));
    struct probe z_before = probe(false, z, 0);
    unsigned rv = fc_revoke(CRD(CRD_MEM, 0, 0, window_page(frame)), 0, 0);
    struct probe px = probe(false, x, 0), py = probe(false, y, 0), pz = probe(false, z, 0);
    bool kept = *(volatile uint64_t *)window(frame) == v1;
    expect("mem-revoke", dz == SUCCESS && z_before.vector < 0 && z_before.value == v1 && rv == SUCCESS &&
           px.vector == 14 && px.err == 4 && py.vector == 14 && pz.vector == 14 && pz.addr == z && kept,
           "delegate %u, read %d; revoke %u: reads fault %d %d %d (error %#lx); the frame %s", dz, z_before.vector,
           rv, px.vector, py.vector, pz.vector, pz.err, kept ? "kept" : "lost");
}

/* The io group: I/O ports in a child PD. */
static void capabilities_ports(void)
{
    /* I/O ports: a child PD's in faults (#GP) until a port is delegated, and after its revoke. */
    struct kid k;
    uint16_t port = (uint16_t)(0x80 + rnd() % 8);        /* POST and DMA page registers: harmless */
    child.rdx = port;
    unsigned m = child_make(&k, false, 0);
    unsigned run1 = m == SUCCESS ? child_run(&k, child_io) : m;
    uint64_t v_before = child.vector;
    child_end(&k);
    m = child_make(&k, false, 0);
    unsigned dio = m == SUCCESS ? fc_delegate(SEL_ROOT_PD, k.pd, CRD(CRD_IO, 0, 0, port), CRD(CRD_IO, 0, 0, port)) : m;
    unsigned run2 = dio == SUCCESS ? child_run(&k, child_io) : dio;
    uint64_t v_with = child.vector;
    child_end(&k);
    m = child_make(&k, false, 0);
    unsigned dio2 = m == SUCCESS ? fc_delegate(SEL_ROOT_PD, k.pd, CRD(CRD_IO, 0, 0, port), CRD(CRD_IO, 0, 0, port)) : m;
    unsigned rio = fc_revoke(CRD(CRD_IO, 0, 0, port), 0, 0);
    unsigned run3 = dio2 == SUCCESS ? child_run(&k, child_io) : dio2;
    uint64_t v_after = child.vector;
    child_end(&k);
    expect("io-ports", run1 == SUCCESS && v_before == 13 && run2 == SUCCESS && v_with == 6 && run3 == SUCCESS &&
           rio == SUCCESS && v_after == 13,
           "port %#x: without it %u/vector %lu, delegated %u/vector %lu, revoked %u/vector %lu", port, run1,
           v_before, run2, v_with, run3, v_after);
}

/* Stage 2, by groups (cap, mem, io). */
void stage_capabilities(void)
{
    if (in_group("cap"))
        capabilities_objects();
    if (in_group("mem"))
        capabilities_memory();
    if (in_group("io"))
        capabilities_ports();
}
