/* SPDX-License-Identifier: MIT */
/* pt.h — portals: an entry point into a local EC. */
#pragma once

#include "kobj.h"

struct ec;

struct pt {
    struct kobj obj;
    struct ec *ec;               /* the local EC that handles calls */
    uint64_t ip;                 /* entry point */
    uint64_t mtd;                /* state carried by kernel-initiated messages */
    uint64_t id;                 /* passed to the handler in rdi (pt_ctrl) */
};
