// SPDX-License-Identifier: MIT
/* src/services/exc.c — how the roottask reports an exception message: vector, error, address, registers. */
#include <stdio.h>
#include "services/services.h"

void exc_report(const char *tag, const struct utcb *u)
{
    const struct utcb_exc *x = &u->exc;
    printf("[%s] vector=%lu err=%#lx addr=%#lx rip=%#lx rsp=%#lx rflags=%#lx\n"
           "[%s]   rax=%#lx rbx=%#lx rcx=%#lx rdx=%#lx rsi=%#lx rdi=%#lx rbp=%#lx\n",
           tag, x->vector, x->qual[0], x->qual[1], x->rip, x->rsp, x->rflags,
           tag, x->rax, x->rbx, x->rcx, x->rdx, x->rsi, x->rdi, x->rbp);
}
