/* SPDX-License-Identifier: MIT */
/* pd.h — protection domains: object space, address space, I/O port space. */
#pragma once

#include "kobj.h"
#include "cap.h"

struct pd {
    struct kobj obj;
    struct capspace *caps;       /* object space */
    uint64_t *pml4;              /* host address space */
    uint64_t *ept;               /* guest-physical space (its vCPUs' memory), NULL until the first guest delegation */
    uint8_t *iobitmap;           /* 8 KiB I/O permission bitmap (0 = allowed), NULL = no ports */
    bool passthrough;            /* the roottask (and PDs it marks so) */
    bool root;                   /* the roottask: its memory window and all ports are its own */
    bool foreign;                /* its `syscall`s are messages to foreign_base + cpu (unless NSCT) */
    sel_t foreign_base;
};

struct pd *pd_create(bool passthrough);  /* NULL on OOM */
void pd_activate(struct pd *pd);         /* load its address space and I/O bitmap on this CPU */
void pd_die(struct pd *pd);              /* last capability gone: drop its capabilities and mappings */
void pd_release(struct pd *pd);          /* nothing refers to it: free its tables */
