/* SPDX-License-Identifier: MIT */
/* tests/test_linux_stack.c — the initial stack of a Linux process (build_stack), read back as the x86-64 ABI reads it. */
#include "roottask/src/linux/exec.c"
#include "unit.h"

/*
 * From here on AT_* are the host's numbers (<elf.h>, the kernel's UAPI), not exec.c's: every
 * auxv entry is looked up under Linux's number, so a wrong key in exec.c shows as a missing
 * entry. (exec.c's body was compiled above with its own defines.)
 */
#undef AT_NULL
#undef AT_PHDR
#undef AT_PHENT
#undef AT_PHNUM
#undef AT_PAGESZ
#undef AT_BASE
#undef AT_FLAGS
#undef AT_ENTRY
#undef AT_UID
#undef AT_EUID
#undef AT_GID
#undef AT_EGID
#undef AT_PLATFORM
#undef AT_HWCAP
#undef AT_CLKTCK
#undef AT_SECURE
#undef AT_RANDOM
#undef AT_EXECFN
#include <elf.h>
#include <errno.h>
#include <cpuid.h>
#include <sys/auxv.h>

/*
 * The process: its stack is the APP_STACK_PAGES pages below APP_STACK_TOP, as the process
 * manager maps them. proc_write copies into them and refuses anything outside (an unmapped
 * address). Every build starts from a pattern, not zeros: a NULL that is never written shows.
 */
#define STACK_BYTES (APP_STACK_PAGES * 4096UL)
#define STACK_LOW   (APP_STACK_TOP - STACK_BYTES)
#define PATTERN     0xa5

static struct proc proc;
static uint8_t stack[STACK_BYTES];
static unsigned refused;                  /* proc_write calls outside the stack */

bool proc_write(struct proc *p, uint64_t va, const void *src, uint64_t len)
{
    if (p != &proc || va < STACK_LOW || va > APP_STACK_TOP || len > APP_STACK_TOP - va) {
        refused++;
        return false;
    }
    memcpy(&stack[va - STACK_LOW], src, len);
    return true;
}

/* What linux_spawn needs besides build_stack. */
static unsigned spawned, destroyed;
struct proc *proc_spawn_path(const char *path, unsigned cpu, proc_personality personality)
{
    (void)path;
    (void)cpu;
    CHECK(personality == linux_syscall);
    spawned++;
    return &proc;
}
void proc_destroy(struct proc *p)
{
    CHECK(p == &proc);
    destroyed++;
}
/* The stack's growth area: linux_spawn asks for RLIMIT_STACK below the first pages. */
static uint64_t area_va, area_pages;
unsigned proc_area_add(struct proc *p, uint64_t va, uint64_t n, unsigned perm)
{
    CHECK(p == &proc);
    CHECK(perm == (MEM_R | MEM_W));
    area_va = va, area_pages = n;
    return SUCCESS;
}
/* The console's three descriptions. */
static struct lx_file consoles[3];
struct lx_file *lx_file_new(struct fs_node *node, uint32_t flags, int console)
{
    CHECK(!node && console >= 0 && console < 3);
    consoles[console] = (struct lx_file){ .refs = 1, .console = console, .flags = flags };
    return &consoles[console];
}
void lx_wait_init(void) {}
void lx_timer_init(void) {}
void lx_timer_stop(struct linux_proc *lp) { (void)lp; }
void lx_console_session(struct linux_proc *lp) { (void)lp; }
bool lx_signal_deliver(struct linux_proc *lp, struct utcb_exc *x, int64_t nr) { (void)lp; (void)x; (void)nr; return false; }
void lx_clone_fpu_keep(struct linux_proc *lp, struct utcb_exc *x) { (void)lp; (void)x; }
void lx_clock_init(void) {}
void lx_dev_init(void) {}
void lx_vfork_release(struct linux_proc *lp) { (void)lp; }
void lx_orphan_ended(void) {}
void fs_lock(void) {}
void fs_unlock(void) {}
int fs_realpath(struct fs_node *base, const char *path, char *buf, unsigned cap)   /* no tree: exe[] is "/path" */
{
    (void)base, (void)path, (void)buf, (void)cap;
    return -2;
}
void lx_signal_send(struct linux_proc *lp, int sig, int from_pid) { (void)lp; (void)sig; (void)from_pid; }
bool proc_mapped(struct proc *p, uint64_t va) { (void)p; (void)va; return false; }
bool lx_signal_fault(struct linux_proc *lp, int sig, unsigned vector, struct utcb_exc *x)
{
    (void)lp; (void)sig; (void)vector; (void)x;
    return false;
}
sel_t lx_wait_sm(unsigned slot) { (void)slot; return 0; }
void linux_syscall(struct proc *p, struct utcb *u) { (void)p; (void)u; }
void linux_release(struct proc *p) { (void)p; }

/* A fresh process: what the ELF loader leaves for the auxv (a static executable at 0x400000). */
#define PHDR  0x400040UL
#define PHNUM 10
#define ENTRY 0x401bc0UL

static void fresh(unsigned id)
{
    memset(&proc, 0, sizeof proc);
    proc.id = id;
    proc.phdr = PHDR;
    proc.phnum = PHNUM;
    proc.entry = ENTRY;
    memset(stack, PATTERN, sizeof stack);
    refused = 0;
}

/* The process's memory, read back; every access must be inside its stack. */
static uint64_t word(uint64_t va)
{
    CHECK(va >= STACK_LOW && va <= APP_STACK_TOP - 8);
    uint64_t w;
    memcpy(&w, &stack[va - STACK_LOW], 8);
    return w;
}

/* The NUL-terminated string at va, which must end inside the stack. */
static const char *string(uint64_t va)
{
    CHECK(va >= STACK_LOW && va < APP_STACK_TOP);
    const char *s = (const char *)&stack[va - STACK_LOW];
    CHECK(memchr(s, 0, APP_STACK_TOP - va) != NULL);
    return s;
}

/* The stack as a C library's _start reads it from rsp. */
#define MAX_WORDS 128
struct layout {
    uint64_t sp;
    uint64_t argc;
    uint64_t argv[MAX_WORDS];
    unsigned envc;
    uint64_t envp[MAX_WORDS];
    unsigned nauxv;                       /* pairs, AT_NULL included */
    uint64_t auxv[MAX_WORDS][2];
    uint64_t end;                         /* just above the AT_NULL pair */
};
static struct layout L;

static void parse(void)
{
    memset(&L, 0, sizeof L);
    L.sp = proc.start_sp;
    CHECK(L.sp != 0);
    CHECK_EQ(L.sp % 16, 0);                       /* the ABI: rsp 16-byte aligned at the entry */
    CHECK(L.sp >= STACK_LOW && L.sp < APP_STACK_TOP);
    uint64_t va = L.sp;
    L.argc = word(va);
    va += 8;
    CHECK(L.argc < MAX_WORDS);
    for (uint64_t i = 0; i < L.argc; i++, va += 8)
        L.argv[i] = word(va);
    CHECK_EQ(word(va), 0);                        /* argv[argc] == NULL */
    va += 8;
    while ((L.envp[L.envc] = word(va)) != 0) {
        va += 8;
        CHECK(++L.envc < MAX_WORDS);
    }
    va += 8;                                      /* envp's NULL */
    for (;;) {
        CHECK(L.nauxv < MAX_WORDS);
        uint64_t key = word(va), val = word(va + 8);
        va += 16;
        L.auxv[L.nauxv][0] = key;
        L.auxv[L.nauxv][1] = val;
        L.nauxv++;
        if (key == AT_NULL) {
            CHECK_EQ(val, 0);
            break;
        }
    }
    L.end = va;
}

/* The value of auxv entry key; the entry must be there, once. */
static uint64_t aux(uint64_t key)
{
    int found = -1;
    for (unsigned i = 0; i < L.nauxv; i++)
        if (L.auxv[i][0] == key) {
            if (found >= 0) {
                char w[80];
                snprintf(w, sizeof w, "auxv key %llu twice", (unsigned long long)key);
                unit_fail(__FILE__, __LINE__, w);
            }
            found = (int)i;
        }
    if (found < 0) {
        char w[80];
        snprintf(w, sizeof w, "auxv key %llu missing", (unsigned long long)key);
        unit_fail(__FILE__, __LINE__, w);
    }
    return L.auxv[found][1];
}

/* A pointer the process finds on its stack: into the string area, above the block. */
static void check_in_strings(uint64_t va, uint64_t len)
{
    CHECK(va >= L.end);
    CHECK(va < APP_STACK_TOP && len <= APP_STACK_TOP - va);
}

static unsigned count(const char *const *v)
{
    unsigned n = 0;
    while (v && v[n])
        n++;
    return n;
}

/*
 * Build the stack for argv/envp and check everything the ABI promises: argc; argv and envp
 * with their NULLs, each pointer to its own string; the auxv with the entries Linux gives a
 * static executable, with Linux's values, ending in (AT_NULL, 0); every string above the
 * block and intact; nothing written below rsp.
 */
static void build_and_check(unsigned id, const char *const *argv, const char *const *envp, const char *execfn)
{
    int argc = (int)count(argv);
    unsigned envc = count(envp);
    fresh(id);
    CHECK(build_stack(&proc, argc, argv, envp, execfn));
    CHECK_EQ(refused, 0);
    parse();

    CHECK_EQ(L.argc, argc);
    for (int i = 0; i < argc; i++) {
        check_in_strings(L.argv[i], strlen(argv[i]) + 1);
        CHECK_STR(string(L.argv[i]), argv[i]);
    }
    CHECK_EQ(L.envc, envc);
    for (unsigned i = 0; i < envc; i++) {
        check_in_strings(L.envp[i], strlen(envp[i]) + 1);
        CHECK_STR(string(L.envp[i]), envp[i]);
    }

    /* the executable's own (Linux takes them from the ELF header; no interpreter: base 0) */
    CHECK_EQ(aux(AT_PHDR), PHDR);
    CHECK_EQ(aux(AT_PHENT), sizeof(Elf64_Phdr));
    CHECK_EQ(aux(AT_PHNUM), PHNUM);
    CHECK_EQ(aux(AT_ENTRY), ENTRY);
    CHECK_EQ(aux(AT_BASE), 0);
    CHECK_EQ(aux(AT_FLAGS), 0);
    /* the system's */
    CHECK_EQ(aux(AT_PAGESZ), 4096);
    CHECK_EQ(aux(AT_CLKTCK), 100);                /* USER_HZ on x86 */
    unsigned a, b, c, d;
    CHECK(__get_cpuid(1, &a, &b, &c, &d));
    CHECK_EQ(aux(AT_HWCAP), d);                   /* x86-64: CPUID.1:EDX */
    /* the process's: root, not setuid */
    CHECK_EQ(aux(AT_UID), 0);
    CHECK_EQ(aux(AT_EUID), 0);
    CHECK_EQ(aux(AT_GID), 0);
    CHECK_EQ(aux(AT_EGID), 0);
    CHECK_EQ(aux(AT_SECURE), 0);
    /* pointers into the string area */
    uint64_t rnd = aux(AT_RANDOM);
    check_in_strings(rnd, 16);
    static const uint8_t zero[16];
    CHECK(memcmp(&stack[rnd - STACK_LOW], zero, 16) != 0);
    check_in_strings(aux(AT_EXECFN), strlen(execfn) + 1);
    CHECK_STR(string(aux(AT_EXECFN)), execfn);
    check_in_strings(aux(AT_PLATFORM), 7);
    CHECK_STR(string(aux(AT_PLATFORM)), "x86_64");
    CHECK_EQ(L.auxv[L.nauxv - 1][0], AT_NULL);    /* last (parse stops there) */

    /* no string, nor the random bytes, overlaps another */
    uint64_t lo[MAX_WORDS], hi[MAX_WORDS];
    unsigned n = 0;
    for (int i = 0; i < argc; i++, n++)
        lo[n] = L.argv[i], hi[n] = L.argv[i] + strlen(argv[i]) + 1;
    for (unsigned i = 0; i < envc; i++, n++)
        lo[n] = L.envp[i], hi[n] = L.envp[i] + strlen(envp[i]) + 1;
    lo[n] = aux(AT_EXECFN), hi[n] = lo[n] + strlen(execfn) + 1, n++;
    lo[n] = aux(AT_PLATFORM), hi[n] = lo[n] + 7, n++;
    lo[n] = rnd, hi[n] = rnd + 16, n++;
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            CHECK(hi[i] <= lo[j] || hi[j] <= lo[i]);

    /* below rsp the stack is as it was */
    for (uint64_t va = STACK_LOW; va < L.sp; va++)
        CHECK_EQ(stack[va - STACK_LOW], PATTERN);
}

static const char *const handout_argv[] = { "hello", "one", "two words", NULL };
static const char *const handout_envp[] = { "LINUX_UNDER_FACET=1", "PATH=/bin", "HOME=/", NULL };

/* The handout's figure (labs/5-linux-emulation/README.md#the-initial-stack): hello one "two words". */
TEST(handout_example)
{
    build_and_check(1, handout_argv, handout_envp, "linux/hello");
    /* the strings, at the addresses of the figure (the given part of build_stack) */
    CHECK_EQ(aux(AT_RANDOM), 0x7ffffffefff0);
    CHECK_EQ(aux(AT_EXECFN), 0x7ffffffeffe4);
    CHECK_EQ(L.argv[0], 0x7ffffffeffde);
    CHECK_EQ(L.argv[1], 0x7ffffffeffda);
    CHECK_EQ(L.argv[2], 0x7ffffffeffd0);
    CHECK_EQ(L.envp[0], 0x7ffffffeffbc);
    CHECK_EQ(L.envp[1], 0x7ffffffeffb2);
    CHECK_EQ(L.envp[2], 0x7ffffffeffab);
    CHECK_EQ(aux(AT_PLATFORM), 0x7ffffffeffa4);
    CHECK(L.end <= 0x7ffffffeffa4);               /* the block stays below the lowest string */
}

/* Every entry is one Linux gives a process too: this test's own auxv, from the host kernel. */
TEST(auxv_keys_and_values_as_the_host_kernel_gives_them)
{
    build_and_check(1, handout_argv, handout_envp, "linux/hello");
    for (unsigned i = 0; i + 1 < L.nauxv; i++) {
        errno = 0;
        (void)getauxval(L.auxv[i][0]);
        if (errno == ENOENT) {
            char w[80];
            snprintf(w, sizeof w, "auxv key %llu: the host kernel has no such entry", (unsigned long long)L.auxv[i][0]);
            unit_fail(__FILE__, __LINE__, w);
        }
    }
    CHECK_EQ(aux(AT_PAGESZ), getauxval(AT_PAGESZ));
    CHECK_EQ(aux(AT_CLKTCK), getauxval(AT_CLKTCK));
    CHECK_EQ(aux(AT_PHENT), getauxval(AT_PHENT));
    CHECK_STR(string(aux(AT_PLATFORM)), (const char *)getauxval(AT_PLATFORM));
}

/* rsp is 16-byte aligned whatever the strings' length and the number of words. */
TEST(aligned_for_every_string_length_and_argc)
{
    static char name[64];
    for (unsigned argc = 1; argc <= 4; argc++)
        for (unsigned extra = 0; extra < 32; extra++) {
            memset(name, 'a', extra);
            name[extra] = 0;
            const char *argv[] = { name, "b", "cc", "ddd", NULL };
            argv[argc] = NULL;
            const char *envp[] = { "A=1", NULL };
            build_and_check(2, argv, argc % 2 ? envp : NULL, "linux/x");
        }
}

/* No environment (envp NULL or empty): envp's NULL right after argv's, then the auxv. */
TEST(no_environment)
{
    static const char *const argv[] = { "prog", NULL };
    static const char *const empty[] = { NULL };
    build_and_check(3, argv, NULL, "linux/prog");
    CHECK_EQ(L.envc, 0);
    CHECK_EQ(word(L.sp + 8 * 3), 0);              /* argc, argv[0], NULL, then envp's NULL */
    build_and_check(3, argv, empty, "linux/prog");
    CHECK_EQ(L.envc, 0);
}

/* Empty strings are strings: each its own NUL, its own pointer. */
TEST(empty_arguments)
{
    static const char *const argv[] = { "", "", "x", "", NULL };
    static const char *const envp[] = { "", NULL };
    build_and_check(4, argv, envp, "linux/e");
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = i + 1; j < 4; j++)
            CHECK(L.argv[i] != L.argv[j]);
}

/* AT_RANDOM: 16 bytes at the top, not all zero, and not the same in two processes. */
TEST(random_bytes_differ_between_processes)
{
    static const char *const argv[] = { "r", NULL };
    uint8_t first[16];
    build_and_check(5, argv, NULL, "linux/r");
    CHECK_EQ(aux(AT_RANDOM), APP_STACK_TOP - 16);
    memcpy(first, &stack[aux(AT_RANDOM) - STACK_LOW], 16);
    build_and_check(6, argv, NULL, "linux/r");
    CHECK(memcmp(first, &stack[aux(AT_RANDOM) - STACK_LOW], 16) != 0);
}

/* 64 strings at most (execfn and the platform among them): 62 arguments fit, 63 do not. */
TEST(at_most_62_arguments_and_variables)
{
    static char text[63][8];
    const char *argv[64];
    for (unsigned i = 0; i < 63; i++) {
        snprintf(text[i], sizeof text[i], "a%u", i);
        argv[i] = text[i];
    }
    argv[62] = NULL;
    build_and_check(7, argv, NULL, "linux/many");
    CHECK_EQ(L.argc, 62);
    argv[62] = text[62];
    argv[63] = NULL;
    fresh(7);
    CHECK(!build_stack(&proc, 63, argv, NULL, "linux/many"));
    static const char *const envp[] = { "E=1", NULL };
    argv[61] = NULL;
    build_and_check(7, argv, envp, "linux/many");   /* 61 + 1 */
    argv[61] = text[61];
    argv[62] = NULL;
    fresh(7);
    CHECK(!build_stack(&proc, 62, argv, envp, "linux/many"));
}

/* A stack that does not fit in the stack pages: false, and nothing written outside them. */
TEST(too_big_for_the_stack)
{
    static char big[STACK_BYTES + 1];
    memset(big, 'x', STACK_BYTES);
    const char *argv[] = { big, NULL };
    fresh(8);
    CHECK(!build_stack(&proc, 1, argv, NULL, "linux/big"));   /* the strings do not fit */

    /* the strings fit, with 100 bytes left: the block (40 words) does not */
    uint64_t strings = 16 + sizeof "linux/big" + sizeof "x86_64";
    uint64_t len = STACK_BYTES - strings - 100 - 1;
    big[len] = 0;
    fresh(8);
    CHECK(!build_stack(&proc, 1, argv, NULL, "linux/big"));
    CHECK(refused > 0);

    /* with room for exactly the handout's block (argc, argv, NULL, NULL, 18 pairs: 40 words,
     * 320 bytes, the lowest string 16-byte aligned) it fits, rsp at the lowest stack byte */
    len = STACK_BYTES - strings - 8 * (1 + 1 + 1 + 1 + 2 * 18) - 1;
    memset(big, 'x', STACK_BYTES);
    big[len] = 0;
    build_and_check(8, argv, NULL, "linux/big");
    CHECK_EQ(L.sp, STACK_LOW);
}

/* linux_spawn: the path is AT_EXECFN; a stack that does not fit ends the process. */
TEST(linux_spawn_builds_the_stack_or_gives_up)
{
    spawned = destroyed = 0;
    fresh(9);
    struct proc *p = linux_spawn("linux/hello", 3, handout_argv, handout_envp, 0);
    CHECK(p == &proc);
    CHECK_EQ(destroyed, 0);
    parse();
    CHECK_STR(string(aux(AT_EXECFN)), "linux/hello");
    CHECK_EQ(L.argc, 3);
    struct linux_proc *lp = lx_of(p);
    CHECK(lp != NULL && lp->p == p);
    CHECK(lp->fd[0] && lp->fd[1] && lp->fd[2] && !lp->fd[3]);
    CHECK(lp->fd[0]->console == 0 && lp->fd[1]->console == 1 && lp->fd[2]->console == 2);
    CHECK_STR(lp->exe, "/linux/hello");

    static char big[STACK_BYTES + 1];
    memset(big, 'x', STACK_BYTES);
    const char *argv[] = { big, NULL };
    fresh(9);
    CHECK(linux_spawn("linux/big", 1, argv, NULL, 0) == NULL);
    CHECK_EQ(destroyed, 1);
    CHECK_EQ(spawned, 2);
}

int main(void) { return unit_run(); }
