#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/fuzz.bats — the kernel under a million random hypercalls, half from each of two CPUs
# at once: the witness's fuzz stage (grade/witness/witness.c, "fuzz"). Each fuzzing thread
# has a window of selectors, a sub-PD, frames, pages and ports, and drives creations,
# delegations and revocations of every kind, calls, semaphores, recalls, queries and raw
# calls with random arguments at them; then it revokes what it made. No panic, no hang,
# every call returns, and the kernel's free frames and objects are what they were before
# the round. The key is fixed, so the calls are the same every run; `make fuzz` runs ten
# times as many (FUZZ_CALLS per CPU, FUZZ_KEY the seed). About 10 s.

load lib/facet

setup_file() {
    WITNESS_KEY=0123456789abcdef0123456789abcdef facet_witness_boot fz fuzz+500000 --smp 2 --mem 256 --deadline 120
}

teardown_file() { facet_teardown; }

@test "a million random hypercalls from two CPUs: no panic, no hang, every one returns" {
    facet_expect_ok fz
    facet_witness fz fuzz
}

@test "after the fuzzers revoke what they made, no kernel frame and no object is lost" {
    facet_witness fz fuzz-leak
}
