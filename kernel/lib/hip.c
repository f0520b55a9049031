// SPDX-License-Identifier: MIT
/* lib/hip.c — the HIP builder (kernel) and checker (roottask): one layout, one checksum. */
#include "lib/hip.h"

static void zero(void *p, unsigned long n)
{
    unsigned char *c = p;
    while (n--)
        *c++ = 0;
}

static uint16_t sum16(const struct hip *h)
{
    const uint16_t *w = (const uint16_t *)h;
    uint16_t s = 0;
    for (unsigned i = 0; i < h->length / 2; i++)
        s = (uint16_t)(s + w[i]);
    return s;
}

void hip_init(struct hip *h)
{
    zero(h, sizeof *h);
    h->signature = HIP_SIGNATURE;
    h->version = HIP_VERSION;
    h->length = sizeof *h;
}

bool hip_add_mem(struct hip *h, uint64_t addr, uint64_t size, int32_t type)
{
    if (h->num_mem == HIP_MAX_MEM)
        return false;
    h->mem[h->num_mem++] = (struct hip_mem){ addr, size, type, 0 };
    if (type == HIP_MEM_AVAILABLE)
        h->mem_total += size;
    return true;
}

bool hip_add_module(struct hip *h, uint64_t addr, uint64_t size, const char *cmdline)
{
    if (h->num_mods == HIP_MAX_MODS)
        return false;
    struct hip_module *m = &h->mod[h->num_mods++];
    m->addr = addr;
    m->size = size;
    unsigned i = 0;
    for (; cmdline && cmdline[i] && i + 1 < HIP_CMDLINE_LEN; i++)
        m->cmdline[i] = cmdline[i];
    m->cmdline[i] = 0;
    return true;
}

bool hip_add_cpu(struct hip *h, uint8_t apic_id)
{
    if (h->num_cpus == HIP_MAX_CPUS)
        return false;
    h->cpu[h->num_cpus++] = (struct hip_cpu){ apic_id, 1, {0, 0} };
    return true;
}

void hip_seal(struct hip *h)
{
    h->checksum = 0;
    h->checksum = (uint16_t)(0 - sum16(h));
}

bool hip_valid(const struct hip *h)
{
    return h->signature == HIP_SIGNATURE && h->version == HIP_VERSION &&
           h->length == sizeof *h && sum16(h) == 0 &&
           h->num_cpus <= HIP_MAX_CPUS && h->num_mem <= HIP_MAX_MEM &&
           h->num_mods <= HIP_MAX_MODS;
}
