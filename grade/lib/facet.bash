# SPDX-License-Identifier: MIT
# grade/lib/facet.bash — the graders' helpers: boot an ISO once, then check its serial log.
#
# A grader boots in setup_file and checks in its tests:
#
#   load lib/facet
#   setup_file()    { facet_boot portals "$(facet_iso portals)"; }
#   teardown_file() { facet_teardown; }
#   @test "boots and powers off cleanly (1 pt)" { facet_expect_ok portals; }
#   @test "echo portal returns 42 (2 pts)" {
#       v=$(facet_value portals '^\[echo\] reply=([0-9]+)$')
#       [ "$v" -eq 42 ]
#   }
#
# For each boot NAME the directory ($FACET_GRADE_DIR, else $BATS_FILE_TMPDIR)
# holds NAME.log (the serial log), NAME.result (tools/boot's result line),
# NAME.exit (its exit status), NAME.report (its stderr: reason + log tail),
# and NAME.log.emu (the emulator's own messages, on failure only).
# Every check prints what it expected, the boot's result and the last 30 log
# lines when it fails. Regexes are grep -E; a trailing CR on a line is ignored.

FACET_ROOT=${FACET_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# The boot tool (a test may put another in its place); FACET_BOOT is tools/boot's own setting.
FACET_BOOT_TOOL=${FACET_BOOT_TOOL:-$FACET_ROOT/tools/boot}

# bats-support and bats-assert (Debian: /usr/lib/bats). If one is missing the
# graders still load; its functions then fail with the reason.
_FACET_BATS_LIB=${FACET_BATS_LIB:-/usr/lib/bats}
_facet_missing() {
    echo "facet: $1 is not installed (looked in $_FACET_BATS_LIB);" \
         "run tools/deps.sh or apt-get install bats-support bats-assert" >&2
    return 1
}
_facet_load_bats_libs() {
    local base=$_FACET_BATS_LIB f
    if [[ -f $base/bats-support/load.bash ]]; then
        # shellcheck disable=SC1091
        source "$base/bats-support/load.bash"
    else
        _facet_missing bats-support
        for f in fail batslib_err batslib_count_lines batslib_is_single_line \
                 batslib_prefix batslib_mark batslib_decorate; do
            eval "$f() { _facet_missing bats-support; }"
        done
    fi
    # bats-assert needs bats-support.
    if [[ -f $base/bats-assert/load.bash && -f $base/bats-support/load.bash ]]; then
        # shellcheck disable=SC1091
        source "$base/bats-assert/load.bash"
    else
        _facet_missing bats-assert
        for f in assert refute assert_equal assert_not_equal assert_success \
                 assert_failure assert_output refute_output assert_line \
                 refute_line assert_regex refute_regex; do
            eval "$f() { _facet_missing bats-assert; }"
        done
    fi
}
_facet_load_bats_libs

# Where the boots of this grader file keep their files. (Outside bats,
# facet_boot makes a temporary FACET_GRADE_DIR.)
facet_dir() { printf '%s\n' "${FACET_GRADE_DIR:-${BATS_FILE_TMPDIR:-}}"; }

facet_log() { printf '%s/%s.log\n' "$(facet_dir)" "$1"; }

# The ISO of a scenario, built by the Makefile if needed (in $FACET_BUILD, default build;
# SOLUTIONS in the environment chooses the stages built solved, the others from their
# student view). Prints its path even
# when make fails: facet_boot then reports "no readable ISO", test by test.
facet_iso() {
    local build=${FACET_BUILD:-build}
    local iso=$build/iso/$1.iso
    [[ $build == /* ]] || iso=$FACET_ROOT/$iso
    if ! make -s -C "$FACET_ROOT" BUILD="$build" "$build/iso/$1.iso" >"$(facet_dir)/$1.make" 2>&1; then
        echo "facet: make $build/iso/$1.iso failed:" >&2
        tail -n 20 "$(facet_dir)/$1.make" >&2
    fi
    printf '%s\n' "$iso"
}

# facet_boot NAME ISO [tools/boot options...]: boot once and record how it
# ended. Never fails, so setup_file completes and every test can report.
facet_boot() {
    local name=$1 iso=$2 dir code=0
    shift 2
    if [[ -z $(facet_dir) ]]; then
        FACET_GRADE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/facet-grade.XXXXXX") || return 0
        export FACET_GRADE_DIR
    fi
    dir=$(facet_dir)
    mkdir -p "$dir"
    rm -f "$dir/$name".{result,exit,report,tail-shown}
    "$FACET_BOOT_TOOL" --log "$dir/$name.log" "$@" "$iso" \
        >"$dir/$name.result" 2>"$dir/$name.report" 3>&- || code=$?
    echo "$code" >"$dir/$name.exit"
    # Remember the boot for facet_teardown (this file's boots only).
    echo "$name" >>"$(_facet_boots)"
    # tools/boot removes NAME.log.pid once the emulator is gone; if it is
    # still there, tools/boot was killed: stop what it left.
    _facet_reap "$dir/$name.log.pid"
    if [[ ${FACET_VERBOSE:-0} == 1 ]]; then
        echo "# $name: $(cat "$dir/$name.result" 2>/dev/null)" >&3
    fi
    return 0
}

# facet_witness_boot NAME STAGE [tools/boot options...]: boot the witness (grade/witness/)
# alone for STAGE, with a key made for this one boot (kept in NAME.key): the witness checks
# the stage's kernel mechanisms itself and signs each verdict with that key. WITNESS_KEY, when
# set, is the key instead (the fuzzer's fixed seed). Never fails.
facet_witness_boot() {
    local name=$1 stage=$2 iso key
    shift 2
    iso=$(facet_iso "witness-$stage")
    key=${WITNESS_KEY:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
    FACET_WITNESS_KEY=$key facet_boot "$name" "$iso" "$@"
    rm -f "$(facet_dir)/$name.witness"
    echo "$key" >"$(facet_dir)/$name.key"
    return 0
}

# facet_witness NAME CHECK...: the witness boot NAME signed "CHECK: ok" for every CHECK with
# its key (grade/lib/witness.py), and no other verdict on it (a check made several times
# passes only if every one of them did). A line the key does not verify counts as missing: output
# that does not come from the witness scores nothing.
facet_witness() {
    local name=$1 dir verdicts check v fail=0
    shift
    dir=$(facet_dir)
    verdicts=$dir/$name.witness
    if [[ ! -f $dir/$name.key ]]; then
        echo "facet_witness: no witness boot named '$name' (facet_witness_boot)" >&2
        return 1
    fi
    if [[ ! -f $verdicts ]]; then
        if ! python3 "$FACET_ROOT/grade/lib/witness.py" "$(cat "$dir/$name.key")" "$(facet_log "$name")" \
            >"$verdicts.tmp" 2>&1; then
            { echo "facet_witness: cannot read the witness's verdicts:"; head -n 5 "$verdicts.tmp"; } >&2
            return 1
        fi
        mv "$verdicts.tmp" "$verdicts"
    fi
    for check; do
        # Every verdict signed on CHECK counts: the first that is not ok, else ok (none: nothing).
        v=$(awk -F'\t' -v c="$check" '$1 == c { n++; if ($2 != "ok" && bad == "") bad = $2 }
            END { if (bad != "") print bad; else if (n) print "ok" }' "$verdicts" 2>/dev/null) || true
        [[ $v == ok ]] && continue
        fail=1
        if [[ -n $v ]]; then
            echo "the witness's check '$check' (boot '$name'): $v" >&2
        else
            echo "the witness signed no verdict on '$check' (boot '$name'): it never got there, or the line is not the witness's" >&2
        fi
    done
    if ((fail)); then
        v=$(grep -c '^!forged' "$verdicts" 2>/dev/null) || true
        ((v > 0)) && echo "($v witness lines in that log carry no valid signature of this boot)" >&2
        _facet_explain "$name" >&2
    fi
    return $fail
}

# Stop the emulator group a killed tools/boot left, as named in its pid file
# (tools/boot --reap: only if that group is still the one the file names).
_facet_reap() {
    [[ -f $1 ]] || return 0
    "$FACET_BOOT_TOOL" --reap "$1" || true
}

# facet_teardown: for teardown_file — makes sure no emulator started by this
# file's facet_boot calls still runs.
_facet_boots() { printf '%s/.facet-boots\n' "${BATS_FILE_TMPDIR:-$(facet_dir)}"; }
facet_teardown() {
    local dir list name
    dir=$(facet_dir)
    list=$(_facet_boots)
    [[ -f $list ]] || return 0
    while read -r name; do
        _facet_reap "$dir/$name.log.pid"
    done <"$list"
    return 0
}

# The result word (ok, timeout, idle, panic, …; "none" if the boot never
# reported) and the guest status ("-" if none).
facet_result() {
    local line
    line=$(cat "$(facet_dir)/$1.result" 2>/dev/null)
    [[ $line =~ result=([^ ]+) ]] && { echo "${BASH_REMATCH[1]}"; return 0; }
    echo none
}
facet_status() {
    local line
    line=$(cat "$(facet_dir)/$1.result" 2>/dev/null)
    [[ $line =~ status=([^ ]+) ]] && { echo "${BASH_REMATCH[1]}"; return 0; }
    echo -
}

# The kernel and roottask addresses a panic report names, each with its function and line
# (addr2line on the ELF files of this build): "rip=0xffffffff8010afb8 sys_create_sm at
# kernel/obj/sm.c:80".
_facet_symbolize() {
    local log=$1 build=${FACET_BUILD:-build} a elf where
    [[ $build == /* ]] || build=$FACET_ROOT/$build
    # rip= first, then the backtraces' return addresses in order, each once
    { grep -a '^\[panic\]' "$log" | grep -oE '\brip=0x[0-9a-f]+'
      grep -a '^\[panic\] backtrace' "$log" | grep -oE '0x[0-9a-f]+' | sed 's/^/called from=/'; } |
        awk '!seen[$0]++' | while IFS== read -r reg a; do
        case $a in
        0xffffffff8*) elf=$build/kernel.elf ;;
        0x4[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) elf=$build/roottask.elf ;;
        *) continue ;;
        esac
        [[ -r $elf ]] || continue
        [[ $reg == called* ]] && a=$(printf '%#x' $((a - 1)))   # the call, not the return address
        where=$(addr2line -f -C -e "$elf" "$a" 2>/dev/null | paste -sd' ' | sed "s#$FACET_ROOT/##; s# # at #")
        [[ $where == '?? at ??:0' || -z $where ]] || echo "  $reg=$a $where"
    done
}

# What a failed check shows after its own first line: how the boot ended,
# tools/boot's reason, the panic's addresses symbolized, and the log's tail (once per boot:
# later failures of the same boot point back to it).
_facet_explain() {
    local name=$1 dir log reason
    dir=$(facet_dir)
    log=$dir/$name.log
    echo "boot '$name': result=$(facet_result "$name") status=$(facet_status "$name")"
    reason=$(grep -m1 -E '^boot: [a-z-]+: ' "$dir/$name.report" 2>/dev/null)
    [[ -n $reason ]] && echo "$reason"
    grep -v '^boot: ' "$dir/$name.report" 2>/dev/null | grep -E '^(tools/boot|facet|grep):' | head -n 5
    [[ -s $log.emu ]] && echo "(emulator messages: $log.emu)"
    if [[ -f $log ]] && grep -qa '^\[panic\]' "$log"; then
        local syms
        syms=$(_facet_symbolize "$log")
        [[ -n $syms ]] && { echo "--- the panic's addresses ---"; echo "$syms"; }
    fi
    if [[ -f $log && -e $dir/$name.tail-shown ]]; then
        echo "(the end of its log is shown under this boot's first failing test: $log)"
    elif [[ -f $log ]]; then
        echo "--- last 30 lines of $log ---"
        tail -n 30 "$log" | cut -c1-300 | tr -d '\r'
        echo "--- end of log ---"
        : >"$dir/$name.tail-shown"
    else
        echo "(no log: did setup_file call facet_boot $name?)"
    fi
}

# facet_unit TEST...: build and run host unit tests (tests/TEST.c, under ASan/UBSan) against
# this build's sources (the student view of every stage not in SOLUTIONS). Each must build,
# print at least one "ok", no "not ok", and exit 0; otherwise it shows why.
facet_unit() {
    local build=${FACET_BUILD:-build} t bin out rc fail=0
    for t in "$@"; do
        bin=$build/tests/$t
        [[ $build == /* ]] || bin=$FACET_ROOT/$bin
        if ! make -s -C "$FACET_ROOT" BUILD="$build" "$build/tests/$t" >"$(facet_dir)/$t.make" 2>&1; then
            { echo "tests/$t.c does not build against your code:"; tail -n 15 "$(facet_dir)/$t.make"; } >&2
            fail=1
            continue
        fi
        rc=0
        out=$("$bin" 2>&1) || rc=$?
        if ((rc != 0)) || grep -q '^not ok' <<<"$out" || ! grep -q '^ok' <<<"$out"; then
            { echo "tests/$t.c: exit status $rc"; grep -A6 '^not ok' <<<"$out" | head -n 40; } >&2
            fail=1
        fi
    done
    return $fail
}

# facet_expect_ok NAME: the boot ended with result=ok and guest status 0.
facet_expect_ok() {
    local r s
    r=$(facet_result "$1") s=$(facet_status "$1")
    [[ $r == ok && $s == 0 ]] && return 0
    { echo "expected boot '$1' to end with result=ok status=0"; _facet_explain "$1"; } >&2
    return 1
}

# _facet_match NAME REGEX GREP-FLAGS: print the first matching line.
_facet_match() {
    local name=$1 re=$2 flags=$3 log m
    log=$(facet_log "$name")
    if [[ -f $log ]] && m=$(grep -a -m1 "$flags" -- "$re" < <(tr -d '\r' <"$log")); then
        printf '%s\n' "$m"
        return 0
    fi
    { echo "expected a line matching: $re"; _facet_explain "$name"; } >&2
    return 1
}

# facet_vcpus NAME: the boot's machine can make vCPUs (its HIP line: VMX with EPT, or SVM
# with nested paging; Bochs has VMX, QEMU's TCG SVM).
facet_vcpus() {
    facet_grep "$1" '^\[hip\] features vmx=1 ept=1|^\[hip\] features vmx=. ept=. svm=1 npt=1' >/dev/null 2>&1
}

# facet_grep NAME REGEX: some line contains a match; prints the first such line.
facet_grep() { _facet_match "$1" "$2" -E; }

# facet_line NAME REGEX: some whole line matches (grep -x); prints it.
facet_line() { _facet_match "$1" "$2" -xE; }

# facet_value NAME REGEX: the first capture group of the first match, e.g.
#   facet_value stage1 '^\[ipc\] sum=([0-9]+)$'  ->  4950
facet_value() {
    local name=$1 re=$2 m v d=$'\001'
    m=$(_facet_match "$name" "$re" -oE) || return 1
    m=${m%%$'\n'*}
    # Group 1 is the whole match; the caller's first group is \2.
    if ! v=$(sed -nE "s${d}^(${re})\$${d}\\2${d}p" <<<"$m" 2>/dev/null); then
        echo "facet_value: '$re' needs a capture group ( ... ) around the value" >&2
        return 1
    fi
    printf '%s\n' "$v"
}

# facet_status_table NAME TAG TABLE: every "name expected-status" line of TABLE must match the
# log's "[TAG] name status=N" line; prints each mismatch, fails if there is one.
facet_status_table() {
    local log bad=0 name want got
    log=$(facet_log "$1")
    while read -r name want; do
        [[ -n $name ]] || continue
        got=$(tr -d '\r' <"$log" | sed -nE "s/^\[$2\] $name status=([0-9]+) .*/\1/p" | head -1)
        if [[ $got != "$want" ]]; then
            echo "$name: expected status $want, got '${got:-no line}'"
            bad=$((bad + 1))
        fi
    done <<<"$3"
    echo "$bad mismatches"
    [[ $bad -eq 0 ]]
}
