// SPDX-License-Identifier: MIT
/* src/linux/dev.c — the device files programs expect: /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom, /dev/tty. */
#include "linux/linux.h"
#include "fs/fs.h"

/*
 * Each is a node of the file system (so open, stat, ls and unlink find it by its name) that
 * the personality recognises by its mark (fs_node.dev): reads and writes on it never reach the file's
 * contents. The nodes are held for good: one unlinked stays recognised by its open descriptors.
 */
enum { DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM, DEV_TTY, DEVS };
static const struct { const char *path; uint32_t major, minor; } devs[DEVS] = {
    [DEV_NULL] = { "/dev/null", 1, 3 },   [DEV_ZERO] = { "/dev/zero", 1, 5 },
    [DEV_FULL] = { "/dev/full", 1, 7 },   [DEV_RANDOM] = { "/dev/random", 1, 8 },
    [DEV_URANDOM] = { "/dev/urandom", 1, 9 }, [DEV_TTY] = { "/dev/tty", 5, 0 },
};

/* Once, when the first Linux process starts (the file system is ready by then). */
void lx_dev_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    fs_lock();
    int err;
    if (!fs_lookup(NULL, "/dev"))
        fs_create(NULL, "/dev", FS_DIR, 0755, &err);
    for (unsigned i = 0; i < DEVS; i++) {
        struct fs_node *n = fs_lookup(NULL, devs[i].path);
        if (!n)
            n = fs_create(NULL, devs[i].path, FS_FILE, 0666, &err);
        if (n && n->type == FS_FILE && !n->size) {   /* an archive's own file of that name stays a file */
            fs_hold(n);
            n->dev = (uint8_t)(i + 1);
        }
    }
    fs_unlock();
}

static int dev_of(const struct fs_node *n)
{
    return n ? n->dev - 1 : -1;
}

bool lx_dev_tty(const struct fs_node *n)
{
    return n && dev_of(n) == DEV_TTY;
}

/* Its st_rdev as Linux encodes a device number (new_encode_dev); 0 for any other node. */
uint64_t lx_dev_rdev(const struct fs_node *n)
{
    int d = dev_of(n);
    if (d < 0)
        return 0;
    uint64_t major = devs[d].major, minor = devs[d].minor;
    return (minor & 0xff) | (major << 8) | ((minor & ~0xffUL) << 12);
}

/* A read of len bytes into the process at buf: nothing (null), zeros, or random bytes. */
int64_t lx_dev_read(struct linux_proc *lp, const struct fs_node *n, uint64_t buf, uint64_t len)
{
    int d = dev_of(n);
    if (d == DEV_NULL)
        return 0;
    uint64_t done = 0;
    while (done < len) {
        uint64_t va = buf + done, w = proc_user_window(lp->p, va, true), chunk = lx_page_rest(va);
        if (!w || va < buf)
            return done ? (int64_t)done : -LX_EFAULT;
        if (chunk > len - done)
            chunk = len - done;
        if (d == DEV_RANDOM || d == DEV_URANDOM)
            lx_random_fill((void *)w, chunk);
        else
            __builtin_memset((void *)w, 0, chunk);
        done += chunk;
    }
    return (int64_t)done;
}

/* A write: every byte taken and dropped, except /dev/full's: no space. */
int64_t lx_dev_write(const struct fs_node *n, uint64_t len)
{
    return dev_of(n) == DEV_FULL ? -LX_ENOSPC : (int64_t)len;
}
