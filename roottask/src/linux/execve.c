// SPDX-License-Identifier: MIT
/* src/linux/execve.c — execve: another program in the same process, from the file system (scripts too). */
#include <stdio.h>
#include <string.h>
#include "linux/linux.h"
#include "fs/fs.h"
#include "lib/elf.h"
#define EXEC_STRINGS (64u << 10)             /* bytes of argv and envp strings */
#define EXEC_VECTOR  512                      /* arguments and environment entries, each */

/* Per slot: the new program's arguments, copied out of the old one before it goes. */
static struct exec_args {
    char strings[EXEC_STRINGS];
    const char *argv[EXEC_VECTOR + 3], *envp[EXEC_VECTOR + 1];
    char path[256], interp[256];
    uint8_t head[4096];                          /* the start of a file not in one piece */
} exec_args[PROC_MAX];

/*
 * The first bytes of file n, where "#!" and the ELF headers are: the archive's copy of a file
 * as the archive holds it (all of it, in one piece), else up to a page read into a->head (a
 * file written at run time lies in pages of its own). *len: how many.
 */
static const uint8_t *file_head(struct fs_node *n, struct exec_args *a, uint64_t *len)
{
    if (n->tar_data) {
        *len = n->size;
        return n->tar_data;
    }
    int64_t r = fs_read(n, 0, a->head, n->size < sizeof a->head ? n->size : sizeof a->head);
    *len = r > 0 ? (uint64_t)r : 0;
    return a->head;
}

/* The loader's reader for a file written at run time (fs_lock held: execve takes it). */
static void read_node(void *node, void *dst, uint64_t off, uint64_t len)
{
    int64_t r = fs_read(node, off, dst, len);
    if (r < (int64_t)len)
        memset((uint8_t *)dst + (r > 0 ? r : 0), 0, len - (uint64_t)(r > 0 ? r : 0));
}

/* The ELF headers of a file of size bytes whose first len are at head lie within them (the
 * checks read only those); a file in one piece has them all. */
static bool headers_within(const uint8_t *head, uint64_t len, uint64_t size)
{
    struct elf64_ehdr eh;
    if (len == size)
        return true;
    if (len < sizeof eh)
        return false;
    memcpy(&eh, head, sizeof eh);
    return eh.e_phoff <= len && (uint64_t)eh.e_phnum * sizeof(struct elf64_phdr) <= len - eh.e_phoff;
}

/* A NULL-ended vector of string pointers at va, copied into a's strings from *used on; count or -errno. */
static int64_t copy_vector(struct linux_proc *lp, uint64_t va, const char **out, unsigned max, struct exec_args *a,
                           unsigned *used)
{
    for (unsigned i = 0;; i++) {
        uint64_t ptr;
        if (!va) {                                   /* Linux takes a NULL vector as empty */
            out[i] = NULL;
            return 0;
        }
        if (!proc_read(lp->p, &ptr, va + 8 * i, 8))
            return -LX_EFAULT;
        if (!ptr) {
            out[i] = NULL;
            return i;
        }
        if (i == max)
            return -LX_E2BIG;
        int64_t len = lx_user_string(lp, ptr, a->strings + *used, EXEC_STRINGS - *used);
        if (len < 0)
            return len == -LX_ENAMETOOLONG ? -LX_E2BIG : len;
        out[i] = a->strings + *used;
        *used += (unsigned)len + 1;
    }
}

/* The program's node: /proc/self/exe is the running program's own path. */
static struct fs_node *exec_node(struct linux_proc *lp, const char *path)
{
    return fs_lookup(lp->cwd, !strcmp(path, "/proc/self/exe") ? lp->exe : path);
}

/*
 * execve: another program in this process. Everything that can fail is checked first (the
 * file, an ELF the loader can place, or a "#!" script whose interpreter is one; the
 * arguments); then the old program goes (its pages and areas, descriptors with FD_CLOEXEC,
 * signal handlers) and the new one is loaded, with a fresh stack. The reply starts it: rip at
 * its entry, rsp at argc, the other registers 0. A file as the archive holds it is read in
 * place; one written at run time through the file system (file_head, read_node).
 */
int64_t lx_execve(struct linux_proc *lp, struct utcb_exc *x)
{
    struct proc *p = lp->p;
    struct exec_args *a = &exec_args[p->slot % PROC_MAX];
    int64_t r = lx_user_string(lp, x->rdi, a->path, sizeof a->path);
    if (r < 0)
        return r;
    if (!a->path[0])
        return -LX_ENOENT;
    unsigned used = 0;
    int64_t argc = copy_vector(lp, x->rsi, a->argv + 2, EXEC_VECTOR, a, &used);
    int64_t envc = argc < 0 ? argc : copy_vector(lp, x->rdx, a->envp, EXEC_VECTOR, a, &used);
    if (argc < 0 || envc < 0)
        return argc < 0 ? argc : envc;
    if (argc == 0) {                                 /* Linux gives a program an empty argv[0] then */
        a->argv[2] = "";
        a->argv[3] = NULL;
        argc = 1;
    }
    struct fs_node *n = exec_node(lp, a->path);
    if (!n)
        return -LX_ENOENT;
    if (n->type != FS_FILE || !(n->mode & 0111))
        return -LX_EACCES;                           /* not a file, or no execute bit (root too) */
    const char *const *argv = a->argv + 2, *file = a->path;
    uint64_t len;
    const uint8_t *head = file_head(n, a, &len);
    if (len > 2 && head[0] == '#' && head[1] == '!') {
        /* A script: "#!interpreter [one argument]" runs the interpreter on it. */
        unsigned i = 2, k = 0;
        while (i < len && (head[i] == ' ' || head[i] == '\t'))
            i++;
        while (i < len && head[i] != '\n' && k < sizeof a->interp - 1)
            a->interp[k++] = (char)head[i++];
        a->interp[k] = 0;
        char *arg = strchr(a->interp, ' ');
        if (arg)
            *arg++ = 0;
        const char **v = a->argv + 2;
        v[0] = a->path;                              /* the script's path replaces argv[0] */
        if (arg && *arg)
            *--v = arg;
        *--v = a->interp;
        argv = v;
        argc += arg && *arg ? 2 : 1;
        file = a->interp;
        n = exec_node(lp, a->interp);
        if (!n || n->type != FS_FILE)
            return -LX_ENOENT;
        if (!(n->mode & 0111))
            return -LX_EACCES;
        head = file_head(n, a, &len);
    }
    struct elf_info elf;
    if (!headers_within(head, len, n->size)) {
        printf("[linux] process %u (%s): execve of %s: its program headers lie past its first page: -ENOEXEC\n",
               p->id, p->name, file);
        return -LX_ENOEXEC;
    }
    if (proc_image_check(head, n->size, &elf))
        return -LX_ENOEXEC;
    if (lx_self(lp) != &lp->main) {
        printf("[linux] process %u (%s): execve from a thread other than the first is not supported: -ENOSYS\n",
               p->id, p->name);
        return -LX_ENOSYS;
    }

    /* No way back from here: the old program goes, and its other threads with it. */
    if (p->nthreads) {
        proc_threads_kill(p);
        lx_wake(lp);                                 /* a sleeping one wakes and goes */
        lx_threads_release(lp);
    }
    linux_flush(lp);
    for (unsigned fd = 0; fd < LX_MAX_FDS; fd++)
        if (lp->fd[fd] && (lp->cloexec[fd / 64] >> (fd % 64) & 1)) {
            struct lx_file *f = lp->fd[fd];
            lp->fd[fd] = NULL;
            lx_file_put(f);
        }
    memset(lp->cloexec, 0, sizeof lp->cloexec);
    for (unsigned s = 0; s < 64; s++)                /* caught signals go back to their default */
        if (lp->sigaction[s].sa_handler > 1)
            memset(&lp->sigaction[s], 0, sizeof lp->sigaction[s]);
    lx_self(lp)->altstack_sp = lx_self(lp)->altstack_size = 0;
    lp->brk_start = lp->brk = lp->mmap_next = 0;
    proc_unmap_everything(p);
    const char *why = NULL;
    unsigned st = n->tar_data ? proc_load_image(p, n->tar_data, &elf, &why)
                              : proc_load_image_from(p, read_node, n, &elf, &why);
    if (st != SUCCESS ||
        !lx_stack_setup(p, (int)argc, argv, a->envp, file)) {
        printf("[linux] process %u (%s): execve of %s failed after the old program was gone (%s): killed\n",
               p->id, p->name, file, why ? why : "its initial stack");
        fs_unlock();
        x->rdi = 127;
        lx_exit_group(lp, x);                        /* does not return */
    }
    lp->execed = true;
    if (strcmp(a->path, "/proc/self/exe") && fs_realpath(lp->cwd, file, lp->exe, sizeof lp->exe) < 0)
        snprintf(lp->exe, sizeof lp->exe, "%s", file);   /* (a path too long for exe[]) */
    const char *base = strrchr(file, '/');
    snprintf(p->name, sizeof p->name, "%s", base ? base + 1 : file);
    lx_vfork_release(lp);                            /* a vfork parent goes on */
    memset(&x->rax, 0, 16 * sizeof(uint64_t));      /* rax .. r15 */
    x->rip = p->entry;
    x->rsp = p->start_sp;
    x->rflags = 0x202;
    x->fs_base = x->gs_base = 0;
    lx_fpu_fresh(x);                                 /* the new program's FPU state: fninit's */
    return 0;
}
