// SPDX-License-Identifier: MIT
/* grade/witness/runtime.c — the witness's runtime: console and signed verdicts, selectors, frames, local ECs and portals, threads, exceptions, child PDs. */
#include "witness.h"
#include "hmac.h"

const struct hip *hip;
struct utcb *root_utcb;
uint8_t key[KEY_BYTES];
uint64_t seed, rng_state;
unsigned seq, checks, failures, scale_milli = 1000;
char group[16];                      /* stage=NAME+GROUP: only that group's checks */

bool in_group(const char *g) { return !group[0] || !strcmp(group, g); }

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

void verdict(const char *check, const char *why)
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

void expect(const char *check, bool cond, const char *fmt, ...)
{
    char why[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    verdict(check, cond ? NULL : why);
}

uint64_t rnd(void)                   /* splitmix64 over the seed */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t deadline_ms(unsigned ms)
{
    if (!scale_milli)
        return 0;                           /* time_scale=0: wait for ever */
    return fc_rdtsc() + (uint64_t)hip->tsc_khz * ms * scale_milli / 1000;
}

/*
 * The kernel's free frames and objects, once they are back at frames0 and objects0 or 2 s
 * (scaled) have passed. An EC revoked while another CPU runs it is freed when that CPU has
 * taken its IPI and left it: a count taken right after the revoke can be that EC (and its
 * UTCB's frame) behind. A leak never comes back; a slow CPU does.
 */
void stats_settled(uint64_t frames0, uint64_t objects0, uint64_t *frames, uint64_t *objects)
{
    uint64_t ms = hip->tsc_khz, start = fc_rdtsc(), end = deadline_ms(2000);
    if (!end)
        end = fc_rdtsc() + 2000 * ms;       /* time_scale=0 waits for ever elsewhere, not here */
    for (bool waited = false;; waited = true) {
        fc_stats(frames, objects);
        bool back = *frames == frames0 && *objects == objects0;
        if (back || fc_rdtsc() > end) {
            if (waited)
                printf("[witness] the kernel's counts %s after %lu ms\n", back ? "came back" : "stayed off",
                       (fc_rdtsc() - start) / ms);
            return;
        }
        for (uint64_t t = fc_rdtsc() + ms; fc_rdtsc() < t;)
            __builtin_ia32_pause();         /* a millisecond without the kernel's lock */
    }
}

/* ---- selectors, UTCBs, frames ----------------------------------------------------------- */

static sel_t next_sel = SEL_FIRST_FREE;
static uint64_t next_utcb = UTCB_AREA, next_map = MAP_AREA;
uint64_t frame_next, frame_end;

/* n selectors, aligned to n (a power of two), for delegations of whole orders. */
sel_t sel_alloc(unsigned n)
{
    next_sel = (next_sel + n - 1) & ~(sel_t)(n - 1);
    sel_t s = next_sel;
    next_sel += n;
    return s;
}

static uint64_t utcb_alloc(void) { return (next_utcb += PAGE_SIZE); }
uint64_t map_alloc(void) { return (next_map += 2 * PAGE_SIZE); }   /* a gap after each */

/* A frame of our memory (none is ever given back), zeroed; its address in our window. */
uint64_t frame_alloc(void)
{
    if (frame_next >= frame_end)
        return 0;
    uint64_t f = frame_next;
    frame_next += PAGE_SIZE;
    memset((void *)(ROOT_MEM_WINDOW + f), 0, PAGE_SIZE);
    return f;
}

uint64_t window(uint64_t frame) { return ROOT_MEM_WINDOW + frame; }
uint64_t window_page(uint64_t frame) { return window(frame) >> PAGE_SHIFT; }

/* ---- local ECs and portals ------------------------------------------------------------- */

#define HANDLERS      48
#define HANDLER_STACK 8192
static uint8_t handler_stacks[HANDLERS][HANDLER_STACK] __attribute__((aligned(16)));
unsigned handlers;

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
sel_t handler_new(unsigned cpu, handler_fn fn)
{
    if (handlers == HANDLERS)
        return 0;
    struct handler *h = (struct handler *)(handler_stacks[handlers++] + HANDLER_STACK) - 1;
    h->fn = fn;
    h->utcb = (struct utcb *)utcb_alloc();
    sel_t ec = sel_alloc(1);
    return fc_create_ec(ec, SEL_ROOT_PD, cpu, (uint64_t)h->utcb, (uint64_t)h, 0, false) == SUCCESS ? ec : 0;
}

unsigned portal_at(sel_t pt, sel_t ec, uint64_t mtd, uint64_t id, uint64_t ip)
{
    if (!ec)
        return BAD_CAP;
    unsigned s = fc_create_pt(pt, SEL_ROOT_PD, ec, mtd, ip);
    return s == SUCCESS ? fc_pt_ctrl(pt, id) : s;
}

unsigned portal(sel_t pt, sel_t ec, uint64_t mtd, uint64_t id)
{
    return portal_at(pt, ec, mtd, id, (uint64_t)w_portal_entry);
}

sel_t sm_new(uint64_t count)
{
    sel_t sm = sel_alloc(1);
    return fc_create_sm(sm, SEL_ROOT_PD, count) == SUCCESS ? sm : 0;
}

/* ---- global ECs (threads): the startup message sets their first registers --------------- */

struct start starts[THREADS];
volatile uint64_t start_rsp_seen[THREADS];
struct utcb *thread_utcb[THREADS];
sel_t thread_evt[THREADS], thread_ec[THREADS];
uint8_t thread_stacks[THREADS][8192] __attribute__((aligned(16)));
static unsigned threads;
sel_t startup_ec[WCPUS];             /* a startup handler per CPU */

/* The first registers: rip, rdi, rsi ours; rsp as the kernel reported it (create_ec's sp). */
void startup_fn(uint64_t id, struct utcb *u)
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
int thread_prepare_on(unsigned cpu, void (*fn)(uint64_t, uint64_t), uint64_t rdi)
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

int thread_prepare(void (*fn)(uint64_t, uint64_t), uint64_t rdi) { return thread_prepare_on(0, fn, rdi); }

unsigned thread_start(int id)
{
    return id < 0 ? BAD_PAR : fc_create_sc(sel_alloc(1), SEL_ROOT_PD, thread_ec[id], ROOT_PRIO, 1000);
}

void park(void)
{
    sel_t never = sm_new(0);
    for (;;)
        fc_sm_down(never, 0);
}

/* ---- exceptions of the root EC: the handler skips the expected instruction -------------- */



volatile struct exc_state exc;

unsigned exc_portals(sel_t base, sel_t ec, uint64_t id_base)
{
    unsigned s = SUCCESS;
    for (unsigned v = 0; s == SUCCESS && v < NUM_EVENTS; v++)
        if (v != EV_STARTUP)
            s = portal(base + v, ec, EXC_MTD, id_base | v);
    return s;
}

void exc_fn(uint64_t vector, struct utcb *u)
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


/* ---- the echo handler (stages 1 and 2) ---- */

volatile uint64_t echo_calls, echo_key;

/* Word i comes back as w * 3 + key + i; n words in, n words out. */
void echo_fn(uint64_t id, struct utcb *u)
{
    (void)id;
    unsigned n = UTCB_UNTYPED(u->head.items);
    for (unsigned i = 0; i < n; i++)
        u->mr[i] = u->mr[i] * 3 + echo_key + i;
    u->head.items = UTCB_ITEMS(n, 0);
    echo_calls++;
}


/* ---- memory probes and child PDs (stages 2 and 4) ---- */

unsigned self_delegate(uint64_t src_crd, uint64_t dst_crd)
{
    return fc_delegate(SEL_ROOT_PD, SEL_ROOT_PD, src_crd, dst_crd);
}

/* Probe a read or write at addr: the vector it raised (or -1), the error code and the value read. */
struct probe probe(bool write, uint64_t addr, uint64_t value)
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

volatile struct child_state child;
static sel_t child_done;

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

static sel_t child_ec;

uint64_t child_ip(const char *routine) { return CHILD_CODE + (uint64_t)(routine - child_code); }

/* Make the child PD (foreign or not) with its code, its portals and the semaphore it may up. */
unsigned child_make(struct kid *k, bool foreign, sel_t sm)
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
unsigned child_run(struct kid *k, const char *routine)
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

void child_end(struct kid *k)
{
    fc_revoke(CRD(CRD_OBJ, 0, 0, k->sc), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, k->ec), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, k->pd), REVOKE_SELF, 0);
}
