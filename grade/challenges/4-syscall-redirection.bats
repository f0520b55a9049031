#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/challenges/4-syscall-redirection.bats — stage 4's optional challenges that a boot can
# show (labs/4-syscall-redirection/README.md, "Optional challenges"): bonus points, graded by
# `make grade-challenges STAGE=syscall-redirection`, never part of a stage's score.
# Challenge 1 (calls per syscall number): the scenario's last process makes a mix of toy calls
# drawn from a seed made for this boot (FACET_SEED; count_mix in
# roottask/scenarios/syscall_redirection.c), so only a count shows its line.

load ../lib/facet

setup_file() {
    local iso seed
    iso=$(facet_iso syscall-redirection)
    seed=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    FACET_SEED=$seed facet_boot sr "$iso" --smp 2 --mem 256
    echo "$seed" >"$(facet_dir)/sr.seed"
}

teardown_file() { facet_teardown; }

# The line of the mix process for this boot's seed, as count_mix draws it.
mix_line() {
    local s=$((16#$(cat "$(facet_dir)/sr.seed")))
    local adds=$((1 + (s & 7))) n99=$((s >> 3 & 3)) k=$((100 + (s >> 5 & 0x1ff) % 412))
    local nk=$((1 + (s >> 14 & 3))) nl=$((s >> 28 & 3)) line="1:$adds"
    ((n99)) && line+=" 99:$n99"
    line+=" $k:$nk"
    ((nl)) && line+=" 512+:$nl"
    printf '%s\n' "$line"
}

@test "challenge 1: the first toyforeign's calls per number, 1:2 2:1 99:1 (1 pt)" {
    facet_line sr '\[count\] process 1 \(toyforeign\): 1:2 2:1 99:1'
}

@test "challenge 1: a mix of calls drawn from this boot's seed, counted per number (3 pts)" {
    local want; want=$(mix_line)
    facet_line sr "\\[count\\] process 6 \\(toyforeign\\): ${want//+/\\+}"
}

@test "challenge 1: one line per process that made foreign calls, none for the others (1 pt)" {
    # 1, 4 (torn down in its call), 5 (faults after a call) and 6 do; 2 is native, 3 has no portal.
    facet_line sr '\[count\] process 4 \(toyforeign\): 3:[1-9][0-9]*'
    facet_line sr '\[count\] process 5 \(toyforeign\): 1:1'
    local n; n=$(grep -c '^\[count\]' "$(facet_log sr)") || true
    if [[ $n != 4 ]]; then
        echo "expected 4 [count] lines (processes 1, 4, 5, 6), found $n:" >&2
        grep '^\[count\]' "$(facet_log sr)" >&2 || true
        return 1
    fi
}
