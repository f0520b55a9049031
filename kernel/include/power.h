/* SPDX-License-Identifier: MIT */
/* power.h — ending the run: QEMU's isa-debug-exit, Bochs' shutdown port. */
#pragma once

#include "kernel.h"

NORETURN void machine_poweroff(unsigned status);
