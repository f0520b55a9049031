/* SPDX-License-Identifier: MIT */
/* lib/hip.h — building and checking the Hypervisor Information Page. */
#pragma once

#include <stdbool.h>
#include "uapi/hip.h"

void hip_init(struct hip *h);
bool hip_add_mem(struct hip *h, uint64_t addr, uint64_t size, int32_t type);
bool hip_add_module(struct hip *h, uint64_t addr, uint64_t size, const char *cmdline);
bool hip_add_cpu(struct hip *h, uint8_t apic_id);
void hip_seal(struct hip *h);                /* computes the checksum: call last */
bool hip_valid(const struct hip *h);         /* signature, version, length and checksum */
