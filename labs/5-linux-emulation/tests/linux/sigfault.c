// SPDX-License-Identifier: MIT
/* tests/linux/sigfault.c — faults to signal handlers: SIGSEGV (fixed by mprotect, or left by siglongjmp), SIGILL, SIGFPE. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf back;
static volatile char *page;
static volatile int code_seen, addr_right, handled;

/* A PROT_NONE page touched: the handler makes it writable, the store happens on return. */
static void make_writable(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    handled++;
    code_seen = si->si_code;
    addr_right = si->si_signo == sig && (char *)si->si_addr == (char *)page + 100;
    mprotect((void *)page, 4096, PROT_READ | PROT_WRITE);
}

static void jump_back(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    handled++;
    code_seen = si->si_code;
    siglongjmp(back, sig);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_SIGINFO;

    page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sa.sa_sigaction = make_writable;
    sigaction(SIGSEGV, &sa, NULL);
    page[100] = 42;
    printf("PROT_NONE store: handled %d, si_code %d (SEGV_ACCERR 2), si_addr right %d, value %d\n",
           handled, code_seen, addr_right, page[100]);

    sa.sa_sigaction = jump_back;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    volatile int *nowhere = (volatile int *)(uintptr_t)0x10;
    for (int i = 0; i < 2; i++) {
        int sig = sigsetjmp(back, 1);
        if (!sig)
            *nowhere = 1;
        printf("store to an unmapped address, round %d: back from signal %d, si_code %d (SEGV_MAPERR 1)\n", i, sig,
               code_seen);
    }
    int sig = sigsetjmp(back, 1);
    if (!sig)
        __asm__ volatile("ud2");
    printf("ud2: back from signal %d\n", sig);
    sig = sigsetjmp(back, 1);
    if (!sig) {
        volatile int zero = 0, one = 1;
        one /= zero;
    }
    printf("division by zero: back from signal %d\n", sig);
    printf("handlers ran %d times\n", handled);
    return 0;
}
