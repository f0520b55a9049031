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

/* The UART's interrupt output goes to IRQ 4; the PIC sees its rising edges. */
static void uart_sync(struct vm *vm)
{
    bool level = uart_irq_pending(&vm->uart);
    if (level && !vm->uart_level)
        pic_raise(&vm->pic, 4);
    vm->uart_level = level;
}

/* Console input the roottask queued (VMM_INPUT), into the UART's FIFO as far as it has room. */
bool vm_input_waiting(const struct vm *vm)
{
    const struct vmm_input *in = (const struct vmm_input *)VMM_INPUT;
    return vm->info->console && __atomic_load_n(&in->head, __ATOMIC_ACQUIRE) != in->tail &&
           uart_rx_room(&vm->uart);
}

static void vm_input(struct vm *vm)
{
    struct vmm_input *in = (struct vmm_input *)VMM_INPUT;
    if (!vm->info->console)
        return;
    while (vm_input_waiting(vm)) {
        uart_push_input(&vm->uart, in->bytes[in->tail % VMM_INPUT_BYTES]);
        __atomic_store_n(&in->tail, in->tail + 1, __ATOMIC_RELEASE);
    }
    uart_sync(vm);
}

/*
 * Raise what is due on the PIC: the timer's interrupt if it came, the UART's
 * if input arrived; and tell the timer thread when the next tick is.
 */
void vm_update_irqs(struct vm *vm)
{
    vm_input(vm);
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
    if (uart_io(&vm->uart, port, in, size, value)) {
        uart_sync(vm);
        return true;
    }
    if (pic_io(&vm->pic, port, in, value) || pit_io(&vm->pit, vm_pit_now(vm), port, in, value) ||
        rtc_io(&vm->rtc, vm_unix_now(vm), port, in, value))
        return true;
    if (kbc_io(&vm->kbc, port, in, value)) {
        if (kbc_reset_requested(&vm->kbc))
            vm_end(vm, vm_stop_status(vm), "reset through the keyboard controller");
        return true;
    }
    if (port == PORT_POST && !in)
        return true;
    if (in)
        *value = 0xffffffff;
    port_unknown(port, in);
    return false;
}
