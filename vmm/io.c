// SPDX-License-Identifier: MIT
/* vmm/io.c — the guest's port bus: each device model in turn, device time, the interrupt lines. */
#include "vmm.h"

#define PORT_POST 0x80                   /* BIOS POST codes: written, never read back */

/* Device time: PIT input ticks since the guest started (TSC-derived). */
uint64_t vm_pit_now(const struct vm *vm)
{
    return (fc_rdtsc() - vm->tsc0) * PIT_HZ / (vm->info->tsc_khz * 1000);
}

static uint64_t vm_unix_now(const struct vm *vm)
{
    return 1700000000 + (fc_rdtsc() - vm->tsc0) / (vm->info->tsc_khz * 1000);
}

/* Raise the timer's interrupt on the PIC if it came, and tell the timer thread when the next tick is. */
void vm_update_irqs(struct vm *vm)
{
    uint64_t now = vm_pit_now(vm);
    if (pit_irq0_count(&vm->pit, now))
        pic_raise(&vm->pic, 0);
    uint64_t next = pit_next_irq0(&vm->pit, now);
    vm->irq_due = next == UINT64_MAX ? 0 : vm->tsc0 + next * (vm->info->tsc_khz * 1000) / PIT_HZ;
}

/* An unknown port: reads all ones, writes vanish; logged once each. */
static void port_unknown(uint16_t port, bool in)
{
    static uint16_t seen[32];
    static unsigned nseen;
    for (unsigned i = 0; i < nseen; i++)
        if (seen[i] == port)
            return;
    if (nseen < 32)
        seen[nseen++] = port;
    vmm_log("guest %s port %#x: no device there", in ? "read from" : "wrote to", port);
}

bool io_access(struct vm *vm, uint16_t port, bool in, unsigned size, uint32_t *value)
{
    if (port == GUEST_EXIT_PORT && !in) {
        vm_end(vm, *value, "exited");
        return true;
    }
    bool uart_was = uart_irq_pending(&vm->uart);
    if (uart_io(&vm->uart, port, in, size, value)) {
        if (!uart_was && uart_irq_pending(&vm->uart))
            pic_raise(&vm->pic, 4);
        return true;
    }
    if (pic_io(&vm->pic, port, in, value) || pit_io(&vm->pit, vm_pit_now(vm), port, in, value) ||
        rtc_io(&vm->rtc, vm_unix_now(vm), port, in, value))
        return true;
    if (kbc_io(&vm->kbc, port, in, value)) {
        if (kbc_reset_requested(&vm->kbc))
            vm_end(vm, ~0UL, "reset through the keyboard controller");
        return true;
    }
    if (port == PORT_POST && !in)
        return true;
    if (in)
        *value = 0xffffffff;
    port_unknown(port, in);
    return false;
}
