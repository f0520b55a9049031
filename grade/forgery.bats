#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/forgery.bats — a forged submission scores (almost) nothing.
#
# The forgery of the course-readiness review, made stronger: in a handout with every hole
# empty, stage 1's portal-dispatcher hole (roottask/lib/facet/thread.c) prints the whole
# output of a genuine run of the portals scenario (recorded here, from this tree's own build)
# and powers off; the kernel's call-path hole (kernel/ipc/ipc.c) prints the output of a
# genuine witness run (with that run's signatures) and powers off. Graded as a student's
# would be, stage 1 must score at most 2 points, and the grader must say why: the witness's
# lines carry no signature of the boot that printed them. About 2 minutes.

setup_file() {
    unset FACET_NO_TIMEOUT FACET_BUILD FACET_GRADE_DIR MAKEFLAGS MAKELEVEL
    export KIT_ROOT="$BATS_TEST_DIRNAME/.."
    export COPY="$BATS_FILE_TMPDIR/kit" REC="$BATS_FILE_TMPDIR/genuine"
    mkdir -p "$REC"
    # The genuine runs to replay: this tree's scenario on 1 and 2 CPUs, its witness with a key.
    make -s -C "$KIT_ROOT" build/iso/portals.iso build/iso/witness-portals.iso >"$REC/make.log" 2>&1
    local iso=$KIT_ROOT/build/iso key
    "$KIT_ROOT/tools/boot" --smp 1 --mem 128 --deadline 60 --log "$REC/p1.log" "$iso/portals.iso" >/dev/null 2>&1
    "$KIT_ROOT/tools/boot" --smp 2 --mem 256 --deadline 60 --log "$REC/p2.log" "$iso/portals.iso" >/dev/null 2>&1
    key=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    FACET_WITNESS_KEY=$key "$KIT_ROOT/tools/boot" --smp 2 --mem 128 --deadline 60 --log "$REC/w.log" \
        "$iso/witness-portals.iso" >/dev/null 2>&1

    # A handout, every hole empty, with the two forged blocks.
    make -s -C "$KIT_ROOT" handout DEST="$COPY" >/dev/null
    python3 - "$REC" "$COPY" <<'PY'
import json, re, sys
rec, copy = sys.argv[1], sys.argv[2]

def lines(log, first, keep):
    out, on = [], False
    for raw in open(f"{rec}/{log}", "rb"):
        l = raw.decode("utf-8", "replace").replace("\r", "").rstrip("\n")
        on = on or l.startswith(first)
        if on and keep(l):
            out.append(l)
    return out

def c_array(name, ls):
    return f"static const char *const {name}[] = {{\n" + "".join(f"        {json.dumps(l)},\n" for l in ls) + "    };\n"

def forge(path, body):
    text = open(path).read()
    m = re.search(r"(/\* LAB portals BEGIN[^\n]*\n)(.*?)(\s*/\* LAB portals END \*/)", text, re.S)
    assert m, path
    open(path, "w").write(text[:m.start(2)] + body + text[m.end(2):])

scenario = lambda l: not l.startswith("[power]")
p1 = lines("p1.log", "[root] Facet roottask", scenario)
p2 = lines("p2.log", "[root] Facet roottask", scenario)
w = lines("w.log", "[witness] stage", scenario)
assert len(p1) > 50 and len(p2) > 50 and len(w) > 20, (len(p1), len(p2), len(w))
forge(f"{copy}/roottask/lib/facet/thread.c",
      "    (void)pt, (void)cpu, (void)mtd, (void)handler, (void)id;\n    " + c_array("one_cpu", p1) +
      "    " + c_array("two_cpus", p2) +
      "    const char *const *l = fc_hip->num_cpus > 1 ? two_cpus : one_cpu;\n"
      "    unsigned n = fc_hip->num_cpus > 1 ? sizeof two_cpus / sizeof *l : sizeof one_cpu / sizeof *l;\n"
      "    for (unsigned i = 0; i < n; i++)\n        printf(\"%s\\n\", l[i]);\n"
      "    fc_poweroff(0);\n    return SUCCESS;\n")
forge(f"{copy}/kernel/ipc/ipc.c",
      "    extern NORETURN void machine_poweroff(unsigned status);\n    " + c_array("witness", w) +
      "    for (unsigned i = 0; i < sizeof witness / sizeof *witness; i++)\n        kprintf(\"%s\\n\", witness[i]);\n"
      "    machine_poweroff(0);\n")
PY
}

teardown_file() {
    [[ -n ${FORGERY_KEEP:-} ]] && cp -r "$BATS_FILE_TMPDIR" "$FORGERY_KEEP"
    pkill -KILL -f "$COPY/build" 2>/dev/null || true
}

@test "the genuine runs to replay passed (the forgery copies a full score)" {
    grep -a -q '^\[power\] off status=0' "$REC/p1.log"
    grep -a -q '^\[power\] off status=0' "$REC/p2.log"
    grep -a -q '^\[witness\] end: ok' "$REC/w.log"
}

@test "a forgery that replays a genuine run's output scores at most 2 points of stage 1" {
    run timeout 600 env -C "$COPY" tools/grade --stage portals --out "$BATS_FILE_TMPDIR/out"
    echo "$output" | tail -60
    local log=$BATS_FILE_TMPDIR/out/1-portals
    # The forgery ran: the replayed lines are in the boots' logs, the kernel's replay too.
    grep -a -q '^\[ipc\] nested depth=3 status=0 in=7 out=' "$log/p2-calls.log"
    grep -a -q '^\[ipc\] echo n=508 status=0 reply_n=508 served=1 xor=' "$log/p1-exc.log"
    grep -a -q '^\[witness\] ipc-max: ok #[0-9]* mac=' "$log/w-calls.log"
    # ... and scored nothing.
    [[ $output =~ stage\ 1\ portals:\ ([0-9]+)/([0-9]+) ]]
    echo "score ${BASH_REMATCH[1]} of ${BASH_REMATCH[2]}"
    ((BASH_REMATCH[1] <= 2 && BASH_REMATCH[2] >= 30))
    [[ $output == *"carry no valid signature of this boot"* ]]
    ! pgrep -f "qemu-system.*$COPY" >/dev/null
}
