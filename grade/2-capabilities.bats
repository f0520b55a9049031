#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/2-capabilities.bats — stage 2: capability spaces, delegation, revocation, and native
# programs in their own PDs. One boot on 2 CPUs; values are recomputed here. Each test also
# needs the witness's signed "ok" on the mechanism it grades (grade/1-portals.bats says how).

load lib/facet

setup_file() {
    facet_boot caps "$(facet_iso capabilities)" --smp 2 --mem 256 --deadline 120
    # The stress group in a boot of its own: a slow or hung run costs only its tests.
    facet_boot many "$(facet_iso capabilities-many)" --smp 2 --mem 256 --deadline 180
    local g
    for g in cap mem io; do
        facet_witness_boot "w-$g" "capabilities+$g" --smp 2 --mem 128
    done
}

teardown_file() { facet_teardown; }

@test "the capabilities scenario finishes with status 0 (1 pt)" {
    for b in w-cap w-mem w-io; do facet_witness "$b" end; done
    facet_expect_ok caps
}

@test "a program from the userland tar runs in its own PD and exits with its status (2 pts)" {
    facet_witness w-cap cap-delegate
    facet_witness w-mem mem-delegate
    # hello computes 1+..+100 and exits with arg*3 % 128 (arg 5)
    facet_grep caps '^\[console\] client 1: hello from process 1: sum 1\.\.100 = 5050, arg 5$'
    [ "$(facet_value caps '^\[caps\] hello: process 1 exited status=([0-9]+)$')" -eq $((5 * 3 % 128)) ]
}

@test "cross-PD echo call: eight words transformed by the roottask's service (2 pts)" {
    facet_witness w-cap cap-delegate
    facet_grep caps '^\[console\] client 2: echo across PDs: 8 words, status 0, 0 wrong$'
    facet_grep caps '^\[caps\] echo_client: process 2 exited status=0$'
}

@test "a typed item delivers a semaphore into the program's receive window (2 pts)" {
    facet_witness w-cap cap-delegate
    # window base 64 + hotspot 3 = 67; up works there, the neighbour slot is empty (BAD_CAP)
    facet_grep caps '^\[console\] client 2: typed item: status 0, items 1, landed at selector 67, up 0, neighbour 4$'
    # the roottask sees the program's up on its own semaphore
    facet_grep caps '^\[caps\] gift semaphore count after the client.s up: down status 0$'
}

@test "delegated memory: the roottask reads what the program wrote (2 pts)" {
    facet_witness w-mem mem-delegate
    facet_grep caps '^\[proc\] notify from process 3: 512 of 512 words right; page revoked, status 0$'
}

@test "revoked memory: the program's next access faults, contained and reported (2 pts)" {
    facet_witness w-mem mem-revoke
    facet_grep caps '^\[proc\] process 3 \(memuser\) fault: vector 14 at rip 0x[0-9a-f]+, address 0x10000000, error 0x4: ended$'
    ! facet_grep caps 'ERROR: the revoked page still reads' 2>/dev/null
}

@test "read-only delegation: reading works, writing faults (error: write, user, present) (2 pts)" {
    facet_witness w-mem mem-readonly
    facet_grep caps '^\[console\] client 4: read-only page holds 0xfeed; now writing$'
    facet_grep caps '^\[proc\] process 4 \(memuser\) fault: vector 14 at rip 0x[0-9a-f]+, address 0x10000008, error 0x7: ended$'
}

@test "a capability without the call right cannot be called (permissions are checked) (2 pts)" {
    facet_witness w-cap cap-rights
    facet_grep caps '^\[caps\] delegate_portal_without_call status=0 '
    facet_grep caps '^\[console\] client 6: call a portal without the call right: status 4$'
    # its event portals are held for events only: a fault report cannot be faked
    facet_grep caps '^\[console\] client 6: call its own page-fault portal: status 4$'
}

@test "2 MiB delegated as one large page: revoking one 4 KiB page of it takes all of it (2 pts)" {
    facet_witness w-mem mem-revoke
    facet_grep caps '^\[caps\] delegate_2mib_large_page status=0 '
    facet_grep caps '^\[proc\] large notify from process 5: first word right, last word right; revoked page 256 of it, status 0$'
    # page 0 is gone although only page 256 was revoked: it was one 2 MiB mapping
    facet_grep caps '^\[proc\] process 5 \(bigmem\) fault: vector 14 at rip 0x[0-9a-f]+, address 0x10000000, error 0x4: ended$'
    ! facet_grep caps 'ERROR: the first page survived' 2>/dev/null
}

@test "a program cannot use capabilities it was never given (2 pts)" {
    facet_witness w-cap cap-rights
    facet_grep caps '^\[console\] client 6: call an unknown portal: status 4$'
    facet_grep caps '^\[console\] client 6: create a semaphore: status 4$'
    facet_grep caps '^\[console\] client 6: delegate memory: status 4$'
    facet_grep caps '^\[console\] client 6: poweroff: status 4$'
}

@test "an I/O port it was never given: #GP, contained (1 pt)" {
    facet_witness w-io io-ports
    facet_grep caps '^\[proc\] process 6 \(violator\) fault: vector 13 at rip 0x[0-9a-f]+, address 0, error 0: ended$'
    ! facet_grep caps 'ERROR: the port write went through' 2>/dev/null
}

@test "a program missing from the archive is reported (1 pt)" {
    facet_witness w-mem mem-delegate
    facet_grep caps '^\[proc\] cannot start no-such-program: no such program in the userland archive$'
}

@test "recursive revoke through three PDs, for memory and objects (3 pts)" {
    facet_witness w-cap cap-revoke
    facet_witness w-mem mem-revoke
    # 0 = still held (a probe delegation succeeds), 4 = BAD_CAP (gone)
    facet_grep caps '^\[caps\] chain root -> A -> B -> C built, status 0$'
    facet_grep caps '^\[caps\] after delegation: memory A=0 B=0 C=0 objects A=0 B=0 C=0$'
    facet_grep caps '^\[caps\] after revoking in B: memory A=0 B=0 C=4 objects A=0 B=0 C=4$'
    facet_grep caps '^\[caps\] after revoking at the root: memory A=4 B=4 C=4 objects A=4 B=4 C=4$'
    facet_grep caps '^\[caps\] root keeps its own: sm up status 0$'
}

@test "revoking ranges that hold nothing succeeds (1 pt)" {
    facet_witness w-cap cap-revoke
    facet_grep caps '^\[caps\] revoke_empty_objects status=0 '
    facet_grep caps '^\[caps\] revoke_empty_memory status=0 '
}

BAD_TABLE="
crd_null_kind 5
crd_kinds_differ 5
crd_orders_differ 5
crd_misaligned 5
crd_order_beyond_space 5
crd_kernel_address 5
crd_ports_beyond 5
source_holds_nothing 4
mem_without_read 5
no_cap_to_destination 4
destination_not_a_pd 4
ok_first 0
overlapping_destination 5
object_slot_taken 0
object_slot_taken_again 4
large_page 0
small_page_inside_large 5
io_ports 0
io_ports_again 5
io_renumbered 5
delegate_guest_flag GUEST
pd_ctrl_bad_subop 5
revoke_bad_flags 5
revoke_remote_no_pd 4
revoke_null_crd 5
"

@test "bad CRDs and delegations get their status codes (3 pts)" {
    facet_witness w-cap cap-delegate
    # guest memory beyond 512 GiB: BAD_PAR where the machine makes vCPUs (the HIP says so), else BAD_FTR
    local guest=6
    facet_vcpus caps && guest=5
    facet_status_table caps bad "${BAD_TABLE/delegate_guest_flag GUEST/delegate_guest_flag $guest}"
}

@test "two programs run at the same time on 2 CPUs (2 pts)" {
    facet_witness w-mem mem-delegate
    local line a b spins s1 e1 s2 e2
    line=$(facet_grep caps '^\[caps\] concurrent on 2 CPUs: consumed_a=[0-9]+ consumed_b=[0-9]+ wall=[0-9]+$')
    a=$(sed -E 's/.*consumed_a=([0-9]+).*/\1/' <<<"$line")
    b=$(sed -E 's/.*consumed_b=([0-9]+).*/\1/' <<<"$line")
    # Each spin program reports the TSC (one clock for all CPUs) when it started and ended.
    # One after the other, one interval would end before the other starts; sharing one CPU,
    # each interval would hold both programs' CPU time (about a + b). On two CPUs they overlap
    # and each lasts about its own CPU time. Both sides are guest TSC of the same period:
    # host load stretches them alike.
    spins=$(tr -d '\r' < "$(facet_log caps)" | sed -nE 's/^\[console\] client [0-9]+: spin done: start=([0-9]+) end=([0-9]+) .*/\1 \2/p')
    echo "spin intervals: $spins"
    [ "$(wc -l <<<"$spins")" -eq 2 ]
    read -r s1 e1 < <(sed -n 1p <<<"$spins")
    read -r s2 e2 < <(sed -n 2p <<<"$spins")
    [ "$s1" -lt "$e2" ] && [ "$s2" -lt "$e1" ]
    local most=$((a > b ? a : b))
    [ $(((e1 - s1) * 2)) -lt $((most * 3)) ] && [ $(((e2 - s2) * 2)) -lt $((most * 3)) ]
}

@test "a program killed while it computes on the other CPU: that CPU runs on (1 pt)" {
    facet_witness w-mem mem-revoke
    # The dead PD's page tables are freed while that CPU idles; a revoke then makes every
    # CPU reload its page table, and the CPU runs another program.
    facet_grep caps '^\[caps\] killed while running on CPU 1: it had run yes$'
    facet_grep caps '^\[caps\] after_kill_revoke: process [0-9]+ faulted status=14$'
    facet_grep caps '^\[console\] client [0-9]+: hello from process [0-9]+: sum 1\.\.100 = 5050, arg 5$'
    [ "$(facet_value caps '^\[caps\] after_kill_same_cpu: process [0-9]+ exited status=([0-9]+)$')" -eq $((5 * 3 % 128)) ]
}

@test "a handler whose client dies while it runs does nothing more (1 pt)" {
    facet_witness w-cap cap-delegate
    # The client's EC is revoked while its handler spins on CPU 1; the handler's next down
    # must not queue it, or the semaphore's next up would go to an EC that never runs again.
    facet_grep caps '^\[caps\] abandoned handler: it went on past its down: no; the waiter.s down: SUCCESS$'
}

@test "1000 processes created and destroyed with the right exit statuses (2 pts)" {
    facet_witness w-cap cap-revoke
    facet_witness w-mem mem-revoke
    facet_expect_ok many
    facet_grep many '^\[caps\] 1000 processes: not started 0, wrong exit status 0$'
}

@test "... and no kernel memory, kernel object or roottask page is lost (3 pts)" {
    facet_witness w-cap cap-revoke
    facet_witness w-mem mem-revoke
    local line
    line=$(facet_grep many '^\[caps\] kernel frames free before=[0-9]+ after=[0-9]+; kernel objects before=[0-9]+ after=[0-9]+; roottask pages free before=[0-9]+ after=[0-9]+$')
    echo "$line"
    local f0 f1 o0 o1 p0 p1
    read -r f0 f1 o0 o1 p0 p1 < <(sed -E 's/[^0-9]+/ /g' <<<"$line" | sed -E 's/^ //')
    # only meaningful if the processes really ran
    facet_grep many '^\[caps\] 1000 processes: not started 0, wrong exit status 0$'
    [ "$f0" -gt 0 ] && [ "$f0" -eq "$f1" ] && [ "$o0" -eq "$o1" ] && [ "$p0" -eq "$p1" ]
}

@test "host unit tests of the capability space, the mapping database and delegation, under ASan/UBSan (2 pts)" {
    facet_unit test_capspace test_mdb test_crd
}
