// SPDX-License-Identifier: MIT
/* grade/witness/fastpath.c — the IPC fast path: taken in the common case, and each of its preconditions forced to fail once, the general path giving the result. */
#include "witness.h"

/*
 * The kernel counts what its fast path did (machine_ctrl fastpath): calls and replies taken,
 * and for each precondition that failed, one left to the general path. Each check here
 * makes one call or reply of a known kind, reads the counters before and after, and
 * expects the counter of that kind (and no other) to move by one and the result to be what
 * the ABI says (the general path's). The vCPU precondition needs a machine with vCPUs (VMX
 * or SVM): stage 3's VM (stage_ept) makes exits whose replies go the general way.
 */

static uint64_t before[FASTPATH_COUNTERS];

static const char *const names[FASTPATH_COUNTERS] = {
    [FASTPATH_CALL_TAKEN] = "call taken", [FASTPATH_CALL_CAP] = "call: no capability",
    [FASTPATH_CALL_FLAGS] = "call: flags", [FASTPATH_CALL_CPU] = "call: another CPU",
    [FASTPATH_CALL_DEAD] = "call: dead handler", [FASTPATH_CALL_BUSY] = "call: busy handler",
    [FASTPATH_CALL_ITEMS] = "call: items", [FASTPATH_REPLY_TAKEN] = "reply taken",
    [FASTPATH_REPLY_NONE] = "reply: no caller", [FASTPATH_REPLY_OTHER] = "reply: to a vCPU",
    [FASTPATH_REPLY_ITEMS] = "reply: items", [FASTPATH_REPLY_WAITERS] = "reply: waiters",
    [FASTPATH_RESUME] = "return with a recall", [FASTPATH_EVENT_REPLY_TAKEN] = "event reply taken",
};

static uint64_t count(unsigned counter)
{
    uint64_t n = ~0UL;
    return fc_fastpath_count(counter, &n) == SUCCESS ? n : ~0UL;
}

static void snapshot(void)
{
    for (unsigned i = 0; i < FASTPATH_COUNTERS; i++)
        before[i] = count(i);
}

/* Every counter moved by want[i] since the snapshot: NULL, or what differs, in why. */
static const char *moved(const unsigned want[FASTPATH_COUNTERS], char *why, size_t len)
{
    why[0] = 0;
    for (unsigned i = 0; i < FASTPATH_COUNTERS; i++) {
        uint64_t d = count(i) - before[i];
        if (d != want[i]) {
            size_t at = strlen(why);
            snprintf(why + at, len - at, "%s%s %lu (want %u)", at ? ", " : "", names[i], d, want[i]);
        }
    }
    return why[0] ? why : NULL;
}

/* expect() that the call's status is `status` (and ok) and exactly these counters moved. */
#define CHECK_MOVED(check, status, want_status, ok, ...)                                      \
    do {                                                                                      \
        unsigned want_[FASTPATH_COUNTERS] = { __VA_ARGS__ };                                  \
        char why_[256];                                                                       \
        const char *m_ = moved(want_, why_, sizeof why_);                                     \
        expect(check, (status) == (want_status) && (ok) && !m_, "status %u (want %u)%s; counters: %s", \
               (status), (want_status), (ok) ? "" : ", result wrong", m_ ? m_ : "as wanted");  \
    } while (0)

static struct utcb *u;

/* n words to pt; true when they came back as echo_fn makes them. */
static bool echo_words(sel_t pt, unsigned n, unsigned flags, unsigned *status)
{
    for (unsigned i = 0; i < n; i++)
        u->mr[i] = i + 1;
    u->head.items = UTCB_ITEMS(n, 0);
    *status = fc_hypercall(FC_HC(HC_call, flags, pt), 0, 0, 0, 0, 0);
    bool ok = UTCB_UNTYPED(u->head.items) == n;
    for (unsigned i = 0; i < n; i++)
        ok = ok && u->mr[i] == (i + 1) * 3 + echo_key + i;
    return ok;
}

/* A handler whose first reply has more words than a UTCB holds (BAD_PAR to it), then none. */
static volatile unsigned bad_reply_status = 99;
static void bad_reply_fn(uint64_t id, struct utcb *hu)
{
    (void)id;
    hu->head.items = UTCB_ITEMS(UTCB_WORDS + 1, 0);
    bad_reply_status = fc_reply();
    hu->head.items = 0;
}

/* A handler that holds its first caller until the gate opens; each caller gets mr[0] + 100. */
static sel_t hold_pt, hold_gate, hold_in, hold_done;
static volatile unsigned hold_status[2] = { 99, 99 };
static volatile uint64_t hold_value[2];
static void hold_fn(uint64_t id, struct utcb *hu)
{
    (void)id;
    if (hu->mr[0] == 0) {
        fc_sm_up(hold_in);
        fc_sm_down(hold_gate, deadline_ms(5000));
    }
    hu->mr[0] += 100;
    hu->head.items = UTCB_ITEMS(1, 0);
}

static void hold_thread(uint64_t which, uint64_t id)
{
    struct utcb *tu = thread_utcb[id];
    tu->mr[0] = which;
    tu->head.items = UTCB_ITEMS(1, 0);
    hold_status[which] = fc_call(hold_pt);
    hold_value[which] = tu->mr[0];
    fc_sm_up(hold_done);
    park();
}

/*
 * The #UD of fault_ud_regs, replied to with rip at its resume, rax = 0x2222, rdx = 0x3333,
 * rcx = r11 = 0xc0ffee (which a return by sysret would overwrite), and the groups regs_groups
 * names.
 */
static uint64_t regs_groups;
static void regs_fn(uint64_t id, struct utcb *hu)
{
    (void)id;
    struct utcb_exc *x = &hu->exc;
    x->rip = (uint64_t)fault_ud_regs_resume;
    x->rax = 0x2222;
    x->rdx = 0x3333;
    x->rcx = x->r11 = 0xc0ffee;
    x->mtd = regs_groups;
}

/* A handler that recalls its caller, the root EC, before it replies; the recall's handler. */
static sel_t recall_pt;
static volatile unsigned recalls, recall_status = 99;
static void recaller_fn(uint64_t id, struct utcb *hu)
{
    (void)id;
    recall_status = fc_ec_recall(SEL_ROOT_EC);
    hu->head.items = 0;
}

static void recall_fn(uint64_t id, struct utcb *hu)
{
    (void)id;
    (void)hu;
    recalls++;
}

void stage_fastpath(void)
{
    u = root_utcb;
    echo_key = rnd();
    sel_t echo_ec = handler_new(0, echo_fn), echo = sel_alloc(1);
    unsigned s = portal(echo, echo_ec, 0, 0), st;
    uint64_t probe = 0;
    if (s != SUCCESS || fc_fastpath_count(FASTPATH_CALL_TAKEN, &probe) != SUCCESS) {
        verdict("fastpath-call", "cannot set up (portal or machine_ctrl fastpath)");
        return;
    }
    bool ok;

    /* The common case: calls with 0, 3 and 508 words, blocking and not, and their replies. */
    snapshot();
    ok = echo_words(echo, 0, 0, &st);
    CHECK_MOVED("fastpath-call", st, SUCCESS, ok, [FASTPATH_CALL_TAKEN] = 1, [FASTPATH_REPLY_TAKEN] = 1);
    snapshot();
    ok = echo_words(echo, 3, CALL_NONBLOCK, &st);
    CHECK_MOVED("fastpath-call", st, SUCCESS, ok, [FASTPATH_CALL_TAKEN] = 1, [FASTPATH_REPLY_TAKEN] = 1);
    snapshot();
    ok = echo_words(echo, UTCB_WORDS, 0, &st);
    CHECK_MOVED("fastpath-call", st, SUCCESS, ok, [FASTPATH_CALL_TAKEN] = 1, [FASTPATH_REPLY_TAKEN] = 1);

    /* No capability at the selector, or one without the call right: BAD_CAP. */
    snapshot();
    st = fc_call(sel_alloc(1));
    CHECK_MOVED("fastpath-cap", st, BAD_CAP, true, [FASTPATH_CALL_CAP] = 1);
    sel_t no_call = sel_alloc(1);
    s = self_delegate(CRD(CRD_OBJ, PERM_CTRL, 0, echo), CRD(CRD_OBJ, PERM_ALL, 0, no_call));
    snapshot();
    st = fc_call(no_call);
    CHECK_MOVED("fastpath-cap", st, BAD_CAP, s == SUCCESS, [FASTPATH_CALL_CAP] = 1);

    /* A flag call does not know: BAD_PAR. */
    snapshot();
    st = fc_hypercall(FC_HC(HC_call, 0x2, echo), 0, 0, 0, 0, 0);
    CHECK_MOVED("fastpath-flags", st, BAD_PAR, true, [FASTPATH_CALL_FLAGS] = 1);

    /* A handler bound to another CPU: BAD_CPU. */
    if (hip->num_cpus > 1) {
        sel_t far = sel_alloc(1);
        s = portal(far, handler_new(1, echo_fn), 0, 0);
        snapshot();
        st = fc_call(far);
        CHECK_MOVED("fastpath-cpu", st, BAD_CPU, s == SUCCESS, [FASTPATH_CALL_CPU] = 1);
    } else {
        verdict("fastpath-cpu", "one CPU: boot this stage with --smp 2");
    }

    /* A dead handler (its EC revoked, the portal still there): ABORT. */
    sel_t dead_ec = handler_new(0, echo_fn), dead = sel_alloc(1);
    s = portal(dead, dead_ec, 0, 0);
    s = s ? s : fc_revoke(CRD(CRD_OBJ, 0, 0, dead_ec), REVOKE_SELF, 0);
    snapshot();
    st = fc_call(dead);
    CHECK_MOVED("fastpath-dead", st, ABORT, s == SUCCESS, [FASTPATH_CALL_DEAD] = 1);

    /* A handler that calls itself: its own call is busy (ABORT); ours goes the fast way. */
    self_pt = sel_alloc(1);
    s = portal(self_pt, handler_new(0, self_fn), 0, 0);
    snapshot();
    u->head.items = 0;
    st = fc_call(self_pt);
    CHECK_MOVED("fastpath-busy", st, SUCCESS, s == SUCCESS && self_status == ABORT, [FASTPATH_CALL_TAKEN] = 1,
                [FASTPATH_CALL_BUSY] = 1, [FASTPATH_REPLY_TAKEN] = 1);

    /* More words than a UTCB holds: BAD_PAR. */
    snapshot();
    u->head.items = UTCB_ITEMS(UTCB_WORDS + 1, 0);
    st = fc_call(echo);
    CHECK_MOVED("fastpath-items", st, BAD_PAR, true, [FASTPATH_CALL_ITEMS] = 1);

    /* A reply with nobody to reply to: BAD_PAR. */
    snapshot();
    st = fc_reply();
    CHECK_MOVED("fastpath-reply-none", st, BAD_PAR, true, [FASTPATH_REPLY_NONE] = 1);

    /* A reply with too many words: BAD_PAR to the handler, which then replies with none. */
    sel_t bad = sel_alloc(1);
    s = portal(bad, handler_new(0, bad_reply_fn), 0, 0);
    snapshot();
    u->head.items = 0;
    st = fc_call(bad);
    CHECK_MOVED("fastpath-reply-items", st, SUCCESS, s == SUCCESS && bad_reply_status == BAD_PAR,
                [FASTPATH_CALL_TAKEN] = 1, [FASTPATH_REPLY_ITEMS] = 1, [FASTPATH_REPLY_TAKEN] = 1);

    /* Two threads call a handler that holds the first: the second waits (busy); the reply to
     * the first finds it queued (waiters), then the second's call runs (its retry is the
     * general path's) and its reply goes the fast way. */
    hold_pt = sel_alloc(1);
    hold_gate = sm_new(0);
    hold_in = sm_new(0);
    hold_done = sm_new(0);
    s = portal(hold_pt, handler_new(0, hold_fn), 0, 0);
    snapshot();
    s = s ? s : thread_start(thread_prepare(hold_thread, 0));
    unsigned held = s ? s : fc_sm_down(hold_in, deadline_ms(2000));
    s = held ? held : thread_start(thread_prepare(hold_thread, 1));
    uint64_t until = deadline_ms(2000);
    while (s == SUCCESS && count(FASTPATH_CALL_BUSY) == before[FASTPATH_CALL_BUSY] && fc_rdtsc() < until)
        fc_sm_down(hold_done, deadline_ms(1));   /* the second caller queues itself meanwhile */
    fc_sm_up(hold_gate);
    unsigned done = s ? s : fc_sm_down(hold_done, deadline_ms(2000));
    done = done ? done : fc_sm_down(hold_done, deadline_ms(2000));
    ok = done == SUCCESS && hold_status[0] == SUCCESS && hold_status[1] == SUCCESS && hold_value[0] == 100 &&
         hold_value[1] == 101;
    CHECK_MOVED("fastpath-reply-waiters", s, SUCCESS, ok, [FASTPATH_CALL_TAKEN] = 1, [FASTPATH_CALL_BUSY] = 1,
                [FASTPATH_REPLY_WAITERS] = 1, [FASTPATH_REPLY_TAKEN] = 1,
                [FASTPATH_EVENT_REPLY_TAKEN] = 2);        /* the threads' startup messages */

    /* The EC a reply returns to has a recall pending: ec_resume delivers it first. */
    recall_pt = sel_alloc(1);
    s = portal(recall_pt, handler_new(0, recaller_fn), 0, 0);
    s = s ? s : portal(SEL_EXC_BASE + EV_RECALL, handler_new(0, recall_fn), 0, EV_RECALL);
    snapshot();
    u->head.items = 0;
    st = fc_call(recall_pt);
    CHECK_MOVED("fastpath-resume", st, SUCCESS, s == SUCCESS && recall_status == SUCCESS && recalls == 1,
                [FASTPATH_CALL_TAKEN] = 1, [FASTPATH_REPLY_TAKEN] = 1, [FASTPATH_RESUME] = 1,
                [FASTPATH_EVENT_REPLY_TAKEN] = 1);        /* the recall's message */

    /* An exception's reply: the fast way, the state the portal names loaded (rip, rax). */
    s = portal(SEL_EXC_BASE + 6, handler_new(0, exc_fn), EXC_MTD, 6);
    exc.at = fault_ud_at;
    exc.resume = fault_ud_resume;
    exc.rax = rnd();
    unsigned seen = exc.count;
    snapshot();
    uint64_t got = fault_ud(0);
    CHECK_MOVED("fastpath-event", s, SUCCESS, exc.count == seen + 1 && exc.vector == 6 && got == exc.rax,
                [FASTPATH_EVENT_REPLY_TAKEN] = 1);

    /* The reply names what goes back (MTD_RIP_LEN alone: rax, rcx, rdx and r11 stay as they
     * were); with every group, each register comes back as the reply set it. */
    fc_revoke(CRD(CRD_OBJ, 0, 0, SEL_EXC_BASE + 6), REVOKE_SELF, 0);   /* exc_fn's portal goes */
    s = portal(SEL_EXC_BASE + 6, handler_new(0, regs_fn), EXC_MTD, 6);
    uint64_t out[3] = { 0 };
    regs_groups = MTD_RIP_LEN;
    snapshot();
    got = fault_ud_regs(out);
    CHECK_MOVED("fastpath-event-mtd", s, SUCCESS,
                got == 0x1111 && out[0] != 0xc0ffee && out[1] != 0xc0ffee && out[2] != 0x3333,
                [FASTPATH_EVENT_REPLY_TAKEN] = 1);
    regs_groups = EXC_MTD;
    snapshot();
    got = fault_ud_regs(out);
    CHECK_MOVED("fastpath-event-regs", s, SUCCESS,
                got == 0x2222 && out[0] == 0xc0ffee && out[1] == 0xc0ffee && out[2] == 0x3333,
                [FASTPATH_EVENT_REPLY_TAKEN] = 1);

    /* A vCPU's exits: their replies are the general path's (vcpu_reply). */
    if (hip->features & (HIP_FEAT_VMX | HIP_FEAT_SVM)) {
        /* Startup, two port writes and an EPT violation are replied to before the VM's end; the
         * reply to its hlt races with our revoking the vCPU (the handler wakes us first). */
        uint64_t other = count(FASTPATH_REPLY_OTHER), taken = count(FASTPATH_EVENT_REPLY_TAKEN);
        stage_ept();
        other = count(FASTPATH_REPLY_OTHER) - other;
        taken = count(FASTPATH_EVENT_REPLY_TAKEN) - taken;
        expect("fastpath-vcpu", (other == 4 || other == 5) && taken == 0,
               "replies to the vCPU the general way: %lu (want 4 or 5), the fast way: %lu (want 0)", other, taken);
    } else {
        verdict("fastpath-vcpu", "this machine has no vCPUs (no VMX, no SVM): boot it with VCPUS=svm or in Bochs");
    }
}
