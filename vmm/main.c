// SPDX-License-Identifier: MIT
/* vmm/main.c — the VMM's start: build one VM (PD, memory, portals, vCPU, timer), run it, report. */
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include "vmm.h"
#include "facet/console.h"

struct vm the_vm;

/* The guests, linked into the VMM (vmm/guests.S). */
#define GUEST(n) extern const uint8_t guest_##n##_start[], guest_##n##_end[];
#include "guest_list.h"
#undef GUEST
const struct guest_image guest_images[] = {
#define GUEST(n) { #n, guest_##n##_start, guest_##n##_end },
#include "guest_list.h"
#undef GUEST
    { NULL, NULL, NULL },
};

/*
 * Console lines go through a ring the main thread prints from: the console
 * is a portal call from the main EC's UTCB (lib/app), and the exit handler's
 * UTCB holds the guest state it is about to reply with.
 */
#define LOG_LINES 64
static char log_ring[LOG_LINES][200];
static volatile unsigned log_head, log_tail;

static void log_put(const char *tag, const char *text, unsigned len)
{
    while (log_head - log_tail == LOG_LINES)
        fc_sm_down(SEL_LOG_SPACE, 0);            /* the main thread is behind: wait, lose nothing */
    snprintf(log_ring[log_head % LOG_LINES], sizeof log_ring[0], "[%s] %.*s", tag, (int)len, text);
    __atomic_store_n(&log_head, log_head + 1, __ATOMIC_RELEASE);
    fc_sm_up(SEL_WAKE);
}

/* Print what the ring holds (the main thread only). */
static void log_drain(void)
{
    while (log_tail != __atomic_load_n(&log_head, __ATOMIC_ACQUIRE)) {
        printf("%s\n", log_ring[log_tail % LOG_LINES]);
        __atomic_store_n(&log_tail, log_tail + 1, __ATOMIC_RELEASE);
        fc_sm_up(SEL_LOG_SPACE);
    }
}

void vmm_log(const char *fmt, ...)
{
    char line[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    log_put("vmm", line, (unsigned)strlen(line));
}

/* A Linux guest's panic, as its console says it (the VM's status is then 1). */
static void panic_watch(struct vm *vm, const char *line, unsigned len)
{
    static const char mark[] = "Kernel panic - not syncing";
    for (unsigned i = 0; i + sizeof mark - 1 <= len; i++)
        if (!memcmp(line + i, mark, sizeof mark - 1))
            vm->panicked = true;
}

/* The UART's lines: the guest's console, tagged. */
static void guest_line(void *ctx, const char *line, unsigned len)
{
    panic_watch(ctx, line, len);
    log_put("guest", line, len);
}

/*
 * The UART as the machine's console (info->console): each byte straight to
 * COM1, whose ports the roottask gave us, once its transmitter takes one.
 * The lines are still watched for a panic.
 */
static void guest_byte(void *ctx, uint8_t b)
{
    static char line[UART_LINE_MAX];
    static unsigned len;
    uint8_t lsr;
    do
        __asm__ volatile("inb %1, %0" : "=a"(lsr) : "Nd"((uint16_t)(COM1_BASE + 5)));
    while (!(lsr & 0x20));
    __asm__ volatile("outb %0, %1" :: "a"(b), "Nd"((uint16_t)COM1_BASE));
    if (b == '\n' || len == sizeof line) {
        panic_watch(ctx, line, len);
        len = 0;
    }
    if (b != '\n' && b != '\r')
        line[len++] = (char)b;
}

void vmm_portal_entry(void);
void vmm_timer_entry(void);
void vmm_portal(uint64_t id) __attribute__((noreturn));
void vmm_timer(void) __attribute__((noreturn));

static uint8_t handler_stack[16384] __attribute__((aligned(16)));
static uint8_t timer_stack[8192] __attribute__((aligned(16)));

/* Every portal of the handler EC: an exit of the vCPU, or the timer thread's startup. */
void vmm_portal(uint64_t id)
{
    struct utcb *u = (struct utcb *)HANDLER_UTCB;
    if (id == PT_TIMER_STARTUP) {
        u->exc.rip = (uint64_t)vmm_timer_entry;
        u->exc.rsp = (uint64_t)(timer_stack + sizeof timer_stack);
        u->exc.mtd = MTD_RIP_LEN | MTD_RSP;
    } else {
        exit_dispatch(&the_vm, (unsigned)id, &u->exc);
    }
    if (the_vm.state == VM_RUNNING)
        fc_reply();
    for (;;)                                     /* the VM ended: the guest never runs again */
        fc_sm_down(SEL_HALT, 0);
}

/*
 * The timer thread: when the next device interrupt is due and the guest is
 * running (not halted: then its HLT handler waits for it), recall the vCPU so
 * the recall exit injects it. Runs above the vCPU's priority on its CPU.
 * Fuzzing, every 5 ms: a random state may run without ever exiting.
 */
void vmm_timer(void)
{
    uint64_t ms = the_vm.info->tsc_khz;
    bool fuzz = the_vm.info->fault == VMM_FAULT_FUZZ;
    for (;;) {
        uint64_t now = fc_rdtsc(), due = fuzz ? now : the_vm.irq_due;
        if (the_vm.state != VM_RUNNING)
            fc_sm_down(SEL_SLEEP, 0);     /* nothing more to do: sleep for good */
        if (fuzz)
            fc_sm_down(SEL_SLEEP, now + 5 * ms);
        if (vm_input_waiting(&the_vm)) {  /* typed input: into the UART at the next exit, or now if halted */
            if (the_vm.halted)
                fc_sm_up(SEL_HALT);
            else
                fc_ec_recall(SEL_VCPU);
        }
        if (due && now >= due && !the_vm.halted) {
            fc_ec_recall(SEL_VCPU);
            due = 0;
        }
        fc_sm_down(SEL_SLEEP, due > now ? due : now + ms);
    }
}

static const struct guest_image *guest_find(const char *name)
{
    for (const struct guest_image *g = guest_images; g->name; g++)
        if (!strcmp(g->name, name))
            return g;
    return NULL;
}

/* The events the VMM has a portal for: every VMX exit reason below VCPU_EXITS and the three made-up ones. */
static unsigned setup_portals(unsigned cpu)
{
    unsigned st = fc_create_ec(SEL_HANDLER, VMM_SEL_PD, cpu, HANDLER_UTCB,
                               (uint64_t)(handler_stack + sizeof handler_stack), 0, false);
    for (unsigned e = 0; !st && e < VCPU_EVENTS; e++) {
        if (e >= VCPU_EXITS && e < VCPU_EV_FAILED_ENTRY)
            continue;
        sel_t pt = SEL_PORTALS + e;
        st = fc_create_pt(pt, VMM_SEL_PD, SEL_HANDLER, exit_mtd(e), (uint64_t)vmm_portal_entry);
        st = st ? st : fc_pt_ctrl(pt, e);
        st = st ? st : fc_delegate(VMM_SEL_PD, SEL_VM_PD, CRD(CRD_OBJ, PERM_EVENT, 0, pt), CRD(CRD_OBJ, PERM_EVENT, 0, e));
    }
    /* The timer thread starts through a portal of its own event base, in the VMM's PD. */
    sel_t startup = SEL_TIMER_EVENTS + EV_STARTUP;
    st = st ? st : fc_create_pt(startup, VMM_SEL_PD, SEL_HANDLER, MTD_RIP_LEN | MTD_RSP, (uint64_t)vmm_portal_entry);
    st = st ? st : fc_pt_ctrl(startup, PT_TIMER_STARTUP);
    return st;
}

int main(uint64_t arg, uint64_t pid);
int main(uint64_t arg, uint64_t pid)
{
    (void)arg;
    (void)pid;
    the_vm.info = (const struct vmm_info *)VMM_INFO;
    the_vm.linux_guest = !strcmp(the_vm.info->guest, VMM_LINUX);
    const struct guest_image *g = guest_find(the_vm.info->guest);
    if (!g && !the_vm.linux_guest) {
        vmm_log("no guest named '%s'", the_vm.info->guest);
        return 2;
    }
    the_vm.name = the_vm.linux_guest ? VMM_LINUX : g->name;
    the_vm.status = ~0UL;
    pic_init(&the_vm.pic);
    pit_init(&the_vm.pit);
    rtc_init(&the_vm.rtc, 1700000000);               /* a fixed date: the guest's clock starts there */
    kbc_init(&the_vm.kbc);
    uart_init(&the_vm.uart, COM1_BASE, guest_line, &the_vm);
    if (the_vm.info->console)
        uart_set_raw(&the_vm.uart, guest_byte);

    unsigned cpu = the_vm.info->vcpu_cpu, st;
    st = fc_create_pd(SEL_VM_PD, VMM_SEL_PD, 0, 0);
    st = st ? st : fc_create_sm(SEL_HALT, VMM_SEL_PD, 0);
    st = st ? st : fc_create_sm(SEL_SLEEP, VMM_SEL_PD, 0);
    st = st ? st : fc_create_sm(SEL_WAKE, VMM_SEL_PD, 0);
    st = st ? st : fc_create_sm(SEL_LOG_SPACE, VMM_SEL_PD, 0);
    st = st ? st : setup_portals(cpu);
    /* Guest RAM [0, 2 MiB): one 2 MiB page of the VMM's, RWX; the rest comes on first touch. */
    st = st ? st : fc_delegate_guest(VMM_SEL_PD, SEL_VM_PD, CRD(CRD_MEM, MEM_R | MEM_W | MEM_X, 9, APP_SHARED >> 12),
                                     CRD(CRD_MEM, MEM_R | MEM_W | MEM_X, 9, 0));
    const char *why = NULL;
    if (!st && the_vm.linux_guest && (why = linux_load(&the_vm)) != NULL) {
        vmm_log("guest %s cannot boot: %s", the_vm.name, why);
        log_drain();
        return 4;
    }
    st = st ? st : fc_create_vcpu(SEL_VCPU, SEL_VM_PD, cpu, 0);
    st = st ? st : fc_create_ec(SEL_TIMER, VMM_SEL_PD, cpu, TIMER_UTCB, 0, SEL_TIMER_EVENTS, true);
    if (st) {
        printf("[vmm] cannot build the VM: %s\n", fc_status_name(st));
        return 3;
    }
    vmm_log("guest %s: %lu KiB of RAM, vCPU on cpu%u%s", the_vm.name, the_vm.info->ram >> 10, cpu,
            the_vm.info->fault == VMM_FAULT_GUEST_STATE ? ", started with a bad guest state on purpose" :
            the_vm.info->fault == VMM_FAULT_INJECTION ? ", started with a bad injection on purpose" :
            the_vm.info->fault == VMM_FAULT_FUZZ ? ", every reply a random state" : "");
    st = fc_create_sc(SEL_TIMER_SC, VMM_SEL_PD, SEL_TIMER, 30, 1000);
    st = st ? st : fc_create_sc(SEL_VCPU_SC, VMM_SEL_PD, SEL_VCPU, 10, 10000);   /* starts: the startup exit */
    if (st) {
        printf("[vmm] cannot start the vCPU: %s\n", fc_status_name(st));
        return 3;
    }
    uint64_t deadline = the_vm.info->time_scale_milli && !the_vm.linux_guest ?
        fc_rdtsc() + the_vm.info->tsc_khz * 20000 * the_vm.info->time_scale_milli / 1000 : 0;
    while (the_vm.state == VM_RUNNING) {
        log_drain();
        if (fc_sm_down(SEL_WAKE, deadline) == TIMEOUT)
            vm_end(&the_vm, ~0UL, "did not finish in time");
    }
    fc_revoke(CRD(CRD_OBJ, PERM_ALL, 0, SEL_VCPU), REVOKE_SELF, 0);   /* it never runs again */
    uart_flush(&the_vm.uart);
    if (the_vm.status != ~0UL)
        vmm_log("guest %s exited with status %lu", the_vm.name, the_vm.status);
    else
        vmm_log("guest %s ended: %s", the_vm.name, the_vm.why);
    vmm_log("exits: cpuid %lu io %lu hlt %lu vmcall %lu ept %lu recall %lu window %lu msr %lu; pages given %lu",
            the_vm.exits[VMX_EXIT_CPUID], the_vm.exits[VMX_EXIT_IO], the_vm.exits[VMX_EXIT_HLT], the_vm.exits[VMX_EXIT_VMCALL],
            the_vm.exits[VMX_EXIT_EPT_VIOLATION], the_vm.exits[VCPU_EV_RECALL], the_vm.exits[VMX_EXIT_INTR_WINDOW],
            the_vm.exits[VMX_EXIT_RDMSR] + the_vm.exits[VMX_EXIT_WRMSR], the_vm.pages_populated);
    if (the_vm.info->fault == VMM_FAULT_FUZZ)
        vmm_log("fuzz: %lu random states: %lu refused as guest state, %lu by VMLAUNCH/VMRESUME, %lu ran to an exit",
                the_vm.fuzz_rounds - 1, the_vm.fuzz_refused_state, the_vm.fuzz_refused_entry, the_vm.fuzz_ran);
    log_drain();
    return the_vm.status == ~0UL ? 1 : (int)the_vm.status;
}
