/* SPDX-License-Identifier: MIT */
/* scenarios/scenario.h — what the roottask can run, chosen by scenario=<name> on its command line. */
#pragma once

#include "facet/hypercall.h"
#include "facet/thread.h"

struct scenario {
    const char *name;
    const char *what;
    int (*run)(void);                 /* returns the power-off status: 0 = all went well */
};

/* The boot's seed=HEX (tools/boot's FACET_SEED, 0 without): inputs the grader recomputes. */
extern uint64_t scenario_seed;
/* scenario=NAME+GROUP runs only that group of NAME's checks (the graders boot each group on
 * its own: a hang costs only its group); without +GROUP every group runs. */
extern char scenario_group[16];
bool scenario_in_group(const char *group);
int scenario_boot(void);
int scenario_portals(void);
int scenario_bench(void);
int scenario_bench_vm(void);
int scenario_caps(void);
int scenario_caps_many(void);
int scenario_sysredir(void);
int scenario_ept(void);
int scenario_linux(void);
int scenario_run(void);
int scenario_shell(void);
int scenario_vm(void);
int scenario_inject(void);

/* The userland archive (module 1), with the process manager and the file system on it; NULL: none. */
const uint8_t *archive_open(uint64_t *len);

/* Print one check line: "[tag] name status=N" — the grader knows which N is right. */
void report_status(const char *tag, const char *name, unsigned status);
