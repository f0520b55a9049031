/* SPDX-License-Identifier: MIT */
/* facet/hybrid.h — for Linux programs that also speak Facet: one native hypercall through the NSCT.
 *
 * A program in a foreign PD can make a Facet hypercall by setting the Native System Call
 * Toggle in its UTCB first; the kernel treats the next `syscall` as native and clears the
 * toggle. Header-only, so a musl or glibc program needs nothing else:
 *     musl-gcc -static -Ikernel/include -Iroottask/lib/facet/include prog.c
 */
#pragma once

#include <stdint.h>
#include "uapi/hypercall.h"
#include "uapi/utcb.h"
#include "facet/app.h"

static inline struct utcb *facet_utcb(void)
{
    return (struct utcb *)APP_UTCB;
}

/* Call portal `sel` with n words (in place: the reply's words come back in words[]). */
static inline unsigned facet_call(uint64_t sel, uint64_t *words, unsigned n)
{
    struct utcb *u = facet_utcb();
    for (unsigned i = 0; i < n; i++)
        u->mr[i] = words[i];
    u->head.items = UTCB_ITEMS(n, 0);
    u->head.flags |= UTCB_NSCT;                  /* the next syscall is a Facet hypercall */
    uint64_t a1 = HC_ARG1(HC_call, 0, sel), a2 = 0, a3 = 0, a4 = 0;
    register uint64_t r8 __asm__("r8") = 0;
    __asm__ volatile("syscall" : "+D"(a1), "+S"(a2), "+d"(a3), "+a"(a4), "+r"(r8) :: "rcx", "r11", "memory");
    unsigned got = UTCB_UNTYPED(u->head.items);
    for (unsigned i = 0; i < n && i < got; i++)
        words[i] = u->mr[i];
    return (unsigned)(a1 & 0xff);
}
