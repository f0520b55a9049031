#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# tools/pathprof: the instruction count of one path, single-stepped under GDB, agrees with the
# bench's own rdtsc figure (-icount: one tick per instruction) and names the functions it ran.

setup_file() {
    cd "$BATS_TEST_DIRNAME/.."
    export OUT="$BATS_FILE_TMPDIR"
    tools/pathprof --out "$OUT/null.txt" build/iso/bench.iso op_null_hypercall > /dev/null 2> "$OUT/null.err" || true
    ACCEL=tcg tools/boot --smp 1 --mem 128 --deadline 300 --idle 60 --log "$OUT/bench.log" \
        -- -icount shift=0 build/iso/bench.iso > /dev/null 2>&1 || true
}

@test "pathprof: the null hypercall's path runs through the kernel's entry, dispatch and exit" {
    cd "$BATS_TEST_DIRNAME/.."
    [ -s "$OUT/null.txt" ] || { cat "$OUT/null.err"; false; }
    for f in syscall_entry syscall_handler sys_pt_ctrl cap_get ret_user_sysret; do
        grep -qE "^ +[0-9]+  $f\$" "$OUT/null.txt" || { echo "no $f in:"; cat "$OUT/null.txt"; false; }
    done
    # The per-function counts add up to the total.
    total=$(sed -nE '1s/.*: ([0-9]+) instructions$/\1/p' "$OUT/null.txt")
    sum=$(sed -n '/^per function:/,/^in order:/p' "$OUT/null.txt" | awk '$1 ~ /^[0-9]+$/ { s += $1 } END { print s }')
    [ -n "$total" ] && [ "$total" -gt 0 ] && [ "$total" = "$sum" ]
}

@test "pathprof: its count is within 10% of the bench's median for the same operation" {
    cd "$BATS_TEST_DIRNAME/.."
    total=$(sed -nE '1s/.*: ([0-9]+) instructions$/\1/p' "$OUT/null.txt")
    median=$(tr -d '\r' < "$OUT/bench.log" | sed -nE 's/^\[bench\] null_hypercall median=([0-9]+) .*/\1/p')
    echo "pathprof: ${total:-none}, bench: ${median:-none}"
    [ -n "$total" ] && [ -n "$median" ]
    [ $((total * 10)) -ge $((median * 9)) ] && [ $((total * 10)) -le $((median * 11)) ]
}

@test "pathprof: bad input is refused with a message" {
    cd "$BATS_TEST_DIRNAME/.."
    run tools/pathprof build/iso/no-such.iso op_null_hypercall
    [ "$status" -eq 2 ] && [[ $output == *"no such ISO"* ]]
    run tools/pathprof --skip x build/iso/bench.iso op_null_hypercall
    [ "$status" -eq 2 ] && [[ $output == *"--skip wants a number"* ]]
}
