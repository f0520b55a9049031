// SPDX-License-Identifier: MIT
/* vmm/linux_boot.c — a Linux guest: bzImage, initrd and command line from vm/ over the file service, into guest RAM. */
#include <stdio.h>
#include <string.h>
#include "vmm.h"
#include "linux.h"
#include "facet/fs.h"

#define PATH_KERNEL "/vm/bzImage"
#define PATH_INITRD "/vm/initrd"
#define PATH_APPEND "/vm/append"

/*
 * What every Linux guest needs on its command line (docs/linux-guests.md):
 * the console on the 16550, no local APIC or ACPI (the 8259 pair and the
 * PIT instead), reset through the keyboard controller, a panic reboots at
 * once (the VM ends), and the TSC's rate told, not measured.
 */
#define CMDLINE_BASE "console=ttyS0 nolapic acpi=off reboot=k panic=-1 tsc_early_khz=%lu tsc=reliable no_timer_check"

static uint8_t head[LINUX_HEAD_BYTES];
static char cmdline[LINUX_CMDLINE_MAX];

/* Open path for reading: its descriptor and size, or a negative errno. */
static int64_t open_sized(const char *path, uint64_t *size)
{
    struct file_stat st;
    int64_t fd = file_open(path, FILE_O_RDONLY);
    if (fd < 0)
        return fd;
    int64_t r = file_fstat(fd, &st);
    if (r < 0 || st.type != FILE_TYPE_FILE) {
        file_close(fd);
        return r < 0 ? r : -FILE_EISDIR;
    }
    *size = st.size;
    return fd;
}

/* len bytes from fd at offset into dst; false if the file gives fewer. */
static bool read_at(int64_t fd, uint64_t offset, void *dst, uint64_t len)
{
    return file_lseek(fd, (int64_t)offset, FILE_SEEK_SET) == (int64_t)offset && file_read(fd, dst, len) == (int64_t)len;
}

/* The command line: the base with the TSC's rate, then vm/append (its line breaks as spaces), if there is one. */
static uint64_t build_cmdline(struct vm *vm)
{
    int n = snprintf(cmdline, sizeof cmdline, CMDLINE_BASE, vm->info->tsc_khz);
    uint64_t size, len = (uint64_t)n;
    int64_t fd = open_sized(PATH_APPEND, &size);
    if (fd < 0)
        return len;
    if (size && len + 1 + size < sizeof cmdline && read_at(fd, 0, cmdline + len + 1, size)) {
        cmdline[len] = ' ';
        len += 1 + size;
        for (uint64_t i = 0; i < len; i++)
            if (cmdline[i] == '\n' || cmdline[i] == '\r')
                cmdline[i] = ' ';
        while (len && cmdline[len - 1] == ' ')
            len--;
        cmdline[len] = 0;
    } else if (size) {
        len = sizeof cmdline;                            /* too long: linux_plan says so */
    }
    file_close(fd);
    return len;
}

/*
 * Everything before the vCPU starts (the file service is called from this,
 * the main thread): low RAM with the tables and the GDT, the kernel at its
 * load address, the initrd at the top, the command line and the zero page;
 * then all of RAM given to the guest at once.
 */
const char *linux_load(struct vm *vm)
{
    static char why[160];
    uint64_t ksize, isize = 0, len;
    int64_t kfd = open_sized(PATH_KERNEL, &ksize), ifd = -1;
    if (kfd < 0)
        return "no kernel at " PATH_KERNEL " in the archive";
    len = ksize < sizeof head ? ksize : sizeof head;
    if (!read_at(kfd, 0, head, len))
        return "cannot read " PATH_KERNEL;
    ifd = open_sized(PATH_INITRD, &isize);
    if (ifd < 0)
        isize = 0;                                       /* no initrd: the kernel's built-in one */
    uint64_t cmdline_len = build_cmdline(vm);
    struct linux_plan p;
    const char *err = linux_plan(head, len, ksize, isize, cmdline_len, vm->info->ram, &p);
    if (err) {
        snprintf(why, sizeof why, "%s: %s (%lu MiB of RAM)", PATH_KERNEL, err, vm->info->ram >> 20);
        return why;
    }
    guest_tables();
    void *kdst = guest_ram(p.load, p.kernel_size), *idst = isize ? guest_ram(p.initrd, isize) : NULL;
    if (!kdst || (isize && !idst))
        return "the kernel or initrd would straddle the VMM's two pieces of guest RAM";
    if (!read_at(kfd, p.kernel_offset, kdst, p.kernel_size))
        return "cannot read " PATH_KERNEL;
    file_close(kfd);
    if (isize) {
        if (!read_at(ifd, 0, idst, isize))
            return "cannot read " PATH_INITRD;
        file_close(ifd);
    }
    memcpy(guest_ram(LINUX_CMDLINE, p.cmdline_len + 1), cmdline, p.cmdline_len + 1);
    linux_zero_page(guest_ram(LINUX_ZERO_PAGE, sizeof(struct boot_params)), head, &p, vm->info->ram);
    if (!guest_populate_all(vm))
        return "cannot give the guest its RAM";
    vm->linux_entry = p.entry;
    vmm_log("linux %s: protocol %u.%02u, kernel %lu KiB at %#lx (needs %lu MiB from there), initrd %lu KiB at %#lx",
            linux_version(head, len), p.version >> 8, p.version & 0xff, p.kernel_size >> 10, p.load,
            (p.end - p.load) >> 20, isize >> 10, p.initrd);
    vmm_log("linux command line: %s", cmdline);
    return NULL;
}

/* The 64-bit boot protocol's entry: long mode, paging on, the boot GDT, IF=0, RSI = the zero page. */
void linux_start(struct vm *vm, struct utcb_exc *x)
{
    guest_start_state(x, vm->linux_entry, LINUX_STACK);
    x->rsi = LINUX_ZERO_PAGE;
}
