// SPDX-License-Identifier: MIT
/*
 * auxv.c — what a program finds on its initial stack: argc, argv, envp and the auxiliary
 * vector behind them, each auxv entry by name (strings as strings, AT_RANDOM as a check).
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

static const char *name_of(unsigned long type)
{
    static const struct { unsigned long type; const char *name; } names[] = {
        { AT_PHDR, "PHDR" }, { AT_PHENT, "PHENT" }, { AT_PHNUM, "PHNUM" }, { AT_PAGESZ, "PAGESZ" },
        { AT_BASE, "BASE" }, { AT_FLAGS, "FLAGS" }, { AT_ENTRY, "ENTRY" }, { AT_UID, "UID" },
        { AT_EUID, "EUID" }, { AT_GID, "GID" }, { AT_EGID, "EGID" }, { AT_PLATFORM, "PLATFORM" },
        { AT_HWCAP, "HWCAP" }, { AT_CLKTCK, "CLKTCK" }, { AT_SECURE, "SECURE" }, { AT_RANDOM, "RANDOM" },
        { AT_HWCAP2, "HWCAP2" }, { AT_EXECFN, "EXECFN" }, { AT_SYSINFO_EHDR, "SYSINFO_EHDR" },
        { 51, "MINSIGSTKSZ" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].type == type)
            return names[i].name;
    return NULL;
}

int main(int argc, char **argv, char **envp)
{
    printf("argc %d\n", argc);
    for (int i = 0; i <= argc; i++)
        printf("argv[%d] %s\n", i, argv[i] ? argv[i] : "(null)");
    char **e = envp;
    for (; *e; e++)
        printf("envp %s\n", *e);
    printf("envp follows argv's NULL: %d\n", envp == argv + argc + 1);
    for (Elf64_auxv_t *a = (Elf64_auxv_t *)(e + 1); a->a_type != AT_NULL; a++) {
        const char *name = name_of(a->a_type);
        unsigned long v = a->a_un.a_val;
        if (!name)
            printf("AT_%lu %#lx\n", a->a_type, v);
        else if (a->a_type == AT_EXECFN || a->a_type == AT_PLATFORM)
            printf("AT_%s %s\n", name, (const char *)v);
        else if (a->a_type == AT_RANDOM) {
            static const unsigned char zero[16];
            printf("AT_RANDOM 16 bytes, not all zero: %d\n", memcmp((const void *)v, zero, 16) != 0);
        } else
            printf("AT_%s %#lx\n", name, v);
    }
    return 0;
}
