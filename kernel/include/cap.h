/* SPDX-License-Identifier: MIT */
/* cap.h — a PD's object space: selector -> (object, permissions). */
#pragma once

#include "kobj.h"
#include "uapi/layout.h"
#include "uapi/utcb.h"

struct cap {
    struct kobj *obj;
    uint64_t perm;
};

#define CAPS_PER_LEAF  (PAGE_SIZE / sizeof(struct cap))
#define CAP_LEAVES     (SEL_MAX / CAPS_PER_LEAF)

/* Two levels: a page of leaf pointers, leaves allocated on first use. */
struct capspace {
    struct cap *leaf[CAP_LEAVES];
};
_Static_assert(sizeof(struct capspace) == PAGE_SIZE, "one page of leaf pointers");

struct pd;

/* The one typed, permission-checked lookup: NULL on any failure. */
void *cap_get(struct pd *pd, sel_t sel, enum obj_type type, uint64_t perm);
/* Is the selector inside the space and free? */
bool  cap_free(struct pd *pd, sel_t sel);
/* Put obj at a free selector; SUCCESS, BAD_CAP (out of range or taken) or OOM. */
int   cap_insert(struct pd *pd, sel_t sel, struct kobj *obj, uint64_t perm);
/* Make sure the leaf for sel exists (so a later insert cannot fail): SUCCESS or OOM. */
int   cap_reserve(struct pd *pd, sel_t sel);
void  capspace_destroy(struct capspace *cs);
