/* SPDX-License-Identifier: MIT */
/* vmm/vmm.h — the user-level VMM: one VM with one vCPU, its exits, its memory and devices. */
#pragma once

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "facet/hypercall.h"
#include "start_state.h"
#include "facet/vmm.h"
#include "uapi/vcpu.h"
#include "dev/dev.h"

/*
 * The guest's world (vmm/guests/README.md): 64-bit mode from the first
 * instruction, identity page tables for [0, 1 GiB) and a GDT the VMM wrote,
 * the image at GUEST_LOAD, RDI = RAM size.
 */
#define GUEST_GDT       0x800UL
#define GUEST_PML4      0x1000UL         /* then the PDPT at 0x2000 and one PD at 0x3000 */
#define GUEST_LOAD      0x100000UL
#define GUEST_STACK     0x1ff000UL
#define GUEST_MMIO      0xfeb00000UL     /* the test device's page */
#define GUEST_EXIT_PORT 0xf4             /* outl status: the guest is done */
#define COM1_BASE       0x3f8            /* the guest's UART (and, with a console, the machine's) */

/* The VMM's selectors (from APP_SEL_FIRST) and where it keeps its handler's UTCB. */
#define SEL_VM_PD       192
#define SEL_VCPU        193
#define SEL_VCPU_SC     194
#define SEL_HANDLER     195              /* the local EC every exit portal leads to */
#define SEL_TIMER       196              /* the timer thread: recalls the vCPU when an interrupt is due */
#define SEL_TIMER_SC    197
#define SEL_HALT        199              /* a halted guest's handler sleeps on it */
#define SEL_SLEEP       200              /* the timer thread sleeps on it (never upped) */
#define SEL_WAKE        201              /* the main thread: a console line to print, or the VM ended */
#define SEL_LOG_SPACE   202              /* the console ring has room again */
#define SEL_PORTALS     256              /* + event (exit reason, or 253..255) */
#define SEL_TIMER_EVENTS 1024            /* the timer thread's event base (its startup portal) */
#define HANDLER_UTCB    0x00007ffff0000000UL
#define TIMER_UTCB      0x00007ffff0001000UL
#define PT_TIMER_STARTUP 1000            /* the portal id of the timer thread's startup */

enum vm_state { VM_RUNNING, VM_DONE };

struct vm {
    const struct vmm_info *info;
    const char *name;
    volatile enum vm_state state;
    uint64_t status;                     /* the guest's exit status, or ~0: it failed */
    char why[96];                        /* how it ended */
    uint64_t tsc0;                       /* the TSC when the guest started: device time 0 */
    volatile uint64_t irq_due;           /* TSC of the next timer interrupt (0: none), for the timer thread */
    volatile bool halted;                /* in HLT: the handler sleeps, no recall needed */
    uint64_t exits[VCPU_EVENTS];         /* per event */
    uint64_t pages_populated;            /* RAM pages given on first touch */
    struct pic pic;
    struct pit pit;
    struct rtc rtc;
    struct kbc kbc;
    struct uart uart;
    bool uart_level;                     /* the UART's interrupt output as the PIC last saw it */
    bool linux_guest;                    /* a Linux guest (vm/ files), not a test guest */
    bool panicked;                       /* its console said "Kernel panic" */
    uint64_t linux_entry;                /* where it starts (load address + 0x200) */
    uint32_t mmio_counter, mmio_scratch;
    uint64_t fuzz_rounds, fuzz_refused_state, fuzz_refused_entry, fuzz_ran;   /* VMM_FAULT_FUZZ */
};

extern struct vm the_vm;                /* the one VM of this VMM */

/* What every exit message carries: enough to step over an instruction and to inject. */
#define MTD_BASE  (MTD_GPR_ACDB | MTD_GPR_BSD | MTD_RIP_LEN | MTD_RFLAGS | MTD_STA | MTD_INJ | MTD_QUAL)
#define MTD_BOOT  (MTD_BASE | MTD_GPR_R8_R15 | MTD_RSP | MTD_DS_ES | MTD_FS_GS | MTD_CS_SS | MTD_TR | MTD_LDTR | \
                   MTD_GDTR | MTD_IDTR | MTD_CR | MTD_DR | MTD_SYSENTER | MTD_EFER_PAT)

/* vmm/exits.c: one handler per event; the portals' MTDs. */
typedef void (*exit_fn)(struct vm *vm, struct utcb_exc *x);
uint64_t exit_mtd(unsigned event);
void exit_dispatch(struct vm *vm, unsigned event, struct utcb_exc *x);
void vm_end(struct vm *vm, uint64_t status, const char *why);   /* stop the vCPU; main reports */
void vm_skip(struct utcb_exc *x);                               /* past the exiting instruction */
/* The status of a guest that stopped itself (halt, reset): a test guest's ~0; Linux's 0, or 1 after a panic. */
uint64_t vm_stop_status(const struct vm *vm);

/* vmm/fuzz.c: VMM_FAULT_FUZZ answers every message with a random state. */
void fuzz_exit(struct vm *vm, unsigned event, struct utcb_exc *x);

/* vmm/memory.c: guest RAM. */
void *guest_ptr(uint64_t gpa, uint64_t len);       /* the VMM's view of guest RAM, or NULL */
bool  guest_populate(struct vm *vm, uint64_t gpa);  /* give the guest the RAM page at gpa now */
bool  guest_boot(struct vm *vm, struct utcb_exc *x); /* a test guest: image, tables, GDT, registers */
void *guest_ram(uint64_t gpa, uint64_t len);       /* the VMM's view, given to the guest or not (the loaders') */
bool  guest_populate_all(struct vm *vm);            /* give the guest all its RAM at once */
void  guest_tables(void);                            /* low RAM zeroed, identity tables, the GDT */
void  guest_start_state(struct utcb_exc *x, uint64_t rip, uint64_t rsp);   /* long mode, paging on, IF=0 */

/* vmm/linux_boot.c: a Linux guest (facet/vmm.h VMM_LINUX): its files loaded, its start state. */
const char *linux_load(struct vm *vm);               /* NULL, or why it cannot boot */
void  linux_start(struct vm *vm, struct utcb_exc *x);
/* Guest-virtual to guest-physical through the guest's page tables (cr3, 4 levels); false if not mapped. */
bool  guest_translate(uint64_t cr3, uint64_t va, uint64_t *gpa);

/* vmm/mmio.c: the test device, reached through an instruction decoder. */
bool  mmio_access(struct vm *vm, struct utcb_exc *x, uint64_t gpa);

/* vmm/cpuid.c, vmm/msr.c: what the guest sees. */
void  cpuid_policy(struct utcb_exc *x);
bool  msr_read(struct vm *vm, struct utcb_exc *x, uint32_t msr, uint64_t *value);
bool  msr_write(struct vm *vm, struct utcb_exc *x, uint32_t msr, uint64_t value);

/* vmm/io.c: the port bus. */
bool  io_access(struct vm *vm, uint16_t port, bool in, unsigned size, uint32_t *value);
uint64_t vm_pit_now(const struct vm *vm);            /* device time: PIT input ticks since the start */
void  vm_update_irqs(struct vm *vm);                  /* time passed, input came: raise what is due on the PIC */
bool  vm_input_waiting(const struct vm *vm);          /* console input the UART can take now */

/* A lab hole's stub in the VMM: say once what is missing (through the console ring, as every VMM line). */
#define LAB_TODO(what)                                                        \
    do {                                                                      \
        static bool lab_said_;                                                \
        if (!lab_said_) {                                                     \
            lab_said_ = true;                                                 \
            vmm_log("[lab] not implemented: %s", what);                       \
        }                                                                     \
    } while (0)

/* vmm/main.c */
extern const struct guest_image { const char *name; const uint8_t *start, *end; } guest_images[];
void vmm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
