/* SPDX-License-Identifier: MIT */
/* syscall.h — hypercall handlers and the accessors that decode their registers. */
#pragma once

#include "cpu.h"
#include "uapi/hypercall.h"

struct ec;

/*
 * Hedron's convention: ARG1=rdi ARG2=rsi ARG3=rdx ARG4=rax ARG5=r8,
 * OUT1=rdi (status in bits 7:0), OUT2=rsi.
 */
static inline uint64_t arg1(const struct cpu_regs *r) { return r->rdi; }
static inline uint64_t arg2(const struct cpu_regs *r) { return r->rsi; }
static inline uint64_t arg3(const struct cpu_regs *r) { return r->rdx; }
static inline uint64_t arg4(const struct cpu_regs *r) { return r->rax; }
static inline uint64_t arg5(const struct cpu_regs *r) { return r->r8; }
static inline unsigned hc_flags(const struct cpu_regs *r) { return HC_FLAGS(r->rdi); }
static inline uint64_t hc_sel(const struct cpu_regs *r) { return HC_SEL(r->rdi); }
static inline void set_out2(struct cpu_regs *r, uint64_t v) { r->rsi = v; }

/* A handler validates, then acts; it returns a status, or never returns if it blocked. */
typedef int (*hc_fn)(struct ec *ec, struct cpu_regs *r);

#define HC_PROTO(num, name, summary) int sys_##name(struct ec *ec, struct cpu_regs *r);
FACET_HYPERCALLS(HC_PROTO)
#undef HC_PROTO

NORETURN void sys_finish(struct ec *ec, int status);  /* status into OUT1, back to user */
