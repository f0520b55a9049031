/* SPDX-License-Identifier: MIT */
/* vmm/dev/kbc.c — an 8042 keyboard controller with no keyboard: status, self test, reset. */
#include "kbc.h"

/*
 * What a guest needs: Linux reboots by pulsing the reset line (command
 * 0xfe on port 0x64) and its i8042 driver probes the controller with a
 * self test (0xaa, answer 0x55) and reads and writes the command byte
 * (0x20, 0x60). Boot code may switch A20 through the output port (0xd1).
 * No keyboard or mouse is attached: bytes for the devices are dropped and
 * IRQ1/IRQ12 never fire.
 *
 *   port 0x64 read   status: bit 0 output buffer full, bit 1 input buffer
 *                    full (always 0), bit 2 system flag (command byte bit 2)
 *   port 0x64 write  command
 *   port 0x60        output buffer / a command's data byte
 */

#define KBC_PORT_DATA       0x60
#define KBC_PORT_CMD        0x64
#define KBC_STATUS_OBF      0x01
#define KBC_CTR_SYSFLAG     0x04
#define KBC_CTR_KBD_OFF     0x10
#define KBC_CTR_AUX_OFF     0x20
#define KBC_OUTPORT_RESET   0x01        /* low = CPU held in reset */

/* After the BIOS: translation on, system flag set, keyboard interrupt on, A20 on. */
void kbc_init(struct kbc *k)
{
    *k = (struct kbc){ .ctr = 0x45, .outport = 0x03 };
}

/* Put a reply into the output buffer for the guest to read on port 0x60. */
static void kbc_reply(struct kbc *k, uint8_t v)
{
    k->out = v;
    k->out_full = true;
}

/* A new output-port value: bit 0 low pulls the CPU's reset line. */
static void kbc_outport(struct kbc *k, uint8_t v)
{
    k->outport = v | KBC_OUTPORT_RESET;
    if (!(v & KBC_OUTPORT_RESET))
        k->reset_requested = true;
}

/* A command on port 0x64. */
static void kbc_command(struct kbc *k, uint8_t cmd)
{
    k->expect = 0;
    switch (cmd) {
    case 0x20: kbc_reply(k, k->ctr); break;                 /* read command byte */
    case 0x60: case 0xd1: k->expect = cmd; break;           /* data byte follows */
    case 0xa7: k->ctr |= KBC_CTR_AUX_OFF; break;
    case 0xa8: k->ctr &= (uint8_t)~KBC_CTR_AUX_OFF; break;
    case 0xaa: kbc_reply(k, 0x55); break;                   /* self test passed */
    case 0xab: kbc_reply(k, 0x00); break;                   /* interface test passed */
    case 0xad: k->ctr |= KBC_CTR_KBD_OFF; break;
    case 0xae: k->ctr &= (uint8_t)~KBC_CTR_KBD_OFF; break;
    case 0xd0: kbc_reply(k, k->outport); break;             /* read output port */
    default:
        if (cmd >= 0xf0 && !(cmd & KBC_OUTPORT_RESET))      /* 0xf0-0xff pulse the 0 bits */
            k->reset_requested = true;
        break;
    }
}

/* Port I/O on 0x60 and 0x64; false for any other port. */
bool kbc_io(struct kbc *k, uint16_t port, bool in, uint32_t *val)
{
    if (port != KBC_PORT_DATA && port != KBC_PORT_CMD)
        return false;
    if (port == KBC_PORT_CMD) {
        if (in)
            *val = (k->ctr & KBC_CTR_SYSFLAG) | (k->out_full ? KBC_STATUS_OBF : 0);
        else
            kbc_command(k, (uint8_t)*val);
    } else if (in) {
        *val = k->out_full ? k->out : 0;
        k->out_full = false;
    } else {
        if (k->expect == 0x60)
            k->ctr = (uint8_t)*val;
        else if (k->expect == 0xd1)
            kbc_outport(k, (uint8_t)*val);
        k->expect = 0;                                      /* else: for the absent keyboard */
    }
    return true;
}

/* Whether the guest pulsed the reset line (the VMM then resets or ends the VM). */
bool kbc_reset_requested(const struct kbc *k)
{
    return k->reset_requested;
}
