// SPDX-License-Identifier: MIT
/* src/linux/tty.c — the console as a terminal: its termios, the input COM1's interrupt brings, the line discipline. */
#include <stdio.h>
#include "linux/linux.h"
#include "fs/fs.h"
#include "facet/spin.h"
#include "com1.h"

/*
 * Bytes come from COM1's receiver thread (com1_input_start) one at a time and are handled at
 * once, as Linux's n_tty does: ISIG characters become signals, canonical mode edits the line
 * being typed (erase, kill) and makes it readable at Enter or Ctrl-D, and the echo goes out as
 * the bytes come. A read takes from the queue:
 *
 *   queue (ring):  h e l l o \n  l s \n  EOL  a b        <- readable bytes; EOL: Ctrl-D's mark
 *   line:          e c h o _                              <- canonical: the line being typed
 *
 * Canonical reads return at most one line: up to its '\n', or up to an EOL mark (a Ctrl-D
 * that ended a line without a newline; alone at the start of a line it is the end of file:
 * the read returns 0). Non-canonical reads return what is there once VMIN bytes are (VMIN 0:
 * at once), VTIME tenths of a second bounding the wait (from the read's start for VMIN 0, else
 * from the first byte's arrival being seen). A reader waits on its own process's semaphore
 * (lx_sleep), woken by the receiver (input came) and by signals (-EINTR).
 */
#define TTY_QUEUE 4096                   /* bytes readable at once (more are dropped) */
#define TTY_LINE  4095                   /* a canonical line's length (N_TTY_BUF_SIZE - 1) */
#define TTY_EOL   0x100                  /* in the queue: Ctrl-D ended a line */
#define SIGINT    2
#define SIGQUIT   3
#define POLLIN    0x001

/* What Linux's n_tty gives a fresh terminal (tty_std_termios: canonical input with echo, 38400
 * baud, 8 bits), control characters as INIT_C_CC. */
static const struct lx_termios tty_std = {
    .c_iflag = LX_ICRNL | LX_IXON,
    .c_oflag = LX_OPOST | LX_ONLCR,
    .c_cflag = LX_B38400 | LX_CS8 | LX_CREAD | LX_HUPCL,
    .c_lflag = LX_ISIG | LX_ICANON | LX_ECHO | LX_ECHOE | LX_ECHOK | LX_ECHOCTL | LX_ECHOKE | LX_IEXTEN,
    .c_cc = {
        [LX_VINTR] = 003, [LX_VQUIT] = 034, [LX_VERASE] = 0177, [LX_VKILL] = 025, [LX_VEOF] = 004,
        [LX_VMIN] = 1, [LX_VSTART] = 021, [LX_VSTOP] = 023, [LX_VSUSP] = 032, [LX_VREPRINT] = 022,
        [LX_VDISCARD] = 017, [LX_VWERASE] = 027, [LX_VLNEXT] = 026,
    },
};

static struct {
    volatile int lock;                   /* the receiver and the readers of every process */
    bool input;                          /* COM1's receiver runs; else stdin is at its end */
    struct lx_termios t;
    uint16_t q[TTY_QUEUE];               /* bytes and TTY_EOL marks */
    unsigned head, count;
    uint8_t line[TTY_LINE];
    unsigned line_len;
    uint32_t waiting;                    /* process slots whose reader or poll waits for input */
} tty = { .t = tty_std };
_Static_assert(PROC_MAX <= 32, "tty.waiting has a bit per process slot");

/* ---- output: echo and the programs' bytes ---- */

/* n bytes to COM1 through the output modes: OPOST with ONLCR makes "\n" "\r\n". */
static void tty_out(const char *s, uint64_t n)
{
    if ((tty.t.c_oflag & (LX_OPOST | LX_ONLCR)) == (LX_OPOST | LX_ONLCR))
        console_out(s, n);
    else
        com_raw(COM1_PORT, s, n);
}

void lx_tty_write(unsigned stream, const char *s, uint64_t n)
{
    (void)stream;                        /* stdout and stderr share the terminal */
    tty_out(s, n);
}

static bool is_ctl(uint8_t c)
{
    return (c < 32 && c != '\t' && c != '\n') || c == 0177;
}

/* The echo of c: as it is, or ^X for a control character with ECHOCTL. */
static void echo(uint8_t c)
{
    if (!(tty.t.c_lflag & LX_ECHO))
        return;
    char s[2] = { (char)c, 0 };
    if (is_ctl(c) && (tty.t.c_lflag & LX_ECHOCTL)) {
        s[0] = '^';
        s[1] = (char)(c == 0177 ? '?' : c + 64);
    }
    tty_out(s, s[1] ? 2 : 1);
}

/* ---- the queue ---- */

static void queue_put(uint16_t v)
{
    if (tty.count < TTY_QUEUE)
        tty.q[(tty.head + tty.count++) % TTY_QUEUE] = v;
}

static uint16_t queue_at(unsigned i)
{
    return tty.q[(tty.head + i) % TTY_QUEUE];
}

/* Canonical: a whole line (or an EOL mark) is there. */
static bool line_ready(void)
{
    for (unsigned i = 0; i < tty.count; i++)
        if (queue_at(i) == '\n' || queue_at(i) == TTY_EOL)
            return true;
    return false;
}

/* Bytes in the queue (EOL marks are not bytes). */
static unsigned queue_bytes(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < tty.count; i++)
        n += queue_at(i) != TTY_EOL;
    return n;
}

static void wake_readers(void)
{
    lx_wake_mask(lx_waiters_take(&tty.waiting));
}

/* ---- the line discipline ---- */

/* The last character of the line being typed goes, on the screen too (ECHOE: "\b \b" per column). */
static void erase_one(void)
{
    if (!tty.line_len)
        return;
    uint8_t c = tty.line[--tty.line_len];
    if ((tty.t.c_lflag & (LX_ECHO | LX_ECHOE)) != (LX_ECHO | LX_ECHOE))
        return;
    unsigned cols = is_ctl(c) && (tty.t.c_lflag & LX_ECHOCTL) ? 2 : 1;
    for (unsigned i = 0; i < cols; i++)
        tty_out("\b \b", 3);
}

/* The line being typed becomes readable as it is. */
static void line_flush(void)
{
    for (unsigned i = 0; i < tty.line_len; i++)
        queue_put(tty.line[i]);
    tty.line_len = 0;
}

/* ... ended by end ('\n' or TTY_EOL). */
static void line_end(uint16_t end)
{
    line_flush();
    queue_put(end);
}

/* Canonical input: edit the line; true when a line became readable. */
static bool canonical(uint8_t c)
{
    const uint8_t *cc = tty.t.c_cc;
    if (c == cc[LX_VERASE] || c == '\b') {
        erase_one();
        return false;
    }
    if (c == cc[LX_VKILL]) {
        while (tty.line_len)
            erase_one();
        return false;
    }
    if (c == cc[LX_VEOF]) {
        line_end(TTY_EOL);
        return true;
    }
    if (c == '\n') {
        echo(c);
        line_end('\n');
        return true;
    }
    if (tty.line_len < TTY_LINE - 1) {           /* room for the newline stays */
        tty.line[tty.line_len++] = c;
        echo(c);
    }
    return false;
}

/* The signal an ISIG character stands for, or 0. (A c_cc slot of 0 is disabled.) */
static int isig(uint8_t c)
{
    const uint8_t *cc = tty.t.c_cc;
    if (!(tty.t.c_lflag & LX_ISIG) || !c)
        return 0;
    return c == cc[LX_VINTR] ? SIGINT : c == cc[LX_VQUIT] ? SIGQUIT : 0;
}

void lx_tty_receive(uint8_t c)
{
    fc_spin_lock(&tty.lock);
    const struct lx_termios *t = &tty.t;
    bool readable = false;
    int sig = 0;
    if (c == '\r' && (t->c_iflag & LX_IGNCR)) {
        fc_spin_unlock(&tty.lock);
        return;
    }
    if (c == '\r' && (t->c_iflag & LX_ICRNL))
        c = '\n';
    else if (c == '\n' && (t->c_iflag & LX_INLCR))
        c = '\r';
    if ((sig = isig(c))) {
        if (!(t->c_lflag & LX_NOFLSH))
            tty.count = tty.line_len = 0;            /* what was typed goes */
        echo(c);
    } else if (t->c_lflag & LX_ICANON) {
        readable = canonical(c);
    } else {
        queue_put(c);
        echo(c);
        readable = true;
    }
    if (readable)
        wake_readers();
    fc_spin_unlock(&tty.lock);
    if (sig)
        lx_console_signal(sig);
}

/* ---- reads ---- */

/* A read that would not wait: a line (canonical), else VMIN bytes (or VMIN 0). */
static bool read_ready(uint64_t len)
{
    if (tty.t.c_lflag & LX_ICANON)
        return line_ready();
    unsigned min = tty.t.c_cc[LX_VMIN];
    return queue_bytes() >= (min < len ? min : len);
}

bool lx_tty_readable(void)
{
    if (!tty.input)
        return true;                                 /* at its end: a read returns 0 at once */
    fc_spin_lock(&tty.lock);
    bool r = tty.t.c_lflag & LX_ICANON ? line_ready() : queue_bytes() > 0;
    fc_spin_unlock(&tty.lock);
    return r;
}

/* Up to n queued bytes into out: canonical, one line at most (its EOL mark goes too). */
static unsigned take(uint8_t *out, unsigned n)
{
    bool canon = tty.t.c_lflag & LX_ICANON;
    unsigned done = 0;
    while (tty.count && done < n) {
        uint16_t v = queue_at(0);
        tty.head = (tty.head + 1) % TTY_QUEUE;
        tty.count--;
        if (v == TTY_EOL) {
            if (canon)
                break;
            continue;                                /* non-canonical: a mark means nothing */
        }
        out[done++] = (uint8_t)v;
        if (canon && v == '\n')
            break;
    }
    return done;
}

/* Wait for input (tty lock held, and taken again; the caller is between lx_wait_begin and
 * lx_wait_end): the deadline 0 is none. */
static void wait_input(struct linux_proc *lp, uint64_t deadline)
{
    lx_waiter_add(&tty.waiting, lp);
    fc_spin_unlock(&tty.lock);
    fs_unlock();
    lx_sleep(lp, deadline);                          /* never returns if the process is torn down */
    fs_lock();
    fc_spin_lock(&tty.lock);
}

void lx_tty_watch(struct linux_proc *lp)
{
    fc_spin_lock(&tty.lock);
    lx_waiter_add(&tty.waiting, lp);
    fc_spin_unlock(&tty.lock);
}

static int64_t tty_read(struct linux_proc *lp, uint64_t buf, uint64_t len, bool nonblock);

int64_t lx_tty_read(struct linux_proc *lp, uint64_t buf, uint64_t len, bool nonblock)
{
    if (!tty.input || !len)
        return 0;                                    /* no input: stdin is at its end */
    lx_wait_begin(lp);
    int64_t r = tty_read(lp, buf, len, nonblock);
    lx_wait_end(lp);
    return r;
}

static int64_t tty_read(struct linux_proc *lp, uint64_t buf, uint64_t len, bool nonblock)
{
    uint8_t chunk[256];
    fc_spin_lock(&tty.lock);
    unsigned vtime = tty.t.c_cc[LX_VTIME];
    bool canon = tty.t.c_lflag & LX_ICANON, timed = !canon && vtime;
    uint64_t deadline = timed && !tty.t.c_cc[LX_VMIN] ? lx_deadline_ms(vtime * 100L) : 0;
    while (!read_ready(len)) {
        bool some = queue_bytes() > 0;
        if (timed && some && !deadline)
            deadline = lx_deadline_ms(vtime * 100L);
        if (nonblock || lx_signal_interrupts(lp) || (deadline && fc_rdtsc() >= deadline)) {
            if (some && !canon)
                break;                               /* what is there, short of VMIN */
            fc_spin_unlock(&tty.lock);
            return nonblock ? -LX_EAGAIN : deadline && fc_rdtsc() >= deadline ? 0 : -LX_ERESTARTSYS;
        }
        wait_input(lp, deadline);
    }
    unsigned n = take(chunk, len < sizeof chunk ? (unsigned)len : sizeof chunk);
    fc_spin_unlock(&tty.lock);
    if (n && !proc_write(lp->p, buf, chunk, n))
        return -LX_EFAULT;
    return n;
}

/* ---- ioctl ---- */

/* The console's ioctls: termios (TCGETS, TCSETS and its W and F forms: the latter drops the
 * input), the window size (24 x 80), FIONREAD (bytes a read could take now). */
int64_t lx_tty_ioctl(struct linux_proc *lp, uint64_t req, uint64_t arg)
{
    struct lx_termios t;
    switch (req) {
    case LX_TCGETS:                                  /* the kernel's 36 bytes, not glibc's 60 */
        fc_spin_lock(&tty.lock);
        t = tty.t;
        fc_spin_unlock(&tty.lock);
        return proc_write(lp->p, arg, &t, sizeof t) ? 0 : -LX_EFAULT;
    case LX_TCSETS:
    case LX_TCSETSW:                                 /* output is never queued: nothing to drain */
    case LX_TCSETSF:
        if (!proc_read(lp->p, &t, arg, sizeof t))
            return -LX_EFAULT;
        fc_spin_lock(&tty.lock);
        if (req == LX_TCSETSF)
            tty.count = tty.line_len = 0;
        if (!(t.c_lflag & LX_ICANON))
            line_flush();                            /* leaving canonical mode: the partial line is readable */
        tty.t = t;
        wake_readers();                              /* VMIN or ICANON changed: they look again */
        fc_spin_unlock(&tty.lock);
        return 0;
    case LX_TIOCGWINSZ: {
        struct lx_winsize ws = { .ws_row = 24, .ws_col = 80 };   /* the serial console */
        return proc_write(lp->p, arg, &ws, sizeof ws) ? 0 : -LX_EFAULT;
    }
    case LX_FIONREAD: {
        fc_spin_lock(&tty.lock);
        int32_t n = (int32_t)(tty.input ? queue_bytes() : 0);
        fc_spin_unlock(&tty.lock);
        return proc_write(lp->p, arg, &n, sizeof n) ? 0 : -LX_EFAULT;
    }
    default:
        return -LX_ENOTTY;
    }
}

/* ---- start ---- */

/*
 * The receiver takes the spin locks the Linux processes' handlers take (tty.lock, the
 * console's): at a higher priority on their CPU it could preempt a holder and spin for ever.
 * So it runs at their priority (round robin: a spinner gives way within its 1 ms quantum), on
 * the last CPU (theirs is the first: usually it does not meet them at all).
 */
void lx_tty_start(void)
{
    tty.input = com1_input_start(fc_hip->num_cpus - 1, PROC_PRIO, lx_tty_receive);
}
