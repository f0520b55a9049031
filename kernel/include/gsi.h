/* SPDX-License-Identifier: MIT */
/* gsi.h — global system interrupts delivered as semaphore ups (assign_gsi). */
#pragma once

#include "kernel.h"

struct sm;

void gsi_interrupt(unsigned gsi);    /* its vector came: (mask a level GSI,) EOI, up its semaphore */
void gsi_sm_down(struct sm *sm);     /* a down of sm: its level GSI is unmasked again */
void gsi_sm_die(struct sm *sm);      /* sm dies: its GSI is masked and routed nowhere */
