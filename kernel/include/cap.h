/* SPDX-License-Identifier: MIT */
/* cap.h — a PD's object space: selector -> (object, permissions), with derivation links. */
#pragma once

#include "kobj.h"
#include "mdb.h"
#include "uapi/layout.h"
#include "uapi/utcb.h"

struct pd;

struct cap {
    struct kobj *obj;            /* NULL: empty slot */
    uint64_t perm;
    struct mdb mdb;              /* derived from / delegated to */
    struct pd *pd;               /* the space this slot belongs to */
    sel_t sel;
    uint64_t reserved;
};
_Static_assert(sizeof(struct cap) == 64, "a power of two: leaves hold whole slots");

#define CAPS_PER_LEAF  (PAGE_SIZE / sizeof(struct cap))     /* 64 */
#define CAP_LEAVES     (SEL_MAX / CAPS_PER_LEAF)             /* 2048 */

/* Two levels: 16 KiB of leaf pointers, leaves allocated on first use. */
struct capspace {
    struct cap *leaf[CAP_LEAVES];
};
#define CAPSPACE_ORDER 2                                     /* 4 pages */
_Static_assert(sizeof(struct capspace) == (PAGE_SIZE << CAPSPACE_ORDER), "capspace size");

/* The one typed, permission-checked lookup: NULL on any failure. */
void *cap_get(struct pd *pd, sel_t sel, enum obj_type type, uint64_t perm);
struct cap *cap_slot(struct pd *pd, sel_t sel);   /* the slot, or NULL if its leaf is not there */
bool  cap_free(struct pd *pd, sel_t sel);         /* inside the space and empty */
int   cap_reserve(struct pd *pd, sel_t sel);      /* make sure the leaf exists: SUCCESS or OOM */
/* Put obj at a free, reserved selector, derived from `parent` (NULL: an original). */
void  cap_insert(struct pd *pd, sel_t sel, struct kobj *obj, uint64_t perm, struct cap *parent);
/* Remove what was derived from c (in every PD), and c itself when `self`. */
void  cap_revoke(struct cap *c, bool self);
void  capspace_clear(struct pd *pd);              /* revoke every slot */
void  capspace_free(struct pd *pd);               /* give the pages back */
