#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/selftest.bats — tests of the grading harness itself: tools/boot, lib/facet.bash, tools/summarize.
#
# Needs no Facet kernel. A fake emulator (fixtures/fake-emu) plays each way a
# boot can end; a tiny multiboot2 kernel (fixtures/probe.S) proves the real
# chain under QEMU TCG and Bochs. Every test also checks that no process of
# its emulator survived (each run carries a unique marker for pgrep -f).

bats_require_minimum_version 1.5.0
load lib/facet

setup_file() {
    # The selftest sets its own limits and emulators.
    unset FACET_GRADE_DIR FACET_NO_TIMEOUT FACET_TIME_SCALE EMU
    export ROOT=$BATS_TEST_DIRNAME/..
    export BOOT=$ROOT/tools/boot SUMMARIZE=$ROOT/tools/summarize
    export FAKE=$BATS_TEST_DIRNAME/fixtures/fake-emu
    export FAKE_ISO=$BATS_FILE_TMPDIR/fake.iso
    export PROBE_ISO=$BATS_FILE_TMPDIR/probe.iso
    export ACCEL=tcg
    : >"$FAKE_ISO"
    build_probe >"$BATS_FILE_TMPDIR/probe-build.log" 2>&1
    # Both real boots at once: parallel runs must not share files.
    facet_boot probe-qemu "$PROBE_ISO" --emu qemu --deadline 20 &
    facet_boot probe-bochs "$PROBE_ISO" --emu bochs --deadline 20 &
    wait
}

teardown_file() { facet_teardown; }

# Paths below assume the boots live in $BATS_FILE_TMPDIR.
setup() { unset FACET_GRADE_DIR FACET_NO_TIMEOUT FACET_TIME_SCALE EMU; }

# The probe: 32-bit ELF at 1 MiB, one GRUB entry, no menu delay.
build_probe() {
    local d=$BATS_FILE_TMPDIR/probe
    mkdir -p "$d/iso/boot/grub"
    gcc -m32 -c -o "$d/probe.o" "$BATS_TEST_DIRNAME/fixtures/probe.S" &&
    ld -m elf_i386 -nostdlib --build-id=none -N --no-warn-rwx-segments \
        -Ttext=0x100000 -e _start -o "$d/iso/boot/probe.elf" "$d/probe.o" &&
    printf '%s\n' 'set timeout=0' 'set default=0' \
        'menuentry "probe" { multiboot2 /boot/probe.elf; boot; }' >"$d/iso/boot/grub/grub.cfg" &&
    grub-mkrescue -o "$PROBE_ISO" "$d/iso"
}

mark() { echo "facet-selftest-$BATS_ROOT_PID-$BATS_SUITE_TEST_NUMBER"; }

# fake STATUS MODE [tools/boot options...]: run tools/boot on the fake
# emulator; its exit status must be STATUS.
fake() {
    local want=$1 mode=$2
    shift 2
    run "-$want" --separate-stderr "$BOOT" --emu qemu --emu-cmd "$FAKE" --log "$BATS_TEST_TMPDIR/serial.log" \
        "$@" -- "--fake=$mode" "--mark=$(mark)" "$FAKE_ISO"
}

# Nothing that carries this test's marker runs any more.
no_survivors() {
    local left
    left=$(pgrep -af -- "$(mark)") || return 0
    echo "still running:"$'\n'"$left" >&2
    return 1
}

took_less_than() {  # took_less_than S: the result line's seconds
    [[ $output =~ seconds=([0-9]+)\. ]] && ((BASH_REMATCH[1] < $1))
}

result_line() {     # result_line RESULT STATUS: the one stdout line
    [[ ${#lines[@]} -eq 1 ]] || { echo "stdout is not one line: $output" >&2; return 1; }
    assert_output --regexp "^boot: result=$1 status=$2 seconds=[0-9]+\.[0-9]+ log=$BATS_TEST_TMPDIR/serial\.log$"
}

@test "boot: [power] off status=0 and QEMU exit 1 -> ok, exit 0" {
    fake 0 ok
    result_line ok 0
    [ -z "$stderr" ]
    grep -qx '\[fake\] hello' "$BATS_TEST_TMPDIR/serial.log"
    [ ! -e "$BATS_TEST_TMPDIR/serial.log.pid" ]
    no_survivors
}

@test "boot: guest status 3 -> ok, exit 3" {
    fake 3 ok=3
    result_line ok 3
    no_survivors
}

@test "boot: exit code that disagrees with the printed status -> exit" {
    fake 1 mismatch
    result_line exit 0
    [[ $stderr == *"QEMU exited 7"*"expected exit 1"* ]]
    no_survivors
}

@test "boot: a [panic] line -> panic, with the report after it" {
    fake 126 panic --idle 10
    result_line panic -
    [[ $stderr == *"[panic] fake: deliberate"* ]]
    [[ $stderr == *"rip=0xdead"* ]]
    no_survivors
}

@test "boot: silence -> idle after --idle seconds" {
    fake 125 hang --idle 0.5
    result_line idle -
    took_less_than 3
    [[ $stderr == *"no new serial output"* ]]
    no_survivors
}

@test "boot: endless output -> timeout at --deadline" {
    fake 124 chatter --deadline 0.5 --idle 5
    result_line timeout -
    [[ $stderr == *"[fake] tick"* ]]
    no_survivors
}

@test "boot: flood -> flood, log cut at --max-log" {
    fake 123 flood --max-log 100000
    result_line flood -
    [ "$(stat -c %s "$BATS_TEST_TMPDIR/serial.log")" -le 100000 ]
    no_survivors
}

@test "boot: QEMU exit 0 without [power] off -> triple-fault" {
    fake 127 reset
    result_line triple-fault -
    no_survivors
}

@test "boot: emulator error -> emulator-error with its message" {
    fake 1 error
    result_line emulator-error -
    [[ $stderr == *"-fake: invalid option"* ]]
    grep -q 'invalid option' "$BATS_TEST_TMPDIR/serial.log.emu"
    no_survivors
}

@test "boot: --until stops at the first matching line -> ok status=-" {
    fake 0 until --until '^\[fake\] ready$'
    result_line ok -
    no_survivors
}

@test "boot: an emulator that ignores SIGTERM gets SIGKILL" {
    fake 125 stubborn --idle 0.5
    no_survivors
}

@test "boot: FACET_TIME_SCALE scales the limits, FACET_NO_TIMEOUT lifts them" {
    FACET_TIME_SCALE=0.25 fake 125 hang --idle 4   # 1 s, not 4
    took_less_than 3
    FACET_NO_TIMEOUT=1 fake 0 slow --idle 0.2 --deadline 0.2
    result_line ok 0
    no_survivors
}

@test "boot: SIGTERM to tools/boot stops the emulator" {
    "$BOOT" --emu-cmd "$FAKE" --log "$BATS_TEST_TMPDIR/serial.log" \
        -- --fake=hang "--mark=$(mark)" "$FAKE_ISO" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    local pid=$! i
    for ((i = 0; i < 50; i++)); do pgrep -f "fake-child-$(mark)" >/dev/null && break; sleep 0.1; done
    pgrep -f "fake-child-$(mark)" >/dev/null
    kill -TERM "$pid"
    local rc=0
    wait "$pid" || rc=$?
    [ "$rc" -eq 143 ]
    grep -q 'result=interrupted' "$BATS_TEST_TMPDIR/out"
    no_survivors
}

@test "boot: missing ISO and bad options are reported" {
    run --separate-stderr "$BOOT" --log "$BATS_TEST_TMPDIR/serial.log" "$BATS_TEST_TMPDIR/none.iso"
    [ "$status" -eq 1 ]
    result_line emulator-error -
    [[ $stderr == *"no readable ISO"* ]]
    run "$BOOT" --smp zero x.iso
    [ "$status" -eq 2 ]
    run "$BOOT" --until '(' x.iso
    [ "$status" -eq 2 ]
}

# A direct boot's files as tools/mkiso leaves them beside X.iso: X.direct/ with the kernel, the
# module list (placeholders, a comment, a comma, trailing spaces) and the module files.
make_direct() {
    local d=$BATS_TEST_TMPDIR/x.direct
    mkdir -p "$d"
    : >"$BATS_TEST_TMPDIR/x.iso"
    echo kernel >"$d/kernel"; echo elf >"$d/roottask"; echo tar >"$d/userland"
    printf '%s\n' 'roottask scenario=s seed=0000000000000000 time_scale=1               ' \
        '# a comment' 'userland a,b  ' >"$d/modules"
}

@test "boot: a direct boot gives QEMU the kernel and the modules from X.direct/, placeholders written" {
    make_direct
    run --separate-stderr env FACET_SEED=0123456789abcdef FACET_TIME_SCALE=2 "$BOOT" --emu-cmd "$FAKE" \
        --log "$BATS_TEST_TMPDIR/serial.log" -- --fake=args "--mark=$(mark)" "$BATS_TEST_TMPDIR/x.iso"
    [ "$status" -eq 0 ]
    local log=$BATS_TEST_TMPDIR/serial.log
    grep -qx -- '\[fake\] arg: -kernel' "$log"
    grep -qx -- '\[fake\] arg: -nodefaults' "$log"
    # The whole entry is a module's command line: its first word is the file QEMU opens.
    grep -qx -- '\[fake\] arg: roottask scenario=s seed=0123456789abcdef time_scale=2,userland a,,b' "$log"
    grep -qx -- "\[fake\] file: roottask -> $BATS_TEST_TMPDIR/x.direct/roottask" "$log"
    grep -qx -- "\[fake\] file: userland -> $BATS_TEST_TMPDIR/x.direct/userland" "$log"
    grep -qx -- "\[fake\] file: kernel -> $BATS_TEST_TMPDIR/x.direct/kernel" "$log"
    ! grep -q -- '-cdrom' "$log"
    # The module list beside the ISO is left as it was.
    grep -q 'seed=0000000000000000 time_scale=1 ' "$BATS_TEST_TMPDIR/x.direct/modules"
    no_survivors
}

@test "boot: FACET_BOOT=iso and Bochs boot the ISO beside X.direct/; a missing module file is reported" {
    make_direct
    run --separate-stderr env FACET_BOOT=iso "$BOOT" --emu-cmd "$FAKE" --log "$BATS_TEST_TMPDIR/serial.log" \
        -- --fake=args "--mark=$(mark)" "$BATS_TEST_TMPDIR/x.iso"
    [ "$status" -eq 0 ]
    grep -qx -- '\[fake\] arg: -cdrom' "$BATS_TEST_TMPDIR/serial.log"
    ! grep -q -- '-kernel' "$BATS_TEST_TMPDIR/serial.log"
    run --separate-stderr "$BOOT" --emu bochs --log "$BATS_TEST_TMPDIR/serial.log" "$BATS_TEST_TMPDIR/x.direct"
    [ "$status" -eq 1 ]
    [[ $stderr == *"boots only directly, under QEMU"* ]]
    run env FACET_BOOT=sometimes "$BOOT" x.iso
    [ "$status" -eq 2 ]
    rm "$BATS_TEST_TMPDIR/x.direct/userland"
    run --separate-stderr "$BOOT" --emu-cmd "$FAKE" --log "$BATS_TEST_TMPDIR/serial.log" \
        -- --fake=args "--mark=$(mark)" "$BATS_TEST_TMPDIR/x.iso"
    [ "$status" -eq 1 ]
    [[ $stderr == *"names a module file 'userland' that"* ]]
    no_survivors
}

@test "facet: a good boot passes facet_expect_ok, facet_grep, facet_line, facet_value" {
    facet_boot good "$FAKE_ISO" --emu-cmd "$FAKE" -- --fake=ok=0 "--mark=$(mark)"
    [ "$(facet_result good)" = ok ]
    [ "$(facet_status good)" = 0 ]
    [ "$(facet_log good)" = "$BATS_FILE_TMPDIR/good.log" ]
    facet_expect_ok good
    [ "$(facet_grep good 'off status')" = "[power] off status=0" ]
    [ "$(facet_line good '\[fake\] hello')" = "[fake] hello" ]
    [ "$(facet_value good '^\[power\] off status=([0-9]+)$')" = 0 ]
    [ "$(facet_value good '([a-z]+) status')" = off ]
    no_survivors
}

@test "facet: failed checks name what they expected, the result and the log tail (once per boot)" {
    facet_boot bad "$FAKE_ISO" --emu-cmd "$FAKE" --idle 5 -- --fake=panic "--mark=$(mark)"
    [ "$(facet_result bad)" = panic ]
    run facet_expect_ok bad
    [ "$status" -eq 1 ]
    [[ $output == *"result=panic status=-"* ]]
    [[ $output == *"the kernel panicked"* ]]
    [[ $output == *"--- last 30 lines of"*"[panic] fake: deliberate"* ]]
    run facet_grep bad '^\[ipc\] sum=[0-9]+'
    [ "$status" -eq 1 ]
    [[ $output == *"expected a line matching: ^\[ipc\] sum=[0-9]+"* ]]
    # the log's tail once per boot: a later failure points back to it
    [[ $output == *"result=panic"*"the end of its log is shown under this boot's first failing test"* ]]
    [[ $output != *"--- last 30 lines of"* ]]
    run facet_line bad 'rip=0xdead'         # whole lines only
    [ "$status" -eq 1 ]
    run facet_value bad 'rip=0x[0-9a-f]+'   # no capture group
    [ "$status" -eq 1 ]
    [[ $output == *"needs a capture group"* ]]
    no_survivors
}

@test "facet: facet_boot never fails; a boot that never ran reads as none" {
    facet_boot broken "$FAKE_ISO" --no-such-option
    [ "$(facet_result broken)" = none ]
    [ "$(cat "$BATS_FILE_TMPDIR/broken.exit")" = 2 ]
    run facet_expect_ok broken
    [ "$status" -eq 1 ]
    [[ $output == *"unknown option --no-such-option"* ]]
    run facet_grep never-booted 'x'
    [ "$status" -eq 1 ]
    [[ $output == *"no log"* ]]
}

@test "facet: facet_teardown stops an emulator whose tools/boot was SIGKILLed" {
    # (The scratch dir of a SIGKILLed tools/boot stays: keep it in ours.)
    TMPDIR=$BATS_TEST_TMPDIR "$BOOT" --emu-cmd "$FAKE" --log "$BATS_FILE_TMPDIR/orphan.log" \
        -- --fake=hang "--mark=$(mark)" "$FAKE_ISO" >/dev/null 2>&1 3>&- &
    local pid=$! i
    for ((i = 0; i < 50; i++)); do [ -s "$BATS_FILE_TMPDIR/orphan.log.pid" ] && break; sleep 0.1; done
    [ -s "$BATS_FILE_TMPDIR/orphan.log.pid" ]
    kill -KILL "$pid"
    wait "$pid" || true
    pgrep -f "fake-child-$(mark)" >/dev/null   # the group outlived tools/boot
    echo orphan >>"$BATS_FILE_TMPDIR/.facet-boots"
    run facet_teardown
    [[ $output == *"outlived tools/boot"* ]]
    [ ! -e "$BATS_FILE_TMPDIR/orphan.log.pid" ]
    no_survivors
}

@test "summarize: passed, failed (TODO too), skipped, missing tests" {
    run --separate-stderr "$SUMMARIZE" <<'EOF'
1..5
ok 1 a
not ok 2 b # TODO later
ok 3 c # skip no bochs
# a comment
ok 4 - d
EOF
    [ "$status" -eq 1 ]
    [ "$output" = "2 passed, 2 failed, 1 skipped" ]
    [[ $stderr == *"planned 5 tests, saw 4"* ]]
    run --separate-stderr "$SUMMARIZE" <<<$'ok 1 x\nok 2 y # SKIP'
    [ "$status" -eq 0 ]
    [ "$output" = "1 passed, 0 failed, 1 skipped" ]
}

@test "summarize: no tests at all is a failure" {
    run --separate-stderr "$SUMMARIZE" </dev/null
    [ "$status" -eq 1 ]
    [ "$output" = "0 passed, 1 failed, 0 skipped" ]
    [[ $stderr == *"no tests ran"* ]]
    run --separate-stderr "$SUMMARIZE" "$BATS_TEST_TMPDIR/none.tap"
    [ "$status" -eq 1 ]
    [ "$output" = "0 passed, 1 failed, 0 skipped" ]
}

@test "summarize: reads real bats TAP from several files" {
    # (No "@test" at the start of a line here: bats would take it as ours.)
    printf '%s\n' '@test "passes" { true; }' '@test "fails" { false; }' \
        '@test "skips" { skip "not here"; }' >"$BATS_TEST_TMPDIR/t.bats"
    # A clean environment: an inner bats must not see this run's BATS_*
    # variables, nor bats' libexec dir on PATH (its bats is not the front end).
    local path
    path=$(tr ':' '\n' <<<"$PATH" | grep -vxF "$BATS_LIBEXEC" | paste -sd:)
    env -i PATH="$path" HOME="$HOME" TMPDIR="$BATS_TEST_TMPDIR" \
        bats --formatter tap "$BATS_TEST_TMPDIR/t.bats" >"$BATS_TEST_TMPDIR/t.tap" 2>&1 3>&- || true
    printf '1..1\nok 1 - unit\n' >"$BATS_TEST_TMPDIR/unit.tap"
    run --separate-stderr "$SUMMARIZE" "$BATS_TEST_TMPDIR/t.tap" "$BATS_TEST_TMPDIR/unit.tap"
    [ "$status" -eq 1 ]
    [ "$output" = "2 passed, 1 failed, 1 skipped" ] || { cat "$BATS_TEST_TMPDIR/t.tap"; false; }
}

@test "probe ISO: built with grub-mkrescue" {
    [ -s "$PROBE_ISO" ] || { cat "$BATS_FILE_TMPDIR/probe-build.log" >&2; false; }
}

@test "probe ISO: QEMU TCG boots it to result=ok" {
    facet_expect_ok probe-qemu
    facet_line probe-qemu '\[probe\] hello'
}

@test "probe ISO: Bochs boots it to result=ok" {
    facet_expect_ok probe-bochs
    facet_line probe-bochs '\[probe\] hello'
    facet_line probe-bochs '\[power\] off status=0'
}
