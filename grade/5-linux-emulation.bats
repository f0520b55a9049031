#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/5-linux-emulation.bats — stage 5: unmodified static Linux programs under the Linux
# personality. The expected output is the same binary's output on the host Linux, run with the
# same arguments and environment: nothing here is written down by hand.

load lib/facet

setup_file() {
    facet_boot lx "$(facet_iso linux)" --smp 2 --mem 256
    export LINUX_BIN="$FACET_ROOT/${FACET_BUILD:-build}/userland/linux"
}

teardown_file() { facet_teardown; }

# Run a test program on the host as the linux scenario runs it under Facet.
host_run() {
    local prog=$1; shift
    env -i LINUX_UNDER_FACET=1 PATH=/bin HOME=/ bash -c 'exec -a "$0" "$1" "${@:2}"' "$prog" "$LINUX_BIN/$prog" "$@"
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
}

@test "hello: stdout is exactly what the same binary prints on Linux (3 pts)" {
    local want got
    want=$(host_run hello one "two words" 2>/dev/null || true)   # it exits with 7
    got=$(guest_stream lx hello stdout)
    diff <(echo "$want") <(echo "$got")
}

@test "hello: stderr is a stream of its own, as on Linux (1 pt)" {
    local want got
    want=$(host_run hello one "two words" 2>&1 >/dev/null || true)
    got=$(guest_stream lx hello stderr)
    diff <(echo "$want") <(echo "$got")
}

@test "hello: the exit status is the one Linux reports (1 pt)" {
    local want=0
    host_run hello one "two words" >/dev/null 2>&1 || want=$?
    facet_grep lx "^\\[linux\\] linux/hello: process [0-9]+ exited status=$want "
}

@test "bad pointers (-EFAULT), unknown syscalls (-ENOSYS), bad descriptors (-EBADF): Linux's errnos (2 pts)" {
    local want got
    want=$(host_run errors 2>/dev/null || true)
    got=$(guest_stream lx errors stdout)
    diff <(echo "$want") <(echo "$got")
    facet_grep lx '^\[linux\] process [0-9]+ \(errors\): syscall 9999 is not supported: -ENOSYS$'
}

@test "matmul: malloc'ed matrices (brk, mmap) multiplied in doubles give Linux's checksums (3 pts)" {
    local want got
    want=$(host_run matmul 2>/dev/null)
    got=$(guest_stream lx matmul stdout)
    diff <(echo "$want") <(echo "$got")
    facet_grep lx '^\[linux\] linux/matmul: process [0-9]+ exited status=0 '
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
    (cd "$FACET_ROOT/${FACET_BUILD:-build}/userland" && host_run busybox "$@" 2>/dev/null)
}

@test "Debian's busybox-static (glibc) runs unmodified: busybox echo (2 pts)" {
    diff <(host_busybox echo "hello from" "busybox on Facet") <(busybox_run 1)
}

@test "busybox cat of a file from the archive (open, sendfile, the file system) (2 pts)" {
    diff <(host_busybox cat README) <(busybox_run 2)
}

@test "busybox wc of a file (read, newfstatat) (2 pts)" {
    diff <(host_busybox wc README) <(busybox_run 3)
}

@test "busybox ls -1 of three directories (getdents64, stat) (2 pts)" {
    diff <(host_busybox ls -1 . bin linux) <(busybox_run 4)
    [ "$(tr -d '\r' < "$(facet_log lx)" | grep -c '^\[linux\] linux/busybox: process [0-9]* exited status=0 ')" -eq 4 ]
}

@test "a program that faults is killed like SIGSEGV (with the address) and the system goes on (2 pts)" {
    local want
    want=$(host_run segv 2>/dev/null || true)
    diff <(echo "$want") <(guest_stream lx segv stdout)
    facet_grep lx '^\[linux\] process [0-9]+ \(segv\): Segmentation fault at address 0x10$'
    facet_grep lx '^\[linux\] linux/segv: process [0-9]+ faulted status=14 '
    # ... and the programs after it still run
    facet_grep lx '^\[stdout\] hello from busybox on Facet$'
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
