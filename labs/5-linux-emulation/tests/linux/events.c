// SPDX-License-Identifier: MIT
/* tests/linux/events.c — eventfd, timerfd and epoll, printed as Linux reports them (each line compared with the host's). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib.h"

/* A call's result, and its errno when it failed (the name, so glibc and musl print alike). */
static void show(const char *what, long r)
{
    printf("%-58s %ld", what, r);
    if (r < 0)
        printf(" %s", errno == EINVAL ? "EINVAL" : errno == EAGAIN ? "EAGAIN" : errno == EBADF ? "EBADF"
                      : errno == EEXIST ? "EEXIST" : errno == ENOENT ? "ENOENT" : errno == EPERM ? "EPERM"
                      : errno == EFAULT ? "EFAULT" : errno == EINTR ? "EINTR" : errno == ELOOP ? "ELOOP" : "other");
    printf("\n");
    errno = 0;
}


static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, ms % 1000 * 1000000 };
    while (nanosleep(&t, &t) && errno == EINTR)
        ;
}

/* A child that writes 8 bytes of v to fd after ms milliseconds, then ends. */
static pid_t write_later(int fd, long ms, uint64_t v)
{
    pid_t c = fork();
    if (c == 0) {
        sleep_ms(ms);
        _exit(write(fd, &v, sizeof v) == sizeof v ? 0 : 1);
    }
    return c;
}

static volatile int alarms;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* SIGALRM to on_alarm (flags: SA_RESTART or 0) every ms milliseconds (alarms counts them): one
 * that comes before the call it is meant to interrupt (a slow emulator) is not the last. */
static void alarm_in(long ms, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, NULL);
    alarms = 0;
    struct itimerval it = { { 0, ms * 1000 }, { 0, ms * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

static void alarm_off(void)
{
    struct itimerval it = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

static void eventfds(void)
{
    uint64_t v = 5;
    int e = eventfd(0, 0);
    show("eventfd(0, 0) gives a descriptor", e >= 0);
    show("write 5", write(e, &v, sizeof v));
    v = 3;
    show("write 3", write(e, &v, sizeof v));
    v = 0;
    show("read", read(e, &v, sizeof v));
    printf("it reads %llu\n", (unsigned long long)v);
    show("read into 4 bytes", read(e, &v, 4));
    show("write of 4 bytes", write(e, &v, 4));
    v = ~0ULL;
    show("write of 0xffffffffffffffff", write(e, &v, sizeof v));
    show("eventfd with a bad flag", eventfd(0, 0x10));
    show("lseek", lseek(e, 0, SEEK_SET));
    show("F_GETFL is O_RDWR", fcntl(e, F_GETFL) & O_ACCMODE);

    int n = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    show("EFD_NONBLOCK: read of 0", read(n, &v, sizeof v));
    show("EFD_CLOEXEC: F_GETFD", fcntl(n, F_GETFD));
    show("O_NONBLOCK in F_GETFL", !!(fcntl(n, F_GETFL) & O_NONBLOCK));
    v = 0xfffffffffffffffeULL;
    show("write of the largest count", write(n, &v, sizeof v));
    v = 1;
    show("one more: it would pass the largest", write(n, &v, sizeof v));
    struct pollfd pf = { n, POLLIN | POLLOUT, 0 };
    show("poll of a full counter", poll(&pf, 1, 0));
    printf("revents %#x\n", pf.revents);
    show("read it all", read(n, &v, sizeof v));
    pf.revents = 0;
    show("poll of an empty counter", poll(&pf, 1, 0));
    printf("revents %#x\n", pf.revents);
    close(n);

    int s = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    for (int i = 0; i < 4; i++) {
        v = 0;
        long r = read(s, &v, sizeof v);
        printf("EFD_SEMAPHORE read %d: %ld, value %llu%s\n", i, r, (unsigned long long)v, r < 0 && errno == EAGAIN ? " EAGAIN" : "");
    }
    close(s);

    /* A read that waits for a child's write; one that a signal interrupts. */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t c = write_later(e, 50, 7);
    v = 0;
    show("a read that waits for a child's write of 7", read(e, &v, sizeof v));
    printf("it reads %llu, after 40 ms or more: %s\n", (unsigned long long)v, yes(ms_since(&t0) >= 40));
    waitpid(c, NULL, 0);
    alarm_in(30, 0);
    show("a read that SIGALRM interrupts (no SA_RESTART)", read(e, &v, sizeof v));
    alarm_off();
    printf("the handler ran: %s\n", yes(alarms >= 1));
    close(e);
}

static void timerfds(void)
{
    struct itimerspec it, old;
    uint64_t n = 0;
    struct timespec t0;
    show("timerfd_create on CLOCK_REALTIME_COARSE", timerfd_create(CLOCK_REALTIME_COARSE, 0));
    show("timerfd_create with a bad flag", timerfd_create(CLOCK_MONOTONIC, 0x10));
    int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    show("timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK)", t >= 0);
    show("gettime of a new one", timerfd_gettime(t, &it));
    printf("value %ld.%09ld interval %ld.%09ld\n", (long)it.it_value.tv_sec, it.it_value.tv_nsec,
           (long)it.it_interval.tv_sec, it.it_interval.tv_nsec);
    show("read of a disarmed one (non-blocking)", read(t, &n, sizeof n));
    show("read into 4 bytes", read(t, &n, 4));

    it = (struct itimerspec){ { 0, 0 }, { 0, 50000000 } };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    show("settime: once, in 50 ms", timerfd_settime(t, 0, &it, NULL));
    show("gettime", timerfd_gettime(t, &it));
    printf("it has 0 < left <= 50 ms: %s, no interval: %s\n",
           yes(it.it_value.tv_sec == 0 && it.it_value.tv_nsec > 0 && it.it_value.tv_nsec <= 50000000),
           yes(!it.it_interval.tv_sec && !it.it_interval.tv_nsec));
    show("read before it expires", read(t, &n, sizeof n));
    struct pollfd pf = { t, POLLIN, 0 };
    show("poll until it expires", poll(&pf, 1, 5000));
    printf("revents %#x, 45 ms or more after settime: %s\n", pf.revents, yes(ms_since(&t0) >= 45));
    show("read", read(t, &n, sizeof n));
    printf("expirations: %llu\n", (unsigned long long)n);
    show("gettime after it expired", timerfd_gettime(t, &it));
    printf("value %ld.%09ld\n", (long)it.it_value.tv_sec, it.it_value.tv_nsec);
    close(t);

    /* Blocking reads: a period, an absolute time on each clock, one in the past. */
    t = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    show("TFD_CLOEXEC: F_GETFD", fcntl(t, F_GETFD));
    it = (struct itimerspec){ { 0, 20000000 }, { 0, 20000000 } };
    show("settime: every 20 ms", timerfd_settime(t, 0, &it, NULL));
    sleep_ms(110);
    show("read after 110 ms", read(t, &n, sizeof n));
    printf("5 expirations or more: %s\n", yes(n >= 5));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    show("a read that waits for the next", read(t, &n, sizeof n));
    printf("it waited at most 20 ms (and some): %s\n", yes(ms_since(&t0) < 1000));
    it = (struct itimerspec){ { 0, 0 }, { 10, 0 } };
    show("settime: once in 10 s, the old setting back", timerfd_settime(t, 0, &it, &old));
    printf("old: interval %ld.%09ld, value under 20 ms: %s\n", (long)old.it_interval.tv_sec,
           old.it_interval.tv_nsec, yes(old.it_value.tv_sec == 0 && old.it_value.tv_nsec <= 20000000));
    it = (struct itimerspec){ { 0, 0 }, { 0, 0 } };
    show("settime: disarmed", timerfd_settime(t, 0, &it, &old));
    printf("old: 9 s left: %s\n", yes(old.it_value.tv_sec == 9));

    static const struct { clockid_t clock; const char *name; } clocks[] = {
        { CLOCK_MONOTONIC, "CLOCK_MONOTONIC" }, { CLOCK_REALTIME, "CLOCK_REALTIME" },
    };
    for (unsigned i = 0; i < 2; i++) {
        int a = timerfd_create(clocks[i].clock, 0);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        clock_gettime(clocks[i].clock, &now);
        now.tv_nsec += 40000000;
        if (now.tv_nsec >= 1000000000)
            now.tv_sec++, now.tv_nsec -= 1000000000;
        it = (struct itimerspec){ { 0, 0 }, now };
        printf("%s: ", clocks[i].name);
        show("TFD_TIMER_ABSTIME now + 40 ms", timerfd_settime(a, TFD_TIMER_ABSTIME, &it, NULL));
        show("a read that waits for it", read(a, &n, sizeof n));
        printf("expirations %llu, after 30 ms or more: %s\n", (unsigned long long)n, yes(ms_since(&t0) >= 30));
        close(a);
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    now.tv_nsec -= 55000000;
    if (now.tv_nsec < 0)
        now.tv_sec--, now.tv_nsec += 1000000000;
    it = (struct itimerspec){ { 0, 10000000 }, now };
    show("TFD_TIMER_ABSTIME 55 ms ago, every 10 ms", timerfd_settime(t, TFD_TIMER_ABSTIME, &it, NULL));
    show("read", read(t, &n, sizeof n));
    printf("the missed ones count: 6 or more: %s\n", yes(n >= 6));

    it = (struct itimerspec){ { 0, 0 }, { 0, 1000000000 } };
    show("settime with tv_nsec 10^9", timerfd_settime(t, 0, &it, NULL));
    it.it_value.tv_nsec = 0;
    show("settime with a bad flag", timerfd_settime(t, 4, &it, NULL));
    show("settime of a descriptor that is not open", timerfd_settime(99, 0, &it, NULL));
    show("settime of stdout", timerfd_settime(1, 0, &it, NULL));
    show("gettime of stdout", timerfd_gettime(1, &it));

    it = (struct itimerspec){ { 0, 0 }, { 0, 0 } };
    timerfd_settime(t, 0, &it, NULL);
    int d = timerfd_create(CLOCK_MONOTONIC, 0);
    alarm_in(30, 0);
    show("a read of a disarmed one that SIGALRM interrupts", read(d, &n, sizeof n));
    alarm_off();
    printf("the handler ran: %s\n", yes(alarms >= 1));
    close(d);
    close(t);
}

/* epoll_wait's events, one line each. */
static void events_of(const char *what, int ep, int max, int timeout)
{
    struct epoll_event ev[8];
    int n = epoll_wait(ep, ev, max, timeout);
    show(what, n);
    for (int i = 0; i < n; i++)
        printf("  events %#x data %llu\n", ev[i].events, (unsigned long long)ev[i].data.u64);
}

static int ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    return epoll_ctl(ep, op, fd, &ev);
}

static void epolls(void)
{
    int p[2], q[2];
    char b[16];
    show("sizeof(struct epoll_event)", sizeof(struct epoll_event));
    show("epoll_create(0)", syscall(SYS_epoll_create, 0));   /* musl's wrapper takes any size */
    show("epoll_create1 with a bad flag", epoll_create1(1));
    int ep = epoll_create(1);
    show("epoll_create(1) gives a descriptor", ep >= 0);
    int ec = epoll_create1(EPOLL_CLOEXEC);
    show("EPOLL_CLOEXEC: F_GETFD", fcntl(ec, F_GETFD));
    close(ec);
    if (pipe(p) || pipe2(q, O_NONBLOCK))
        return;

    /* Level-triggered: reported while it is ready. */
    show("ADD the read end for EPOLLIN", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 111));
    events_of("epoll_wait of an empty pipe, no timeout", ep, 8, 0);
    show("write 3 bytes", write(p[1], "abc", 3));
    events_of("epoll_wait", ep, 8, 0);
    events_of("epoll_wait again: still ready", ep, 8, 0);
    show("read 3 bytes", read(p[0], b, sizeof b));
    events_of("epoll_wait after the read", ep, 8, 0);
    show("ADD it again", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1));
    show("MOD of a descriptor not in it", ctl(ep, EPOLL_CTL_MOD, q[0], EPOLLIN, 1));
    show("DEL of a descriptor not in it", epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
    show("ADD of itself", ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 1));
    show("ADD with a pipe as the epoll descriptor", ctl(p[0], EPOLL_CTL_ADD, q[0], EPOLLIN, 1));
    show("ADD of a descriptor that is not open", ctl(ep, EPOLL_CTL_ADD, 99, EPOLLIN, 1));
    show("op 99", ctl(ep, 99, q[0], EPOLLIN, 1));
    show("ADD with the event at a bad address", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], (struct epoll_event *)8));
    show("EPOLLEXCLUSIVE with MOD", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 1));
    int file = open(".", O_RDONLY | O_DIRECTORY);
    show("ADD of a directory", ctl(ep, EPOLL_CTL_ADD, file, EPOLLIN, 1));
    close(file);
    struct epoll_event ev[4];
    show("epoll_wait with maxevents 0", epoll_wait(ep, ev, 0, 0));
    show("epoll_wait of a descriptor that is not open", epoll_wait(99, ev, 4, 0));
    show("epoll_wait of a pipe", epoll_wait(p[0], ev, 4, 0));
    show("epoll_wait into the kernel's half", epoll_wait(ep, (struct epoll_event *)0xffff800000000000UL, 4, 0));
    write(p[1], "x", 1);
    struct epoll_event *volatile null = NULL;
    show("epoll_wait into address 0 with one ready", epoll_wait(ep, null, 4, 0));
    read(p[0], b, sizeof b);

    /* Edge-triggered and one-shot. */
    show("MOD to EPOLLIN | EPOLLET", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, 222));
    write(p[1], "a", 1);
    events_of("ET: epoll_wait after a write", ep, 8, 0);
    events_of("ET: again, nothing new", ep, 8, 0);
    write(p[1], "b", 1);
    events_of("ET: another write, nothing read", ep, 8, 0);
    read(p[0], b, sizeof b);
    events_of("ET: after reading it all", ep, 8, 0);
    write(p[1], "c", 1);
    events_of("ET: a write after that", ep, 8, 0);
    read(p[0], b, sizeof b);
    show("MOD to EPOLLIN | EPOLLONESHOT", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 333));
    write(p[1], "d", 1);
    events_of("ONESHOT: epoll_wait", ep, 8, 0);
    events_of("ONESHOT: again: off", ep, 8, 0);
    show("MOD arms it again", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 334));
    events_of("ONESHOT: epoll_wait", ep, 8, 0);
    read(p[0], b, sizeof b);
    show("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    events_of("epoll_wait of an empty instance", ep, 8, 0);

    /* Two ready, one at a time: each in turn. */
    ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1);
    ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN, 2);
    write(p[1], "p", 1);
    write(q[1], "q", 1);
    events_of("two ready, maxevents 1", ep, 1, 0);
    events_of("two ready, maxevents 1 again", ep, 1, 0);
    events_of("two ready, maxevents 8", ep, 8, 0);
    read(p[0], b, sizeof b);
    read(q[0], b, sizeof b);

    /* Write ends, hang-up and error, an eventfd, a dup'ed descriptor, a closed one. */
    ctl(ep, EPOLL_CTL_ADD, q[1], EPOLLOUT, 3);
    events_of("the write end of an empty pipe (EPOLLOUT)", ep, 8, 0);
    epoll_ctl(ep, EPOLL_CTL_DEL, q[1], NULL);
    int e = eventfd(0, EFD_NONBLOCK);
    ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN | EPOLLOUT, 4);
    events_of("an eventfd at 0", ep, 8, 0);
    uint64_t one = 1;
    write(e, &one, sizeof one);
    events_of("an eventfd at 1", ep, 8, 0);
    close(e);
    events_of("the eventfd closed: gone", ep, 8, 0);
    int d = dup(q[0]);
    close(q[0]);
    write(q[1], "r", 1);
    events_of("q's read end closed, its dup open: still there", ep, 8, 0);
    read(d, b, sizeof b);
    close(q[1]);
    events_of("its writer closed (EPOLLHUP)", ep, 8, 0);
    close(d);
    ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 5);
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLRDHUP, 6);
    close(p[0]);
    events_of("p's reader closed (EPOLLERR on the write end)", ep, 8, 0);
    close(p[1]);
    events_of("nothing left", ep, 8, 0);
    close(ep);
}

/* epoll that waits: for a child, a timerfd, a timeout, signals; instances inside instances. */
static void epoll_waits(void)
{
    int p[2];
    struct timespec t0;
    if (pipe(p))
        return;
    int ep = epoll_create1(0);
    ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 7);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    events_of("epoll_wait, 50 ms, nothing comes", ep, 8, 50);
    printf("after 40 ms or more: %s\n", yes(ms_since(&t0) >= 40));
    pid_t c = write_later(p[1], 50, 0);
    events_of("epoll_wait until a child writes", ep, 8, 5000);
    waitpid(c, NULL, 0);
    char b[16];
    read(p[0], b, sizeof b);

    int t = timerfd_create(CLOCK_MONOTONIC, 0);
    ctl(ep, EPOLL_CTL_ADD, t, EPOLLIN, 8);
    struct itimerspec it = { { 0, 0 }, { 0, 40000000 } };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    timerfd_settime(t, 0, &it, NULL);
    events_of("epoll_wait until a timerfd expires", ep, 8, -1);
    printf("after 30 ms or more: %s\n", yes(ms_since(&t0) >= 30));
    uint64_t n;
    read(t, &n, sizeof n);

    alarm_in(30, SA_RESTART);
    events_of("epoll_wait that SIGALRM interrupts (SA_RESTART)", ep, 8, -1);
    alarm_off();
    printf("the handler ran: %s\n", yes(alarms >= 1));

    /* epoll_pwait with a mask that lets SIGUSR1 in, which is blocked otherwise. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr1, none, now;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    alarms = 0;
    c = fork();
    if (c == 0) {
        sleep_ms(30);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    struct epoll_event ev[4];
    show("epoll_pwait, SIGUSR1 let in by its mask", epoll_pwait(ep, ev, 4, -1, &none));
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("the handler ran: %s; SIGUSR1 blocked again: %s\n", yes(alarms == 1), yes(sigismember(&now, SIGUSR1)));
    waitpid(c, NULL, 0);
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
    struct timespec ts = { 0, 20000000 };
    show("epoll_pwait2, 20 ms", syscall(SYS_epoll_pwait2, ep, ev, 4, &ts, NULL, 8));

    /* An instance inside another, and in poll. */
    int outer = epoll_create1(0);
    show("ADD an instance to another", ctl(outer, EPOLL_CTL_ADD, ep, EPOLLIN, 9));
    show("ADD that one to the first: a loop", ctl(ep, EPOLL_CTL_ADD, outer, EPOLLIN, 10));
    events_of("the outer, nothing ready inside", outer, 8, 0);
    write(p[1], "y", 1);
    events_of("the outer, the pipe inside ready", outer, 8, 0);
    struct pollfd pf = { outer, POLLIN, 0 };
    show("poll of the outer", poll(&pf, 1, 0));
    printf("revents %#x\n", pf.revents);
    read(p[0], b, sizeof b);
    c = write_later(p[1], 40, 0);
    events_of("the outer waits for a child's write inside", outer, 8, 5000);
    waitpid(c, NULL, 0);
    close(outer);
    close(ep);
    close(t);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    eventfds();
    timerfds();
    epolls();
    epoll_waits();
    printf("done\n");
    return 0;
}
