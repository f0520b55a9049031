#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/shell.bats — `make shell`'s image: busybox sh on the serial console, typed at through
# COM1 (a fifo QEMU reads: tools/boot --input). A typist waits for each prompt before the
# next keystrokes, so no check depends on timing beyond generous deadlines. Expected outputs
# come from the host (the same busybox, the archive's tree, the signal's number), or from
# the keystrokes themselves (what erasing leaves).

load lib/facet

# The lines typed, in order; each is sent once the shell prompts again.
CMD_ARITH='echo $((6*7))'
CMD_PIPE='echo pipe-line | busybox tr a-z A-Z'
CMD_LS='ls /'
CMD_SLEEP='busybox sleep 100'
CMD_STATUS='echo status $?'
CMD_CAT='busybox cat'
CMD_TTY='echo to-tty >/dev/tty; read w </dev/tty; echo "got $w"'

# The serial log as lines: no CR, no ESC[6n (line editing asks the cursor's position at each
# prompt), no roottask log lines ([linux] ...) among the shell's.
transcript() {
    tr -d '\r' <"$(facet_log shell)" | sed 's/\x1b\[6n//g' | grep -v '^\[linux\] '
}

prompts() { transcript | grep -c '^/ # '; }

# Wait until at least n prompts (deadline: 60 s); false if they did not come.
wait_prompts() {
    local n=$1 end=$((SECONDS + 60))
    while (($(prompts) < n)); do
        ((SECONDS < end)) || return 1
        sleep 0.2
    done
}

# Wait until a line of the transcript is exactly $1 (deadline: 60 s).
wait_line() {
    local end=$((SECONDS + 60))
    until transcript | grep -qxF -- "$1"; do
        ((SECONDS < end)) || return 1
        sleep 0.2
    done
}

# The typist: each command after its prompt, Ctrl-C into the sleep, a canonical-mode cat with
# erase (DEL), kill (Ctrl-U) and end of file (Ctrl-D), a line through /dev/tty, then exit 7.
# It notes how far it got.
typist() {
    local fifo=$1 notes=$2 fd n=1
    exec {fd}<>"$fifo"
    say() { printf '%b' "$1" >&"$fd"; }
    step() { wait_prompts "$n" || { echo "no prompt $n" >>"$notes"; exit 1; }; n=$((n + 1)); say "$1\r"; }
    step "$CMD_ARITH"
    step "$CMD_PIPE"
    step "$CMD_LS"
    step "$CMD_SLEEP"
    wait_line "/ # $CMD_SLEEP" || { echo "no echo of the sleep" >>"$notes"; exit 1; }
    sleep 2                                      # sleep has started: Ctrl-C ends it, not the line
    say '\003'
    echo "sent Ctrl-C" >>"$notes"
    step "$CMD_STATUS"
    step "$CMD_CAT"
    wait_line "/ # $CMD_CAT" || { echo "no echo of cat" >>"$notes"; exit 1; }
    sleep 1
    say 'abx\177c\r'
    wait_line "abc" || { echo "cat gave no abc" >>"$notes"; exit 1; }
    say 'discarded\025kept\r'
    wait_line "kept" || { echo "cat gave no kept" >>"$notes"; exit 1; }
    say '\004'
    step "$CMD_TTY"
    wait_line "to-tty" || { echo "nothing written through /dev/tty" >>"$notes"; exit 1; }
    sleep 1
    say 'from-tty\r'
    wait_line "got from-tty" || { echo "nothing read through /dev/tty" >>"$notes"; exit 1; }
    step "exit 7"
    echo "typed all" >>"$notes"
}

setup_file() {
    local iso dir
    iso=$(facet_iso shell)
    dir=$(facet_dir)
    mkfifo "$dir/com1.in"
    : >"$(facet_log shell)"
    typist "$dir/com1.in" "$dir/typist.notes" 3>&- &
    local typist_pid=$!
    facet_boot shell "$iso" --smp 2 --deadline 300 --idle 90 --input "$dir/com1.in"
    kill "$typist_pid" 2>/dev/null || true
    wait "$typist_pid" 2>/dev/null || true
}

teardown_file() { facet_teardown; }

# The lines the command typed at the prompt printed (up to the next prompt).
output_of() {
    transcript | awk -v cmd="/ # $1" '$0 == cmd { on = 1; next } /^\/ # / { on = 0 } on'
}

show() {
    echo "typist: $(cat "$(facet_dir)/typist.notes" 2>/dev/null)"
    echo "--- transcript ---"
    transcript | tail -n 40
}

@test "the shell starts on the console and prompts" {
    show
    transcript | grep -q '^BusyBox v.* built-in shell (ash)$'
    [ "$(prompts)" -ge 1 ]
}

@test "a command's output, and the line typed echoed after the prompt" {
    show
    transcript | grep -qxF "/ # $CMD_ARITH"
    [ "$(output_of "$CMD_ARITH")" = "$(busybox sh -c "$CMD_ARITH")" ]
}

@test "a pipeline" {
    show
    [ "$(output_of "$CMD_PIPE")" = "$(busybox sh -c "$CMD_PIPE")" ]
}

@test "ls lists the archive's root" {
    show
    # on the guest's terminal (80 columns) ls prints columns: -C and COLUMNS=80 on the host
    [ "$(output_of "$CMD_LS")" = "$(cd "$FACET_ROOT/build/shell/tree" && COLUMNS=80 busybox ls -C)" ]
}

@test "Ctrl-C ends busybox sleep 100 by SIGINT; the shell prompts again" {
    show
    grep -qx "sent Ctrl-C" "$(facet_dir)/typist.notes"
    [ "$(output_of "$CMD_STATUS")" = "status $((128 + $(kill -l INT)))" ]
}

@test "canonical input: DEL erases, Ctrl-U kills the line, Ctrl-D ends cat's input" {
    show
    [ "$(output_of "$CMD_CAT" | grep -vF $'\b')" = "$(printf 'abc\nkept\n')" ]
    transcript | grep -qxF "/ # exit 7"          # cat ended: the shell prompted again
}

@test "/dev/tty is the shell's terminal: written to and read from" {
    show
    [ "$(output_of "$CMD_TTY")" = "$(printf 'to-tty\nfrom-tty\ngot from-tty\n')" ]
}

@test "exit ends the shell, and QEMU with its status" {
    show
    [ "$(facet_result shell)" = ok ] && [ "$(facet_status shell)" = 7 ]
}
