/* SPDX-License-Identifier: MIT */
/* facet/app.h — how the roottask's process manager lays out a native program. */
#pragma once

/*
 * Address space: the ELF's segments (from 0x400000), a stack below
 * APP_STACK_TOP, the UTCB at APP_UTCB, and memory the program is given at
 * APP_SHARED. Object space: the capabilities below, nothing else. The
 * program starts at its entry with rdi = its argument, rsi = its process id.
 */
#define APP_UTCB         0x00007fffffffd000UL
#define APP_STACK_TOP    0x00007fffffff0000UL
#define APP_STACK_PAGES  8
#define APP_SHARED       0x0000000010000000UL

#define APP_SEL_EVENTS   0     /* 0..31: exception portals, startup (30): served by the roottask */
#define APP_SEL_CONSOLE  32    /* the console service */
#define APP_SEL_EXIT     33    /* mr[0] = exit status; the roottask tears the process down */
#define APP_SEL_ECHO     34    /* the echo service */
#define APP_SEL_NOTIFY   35    /* "look at my memory now": mr[0] = what, reply mr[0] = verdict */
#define APP_SEL_FS       36    /* the file service (facet/fs.h) */
#define APP_SEL_RECV     64    /* receive window for object capabilities (16 selectors) */
#define APP_SEL_FOREIGN  128   /* foreign PDs: 128 + cpu (64 CPUs at most), the portal its syscalls go to */
#define APP_SEL_NOCALL   40    /* the violator: a portal capability without the call right */
#define APP_SEL_FIRST    192   /* a program's own selectors start here (it may create none) */
