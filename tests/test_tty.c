/* SPDX-License-Identifier: MIT */
/* tests/test_tty.c — the console's line discipline (linux/tty.c): keystrokes in, what a read gets and what is echoed. */
#include <stddef.h>
void console_out(const char *s, size_t n);     /* the roottask's <stdio.h> has it, the host's not */
#include "roottask/src/linux/tty.c"
#include "fc_spin_stub.h"
#include "unit.h"

/*
 * The world around the line discipline: the console (echo collected in `screen`), the
 * process's memory (a read's bytes land in `mem`), signals (recorded). Nothing here ever
 * waits: the tests only read what is there, or ask O_NONBLOCK.
 */
static char screen[1024];
static size_t screen_len;
static int signalled;
static struct proc proc;
static struct linux_proc lp = { .p = &proc };
static uint8_t mem[4096];

void console_out(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)                  /* as the roottask's: "\n" goes out as "\r\n" */
        if (screen_len + 2 < sizeof screen) {
            if (s[i] == '\n')
                screen[screen_len++] = '\r';
            screen[screen_len++] = s[i];
        }
}
void com_raw(uint16_t base, const char *s, size_t n) { (void)base; console_out(s, n); }
bool com1_input_start(unsigned cpu, unsigned prio, void (*feed)(uint8_t c)) { (void)cpu, (void)prio, (void)feed; return true; }
void lx_console_signal(int sig) { signalled = sig; }
bool lx_signal_interrupts(struct linux_proc *l) { (void)l; return false; }
void lx_wake_mask(uint32_t waiters) { (void)waiters; }
void lx_wait_begin(struct linux_proc *l) { (void)l; }
void lx_wait_end(struct linux_proc *l) { (void)l; }
uint64_t lx_deadline_ms(int64_t ms) { return (uint64_t)ms; }
unsigned lx_sleep(struct linux_proc *l, uint64_t deadline) { (void)l, (void)deadline; abort(); }
const struct hip *fc_hip;
void fs_lock(void) {}
void fs_unlock(void) {}
bool proc_write(struct proc *p, uint64_t va, const void *src, uint64_t len)
{
    CHECK(p == &proc);
    if (va + len > sizeof mem)
        return false;
    memcpy(mem + va, src, len);
    return true;
}
bool proc_read(struct proc *p, void *dst, uint64_t va, uint64_t len)
{
    CHECK(p == &proc);
    if (va + len > sizeof mem)
        return false;
    memcpy(dst, mem + va, len);
    return true;
}

/* A fresh terminal (Linux's defaults), input running, nothing typed or shown. */
static void fresh(void)
{
    memset(&tty, 0, sizeof tty);
    tty.t = tty_std;
    tty.input = true;
    screen_len = 0;
    signalled = 0;
}

static void type(const char *keys)
{
    for (; *keys; keys++)
        lx_tty_receive((uint8_t)*keys);
}

/* One read of up to len bytes (O_NONBLOCK: nothing waits), as a string; "<n>" for an error n. */
static const char *take_read(uint64_t len)
{
    static char out[512];
    int64_t n = lx_tty_read(&lp, 0, len, true);
    if (n < 0) {
        snprintf(out, sizeof out, "<%lld>", (long long)n);
        return out;
    }
    memcpy(out, mem, (size_t)n);
    out[n] = 0;
    return out;
}

static const char *shown(void)
{
    screen[screen_len] = 0;
    return screen;
}

static void set_lflag(uint32_t clear, uint32_t set, uint8_t vmin)
{
    struct lx_termios t = tty.t;
    t.c_lflag = (t.c_lflag & ~clear) | set;
    t.c_cc[LX_VMIN] = vmin;
    memcpy(mem, &t, sizeof t);
    CHECK_EQ(lx_tty_ioctl(&lp, LX_TCSETS, 0), 0);
}

TEST(canonical_line_is_readable_at_enter_with_echo)
{
    fresh();
    type("echo hi");
    CHECK(!lx_tty_readable());
    CHECK_STR(take_read(100), "<-11>");                 /* O_NONBLOCK, no line yet: -EAGAIN */
    type("\r");                                          /* icrnl: Enter is a newline */
    CHECK(lx_tty_readable());
    CHECK_STR(take_read(100), "echo hi\n");
    CHECK_STR(shown(), "echo hi\r\n");
}

/* keys typed at a fresh terminal: the one line a read gets, and the screen. */
static void line_of(const char *keys, const char *line, const char *screen_want)
{
    fresh();
    type(keys);
    CHECK_STR(take_read(100), line);
    CHECK_STR(shown(), screen_want);
}

TEST(erase_and_kill_edit_the_line_on_the_screen_too)
{
    line_of("abx\177c\r", "abc\n", "abx\b \bc\r\n");
    line_of("ab\b\bz\r", "z\n", "ab\b \b\b \bz\r\n");       /* backspace erases too */
    line_of("gone\025kept\r", "kept\n", "gone\b \b\b \b\b \b\b \bkept\r\n");   /* Ctrl-U */
    line_of("\177\177x\r", "x\n", "x\r\n");                     /* nothing to erase: nothing happens */
    line_of("one\rtwo\r", "one\n", "one\r\ntwo\r\n");           /* a read returns one line at most */
    CHECK_STR(take_read(2), "tw");                               /* a short buffer: the rest stays */
    CHECK_STR(take_read(100), "o\n");
}

TEST(ctrl_d_ends_a_line_without_newline_and_alone_is_eof)
{
    fresh();
    type("ab\004");
    CHECK_STR(take_read(100), "ab");
    CHECK_STR(take_read(100), "<-11>");                 /* that Ctrl-D was not an end of file */
    type("\004");
    CHECK(lx_tty_readable());
    CHECK_STR(take_read(100), "");                      /* at the start of a line: end of file */
    CHECK_STR(take_read(100), "<-11>");
}

TEST(ctrl_c_signals_drops_the_input_and_echoes)
{
    fresh();
    type("line\rpartial\003");
    CHECK_EQ(signalled, 2);                              /* SIGINT */
    CHECK_STR(take_read(100), "<-11>");                 /* typed input dropped */
    CHECK_STR(shown(), "line\r\npartial^C");
    fresh();
    type("\034");
    CHECK_EQ(signalled, 3);                              /* Ctrl-\: SIGQUIT */
    fresh();
    set_lflag(LX_ISIG, 0, 1);
    type("\003\r");
    CHECK_EQ(signalled, 0);                              /* -isig: an ordinary byte */
    CHECK_STR(take_read(100), "\003\n");
}

TEST(raw_mode_gives_bytes_at_once_without_echo)
{
    fresh();
    set_lflag(LX_ICANON | LX_ECHO | LX_ISIG, 0, 1);     /* what busybox's line editing sets */
    CHECK(!lx_tty_readable());
    type("x\177\r");
    CHECK(lx_tty_readable());
    CHECK_STR(take_read(1), "x");
    CHECK_STR(take_read(1), "\177");                    /* no editing: DEL is a byte */
    CHECK_STR(take_read(100), "\n");                    /* icrnl still */
    CHECK_STR(shown(), "");
    set_lflag(0, 0, 3);                                  /* VMIN 3: two bytes are not enough */
    type("ab");
    CHECK_STR(take_read(100), "ab");                    /* O_NONBLOCK: what is there */
}

TEST(leaving_canonical_mode_makes_the_partial_line_readable)
{
    fresh();
    type("par");
    set_lflag(LX_ICANON, 0, 1);
    CHECK_STR(take_read(100), "par");
}

TEST(tcgets_reads_back_what_tcsets_set_and_tcsetsf_drops_input)
{
    fresh();
    CHECK_EQ(lx_tty_ioctl(&lp, LX_TCGETS, 100), 0);
    struct lx_termios t;
    memcpy(&t, mem + 100, sizeof t);
    CHECK_EQ(t.c_lflag, tty_std.c_lflag);
    t.c_lflag &= ~(uint32_t)LX_ECHO;
    t.c_cc[LX_VERASE] = 'X';
    memcpy(mem, &t, sizeof t);
    type("typed\r");
    CHECK_EQ(lx_tty_ioctl(&lp, LX_TCSETSF, 0), 0);
    CHECK_STR(take_read(100), "<-11>");
    CHECK_EQ(lx_tty_ioctl(&lp, LX_TCGETS, 200), 0);
    CHECK(!memcmp(mem + 200, &t, sizeof t));
    type("abXc\r");                                      /* the new erase character */
    CHECK_STR(take_read(100), "ac\n");
    CHECK_EQ(lx_tty_ioctl(&lp, LX_TCGETS, sizeof mem - 8), -LX_EFAULT);
    CHECK_EQ(lx_tty_ioctl(&lp, 0x5401 + 0x100, 0), -LX_ENOTTY);
}

TEST(no_input_means_end_of_file)
{
    fresh();
    tty.input = false;                                   /* nothing reads COM1 (facet-run, the tests) */
    CHECK(lx_tty_readable());
    CHECK_EQ(lx_tty_read(&lp, 0, 10, false), 0);
}

TEST(fionread_counts_bytes)
{
    fresh();
    type("abc\rd");
    CHECK_EQ(lx_tty_ioctl(&lp, LX_FIONREAD, 0), 0);
    int32_t n;
    memcpy(&n, mem, sizeof n);
    CHECK_EQ(n, 4);                                      /* "abc\n": the line being typed is not readable */
}

int main(void) { return unit_run(); }
