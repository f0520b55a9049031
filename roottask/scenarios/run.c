// SPDX-License-Identifier: MIT
/* scenarios/run.c — run one Linux program, as tools/facet-run asked: facet-run/args in the archive
 * holds its path in the archive, then its arguments (argv[0] first), each ended by a NUL. Powers off with its
 * exit status (128 + signal-like code when it faults). */
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

/* One Linux program with the arguments tools/facet-run packed into the archive; its exit status is the boot's. */
int scenario_run(void)
{
    if (fc_hip->num_mods < 2)
        return 120;
    const uint8_t *tar = (const uint8_t *)(ROOT_MODULE_WINDOW + fc_hip->mod[1].addr);
    uint64_t len = fc_hip->mod[1].size;
    fc_mem_init(fc_hip);
    proc_init(tar, len);
    fs_init(tar, len);

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
    lx_raw_streams = true;
    struct proc *p = linux_spawn(lines[0], count - 1, (const char *const *)&lines[1], environment, 0);
    if (!p)
        return 122;
    linux_stdin_file(p, "facet-run/stdin");
    printf("[run] start %s\n", lines[0]);
    if (proc_start(p, PROC_PRIO) != SUCCESS)
        return 122;
    proc_wait(p);
    int status = p->state == PROC_EXITED ? (int)(p->status & 0xff) : 128 + 11;   /* like SIGSEGV */
    printf("[run] exit status %d\n", status);
    proc_destroy(p);
    return status > 127 ? 127 : status;          /* the power-off status is 7 bits; 139 -> 127 */
}
