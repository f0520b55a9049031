// SPDX-License-Identifier: MIT
/* src/main.c — the roottask: banner, HIP, then the scenario its command line names. */
#include <stdio.h>
#include <string.h>
#include "facet/time.h"
#include "../scenarios/scenario.h"
#include "lib/hip.h"
#include "fs/fs.h"
#include "com1.h"

uint64_t scenario_seed;
char scenario_group[16];

bool scenario_in_group(const char *group)
{
    return !scenario_group[0] || !strcmp(scenario_group, group);
}

static const struct scenario scenarios[] = {
    { "boot", "banner, HIP, threads and semaphores, bad hypercalls", scenario_boot },
    { "portals", "IPC call/reply, nested and busy handlers, exceptions in user space", scenario_portals },
    { "capabilities", "programs in their own PDs, delegation, revocation", scenario_caps },
    { "capabilities-many", "1000 processes created and destroyed; nothing lost", scenario_caps_many },
    { "ept", "virtual machines: the vCPU interface, test guests under the user-level VMM", scenario_ept },
    { "syscall-redirection", "foreign PDs: syscalls to a personality over IPC, the NSCT", scenario_sysredir },
    { "linux", "unmodified static Linux programs under the Linux personality", scenario_linux },
    { "run", "one Linux program named in facet-run/args (tools/facet-run)", scenario_run },
    { "shell", "busybox sh on the serial console, input by interrupt (make shell)", scenario_shell },
    { "vm", "a Linux guest (vm/ in the archive) under the VMM, on the serial console (tools/facet-vm)", scenario_vm },
    { "bench", "round-trip costs: hypercall, IPC, exceptions, foreign and Linux syscalls, VM exits", scenario_bench },
    { "bench-vm", "the round trips of bench without Linux, VM exits included (for Bochs)", scenario_bench_vm },
    { "inject", "the roottask's page allocations failing in turn under a Linux workload (FAIL_INJECTION=1)", scenario_inject },
};

void report_status(const char *tag, const char *name, unsigned status)
{
    printf("[%s] %s status=%u (%s)\n", tag, name, status, fc_status_name(status));
}

/* The value of key=... in the command line, copied into buf; "" if absent. */
static void cmdline_get(const char *cmdline, const char *key, char *buf, size_t cap)
{
    size_t klen = strlen(key);
    buf[0] = 0;
    for (const char *p = cmdline; *p; ) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, key, klen) && p[klen] == '=') {
            p += klen + 1;
            size_t n = 0;
            while (p[n] && p[n] != ' ' && n + 1 < cap) {
                buf[n] = p[n];
                n++;
            }
            buf[n] = 0;
            return;
        }
        while (*p && *p != ' ')
            p++;
    }
}

static const char *mem_type(int32_t t)
{
    switch (t) {
    case HIP_MEM_AVAILABLE: return "available";
    case HIP_MEM_RESERVED:  return "reserved";
    case HIP_MEM_ACPI:      return "acpi";
    case HIP_MEM_NVS:       return "nvs";
    case HIP_MEM_BAD:       return "bad";
    case HIP_MEM_KERNEL:    return "kernel";
    case HIP_MEM_MODULE:    return "module";
    default:                return "other";
    }
}

static void hip_print(const struct hip *h)
{
    printf("[hip] checksum %s, %u bytes, version %u\n", hip_valid(h) ? "valid" : "INVALID", h->length, h->version);
    for (unsigned i = 0; i < h->num_mem; i++)
        printf("[hip] mem %#018lx-%#018lx %s\n", h->mem[i].addr, h->mem[i].addr + h->mem[i].size,
               mem_type(h->mem[i].type));
    printf("[hip] memory available_kib=%lu frames_free=%lu\n", h->mem_total >> 10, h->frames_free);
    for (unsigned i = 0; i < h->num_mods; i++)
        printf("[hip] module %u size=%lu cmdline=\"%s\"\n", i, h->mod[i].size, h->mod[i].cmdline);
    printf("[hip] modules=%u\n", h->num_mods);
    for (unsigned i = 0; i < h->num_cpus; i++)
        printf("[hip] cpu %u apic=%u\n", i, h->cpu[i].apic_id);
    printf("[hip] cpus=%u\n", h->num_cpus);
    printf("[hip] tsc_khz=%u lapic_khz=%u sel_max=%u\n", h->tsc_khz, h->lapic_khz, h->sel_max);
    printf("[hip] features vmx=%u ept=%u svm=%u npt=%u\n", !!(h->features & HIP_FEAT_VMX),
           !!(h->features & HIP_FEAT_EPT), !!(h->features & HIP_FEAT_SVM), !!(h->features & HIP_FEAT_NPT));
}

void fc_start(const struct hip *hip, struct utcb *utcb) __attribute__((noreturn));
/* The roottask's C entry: report the HIP, take the time scale, run the scenario, power off with its status. */
void fc_start(const struct hip *hip, struct utcb *utcb)
{
    fc_runtime_init(hip, utcb);
    /* The locks whose waiters sleep (facet/sleeplock.h): the console's, the file system's. */
    sel_t waiters = fc_sel_alloc(2);
    if (fc_create_sm(waiters, SEL_ROOT_PD, 0) != SUCCESS || fc_create_sm(waiters + 1, SEL_ROOT_PD, 0) != SUCCESS)
        printf("[root] no semaphores for the console's and the file system's locks\n");
    console_lock_init(waiters, hip->tsc_khz);
    fs_lock_init(waiters + 1, hip->tsc_khz);
    const char *cmdline = hip->num_mods ? hip->mod[0].cmdline : "";
    printf("[root] Facet roottask, command line \"%s\"\n", cmdline);
    hip_print(hip);

    char name[32];
    cmdline_get(cmdline, "time_scale", name, sizeof name);
    if (name[0] && !fc_time_scale_parse(name))
        printf("[root] time_scale=%s is no number: waits stay unscaled\n", name);
    cmdline_get(cmdline, "seed", name, sizeof name);
    for (const char *p = name; *p; p++)
        scenario_seed = scenario_seed << 4 | (uint64_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
    cmdline_get(cmdline, "scenario", name, sizeof name);
    char *plus = strchr(name, '+');             /* scenario+group: one group of its checks */
    if (plus) {
        *plus = 0;
        snprintf(scenario_group, sizeof scenario_group, "%s", plus + 1);
    }
    int status = 125;
    const struct scenario *sc = NULL;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (!strcmp(scenarios[i].name, name))
            sc = &scenarios[i];
    if (!sc) {
        printf("[root] unknown scenario \"%s\"; known:", name);
        for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
            printf(" %s", scenarios[i].name);
        printf("\n");
    } else {
        printf("[root] scenario %s: %s%s%s\n", sc->name, sc->what, scenario_group[0] ? "; group " : "", scenario_group);
        status = sc->run();
        printf("[root] scenario %s finished, status %d\n", sc->name, status);
    }
    unsigned s = fc_poweroff((unsigned)status);
    printf("[root] poweroff failed: %s\n", fc_status_name(s));
    for (;;)
        ;
}
