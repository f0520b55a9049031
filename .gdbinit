# SPDX-License-Identifier: MIT
# .gdbinit — attach GDB to `make qemu-gdb`: kernel and roottask symbols, Facet helpers.
# Read by `make gdb` and tools/gdb-smoke; the guide is docs/debugging.md.
#
# hbreak or break? QEMU starts (-S) at the reset vector: real mode, paging off.
#  - Under KVM, `break` makes QEMU write an int3 into guest memory through the
#    page tables of that moment: before the kernel maps the higher half,
#    `break kmain` fails ("Cannot insert breakpoint ... Cannot access memory"),
#    and a `break` on roottask code (0x400000) set before the roottask's address
#    space exists writes into whatever that address maps to then.
#  - `hbreak` uses a debug register (DR0-DR3): it compares the linear address
#    in every CPU mode and every address space, and writes nothing. So use
#    hbreak for stops set before the first `continue` and for user code.
#    Under KVM only 4 at a time.
#  - Under TCG (what tools/accel picks without vmx/svm) QEMU checks both kinds
#    itself, by virtual address; `break` works too.

set architecture i386:x86-64

# Load symbols and connect once: `make gdb` may read this file twice (as the
# local .gdbinit its auto-load safe-path allows, and again through -x).
python
import os
if not any(o.filename.endswith("/build/kernel.elf") for o in gdb.objfiles()):
    gdb.execute("file build/kernel.elf")
    # No address: gdb (>= 8.3) uses the ELF's own section addresses (0x400000...).
    gdb.execute("add-symbol-file build/roottask.elf")
if gdb.selected_inferior().pid == 0:
    # gdb retries a refused connection for about 15 s (set tcp connect-timeout).
    port = os.environ.get("GDBPORT") or "1234"
    try:
        gdb.execute("target remote localhost:" + port)
    except gdb.error as e:
        gdb.write("facet: %s\nfacet: is `make qemu-gdb` running, with the same GDBPORT (%s)? "
                  "Then: target remote localhost:%s\n" % (e, port, port), gdb.STDERR)
end

# Redefining on that second read would ask "Redefine command ...?": not asked with confirm off.
set $_facet_confirm = $_gdb_setting("confirm")
set confirm off

define facet-this-cpu
  # The kernel's GS_BASE points at its struct cpu; in user mode swapgs parked it in KERNEL_GS_BASE.
  if ($cs & 3) == 0
    set $_fb = $gs_base
  else
    set $_fb = $k_gs_base
  end
  set $cpu = -1
  if $_fb >= (unsigned long)&cpus[0] && $_fb < (unsigned long)&cpus[cpu_count]
    set $cpu = ((struct cpu *)$_fb)->id
  end
end
document facet-this-cpu
Set $cpu to the kernel's number of the CPU gdb has selected (-1 before per-CPU set-up).
Usage: facet-this-cpu. $cpu indexes cpus[]. `thread N` selects QEMU's vCPU N-1.
end

define facet-ec
  if $argc == 0
    facet-this-cpu
    set $_fi = $cpu < 0 ? 0 : $cpu
  else
    set $_fi = $arg0
  end
  set $ec = cpus[$_fi].ec
  if $ec == 0
    printf "cpu%u: no EC (idle)\n", $_fi
  else
    printf "cpu%u: ec#%u (pd#%u) cont=", $_fi, $ec->obj.id, $ec->pd->obj.id
    output $ec->cont
    printf " saved rip %#lx rsp %#lx", $ec->regs.rip, $ec->regs.rsp
    if $ec->sc
      printf " sc#%u prio %u", $ec->sc->obj.id, $ec->sc->prio
    end
    printf "\n"
  end
end
document facet-ec
Print the EC running on a CPU: ids, continuation, saved user rip/rsp, its SC.
Usage: facet-ec [CPU]   (default: the CPU gdb stopped on)
rip/rsp are the user state saved at its last kernel entry. Sets $ec: try `p *$ec`,
`p *$ec->pd`, `facet-regs &$ec->regs`.
end

define facet-regs
  set $_r = (struct cpu_regs *)($arg0)
  printf "rip 0x%016lx  rsp 0x%016lx  rflags %#lx  cs %#lx  ss %#lx\n", $_r->rip, $_r->rsp, $_r->rflags, $_r->cs, $_r->ss
  printf "rax 0x%016lx  rbx 0x%016lx  rcx 0x%016lx  rdx 0x%016lx\n", $_r->rax, $_r->rbx, $_r->rcx, $_r->rdx
  printf "rsi 0x%016lx  rdi 0x%016lx  rbp 0x%016lx\n", $_r->rsi, $_r->rdi, $_r->rbp
  printf "r8  0x%016lx  r9  0x%016lx  r10 0x%016lx  r11 0x%016lx\n", $_r->r8, $_r->r9, $_r->r10, $_r->r11
  printf "r12 0x%016lx  r13 0x%016lx  r14 0x%016lx  r15 0x%016lx\n", $_r->r12, $_r->r13, $_r->r14, $_r->r15
  if $_r->vector == 0x100
    printf "hypercall %lu, flags %#lx, selector %#lx\n", $_r->rdi & 0xff, ($_r->rdi >> 8) & 0xf, $_r->rdi >> 12
  else
    printf "vector %lu, error code %#lx\n", $_r->vector, $_r->err
  end
end
document facet-regs
Print a saved register frame (struct cpu_regs); decodes rdi of a hypercall frame.
Usage: facet-regs ADDR   e.g. `facet-regs r` in syscall_handler or kernel_fault,
`facet-regs &$ec->regs` after facet-ec.
end

define facet-cpus
  set $_i = 0
  while $_i < cpu_count
    set $_c = &cpus[$_i]
    printf "cpu%u apic %u: ", $_c->id, $_c->apic_id
    if $_c->ec
      printf "ec#%u (pd#%u)", $_c->ec->obj.id, $_c->ec->pd->obj.id
    else
      printf "idle"
    end
    if $_c->sc
      printf ", sc#%u prio %u", $_c->sc->obj.id, $_c->sc->prio
    end
    printf "\n"
    set $_i = $_i + 1
  end
end
document facet-cpus
Print each CPU the kernel brought online: number, APIC id, running EC, its SC's priority.
Usage: facet-cpus
end

if $_facet_confirm
  set confirm on
end
