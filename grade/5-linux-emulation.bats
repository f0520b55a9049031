#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/5-linux-emulation.bats — stage 5: unmodified static Linux programs under the Linux
# personality. The expected output is the same binary's output on the host Linux, run with the
# same arguments and environment: nothing here is written down by hand. Some arguments carry
# a seed made for this boot (FACET_SEED; scenarios/linux.c), so no recorded output fits.

load lib/facet

setup_file() {
    local iso seed
    iso=$(facet_iso linux)
    seed=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    FACET_SEED=$seed facet_boot lx "$iso" --smp 2 --mem 256 --deadline 180 --idle 60
    echo "$seed" >"$(facet_dir)/lx.seed"
    local build=${FACET_BUILD:-build}
    [[ $build == /* ]] || build=$FACET_ROOT/$build       # an absolute FACET_BUILD as it is
    export USERLAND_DIR="$build/userland" LINUX_BIN="$build/userland/linux"
}

teardown_file() { facet_teardown; }

# The boot's seed as the scenario splits it: W1 its upper 32 bits, W2 its lower (8 hex digits).
seed_words() {
    local seed
    seed=$(cat "$(facet_dir)/lx.seed")
    W1=${seed:0:8} W2=${seed:8:8}
}

# Run a test program on the host as the linux scenario runs it under Facet.
host_run() {
    local prog=$1; shift
    # perl (perl-base is in every Debian) execs with argv[0] = the name and nothing added to the
    # environment (bash's exec -a would add PWD and SHLVL)
    env -i LINUX_UNDER_FACET=1 PATH=/bin HOME=/ perl -e 'my $f = shift; exec { $f } @ARGV or exit 127' "$LINUX_BIN/$prog" "$prog" "$@"
}

guest_stream() {                      # what program $2 wrote to fd $3 ("stdout"/"stderr")
    tr -d '\r' < "$(facet_log "$1")" |
        awk -v prog="$2" -v tag="[$3] " '
            /^\[linux\] linux\// { cur = "" }            # a program ended
            index($0, tag) == 1 { out[++n] = substr($0, length(tag) + 1); owner[n] = cur }
            /^\[linux\] start linux\// { cur = $3 }
            END { for (i = 1; i <= n; i++) if (owner[i] == "linux/" prog) print out[i] }'
}

@test "the linux scenario finishes with status 0 (1 pt)" {
    facet_expect_ok lx
    # ... having run Linux programs: hello ends with the status Linux gives it
    local want=0
    seed_words
    host_run hello "one-$W1" "two words $W2" >/dev/null 2>&1 || want=$?
    facet_grep lx "^\\[linux\\] linux/hello: process [0-9]+ exited status=$want "
}

@test "hello: stdout is exactly what the same binary prints on Linux (3 pts)" {
    local want got
    seed_words
    want=$(host_run hello "one-$W1" "two words $W2" 2>/dev/null || true)   # it exits with 7
    got=$(guest_stream lx hello stdout)
    diff <(echo "$want") <(echo "$got")
}

@test "hello: stderr is a stream of its own, as on Linux (1 pt)" {
    local want got
    seed_words
    want=$(host_run hello "one-$W1" "two words $W2" 2>&1 >/dev/null || true)
    got=$(guest_stream lx hello stderr)
    diff <(echo "$want") <(echo "$got")
}

@test "hello: the exit status is the one Linux reports (1 pt)" {
    local want=0
    seed_words
    host_run hello "one-$W1" "two words $W2" >/dev/null 2>&1 || want=$?
    facet_grep lx "^\\[linux\\] linux/hello: process [0-9]+ exited status=$want "
}

@test "bad pointers (-EFAULT), unknown syscalls (-ENOSYS), bad descriptors (-EBADF): Linux's errnos (2 pts)" {
    local want got
    want=$(host_run errors 2>/dev/null || true)
    got=$(guest_stream lx errors stdout)
    diff <(echo "$want") <(echo "$got")
    facet_grep lx '^\[linux\] process [0-9]+ \(errors\): syscall 9999 \(no such syscall\) is not supported: -ENOSYS'
}

# Program $1 (with the arguments after it) printed on stdout what it prints on the host, and
# exited with 0.
same_as_linux() {
    diff <(host_run "$@" 2>/dev/null) <(guest_stream lx "$1" stdout) &&
        facet_grep lx "^\\[linux\\] linux/$1: process [0-9]+ exited status=0 "
}

@test "matmul: malloc'ed matrices (brk, mmap) multiplied in doubles give Linux's checksums (3 pts)" {
    seed_words
    same_as_linux matmul "$W2"
}

@test "memory on first touch: 64 MiB malloc, 1 GiB and 64 GiB reservations, a 4 MiB stack, mremap, as on Linux (3 pts)" {
    local line
    same_as_linux bigmem
    line=$(facet_grep lx '^\[linux\] after bigmem: roottask pages free ') || return 1
    [[ $line =~ before=([0-9]+)\ after=([0-9]+)$ && ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]] ||
        { echo "every page must come back: $line" >&2; return 1; }
}

@test "pipes, dup, dup2, dup3, F_DUPFD, close-on-exec, non-blocking ends, EOF and EPIPE, 1 MiB between two processes: as on Linux (3 pts)" {
    same_as_linux pipes
}

@test "processes: fork copies the memory, wait4 reports exits and signals, a pipe between parent and child, ECHILD: as on Linux (4 pts)" {
    same_as_linux forks
}

@test "signals: handlers on a Linux rt_sigframe, masks, SA_SIGINFO, SA_RESETHAND, SIGPIPE, SIGCHLD, deaths by a signal: as on Linux (4 pts)" {
    same_as_linux signals
}

@test "faults to handlers: SIGSEGV fixed by mprotect or left by siglongjmp, SIGILL, SIGFPE, si_code and si_addr: as on Linux (3 pts)" {
    same_as_linux sigfault
}

# The same for a program that needs a terminal: on the host it runs as the session leader of a
# terminal of its own (script(1) makes one), as Facet runs it (its first process leads a session
# whose terminal is the console). The terminal turns \n into \r\n; stderr joins stdout there.
# script(1) runs its command with $SHELL -c: bash execs a lone command, so the program itself is
# the session leader; dash (/bin/sh, what script takes when SHELL is unset, as under CI) forks
# and the program would be a child in the shell's session. So the shell is named here.
same_as_linux_on_a_terminal() {
    local cmd want
    cmd=$(printf '%q ' env -i LINUX_UNDER_FACET=1 PATH=/bin HOME=/ \
          perl -e 'my $f = shift; exec { $f } @ARGV or exit 127' "$LINUX_BIN/$1" "$1")
    want=$(SHELL=/bin/bash script -qec "$cmd" /dev/null </dev/null | tr -d '\r')
    diff <(echo "$want") <(guest_stream lx "$1" stdout) &&
        facet_grep lx "^\\[linux\\] linux/$1: process [0-9]+ exited status=0 "
}

@test "jobs: process groups, sessions, the terminal's foreground group, alarm and setitimer, sigsuspend, EINTR and SA_RESTART: as on Linux (4 pts)" {
    same_as_linux_on_a_terminal jobs
}

@test "files: symbolic and hard links, modes and owners, truncate, file times, statx: as on Linux (4 pts)" {
    same_as_linux files
}

@test "events: eventfd, timerfd and epoll (level and edge, one-shot, nested, timeouts, signals): as on Linux (3 pts)" {
    same_as_linux events
}

@test "time and CPUs: clock_nanosleep, affinity, getcpu, getrusage, sysinfo, membarrier, madvise: as on Linux (2 pts)" {
    same_as_linux schedinfo
}

@test "a process that sleeps blocks only itself: another program on its CPU runs meanwhile (2 pts)" {
    # The log's order: the sleeper says it sleeps, busybox echo runs to its end, the sleeper
    # wakes (3 s later). One handler per CPU for every process would run busybox after (or hang).
    local log order
    log=$(facet_log lx)
    order=$(tr -d '\r' <"$log" | awk '
        /^\[linux\] start linux\/sleeper, in the background$/ { bg = 1 }
        bg && /^\[stdout\] sleeper: sleeping$/ { print "sleeping" }
        bg && /^\[stdout\] meanwhile$/ { print "meanwhile" }
        bg && /^\[linux\] linux\/busybox: process [0-9]+ exited status=0 / { print "done" }
        bg && /^\[stdout\] sleeper: awake$/ { print "awake"; bg = 0 }' | tr '\n' ' ')
    [[ $order == "sleeping meanwhile done awake " ]] ||
        { echo "expected: sleeping meanwhile done awake; the log has: $order" >&2; return 1; }
    facet_grep lx '^\[linux\] linux/sleeper: process [0-9]+ exited status=0 '
}

# The n-th run of busybox (1-based) in the scenario: its stdout.
busybox_run() {
    tr -d '\r' < "$(facet_log lx)" | awk -v want="$1" '
        /^\[linux\] start linux\/busybox$/ { n++; on = (n == want); next }
        /^\[linux\] linux\// { on = 0 }
        on && /^\[stdout\] / { print substr($0, 10) }'
}

# busybox on the host, in the tree the userland archive is made of.
host_busybox() {
    (cd "$USERLAND_DIR" && host_run busybox "$@" 2>/dev/null)
}

@test "Debian's busybox-static (glibc) runs unmodified: busybox echo (2 pts)" {
    seed_words
    diff <(host_busybox echo "hello from $W1" "busybox on Facet $W2") <(busybox_run 1)
}

@test "busybox cat of a file from the archive (open, sendfile, the file system) (2 pts)" {
    diff <(host_busybox cat README) <(busybox_run 2)
}

@test "busybox wc of a file (read, newfstatat) (2 pts)" {
    diff <(host_busybox wc README) <(busybox_run 3)
}

@test "busybox ls -1 of three directories (getdents64, stat) (2 pts)" {
    diff <(host_busybox ls -1 . bin linux) <(busybox_run 4)
    # ... and every busybox run of the scenario (these four and later ones) exited with 0
    local log runs
    log=$(tr -d '\r' < "$(facet_log lx)")
    runs=$(grep -c '^\[linux\] start linux/busybox$' <<<"$log")
    [ "$runs" -ge 4 ]
    [ "$(grep -c '^\[linux\] linux/busybox: process [0-9]* exited status=0 ' <<<"$log")" -eq "$runs" ]
}

@test "a program that faults is killed like SIGSEGV (with the address) and the system goes on (2 pts)" {
    local want
    want=$(host_run segv 2>/dev/null || true)
    diff <(echo "$want") <(guest_stream lx segv stdout)
    facet_grep lx '^\[linux\] process [0-9]+ \(segv\): Segmentation fault at address 0x10$'
    facet_grep lx '^\[linux\] linux/segv: process [0-9]+ faulted status=14 '
    # ... and the programs after it still run
    seed_words
    facet_grep lx "^\\[stdout\\] hello from $W1 busybox on Facet $W2\$"
}

@test "a hybrid program: a Facet portal call through the NSCT in the middle of Linux syscalls (2 pts)" {
    local want i w
    want="echo portal via the NSCT: status 0, words"
    for i in 0 1 2 3; do
        w=$(( i * 100 + 1 ))
        want="$want $(printf '%#x' $(( (w ^ 0x5a5a5a5a5a5a5a5a) + i )))"
    done
    diff <(printf '%s\nNSCT after the call: 0; this line is a Linux writev again\n' "$want") <(guest_stream lx hybrid stdout)
    # on Linux (no LINUX_UNDER_FACET) the same binary leaves Facet's ABI alone
    [ "$(env -i "$LINUX_BIN/hybrid")" = "not under Facet: no portals to call" ]
}

@test "file operations: create, write, seek, read back, stat, list, unlink, errors as on Linux (3 pts)" {
    local dir want
    dir=$(mktemp -d)
    want=$(cd "$dir" && host_run fileops 2>/dev/null)
    rm -rf "$dir"
    diff <(echo "$want") <(guest_stream lx fileops stdout)
}

@test "poll, signal state, file mappings, mprotect, madvise, pread, readv, access, chdir, bad flags: as on Linux (3 pts)" {
    local dir want
    dir=$(mktemp -d)
    want=$(cd "$dir" && host_run syscalls 2>&1)
    rm -rf "$dir"
    diff <(echo "$want") <(guest_stream lx syscalls stdout)
}

@test "the initial stack: argv, envp and auxv as Linux lays them out (2 pts)" {
    local host guest k
    seed_words
    host=$(host_run auxv "first-$W1" "second argument $W2")
    guest=$(guest_stream lx auxv stdout)
    # argc, argv, envp: exactly as on Linux
    diff <(grep -E '^(argc|argv|envp)' <<<"$host") <(grep -E '^(argc|argv|envp)' <<<"$guest")
    # the entries that describe the executable: Linux's values, which are the file's own
    for k in PHDR PHENT PHNUM PAGESZ BASE FLAGS ENTRY CLKTCK; do
        [ -n "$(grep "^AT_$k " <<<"$host")" ]
        [ "$(grep "^AT_$k " <<<"$guest")" = "$(grep "^AT_$k " <<<"$host")" ]
    done
    [ "$(grep '^AT_ENTRY ' <<<"$guest")" = "AT_ENTRY $(readelf -h "$LINUX_BIN/auxv" | awk '/Entry point/ { print $4 }')" ]
    [ "$(grep '^AT_PHNUM ' <<<"$guest")" = "$(printf 'AT_PHNUM %#x' "$(readelf -h "$LINUX_BIN/auxv" | awk '/Number of program headers/ { print $5 }')")" ]
    # the process's own: root, not setuid, its path in the archive, random bytes, the platform
    for k in UID EUID GID EGID SECURE; do grep -qx "AT_$k 0" <<<"$guest"; done
    grep -qx 'AT_EXECFN linux/auxv' <<<"$guest"
    grep -qx 'AT_PLATFORM x86_64' <<<"$guest"
    grep -qx 'AT_RANDOM 16 bytes, not all zero: 1' <<<"$guest"
    grep -qE '^AT_HWCAP 0x[0-9a-f]+$' <<<"$guest"
}

@test "a static-pie executable (glibc) relocates itself where it is loaded and runs (2 pts)" {
    readelf -h "$LINUX_BIN/pie" | grep -q 'DYN'
    ! readelf -l "$LINUX_BIN/pie" | grep -q INTERP
    local want status=0
    seed_words
    want=$(host_run pie "loaded-$W1" "anywhere $W2") || status=$?
    [ "$status" -eq 3 ]
    diff <(echo "$want") <(guest_stream lx pie stdout)
    facet_grep lx '^\[linux\] linux/pie: process [0-9]+ exited status=3 '
}

# ---- the file service: a native program (labs/5-linux-emulation/tests/native/fsuser.c) on the same file system ----

# What fsuser printed: its console lines, without the "[console] client N: fsuser: " prefix.
fsuser_lines() {
    tr -d '\r' < "$(facet_log lx)" | sed -nE 's/^\[console\] client [0-9]+: fsuser: //p'
}

# Every line on stdin must be one of fsuser's lines; shows the missing ones and what it printed.
fsuser_expect() {
    local got missing
    got=$(fsuser_lines)
    missing=$(grep -vxF -f <(printf '%s\n' "$got") || true)
    [[ -z $missing && -n $got ]] && return 0
    printf 'fsuser did not print:\n%s\n--- it printed:\n%s\n' "$missing" "${got:-(nothing)}" >&2
    return 1
}

# -errno as Linux numbers it, from the kernel headers (linux-libc-dev).
neg_errno() {
    local n
    n=$(awk -v e="$1" '$1 == "#define" && $2 == e { print $3 }' \
        /usr/include/asm-generic/errno-base.h /usr/include/asm-generic/errno.h 2>/dev/null)
    [[ -n $n ]] || { echo "no $1 in /usr/include/asm-generic (linux-libc-dev)" >&2; return 1; }
    echo "-$n"
}

@test "file service: a native program reads a file of the archive; bytes read = fstat size = the source's (the kit's own: no points)" {
    local readme=$FACET_ROOT/userland/README size sum
    size=$(stat -c %s "$readme")
    sum=$(od -An -v -tu1 "$readme" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }')
    fsuser_expect <<EOF
open README = 0
fstat README = 0
fstat README size = $size
fstat README type = 1
read README = $size
README byte sum = $sum
read README at its end = 0
close README = 0
EOF
}

@test "file service: mkdir, create, a write split over several calls, lseek, read back, getdents (the kit's own: no points)" {
    # 10000 bytes: more than one UTCB ((508 - 3) * 8 bytes per WRITE), so several calls each way
    local big=10000 tail=0123456789ABCDEF
    fsuser_expect <<EOF
mkdir fsdir = 0
create fsdir/data = 0
write fsdir/data = $big
fstat fsdir/data size = $big
lseek fsdir/data cur = $big
lseek fsdir/data set 0 = 0
read back fsdir/data = $big
read back wrong bytes = 0
lseek fsdir/data end -10 = $((big - 10))
write the tail = ${#tail}
fstat size after the tail = $((big - 10 + ${#tail}))
lseek fsdir/data set = $((big - 10))
read the tail = ${#tail}
the tail reads $tail
close fsdir/data = 0
create fsdir/empty = 0
close fsdir/empty = 0
open fsdir = 0
entries in fsdir = 4
close fsdir = 0
EOF
    # ".", "..", and the two files, in any order
    diff <(printf '%s\n' '. dir' '.. dir' 'data file' 'empty file') \
         <(fsuser_lines | sed -n 's/^entry //p' | LC_ALL=C sort)
}

@test "file service: errors are Linux's errnos; malformed requests are refused (the kit's own: no points)" {
    local e
    for e in EBADF EEXIST ENOENT ENOTEMPTY EISDIR ENOTDIR EINVAL ENAMETOOLONG ENOSYS; do
        local "$e=$(neg_errno $e)"
    done
    fsuser_expect <<EOF
write README opened read-only = $EBADF
close README again = $EBADF
mkdir fsdir again = $EEXIST
create fsdir/empty exclusively again = $EEXIST
read a write-only descriptor = $EBADF
lseek before the start = $EINVAL
lseek whence 3 = $EINVAL
read a directory = $EISDIR
open a missing file = $ENOENT
create in a missing directory = $ENOENT
read descriptor 99 = $EBADF
read descriptor -1 = $EBADF
rmdir a directory with files = $ENOTEMPTY
unlink a directory = $EISDIR
rmdir a file = $ENOTDIR
open a directory for writing = $EISDIR
open a file as a directory = $ENOTDIR
open with an unknown flag = $EINVAL
open a 299-byte path = $ENAMETOOLONG
mkdir a 70-byte name = $ENAMETOOLONG
a path without its NUL = $EINVAL
operation 99 = $ENOSYS
a read of one word = $EINVAL
a write longer than its message = $EINVAL
EOF
}

@test "file service: unlink and rmdir; an open file stays readable until closed; fsuser exits 0 (the kit's own: no points)" {
    local enoent
    enoent=$(neg_errno ENOENT)
    fsuser_expect <<EOF
unlink fsdir/data = 0
read fsdir/data after the unlink = 5
close it = 0
open fsdir/data after the unlink = $enoent
unlink fsdir/empty = 0
rmdir fsdir = 0
open fsdir after the rmdir = $enoent
EOF
    facet_grep lx '^\[console\] client [0-9]+: fsuser: [0-9]+ checks, 0 wrong$'
    facet_grep lx '^\[native\] bin/fsuser: process [0-9]+ exited status=0 '
}

@test "one file system: busybox cat prints the file the native program wrote over the file service (2 pts)" {
    local line="written by fsuser, a native Facet program, through the file service"
    [ ! -e "$LINUX_BIN/../native.txt" ]              # not in the archive: fsuser made it
    fsuser_expect <<EOF
write native.txt = $((${#line} + 1))
close native.txt = 0
EOF
    diff <(echo "$line") <(busybox_run 5)
}

@test "the syscall fuzzer: 1 000 000 random calls in 100 forked processes (pipes, dup2, signals among them), every one counted, the roottask survives and loses no page (3 pts)" {
    local out total
    out=$(guest_stream lx fuzz stdout)
    grep -qx 'fuzz: seed 0x5eed5eed2022, 1000000 calls in 100 of 100 processes' <<<"$out"
    grep -qx 'fuzz: done, fuzz.d removed' <<<"$out"
    facet_grep lx '^\[linux\] linux/fuzz: process [0-9]+ exited status=0 '
    # the calls without an error and those with each errno add up to all of them
    total=$(sed -nE 's/^fuzz: (no error|errno [0-9]+ \(.*\)): ([0-9]+)$/\2/p' <<<"$out" | awk '{ s += $1 } END { print s + 0 }')
    [ "$total" -eq 1000000 ]
    grep -qE '^fuzz: errno 14 \(Bad address\): [1-9][0-9]*$' <<<"$out"
    grep -qE '^fuzz: errno 38 \(Function not implemented\): [1-9][0-9]*$' <<<"$out"
    # nothing leaked: the roottask's free pages are what they were before the fuzzer started
    local line before after
    line=$(facet_grep lx '^\[linux\] after the fuzzer: roottask pages free before=[0-9]+ after=[0-9]+$')
    before=$(sed -E 's/.*before=([0-9]+).*/\1/' <<<"$line")
    after=$(sed -E 's/.*after=([0-9]+)$/\1/' <<<"$line")
    [ "$before" -eq "$after" ]
    # and the system goes on: the next program runs
    [ "$(tr -d '\r' < "$(facet_log lx)" | sed -n '/^\[linux\] after the fuzzer/,$p' | grep -c '^\[stdout\] still here$')" -eq 1 ]
}

@test "threads under stress: 20 processes of 64 threads x 10 000 locked increments, every total right; nothing leaks (3 pts)" {
    # the first 20 runs (they make the thread handlers) and the 20 counted, as on the host
    diff <(host_run threadstress 20; host_run threadstress 20) <(guest_stream lx threadstress stdout)
    [ "$(tr -d '\r' < "$(facet_log lx)" | grep -cE '^\[linux\] linux/threadstress: process [0-9]+ exited status=0 ')" -eq 2 ]
    local line
    line=$(facet_grep lx '^\[linux\] after threadstress: ') || return 1
    local pb pa fb fa ob oa
    read -r pb pa fb fa ob oa < <(sed -nE 's/.*before=([0-9]+) after=([0-9]+); kernel frames free ([0-9]+) then ([0-9]+), objects ([0-9]+) then ([0-9]+)$/\1 \2 \3 \4 \5 \6/p' <<<"$line")
    [[ -n $pb && $pb == "$pa" && $fb == "$fa" && $ob == "$oa" ]] || { echo "expected equal counts: $line" >&2; return 1; }
}

@test "host unit test of the initial stack (build_stack), under ASan/UBSan (2 pts)" {
    facet_unit test_linux_stack
}

# The shell scripts at the end of the scenario: busybox runs 8 to 11.
sh_same_as_linux() {
    diff <(host_busybox sh -c "$2") <(busybox_run "$1")
}

@test "a shell: busybox sh runs pipelines (fork, pipe, dup2, execve of /proc/self/exe, wait4) as on Linux (3 pts)" {
    sh_same_as_linux 8 'echo a | cat'
    sh_same_as_linux 9 'for i in 1 2 3; do echo line $i; done | wc -l'
    sh_same_as_linux 11 'cat README | head -n 2 | tr a-z A-Z'
}

@test "a shell: command substitution, a subshell and its exit status as on Linux (2 pts)" {
    sh_same_as_linux 10 'x=$(echo substituted); echo "got $x"; (echo in a subshell; exit 3); echo status $?'
}

@test "the wall clock: busybox date says the host's year and month (the CMOS RTC) (1 pt)" {
    diff <(date -u +%Y-%m) <(busybox_run 12)
}

@test "the archive's links: a symbolic link runs busybox, a hard link is one file with it: as on Linux (1 pt)" {
    sh_same_as_linux 13 "readlink linux/sh; linux/sh -c 'echo run through the link'; ls -l linux/sh | cut -c1-10; stat -c '%h %a %s' linux/busybox-hard; [ linux/busybox -ef linux/busybox-hard ] && echo one file"
}
