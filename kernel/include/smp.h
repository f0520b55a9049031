/* SPDX-License-Identifier: MIT */
/* smp.h — bringing up the application processors. */
#pragma once

#include "multiboot.h"

void smp_boot(const struct boot_info *bi);   /* BSP: start every CPU the MADT lists */
void cpu_local_init(struct cpu *c);          /* GDT/TSS/IDT/SYSCALL/LAPIC of this CPU */
