/* SPDX-License-Identifier: MIT */
/* kobj.h — the header every kernel object starts with, and the object caches. */
#pragma once

#include "kernel.h"

enum obj_type { OBJ_NONE, OBJ_PD, OBJ_EC, OBJ_SC, OBJ_PT, OBJ_SM, OBJ_TYPES };

struct kobj {
    uint8_t  type;            /* enum obj_type */
    uint32_t refs;            /* capabilities and kernel references */
    uint32_t id;              /* a serial number for console reports (pd#3, ec#7) */
};

void  kobj_init(struct kobj *o, enum obj_type type);
void *kobj_alloc(enum obj_type type);     /* zeroed object from its slab cache, or NULL */
void  kobj_cache_init(void);
void  kobj_report(void);                  /* [mm] line with objects in use per type */
const char *kobj_type_name(enum obj_type type);
void  kobj_free(void *obj);               /* back to its cache (object never published) */
