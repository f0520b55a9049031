/* SPDX-License-Identifier: MIT */
/* src/proc/internal.h — what the process manager's files share; its users include process.h. */
#pragma once

#include "proc/process.h"

/*
 * A process's block of roottask selectors (PROC_SEL_ORDER: 64), at p->sel:
 *   0 PD, 1 EC, 2 SC, 3 console, 4 exit, 5 notify, 6 foreign syscalls, 7 files,
 *   32..63 its event portals (delegated to 0..31 in the process)
 */
#define PROC_SEL_ORDER 6
#define SEL_PD      0
#define SEL_EC      1
#define SEL_SC      2
#define SEL_CONSOLE 3
#define SEL_EXIT    4
#define SEL_NOTIFY  5
#define SEL_FOREIGN 6
#define SEL_FS      7
#define SEL_EVENTS  32
/* The state a personality sees of a foreign syscall, and writes back. */
#define FOREIGN_MTD (MTD_ALL_GPRS | MTD_RIP_LEN | MTD_RFLAGS | MTD_FS_GS)
/* What a foreign process's recall and fault messages carry: as a syscall's, or an exception's,
 * and the FPU state (a personality's signal frame holds it; 512 bytes the syscalls do without). */
#define RECALL_MTD  (FOREIGN_MTD | MTD_FPU)
#define FAULT_MTD   (EXC_MTD | MTD_FPU)
/* What a process's startup reply sets: all of it, for a fork's child. */
#define STARTUP_MTD FOREIGN_MTD
/* A startup reply (u: the startup message) that starts its EC as s says. */
void proc_start_reply(struct utcb *u, const struct proc_start *s);
/* The loader: a fresh PD for p (foreign or not), its portals and EC; a status. */
unsigned proc_make_pd_ec(struct proc *p, unsigned cpu, bool foreign);
/* A copy of every page src has (fresh pages, the same rights) and of its areas, into dst. */
unsigned proc_copy_memory(struct proc *dst, struct proc *src);

/* A portal's id names its process's slot and, for event portals, the vector. */
static inline uint64_t proc_portal_id(const struct proc *p, unsigned vector) { return ((uint64_t)p->slot << 8) | vector; }
static inline unsigned proc_id_vector(uint64_t id) { return (unsigned)(id & 0xff); }
#define PROC_ID_SYSCALL 0xff                                 /* a foreign syscall portal's "vector": no event's */
#define PROC_ID_THREAD  (1UL << 40)                          /* a thread's portal (thread.c): entry << 8 | vector */
/* Where thread entry i's portals and UTCB are in its process (thread.c). */
#define PROC_THREAD_EVENTS(i) ((sel_t)(1024 + (i) * 64))
#define PROC_THREAD_UTCB(i)   (0x00007fffe0000000UL + (uint64_t)(i) * PAGE_SIZE)
/* A handler and p (process.c): work for it only between proc_enter (false: it is going) and
 * proc_leave; proc_park: done with p for good (its lock given back, left, waits until the
 * teardown abandons the call); proc_park_left: the same when it never entered. */
bool proc_enter(struct proc *p);
void proc_leave(struct proc *p);
void proc_park(struct proc *p) __attribute__((noreturn));
void proc_park_left(struct proc *p) __attribute__((noreturn));
/* A fault of p's thread (event `vector`, state in u): a page on first touch, the personality's
 * handler, or the end of the process. */
void proc_fault(struct proc *p, unsigned vector, struct utcb *u);
void proc_threads_destroy(struct proc *p);                   /* thread.c: from proc_destroy */
/* thread.c: proc_enter's and proc_leave's part for a thread's handler (its own count, as p's
 * busy: a thread being killed is revoked only when no handler works for it). */
bool proc_thread_enter(struct proc *p);
void proc_thread_leave(struct proc *p);
bool proc_thread_killed(struct proc *p);                     /* the caller's thread is being killed */
struct proc *proc_by_id(uint64_t id);                        /* the process a portal id names */

extern const uint8_t *proc_tar;                              /* the userland archive (proc_init) */
extern uint64_t proc_tar_len;

struct proc *proc_slot_take(const char *path);               /* a free slot, fresh; NULL: none */
/* Bind and delegate its portals (the foreign one too if `foreign_portal`); a status. */
unsigned proc_portals(struct proc *p, unsigned cpu, bool with_foreign);
/* Delegate one page of ours (window address) to it at va. */
unsigned proc_give_page(struct proc *p, uint64_t page, uint64_t va, unsigned perm);
/* The loader: a page of ours (filled already) becomes its page at va, recorded and delegated
 * (OOM with no table to record it in: then the page is freed). */
unsigned proc_add_page(struct proc *p, uint64_t va, uint64_t page, unsigned perm);
void proc_unmap_all(struct proc *p);                          /* every page it has goes (the teardown) */
