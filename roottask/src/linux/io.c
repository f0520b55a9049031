// SPDX-License-Identifier: MIT
/* src/linux/io.c — write, writev and ioctl on the console descriptors 0, 1 and 2. */
#include <stdio.h>
#include <string.h>
#include "linux.h"

static const char *const fd_tag[3] = { "stdin", "stdout", "stderr" };

/* Console output goes out whole lines at a time, tagged with the descriptor. */
void lx_console_out(struct linux_proc *lp, unsigned fd, const char *s, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\n')
            lp->line[fd][lp->len[fd]++] = c;
        if (c == '\n' || lp->len[fd] == sizeof lp->line[fd] - 1) {
            printf("[%s] %.*s\n", fd_tag[fd], (int)lp->len[fd], lp->line[fd]);
            lp->len[fd] = 0;
        }
    }
}

void linux_flush(struct linux_proc *lp)
{
    for (unsigned fd = 1; fd < 3; fd++)
        if (lp->len[fd]) {
            printf("[%s] %.*s\n", fd_tag[fd], (int)lp->len[fd], lp->line[fd]);
            lp->len[fd] = 0;
        }
}

/* Write len bytes from the process's buf to a descriptor: bytes written or -errno. */
static int64_t write_user(struct linux_proc *lp, uint64_t fd, uint64_t buf, uint64_t len)
{
    char chunk[512];
    for (uint64_t done = 0; done < len; ) {
        uint64_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        if (!proc_read(lp->p, chunk, buf + done, n))
            return done ? (int64_t)done : -LX_EFAULT;
        int64_t r = lx_fd_write(lp, fd, chunk, n);
        if (r < 0)
            return done ? (int64_t)done : r;
        done += (uint64_t)r;
        if ((uint64_t)r < n)
            break;
    }
    return (int64_t)len;
}

int64_t lx_write(struct linux_proc *lp, struct utcb_exc *x)
{
    return write_user(lp, x->rdi, x->rsi, x->rdx);
}

int64_t lx_writev(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t fd = x->rdi, iov = x->rsi, cnt = x->rdx;
    if (cnt > 1024)
        return -LX_EINVAL;
    int64_t total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        uint64_t v[2];
        if (!proc_read(lp->p, v, iov + 16 * i, sizeof v))
            return total ? total : -LX_EFAULT;
        int64_t r = write_user(lp, fd, v[0], v[1]);
        if (r < 0)
            return total ? total : r;
        total += r;
    }
    return total;
}

#define TCGETS     0x5401
#define TIOCGWINSZ 0x5413

int64_t lx_ioctl(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t fd = (uint32_t)x->rdi, req = (uint32_t)x->rsi, arg = x->rdx;
    if (fd >= LX_MAX_FDS || !lp->fd[fd].used)
        return -LX_EBADF;
    if (lp->fd[fd].node)
        return -LX_ENOTTY;                           /* a file is no terminal */
    if (req == TIOCGWINSZ) {
        uint16_t ws[4] = { 24, 80, 0, 0 };           /* rows, columns: the serial console */
        return proc_write(lp->p, arg, ws, sizeof ws) ? 0 : -LX_EFAULT;
    }
    if (req == TCGETS) {
        uint8_t termios[60] = { 0 };                 /* a raw terminal: no flags set */
        return proc_write(lp->p, arg, termios, sizeof termios) ? 0 : -LX_EFAULT;
    }
    return -LX_ENOTTY;
}
