# SPDX-License-Identifier: MIT
# guests/guests.mk — the VMM's test guests, each a flat binary loaded at GPA 0x100000.
#
# Included by the main Makefile (which sets BUILD, CC, LD, Q), or on its own:
#   make -f vmm/guests/guests.mk BUILD=/tmp/gb Q= all-guests
# Every name here starts with GUEST or guest, so nothing of the main Makefile is touched.

guests_saved_goal := $(.DEFAULT_GOAL)

BUILD ?= build
Q     ?= @

GUESTS := hello timer mmio memory vmcall fpu triple outside vmbench

GUEST_DIR := vmm/guests
GUEST_OUT := $(BUILD)/guests
# Freestanding, no red zone (interrupt handlers run on the guest's one stack), no SSE/x87
# (nothing saves FPU state, and the VMM need not enable it), only the compiler's own headers and
# kernel/include for the shared formatter's lib/format.h.
GUEST_CFLAGS := -std=c11 -O2 -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mno-sse -mno-mmx -mno-80387 -fno-stack-protector -fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -MMD -MP \
	-Ikernel/include
# start.o first: guest.ld puts .text.start first anyway, this only keeps the map readable.
GUEST_LIB := $(addprefix $(GUEST_OUT)/lib/,start.o isr.o lib.o) $(GUEST_OUT)/lib/format.o
GUEST_BINS := $(addprefix $(GUEST_OUT)/,$(addsuffix .bin,$(GUESTS)))

.PHONY: all-guests clean-guests
all-guests: $(GUEST_BINS)

$(GUEST_OUT)/%.o: $(GUEST_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC [g]  $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

# printf's formatting is the kernel's (pure C, no state): one formatter in the whole kit.
$(GUEST_OUT)/lib/format.o: kernel/lib/format.c
	@mkdir -p $(dir $@)
	@echo "  CC [g]  $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/%.o: $(GUEST_DIR)/%.S
	@mkdir -p $(dir $@)
	@echo "  AS [g]  $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -D__ASSEMBLER__ -c $< -o $@

# The ELF keeps the symbols for objdump/gdb; the VMM loads the .bin.
$(GUEST_OUT)/%.elf: $(GUEST_OUT)/%.o $(GUEST_LIB) $(GUEST_DIR)/guest.ld
	@echo "  LD [g]  $@"
	$(Q)$(LD) -nostdlib -static -T $(GUEST_DIR)/guest.ld -o $@ $(GUEST_LIB) $<

$(GUEST_OUT)/%.bin: $(GUEST_OUT)/%.elf
	@echo "  BIN     $@"
	$(Q)objcopy -O binary $< $@

# Keep the ELF files and objects: make would delete them as intermediates.
.SECONDARY: $(GUEST_BINS:.bin=.elf) $(GUEST_BINS:.bin=.o) $(GUEST_LIB)

clean-guests:
	rm -rf $(GUEST_OUT)

-include $(wildcard $(GUEST_OUT)/*.d $(GUEST_OUT)/lib/*.d)

# On its own the fragment builds all guests; included, it leaves the main Makefile's default
# goal alone (empty again if it was empty, so the main Makefile's next target becomes it).
ifeq ($(notdir $(firstword $(MAKEFILE_LIST))),guests.mk)
.DEFAULT_GOAL := all-guests
else
.DEFAULT_GOAL := $(guests_saved_goal)
endif
