// SPDX-License-Identifier: MIT
/* scenarios/run.c — run one Linux program, as tools/facet-run asked: facet-run/args in the archive
 * holds its path in the archive, then its arguments (argv[0] first), each ended by a NUL; or
 * (scenario shell, make shell) busybox sh on the console. Powers off with its exit status
 * (128 + signal-like code when it faults). */
#include <stdio.h>
#include <string.h>
#include "scenario.h"
#include "proc/process.h"
#include "fs/tar.h"
#include "fs/fs.h"
#include "linux/linux.h"
#include "facet/mem.h"

#define MAX_ARGS 32

static const char *const environment[] = { "LINUX_UNDER_FACET=1", "PATH=/bin", "HOME=/", "TERM=dumb", NULL };

const uint8_t *archive_open(uint64_t *len)
{
    if (fc_hip->num_mods < 2)
        return NULL;
    const uint8_t *tar = (const uint8_t *)(ROOT_MODULE_WINDOW + fc_hip->mod[1].addr);
    *len = fc_hip->mod[1].size;
    fc_mem_init(fc_hip);
    proc_init(tar, *len);
    fs_init(tar, *len);
    return tar;
}

/* Start p, wait for its end, tear it down: its exit status as "[tag] exit status N" says it
 * (128 + the signal that ended it, as a shell says; a fault: 128 + 11), cut to the 7 bits a
 * power-off status has (139 -> 127). */
static int run_to_end(struct proc *p, const char *tag, const char *path)
{
    printf("[%s] start %s\n", tag, path);
    if (proc_start(p, PROC_PRIO) != SUCCESS)
        return 122;
    proc_wait(p);
    int status = p->state == PROC_EXITED ? (int)(p->status & 0xff)
               : p->status > 128 && p->status < 128 + 65 ? (int)p->status   /* proc_exit_signaled */
               : 128 + 11;                                                   /* a fault: like SIGSEGV */
    printf("[%s] exit status %d\n", tag, status);
    proc_destroy(p);
    return status > 127 ? 127 : status;
}

/* One Linux program with the arguments tools/facet-run packed into the archive; its exit status is the boot's. */
int scenario_run(void)
{
    uint64_t len;
    const uint8_t *tar = archive_open(&len);
    if (!tar)
        return 120;

    struct tar_entry e;
    const char *why = NULL;
    if (tar_find(tar, len, "facet-run/args", &e, &why) != 1) {
        printf("[run] no facet-run/args in the archive%s%s\n", why ? ": " : "", why ? why : "");
        return 121;
    }
    /* The path, then argv[0], argv[1] ..., each ended by a NUL (an argument may hold newlines). */
    static char text[65536];
    static char *lines[MAX_ARGS + 1];
    uint64_t n = e.size < sizeof text - 1 ? e.size : sizeof text - 1;
    memcpy(text, e.data, n);
    text[n] = 0;
    int count = 0;
    for (char *p = text; p < text + n && count <= MAX_ARGS; p += strlen(p) + 1)
        lines[count++] = p;
    if (count < 2) {
        printf("[run] facet-run/args: expected the program's path and argv[0]\n");
        return 121;
    }
    /* Its stdout and stderr byte for byte on COM2 and COM3; its stdin what facet-run was given. */
    lx_console_mode = LX_CONSOLE_STREAMS;
    struct proc *p = linux_spawn(lines[0], count - 1, (const char *const *)&lines[1], environment, 0);
    if (!p)
        return 122;
    linux_stdin_file(p, "facet-run/stdin");
    return run_to_end(p, "run", lines[0]);
}

/*
 * make shell: Debian's busybox sh (bin/busybox in the archive) on the serial console, a
 * terminal: COM1's input by interrupt through the line discipline (linux/tty.c), the
 * programs' output straight to COM1. Its exit status is the boot's.
 */
static const char *const shell_environment[] = { "PATH=/bin", "HOME=/", "TERM=vt100", "LINUX_UNDER_FACET=1", NULL };

int scenario_shell(void)
{
    static const char *const argv[] = { "sh", NULL };
    uint64_t len;
    if (!archive_open(&len))
        return 120;
    lx_console_mode = LX_CONSOLE_TERMINAL;
    lx_tty_start();
    struct proc *p = linux_spawn("bin/busybox", 1, argv, shell_environment, 0);
    if (!p)
        return 122;
    return run_to_end(p, "shell", "bin/busybox sh");
}
