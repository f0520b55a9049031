/* SPDX-License-Identifier: MIT */
/* grade/witness/witness.h — what the witness's parts share: its runtime (runtime.c) and the checks of each stage. */
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "facet/hypercall.h"
#include "uapi/hip.h"
#include "uapi/vcpu.h"

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
#define HANDLERS      48
#define HANDLER_STACK 8192
#define THREADS       16
#define WCPUS         8                     /* the CPUs the witness uses at most */

/* ---- the run (main.c, runtime.c) ---- */
extern const struct hip *hip;
extern struct utcb *root_utcb;
extern uint8_t key[KEY_BYTES];
extern uint64_t seed, rng_state;
extern unsigned checks, failures, scale_milli;
extern char group[16];                      /* stage=NAME+GROUP: only that group's checks */
extern uint64_t frame_next, frame_end;

bool in_group(const char *g);
/* One signed verdict: ok when why is NULL, else FAIL with the reason. */
void verdict(const char *check, const char *why);
/* verdict() with a formatted reason when cond is false. */
void expect(const char *check, bool cond, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
uint64_t rnd(void);
uint64_t deadline_ms(unsigned ms);
void stats_settled(uint64_t frames0, uint64_t objects0, uint64_t *frames, uint64_t *objects);

/* ---- selectors, memory ---- */
sel_t sel_alloc(unsigned n);
uint64_t map_alloc(void);
uint64_t frame_alloc(void);
uint64_t window(uint64_t frame);
uint64_t window_page(uint64_t frame);
unsigned self_delegate(uint64_t src_crd, uint64_t dst_crd);

/* ---- local ECs, portals, semaphores ---- */
typedef void (*handler_fn)(uint64_t id, struct utcb *u);
struct handler { handler_fn fn; struct utcb *utcb; uint64_t pad; };
extern unsigned handlers;
extern char w_portal_entry[];
sel_t handler_new(unsigned cpu, handler_fn fn);
unsigned portal_at(sel_t pt, sel_t ec, uint64_t mtd, uint64_t id, uint64_t ip);
unsigned portal(sel_t pt, sel_t ec, uint64_t mtd, uint64_t id);
sel_t sm_new(uint64_t count);

/* ---- global ECs (threads) ---- */
struct start { uint64_t rip, rsp, rdi, rsi; };
extern struct start starts[THREADS];
extern volatile uint64_t start_rsp_seen[THREADS];
extern struct utcb *thread_utcb[THREADS];
extern sel_t thread_evt[THREADS], thread_ec[THREADS];
extern uint8_t thread_stacks[THREADS][8192];
extern sel_t startup_ec[WCPUS];
void startup_fn(uint64_t id, struct utcb *u);
int thread_prepare_on(unsigned cpu, void (*fn)(uint64_t, uint64_t), uint64_t rdi);
int thread_prepare(void (*fn)(uint64_t, uint64_t), uint64_t rdi);
unsigned thread_start(int id);
void park(void) __attribute__((noreturn));

/* ---- exceptions: the handler skips the expected instruction ---- */
extern uint64_t fault_de(uint64_t), fault_db(uint64_t), fault_bp(uint64_t), fault_ud(uint64_t),
    fault_gp(uint64_t), fault_ss(uint64_t), fault_pf(uint64_t);
extern char fault_de_at[], fault_de_resume[], fault_db_at[], fault_db_resume[], fault_bp_at[], fault_bp_resume[],
    fault_ud_at[], fault_ud_resume[], fault_gp_at[], fault_gp_resume[], fault_ss_at[], fault_ss_resume[],
    fault_pf_at[], fault_pf_resume[];
/* #UD, then out[0..2] = rcx, r11, rdx as the handler's reply left them; rax is returned. */
extern uint64_t fault_ud_regs(uint64_t out[3]);
extern char fault_ud_regs_at[], fault_ud_regs_resume[];
extern uint64_t probe_read(uint64_t addr), probe_write(uint64_t addr, uint64_t value);
extern char probe_read_at[], probe_read_resume[], probe_write_at[], probe_write_resume[];

/* What the handler saw of the last exception, and what it is to do. */
struct exc_state {
    char *at, *resume;                      /* the expected instruction and where to go on */
    uint64_t rax;                           /* the value to resume with */
    unsigned count;
    uint64_t vector, err, addr, rip, rdi;
};
extern volatile struct exc_state exc;
void exc_fn(uint64_t vector, struct utcb *u);
/* Portals base + v for every event v but the startup, into ec, with id id_base | v. */
unsigned exc_portals(sel_t base, sel_t ec, uint64_t id_base);

/* Probe a read or write at addr: the vector it raised (or -1), the error code and the value read. */
struct probe { int vector; uint64_t err, addr, value; };
struct probe probe(bool write, uint64_t addr, uint64_t value);

/* ---- a handler that calls its own portal, self_pt (ABORT: it would wait for itself) ---- */
extern sel_t self_pt;
extern volatile unsigned self_status;
void self_fn(uint64_t id, struct utcb *u);

/* ---- the echo handler: word i comes back as w * 3 + echo_key + i ---- */
extern volatile uint64_t echo_calls, echo_key;
void echo_fn(uint64_t id, struct utcb *u);

/* ---- child PDs on CPU 0 (start.S's child code): stages 2 and 4 ---- */
extern char child_code[], child_code_end[], child_park[], child_io[], child_syscall[], child_nsct[];
struct child_state {
    struct start regs;                      /* its first registers */
    uint64_t rax, rbx, rdx, r13, r14;
    unsigned events;                        /* exceptions reported */
    uint64_t vector, err, rip, out_rax, out_r12;
    unsigned syscalls;                      /* foreign syscalls reported */
    uint64_t sys[8];                        /* rax rdi rsi rdx r10 r8 r9 rip of the last */
    uint64_t sys_reply;
};
extern volatile struct child_state child;
struct kid { sel_t pd, ec, sc; };
uint64_t child_ip(const char *routine);
unsigned child_make(struct kid *k, bool foreign, sel_t sm);
unsigned child_run(struct kid *k, const char *routine);
void child_end(struct kid *k);

/* ---- the stages ---- */
void stage_portals(void);
void stage_capabilities(void);
void stage_ept(void);
void stage_syscall_redirection(void);
void stage_fuzz(uint64_t count);
void stage_stress(unsigned iterations);
void stage_inject(void);
void stage_quota(void);
void stage_fastpath(void);
