/* SPDX-License-Identifier: MIT */
/* delegate.h — delegation of capability ranges between PDs, by hypercall or inside IPC. */
#pragma once

#include "kernel.h"

struct pd;
struct ec;

/* Check, then delegate src_crd (in src) to dst_crd (in dst); the orders must match. */
int cap_delegate(struct pd *src, struct pd *dst, uint64_t src_crd, uint64_t dst_crd);
/* Typed items: t (CRD, hotspot) pairs after n words in from's UTCB, into to's receive window. */
int xfer_items(struct ec *from, struct ec *to, unsigned n, unsigned t);
