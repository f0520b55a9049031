// SPDX-License-Identifier: MIT
/* scenarios/linux.c — unmodified static Linux programs under the Linux personality. */
#include <stdio.h>
#include <string.h>
#include "scenario.h"
#include "proc/process.h"
#include "linux/linux.h"
#include "facet/mem.h"
#include "fs/fs.h"

/* The environment every Linux program gets here: it may tell it runs under Facet. */
static const char *const environment[] = { "LINUX_UNDER_FACET=1", "PATH=/bin", "HOME=/", NULL };

static void run_linux(const char *path, int argc, const char *const *argv)
{
    struct proc *p = linux_spawn(path, argc, argv, environment, 0);
    if (!p)
        return;
    printf("[linux] start %s\n", path);
    proc_run(p, 60000, "linux", path);            /* an upper bound (x the time scale): a loaded host is slow */
}

/* Stage 5: the Linux test programs and busybox applets, each compared by the grader with the host. */
int scenario_linux(void)
{
    if (fc_hip->num_mods < 2)
        return 1;
    fc_mem_init(fc_hip);
    const uint8_t *tar = (const uint8_t *)(ROOT_MODULE_WINDOW + fc_hip->mod[1].addr);
    proc_init(tar, fc_hip->mod[1].size);
    fs_init(tar, fc_hip->mod[1].size);
    /* Arguments with the boot's seed in them: the grader runs the host's binary with the same. */
    char w1[16], w2[16], hello1[24], hello2[32], echo1[32], echo2[40], auxv1[24], auxv2[40], pie1[24], pie2[24];
    snprintf(w1, sizeof w1, "%08lx", scenario_seed >> 32);
    snprintf(w2, sizeof w2, "%08lx", scenario_seed & 0xffffffff);
    snprintf(hello1, sizeof hello1, "one-%s", w1);
    snprintf(hello2, sizeof hello2, "two words %s", w2);
    snprintf(echo1, sizeof echo1, "hello from %s", w1);
    snprintf(echo2, sizeof echo2, "busybox on Facet %s", w2);
    snprintf(auxv1, sizeof auxv1, "first-%s", w1);
    snprintf(auxv2, sizeof auxv2, "second argument %s", w2);
    snprintf(pie1, sizeof pie1, "loaded-%s", w1);
    snprintf(pie2, sizeof pie2, "anywhere %s", w2);
    const char *const hello_argv[] = { "hello", hello1, hello2 };
    run_linux("linux/hello", 3, hello_argv);
    const char *const errors_argv[] = { "errors" };
    run_linux("linux/errors", 1, errors_argv);
    const char *const matmul_argv[] = { "matmul", w2 };
    run_linux("linux/matmul", 2, matmul_argv);
    const char *const hybrid_argv[] = { "hybrid" };
    run_linux("linux/hybrid", 1, hybrid_argv);
    const char *const segv_argv[] = { "segv" };
    run_linux("linux/segv", 1, segv_argv);
    const char *const echo_argv[] = { "busybox", "echo", echo1, echo2 };
    run_linux("linux/busybox", 4, echo_argv);
    /* Relative paths: the working directory is the archive's root (the grader runs the same
     * commands on Linux inside the tree the archive is built from). */
    const char *const cat_argv[] = { "busybox", "cat", "README" };
    run_linux("linux/busybox", 3, cat_argv);
    const char *const wc_argv[] = { "busybox", "wc", "README" };
    run_linux("linux/busybox", 3, wc_argv);
    const char *const ls_argv[] = { "busybox", "ls", "-1", ".", "bin", "linux" };
    run_linux("linux/busybox", 6, ls_argv);
    const char *const auxv_argv[] = { "auxv", auxv1, auxv2 };
    run_linux("linux/auxv", 3, auxv_argv);
    const char *const pie_argv[] = { "pie", pie1, pie2 };
    run_linux("linux/pie", 3, pie_argv);
    const char *const syscalls_argv[] = { "syscalls" };
    run_linux("linux/syscalls", 1, syscalls_argv);
    /* A native program on the same file system, through the file service (facet/fs.h); it
     * leaves native.txt, and a Linux program reads it. */
    proc_run(proc_spawn("fsuser", 0, 0), 20000, "native", "bin/fsuser");
    const char *const native_argv[] = { "busybox", "cat", "native.txt" };
    run_linux("linux/busybox", 3, native_argv);
    /* It leaves its files in the file system. */
    const char *const fileops_argv[] = { "fileops" };
    run_linux("linux/fileops", 1, fileops_argv);
    /* 100 000 random syscalls: the personality survives, nothing leaks, the system goes on. */
    uint64_t before = fc_pages_free();
    const char *const fuzz_argv[] = { "fuzz" };
    run_linux("linux/fuzz", 1, fuzz_argv);
    printf("[linux] after the fuzzer: roottask pages free before=%lu after=%lu\n", before, fc_pages_free());
    const char *const after_argv[] = { "busybox", "echo", "still here" };
    run_linux("linux/busybox", 3, after_argv);
    /* Memory the Linux way: 64 MiB of malloc, reservations of GiBs, a stack that grows; after it
     * every page is back. */
    before = fc_pages_free();
    const char *const bigmem_argv[] = { "bigmem" };
    run_linux("linux/bigmem", 1, bigmem_argv);
    printf("[linux] after bigmem: roottask pages free before=%lu after=%lu\n", before, fc_pages_free());
    /* Pipes and descriptor duplication inside one process. */
    const char *const pipes_argv[] = { "pipes" };
    run_linux("linux/pipes", 1, pipes_argv);
    /* Processes: fork, wait4, a pipe between parent and child, a child that faults. */
    const char *const forks_argv[] = { "forks" };
    run_linux("linux/forks", 1, forks_argv);
    /* Signals: handlers, masks, SIGPIPE, SIGCHLD, deaths by a signal. */
    const char *const signals_argv[] = { "signals" };
    run_linux("linux/signals", 1, signals_argv);
    const char *const sigfault_argv[] = { "sigfault" };
    run_linux("linux/sigfault", 1, sigfault_argv);
    /* What shells need: process groups, sessions, the console's foreground group, timers, EINTR. */
    const char *const jobs_argv[] = { "jobs" };
    run_linux("linux/jobs", 1, jobs_argv);
    /* The file system a shell needs: links, modes, owners, truncate, times, statx. */
    const char *const files_argv[] = { "files" };
    run_linux("linux/files", 1, files_argv);
    /* Waiting and time: eventfd, timerfd, epoll; sleeps on each clock, CPUs, getrusage, sysinfo. */
    const char *const events_argv[] = { "events" };
    run_linux("linux/events", 1, events_argv);
    const char *const schedinfo_argv[] = { "schedinfo" };
    run_linux("linux/schedinfo", 1, schedinfo_argv);
    /* Threads: 20 processes in a row, 64 threads each taking one mutex; after them every page
     * of the roottask and every frame and object of the kernel is back. The first 20 make the
     * thread handlers (kept for the next threads); the next 20 are counted. */
    const char *const stress_argv[] = { "threadstress", "20" };
    run_linux("linux/threadstress", 2, stress_argv);
    fc_sleep_ms(1000);                               /* the thread reaper and the kernel catch up */
    uint64_t frames[2], objects[2];
    before = fc_pages_free();
    fc_stats(&frames[0], &objects[0]);
    run_linux("linux/threadstress", 2, stress_argv);
    fc_sleep_ms(1000);
    fc_stats(&frames[1], &objects[1]);
    printf("[linux] after threadstress: roottask pages free before=%lu after=%lu; kernel frames free %lu then %lu, "
           "objects %lu then %lu\n", before, fc_pages_free(), frames[0], frames[1], objects[0], objects[1]);
    /* A sleeping process blocks only itself: on the same CPU another program runs meanwhile. */
    const char *const sleeper_argv[] = { "sleeper", "3000" };
    struct proc *sleeper = linux_spawn("linux/sleeper", 2, sleeper_argv, environment, 0);
    if (sleeper && proc_start(sleeper, PROC_PRIO) == SUCCESS) {
        printf("[linux] start linux/sleeper, in the background\n");
        fc_sleep_ms(300);                            /* it is asleep by now (it said so) */
        const char *const meanwhile_argv[] = { "busybox", "echo", "meanwhile" };
        run_linux("linux/busybox", 3, meanwhile_argv);
        unsigned w = proc_wait_ms(sleeper, 20000);
        printf("[linux] linux/sleeper: process %u %s status=%lu (wait %u)\n", sleeper->id,
               proc_state_name(sleeper), sleeper->status, w);
        proc_destroy(sleeper);
    }
    /* A shell: busybox sh forks, pipes and execs itself (/proc/self/exe) for each applet. */
    static const char *const scripts[] = {
        "echo a | cat",
        "for i in 1 2 3; do echo line $i; done | wc -l",
        "x=$(echo substituted); echo \"got $x\"; (echo in a subshell; exit 3); echo status $?",
        "cat README | head -n 2 | tr a-z A-Z",
    };
    for (unsigned i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
        const char *const sh_argv[] = { "busybox", "sh", "-c", scripts[i] };
        run_linux("linux/busybox", 4, sh_argv);
    }
    /* The wall clock: the RTC, as the host's (QEMU's RTC is the host's time in UTC). */
    const char *const date_argv[] = { "busybox", "date", "-u", "+%Y-%m" };
    run_linux("linux/busybox", 4, date_argv);
    /* The archive's links: linux/sh -> busybox, and a second name of busybox. */
    const char *const links_argv[] = {
        "busybox", "sh", "-c",
        "readlink linux/sh; linux/sh -c 'echo run through the link'; ls -l linux/sh | cut -c1-10; "
        "stat -c '%h %a %s' linux/busybox-hard; [ linux/busybox -ef linux/busybox-hard ] && echo one file",
    };
    run_linux("linux/busybox", 4, links_argv);
    return 0;
}
