/* SPDX-License-Identifier: MIT */
/* lab.h — what a lab hole's stub does: say once, on the console, what is missing. */
#pragma once

#include "kernel.h"

/* One "[lab] not implemented: <what>" line per hole, the first time it is reached. */
#define LAB_TODO(what)                                                        \
    do {                                                                      \
        static bool lab_said_;                                                \
        if (!lab_said_) {                                                     \
            lab_said_ = true;                                                 \
            kprintf("[lab] not implemented: %s\n", what);                     \
        }                                                                     \
    } while (0)
