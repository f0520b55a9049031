// SPDX-License-Identifier: MIT
/*
 * grade/witness/witness.c — the witness: a root task built only from kit code a student does
 * not edit (this directory, the small libc, the shared pure code, roottask/scenarios/faults.S).
 * The graders boot it once per stage. It checks the kernel's mechanisms of that stage itself,
 * with inputs drawn from the boot's key, and signs each verdict with that key, which the
 * grader made for this one boot: a line the grader cannot verify counts as missing, so output
 * printed by anything else scores nothing.
 *
 * Command line (tools/mkiso, tools/boot): witness stage=NAME time_scale=F key=HEX32.
 * Output: "[witness] CHECK: ok #SEQ mac=HEX32" or "[witness] CHECK: FAIL (why) #SEQ mac=...",
 * with mac = HMAC-SHA-256(key, "SEED SEQ CHECK: VERDICT") cut to 16 bytes, SEED the hex of
 * the first 8 bytes of HMAC-SHA-256(key, "seed") (grade/lib/witness.py checks them).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "facet/hypercall.h"
#include "uapi/hip.h"
#include "uapi/vcpu.h"
#include "hmac.h"
#include "start_state.h"                    /* vmm/: the long-mode state, no VMM code */

#define EXC_MTD     (MTD_ALL_GPRS | MTD_RIP_LEN | MTD_RFLAGS | MTD_QUAL)
#define STARTUP_MTD (MTD_ALL_GPRS | MTD_RIP_LEN)
#define UTCB_AREA   0x0000700000000000UL    /* the UTCBs of local and global ECs */
#define MAP_AREA    0x0000610000000000UL    /* where memory is delegated to ourselves */
#define UNMAPPED    0x0000500000000000UL    /* 1 TiB nothing is ever mapped in */
#define CHILD_CODE  0x10000UL               /* a child PD's code page */
#define CHILD_UTCB  0x20000UL               /* its EC's UTCB */
#define CHILD_EVT   0x100                   /* its event portals (32, aligned) */
#define CHILD_SYS   0x180                   /* a foreign child's syscall portal (CPU 0) */
#define CHILD_SM    0x190                   /* a semaphore it may up */
#define KEY_BYTES   16

static const struct hip *hip;
static struct utcb *root_utcb;
static uint8_t key[KEY_BYTES];
static uint64_t seed, rng_state;
static unsigned seq, checks, failures, scale_milli = 1000;
static char group[16];                      /* stage=NAME+GROUP: only that group's checks */

static bool in_group(const char *g) { return !group[0] || !strcmp(group, g); }

/* ---- console, verdicts ---------------------------------------------------------------- */

void console_out(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c[2] = { '\r', s[i] };
        for (unsigned k = s[i] == '\n' ? 0 : 1; k < 2; k++) {
            uint8_t lsr;
            do
                __asm__ volatile("inb %1, %0" : "=a"(lsr) : "Nd"((uint16_t)0x3fd));
            while (!(lsr & 0x20));
            __asm__ volatile("outb %0, %1" :: "a"(c[k]), "Nd"((uint16_t)0x3f8));
        }
    }
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = 0;
}

/* One signed verdict: ok when why is NULL, else FAIL with the reason. */
static void verdict(const char *check, const char *why)
{
    char body[160], msg[200], mac_hex[33];
    uint8_t mac[32];
    if (why)
        snprintf(body, sizeof body, "%s: FAIL (%s)", check, why);
    else
        snprintf(body, sizeof body, "%s: ok", check);
    int n = snprintf(msg, sizeof msg, "%016lx %u %s", seed, seq, body);
    hmac_sha256(key, sizeof key, msg, (size_t)n, mac);
    hex(mac, 16, mac_hex);
    printf("[witness] %s #%u mac=%s\n", body, seq, mac_hex);
    seq++;
    checks++;
    failures += why != NULL;
}

/* verdict() with a formatted reason when cond is false. */
static void expect(const char *check, bool cond, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void expect(const char *check, bool cond, const char *fmt, ...)
{
    char why[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    verdict(check, cond ? NULL : why);
}

static uint64_t rnd(void)                   /* splitmix64 over the seed */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t deadline_ms(unsigned ms)
{
    if (!scale_milli)
        return 0;                           /* time_scale=0: wait for ever */
    return fc_rdtsc() + (uint64_t)hip->tsc_khz * ms * scale_milli / 1000;
}

/* ---- selectors, UTCBs, frames ----------------------------------------------------------- */

static sel_t next_sel = SEL_FIRST_FREE;
static uint64_t next_utcb = UTCB_AREA, next_map = MAP_AREA;
static uint64_t frame_next, frame_end;

/* n selectors, aligned to n (a power of two), for delegations of whole orders. */
static sel_t sel_alloc(unsigned n)
{
    next_sel = (next_sel + n - 1) & ~(sel_t)(n - 1);
    sel_t s = next_sel;
    next_sel += n;
    return s;
}

static uint64_t utcb_alloc(void) { return (next_utcb += PAGE_SIZE); }
static uint64_t map_alloc(void) { return (next_map += 2 * PAGE_SIZE); }   /* a gap after each */

/* A frame of our memory (none is ever given back), zeroed; its address in our window. */
static uint64_t frame_alloc(void)
{
    if (frame_next >= frame_end)
        return 0;
    uint64_t f = frame_next;
    frame_next += PAGE_SIZE;
    memset((void *)(ROOT_MEM_WINDOW + f), 0, PAGE_SIZE);
    return f;
}

static uint64_t window(uint64_t frame) { return ROOT_MEM_WINDOW + frame; }
static uint64_t window_page(uint64_t frame) { return window(frame) >> PAGE_SHIFT; }

/* ---- local ECs and portals ------------------------------------------------------------- */

typedef void (*handler_fn)(uint64_t id, struct utcb *u);
struct handler { handler_fn fn; struct utcb *utcb; uint64_t pad; };
#define HANDLERS      48
#define HANDLER_STACK 8192
static uint8_t handler_stacks[HANDLERS][HANDLER_STACK] __attribute__((aligned(16)));
static unsigned handlers;

extern char w_portal_entry[];
void w_portal_main(uint64_t id, struct handler *h) __attribute__((noreturn));
void w_portal_main(uint64_t id, struct handler *h)
{
    h->fn(id, h->utcb);
    fc_reply();
    for (;;)
        __builtin_trap();                   /* reply returned: the kernel refused it */
}

/* A local EC on cpu that runs fn for every call; its selector, or 0. */
static sel_t handler_new(unsigned cpu, handler_fn fn)
{
    if (handlers == HANDLERS)
        return 0;
    struct handler *h = (struct handler *)(handler_stacks[handlers++] + HANDLER_STACK) - 1;
    h->fn = fn;
    h->utcb = (struct utcb *)utcb_alloc();
    sel_t ec = sel_alloc(1);
    return fc_create_ec(ec, SEL_ROOT_PD, cpu, (uint64_t)h->utcb, (uint64_t)h, 0, false) == SUCCESS ? ec : 0;
}

static unsigned portal_at(sel_t pt, sel_t ec, uint64_t mtd, uint64_t id, uint64_t ip)
{
    if (!ec)
        return BAD_CAP;
    unsigned s = fc_create_pt(pt, SEL_ROOT_PD, ec, mtd, ip);
    return s == SUCCESS ? fc_pt_ctrl(pt, id) : s;
}

static unsigned portal(sel_t pt, sel_t ec, uint64_t mtd, uint64_t id)
{
    return portal_at(pt, ec, mtd, id, (uint64_t)w_portal_entry);
}

static sel_t sm_new(uint64_t count)
{
    sel_t sm = sel_alloc(1);
    return fc_create_sm(sm, SEL_ROOT_PD, count) == SUCCESS ? sm : 0;
}

/* ---- global ECs (threads): the startup message sets their first registers --------------- */

struct start { uint64_t rip, rsp, rdi, rsi; };
#define THREADS 16
static struct start starts[THREADS];
static volatile uint64_t start_rsp_seen[THREADS];
static struct utcb *thread_utcb[THREADS];
static sel_t thread_evt[THREADS], thread_ec[THREADS];
static uint8_t thread_stacks[THREADS][8192] __attribute__((aligned(16)));
static unsigned threads;
#define WCPUS 8                             /* the CPUs the witness uses at most */
static sel_t startup_ec[WCPUS];             /* a startup handler per CPU */

/* The first registers: rip, rdi, rsi ours; rsp as the kernel reported it (create_ec's sp). */
static void startup_fn(uint64_t id, struct utcb *u)
{
    if (id >= THREADS)
        return;                             /* no registers: it faults at 0 and dies */
    start_rsp_seen[id] = u->exc.rsp;
    u->exc.rip = starts[id].rip;
    u->exc.rdi = starts[id].rdi;
    u->exc.rsi = starts[id].rsi;
}

/* A thread on cpu (< WCPUS) that will run fn(rdi, id) on a stack of its own, not yet scheduled;
 * its UTCB is thread_utcb[id], its event portals thread_evt[id] + event. Returns id, or -1. */
static int thread_prepare_on(unsigned cpu, void (*fn)(uint64_t, uint64_t), uint64_t rdi)
{
    if (threads == THREADS || cpu >= WCPUS || (!startup_ec[cpu] && !(startup_ec[cpu] = handler_new(cpu, startup_fn))))
        return -1;
    unsigned i = threads++;
    starts[i] = (struct start){ (uint64_t)fn, (uint64_t)(thread_stacks[i] + sizeof thread_stacks[i] - 8), rdi, i };
    thread_evt[i] = sel_alloc(NUM_EVENTS);
    thread_ec[i] = sel_alloc(1);
    thread_utcb[i] = (struct utcb *)utcb_alloc();
    unsigned s = portal(thread_evt[i] + EV_STARTUP, startup_ec[cpu], STARTUP_MTD, i);
    if (s == SUCCESS)
        s = fc_create_ec(thread_ec[i], SEL_ROOT_PD, cpu, (uint64_t)thread_utcb[i], starts[i].rsp, thread_evt[i], true);
    return s == SUCCESS ? (int)i : -1;
}

static int thread_prepare(void (*fn)(uint64_t, uint64_t), uint64_t rdi) { return thread_prepare_on(0, fn, rdi); }

static unsigned thread_start(int id)
{
    return id < 0 ? BAD_PAR : fc_create_sc(sel_alloc(1), SEL_ROOT_PD, thread_ec[id], ROOT_PRIO, 1000);
}

static void park(void)
{
    sel_t never = sm_new(0);
    for (;;)
        fc_sm_down(never, 0);
}

/* ---- exceptions of the root EC: the handler skips the expected instruction -------------- */

extern uint64_t fault_de(uint64_t), fault_db(uint64_t), fault_bp(uint64_t), fault_ud(uint64_t),
    fault_gp(uint64_t), fault_ss(uint64_t), fault_pf(uint64_t);
extern char fault_de_at[], fault_de_resume[], fault_db_at[], fault_db_resume[], fault_bp_at[], fault_bp_resume[],
    fault_ud_at[], fault_ud_resume[], fault_gp_at[], fault_gp_resume[], fault_ss_at[], fault_ss_resume[],
    fault_pf_at[], fault_pf_resume[];
extern uint64_t probe_read(uint64_t addr), probe_write(uint64_t addr, uint64_t value);
extern char probe_read_at[], probe_read_resume[], probe_write_at[], probe_write_resume[];

/* What the handler saw of the last exception, and what it is to do. */
static volatile struct {
    char *at, *resume;                      /* the expected instruction and where to go on */
    uint64_t rax;                           /* the value to resume with */
    unsigned count;
    uint64_t vector, err, addr, rip, rdi;
} exc;

static void exc_fn(uint64_t vector, struct utcb *u)
{
    struct utcb_exc *x = &u->exc;
    exc.count++;
    exc.vector = vector;
    exc.err = x->qual[0];
    exc.addr = x->qual[1];
    exc.rip = x->rip;
    exc.rdi = x->rdi;
    x->rip = (uint64_t)exc.resume;          /* even an unexpected one: the check then fails */
    x->rax = exc.rax;
    x->rflags &= ~0x100UL;                  /* single stepping ends here */
}

/* ---- stage 1: portals -------------------------------------------------------------------- */

static volatile uint64_t echo_calls, echo_key;

/* Word i comes back as w * 3 + key + i; n words in, n words out. */
static void echo_fn(uint64_t id, struct utcb *u)
{
    (void)id;
    unsigned n = UTCB_UNTYPED(u->head.items);
    for (unsigned i = 0; i < n; i++)
        u->mr[i] = u->mr[i] * 3 + echo_key + i;
    u->head.items = UTCB_ITEMS(n, 0);
    echo_calls++;
}

static void check_echo(const char *check, sel_t pt, unsigned n)
{
    static uint64_t sent[UTCB_WORDS];
    struct utcb *u = root_utcb;
    for (unsigned i = 0; i < n; i++)
        u->mr[i] = sent[i] = rnd();
    u->head.items = UTCB_ITEMS(n, 0);
    uint64_t before = echo_calls;
    unsigned s = fc_call(pt), got = UTCB_UNTYPED(u->head.items), bad = 0;
    for (unsigned i = 0; s == SUCCESS && i < got && i < n; i++)
        bad += u->mr[i] != sent[i] * 3 + echo_key + i;
    expect(check, s == SUCCESS && got == n && !bad && echo_calls == before + 1,
           "status %u, %u of %u words back, %u wrong, handler ran %lu times", s, got, n, bad, echo_calls - before);
}

static sel_t nest_pt[3];
static volatile uint64_t nest_add, nest_xor;

/* Innermost (2) triples, 1 adds nest_add, 0 xors nest_xor: each calls the next first. */
static void nest_fn(uint64_t depth, struct utcb *u)
{
    uint64_t v = u->mr[0];
    if (depth < 2) {
        u->head.items = UTCB_ITEMS(1, 0);
        v = fc_call(nest_pt[depth + 1]) == SUCCESS ? u->mr[0] : 0xdead;
    }
    u->mr[0] = depth == 2 ? v * 3 : depth == 1 ? v + nest_add : v ^ nest_xor;
    u->head.items = UTCB_ITEMS(1, 0);
}

static sel_t self_pt;
static volatile unsigned self_status = 99;
static void self_fn(uint64_t id, struct utcb *u)
{
    (void)id;
    u->head.items = 0;
    self_status = fc_call(self_pt);
}

static sel_t busy_pt, busy_gate, busy_in, busy_done;
static volatile unsigned busy_status = 99;
static void busy_fn(uint64_t id, struct utcb *u)
{
    (void)id;
    if (u->mr[0] == 1) {
        fc_sm_up(busy_in);                  /* the first caller is inside: hold it */
        fc_sm_down(busy_gate, deadline_ms(2000));
    }
    u->mr[0] += 100;
    u->head.items = UTCB_ITEMS(1, 0);
}

static volatile uint64_t probe_rdi, probe_rsi, probe_sp_ok;
static sel_t probe_done;
static void startup_probe(uint64_t rdi, uint64_t rsi)
{
    uint64_t sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    probe_rdi = rdi;
    probe_rsi = rsi;
    probe_sp_ok = sp >= (uint64_t)thread_stacks[rsi] && sp < (uint64_t)thread_stacks[rsi] + sizeof thread_stacks[rsi];
    fc_sm_up(probe_done);
    park();
}

static void busy_thread(uint64_t a, uint64_t id)
{
    (void)a;
    struct utcb *u = thread_utcb[id];
    u->mr[0] = 1;
    u->head.items = UTCB_ITEMS(1, 0);
    busy_status = fc_call(busy_pt);
    if (busy_status == SUCCESS && u->mr[0] != 101)
        busy_status = 100;
    fc_sm_up(busy_done);
    park();
}

/* The exception checks: what the thread raised and what its handler saw. */
struct fault {
    const char *check;
    unsigned vector;
    uint64_t (*fn)(uint64_t);
    char *at, *resume;
    bool trap;                              /* reported after the instruction */
    uint64_t arg, rax, result;
    unsigned messages;
    uint64_t seen_vector, seen_err, seen_addr, seen_rip, seen_rdi;
};
static struct fault faults[] = {
    { .check = "exc-de", .vector = 0, .fn = fault_de, .at = fault_de_at, .resume = fault_de_resume, .trap = false },
    { .check = "exc-db", .vector = 1, .fn = fault_db, .at = fault_db_at, .resume = fault_db_resume, .trap = true },
    { .check = "exc-bp", .vector = 3, .fn = fault_bp, .at = fault_bp_at, .resume = fault_bp_resume, .trap = true },
    { .check = "exc-ud", .vector = 6, .fn = fault_ud, .at = fault_ud_at, .resume = fault_ud_resume, .trap = false },
    { .check = "exc-gp", .vector = 13, .fn = fault_gp, .at = fault_gp_at, .resume = fault_gp_resume, .trap = false },
    { .check = "exc-ss", .vector = 12, .fn = fault_ss, .at = fault_ss_at, .resume = fault_ss_resume, .trap = false },
    { .check = "exc-pf", .vector = 14, .fn = fault_pf, .at = fault_pf_at, .resume = fault_pf_resume, .trap = false },
};
#define FAULTS (sizeof faults / sizeof faults[0])
static volatile unsigned faults_run;
static sel_t exc_done;

static void fault_thread(uint64_t a, uint64_t id)
{
    (void)a, (void)id;
    for (unsigned i = 0; i < FAULTS; i++, faults_run = i) {
        struct fault *f = &faults[i];
        f->arg = f->vector == 14 ? UNMAPPED + (rnd() & 0xfffffffff8) : rnd();
        f->rax = rnd();
        exc.at = f->at;
        exc.resume = f->resume;
        exc.rax = f->rax;
        unsigned count = exc.count;
        f->result = f->fn(f->arg);
        f->messages = exc.count - count;
        f->seen_vector = exc.vector;
        f->seen_err = exc.err;
        f->seen_addr = exc.addr;
        f->seen_rip = exc.rip;
        f->seen_rdi = exc.rdi;
    }
    fc_sm_up(exc_done);
    park();
}

/* The calls group: words, limits, CPUs, selectors, nesting, self-calls, a dead handler. */
static void portals_calls(sel_t echo)
{
    check_echo("ipc-0", echo, 0);
    check_echo("ipc-1", echo, 1);
    check_echo("ipc-8", echo, 8);
    check_echo("ipc-max", echo, UTCB_WORDS);

    struct utcb *u = root_utcb;
    uint64_t before = echo_calls;
    u->head.items = UTCB_ITEMS(UTCB_WORDS + 1, 0);
    unsigned a = fc_call(echo);
    u->head.items = UTCB_ITEMS(0, 1);
    unsigned b = fc_call(echo);
    expect("ipc-limits", a == BAD_PAR && b == BAD_PAR && echo_calls == before,
           "509 words: status %u, a typed item with no window: status %u, handler ran %lu times", a, b,
           echo_calls - before);

    if (hip->num_cpus > 1) {
        sel_t far = sel_alloc(1);
        unsigned s = portal(far, handler_new(1, echo_fn), 0, 0);
        u->head.items = 0;
        unsigned c = s == SUCCESS ? fc_call(far) : s;
        expect("ipc-cpu", c == BAD_CPU, "a handler on CPU 1: status %u", c);
    } else {
        verdict("ipc-cpu", "one CPU: the witness needs two");
    }

    sel_t sm = sm_new(0);
    u->head.items = 0;
    unsigned empty = fc_call(sel_alloc(1)), of_sm = fc_call(sm), beyond = fc_call(SEL_MAX + (rnd() & 0xff));
    unsigned flags = fc_hypercall(FC_HC(HC_call, 0x4, echo), 0, 0, 0, 0, 0);
    expect("ipc-selectors", empty == BAD_CAP && of_sm == BAD_CAP && beyond == BAD_CAP && flags == BAD_PAR,
           "empty %u, semaphore %u, beyond the space %u, bad flags %u", empty, of_sm, beyond, flags);

    nest_add = rnd() & 0xffff;
    nest_xor = rnd();
    bool made = true;
    for (unsigned d = 0; d < 3; d++)
        made &= portal(nest_pt[d] = sel_alloc(1), handler_new(0, nest_fn), 0, d) == SUCCESS;
    uint64_t in = rnd() & 0xffffffff;
    u->mr[0] = in;
    u->head.items = UTCB_ITEMS(1, 0);
    unsigned s = made ? fc_call(nest_pt[0]) : BAD_CAP;
    expect("ipc-nested", s == SUCCESS && u->mr[0] == ((in * 3 + nest_add) ^ nest_xor),
           "status %u, %#lx in, %#lx out", s, in, u->mr[0]);

    self_pt = sel_alloc(1);
    portal(self_pt, handler_new(0, self_fn), 0, 0);
    u->head.items = 0;
    s = fc_call(self_pt);
    expect("ipc-self", s == SUCCESS && self_status == ABORT, "status %u, the handler's own call %u", s, self_status);

    /* A handler whose entry point is not mapped dies; its caller gets ABORT, the rest goes on. */
    sel_t bad = sel_alloc(1);
    s = portal_at(bad, handler_new(0, echo_fn), 0, 0, UNMAPPED + (rnd() & 0xfffffff000));
    u->head.items = 0;
    unsigned ab = s == SUCCESS ? fc_call(bad) : s;
    u->mr[0] = 5;
    u->head.items = UTCB_ITEMS(1, 0);
    unsigned after = fc_call(echo);
    expect("ipc-unmapped", ab == ABORT && after == SUCCESS && u->mr[0] == 15 + echo_key,
           "status %u, a call after it %u", ab, after);

}

/* The busy group: a thread is held inside a handler; our non-blocking call gets TIMEOUT. */
static void portals_busy(void)
{
    struct utcb *u = root_utcb;
    unsigned s;
    /* A busy handler: a thread is held inside it; our non-blocking call gets TIMEOUT. */
    busy_pt = sel_alloc(1);
    busy_gate = sm_new(0);
    busy_in = sm_new(0);
    busy_done = sm_new(0);
    portal(busy_pt, handler_new(0, busy_fn), 0, 0);
    s = thread_start(thread_prepare(busy_thread, 0));
    unsigned in_status = s == SUCCESS ? fc_sm_down(busy_in, deadline_ms(2000)) : s;
    u->mr[0] = 2;
    u->head.items = UTCB_ITEMS(1, 0);
    unsigned nb = fc_call_nb(busy_pt);
    fc_sm_up(busy_gate);
    unsigned done = fc_sm_down(busy_done, deadline_ms(2000));
    u->mr[0] = 2;
    u->head.items = UTCB_ITEMS(1, 0);
    unsigned later = fc_call(busy_pt);
    expect("ipc-busy", in_status == SUCCESS && nb == TIMEOUT && done == SUCCESS && busy_status == SUCCESS &&
           later == SUCCESS && u->mr[0] == 102,
           "held %u, non-blocking %u, first caller %u/%u, afterwards %u (%lu)", in_status, nb, done, busy_status,
           later, u->mr[0]);

}

/* The startup group. */
static void portals_startup(void)
{
    unsigned s;
    /* A new thread's first registers come from its startup portal's reply. */
    probe_done = sm_new(0);
    uint64_t want = rnd();
    int id = thread_prepare(startup_probe, want);
    s = thread_start(id);
    unsigned ran = s == SUCCESS ? fc_sm_down(probe_done, deadline_ms(2000)) : s;
    bool rsp_ok = id >= 0 && start_rsp_seen[id] == starts[id].rsp;
    expect("startup", ran == SUCCESS && probe_rdi == want && probe_rsi == (uint64_t)id && probe_sp_ok && rsp_ok,
           "status %u, rdi %#lx (want %#lx), rsi %lu (want %d), rsp reported %s, on its stack %lu", ran,
           probe_rdi, want, probe_rsi, id, rsp_ok ? "right" : "wrong", probe_sp_ok);

}

/* The exc group. */
static void portals_exc(void)
{
    unsigned s;
    int id;
    /* Exceptions of a thread, each handled by a local EC and resumed with a value of ours; the
     * thread may stop for good (a kernel that sends no message): we wait for it with a deadline. */
    exc_done = sm_new(0);
    sel_t exc_ec = handler_new(0, exc_fn);
    id = thread_prepare(fault_thread, 0);
    for (unsigned v = 0; id >= 0 && v < NUM_EVENTS; v++)
        if (v != EV_STARTUP)
            portal(thread_evt[id] + v, exc_ec, EXC_MTD, v);
    s = thread_start(id);
    unsigned waited = s == SUCCESS ? fc_sm_down(exc_done, deadline_ms(5000)) : s;
    for (unsigned i = 0; i < FAULTS; i++) {
        const struct fault *f = &faults[i];
        if (i >= faults_run) {
            expect(f->check, false, "never reported: the thread stopped (%s %u)", i == faults_run ? "here," : "before,",
                   waited);
            continue;
        }
        bool vec_ok = f->seen_vector == f->vector || (f->vector == 12 && f->seen_vector == 13);   /* TCG: #GP */
        bool rip_ok = f->seen_rip == (uint64_t)(f->trap ? f->resume : f->at);
        bool pf_ok = f->vector != 14 || (f->seen_err == 4 && f->seen_addr == f->arg);
        expect(f->check, f->messages == 1 && vec_ok && rip_ok && pf_ok && f->seen_rdi == f->arg && f->result == f->rax,
               "%u messages, vector %lu, rip %s, error %#lx, address %#lx, rdi %s, resumed with %s",
               f->messages, f->seen_vector, rip_ok ? "right" : "wrong", f->seen_err, f->seen_addr,
               f->seen_rdi == f->arg ? "right" : "wrong", f->result == f->rax ? "ours" : "another value");
    }
}

/* Stage 1, by groups (stage=portals+GROUP: one of them; the graders boot each on its own). */
static void stage_portals(void)
{
    sel_t echo_ec = handler_new(0, echo_fn), echo = sel_alloc(1);
    echo_key = rnd();
    if (portal(echo, echo_ec, 0, 0) != SUCCESS) {
        verdict("ipc-0", "cannot create a local EC and a portal");
        return;
    }
    if (in_group("calls"))
        portals_calls(echo);
    if (in_group("busy"))
        portals_busy();
    if (in_group("startup"))
        portals_startup();
    if (in_group("exc"))
        portals_exc();
}

/* ---- stage 2: capabilities --------------------------------------------------------------- */

static unsigned self_delegate(uint64_t src_crd, uint64_t dst_crd)
{
    return fc_delegate(SEL_ROOT_PD, SEL_ROOT_PD, src_crd, dst_crd);
}

/* Probe a read or write at addr: the vector it raised (or -1), the error code and the value read. */
struct probe { int vector; uint64_t err, addr, value; };
static struct probe probe(bool write, uint64_t addr, uint64_t value)
{
    exc.at = write ? probe_write_at : probe_read_at;
    exc.resume = write ? probe_write_resume : probe_read_resume;
    exc.rax = 0x1111;
    unsigned count = exc.count;
    uint64_t r = write ? probe_write(addr, value) : probe_read(addr);
    struct probe p = { -1, 0, 0, r };
    if (exc.count != count)
        p = (struct probe){ (int)exc.vector, exc.err, exc.addr, r };
    return p;
}

/* A child PD on CPU 0: its code page, its event portals (and a foreign one's syscall portal). */
static volatile struct {
    struct start regs;                      /* its first registers */
    uint64_t rax, rbx, rdx, r13, r14;
    unsigned events;                        /* exceptions reported */
    uint64_t vector, err, rip, out_rax, out_r12;
    unsigned syscalls;                      /* foreign syscalls reported */
    uint64_t sys[8];                        /* rax rdi rsi rdx r10 r8 r9 rip of the last */
    uint64_t sys_reply;
} child;
static sel_t child_done;
extern char child_code[], child_code_end[], child_park[], child_io[], child_syscall[], child_nsct[];

static void child_fn(uint64_t id, struct utcb *u)
{
    struct utcb_exc *x = &u->exc;
    if (id == EV_STARTUP) {
        x->rip = child.regs.rip;
        x->rdi = child.regs.rdi;
        x->rsi = child.regs.rsi;
        x->rax = child.rax;
        x->rbx = child.rbx;
        x->rdx = child.rdx;
        x->r13 = child.r13;
        x->r14 = child.r14;
    } else if (id == EV_FOREIGN_SYSCALL) {
        uint64_t r[8] = { x->rax, x->rdi, x->rsi, x->rdx, x->r10, x->r8, x->r9, x->rip };
        memcpy((void *)child.sys, r, sizeof r);
        child.syscalls++;
        x->rax = child.sys_reply;
    } else {
        child.events++;
        child.vector = id;
        child.err = x->qual[0];
        child.rip = x->rip;
        child.out_rax = x->rax;
        child.out_r12 = x->r12;
        x->rip = CHILD_CODE + (uint64_t)(child_park - child_code);
        fc_sm_up(child_done);
    }
}

struct kid { sel_t pd, ec, sc; };
static sel_t child_ec;

static uint64_t child_ip(const char *routine) { return CHILD_CODE + (uint64_t)(routine - child_code); }

/* Make the child PD (foreign or not) with its code, its portals and the semaphore it may up. */
static unsigned child_make(struct kid *k, bool foreign, sel_t sm)
{
    if (!child_ec && !(child_ec = handler_new(0, child_fn)))
        return BAD_CAP;
    if (!child_done)
        child_done = sm_new(0);
    k->pd = sel_alloc(1);
    unsigned s = foreign ? fc_create_pd_foreign(k->pd, SEL_ROOT_PD, CHILD_SYS) : fc_create_pd(k->pd, SEL_ROOT_PD, 0, 0);
    uint64_t code = frame_alloc();
    if (s != SUCCESS || !code)
        return s != SUCCESS ? s : OOM;
    memcpy((void *)window(code), child_code, (size_t)(child_code_end - child_code));
    s = fc_delegate(SEL_ROOT_PD, k->pd, CRD(CRD_MEM, MEM_R | MEM_X, 0, window_page(code)),
                    CRD(CRD_MEM, MEM_R | MEM_X, 0, CHILD_CODE >> PAGE_SHIFT));
    sel_t evt = sel_alloc(NUM_EVENTS);
    for (unsigned v = 0; s == SUCCESS && v < NUM_EVENTS; v++)
        s = portal(evt + v, child_ec, v == EV_STARTUP ? STARTUP_MTD : EXC_MTD, v);
    if (s == SUCCESS)
        s = fc_delegate(SEL_ROOT_PD, k->pd, CRD(CRD_OBJ, PERM_EVENT, 5, evt), CRD(CRD_OBJ, PERM_ALL, 5, CHILD_EVT));
    if (s == SUCCESS && foreign) {
        sel_t sys = sel_alloc(1);
        s = portal(sys, child_ec, STARTUP_MTD | MTD_RFLAGS, EV_FOREIGN_SYSCALL);
        if (s == SUCCESS)
            s = fc_delegate(SEL_ROOT_PD, k->pd, CRD(CRD_OBJ, PERM_EVENT, 0, sys), CRD(CRD_OBJ, PERM_ALL, 0, CHILD_SYS));
    }
    if (s == SUCCESS && sm)
        s = fc_delegate(SEL_ROOT_PD, k->pd, CRD(CRD_OBJ, PERM_CTRL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, CHILD_SM));
    return s;
}

/* Run routine in the child until it reports an exception (its end); SUCCESS or why not. */
static unsigned child_run(struct kid *k, const char *routine)
{
    child.regs.rip = child_ip(routine);
    unsigned events = child.events;
    k->ec = sel_alloc(1);
    k->sc = sel_alloc(1);
    unsigned s = fc_create_ec(k->ec, k->pd, 0, CHILD_UTCB, 0, CHILD_EVT, true);
    if (s == SUCCESS)
        s = fc_create_sc(k->sc, SEL_ROOT_PD, k->ec, 1, 1000);   /* below us: it parks by spinning */
    if (s == SUCCESS)
        s = fc_sm_down(child_done, deadline_ms(2000));
    if (s == SUCCESS && child.events != events + 1)
        s = ABORT;
    return s;
}

static void child_end(struct kid *k)
{
    fc_revoke(CRD(CRD_OBJ, 0, 0, k->sc), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, k->ec), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, k->pd), REVOKE_SELF, 0);
}

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
    sel_t exc_ec = handler_new(0, exc_fn);
    for (unsigned v = 0; v < NUM_EVENTS; v++)
        portal(SEL_EXC_BASE + v, exc_ec, EXC_MTD, v);
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
static void stage_capabilities(void)
{
    if (in_group("cap"))
        capabilities_objects();
    if (in_group("mem"))
        capabilities_memory();
    if (in_group("io"))
        capabilities_ports();
}

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

static void stage_ept(void)
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

/* ---- stage 4: syscall redirection ------------------------------------------------------ */

static void stage_syscall_redirection(void)
{
    /* A foreign PD's syscall arrives as a message with its registers; our rax goes back. */
    struct kid k;
    uint64_t args[7];
    for (unsigned i = 0; i < 7; i++)
        args[i] = rnd();
    args[0] &= 0xffff;
    child.sys_reply = rnd();
    unsigned syscalls = child.syscalls;
    unsigned m = child_make(&k, true, 0);
    /* child_syscall: rax, rdi, rsi, rdx come from the startup message; r10, r8, r9 are zero. */
    child.rax = args[0];
    child.regs.rdi = args[1];
    child.regs.rsi = args[2];
    child.rdx = args[3];
    unsigned run = m == SUCCESS ? child_run(&k, child_syscall) : m;
    bool regs = child.sys[0] == args[0] && child.sys[1] == args[1] && child.sys[2] == args[2] && child.sys[3] == args[3];
    bool rip = child.sys[7] == child_ip(child_syscall) + 2;
    expect("foreign-syscall", run == SUCCESS && child.syscalls == syscalls + 1 && regs && rip && child.vector == 6 &&
           child.out_rax == child.sys_reply,
           "run %u, %u messages, registers %s, rip %s, then vector %lu with rax %s", run, child.syscalls - syscalls,
           regs ? "right" : "wrong", rip ? "right" : "wrong", child.vector,
           child.out_rax == child.sys_reply ? "ours" : "another value");
    child_end(&k);

    /* With the NSCT set, one syscall is a native hypercall (an up); the next is forwarded again. */
    sel_t sm = sm_new(0);
    syscalls = child.syscalls;
    m = child_make(&k, true, sm);
    child.rbx = CHILD_UTCB;
    child.regs.rdi = HC_ARG1(HC_sm_ctrl, SM_CTRL_UP, CHILD_SM);
    child.regs.rsi = 0;
    child.rdx = 0;
    child.rax = 0;
    child.r13 = rnd() & 0xffff;
    child.r14 = rnd();
    run = m == SUCCESS ? child_run(&k, child_nsct) : m;
    unsigned upped = fc_sm_down(sm, deadline_ms(100));
    expect("foreign-nsct", run == SUCCESS && upped == SUCCESS && child.out_r12 == SUCCESS &&
           child.syscalls == syscalls + 1 && child.sys[0] == child.r13 && child.sys[1] == child.r14,
           "run %u, the native up %u (status %lu), %u messages forwarded, %s", run, upped, child.out_r12,
           child.syscalls - syscalls, child.sys[0] == child.r13 ? "the second" : "not the second");
    child_end(&k);
}

/* ---- fuzz: random hypercalls from two CPUs at once ----------------------------------------- */

/*
 * Each fuzzing thread owns a window of 256 selectors, a sub-PD, eight frames and 64 pages of
 * address space (in our PD and in its sub-PD), and drives random hypercalls — well formed
 * and not — at them: creations, delegations and revocations of every kind, calls (never
 * blocking), semaphore ups and downs (with deadlines), recalls, queries, raw calls with
 * random arguments. Nothing of the rest of our PD is in reach: revocations name only its
 * window and ranges, raw calls its selectors, portals an entry point that is not mapped,
 * and no machine_ctrl or assign_gsi. At the end the thread revokes all it made.
 */
#define FUZZ_SEL     256
#define FUZZ_FRAMES  8
#define FUZZ_VA      0x0000620000000000UL   /* + 64 pages per thread, in our PD and the sub-PD's */
#define FUZZ_UTCB    0x0000630000000000UL   /* local ECs' UTCBs: one page per selector */

struct fuzzer {
    unsigned cpu, index;
    uint64_t rng, calls, count;
    sel_t base, sub, go;                    /* its selector window, its sub-PD, its start */
    struct utcb *utcb;
    uint64_t frames[FUZZ_FRAMES];
    uint64_t status[16];                    /* how many calls returned each status */
};
static struct fuzzer fuzzers[2];
static sel_t fuzz_done;

static uint64_t frnd(struct fuzzer *f)
{
    uint64_t z = (f->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/*
 * A selector of the window; mostly of the part where the kind at hand is made, so that calls
 * meet portals, portals ECs and downs semaphores: ECs at 0-31, portals 32-95, semaphores
 * 96-159, PDs 160-191; delegations land anywhere.
 */
enum { F_EC = 0, F_PT = 32, F_SM = 96, F_PD = 160, F_ANY = 256 };
static sel_t fsel_in(struct fuzzer *f, unsigned part)
{
    if (part == F_ANY || frnd(f) % 4 == 0)
        return f->base + frnd(f) % FUZZ_SEL;
    unsigned size = part == F_EC ? 32 : part == F_PD ? 32 : 64;
    return f->base + part + frnd(f) % size;
}
static sel_t fsel(struct fuzzer *f) { return fsel_in(f, F_ANY); }
static uint64_t fva_page(struct fuzzer *f) { return (FUZZ_VA >> PAGE_SHIFT) + f->index * 64 + frnd(f) % 64; }

/* A CRD of one kind inside the thread's reach: its selectors, its pages, a few ports. */
static uint64_t fcrd(struct fuzzer *f, unsigned kind, bool our_frame)
{
    unsigned order = frnd(f) % 8 ? 0 : (unsigned)(frnd(f) % 3);
    unsigned perm = (unsigned)(frnd(f) & 0x1f);
    switch (kind) {
    case CRD_MEM:
        if (our_frame)
            return CRD(CRD_MEM, perm, 0, window_page(f->frames[frnd(f) % FUZZ_FRAMES]));
        return CRD(CRD_MEM, perm, order, fva_page(f) & ~((1UL << order) - 1));
    case CRD_IO:
        return CRD(CRD_IO, perm, order, (0x80 + frnd(f) % 8) & ~((1UL << order) - 1));
    default:
        return CRD(CRD_OBJ, perm, order, fsel(f) & ~((sel_t)(1UL << order) - 1));
    }
}

static void fuzz_one(struct fuzzer *f)
{
    unsigned s;
    uint64_t r = frnd(f);
    sel_t a;
    switch (r % 14) {
    case 0:
        s = fc_create_sm(fsel_in(f, F_SM), frnd(f) % 4 ? SEL_ROOT_PD : fsel_in(f, F_PD), frnd(f) % 3);
        break;
    case 1:                                 /* a portal to an EC of the window, entry not mapped */
        s = fc_create_pt(fsel_in(f, F_PT), SEL_ROOT_PD, fsel_in(f, F_EC),
                         frnd(f) % 8 ? frnd(f) & MTD_EXC_VALID : frnd(f), UNMAPPED + (frnd(f) & 0xfffff000));
        break;
    case 2:                                 /* a local EC: its events go to the window's portals */
        a = fsel_in(f, F_EC);
        s = fc_create_ec(a, frnd(f) % 4 ? SEL_ROOT_PD : fsel_in(f, F_PD), f->cpu,
                         FUZZ_UTCB + (uint64_t)(a - f->base + f->index * FUZZ_SEL) * PAGE_SIZE,
                         UNMAPPED + (frnd(f) & 0xffff0), f->base + F_PT + frnd(f) % 32, false);
        break;
    case 3:
        a = fsel_in(f, F_PD);
        s = r & 0x200 ? fc_create_pd(a, SEL_ROOT_PD, 0, 0) : fc_create_pd_foreign(a, SEL_ROOT_PD, f->base);
        break;
    case 4: {                               /* delegate objects, memory or ports, either way */
        unsigned kind = 1 + (unsigned)(frnd(f) % 3);
        bool down = r & 0x400;              /* ours -> the sub-PD's, else back */
        uint64_t src = fcrd(f, kind, down && kind == CRD_MEM && (r & 0x800));
        uint64_t dst = frnd(f) % 8 ? fcrd(f, kind, false) : frnd(f);   /* sometimes malformed */
        s = down ? fc_delegate(SEL_ROOT_PD, f->sub, src, dst) : fc_delegate(f->sub, SEL_ROOT_PD, src, dst);
        break;
    }
    case 5: {                               /* revoke in the window and its pages, or in the sub-PD */
        unsigned kind = 1 + (unsigned)(frnd(f) % 3);
        unsigned flags = (unsigned)(frnd(f) & (REVOKE_SELF | REVOKE_REMOTE));
        s = fc_revoke(fcrd(f, kind, false), flags, flags & REVOKE_REMOTE ? f->sub : 0);
        break;
    }
    case 6:
        s = fc_sm_up(fsel_in(f, F_SM));
        break;
    case 7:
        s = fc_sm_down(fsel_in(f, F_SM), fc_rdtsc() + 1000 + frnd(f) % 20000);
        break;
    case 8:                                 /* never blocking: a busy handler is TIMEOUT */
        f->utcb->head.items = UTCB_ITEMS(frnd(f) % 4, 0);
        s = fc_call_nb(fsel_in(f, F_PT));
        break;
    case 9:
        s = fc_ec_recall(fsel_in(f, F_EC));
        break;
    case 10: {
        uint64_t t;
        s = fc_sc_consumed(fsel(f), &t);
        break;
    }
    case 11:
        s = fc_pt_ctrl(fsel_in(f, F_PT), frnd(f));
        break;
    case 12: {                              /* raw, random arguments: the calls that stay in reach */
        static const unsigned nums[] = { HC_create_pd, HC_create_sm, HC_ec_ctrl, HC_sc_ctrl, HC_pt_ctrl, 13, 16, 255 };
        unsigned num = nums[frnd(f) % (sizeof nums / sizeof nums[0])];
        s = fc_hypercall(HC_ARG1(num, frnd(f) & 0xf, fsel(f)), frnd(f) % 2 ? SEL_ROOT_PD : frnd(f), frnd(f), frnd(f),
                         frnd(f), NULL);
        break;
    }
    default:                                /* calls, ups and downs at selectors out of the space */
        s = fc_hypercall(HC_ARG1(r & 0x1000 ? HC_call : HC_sm_ctrl, CALL_NONBLOCK, SEL_MAX + (frnd(f) & 0xffff)),
                         0, 0, 0, 0, NULL);
        break;
    }
    f->status[s & 15]++;
    f->calls++;
}

/* A fuzzing thread: per round, a fresh sub-PD, count calls, then everything it made revoked. */
static void fuzz_thread(uint64_t index, uint64_t id)
{
    struct fuzzer *f = &fuzzers[index];
    f->utcb = thread_utcb[id];
    for (;;) {
        fc_sm_down(f->go, 0);
        if (fc_create_pd(f->sub, SEL_ROOT_PD, 0, 0) == SUCCESS)
            for (uint64_t i = 0; i < f->count; i++)
                fuzz_one(f);
        fc_revoke(CRD(CRD_OBJ, 0, 8, f->base), REVOKE_SELF, 0);
        fc_revoke(CRD(CRD_MEM, 0, 6, (FUZZ_VA >> PAGE_SHIFT) + f->index * 64), REVOKE_SELF, 0);
        for (unsigned k = 0; k < FUZZ_FRAMES; k++)
            fc_revoke(CRD(CRD_MEM, 0, 0, window_page(f->frames[k])), 0, 0);
        fc_revoke(CRD(CRD_IO, 0, 3, 0x80), 0, 0);
        fc_revoke(CRD(CRD_OBJ, 0, 0, f->sub), REVOKE_SELF, 0);
        fc_sm_up(fuzz_done);
    }
}

/* One round: each thread fuzzes count calls; SUCCESS when all came back in time. */
static unsigned fuzz_round(unsigned n, uint64_t count, uint64_t round_seed)
{
    for (unsigned i = 0; i < n; i++) {
        fuzzers[i].count = count;
        fuzzers[i].rng = round_seed ^ (0x1000 * (i + 1));
        fc_sm_up(fuzzers[i].go);
    }
    /* Wait, saying every 5 s how far they are (a slow host's boot must not look idle). */
    unsigned s = SUCCESS, done = 0;
    uint64_t limit = deadline_ms(600000);
    while (done < n && s == SUCCESS) {
        s = fc_sm_down(fuzz_done, deadline_ms(5000));
        if (s == SUCCESS)
            done++;
        else if (s == TIMEOUT && (!limit || fc_rdtsc() < limit)) {
            printf("[witness] fuzz: %lu and %lu calls so far\n", fuzzers[0].calls, fuzzers[1].calls);
            s = SUCCESS;
        }
    }
    return s;
}

static void stage_fuzz(uint64_t count)
{
    unsigned n = hip->num_cpus > 1 ? 2 : 1, s = SUCCESS;
    fuzz_done = sm_new(0);
    for (unsigned i = 0; i < n; i++) {
        struct fuzzer *f = &fuzzers[i];
        f->cpu = f->index = i;
        f->base = sel_alloc(FUZZ_SEL);
        f->sub = sel_alloc(1);
        f->go = sm_new(0);
        for (unsigned k = 0; k < FUZZ_FRAMES; k++)
            f->frames[k] = frame_alloc();
        int id = thread_prepare_on(i, fuzz_thread, i);
        s = s ? s : thread_start(id);
    }
    /* A short round first: what the kernel keeps once used (capability-table leaves, page
     * tables of our PD) is there before we count. */
    unsigned warm = s ? s : fuzz_round(n, count / 10 + 200, seed);
    uint64_t frames0 = 0, objects0 = 0, frames1 = 0, objects1 = 0;
    fc_stats(&frames0, &objects0);
    uint64_t calls0 = fuzzers[0].calls + fuzzers[1].calls;
    s = warm ? warm : fuzz_round(n, count, seed ^ 0x5eed);
    fc_stats(&frames1, &objects1);
    uint64_t calls = fuzzers[0].calls + fuzzers[1].calls - calls0;
    printf("[witness] fuzz: %lu calls on %u CPUs; statuses:", calls, n);
    for (unsigned k = 0; k < 10; k++)
        printf(" %u=%lu", k, fuzzers[0].status[k] + fuzzers[1].status[k]);
    printf("; frames %lu -> %lu, objects %lu -> %lu\n", frames0, frames1, objects0, objects1);
    expect("fuzz", s == SUCCESS && calls == count * n, "status %u (warm-up %u), %lu calls of %lu", s, warm, calls, count * n);
    expect("fuzz-leak", s == SUCCESS && frames1 == frames0 && objects1 == objects0,
           "free frames %lu -> %lu, objects %lu -> %lu", frames0, frames1, objects0, objects1);
}

/* ---- stress: revocations under the feet of other CPUs ---------------------------------------- */

/*
 * A worker on every CPU but 0 calls its portal (a handler on its CPU) and reads its page, in
 * a loop, while CPU 0 revokes the portal and makes it anew, and revokes the page and gives
 * it again: calls must end in SUCCESS or BAD_CAP, never hang; reads must see the page's value
 * or fault (a #PF its handler skips), never stale memory after the revoke returned. At the
 * end CPU 0 revokes the workers while they run, and everything else it made; the kernel's
 * free frames and objects must be what they were after a warm-up round.
 */
#define STRESS_VA 0x0000640000000000UL       /* + cpu * 2 pages: each worker's page */

#define POISON 0xdeadbeefdeadbeefUL         /* what a revoked frame holds: read it and a TLB was stale */

struct worker {
    sel_t pt, handler, exc_handler, ec, sc;
    int id;                                 /* its thread slot, reused every round */
    uint64_t frame[2], va, value;
    unsigned which;                         /* the frame granted now */
    volatile uint64_t calls, bad_cap, other, reads, faults, stale, rounds, status[16];
    volatile unsigned stop;
};
static struct worker workers[WCPUS];

/* The reply says its word; not the portal's id: a portal made anew has id 0 until its pt_ctrl. */
#define STRESS_WORD 0x5eed5eedUL
static void stress_echo(uint64_t id, struct utcb *u)
{
    (void)id;
    u->mr[0] = STRESS_WORD;
    u->head.items = UTCB_ITEMS(1, 0);
}

/* A worker's page faults: skip the read (probe_read returns 0x1111), count it. */
static void stress_exc(uint64_t id, struct utcb *u)
{
    struct worker *w = &workers[id >> 8];
    w->faults++;
    u->exc.rip = (uint64_t)probe_read_resume;
    u->exc.rax = 0x1111;
}

static void stress_worker(uint64_t cpu, uint64_t id)
{
    struct worker *w = &workers[cpu];
    struct utcb *u = thread_utcb[id];
    while (!w->stop) {
        u->head.items = 0;
        u->mr[0] = 0;
        unsigned s = fc_call(w->pt);
        w->status[s & 15]++;
        if (s == SUCCESS && u->mr[0] == STRESS_WORD)
            w->calls++;
        else if (s == BAD_CAP)
            w->bad_cap++;
        else
            w->other++;
        if (probe_read(w->va) == POISON)
            w->stale++;                     /* a frame revoked before it was poisoned: a missed shootdown */
        w->reads++;
        w->rounds++;
    }
    park();
}

/* The other frame, with a fresh value, at the worker's page. */
static unsigned stress_give(struct worker *w)
{
    w->which ^= 1;
    w->value = rnd() & ~1UL;
    *(volatile uint64_t *)window(w->frame[w->which]) = w->value;
    return self_delegate(CRD(CRD_MEM, MEM_R, 0, window_page(w->frame[w->which])),
                         CRD(CRD_MEM, MEM_R, 0, w->va >> PAGE_SHIFT));
}

/* Take the page back; once the revoke returned no CPU may read the frame through it. */
static unsigned stress_take(struct worker *w)
{
    unsigned s = fc_revoke(CRD(CRD_MEM, 0, 0, window_page(w->frame[w->which])), 0, 0);
    *(volatile uint64_t *)window(w->frame[w->which]) = POISON;
    return s;
}

/* One round of iterations on every worker; SUCCESS unless an operation of CPU 0 failed. */
static unsigned stress_round(unsigned n, unsigned iterations)
{
    unsigned bad = 0;
    for (unsigned it = 0; it < iterations; it++) {
        if (it && it % 500 == 0)
            printf("[witness] stress: %u of %u\n", it, iterations);   /* a slow host must not look idle */
        for (unsigned c = 1; c < n; c++) {
            struct worker *w = &workers[c];
            bad += fc_revoke(CRD(CRD_OBJ, 0, 0, w->pt), REVOKE_SELF, 0) != SUCCESS;
            bad += portal(w->pt, w->handler, 0, c) != SUCCESS;
            bad += stress_take(w) != SUCCESS;
            bad += stress_give(w) != SUCCESS;
        }
    }
    return bad ? ABORT : SUCCESS;
}

static void stage_stress(unsigned iterations)
{
    unsigned n = hip->num_cpus < WCPUS ? hip->num_cpus : WCPUS;
    if (n < 2) {
        verdict("stress", "one CPU: the stress needs two at least");
        return;
    }
    unsigned s = SUCCESS;
    uint64_t frames0 = 0, objects0 = 0, frames1 = 0, objects1 = 0;
    for (unsigned round = 0; round < 2 && s == SUCCESS; round++) {
        if (round == 1)
            fc_stats(&frames0, &objects0);
        for (unsigned c = 1; c < n && s == SUCCESS; c++) {
            struct worker *w = &workers[c];
            int id = w->id;
            if (!w->handler) {              /* kept across rounds: handlers, selectors, frames, slot */
                w->handler = handler_new(c, stress_echo);
                w->exc_handler = handler_new(c, stress_exc);
                w->pt = sel_alloc(1);
                w->sc = sel_alloc(1);
                w->frame[0] = frame_alloc();
                w->frame[1] = frame_alloc();
                w->va = STRESS_VA + 2 * c * PAGE_SIZE;
                w->id = id = thread_prepare_on(c, stress_worker, c);
            } else {                        /* the same slot again: its startup portal and EC anew */
                s = portal(thread_evt[id] + EV_STARTUP, startup_ec[c], STARTUP_MTD, (uint64_t)id);
                s = s ? s : fc_create_ec(thread_ec[id], SEL_ROOT_PD, c, (uint64_t)thread_utcb[id], starts[id].rsp,
                                         thread_evt[id], true);
            }
            w->stop = 0;
            s = s ? s : portal(w->pt, w->handler, 0, c);
            s = s ? s : stress_give(w);
            for (unsigned v = 0; id >= 0 && s == SUCCESS && v < NUM_EVENTS; v++)
                if (v != EV_STARTUP)
                    s = portal(thread_evt[id] + v, w->exc_handler, EXC_MTD, (uint64_t)c << 8 | v);
            w->ec = id >= 0 ? thread_ec[id] : 0;
            s = s ? s : id < 0 ? OOM : fc_create_sc(w->sc, SEL_ROOT_PD, w->ec, ROOT_PRIO, 1000);
        }
        s = s ? s : stress_round(n, round == 0 ? iterations / 10 + 10 : iterations);
        /* Down they go while they run: the SC, the EC, the portal, the page. */
        for (unsigned c = 1; c < n; c++) {
            struct worker *w = &workers[c];
            w->stop = round == 0;           /* the first time let them stop; then revoke them running */
            fc_revoke(CRD(CRD_OBJ, 0, 0, w->sc), REVOKE_SELF, 0);
            fc_revoke(CRD(CRD_OBJ, 0, 0, w->ec), REVOKE_SELF, 0);
            fc_revoke(CRD(CRD_OBJ, 0, 0, w->pt), REVOKE_SELF, 0);
            stress_take(w);
            fc_revoke(CRD(CRD_OBJ, 0, 5, thread_evt[w->id]), REVOKE_SELF, 0);
        }
    }
    fc_stats(&frames1, &objects1);
    uint64_t calls = 0, bad_cap = 0, other = 0, reads = 0, faulted = 0, stale = 0;
    for (unsigned c = 1; c < n; c++) {
        calls += workers[c].calls, bad_cap += workers[c].bad_cap, other += workers[c].other;
        reads += workers[c].reads, faulted += workers[c].faults, stale += workers[c].stale;
    }
    printf("[witness] stress: call statuses:");
    for (unsigned k = 0; k < 10; k++) {
        uint64_t t = 0;
        for (unsigned c = 1; c < n; c++)
            t += workers[c].status[k];
        printf(" %u=%lu", k, t);
    }
    printf("\n");
    printf("[witness] stress: %u CPUs, %u revocations of each kind per worker: %lu calls answered, %lu BAD_CAP, "
           "%lu otherwise; %lu reads, %lu faulted, %lu stale; frames %lu -> %lu, objects %lu -> %lu\n", n,
           iterations, calls, bad_cap, other, reads, faulted, stale, frames0, frames1, objects0, objects1);
    expect("stress", s == SUCCESS && calls > 0 && !other && reads > 0 && !stale,
           "status %u, %lu calls answered, %lu ended otherwise, %lu reads, %lu stale", s, calls, other, reads, stale);
    expect("stress-leak", s == SUCCESS && frames1 == frames0 && objects1 == objects0,
           "free frames %lu -> %lu, objects %lu -> %lu", frames0, frames1, objects0, objects1);
}

/* ---- inject: every kernel allocation of a workload fails once -------------------------------- */

/*
 * Needs a kernel built with FAIL_INJECTION=1. The workload builds a small world — a sub-PD
 * with memory and a semaphore, a local EC and a portal that is called, a foreign PD, memory
 * delegated to ourselves, four semaphores — and tears it down. Run n makes the n-th kernel
 * allocation of the workload fail, for n = 1, 2, ... until a run makes no more: every call
 * must return SUCCESS or OOM (nothing else, no panic), and after each teardown the kernel's
 * free frames and objects must be what they were.
 */
#define INJ_WIN  64                         /* the workload's selectors */
#define INJ_VA   0x0000650000000000UL
static uint8_t inj_stack[4096] __attribute__((aligned(16)));
static sel_t inj_base;
static uint64_t inj_frames[2];

static unsigned fail_at(uint64_t n, uint64_t *left)
{
    uint64_t a1 = FC_HC(HC_machine_ctrl, MACHINE_CTRL_FAIL_ALLOC, 0);
    return fc_hypercall(a1, n, 0, 0, 0, left);
}

static void inj_echo(uint64_t id, struct utcb *u)
{
    (void)id;
    u->mr[0] += 1;
    u->head.items = UTCB_ITEMS(1, 0);
}

/* The workload: how many calls returned something else than SUCCESS or OOM. */
static unsigned inj_workload(unsigned *ooms)
{
    sel_t sub = inj_base, sm = inj_base + 1, ec = inj_base + 2, pt = inj_base + 3, foreign = inj_base + 4;
    sel_t sms = inj_base + 8;               /* 4, aligned */
    unsigned st[16], k = 0;
    st[k++] = fc_create_pd(sub, SEL_ROOT_PD, 0, 0);
    st[k++] = fc_create_sm(sm, SEL_ROOT_PD, 1);
    st[k++] = fc_delegate(SEL_ROOT_PD, sub, CRD(CRD_MEM, MEM_R | MEM_W, 1, window_page(inj_frames[0])),
                          CRD(CRD_MEM, MEM_R | MEM_W, 1, 0x100));
    st[k++] = fc_delegate(SEL_ROOT_PD, sub, CRD(CRD_OBJ, PERM_CTRL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, 10));
    struct handler *h = (struct handler *)(inj_stack + sizeof inj_stack) - 1;
    h->fn = inj_echo;
    h->utcb = (struct utcb *)(INJ_VA + 0x100000);
    st[k++] = fc_create_ec(ec, SEL_ROOT_PD, 0, (uint64_t)h->utcb, (uint64_t)h, 0, false);
    st[k++] = portal(pt, ec, 0, 0);
    root_utcb->mr[0] = 41;
    root_utcb->head.items = UTCB_ITEMS(1, 0);
    unsigned called = fc_call(pt);
    st[k++] = called == SUCCESS && root_utcb->mr[0] != 42 ? ABORT : called == BAD_CAP ? SUCCESS : called;
    st[k++] = fc_create_pd_foreign(foreign, SEL_ROOT_PD, 0x100);
    st[k++] = fc_delegate(SEL_ROOT_PD, foreign, CRD(CRD_OBJ, PERM_EVENT, 0, pt), CRD(CRD_OBJ, PERM_ALL, 0, 0x100));
    st[k++] = self_delegate(CRD(CRD_MEM, MEM_R, 0, window_page(inj_frames[1])), CRD(CRD_MEM, MEM_R, 0, INJ_VA >> PAGE_SHIFT));
    for (unsigned i = 0; i < 4; i++)
        st[k++] = fc_create_sm(sms + i, SEL_ROOT_PD, i);
    unsigned bad = 0;
    for (unsigned i = 0; i < k; i++) {
        /* OOM, or what follows from an earlier one: the object it needed is not there */
        bool ok = st[i] == SUCCESS || st[i] == OOM || st[i] == BAD_CAP;
        bad += !ok;
        *ooms += st[i] == OOM;
    }
    return bad;
}

static void inj_teardown(void)
{
    fc_revoke(CRD(CRD_MEM, 0, 0, window_page(inj_frames[1])), 0, 0);
    fc_revoke(CRD(CRD_MEM, 0, 1, window_page(inj_frames[0])), 0, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 6, inj_base), REVOKE_SELF, 0);
}

static void stage_inject(void)
{
    uint64_t left = 0;
    if (fail_at(0, &left) != SUCCESS) {
        verdict("inject", "the kernel has no failure injection (build it with FAIL_INJECTION=1)");
        return;
    }
    inj_base = sel_alloc(INJ_WIN);
    inj_frames[0] = frame_alloc();
    inj_frames[1] = frame_alloc();
    frame_alloc();                          /* the pair of frames 0 and 1 delegated as one order-1 range */
    if (window_page(inj_frames[0]) & 1) {   /* keep the order-1 range aligned */
        inj_frames[0] = inj_frames[1];
        inj_frames[1] = frame_alloc();
    }
    unsigned ooms = 0, bad = inj_workload(&ooms);   /* warm-up: no failure */
    inj_teardown();
    uint64_t frames0 = 0, objects0 = 0;
    fc_stats(&frames0, &objects0);
    unsigned runs = 0, bad_runs = 0, leaks = 0, runs_with_oom = 0;
    char first[96] = "";
    for (uint64_t n = 1; n < 1000; n++) {
        fail_at(n, NULL);
        unsigned o = 0, b = inj_workload(&o);
        fail_at(0, &left);
        inj_teardown();
        uint64_t frames = 0, objects = 0;
        fc_stats(&frames, &objects);
        runs++;
        runs_with_oom += o > 0;
        if ((b || frames != frames0 || objects != objects0) && !first[0])
            snprintf(first, sizeof first, "run %lu: %u wrong statuses, frames %lu -> %lu, objects %lu -> %lu", n, b,
                     frames0, frames, objects0, objects);
        bad_runs += b > 0;
        leaks += frames != frames0 || objects != objects0;
        if (left)
            break;                          /* n is past the workload's last allocation */
    }
    printf("[witness] inject: %u runs, the workload makes %u kernel allocations; %u runs saw OOM\n", runs, runs - 1,
           runs_with_oom);
    expect("inject", !bad && left && !bad_runs && runs_with_oom == runs - 1,
           "warm-up %u; %u runs with another status, %u with OOM of %u; %s", bad, bad_runs, runs_with_oom, runs - 1,
           first);
    expect("inject-leak", !leaks, "%u runs lost frames or objects; %s", leaks, first);
}

/* ---- the run ------------------------------------------------------------------------------ */

static const char *arg(const char *cmdline, const char *name, char *out, size_t len)
{
    size_t n = strlen(name);
    out[0] = 0;
    for (const char *p = cmdline; *p; p++) {
        if ((p == cmdline || p[-1] == ' ') && !strncmp(p, name, n) && p[n] == '=') {
            size_t i = 0;
            for (p += n + 1; *p && *p != ' ' && i + 1 < len; p++)
                out[i++] = *p;
            out[i] = 0;
            break;
        }
    }
    return out;
}

static int nibble(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void witness_main(const struct hip *h, struct utcb *u) __attribute__((noreturn));
void witness_main(const struct hip *h, struct utcb *u)
{
    hip = h;
    root_utcb = u;
    const char *cmdline = h->num_mods ? h->mod[0].cmdline : "";
    char stage[32], text[80];
    arg(cmdline, "stage", stage, sizeof stage);
    char *plus = strchr(stage, '+');
    if (plus) {
        *plus = 0;
        snprintf(group, sizeof group, "%s", plus + 1);
    }
    arg(cmdline, "key", text, sizeof text);
    bool key_ok = strlen(text) == 2 * KEY_BYTES;
    for (unsigned i = 0; key_ok && i < KEY_BYTES; i++) {
        int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
        key_ok = hi >= 0 && lo >= 0;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    arg(cmdline, "time_scale", text, sizeof text);
    if (text[0]) {                          /* W or W.F: milli-units */
        unsigned w = 0, f = 0, digits = 0;
        const char *p = text;
        for (; *p >= '0' && *p <= '9'; p++)
            w = w * 10 + (unsigned)(*p - '0');
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
                f = f * 10 + (unsigned)(*p - '0');
        while (digits++ < 3)
            f *= 10;
        scale_milli = w * 1000 + f;
    }
    uint8_t d[32];
    hmac_sha256(key, sizeof key, "seed", 4, d);
    for (unsigned i = 0; i < 8; i++)
        seed = seed << 8 | d[i];
    rng_state = seed;
    for (unsigned i = 0; i < h->num_mem; i++)
        if (h->mem[i].type == HIP_MEM_ROOT && h->mem[i].size > frame_end - frame_next) {
            frame_next = h->mem[i].addr;
            frame_end = h->mem[i].addr + h->mem[i].size;
        }

    printf("[witness] stage %s%s%s, %u CPUs%s\n", stage, group[0] ? ", group " : "", group, h->num_cpus, key_ok ? "" : ", no key: nothing it signs will verify");
    verdict("start", NULL);
    if (!strcmp(stage, "portals"))
        stage_portals();
    else if (!strcmp(stage, "capabilities"))
        stage_capabilities();
    else if (!strcmp(stage, "ept"))
        stage_ept();
    else if (!strcmp(stage, "inject"))
        stage_inject();
    else if (!strcmp(stage, "stress")) {          /* stress+N: N revocations of each kind per worker */
        unsigned count = 0;
        for (const char *p = group; *p >= '0' && *p <= '9'; p++)
            count = count * 10 + (unsigned)(*p - '0');
        stage_stress(count ? count : 2000);
    } else if (!strcmp(stage, "fuzz")) {            /* fuzz+N: N calls per CPU */
        uint64_t count = 0;
        for (const char *p = group; *p >= '0' && *p <= '9'; p++)
            count = count * 10 + (uint64_t)(*p - '0');
        stage_fuzz(count ? count : 200000);
    } else if (!strcmp(stage, "syscall-redirection"))
        stage_syscall_redirection();
    else
        verdict("stage", "no such stage");
    char sum[48];
    snprintf(sum, sizeof sum, "%u checks, %u failed", checks, failures);
    verdict("end", failures ? sum : NULL);
    fc_poweroff(failures ? 1 : 0);
    for (;;)
        ;
}
