#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/4-syscall-redirection.bats — stage 4: the flexible (policy-free) system-call layer.
# A toy foreign ABI: a program's `syscall` in a foreign PD becomes a message to the roottask's
# personality with the full register state; the NSCT makes one hypercall native. Each test
# also needs the witness's signed "ok" on the mechanism it grades (grade/1-portals.bats).

load lib/facet

setup_file() {
    facet_boot sr "$(facet_iso syscall-redirection)" --smp 2 --mem 256
    facet_witness_boot w syscall-redirection --smp 2 --mem 128
}

teardown_file() { facet_teardown; }

@test "the syscall-redirection scenario finishes with status 0 (1 pt)" {
    facet_witness w end
    facet_expect_ok sr
}

@test "a foreign syscall reaches the personality and its result comes back in rax (2 pts)" {
    facet_witness w foreign-syscall
    facet_grep sr '^\[console\] client 1: toy add 40\+2 = 42; '
}

@test "the full register state goes to the personality and the reply writes it back (3 pts)" {
    facet_witness w foreign-syscall
    # the personality xors r8 r9 r10 r12 r13 r14 r15 rbx as the program loaded them
    local want; want=$(printf '%#x' $(( 0x1111 ^ 0x2222 ^ 0x3333 ^ 0x5555 ^ 0x6666 ^ 0x7777 ^ 0x8888 ^ 0x9999 )))
    facet_grep sr "^\\[console\\] client 1: toy add 40\\+2 = 42; state xor = $want, r12 = 0x1212, r13 = 0x1313; unknown = -38\$"
}

@test "an unknown foreign syscall is the personality's business (-38), logged with its number (1 pt)" {
    facet_witness w foreign-syscall
    facet_grep sr '^\[toy\] process 1: unknown toy syscall 99 at rip 0x[0-9a-f]+$'
}

@test "the NSCT makes one hypercall native, and the kernel clears it after that hypercall (3 pts)" {
    facet_witness w foreign-nsct
    facet_grep sr '^\[console\] client 1: native hypercall with NSCT: status 4; NSCT after it 0; next toy add 1\+2 = 3$'
}

@test "the personality saw every toy call (4: add, state, unknown, add) (1 pt)" {
    facet_witness w foreign-syscall
    facet_grep sr '^\[sysredir\] the personality handled 4 toy calls$'
    facet_grep sr '^\[sysredir\] foreign: process 1 exited status=0 '
}

@test "in a native PD the same instruction is a hypercall (no personality involved) (2 pts)" {
    facet_witness w foreign-syscall
    facet_grep sr '^\[console\] client 2: native probe: rax 1 \(untouched\), rdi 3 \(the hypercall status\)$'
}

@test "a foreign PD without a portal for its syscalls: only that EC dies (1 pt)" {
    facet_witness w foreign-syscall
    facet_grep sr '^\[ec\] ec#[0-9]+ \(pd#[0-9]+\) killed: foreign syscall without a portal at rip 0x[0-9a-f]+$'
    facet_grep sr '^\[sysredir\] create_pd_foreign_base_beyond_space status=5 '
    facet_grep sr '^\[sysredir\] create_pd_unknown_flag status=5 '
}

@test "a process torn down during a call that holds a lock: the teardown waits for the handler (1 pt)" {
    facet_witness w foreign-syscall
    # Without the wait, the handler is abandoned on the dead process's SC with the lock taken.
    facet_grep sr '^\[sysredir\] torn down during a call: in the call yes, its lock free after the teardown$'
}

@test "a foreign process's fault goes to the process manager, not to the personality: reported, the process ends (1 pt)" {
    facet_witness w foreign-syscall
    facet_grep sr '^\[console\] client 5: before the fault: toy add 2\+3 = 5$'
    facet_grep sr '^\[proc\] process 5 \(toyforeign\) fault: vector 14 at rip 0x[0-9a-f]+, address 0x10, error 0x6: ended$'
    facet_grep sr '^\[sysredir\] foreign fault: process 5 faulted status=14 '
}
