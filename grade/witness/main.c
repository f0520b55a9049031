// SPDX-License-Identifier: MIT
/*
 * grade/witness/main.c — the witness: a root task built only from kit code a student does
 * not edit (this directory, the small libc, the shared pure code, roottask/scenarios/faults.S,
 * vmm/start_state.c). The graders boot it per stage (and group). It checks the kernel's
 * mechanisms of that stage itself, with inputs drawn from the boot's key, and signs each
 * verdict with that key, which the grader made for this one boot: a line the grader cannot
 * verify counts as missing, so output printed by anything else scores nothing. It also
 * fuzzes, stresses and starves the kernel (fuzz.c, stress.c, inject.c).
 *
 * Command line (tools/mkiso, tools/boot): witness stage=NAME[+GROUP] key=HEX32 time_scale=F.
 * Output: "[witness] CHECK: ok #SEQ mac=HEX32" or "[witness] CHECK: FAIL (why) #SEQ mac=...",
 * with mac = HMAC-SHA-256(key, "SEED SEQ CHECK: VERDICT") cut to 16 bytes, SEED the hex of
 * the first 8 bytes of HMAC-SHA-256(key, "seed") (grade/lib/witness.py checks them).
 */
#include "witness.h"
#include "hmac.h"

/* ---- the run ------------------------------------------------------------------------------ */

static const char *arg(const char *cmdline, const char *name, char *out, size_t len)
{
    size_t n = strlen(name);
    out[0] = 0;
    for (const char *p = cmdline; *p; p++) {
        if ((p == cmdline || p[-1] == ' ') && !strncmp(p, name, n) && p[n] == '=') {
            size_t i = 0;
            for (p += n + 1; *p && *p != ' ' && i + 1 < len; p++)
                out[i++] = *p;
            out[i] = 0;
            break;
        }
    }
    return out;
}

static int nibble(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void witness_main(const struct hip *h, struct utcb *u) __attribute__((noreturn));
void witness_main(const struct hip *h, struct utcb *u)
{
    hip = h;
    root_utcb = u;
    const char *cmdline = h->num_mods ? h->mod[0].cmdline : "";
    char stage[32], text[80];
    arg(cmdline, "stage", stage, sizeof stage);
    char *plus = strchr(stage, '+');
    if (plus) {
        *plus = 0;
        snprintf(group, sizeof group, "%s", plus + 1);
    }
    arg(cmdline, "key", text, sizeof text);
    bool key_ok = strlen(text) == 2 * KEY_BYTES;
    for (unsigned i = 0; key_ok && i < KEY_BYTES; i++) {
        int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
        key_ok = hi >= 0 && lo >= 0;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    arg(cmdline, "time_scale", text, sizeof text);
    if (text[0]) {                          /* W or W.F: milli-units */
        unsigned w = 0, f = 0, digits = 0;
        const char *p = text;
        for (; *p >= '0' && *p <= '9'; p++)
            w = w * 10 + (unsigned)(*p - '0');
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
                f = f * 10 + (unsigned)(*p - '0');
        while (digits++ < 3)
            f *= 10;
        scale_milli = w * 1000 + f;
    }
    uint8_t d[32];
    hmac_sha256(key, sizeof key, "seed", 4, d);
    for (unsigned i = 0; i < 8; i++)
        seed = seed << 8 | d[i];
    rng_state = seed;
    for (unsigned i = 0; i < h->num_mem; i++)
        if (h->mem[i].type == HIP_MEM_ROOT && h->mem[i].size > frame_end - frame_next) {
            frame_next = h->mem[i].addr;
            frame_end = h->mem[i].addr + h->mem[i].size;
        }

    printf("[witness] stage %s%s%s, %u CPUs%s\n", stage, group[0] ? ", group " : "", group, h->num_cpus, key_ok ? "" : ", no key: nothing it signs will verify");
    verdict("start", NULL);
    if (!strcmp(stage, "portals"))
        stage_portals();
    else if (!strcmp(stage, "capabilities"))
        stage_capabilities();
    else if (!strcmp(stage, "ept"))
        stage_ept();
    else if (!strcmp(stage, "inject"))
        stage_inject();
    else if (!strcmp(stage, "quota"))
        stage_quota();
    else if (!strcmp(stage, "fastpath"))
        stage_fastpath();
    else if (!strcmp(stage, "stress")) {          /* stress+N: N revocations of each kind per worker */
        unsigned count = 0;
        for (const char *p = group; *p >= '0' && *p <= '9'; p++)
            count = count * 10 + (unsigned)(*p - '0');
        stage_stress(count ? count : 2000);
    } else if (!strcmp(stage, "fuzz")) {            /* fuzz+N: N calls per CPU */
        uint64_t count = 0;
        for (const char *p = group; *p >= '0' && *p <= '9'; p++)
            count = count * 10 + (uint64_t)(*p - '0');
        stage_fuzz(count ? count : 200000);
    } else if (!strcmp(stage, "syscall-redirection"))
        stage_syscall_redirection();
    else
        verdict("stage", "no such stage");
    char sum[48];
    snprintf(sum, sizeof sum, "%u checks, %u failed", checks, failures);
    verdict("end", failures ? sum : NULL);
    fc_poweroff(failures ? 1 : 0);
    for (;;)
        ;
}
