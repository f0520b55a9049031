#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/vm-linux.bats — tools/facet-vm: Debian's own kernel boots under Facet's VMM to its init,
# which runs a few commands and powers off. Expected values come from here, not from the guest:
# the kernel's release from its package's file name, the computations from bash, the memory
# from --mem. Boots in QEMU (TCG emulates SVM; KVM where the host has VMX or SVM); EMU=bochs
# boots in Bochs instead (VMX, minutes: see docs/linux-guests.md).

bats_require_minimum_version 1.5.0

MEM=96          # not the default 128: a guest that ignored --mem would not pass

setup_file() {
    export ROOT="$BATS_TEST_DIRNAME/.."
    export KERNEL
    KERNEL=$("$ROOT/tools/linux-kernel") || return 1
    export VMLOG="$BATS_FILE_TMPDIR/vm.log"
    "$ROOT/tools/facet-vm" --test --mem "$MEM" --log "$VMLOG" --deadline "${FACET_VM_DEADLINE:-1500}" "$KERNEL" \
        >"$BATS_FILE_TMPDIR/vm.out" 2>"$BATS_FILE_TMPDIR/vm.err"
    echo $? >"$BATS_FILE_TMPDIR/vm.status"
}

# The guest's console as lines, without CR.
console() { tr -d '\r' <"$VMLOG"; }

# The value after "facet-vm: <what>: " in the guest's output (exactly one such line).
guest_value() {
    local v
    v=$(console | sed -nE "s/^facet-vm: $1: (.*)$/\\1/p")
    [ "$(printf '%s\n' "$v" | grep -c .)" -eq 1 ] || { echo "expected one 'facet-vm: $1:' line, got: '$v'" >&2; return 1; }
    printf '%s\n' "$v"
}

@test "the guest boots to its init and powers off; the VM, then Facet, end with status 0" {
    [ "$(cat "$BATS_FILE_TMPDIR/vm.status")" -eq 0 ] || { tail -n 30 "$BATS_FILE_TMPDIR/vm.err" "$VMLOG" >&2; false; }
    console | grep -qx 'facet-vm: init is running'
    console | grep -qx 'facet-vm: test done, powering off'
    console | grep -qx '\[vm\] the guest ended: status 0'
    console | grep -qx '\[power\] off status=0'
    ! console | grep -q 'Kernel panic'
}

@test "uname -r names the Debian kernel of the package" {
    local want=${KERNEL##*/vmlinuz-}
    [ -n "$want" ] && [ "$want" != "$KERNEL" ]
    [ "$(guest_value 'uname -r')" = "$want" ]
}

@test "a computation in the guest's shell gives what bash computes" {
    [ "$(guest_value 'sum of 1..1000')" = "$((1000 * 1001 / 2))" ]
    [ "$(console | sed -nE 's/^facet-vm: 2\^31 \* 3 \+ 7 = //p')" = "$((2147483648 * 3 + 7))" ]
}

@test "the kernel sees the e820 map and the RAM --mem asked for" {
    local top
    top=$(printf '%016x' $((MEM * 1024 * 1024 - 1)))
    console | grep -q "BIOS-e820: \[mem 0x0000000000000000-0x000000000009ffff\] usable"
    console | grep -q "BIOS-e820: \[mem 0x0000000000100000-0x$top\] usable"
    local kb
    kb=$(guest_value 'MemTotal' | sed -nE 's/^ *([0-9]+) kB$/\1/p')
    [ -n "$kb" ]
    # All of it but what the kernel keeps (its image, the memory map): more than half of --mem,
    # less than --mem minus the hole below 1 MiB.
    [ "$kb" -gt $((MEM * 1024 / 2)) ] && [ "$kb" -lt $((MEM * 1024 - 384)) ] || { echo "MemTotal $kb kB for --mem $MEM" >&2; false; }
}

@test "the VMM loaded the kernel with the 64-bit boot protocol and the command line it built" {
    console | grep -qE '^\[console\] client [0-9]+: \[vmm\] linux .*protocol 2\.[0-9]+, kernel [0-9]+ KiB at 0x1000000'
    console | grep -qE "Command line: console=ttyS0 nolapic acpi=off reboot=k panic=-1 tsc_early_khz=[0-9]+ tsc=reliable no_timer_check facet.test$"
}

@test "a file that is not a bzImage is refused with a clear error" {
    printf 'not a kernel\n%.0s' $(seq 100) >"$BATS_TEST_TMPDIR/notakernel"
    run "$ROOT/tools/facet-vm" --test --deadline 600 "$BATS_TEST_TMPDIR/notakernel"
    [ "$status" -ne 0 ]
    [[ $output == *"cannot boot: /vm/bzImage: not a bzImage: no boot-sector signature 0xaa55 and \"HdrS\" header"* ]]
}

@test "too little guest memory for the kernel is refused with a clear error" {
    run "$ROOT/tools/facet-vm" --test --mem 64 --deadline 600 "$KERNEL"
    [ "$status" -ne 0 ]
    [[ $output == *"cannot boot: /vm/bzImage: too little guest memory for this kernel and initrd (64 MiB of RAM)"* ]]
}
