/* SPDX-License-Identifier: MIT */
/* src/proc/process.h — native programs in their own PDs: start, wait, tear down. */
#pragma once

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "facet/hypercall.h"
#include "facet/thread.h"

#define PROC_MAX         32         /* processes at once (the table's slots) */
#define PROC_MAX_AREAS   256        /* areas (mmap, brk, stack) one process can have */
#define PROC_THREADS_MAX 128        /* threads beyond each process's first, all processes together */
#define PROC_PRIO        20         /* the priority proc_run starts a process at */
#define PROC_QUANTUM     1000       /* its SC's quantum (ticks of the kernel's timer) */
#define LARGE_ORDER      9          /* a 2 MiB large page: 2^9 pages */

enum proc_state { PROC_FREE, PROC_RUNNING, PROC_EXITED, PROC_FAULTED };

/* A range of a process's address space it may touch with perm; pages come on first touch. */
struct proc_area {
    uint64_t start, end;
    unsigned perm;                    /* MEM_*; 0: reserved, no access */
};

struct proc;
/* A personality: handles a foreign process's syscall, state in u->exc (the reply writes it back). */
typedef void (*proc_personality)(struct proc *p, struct utcb *u);

/* How an EC starts that goes on where another was (a fork's child, a new thread): its registers
 * and its FPU image (MTD_FPU), both its creator's. */
struct proc_start {
    struct utcb_exc regs;
    uint8_t fpu[UTCB_FPU_SIZE];
};

struct proc {
    volatile enum proc_state state;
    proc_personality personality;     /* non-NULL: a foreign PD whose syscalls come here */
    unsigned id, slot, cpu;
    char name[32];
    sel_t sel;                  /* the roottask's selectors for it: PD, EC, SC, portals (64) */
    sel_t done;                 /* upped when it exits or faults */
    sel_t hold;                 /* its exit/fault handler parks on this until the teardown */
    uint64_t arg;               /* its argument (rdi at the start) */
    uint64_t status;            /* exit status, or the fault vector */
    uint64_t fault_rip, fault_addr;
    uint64_t shared;            /* a page it was given at APP_SHARED (window address), or 0 */
    uint64_t large;             /* or a 2 MiB piece given there as one large page */
    unsigned npages;                  /* pages it has now */
    uint64_t pmap;                    /* its pages: a radix tree by address (src/proc/memory.c) */
    unsigned nareas;
    struct proc_area areas[PROC_MAX_AREAS];
    uint64_t entry, phdr, phnum;      /* from its ELF: for a Linux auxv */
    uint64_t image_end;               /* page-aligned end of its ELF segments (a Linux brk starts here) */
    uint64_t start_sp;                /* non-zero: start with this rsp (a Linux initial stack) */
    struct proc_start *start_state;   /* non-NULL: start exactly so (a fork's child) */
    void *pstate;                     /* its personality's own state (NULL: none) */
    void (*teardown)(struct proc *p); /* if set: called by proc_destroy before anything goes */
    /* if set: after the fault report, what its personality says of a fault (SIGSEGV, ...) */
    void (*on_fault)(struct proc *p, unsigned vector, uint64_t addr);
    /* if set: before any report, the personality may take the fault (a signal handler's frame
     * into x, the state the reply writes back): true and the process goes on */
    bool (*fault_taken)(struct proc *p, unsigned vector, struct utcb_exc *x);
    /* if set: once it has ended (its state says how), before its handler parks: tell whoever waits */
    void (*on_end)(struct proc *p);
    /* if set: it was recalled (proc_recall) on its way to user mode; x: its state, the reply's */
    void (*on_recall)(struct proc *p, struct utcb_exc *x);
    unsigned busy;                    /* handlers working for it now (proc_enter .. proc_leave) */
    bool dying;                       /* proc_destroy has begun: no handler starts work for it */
    unsigned nthreads;                /* threads beyond its first (thread.c) */
    sel_t lock;                       /* with threads, its handlers take turns (proc_lock): waiters sleep here */
    unsigned lock_count;              /* the holder and the waiters */
    void *lock_owner;                 /* the handler (fc_thread) that holds it, NULL: none */
};

void proc_init(const uint8_t *tar, uint64_t tar_size);
/* Start bin/<name> on cpu with the argument; NULL (and a console line) if it cannot. */
struct proc *proc_spawn(const char *name, uint64_t arg, unsigned cpu);   /* not started: proc_start */
/* The same in a foreign PD: its syscalls go to `personality` (NULL: no portal for them). */
struct proc *proc_spawn_foreign(const char *name, uint64_t arg, unsigned cpu, proc_personality personality);
/*
 * A copy of parent (a fork): a new PD with every page it has (the same rights), shared until
 * one of them writes to it (copy-on-write, memory.c), and its areas, the same personality on the same CPU, starting with the registers in *state
 * and the FPU image fpu (MTD_FPU), both copied. Not started; NULL (and a line) if it cannot.
 */
struct proc *proc_fork(struct proc *parent, const struct utcb_exc *state, const void *fpu);
/*
 * A new program in a process (execve): proc_image_check says whether data is a static ELF the
 * loader can place (NULL, or why not: data holds the headers, size is the file's); proc_load_image
 * maps its segments and a fresh stack into p, which has no pages left (proc_unmap_everything),
 * and sets entry, image_end, phdr. The file's bytes come from data, or, for a file that is not
 * in one piece (one written at run time), from read(ctx, dst, off, len), which copies len bytes
 * at off (proc_load_image_from).
 */
struct elf_info;
const char *proc_image_check(const uint8_t *data, uint64_t size, struct elf_info *elf);
unsigned proc_load_image(struct proc *p, const uint8_t *data, const struct elf_info *elf, const char **why);
typedef void (*proc_image_read)(void *ctx, void *dst, uint64_t off, uint64_t len);
unsigned proc_load_image_from(struct proc *p, proc_image_read read, void *ctx, const struct elf_info *elf,
                              const char **why);
/* Every page and area of p goes (its PD, EC and portals stay): before a new program. */
void proc_unmap_everything(struct proc *p);
/* A foreign process from any path of the userland archive (e.g. "linux/hello"). */
struct proc *proc_spawn_path(const char *path, unsigned cpu, proc_personality personality);
/* Copy between the roottask and the process's memory as the process could: false if a byte
 * is not mapped there, or the process may not read it (proc_read) or write it (proc_write). */
bool proc_read(struct proc *p, void *dst, uint64_t va, uint64_t len);
bool proc_write(struct proc *p, uint64_t va, const void *src, uint64_t len);
/* The roottask's address (in its memory window) of the byte at the process's va, or 0 if no
 * page of it is there; valid up to that page's end. The roottask's own access, whatever the
 * process's rights (filling a read-only mapping, a futex word). */
uint64_t proc_window(struct proc *p, uint64_t va);
/*
 * The process's pages (src/proc/memory.c): a slot per page, in a radix tree by address like a
 * page table's, holds the page's address in our window, PM_PRESENT, PM_COW (shared since a
 * fork: copied at the first write) and its MEM_* rights. proc_pmap_slot: va's slot, NULL where
 * no table leads to it. Inline, with the common case of proc_user_window: every copy to or
 * from a process walks it.
 */
#define PM_PRESENT 0x8UL
#define PM_COW     0x10UL
#define PM_PERM    0x7UL
#define PM_PAGE    (~0xfffUL)
static inline uint64_t *proc_pmap_slot(const struct proc *p, uint64_t va)
{
    uint64_t *t = (uint64_t *)p->pmap;
#pragma GCC unroll 3
    for (int shift = 39; t && shift > 12; shift -= 9)
        t = (uint64_t *)t[(va >> shift) & 511];
    return t ? &t[(va >> 12) & 511] : NULL;
}
uint64_t proc_window_slow(struct proc *p, uint64_t va, bool write, bool as_process);
/* proc_window (as_process false) or proc_user_window: a present page that allows the access
 * here, the rest (a fault, a copy-on-write first) in proc_window_slow. */
static inline uint64_t proc_window_at(struct proc *p, uint64_t va, bool write, bool as_process)
{
    uint64_t *slot = proc_pmap_slot(p, va & ~0xfffUL);
    if (slot && (*slot & PM_PRESENT) && (!as_process || (*slot & (write ? MEM_W : MEM_R))) &&
        !(write && (*slot & PM_COW)))
        return (*slot & PM_PAGE) + (va & 0xfff);
    return proc_window_slow(p, va, write, as_process);
}
/* The same for a copy the process asked for: 0 also where it may not read (write: write)
 * the byte itself, as Linux's user copies are (-EFAULT). */
static inline uint64_t proc_user_window(struct proc *p, uint64_t va, bool write)
{
    return proc_window_at(p, va, write, true);
}
/* Map n fresh zeroed pages at va with MEM_* permissions; SUCCESS, BAD_PAR (in use), OOM. */
unsigned proc_map(struct proc *p, uint64_t va, uint64_t n, unsigned perm);
/* New permissions (0: none, the pages stay its own) for [va, va + n pages), all given by proc_map
 * or the loader; SUCCESS, or BAD_PAR if one of them is not there. */
unsigned proc_protect(struct proc *p, uint64_t va, uint64_t n, unsigned perm);
/* Unmap (and free) the pages of [va, va + n pages) that proc_map gave it. */
void proc_unmap(struct proc *p, uint64_t va, uint64_t n);
/*
 * Areas: [va, va + n pages) may be touched with perm (0: reserved); pages come on first touch
 * (the page-fault portal, or proc_window). Add (replacing what areas were there), remove (its
 * pages go too), change the rights (of areas and pages there; BAD_PAR if a page of the range
 * is neither in an area nor present). OOM: no room for another area.
 */
unsigned proc_area_add(struct proc *p, uint64_t va, uint64_t n, unsigned perm);
void proc_area_remove(struct proc *p, uint64_t va, uint64_t n);
unsigned proc_area_protect(struct proc *p, uint64_t va, uint64_t n, unsigned perm);
/*
 * mremap's move: the area holding all of [from, from + n pages) goes to [to, to + m pages)
 * (m >= n, the rest of it new and untouched), its pages with it (their contents, rights and
 * sharing unchanged). The caller has made the target free. BAD_PAR: the range is not all one
 * area's; OOM: no memory for the page map or no room for another area.
 */
unsigned proc_area_move(struct proc *p, uint64_t from, uint64_t n, uint64_t to, uint64_t m);
/* Is [va, va + n pages) free: in no area, no page there? */
bool proc_range_free(struct proc *p, uint64_t va, uint64_t n);
/* The rights of the area holding va, or -1 if none does. */
int proc_area_perm(struct proc *p, uint64_t va);
/* Is va in an area of p, or a page it has (whatever the rights)? */
bool proc_mapped(struct proc *p, uint64_t va);
/* Its pages in [va, va + n pages) read as zero from now on (an area's go until touched again). */
void proc_discard(struct proc *p, uint64_t va, uint64_t n);
/* A page fault at va needing `need` (MEM_*): given a fresh zeroed page if an area allows it. */
bool proc_fault_in(struct proc *p, uint64_t va, unsigned need);
/* A handler of p blocks on sm until deadline (0: none) without holding up p's teardown: it must
 * hold no lock; if p is torn down meanwhile it never returns. fc_sm_down's status. */
unsigned proc_block(struct proc *p, sel_t sm, uint64_t deadline);
/* Its EC enters the kernel soon (an IPI if it runs on another CPU) and, before it next runs its
 * own code, its on_recall: how a personality interrupts a process that makes no syscall. */
void proc_recall(struct proc *p);
/* The same for the thread this handler serves (p's first, or one of the thread table). */
void proc_recall_self(struct proc *p);
/*
 * Threads (thread.c). proc_thread_create: a new thread of p on cpu, starting with *start and
 * the FPU image fpu (MTD_FPU), its personality's state pstate: its tid,
 * or 0 (no free entry, no memory). The caller holds p's
 * lock from then on. proc_thread_exit: the calling thread ends (the first thread: the process
 * ends). proc_thread_self: the personality state of the thread whose handler calls, or NULL
 * for the first thread.
 * proc_threads_recall: every thread but the first into the kernel (its on_recall).
 */
uint64_t proc_thread_create(struct proc *p, unsigned cpu, const struct utcb_exc *start, const void *fpu,
                            void *pstate);
void proc_thread_exit(struct proc *p) __attribute__((noreturn));
void *proc_thread_self(struct proc *p);
void proc_threads_recall(struct proc *p);
/* Every thread of p but the caller's goes (execve): each stops at its next call, fault or
 * wake-up (the personality wakes its sleepers) and is revoked once no handler works for it. */
void proc_threads_kill(struct proc *p);
/*
 * While p has more than one thread its handlers (syscalls, faults, recalls) run one at a time:
 * proc_lock (only then; a handler that holds it already does not wait) and proc_unlock (if this
 * handler holds it). proc_block gives it back while it sleeps and takes it again after. Inline,
 * for the Linux calls that take it (the taking and giving in process.c).
 */
void proc_lock_take(struct proc *p);
void proc_lock_give(struct proc *p);
static inline void proc_lock(struct proc *p)
{
    if (__atomic_load_n(&p->nthreads, __ATOMIC_SEQ_CST) && p->lock_owner != fc_self())
        proc_lock_take(p);
}
static inline void proc_unlock(struct proc *p)
{
    if (p->lock_owner == fc_self())
        proc_lock_give(p);
}
/* A fresh id for a process or a thread (one sequence: Linux's pids and tids). */
unsigned proc_new_id(void);
/* From its personality: the process ends with status (the handler then waits for the teardown). */
void proc_exit(struct proc *p, uint64_t status) __attribute__((noreturn));
/* The same for a death by a signal: state PROC_FAULTED, status 128 + sig. */
void proc_exit_signaled(struct proc *p, unsigned sig) __attribute__((noreturn));
/* Wait at most ms milliseconds (times the host's time scale: fc_deadline_ms); SUCCESS or TIMEOUT. */
unsigned proc_wait_ms(struct proc *p, unsigned ms);
/* Give it one page at APP_SHARED with permissions perm (before it runs: call between spawn and start). */
unsigned proc_share_page(struct proc *p, unsigned perm, uint64_t fill);
unsigned proc_start(struct proc *p, unsigned prio);
/* Give it the 2 MiB at window address chunk at APP_SHARED, as one large page. */
unsigned proc_share_large(struct proc *p, uint64_t chunk, unsigned perm);
sel_t proc_pd(const struct proc *p);              /* the roottask's capability to its PD */
struct proc *proc_at(unsigned slot);              /* the process table's slot (free or not) */
sel_t proc_sc(const struct proc *p);              /* ... and to its SC (once started) */
sel_t proc_echo_portal(unsigned cpu);             /* the roottask's echo portal for a CPU */
void proc_wait(struct proc *p);                  /* until it exits or faults */
void proc_destroy(struct proc *p);               /* revoke everything it had; its memory comes back */
const char *proc_state_name(const struct proc *p); /* "exited", "faulted" or "did not finish" */
/*
 * Start p (NULL: nothing), wait at most ms, print
 * "[tag] what: process N <state> status=S (wait W)" and destroy it.
 */
void proc_run(struct proc *p, unsigned ms, const char *tag, const char *what);
/* What the notify portal (APP_SEL_NOTIFY) does: a scenario's own check of a process (NULL: none). */
typedef void (*proc_notify_fn)(struct proc *p, struct utcb *u);
void proc_set_notify(proc_notify_fn fn);
