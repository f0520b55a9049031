# SPDX-License-Identifier: MIT
# Facet — the one Makefile: build, boot, debug, test, grade.
#
#   make            kernel, roottask, userland tar and the default ISO under build/
#   make qemu       boot the ISO (firmware, GRUB) with the serial console on this terminal (Ctrl-A X quits)
#   make qemu-nox   boot it directly (QEMU -kernel, tools/direct-boot), headless; FACET_BOOT=iso: the ISO
#   make shell      boot headless into busybox sh on the serial console (exit powers off)
#   make qemu-gdb   boot, stopped, waiting for `make gdb` in another terminal
#   make gdb        attach GDB (kernel and roottask symbols)
#   make run-vm     Debian's Linux kernel under Facet's VMM, its console on this terminal (tools/facet-vm)
#   make check      every test: host unit tests, harness self-test, boot graders
#   make linux-table  the Linux command-line table, under Facet and on the host, compared
#   make clean

# Every rule is written here: none of make's built-in ones, whose search took most of an
# up-to-date run (80 ms -> 20 ms; tools/facet-run and each grader's boot run make).
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:

BUILD    ?= build
SCENARIO ?= boot
SMP      ?= 2
MEM      ?= 256
ACCEL    ?= auto
CC       := gcc
LD       := ld
HOSTCC   := gcc

# ---------------------------------------------------------------- lab stages
# A file with a hole holds the reference code and, beside it, the stub students get (see
# tools/labkit). The stages named in SOLUTIONS (all, none, or a list like "portals
# capabilities") build from the files as they are; the others from the student view that
# tools/labkit renders into $(BUILD)/view/. The reference repository defaults to all; a
# handout (its files already the student view) to none.
LAB_STAGES := $(shell sed -e 's/\#.*//' labs/stages)
SOLUTIONS  ?= all
SOL_STAGES := $(if $(filter all,$(SOLUTIONS)),$(LAB_STAGES),$(filter-out none,$(SOLUTIONS)))
ifneq ($(filter-out $(LAB_STAGES),$(SOL_STAGES)),)
$(error SOLUTIONS: unknown stage '$(filter-out $(LAB_STAGES),$(SOL_STAGES))' (known: all none $(LAB_STAGES)))
endif
# The files with holes of the stages not solved: compiled from their student view (none in a
# handout, whose files are the student view).
VIEW_PATHS := $(if $(filter-out $(SOL_STAGES),$(LAB_STAGES)),$(shell tools/labkit files --stubs $(filter-out $(SOL_STAGES),$(LAB_STAGES))))
VIEWS      := $(addprefix $(BUILD)/view/,$(VIEW_PATHS))
# The source file a build compiles for $(1).
src_of = $(if $(filter $(1),$(VIEW_PATHS)),$(BUILD)/view/$(1),$(1))
# A change of SOLUTIONS rebuilds the student files' objects (the stamp changes only then).
SOL_STAMP := $(BUILD)/.solutions
$(shell mkdir -p $(BUILD); [ -f $(SOL_STAMP) ] && [ "$$(cat $(SOL_STAMP))" = "$(SOL_STAGES)" ] || echo "$(SOL_STAGES)" > $(SOL_STAMP))

$(BUILD)/view/%: % tools/labkit
	@mkdir -p $(dir $@)
	@echo "  VIEW    $<"
	$(Q)tools/labkit render student $< > $@.tmp && mv $@.tmp $@

# Every build depends on the Debian packages being there (tools/deps.sh installs them).
DEPS := $(BUILD)/.deps-ok
$(DEPS): tools/deps.sh
	@mkdir -p $(BUILD)
	@tools/deps.sh
	@touch $@
# The kernel's and the roottask's compiler flags: a change rebuilds their objects. The stamp is
# rewritten only when the flags differ, so that an unchanged set rebuilds nothing.
FLAGS := $(BUILD)/.flags
$(FLAGS): FORCE
	@mkdir -p $(BUILD)
	@printf '%s\n' '$(KERNEL_CFLAGS)' '$(USER_CFLAGS)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
.PHONY: FORCE
FORCE:

# ---------------------------------------------------------------- kernel
# Only the compiler's own freestanding headers (stdint.h, stdarg.h ...), never the host libc's.
NOSTDINC = -nostdinc -isystem $(shell $(CC) -print-file-name=include)
Q := @
# Freestanding, no red zone (interrupts use the same stack), no SSE (the
# kernel does not save FPU state for itself), top 2 GiB (-mcmodel=kernel).
KERNEL_CFLAGS = -std=c11 -O2 -g -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mno-sse -mno-mmx -mno-80387 -mcmodel=kernel -fno-common -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wvla -Wframe-larger-than=1024 $(NOSTDINC) -Ikernel/include -MMD -MP \
	$(if $(filter 1,$(FAIL_INJECTION)),-DFACET_FAIL_INJECTION)
KERNEL_C   := $(wildcard kernel/*.c kernel/*/*.c)
KERNEL_S   := $(wildcard kernel/*/*.S)
KERNEL_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C)) $(patsubst %.S,$(BUILD)/%.o,$(KERNEL_S))
KERNEL     := $(BUILD)/kernel.elf

$(BUILD)/kernel/%.o: kernel/%.c $(DEPS) $(FLAGS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# Files with holes of unsolved stages: compiled from their student view (explicit rules win
# over the patterns).
define KERNEL_STUDENT_RULE
$(BUILD)/$(basename $(1)).o: $(call src_of,$(1)) $(SOL_STAMP) $(DEPS) $(FLAGS)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$<"
	$$(Q)$$(CC) $$(KERNEL_CFLAGS) -c $$< -o $$@
endef
$(foreach f,$(filter kernel/%.c,$(VIEW_PATHS)),$(eval $(call KERNEL_STUDENT_RULE,$(f))))

$(BUILD)/kernel/%.o: kernel/%.S $(DEPS) $(FLAGS)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -D__ASSEMBLER__ -c $< -o $@

# -n: no page alignment of the file (GRUB reads it), max-page-size: 4 KiB segments.
$(KERNEL): $(KERNEL_OBJ) kernel/kernel.ld
	@echo "  LD      $@"
	$(Q)$(LD) -n -nostdlib -z max-page-size=4096 --no-warn-rwx-segments -T kernel/kernel.ld -o $@ $(KERNEL_OBJ)

# ---------------------------------------------------------------- roottask
# User code: freestanding too; no SSE until the kernel saves FPU state per EC.
USER_CFLAGS = -std=c11 -O2 -g -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mno-sse -mno-mmx -mno-80387 -fno-common -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fomit-frame-pointer \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
	$(NOSTDINC) -Iroottask/src -Iroottask/lib/facet/include -Iroottask/lib/c/include -Ikernel/include -MMD -MP -I$(BUILD)/gen \
	$(if $(filter 1,$(FAIL_INJECTION)),-DFACET_FAIL_INJECTION)
# Pure code the kernel and the roottask share (formatting, ELF, HIP): compiled twice.
SHARED_C   := kernel/lib/format.c kernel/lib/elf.c kernel/lib/hip.c kernel/lib/string.c
# The roottask: its runtime (lib/), its roles (src/: processes, services, the file system,
# the Linux personality) and the test scenarios a boot runs (scenarios/).
ROOT_C     := $(wildcard roottask/lib/facet/*.c roottask/lib/c/*.c roottask/src/*.c roottask/src/*/*.c \
	roottask/scenarios/*.c) $(SHARED_C)
ROOT_S     := $(wildcard roottask/lib/facet/*.S roottask/src/*.S roottask/scenarios/*.S)
ROOT_OBJ   := $(patsubst %.c,$(BUILD)/user/%.o,$(ROOT_C)) $(patsubst %.S,$(BUILD)/user/%.o,$(ROOT_S))
ROOTTASK   := $(BUILD)/roottask.elf

$(BUILD)/user/%.o: %.c $(DEPS) $(FLAGS)
	@mkdir -p $(dir $@)
	@echo "  CC [u]  $<"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

# -I the file's own directory: the view's #include "..." finds the same headers.
define USER_STUDENT_RULE
$(BUILD)/user/$(basename $(1)).o: $(call src_of,$(1)) $(SOL_STAMP) $(DEPS) $(FLAGS)
	@mkdir -p $$(dir $$@)
	@echo "  CC [u]  $$<"
	$$(Q)$$(CC) $$(USER_CFLAGS) -I$(dir $(1)) -c $$< -o $$@
endef
$(foreach f,$(filter roottask/%.c vmm/%.c,$(VIEW_PATHS)),$(eval $(call USER_STUDENT_RULE,$(f))))

# The Linux personality names every syscall it does not handle, and its table lists the calls
# it handles by their __NR_ names: both come from the kernel headers Debian ships
# (linux-libc-dev, with libc6-dev), which the freestanding build cannot include: a C table of
# names, and the __NR_ defines copied as they are.
SYSCALL_NAMES := $(BUILD)/gen/syscall_names.h
SYSCALL_NRS   := $(BUILD)/gen/syscall_nr.h
$(SYSCALL_NAMES): $(DEPS)
	@mkdir -p $(dir $@)
	$(Q)sed -nE 's/^#define __NR_([a-z0-9_]+) ([0-9]+)$$/    [\2] = "\1",/p' /usr/include/x86_64-linux-gnu/asm/unistd_64.h > $@.tmp && mv $@.tmp $@
$(SYSCALL_NRS): $(DEPS)
	@mkdir -p $(dir $@)
	$(Q)grep -E '^#define __NR_[a-z0-9_]+ [0-9]+$$' /usr/include/x86_64-linux-gnu/asm/unistd_64.h > $@.tmp && mv $@.tmp $@
$(BUILD)/user/roottask/src/linux/syscall.o: $(SYSCALL_NAMES) $(SYSCALL_NRS)

$(BUILD)/user/%.o: %.S $(DEPS) $(FLAGS)
	@mkdir -p $(dir $@)
	@echo "  AS [u]  $<"
	$(Q)$(CC) $(USER_CFLAGS) -D__ASSEMBLER__ -c $< -o $@

$(ROOTTASK): $(ROOT_OBJ) roottask/roottask.ld
	@echo "  LD      $@"
	$(Q)$(LD) -nostdlib -z max-page-size=4096 -T roottask/roottask.ld -o $@ $(ROOT_OBJ)

# The witness (grade/witness/): a root task the graders boot alone, built only from code no
# student file touches — its own files, the small libc, the shared pure code and the
# scenarios' fault snippets — so its signed verdicts are the kit's, not the submission's.
WITNESS_SRC := $(wildcard grade/witness/*.c grade/witness/*.S) roottask/scenarios/faults.S vmm/start_state.c \
	roottask/lib/c/printf.c roottask/lib/c/string2.c $(SHARED_C)
WITNESS_OBJ := $(patsubst %,$(BUILD)/user/%.o,$(basename $(WITNESS_SRC)))
WITNESS     := $(BUILD)/witness.elf
$(BUILD)/user/grade/witness/ept.o: USER_CFLAGS += -Ivmm
$(WITNESS): $(WITNESS_OBJ) roottask/roottask.ld
	@echo "  LD      $@"
	$(Q)$(LD) -nostdlib -z max-page-size=4096 -T roottask/roottask.ld -o $@ $(WITNESS_OBJ)

# ---------------------------------------------------------------- native programs
# The native test programs of the stages, labs/<n>-<stage>/tests/*.c (stage 5: tests/native/),
# each one program: the native-program runtime (roottask/lib/app: crt0, console through the
# console portal), the small libc and the shared pure code. They land in the userland tar.
APP_SRC     := $(wildcard labs/*/tests/*.c labs/*/tests/native/*.c)
APPS        := $(basename $(notdir $(APP_SRC)))
APP_LIB_C   := $(wildcard roottask/lib/app/*.c) roottask/lib/c/printf.c roottask/lib/c/string2.c \
	roottask/lib/facet/console_client.c roottask/lib/facet/fs_client.c $(SHARED_C)
APP_LIB_OBJ := $(patsubst %.c,$(BUILD)/user/%.o,$(APP_LIB_C)) $(patsubst %.S,$(BUILD)/user/%.o,$(wildcard roottask/lib/app/*.S))
APP_BINS    := $(addprefix $(BUILD)/userland/bin/,$(APPS))
app_src      = $(filter %/$(1).c,$(APP_SRC))

define APP_RULE
$(BUILD)/userland/bin/$(1): $(BUILD)/user/$(basename $(call app_src,$(1))).o $(APP_LIB_OBJ) roottask/lib/app/app.ld
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$$(Q)$$(LD) -nostdlib -z max-page-size=4096 -T roottask/lib/app/app.ld -o $$@ $$< $$(APP_LIB_OBJ)
endef
$(foreach a,$(APPS),$(eval $(call APP_RULE,$(a))))

# ---------------------------------------------------------------- the VMM and its guests
# The user-level VMM (vmm/): a native program with its device models (vmm/dev/) and the test
# guests (vmm/guests/, flat binaries built by guests.mk) linked in. The one list of guests is
# GUESTS in guests.mk; the image table and the .incbin lines are generated from it.
include vmm/guests/guests.mk
VMM_C      := $(wildcard vmm/*.c vmm/dev/*.c)
VMM_OBJ    := $(patsubst %.c,$(BUILD)/user/%.o,$(VMM_C)) $(BUILD)/user/vmm/entry.o $(BUILD)/user/gen/guest_images.o \
	$(BUILD)/user/roottask/lib/facet/status.o
VMM_BIN    := $(BUILD)/userland/bin/vmm
$(BUILD)/gen/guest_list.h: vmm/guests/guests.mk
	@mkdir -p $(dir $@)
	$(Q)printf 'GUEST(%s)\n' $(GUESTS) > $@
$(BUILD)/gen/guest_images.S: vmm/guests/guests.mk
	@mkdir -p $(dir $@)
	$(Q)for g in $(GUESTS); do printf '    .section .rodata\n    .balign 16\n    .global guest_%s_start, guest_%s_end\nguest_%s_start:\n    .incbin "%s"\nguest_%s_end:\n' \
	    $$g $$g $$g $(GUEST_OUT)/$$g.bin $$g; done > $@ && printf '    .section .note.GNU-stack, "", @progbits\n' >> $@
$(BUILD)/user/gen/guest_images.o: $(BUILD)/gen/guest_images.S $(GUEST_BINS)
	@mkdir -p $(dir $@)
	@echo "  AS [u]  $<"
	$(Q)$(CC) $(USER_CFLAGS) -D__ASSEMBLER__ -c $< -o $@
$(BUILD)/user/vmm/main.o: $(BUILD)/gen/guest_list.h
$(VMM_BIN): $(VMM_OBJ) $(APP_LIB_OBJ) roottask/lib/app/app.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) -nostdlib -z max-page-size=4096 -T roottask/lib/app/app.ld -o $@ $(VMM_OBJ) $(APP_LIB_OBJ)

# ---------------------------------------------------------------- Linux programs
# Ordinary static x86-64 Linux programs (musl), the same binaries that run on Linux itself.
LINUX_PROGS := $(basename $(notdir $(wildcard labs/5-linux-emulation/tests/linux/*.c)))
LINUX_BINS  := $(addprefix $(BUILD)/userland/linux/,$(LINUX_PROGS)) $(BUILD)/userland/linux/busybox \
	$(BUILD)/userland/linux/sh $(BUILD)/userland/linux/busybox-hard

$(BUILD)/userland/linux/%: labs/5-linux-emulation/tests/linux/%.c $(DEPS)
	@mkdir -p $(dir $@)
	@echo "  MUSL    $@"
	$(Q)musl-gcc -static -O2 -Wall -Wextra -Werror -Ikernel/include -Iroottask/lib/facet/include -o $@ $<

$(BUILD)/userland/linux/events $(BUILD)/userland/linux/schedinfo $(BUILD)/userland/linux/threads $(BUILD)/userland/linux/sysbench: labs/5-linux-emulation/tests/linux/lib.h

# pie.c is the exception: a static-pie executable, which Debian's musl-gcc cannot link, so glibc's.
$(BUILD)/userland/linux/pie: labs/5-linux-emulation/tests/linux/pie.c $(DEPS)
	@mkdir -p $(dir $@)
	@echo "  GCC-PIE $@"
	$(Q)$(CC) -static-pie -O2 -Wall -Wextra -Werror -o $@ $<

# Debian's busybox-static, unmodified (glibc, static): tools/deps.sh installs it.
$(BUILD)/userland/linux/busybox: $(DEPS)
	@mkdir -p $(dir $@)
	$(Q)cp /bin/busybox $@

# Links in the archive, as a Linux system has them: linux/sh a symbolic link to busybox, and
# linux/busybox-hard a second name of it (tar stores a hard-link entry; the bytes once).
$(BUILD)/userland/linux/sh: $(BUILD)/userland/linux/busybox
	$(Q)ln -sfn busybox $@

$(BUILD)/userland/linux/busybox-hard: $(BUILD)/userland/linux/busybox
	$(Q)ln -f $< $@

# ---------------------------------------------------------------- userland and ISOs
USERLAND := $(BUILD)/userland.tar
USERLAND_FILES := $(wildcard userland/*)
$(USERLAND): $(USERLAND_FILES) $(APP_BINS) $(VMM_BIN) $(LINUX_BINS) $(DEPS)
	@mkdir -p $(BUILD)/userland/dev        # where the Linux personality's device files go
	@cp -r userland/. $(BUILD)/userland/
	@echo "  TAR     $@"
	$(Q)tar --format=ustar --owner=0 --group=0 --numeric-owner --mtime=@0 --sort=name -cf $@ -C $(BUILD)/userland .

# One ISO per scenario: build/iso/<scenario>.iso boots the roottask with scenario=<scenario>;
# build/iso/witness-<stage>.iso boots the witness alone for a stage.
$(BUILD)/iso/%.iso: $(KERNEL) $(ROOTTASK) $(USERLAND) tools/mkiso
	tools/mkiso $@ $* $(KERNEL) $(ROOTTASK) $(USERLAND)
$(BUILD)/iso/witness-%.iso: $(KERNEL) $(WITNESS) tools/mkiso
	tools/mkiso $@ witness-$* $(KERNEL) $(WITNESS) -

ISO := $(BUILD)/iso/$(SCENARIO).iso
all: $(ISO)
.DEFAULT_GOAL := all

# ---------------------------------------------------------------- run and debug
# make qemu boots the ISO: SeaBIOS, GRUB, multiboot2, as a real machine does (and a window
# where there is a display). qemu-nox, shell and qemu-gdb boot directly, as tools/boot does:
# QEMU loads the kernel and the modules itself (multiboot 1) behind qboot, 0.6 s sooner; the
# ISO's .direct/ beside it (tools/mkiso). FACET_BOOT=iso boots the ISO there too. Under a
# direct boot QEMU runs in a scratch directory: paths in QEMU_EXTRA must be absolute.
QEMU_ACCEL = $(shell tools/accel $(ACCEL))
QEMU_EXTRA ?=
FACET_BOOT ?= auto
QEMU_MACHINE = qemu-system-x86_64 -machine q35 -cpu max -smp $(SMP) -m $(MEM) -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -accel $(QEMU_ACCEL) $(QEMU_EXTRA)
QEMU_ISO    = $(QEMU_MACHINE) -cdrom $(ISO) -boot d
QEMU_BASE   = $(if $(filter iso,$(FACET_BOOT)),$(QEMU_ISO),--direct $(ISO:.iso=.direct) $(QEMU_MACHINE))

# The guest's power-off status s reaches us as (s << 1) | 1: map it back, keep Ctrl-A X working.
qemu: $(ISO)
	@if [ -n "$$DISPLAY" ]; then tools/qemu-run $(QEMU_ISO) -serial mon:stdio; \
	else tools/qemu-run $(QEMU_ISO) -display none -serial mon:stdio; fi

qemu-nox: $(ISO)
	@tools/qemu-run $(QEMU_BASE) -display none -serial mon:stdio

# make shell: Debian's busybox sh on the serial console, a terminal with line editing
# (scenario shell; its archive holds bin/busybox only). The console is this terminal, raw:
# Ctrl-C goes to the guest (signal=off), Ctrl-A X quits QEMU, the shell's exit powers off.
SHELL_TAR := $(BUILD)/shell/userland.tar
$(SHELL_TAR): $(DEPS)
	@mkdir -p $(BUILD)/shell/tree/bin $(BUILD)/shell/tree/dev   # dev/: the device files
	$(Q)cp /bin/busybox $(BUILD)/shell/tree/bin/busybox
	@echo "  TAR     $@"
	$(Q)tar --format=ustar --owner=0 --group=0 --numeric-owner --mtime=@0 --sort=name -cf $@ -C $(BUILD)/shell/tree .
$(BUILD)/iso/shell.iso: $(KERNEL) $(ROOTTASK) $(SHELL_TAR) tools/mkiso
	tools/mkiso $@ shell $(KERNEL) $(ROOTTASK) $(SHELL_TAR)

shell: ISO = $(BUILD)/iso/shell.iso
shell: $(BUILD)/iso/shell.iso
	@tools/qemu-run $(QEMU_BASE) -display none -chardev stdio,id=console,mux=on,signal=off \
	    -serial chardev:console -mon chardev=console,mode=readline

qemu-gdb: $(ISO)
	@echo "*** QEMU is waiting for GDB: run 'make gdb' in another terminal (Ctrl-A X quits)" >&2
	@tools/qemu-run $(QEMU_BASE) -display none -serial mon:stdio -S -gdb tcp:127.0.0.1:$(GDBPORT)

GDBPORT ?= 1234
gdb: $(KERNEL) $(ROOTTASK)
	GDBPORT=$(GDBPORT) gdb -q -iex "set auto-load local-gdbinit off" -x .gdbinit

# ---------------------------------------------------------------- the hypercall fuzzer
# `make fuzz`: the witness's fuzz and stress stages, ten times what grade/robustness.bats runs
# in make check: FUZZ_CALLS random hypercalls on each of two CPUs (FUZZ_KEY the seed: a
# failure reproduces with the same two), then STRESS_ROUNDS revocations under the feet of 7
# other CPUs, then the roottask's failure injection for every allocation of its Linux
# workload (make check: every 7th). The verdicts and counts are printed.
FUZZ_CALLS    ?= 5000000
FUZZ_KEY      ?= 0123456789abcdef0123456789abcdef
STRESS_ROUNDS ?= 20000
fuzz: $(BUILD)/iso/witness-fuzz+$(FUZZ_CALLS).iso $(BUILD)/iso/witness-stress+$(STRESS_ROUNDS).iso
	@$(MAKE) -s BUILD=$(BUILD)/inject FAIL_INJECTION=1 $(BUILD)/inject/iso/inject+1.iso
	@rc=0; for iso in $^ $(BUILD)/inject/iso/inject+1.iso; do log=$(BUILD)/$$(basename $$iso .iso).log; \
	    FACET_WITNESS_KEY=$(FUZZ_KEY) tools/boot --smp $$(case $$iso in *stress*) echo 8;; *) echo 2;; esac) \
	        --mem 256 --deadline 1800 --idle 600 --log $$log $$iso || rc=1; \
	    grep -a '^\[witness\]\|^\[inject\]' $$log | tr -d '\r'; echo "(log: $$log)"; done; exit $$rc

# ---------------------------------------------------------------- tests
UNIT_TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
# Tests include the file under test as "kernel/..."/"roottask/...": found in the student
# views of unsolved stages first, then in the tree. Roottask code finds its "facet/..."
# headers as in its build.
HOST_CFLAGS = -std=c11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror $(if $(VIEW_PATHS),-I$(BUILD)/view) -I. -Ikernel/include \
	-Iroottask/lib/facet/include -Iroottask/src -Ivmm -MMD -MP

$(BUILD)/tests/%: tests/%.c tests/unit.h $(SOL_STAMP) $(DEPS) $(VIEWS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $<

unit: $(UNIT_TESTS)
	@tools/run-unit $(UNIT_TESTS)

GRADERS := $(sort $(wildcard grade/[0-9]*.bats))
GRADE_ISOS = $(BUILD)/iso/boot.iso \
	$(foreach g,calls busy startup exc,$(BUILD)/iso/portals+$(g).iso $(BUILD)/iso/witness-portals+$(g).iso) \
	$(foreach g,cap mem io,$(BUILD)/iso/witness-capabilities+$(g).iso) $(BUILD)/iso/witness-ept.iso \
	$(BUILD)/iso/witness-syscall-redirection.iso $(BUILD)/iso/portals.iso $(BUILD)/iso/capabilities.iso $(BUILD)/iso/capabilities-many.iso $(BUILD)/iso/ept.iso $(BUILD)/iso/syscall-redirection.iso $(BUILD)/iso/linux.iso $(BUILD)/iso/bench.iso

# Build what the tests need, then run every suite; a failed build is counted as a failed
# test, so the run still ends with the one summary line.
check-build: $(UNIT_TESTS) $(GRADE_ISOS)

check:
	@$(MAKE) --no-print-directory check-build; tools/check --build-status $$? $(UNIT_TESTS)

abi-check:
	@tools/abi-check

# Every LAB block is well formed and carries its stub; every stage with holes has a walkthrough.
labs-check:
	@tools/labkit check

# A student repository (student views, no solutions/, SOLUTIONS=none); one stage's solved
# files and walkthrough into one.
handout:
	@tools/labkit handout "$(DEST)"

release:
	@tools/labkit release "$(STAGE)" "$(DEST)"

# Kit fixes into an existing handout repository (the students' files with holes untouched).
update:
	@tools/labkit update "$(DEST)"

# The command-line table (tests/linux-table/cases) under Facet and on the host, compared.
linux-table:
	@tools/linux-table

# Run a static Linux executable on Facet: make run-linux BIN=path ARGS="..." (tools/facet-run).
run-linux:
	@test -n "$(BIN)" || { echo "usage: make run-linux BIN=static-linux-binary ARGS=\"...\"" >&2; exit 2; }
	@tools/facet-run $(BIN) $(ARGS)

# Debian's own kernel with a busybox initramfs under the VMM, its serial console on this terminal
# (tools/facet-vm; VM_MEM=MiB, VM_ARGS="--append ... --initrd FILE ..."). docs/linux-guests.md.
run-vm:
	@tools/facet-vm $(if $(VM_MEM),--mem $(VM_MEM)) $(VM_ARGS)

# ---------------------------------------------------------------- grading
# Per-test results, a score per stage and in total; TAP, logs and a Gradescope results.json
# in $(BUILD)/grade. STAGE=portals (or 1, or "portals capabilities") grades only those.
# No dependency on the build: tools/grade builds, so a failed build becomes failed tests.
grade:
	@FACET_BUILD=$(BUILD) tools/grade $(if $(STAGE),--stage "$(STAGE)")

# The optional challenges a boot can show (grade/challenges/), graded on your challenge
# branch: bonus points apart from the stages' scores, results in $(BUILD)/grade-challenges.
grade-challenges:
	@FACET_BUILD=$(BUILD) tools/grade --challenges $(if $(STAGE),--stage "$(STAGE)")

# The Gradescope autograder bundle DEST/autograder.zip, shipping a fresh handout. STAGE=x:
# one assignment for stage x, its kit with the stages before x released (solved).
gradescope:
	@test -n "$(DEST)" || { echo "usage: make gradescope DEST=dir [STAGE=stage]" >&2; exit 2; }
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	 $(MAKE) --no-print-directory handout DEST="$$tmp/kit" >/dev/null && \
	 if [ -n "$(STAGE)" ]; then \
	     before=$$(tools/labkit before "$(STAGE)") || exit 2; \
	     for s in $$before; do [ -z "$$(tools/labkit files $$s)" ] || tools/labkit release $$s "$$tmp/kit" >/dev/null || exit 1; done; \
	     rm -rf "$$tmp/kit/.git"; \
	 fi && \
	 tools/gradescope $(if $(STAGE),--stage "$(STAGE)") "$(DEST)" "$$tmp/kit"

# In a handout: grade your files in a fresh copy of the kit, exactly as the autograder will
# (the kit as the last "Facet kit" commit left it, your files with holes and answers on top).
presubmit:
	@tools/presubmit $(if $(STAGE),--stage "$(STAGE)")

# Round-trip costs under QEMU TCG -icount (deterministic) and KVM where the host has VMX/SVM.
bench: $(BUILD)/iso/bench.iso
	@tools/bench

clean:
	rm -rf $(BUILD)

.PHONY: fuzz all qemu qemu-nox shell qemu-gdb gdb unit check check-build abi-check labs-check handout release update grade grade-challenges gradescope presubmit bench run-linux run-vm linux-table clean
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
