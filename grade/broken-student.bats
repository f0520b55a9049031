#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/broken-student.bats — `make grade` against deliberately broken student files, in a copy
# of the tree: a build error, a kernel that hangs, panics, triple-faults or floods the console,
# and one that hangs in a single group of stage 1's checks.
# Each must become failing tests with the reason; grading goes on; no emulator stays behind.

setup_file() {
    export KIT_ROOT="$BATS_TEST_DIRNAME/.."
    export COPY="$BATS_FILE_TMPDIR/kit"
    # A handout with the portals solution released: stage 1 passes until we break it.
    make -s -C "$KIT_ROOT" handout DEST="$COPY" >/dev/null
    make -s -C "$KIT_ROOT" release STAGE=portals DEST="$COPY" >/dev/null
    cp "$COPY/kernel/ipc/ipc.c" "$BATS_FILE_TMPDIR/ipc.c.good"
    make -s -C "$COPY" >/dev/null 2>&1
    export FACET_TIME_SCALE=0.3                  # idle 4.5 s, deadline 18 s: broken runs end fast
}

teardown_file() {
    pkill -KILL -f "$COPY/build" 2>/dev/null || true
}

# break LINE: put LINE at the start of sys_call's body, then grade stages 1 and 2.
break_and_grade() {
    # awk with ENVIRON: the line goes in as written (no escape processing)
    BROKEN="$1" awk '{ print } /^int sys_call\(struct ec \*ec, struct cpu_regs \*r\)$/ { getline; print; print "    " ENVIRON["BROKEN"] }' \
        "$BATS_FILE_TMPDIR/ipc.c.good" > "$COPY/kernel/ipc/ipc.c"
    grep -qF -- "$1" "$COPY/kernel/ipc/ipc.c"
    run timeout 300 env -C "$COPY" tools/grade --stage "portals capabilities" --out "$BATS_TEST_TMPDIR/out"
    echo "$output" | tail -40
}

no_emulator_left() {
    ! pgrep -f "qemu-system.*$COPY" >/dev/null
    ! pgrep -f "qemu-system.*$BATS_TEST_TMPDIR" >/dev/null
}

@test "a student file that does not compile: every test fails with the compiler's message, grading goes on" {
    break_and_grade 'this is not C;'
    [ "$status" -eq 1 ]
    [[ $output == *"the build failed"* ]]
    [[ $output == *"error"* ]]
    [[ $output == *"stage 1 portals: 0/"* ]]
    [[ $output == *"stage 2 capabilities: 0/"* ]]          # went on to the next stage
    [[ $output == *"total: 0/"* ]]
    no_emulator_left
}

@test "a kernel that hangs: the no-progress timeout fails the tests with the reason" {
    break_and_grade 'for (;;) cpu_relax();'
    [ "$status" -eq 1 ]
    [[ $output =~ (idle|no new serial output|timed out|timeout) ]]
    [[ $output == *"stage 2 capabilities:"* ]]
    no_emulator_left
}

@test "a kernel that panics: the panic report is the reason" {
    break_and_grade '{ uint64_t a = 0x10; __asm__ volatile("" : "+r"(a)); *(volatile uint64_t *)a = 1; }'
    [ "$status" -eq 1 ]
    [[ $output == *"panic"* ]]
    # symbolized: where it faulted and how it got there (the backtrace of the faulting code)
    [[ $output == *"rip=0xffffffff8"*" sys_call at kernel/ipc/ipc.c:"* ]]
    [[ $output == *"syscall_handler at kernel/syscall.c:"* ]]
    [[ $output == *"stage 2 capabilities:"* ]]
    no_emulator_left
}

@test "a kernel that triple-faults (and would reboot in a loop): reported as such" {
    break_and_grade 'static const struct { uint16_t l; uint64_t b; } __attribute__((packed)) none = { 0, 0 }; __asm__ volatile("lidt %0; int3" :: "m"(none));'
    [ "$status" -eq 1 ]
    [[ $output =~ (triple|reset) ]]
    [[ $output == *"stage 2 capabilities:"* ]]
    no_emulator_left
}

@test "a kernel that floods the console: stopped and reported, no hang" {
    break_and_grade 'for (;;) kprintf("[flood] the same line again and again and again and again\n");'
    [ "$status" -eq 1 ]
    [[ $output =~ (flood|timed out|timeout|deadline) ]]
    [[ $output == *"stage 2 capabilities:"* ]]
    no_emulator_left
}

@test "a kernel that hangs in one group of checks: only that group's tests fail" {
    # non-blocking calls hang the kernel: only stage 1's busy group makes one
    break_and_grade 'if (CALL_NONBLOCK & hc_flags(r)) for (;;) cpu_relax();'
    [ "$status" -eq 1 ]
    [[ $output == *"FAIL  (0/2) a busy handler: a second caller waits its turn, a non-blocking one gets TIMEOUT"* ]]
    [[ $output == *"PASS  (2/2) call/reply with the maximum of 508 words"* ]]
    [[ $output == *"PASS  (2/2) nested calls through three handlers unwind in order"* ]]
    [[ $output == *"PASS  (2/2) #PF delivered with the error code and the fault address, then skipped"* ]]
    [[ $output == *"PASS  (2/2) a new thread starts through its startup portal, which sets rip, rsp and registers"* ]]
    no_emulator_left
}
