#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/facet-run.bats — tools/facet-run runs a static Linux binary on Facet like on Linux:
# same stdout, same stderr, same exit status (the expectations come from running it on the host).

bats_require_minimum_version 1.5.0

setup_file() {
    export ROOT="$BATS_TEST_DIRNAME/.."
    make -s -C "$ROOT" build/userland.tar >/dev/null
    export HELLO="$ROOT/build/userland/linux/hello"
}

@test "stdout, stderr and the exit status are the program's, as on Linux" {
    run --separate-stderr "$ROOT/tools/facet-run" "$HELLO" one "two words"
    local out=$output err=$stderr code=$status
    run --separate-stderr env -i LINUX_UNDER_FACET=1 PATH=/bin HOME=/ TERM=dumb bash -c 'exec -a hello "$0" one "two words"' "$HELLO"
    [ "$out" = "$output" ]
    [ "$err" = "$stderr" ]
    [ "$code" -eq "$status" ] && [ "$code" -eq 7 ]
}

@test "--file puts a host file into the guest's file system" {
    printf 'alpha\nbeta\ngamma\n' > "$BATS_TEST_TMPDIR/three"
    run --separate-stderr "$ROOT/tools/facet-run" --file "$BATS_TEST_TMPDIR/three:/data/three" /bin/busybox wc -l data/three
    [ "$status" -eq 0 ]
    [ "$output" = "3 data/three" ]
}

@test "a missing binary is refused with a message, no boot" {
    run "$ROOT/tools/facet-run" /no/such/binary
    [ "$status" -eq 2 ]
    [[ $output == *"no such file"* ]]
}

@test "a dynamic executable is refused with the reason (exit 126)" {
    run "$ROOT/tools/facet-run" /bin/true
    [ "$status" -eq 126 ]
    [[ $output == *"dynamic executable (PT_INTERP)"* ]]
}

@test "a program that faults: Segmentation fault on stderr, exit status 139 like a shell reports" {
    run "$ROOT/tools/facet-run" "$ROOT/build/userland/linux/segv"
    [ "$status" -eq 139 ]
    [[ $output == *"about to touch 0x10"* ]]
    [[ $output == *"Segmentation fault (address 0x10)"* ]]
}

# Damaged copies of hello: each is refused with the loader's reason, exit 126, no program output.
refused() {
    run --separate-stderr "$ROOT/tools/facet-run" "$1"
    [ "$status" -eq 126 ]
    [[ $stderr == *"$2"* ]]
    [ -z "$output" ]                  # nothing ran: hello would have printed on stdout
}

@test "a 32-bit executable is refused with the reason (exit 126)" {
    cp "$HELLO" "$BATS_TEST_TMPDIR/c32"
    printf '\001' | dd of="$BATS_TEST_TMPDIR/c32" bs=1 seek=4 conv=notrunc status=none   # EI_CLASS = ELFCLASS32
    refused "$BATS_TEST_TMPDIR/c32" "a 32-bit executable (ELFCLASS32)"
}

@test "a truncated executable is refused with the reason (exit 126)" {
    head -c 3000 "$HELLO" > "$BATS_TEST_TMPDIR/truncated"
    refused "$BATS_TEST_TMPDIR/truncated" "truncated: PT_LOAD data beyond end of file"
}

@test "an executable with overlapping segments is refused with the reason (exit 126)" {
    # the second PT_LOAD gets the first one's file offset and address
    perl -e 'open F, "<:raw", $ARGV[0] or die; local $/; my $d = <F>;
        my $phoff = unpack("Q<", substr($d, 32, 8)); my $n = unpack("v", substr($d, 56, 2));
        my @load = grep { unpack("V", substr($d, $phoff + 56 * $_, 4)) == 1 } 0 .. $n - 1;
        substr($d, $phoff + 56 * $load[1] + 8, 16) = substr($d, $phoff + 56 * $load[0] + 8, 16);
        binmode STDOUT; print $d' "$HELLO" > "$BATS_TEST_TMPDIR/overlap"
    [ "$(readelf -lW "$BATS_TEST_TMPDIR/overlap" | awk '$1 == "LOAD" { print $3 }' | sort | uniq -d)" = 0x0000000000400000 ]
    refused "$BATS_TEST_TMPDIR/overlap" "PT_LOAD segments overlap"
}

@test "stdin: piped input is the program's fd 0, to its end (echo hi | facet-run busybox cat)" {
    run --separate-stderr bash -c 'printf "hi\nthere\n" | "$0/tools/facet-run" /bin/busybox cat' "$ROOT"
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'hi\nthere')" ]
    run --separate-stderr bash -c 'printf "b\na\nc\n" | "$0/tools/facet-run" /bin/busybox sort | od -c' "$ROOT"
    [ "$output" = "$(printf 'b\na\nc\n' | sort | od -c)" ]
}

@test "stdout byte for byte: all 256 byte values, no newline added, a 100 000-byte line (as on Linux)" {
    local d=$BATS_TEST_TMPDIR
    python3 -c "import sys; sys.stdout.buffer.write(bytes(range(256)))" > "$d/bytes"
    printf 'x' > "$d/nonl"
    head -c 100000 /dev/zero | tr '\0' 'a' > "$d/long"
    for f in bytes nonl long; do
        "$ROOT/tools/facet-run" --file "$d/$f:/$f" /bin/busybox cat "$f" > "$d/$f.out"
        cmp "$d/$f" "$d/$f.out"
    done
}

@test "an argument may hold newlines: busybox sh -c with a here-document" {
    run --separate-stderr "$ROOT/tools/facet-run" /bin/busybox sh -c 'cat <<EOF
here doc
EOF'
    [ "$status" -eq 0 ]
    [ "$output" = "here doc" ]
}
