/* SPDX-License-Identifier: MIT */
/* tests/fc_spin_stub.h — facet/spin.h's nap for host tests of roottask code: they run one thread, so a spin lock is never found taken, and a nap would be a bug. */
#pragma once
#include <stdlib.h>

void fc_spin_nap(void) { abort(); }
