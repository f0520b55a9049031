/* SPDX-License-Identifier: MIT */
/* uapi/layout.h — the user address space and the roottask's initial capabilities. */
#pragma once

#define PAGE_SIZE        4096UL
#define PAGE_SHIFT       12

/* User space is the lower canonical half; the top page below it stays unmapped. */
#define USER_BASE        0x0000000000001000UL
#define USER_END         0x00007ffffffff000UL   /* exclusive */

/* Where the kernel puts the roottask's pieces (nothing else is mapped at start). */
#define ROOT_HIP         0x00007fffffffe000UL   /* the HIP, read-only */
#define ROOT_UTCB        0x00007fffffffd000UL   /* the root EC's UTCB */
#define ROOT_STACK_TOP   0x00007fffffff0000UL   /* grows down */
#define ROOT_STACK_PAGES 16
/* The roottask's memory: every frame of user memory (HIP type HIP_MEM_ROOT) at this offset. */
#define ROOT_MEM_WINDOW  0x0000400000000000UL
/* Boot modules (roottask ELF, userland tar), read-only at this offset + their physical address. */
#define ROOT_MODULE_WINDOW 0x0000300000000000UL

/*
 * The roottask's object space at start. Selectors 0..31 are the root EC's
 * event portals (event base 0: exceptions 0..29, startup, recall), all empty.
 */
#define SEL_EXC_BASE     0       /* + vector */
#define EV_GP            13      /* exception events are the vector: #GP ... */
#define EV_PF            14      /* ... and #PF, the two a Linux process gets SIGSEGV for */
#define EV_STARTUP       30      /* first dispatch of a new global EC */
#define EV_RECALL        31      /* ec_ctrl recall */
#define NUM_EVENTS       32
#define EV_FOREIGN_SYSCALL 0x100 /* the `vector` of a foreign PD's forwarded syscall message */
#define SEL_ROOT_PD      32      /* the roottask's PD (passthrough) */
#define SEL_ROOT_EC      33      /* its first EC */
#define SEL_ROOT_SC      34      /* that EC's SC */
#define SEL_FIRST_FREE   64      /* the roottask allocates from here */
#define SEL_MAX          (1UL << 17)   /* object-space size: selectors 0 .. SEL_MAX-1 */

#define ROOT_PRIO        64
#define ROOT_QUANTUM_US  10000
