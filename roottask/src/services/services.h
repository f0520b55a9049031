/* SPDX-License-Identifier: MIT */
/* src/services/services.h — the roottask's portal services: echo, console, files, exception handling. */
#pragma once

#include "facet/thread.h"
#include "facet/console.h"

/* Echo: reply word i = (word i ^ ECHO_XOR) + i, so a caller can tell it was handled. */
#define ECHO_XOR 0x5a5a5a5a5a5a5a5aULL
void echo_handler(uint64_t id, struct utcb *u);
extern volatile uint64_t echo_served;

/* Console: mr[0] = length, mr[1..] the bytes; printed as one line "[console] client <id>: ...". */
void console_handler(uint64_t id, struct utcb *u);

/* Files: the in-memory file system for programs (protocol: facet/fs.h); id = the process's slot. */
#define FS_SERVICE_CLIENTS 32
void fs_service_handler(uint64_t id, struct utcb *u);
void fs_service_release(uint64_t id);             /* the process is gone: its descriptors close */

/* Exceptions: the state a roottask exception portal asks for. */
#define EXC_MTD (MTD_GPR_ACDB | MTD_GPR_BSD | MTD_RSP | MTD_RIP_LEN | MTD_RFLAGS | MTD_QUAL | MTD_GPR_R8_R15)
void exc_report(const char *tag, const struct utcb *u);
