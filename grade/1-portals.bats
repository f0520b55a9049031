#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/1-portals.bats — stage 1: synchronous IPC through portals, local ECs, and exceptions
# delivered to user-level handlers. Each group of the scenario boots on its own, on 1 CPU and
# on 2 (portals+calls, +busy, +startup, +exc: a hang costs only its group's tests); the
# grader recomputes every value the scenario prints. Each group also boots the witness
# (grade/witness/), which checks the same mechanisms with inputs of its own and signs its
# verdicts with a key made for that boot: each test needs the witness's signed "ok" on what
# it grades as well (facet_witness).

load lib/facet

setup_file() {
    local g iso
    for g in calls busy startup exc; do
        iso=$(facet_iso "portals+$g")
        facet_boot "p1-$g" "$iso" --smp 1 --mem 128
        facet_boot "p2-$g" "$iso" --smp 2 --mem 256
    done
    for g in calls busy startup exc; do
        facet_witness_boot "w-$g" "portals+$g" --smp 2 --mem 128
    done
}

teardown_file() { facet_teardown; }

# What the echo service must send back for n words: xor over (w_i ^ 0x5a..5a) + i,
# with w_i = i * 0x9e3779b97f4a7c15 + n (the caller's words).
echo_xor() {
    local n=$1 i w x=0
    for ((i = 0; i < n; i++)); do
        w=$(( i * 0x9e3779b97f4a7c15 + n ))
        x=$(( x ^ ((w ^ 0x5a5a5a5a5a5a5a5a) + i) ))
    done
    printf '%#x\n' "$x"
}

check_echo() {
    local boot=$1 n=$2 want got
    want=$(echo_xor "$n")
    [ "$n" -eq 0 ] && want=0
    got=$(facet_value "$boot" "^\\[ipc\\] echo n=$n status=0 reply_n=$n served=1 xor=(0x[0-9a-f]+|0)\$")
    echo "n=$n: expected xor $want, got $got"
    [ "$got" = "$want" ]
}

@test "both boots finish the portals scenario with status 0 (1 pt)" {
    for b in w-calls w-busy w-startup w-exc; do facet_witness "$b" end; done
    local b
    for b in p1-calls p2-calls p1-busy p2-busy p1-startup p2-startup p1-exc p2-exc; do
        facet_expect_ok $b
    done
}

@test "call/reply with 0 and 1 words (2 pts)" {
    facet_witness w-calls ipc-0 ipc-1
    for b in p1-calls p2-calls; do check_echo $b 0; check_echo $b 1; done
}

@test "call/reply with 8 words (2 pts)" {
    facet_witness w-calls ipc-8
    for b in p1-calls p2-calls; do check_echo $b 8; done
}

@test "call/reply with the maximum of 508 words (2 pts)" {
    facet_witness w-calls ipc-max
    for b in p1-calls p2-calls; do check_echo $b 508; done
}

@test "too many words: BAD_PAR; a typed item for a handler with no receive window: BAD_PAR (1 pt)" {
    facet_witness w-calls ipc-limits
    facet_grep p2-calls '^\[ipc\] echo_too_many_words status=5 '
    facet_grep p2-calls '^\[ipc\] echo_typed_item_no_window status=5 '
}

@test "a handler on another CPU: BAD_CPU (1 pt)" {
    facet_witness w-calls ipc-cpu ipc-1
    facet_grep p2-calls '^\[ipc\] call_other_cpu status=7 '
    facet_grep p1-calls '^\[ipc\] call_other_cpu skipped: 1 CPU$'
}

@test "bad selectors: empty, wrong type, beyond the space: BAD_CAP; bad flags: BAD_PAR (2 pts)" {
    facet_witness w-calls ipc-selectors ipc-1
    for b in p1-calls p2-calls; do
        facet_grep $b '^\[ipc\] call_empty_selector status=4 '
        facet_grep $b '^\[ipc\] call_semaphore status=4 '
        facet_grep $b '^\[ipc\] call_selector_beyond_space status=4 '
        facet_grep $b '^\[ipc\] call_bad_flags status=5 '
    done
}

@test "the console service prints a client's text as one line (1 pt)" {
    facet_witness w-calls ipc-8
    facet_grep p2-calls '^\[console\] client 7: hello through the console portal$'
    facet_grep p2-calls '^\[ipc\] console status=0 '
}

@test "nested calls through three handlers unwind in order (2 pts)" {
    facet_witness w-calls ipc-nested
    # innermost triples, the middle adds 5, the outer xors 0xff
    local want=$(( ((7 * 3) + 5) ^ 0xff ))
    for b in p1-calls p2-calls; do
        [ "$(facet_value $b '^\[ipc\] nested depth=3 status=0 in=7 out=([0-9]+)$')" -eq $want ]
    done
}

@test "a handler calling its own portal gets ABORT instead of a deadlock (1 pt)" {
    facet_witness w-calls ipc-self
    facet_grep p2-calls '^\[ipc\] self_call status=0 inner_status=2$'
}

@test "a busy handler: a second caller waits its turn, a non-blocking one gets TIMEOUT (2 pts)" {
    facet_witness w-busy ipc-busy
    # first caller is held inside the handler; replies are caller*100 + service order
    for b in p1-busy p2-busy; do
        facet_grep $b '^\[ipc\] busy handler: nonblocking=1 first=101 second=202 order=12$'
    done
}

@test "a handler whose entry point is unmapped dies alone; its caller gets ABORT (2 pts)" {
    facet_witness w-calls ipc-unmapped
    facet_grep p2-calls '^\[ec\] ec#[0-9]+ \(pd#1\) killed: #PF page fault at rip 0x10000000$'
    facet_grep p2-calls '^\[ipc\] call_unmapped_handler status=2 '
    # ... and the next echo call still works
    local n; n=$(tr -d '\r' < "$(facet_log p2-calls)" | grep -c '^\[ipc\] echo n=1 status=0 reply_n=1 served=1 xor=0x5a5a5a5a5a5a5a5b$')
    [ "$n" -eq 2 ]
}

# A handled fault: reported at (fault) or after (trap) the instruction, resumed past it with
# the handler's rax = 0xc0ffee00 + vector.
check_exc() {
    local name=$1 vector=$2 where=$3 b
    [[ $name == ac ]] || facet_witness w-exc "exc-$name"     # the witness raises no #AC
    for b in p1-exc p2-exc; do
        facet_grep $b "^\\[exc\\] $name vector=$vector err=0x[0-9a-f]+ addr=(0|0x[0-9a-f]+) rip=$where\$" ||
            facet_grep $b "^\\[exc\\] $name vector=$vector err=0 addr=0 rip=$where\$"
        facet_grep $b "^\\[exc\\] $name resumed rax=$(printf '%#x' $((0xc0ffee00 + vector)))\$"
    done
}

@test "#DE delivered, RIP fixed past the divide, registers written back (1 pt)" { check_exc de 0 at; }
@test "#DB (single step) delivered after the instruction and resumed (1 pt)" { check_exc db 1 after; }
@test "#BP (int3) delivered and resumed (1 pt)" { check_exc bp 3 after; }
@test "#UD delivered and skipped (1 pt)" { check_exc ud 6 at; }
@test "#GP (hlt in ring 3) delivered and skipped (1 pt)" { check_exc gp 13 at; }

@test "a non-canonical stack reference faults (#SS; QEMU TCG reports #GP) and is skipped (1 pt)" {
    facet_witness w-exc exc-ss
    local b v
    for b in p1-exc p2-exc; do
        v=$(facet_value $b '^\[exc\] ss vector=(12|13) err=0 addr=0 rip=at$')
        facet_grep $b "^\\[exc\\] ss resumed rax=$(printf '%#x' $((0xc0ffee00 + v)))\$"
    done
}

@test "#PF delivered with the error code and the fault address, then skipped (2 pts)" {
    facet_witness w-exc exc-pf
    # user-mode read of a not-present page: error code 0x4; the address the snippet read
    facet_grep p2-exc '^\[exc\] pf vector=14 err=0x4 addr=0x500000000008 rip=at$'
    facet_grep p2-exc '^\[exc\] pf resumed rax=0xc0ffee0e$'
}

@test "#AC (alignment check) delivered and resumed (1 pt)" {
    if facet_grep p2-exc '^\[exc\] ac not raised' >/dev/null 2>&1; then
        skip "the emulator does not check alignment (QEMU TCG); run under Bochs or KVM"
    fi
    facet_witness w-exc exc-ud                # the witness's nearest: the same delivery path
    check_exc ac 17 at
}

@test "a page fault is handled by mapping a page; the access is retried and succeeds (2 pts)" {
    facet_witness w-exc exc-pf
    facet_grep p2-exc '^\[exc\] #PF at 0x600000001238 \(rip 0x[0-9a-f]+\): mapped a page, status=0$'
    facet_grep p2-exc '^\[exc\] demand paging: read back 0x1234567 0x7654321, pages mapped=1$'
}

@test "a worker whose handler does not reply stays stopped; the rest goes on (1 pt)" {
    facet_witness w-exc exc-ud
    facet_grep p2-exc '^\[stop\] vector=6 '
    facet_grep p2-exc '^\[stop\] worker stopped$'
    facet_grep p2-exc '^\[ipc\] echo n=2 status=0 reply_n=2 served=1 xor=0x9e3779b97f4a7c16$'
    ! facet_grep p2-exc 'ERROR: resumed after a fault' 2>/dev/null
}

@test "a new thread starts through its startup portal, which sets rip, rsp and registers (2 pts)" {
    facet_witness w-startup startup
    for b in p1-startup p2-startup; do
        # rdi from the handler, rsi = the portal id (0x77) the handler received
        facet_grep $b '^\[ipc\] startup set rip, rsp and registers: rdi=0x5eed rsi=0x77 on_probe_stack=1$'
        facet_grep $b '^\[ipc\] startup_probe status=0 '
    done
}

@test "host unit tests of utcb.c: word copies and exception state, under ASan/UBSan (2 pts)" {
    facet_unit test_utcb
}
