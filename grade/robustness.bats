#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/robustness.bats — the kernel under attack, from the witness (grade/witness/: fuzz.c, stress.c, inject.c):
#
#   fuzz    a million random hypercalls, half from each of two CPUs at once. Each fuzzing
#           thread has a window of selectors, a sub-PD, frames, pages and ports, and drives
#           creations, delegations and revocations of every kind, calls, semaphores,
#           recalls, queries and raw calls with random arguments at them, then revokes what
#           it made. No panic, no hang, every call returns, and the kernel's free frames and
#           objects are what they were before the round.
#   stress  on 2, 4 and 8 CPUs: a worker on every CPU but 0 calls its portal and reads its
#           page while CPU 0 revokes both and makes them anew, 2000 times; then CPU 0
#           revokes the workers while they run. Every call ends (SUCCESS or BAD_CAP), no read
#           sees a frame after its revoke returned (a missed TLB shootdown: it holds a
#           poison value by then), nothing leaks.
#   quota   kernel memory per PD: a PD with a quota of its own gets semaphores made in its name
#           until OOM (one revoked, one fits again; a PD in its name: OOM too), another gets
#           pages 1 GiB apart and capabilities 64 selectors apart (page tables, mapping nodes,
#           table leaves, all charged to it) until OOM; we and a PD without a quota go on;
#           after the revokes every frame, object and byte of our account is back.
#   fastpath  the IPC fast path (kernel/ipc/ipc.c, the kernel's counters through machine_ctrl
#           fastpath): calls and replies of the common case go the fast way with the right
#           words; each of its preconditions is made to fail once (no capability, a flag, a
#           handler on another CPU, dead or busy, too many words, a reply with no caller, with
#           too many words, with callers queued, to an EC with a recall pending, to a vCPU)
#           and the general path gives the ABI's result, its counter moving by one; an
#           exception's reply writes back the registers its MTD names and no others.
#   inject  in a kernel built with FAIL_INJECTION=1 (build/inject/): a workload (a sub-PD
#           with memory, a semaphore, an EC and a portal that is called, a foreign PD, memory
#           to ourselves, four semaphores) runs once per kernel allocation it makes, that
#           allocation failing: every call returns SUCCESS or OOM (or BAD_CAP for what an
#           earlier OOM left out), no panic, and each teardown gives back every frame and
#           object.
#   roottask inject  the same build's roottask, scenario inject+7 (roottask/scenarios/
#           inject.c): a Linux workload (a shell pipeline and a program, about 1100 roottask
#           page allocations) runs once for every 7th of them, that one failing; every run
#           must end and give back every roottask page, kernel frame and object.
#
# The key is fixed: the same calls every run. `make fuzz` runs ten times as many calls
# (FUZZ_CALLS per CPU, FUZZ_KEY the seed), a stress ten times as long on 8 CPUs, and the
# roottask's failure injection for every allocation (inject+1).

load lib/facet

setup_file() {
    local n
    export WITNESS_KEY=0123456789abcdef0123456789abcdef
    facet_witness_boot fz fuzz+500000 --smp 2 --mem 256 --deadline 120
    for n in 2 4 8; do
        facet_witness_boot "st$n" stress --smp "$n" --mem 256 --deadline 180
    done
    facet_witness_boot qt quota --smp 2 --mem 256 --deadline 60
    facet_witness_boot fp fastpath --smp 2 --mem 256 --deadline 60
    # failure injection needs a kernel of its own
    local build=${FACET_BUILD:-build}
    [[ $build == /* ]] || build=$FACET_ROOT/$build
    make -s -C "$FACET_ROOT" BUILD="$build/inject" FAIL_INJECTION=1 "$build/inject/iso/witness-inject.iso" \
        >"$(facet_dir)/inject.make" 2>&1 || tail -n 20 "$(facet_dir)/inject.make" >&2
    FACET_WITNESS_KEY=$WITNESS_KEY facet_boot inj "$build/inject/iso/witness-inject.iso" --smp 2 --mem 256 --deadline 120
    echo "$WITNESS_KEY" >"$(facet_dir)/inj.key"
    make -s -C "$FACET_ROOT" BUILD="$build/inject" FAIL_INJECTION=1 "$build/inject/iso/inject+7.iso" \
        >"$(facet_dir)/rinject.make" 2>&1 || tail -n 20 "$(facet_dir)/rinject.make" >&2
    facet_boot rinj "$build/inject/iso/inject+7.iso" --smp 2 --mem 256 --deadline 300 --idle 60
}

teardown_file() { facet_teardown; }

@test "a million random hypercalls from two CPUs: no panic, no hang, every one returns" {
    facet_expect_ok fz
    facet_witness fz fuzz
}

@test "after the fuzzers revoke what they made, no kernel frame and no object is lost" {
    facet_witness fz fuzz-leak
}

@test "kernel memory per PD: a quota given at create_pd, beyond the creator's own refused" {
    facet_expect_ok qt
    facet_witness qt quota-create
}

@test "kernel memory per PD: objects made in a PD's name stop at its quota with OOM, and fit again once freed" {
    facet_witness qt quota-oom
}

@test "kernel memory per PD: page tables, mapping nodes and capability leaves are charged to their PD" {
    facet_witness qt quota-spaces
}

@test "kernel memory per PD: the PD out of quota harms no other; afterwards every frame and byte is back" {
    facet_witness qt quota-others quota-leak
}

@test "stress on 2 CPUs: a portal and a page revoked while the other CPU uses them" {
    facet_expect_ok st2
    facet_witness st2 stress stress-leak
}

@test "stress on 4 CPUs" {
    facet_expect_ok st4
    facet_witness st4 stress stress-leak
}

@test "stress on 8 CPUs" {
    facet_expect_ok st8
    facet_witness st8 stress stress-leak
}

@test "every kernel allocation of a workload failing in turn: OOM returned, no panic, nothing lost" {
    facet_expect_ok inj
    facet_witness inj inject inject-leak
}

@test "every 7th roottask allocation of a Linux workload failing in turn: every run ends, nothing lost" {
    facet_expect_ok rinj
    local total runs
    total=$(facet_value rinj '^\[inject\] the workload allocates ([0-9]+) roottask pages; failing each 7-th in turn$')
    runs=$(facet_value rinj '^\[inject\] ([0-9]+) runs \([0-9]+ in which the failing allocation never came\): 0 did not end, 0 lost memory$')
    # one run per 7th allocation: a sweep that stopped early or skipped runs does not count
    if (( total < 500 || runs != (total + 6) / 7 )); then
        echo "expected $(( (total + 6) / 7 )) runs for $total allocations, the log says $runs" >&2
        return 1
    fi
}

@test "the IPC fast path: calls and replies of the common case go the fast way, with every word" {
    facet_expect_ok fp
    facet_witness fp fastpath-call fastpath-event fastpath-event-mtd fastpath-event-regs
}

@test "the IPC fast path: each precondition of a call, made to fail, leaves it to the general path and its result" {
    facet_witness fp fastpath-cap fastpath-flags fastpath-cpu fastpath-dead fastpath-busy fastpath-items
}

@test "the IPC fast path: each precondition of a reply, made to fail, leaves it to the general path and its result" {
    facet_witness fp fastpath-reply-none fastpath-reply-items fastpath-reply-waiters fastpath-resume fastpath-vcpu
}
