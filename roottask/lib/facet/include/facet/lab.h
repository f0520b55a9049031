/* SPDX-License-Identifier: MIT */
/* facet/lab.h — what a lab hole's stub does in user space: say once what is missing. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#define LAB_TODO(what)                                                        \
    do {                                                                      \
        static bool lab_said_;                                                \
        if (!lab_said_) {                                                     \
            lab_said_ = true;                                                 \
            printf("[lab] not implemented: %s\n", what);                      \
        }                                                                     \
    } while (0)
