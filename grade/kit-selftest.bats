#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/kit-selftest.bats — tests of the grading front end: tools/grade and tools/gradescope.
#
# Needs no kernel: tools/grade's hidden hooks point it at FAKE graders (fixtures/kit/graders:
# stage 1 passes, 2 mixes a failure and a skip, 3 hangs, 4's setup_file fails, 5 passes),
# fake written answers (fixtures/kit/labs) and a build that fails (fixtures/kit/fail-make as
# $MAKE). tools/gradescope bundles a miniature handout (fixtures/kit/handout) whose
# run_autograder grades a fake submission. About 15 s.

bats_require_minimum_version 1.5.0

setup_file() {
    unset FACET_NO_TIMEOUT FACET_TIME_SCALE FACET_BUILD FACET_GRADE_DIR MAKE MAKEFLAGS MAKELEVEL
    export ROOT=$BATS_TEST_DIRNAME/..
    export GRADE=$ROOT/tools/grade KIT=$BATS_TEST_DIRNAME/fixtures/kit
    # Names the fake emulator and the stray process of the hanging grader, for pgrep -f.
    export FAKE_MARK=facet-kit-selftest-$BATS_ROOT_PID
    # The whole fake kit once: the hanging stage 3 meets the safety net after 900 s x 0.003.
    export FULL=$BATS_FILE_TMPDIR/full
    local t0=${EPOCHREALTIME/./} rc=0
    FACET_TIME_SCALE=0.003 "$GRADE" --no-build --graders "$KIT/graders" --labs "$KIT/labs" \
        --out "$FULL" >"$BATS_FILE_TMPDIR/full.out" 2>"$BATS_FILE_TMPDIR/full.err" 3>&- || rc=$?
    echo "$rc" >"$BATS_FILE_TMPDIR/full.rc"
    echo $(( (${EPOCHREALTIME/./} - t0) / 1000000 )) >"$BATS_FILE_TMPDIR/full.seconds"
}

# The full run's output, status, and the lines after the one that equals $1.
full_output() { output=$(cat "$BATS_FILE_TMPDIR/full.out"); mapfile -t lines <"$BATS_FILE_TMPDIR/full.out"; }
has_line() {        # has_line LINE: the output has exactly this line
    local l
    for l in "${lines[@]}"; do [[ $l == "$1" ]] && return 0; done
    { echo "no line: '$1' in:"; printf '%s\n' "$output"; } >&2
    return 1
}
line_after() {      # line_after LINE K: the K-th line after LINE
    local i
    for i in "${!lines[@]}"; do
        [[ ${lines[i]} == "$1" ]] && { printf '%s\n' "${lines[i + $2]:-}"; return 0; }
    done
    echo "no line: '$1'" >&2
    return 1
}

# python3 checks a results.json: valid JSON, totals equal the sums over the tests, each test
# has the Gradescope fields; then prints "score max" and one "name|score|max|status" per test.
json_check() {
    command -v python3 >/dev/null || skip "python3 is not installed"
    python3 -m json.tool "$1" >/dev/null || { echo "$1 is not valid JSON" >&2; return 1; }
    python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
t = d["tests"]
assert d["score"] == sum(x["score"] for x in t), "score != sum of the tests"
assert d["max_score"] == sum(x["max_score"] for x in t), "max_score != sum of the tests"
assert isinstance(d["output"], str) and "\n" not in d["output"]
for x in t:
    assert set(x) == {"name", "score", "max_score", "output", "status"}, x
    assert x["status"] in ("passed", "failed"), x
print(d["score"], d["max_score"])
for x in t:
    print("%s|%d|%d|%s" % (x["name"], x["score"], x["max_score"], x["status"]))
EOF
}

@test "grade: stage subtotals, the total, and exit status 1 when anything failed" {
    full_output
    [ "$(cat "$BATS_FILE_TMPDIR/full.rc")" -eq 1 ]
    has_line "stage 1 portals: 8/8"
    has_line "stage 2 capabilities: 3/8 (1 skipped test(s) not counted)"
    has_line "stage 3 ept: 0/5"
    has_line "stage 4 syscall-redirection: 0/6"
    has_line "stage 5 linux-emulation: 1/3"
    has_line "total: 12/30"
    [ ! -s "$BATS_FILE_TMPDIR/full.err" ]
}

@test "grade: every test is listed with its points, a test without points too" {
    full_output
    has_line "  PASS  (2/2) first check"
    has_line "  PASS  (1/1) second check"
    has_line "  PASS  (3/3) a single-quoted name"
    has_line "  PASS  (0/0) a check without points"
    has_line '  PASS  (1/1) quotes "inside" and a \ backslash'
}

@test "grade: a failing test loses its points and shows bats' diagnostic" {
    full_output
    has_line "  FAIL  (0/3) fails with a reason"
    [[ $(line_after "  FAIL  (0/3) fails with a reason" 1) == "      (in test file "*"2-capabilities.bats, line "* ]]
    [ "$(line_after "  FAIL  (0/3) fails with a reason" 3)" = "      expected the answer 42, got 41" ]
}

@test "grade: a skipped test shows its reason and counts neither for nor against" {
    full_output
    has_line "  SKIP  (-/1) #AC skipped with a reason"
    [ "$(line_after "  SKIP  (-/1) #AC skipped with a reason" 1)" = "      the emulator does not check alignment" ]
    # 2 + 1 passed of 2 + 3 + 1 (+ 0/2 written answers): the skipped point is in neither
    has_line "stage 2 capabilities: 3/8 (1 skipped test(s) not counted)"
}

@test "grade: a hanging grader is stopped by the safety net, nothing it started survives, grading goes on" {
    full_output
    has_line "  (timed out after 2.7 s: the grader was stopped)"
    has_line "  FAIL  (0/2) never reached"
    [[ $(line_after "  FAIL  (0/2) never reached" 1) == "      timed out: "* ]]
    has_line "  FAIL  (0/1) never reached either"
    # the stray process in its own session was found by its FACET_GRADE_TAG
    has_line "  (note: 1 process(es) left behind by grade/fixtures/kit/graders/3-ept.bats were stopped)"
    local left
    if left=$(pgrep -af -- "$FAKE_MARK"); then echo "still running: $left" >&2; false; fi
    # the stage after the hang was graded
    has_line "  PASS  (1/1) runs after the hang"
    [ "$(cat "$BATS_FILE_TMPDIR/full.seconds")" -lt 15 ]
}

@test "grade: a failing setup_file fails every test of its stage with its message" {
    full_output
    has_line "  FAIL  (0/2) would pass"
    [ "$(line_after "  FAIL  (0/2) would pass" 1)" = "      the grader's setup (setup_file) failed, so none of its tests ran:" ]
    [ "$(line_after "  FAIL  (0/2) would pass" 4)" = "      fake: the scenario could not be prepared" ]
    has_line "  FAIL  (0/2) would pass too"
    [ "$(line_after "  FAIL  (0/2) would pass too" 1)" = "      (the same reason as above)" ]
}

@test "grade: written answers: one per question of the handout earns 2 points; a missing answer or file fails" {
    full_output
    # 1-portals: both questions answered ("1." with text, "2)" with text on the next line)
    [ "$(line_after "  PASS  (0/0) a check without points" 1)" = "  PASS  (2/2) written answers" ]
    # 2-capabilities: "2." without text; presence is what counts, not length
    has_line "      labs/2-capabilities/answers-capabilities.txt has no answer to question(s) 2 of 2: write each after its number (\"2. ...\"); your instructor reads them"
    has_line "      labs/3-ept/answers-ept.txt does not exist: answer the questions of labs/3-ept/README.md there, each after its number (\"1. ...\")"
}

@test "grade: results.json is valid Gradescope JSON with the printed scores" {
    json_check "$FULL/results.json" >"$BATS_TEST_TMPDIR/json"
    mapfile -t j <"$BATS_TEST_TMPDIR/json"
    [ "${j[0]}" = "12 30" ]
    grep -qx '1-portals: first check|2|2|passed' "$BATS_TEST_TMPDIR/json"
    grep -qx '1-portals: written answers|2|2|passed' "$BATS_TEST_TMPDIR/json"
    grep -qx '2-capabilities: fails with a reason|0|3|failed' "$BATS_TEST_TMPDIR/json"
    grep -qx '2-capabilities: #AC skipped with a reason|0|0|passed' "$BATS_TEST_TMPDIR/json"
    grep -qx '2-capabilities: quotes "inside" and a \\ backslash|1|1|passed' "$BATS_TEST_TMPDIR/json"
    grep -qx '3-ept: never reached|0|2|failed' "$BATS_TEST_TMPDIR/json"
    grep -qx '4-syscall-redirection: would pass too|0|2|failed' "$BATS_TEST_TMPDIR/json"
    grep -qx '5-linux-emulation: runs after the hang|1|1|passed' "$BATS_TEST_TMPDIR/json"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/json")" -eq 19 ]     # 13 grader tests + 5 written answers + totals
    # the failure's diagnostic (tab, control character, quote, backslash) survives escaping
    python3 - "$FULL/results.json" <<'EOF'
import json, sys
t = {x["name"]: x for x in json.load(open(sys.argv[1], encoding="utf-8"))["tests"]}
out = t["2-capabilities: fails with a reason"]["output"]
assert 'tab\there, control \x01, quote " backslash \\ bad byte' in out, out
assert t["3-ept: never reached"]["output"].startswith("timed out"), t["3-ept: never reached"]
assert t["2-capabilities: #AC skipped with a reason"]["output"].startswith("skipped: the emulator")
EOF
}

@test "grade: the TAP per stage agrees with the score; bats' own output is kept" {
    run "$ROOT/tools/summarize" "$FULL"/[0-9]-*.tap
    [ "$output" = "8 passed, 9 failed, 1 skipped" ]
    grep -qx 'ok 3 #AC skipped with a reason (1 pt) # skip the emulator does not check alignment' "$FULL/2-capabilities.tap"
    grep -qx 'not ok 3 written answers (2 pts)' "$FULL/3-ept.tap"
    [ -s "$FULL/2-capabilities/bats.tap" ] && [ -f "$FULL/3-ept/hang.log" ]
    grep -qx 'total: 12/30' "$FULL/report.txt"
}

@test "grade: one stage, by name or number, all passing: exit 0" {
    local s
    for s in portals 1 1-portals; do
        run -0 "$GRADE" --stage "$s" --no-build --graders "$KIT/graders" --labs "$KIT/labs" \
            --out "$BATS_TEST_TMPDIR/one" 3>&-
        [[ $output == *$'\nstage 1 portals: 8/8\n'* ]]
        [ "${lines[-2]}" = "total: 8/8" ]
        [[ $output != *"== stage 2"* ]]
    done
    json_check "$BATS_TEST_TMPDIR/one/results.json" >"$BATS_TEST_TMPDIR/json"
    [ "$(head -1 "$BATS_TEST_TMPDIR/json")" = "8 8" ]
    [ ! -e "$BATS_TEST_TMPDIR/one/2-capabilities.tap" ]
}

@test "grade: --challenges grades bonus points: no written answers, the total says so" {
    run -0 "$GRADE" --challenges --stage portals --no-build --graders "$KIT/graders" \
        --labs "$KIT/labs" --out "$BATS_TEST_TMPDIR/ch" 3>&-
    [[ $output == *$'\nstage 1 portals: 6/6\n'* ]]
    [ "${lines[-2]}" = "total: 6/6 (bonus points of the optional challenges)" ]
    [[ $output != *"written answers"* ]]
    run -2 "$GRADE" --challenges --stage capabilities --no-build --labs "$KIT/labs" 3>&-
    [[ $output == *"stage 2 capabilities has no graded challenge ("*"/grade/challenges/2-capabilities.bats)"* ]]
}

@test "grade: a failed build fails every grader test with the compiler's last lines; grading goes on" {
    run -1 env MAKE="$KIT/fail-make" "$GRADE" --stage portals,5 --graders "$KIT/graders" \
        --labs "$KIT/labs" --out "$BATS_TEST_TMPDIR/b" 3>&-
    [[ $output == *"build: FAILED (status 2; "* ]]
    [[ $output == *$'  FAIL  (0/2) first check\n      the build failed ('*"exited with status 2); the last 30 lines of its output:"* ]]
    [[ $output == *"      kernel/ipc/ipc.c:42:5: error: 'reply_n' undeclared (first use in this function)"* ]]
    [[ $output != *"kernel/file10.c"* ]]       # only the last 30 lines
    [[ $output == *$'  FAIL  (0/1) runs after the hang\n      (the same reason as for "1-portals: first check" above)'* ]]
    # the written answers are still checked
    [[ $output == *$'  PASS  (2/2) written answers\nstage 1 portals: 2/8'* ]]
    [ "${lines[-2]}" = "total: 2/11" ]
    grep -q "error: 'reply_n' undeclared" "$BATS_TEST_TMPDIR/b/build.log"
    json_check "$BATS_TEST_TMPDIR/b/results.json" >/dev/null
}

@test "grade: FACET_NO_TIMEOUT=1 lifts the safety net, FACET_TIME_SCALE scales it" {
    # 900 s x 0.0001 = 0.09 s: too short for any bats run
    run -1 env FACET_TIME_SCALE=0.0001 "$GRADE" --stage portals --no-build --graders "$KIT/graders" \
        --labs "$KIT/labs" --out "$BATS_TEST_TMPDIR/t" 3>&-
    [[ $output == *"(timed out after 0.09 s: the grader was stopped)"* ]]
    run -0 env FACET_TIME_SCALE=0.0001 FACET_NO_TIMEOUT=1 "$GRADE" --stage portals --no-build \
        --graders "$KIT/graders" --labs "$KIT/labs" --out "$BATS_TEST_TMPDIR/t" 3>&-
    [ "${lines[-2]}" = "total: 8/8" ]
}

@test "grade: bad usage exits 2 with a message" {
    run -2 --separate-stderr "$GRADE" --stage nosuch --no-build --out "$BATS_TEST_TMPDIR/u"
    [[ $stderr == *"unknown stage 'nosuch'"* ]]
    run -2 --separate-stderr "$GRADE" --stage ept --no-build --graders "$KIT/graders/../labs" --out "$BATS_TEST_TMPDIR/u"
    [[ $stderr == *"stage 3 ept has no grader yet"* ]]
    run -2 --separate-stderr "$GRADE" --bogus
    [[ $stderr == *"unknown argument '--bogus'"* ]]
    run -2 --separate-stderr env FACET_TIME_SCALE=fast "$GRADE" --no-build --out "$BATS_TEST_TMPDIR/u"
    [[ $stderr == *"FACET_TIME_SCALE must be a number"* ]]
}

# A miniature handout with the real tools/grade in it.
make_handout() {
    local h=$BATS_TEST_TMPDIR/handout
    cp -r "$KIT/handout" "$h"
    mkdir -p "$h/grade/lib"
    cp "$ROOT/tools/grade" "$h/tools/grade"
    cp "$ROOT/grade/lib/facet.bash" "$h/grade/lib/facet.bash"
    echo "$h"
}

unzip_to() {        # unzip_to ZIP DIR
    mkdir -p "$2"
    if command -v unzip >/dev/null; then unzip -q "$1" -d "$2"
    elif command -v python3 >/dev/null; then (cd "$2" && python3 -m zipfile -e "$1" .)
    else skip "neither unzip nor python3 is installed"; fi
}

@test "gradescope: the bundle grades the submission's student files with the kit's own graders" {
    local h ag=$BATS_TEST_TMPDIR/ag sub
    h=$(make_handout)
    run -0 "$ROOT/tools/gradescope" "$BATS_TEST_TMPDIR/dest" "$h"
    [ -f "$BATS_TEST_TMPDIR/dest/autograder.zip" ]
    unzip_to "$BATS_TEST_TMPDIR/dest/autograder.zip" "$ag/source"
    [ -f "$ag/source/setup.sh" ] && [ -f "$ag/source/run_autograder" ] && [ -f "$ag/source/kit/tools/grade" ]
    bash -n "$ag/source/setup.sh" && bash -n "$ag/source/run_autograder"
    grep -q '^sh "$here/kit/tools/deps.sh"$' "$ag/source/setup.sh"
    grep -qx 'tools/grade' "$ag/source/executables.txt"
    [ "$(cat "$ag/source/student-files.txt")" = "kernel/ipc/ipc.c
roottask/lib/stub.c
labs/1-portals/answers-portals.txt" ]
    # A submission zipped one folder deep, with a solved student file, a changed non-student
    # file and a grader of its own: only the student files count.
    sub=$ag/submission/facet-main
    mkdir -p "$sub/kernel/ipc" "$sub/roottask" "$sub/grade" "$sub/labs/1-portals"
    sed 's/return 0;/return 42;/' "$KIT/handout/kernel/ipc/ipc.c" >"$sub/kernel/ipc/ipc.c"
    echo "/* changed */" >"$sub/roottask/plain.c"
    printf '%s\n' '@test "free points (100 pts)" { true; }' >"$sub/grade/1-portals.bats"
    cp "$KIT/labs/1-portals/answers-portals.txt" "$sub/labs/1-portals/"
    run -0 env FACET_AUTOGRADER_ROOT="$ag" bash "$ag/source/run_autograder" 3>&-
    [[ $output == *"  used:    kernel/ipc/ipc.c"* ]]
    [[ $output == *"  missing: roottask/lib/stub.c (the handout's version is graded)"* ]]
    [[ $output == *"total: 5/5"* ]]
    json_check "$ag/results/results.json" >"$BATS_TEST_TMPDIR/json"
    [ "$(cat "$BATS_TEST_TMPDIR/json")" = "5 5
1-portals: the submitted kernel/ipc/ipc.c is graded|2|2|passed
1-portals: roottask/plain.c is the kit's, not the submission's|1|1|passed
1-portals: written answers|2|2|passed" ]
}

@test "gradescope: results.json exists even when grading crashes; the reference tree is refused" {
    local h ag=$BATS_TEST_TMPDIR/ag
    h=$(make_handout)
    run -0 "$ROOT/tools/gradescope" "$BATS_TEST_TMPDIR/dest" "$h"
    unzip_to "$BATS_TEST_TMPDIR/dest/autograder.zip" "$ag/source"
    rm "$ag/source/kit/tools/grade"
    mkdir -p "$ag/submission"
    run -0 env FACET_AUTOGRADER_ROOT="$ag" bash "$ag/source/run_autograder" 3>&-
    json_check "$ag/results/results.json" >"$BATS_TEST_TMPDIR/json"
    [ "$(head -1 "$BATS_TEST_TMPDIR/json")" = "0 0" ]
    grep -q 'could not grade this submission' "$ag/results/results.json"
    # a tree with solutions/ would grade the reference solutions
    mkdir "$h/solutions"
    run -1 --separate-stderr "$ROOT/tools/gradescope" "$BATS_TEST_TMPDIR/dest2" "$h"
    [[ $stderr == *"that is the reference tree, not a handout"* ]]
}
