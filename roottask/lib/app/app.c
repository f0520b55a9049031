// SPDX-License-Identifier: MIT
/* lib/app/app.c — the runtime of a native program: its UTCB, console output, exit. */
#include <stdio.h>
#include <string.h>
#include "facet/app.h"
#include "facet/console.h"
#include "facet/thread.h"

struct utcb *fc_utcb(void)
{
    return (struct utcb *)APP_UTCB;
}

/* printf's backend: one console-portal call per line. */
void console_out(const char *s, size_t n)
{
    char line[512];
    if (n >= sizeof line)
        n = sizeof line - 1;
    memcpy(line, s, n);
    if (n && line[n - 1] == '\n')
        n--;                                 /* the service prints whole lines */
    line[n] = 0;
    fc_utcb()->head.flags |= UTCB_NSCT;      /* native, also in a foreign PD (the kernel clears it) */
    console_write(APP_SEL_CONSOLE, line);
}

void app_exit(uint64_t status) __attribute__((noreturn));
void app_exit(uint64_t status)
{
    struct utcb *u = fc_utcb();
    for (;;) {
        u->mr[0] = status;
        u->head.items = UTCB_ITEMS(1, 0);
        u->head.flags |= UTCB_NSCT;
        fc_call(APP_SEL_EXIT);               /* the roottask ends us; it never returns for long */
    }
}
