#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade/0-boot.bats — stage 0: the kernel boots on 1 and 2 CPUs, the HIP tells the truth,
# threads and semaphores work, bad hypercalls and bad boot modules get clear answers.
# Every value checked here is recomputed from what the emulator was given.

load lib/facet

setup_file() {
    facet_boot cpu1 "$(facet_iso boot)" --smp 1 --mem 128
    facet_boot cpu2 "$(facet_iso boot)" --smp 2 --mem 256
    facet_boot truncated "$(facet_iso broken-truncated-elf)" --smp 1 --mem 128
    facet_boot notelf "$(facet_iso broken-not-elf)" --smp 1 --mem 128
    facet_boot nomods "$(facet_iso broken-no-modules)" --smp 1 --mem 128
    # Bochs emulates VMX with EPT (a Haswell): the ground vCPUs stand on.
    facet_boot vmx "$(facet_iso boot)" --emu bochs --smp 2 --mem 128 --deadline 120
}

teardown_file() { facet_teardown; }

@test "boots to the roottask and powers off with status 0 on 1 CPU (2 pts)" {
    facet_expect_ok cpu1
    facet_grep cpu1 '^\[root\] Facet roottask, command line "roottask scenario=boot seed=[0-9a-f]{16} time_scale=[0-9.]+"$'
}

@test "boots on 2 CPUs: both report online (2 pts)" {
    facet_expect_ok cpu2
    facet_grep cpu2 '^\[smp\] cpu1 online \(apic [0-9]+\)$'
    facet_grep cpu2 '^\[smp\] 2 of 2 CPUs online$'
}

@test "HIP: checksum valid, CPU count matches -smp (2 pts)" {
    facet_grep cpu1 '^\[hip\] checksum valid'
    facet_grep cpu2 '^\[hip\] checksum valid'
    [ "$(facet_value cpu1 '^\[hip\] cpus=([0-9]+)$')" -eq 1 ]
    [ "$(facet_value cpu2 '^\[hip\] cpus=([0-9]+)$')" -eq 2 ]
}

# QEMU keeps a little RAM for the firmware: available must be within 3% below -m.
check_mem() {
    local kib; kib=$(facet_value "$1" '^\[hip\] memory available_kib=([0-9]+) ')
    echo "available ${kib} KiB for -m $2"
    [ "$kib" -le $(($2 * 1024)) ] && [ "$kib" -ge $(($2 * 1024 * 97 / 100)) ]
}

@test "HIP: available memory matches -m (2 pts)" {
    check_mem cpu1 128
    check_mem cpu2 256
}

@test "HIP: two boot modules with their command lines (1 pt)" {
    [ "$(facet_value cpu2 '^\[hip\] modules=([0-9]+)$')" -eq 2 ]
    facet_grep cpu2 '^\[hip\] module 0 size=[1-9][0-9]* cmdline="roottask scenario=boot seed=[0-9a-f]{16} time_scale=[0-9.]+"$'
    facet_grep cpu2 '^\[hip\] module 1 size=[1-9][0-9]* cmdline="userland"$'
}

@test "HIP: features agree with the emulated CPU (1 pt)" {
    # TCG emulates no VMX; under KVM the guest sees VMX exactly when the host has it.
    local vmx=0
    if [ "$("$FACET_ROOT/tools/accel" "${ACCEL:-auto}")" = kvm ] && grep -qw vmx /proc/cpuinfo; then vmx=1; fi
    facet_grep cpu2 "^\[hip\] features vmx=$vmx ept=[01] svm=[01] npt=[01]\$"
    [ $vmx = 1 ] || facet_grep cpu2 '^\[hip\] features vmx=0 ept=0 '
    [ "$(facet_value cpu2 '^\[hip\] tsc_khz=([0-9]+) ')" -gt 0 ]
}

@test "VMX: where the CPU has it (Bochs), every CPU enters VMX root operation; where not (QEMU TCG), the reason (2 pts)" {
    facet_expect_ok vmx
    facet_grep vmx '^\[vmx\] VMX with EPT and unrestricted guest: VMCS revision 0x[0-9a-f]+, 4096 bytes; EPT 4-level WB'
    facet_grep vmx '^\[vmx\] 2 of 2 CPUs in VMX root operation$'
    facet_grep vmx '^\[hip\] features vmx=1 ept=1 '
    if ! grep -qw vmx /proc/cpuinfo; then
        facet_grep cpu2 '^\[vmx\] not used: the CPU has no VMX$'
    fi
}

# The grader replays the ping-pong: the root applies an LCG step, the pong thread xors
# the round number and multiplies; 1000 rounds alternate strictly if the semaphores work.
pingpong_expected() {
    local v=1 i
    for ((i = 0; i < 1000; i++)); do
        v=$(( v * 6364136223846793005 + 1442695040888963407 ))
        v=$(( (v ^ i) * 0x9e3779b97f4a7c15 ))
    done
    printf '%#x\n' "$v"
}

@test "threads and semaphores: 1000-round ping-pong across CPUs gives the replayed value (4 pts)" {
    local want; want=$(pingpong_expected)
    local got1 got2
    got1=$(facet_value cpu1 '^\[sm\] pingpong rounds=1000 cpu=0 value=(0x[0-9a-f]+)$')
    got2=$(facet_value cpu2 '^\[sm\] pingpong rounds=1000 cpu=1 value=(0x[0-9a-f]+)$')
    echo "expected $want, 1 CPU: $got1, 2 CPUs: $got2"
    [ "$got1" = "$want" ] && [ "$got2" = "$want" ]
}

@test "sc_ctrl reports time consumed by the pong thread (1 pt)" {
    [ "$(facet_value cpu2 '^\[sc\] pong thread consumed_ticks=([0-9]+) status=0$')" -gt 0 ]
}

@test "sm_ctrl down: available count, past deadline, and a 10 ms timeout (2 pts)" {
    facet_grep cpu2 '^\[sm\] down_available status=0 '
    facet_grep cpu2 '^\[sm\] down_deadline_passed status=1 '
    local us; us=$(facet_value cpu2 '^\[sm\] timeout status=1 waited_us=([0-9]+) asked_us=10000$')
    echo "waited ${us} us for a 10000 us deadline"
    [ "$us" -ge 10000 ] && [ "$us" -lt 1000000 ]
}

@test "a spin lock held by a thread of lower priority on the root's CPU: the root naps, the holder gives it back (1 pt)" {
    local b
    for b in cpu1 cpu2; do
        facet_grep $b "^\[spin\] a lock held by a thread of lower priority on the root's CPU: held when the root asked yes, taken after the holder gave it back yes\$"
    done
}

@test "round robin: two spinners at one priority both run while the root sleeps (2 pts)" {
    local line a b
    line=$(facet_grep cpu1 '^\[sched\] round robin at prio 10 while root slept 50 ms: a=[0-9]+ b=[0-9]+$')
    a=$(sed -E 's/.* a=([0-9]+) b=.*/\1/' <<<"$line"); b=$(sed -E 's/.* b=([0-9]+)$/\1/' <<<"$line")
    echo "a=$a b=$b"
    [ "$a" -gt 0 ] && [ "$b" -gt 0 ]
}

@test "ec_ctrl recall forces a spinning thread into its recall portal (1 pt)" {
    facet_grep cpu2 '^\[ec\] recall status=0 '
    facet_grep cpu2 '^\[ec\] recall delivered=1 rip_in_text=1$'
}

@test "a user fault with no handler kills only that EC, with vector and RIP (2 pts)" {
    facet_grep cpu2 '^\[ec\] ec#[0-9]+ \(pd#1\) killed: #PF page fault at rip 0x[0-9a-f]+$'
    facet_grep cpu2 '^\[root\] scenario boot finished, status 0$'
}

# name expected-status: every bad argument of every hypercall built so far.
BAD_TABLE="
unknown_13 3
unknown_255 3
assign_gsi_bad_flags 5
assign_gsi_empty_sel 4
assign_gsi_on_pt 4
assign_gsi_gsi_255 5
assign_gsi_cpu_63 7
create_pd_bad_parent 4
create_pd_taken_sel 4
create_pd_crd 6
create_pd_bad_flags 5
create_ec_bad_cpu 7
create_ec_kernel_utcb 5
create_ec_utcb_taken 5
create_ec_no_utcb 5
create_ec_vcpu VCPU
create_ec_bad_event_base 5
create_ec_sel_out_of_range 4
create_sc_prio_0 5
create_sc_prio_200 5
create_sc_ec_has_sc 5
create_sc_local_ec 5
create_sc_not_an_ec 4
create_sc_quantum_0 5
create_pt_global_ec 5
create_pt_bad_mtd 5
create_pt_kernel_ip 5
create_sm_bad_pd 4
create_sm_count_too_big 5
create_sm_sel_out_of_range 4
sm_ctrl_bad_subop 5
sm_ctrl_on_pt 4
sm_ctrl_empty_sel 4
pt_ctrl_on_sm 4
sc_ctrl_on_ec 4
ec_ctrl_bad_subop 5
ec_ctrl_on_sm 4
call_empty_sel 4
call_on_sm 4
reply_from_global_ec 5
machine_ctrl_bad_subop 5
machine_ctrl_status_200 5
"

@test "assign_gsi: COM1's interrupt (GSI 4) ups its semaphore, edge and level (2 pts)" {
    facet_status_table cpu2 gsi "
assign_com1 0
before_interrupt 1
com1_interrupt 0
assign_level 0
level_interrupt 0
level_again_after_down 0
revoke 0
"
}

@test "every bad hypercall argument returns its status code (4 pts)" {
    # a vCPU with a UTCB: BAD_PAR where the machine makes vCPUs (the HIP says so), else BAD_FTR
    local vcpu=6
    facet_vcpus cpu2 && vcpu=5
    facet_status_table cpu2 bad "${BAD_TABLE/create_ec_vcpu VCPU/create_ec_vcpu $vcpu}"
}

@test "after the bad hypercalls the kernel still works (1 pt)" {
    facet_grep cpu2 '^\[bad\] after all: create=0 up=0 down=0$'
}

@test "FPU/SSE registers survive preemption by another thread using them (2 pts)" {
    local line a b ia ib bad
    line=$(facet_grep cpu2 '^\[fpu\] two threads on one CPU: iterations a=[0-9]+ b=[0-9]+, interleaved a=[0-9]+ b=[0-9]+, mismatches=[0-9]+$')
    read -r a b ia ib bad < <(sed -E 's/[^0-9]+/ /g; s/^ //' <<<"${line#*CPU: }")
    echo "iterations $a $b, interleaved $ia $ib, mismatches $bad"
    [ "$a" -gt 0 ] && [ "$b" -gt 0 ] && [ $((ia + ib)) -gt 0 ] && [ "$bad" -eq 0 ]
}

@test "MTD_FPU: an exception's message carries the FPU state, its reply sets it, MXCSR's reserved bits cleared (QEMU and Bochs) (2 pts)" {
    local b
    for b in cpu1 cpu2 vmx; do
        facet_grep $b '^\[fpu\] MTD_FPU: the first use.s state yes, the thread.s XMM3 and MXCSR yes, the reply.s XMM3 yes, MXCSR.s reserved bits cleared yes$'
    done
}

@test "256 threads killed at their first dispatch (no startup portal) do not exhaust the kernel (2 pts)" {
    facet_grep cpu2 '^\[ec\] started 256 threads without a startup portal; the kernel is still here$'
    local n; n=$(tr -d '\r' < "$(facet_log cpu2)" | grep -c '^\[ec\] ec#[0-9]* (pd#1) killed: no startup portal at rip 0$')
    echo "$n threads reported killed"
    [ "$n" -eq 256 ]
}

@test "a truncated roottask ELF is reported, not run, and the machine powers off (1 pt)" {
    facet_grep truncated '^\[root\] cannot start the roottask: truncated: '
    [ "$(facet_status truncated)" = 120 ]
}

@test "a roottask module that is not an ELF is reported (1 pt)" {
    facet_grep notelf '^\[root\] cannot start the roottask: bad magic'
    [ "$(facet_status notelf)" = 120 ]
}

@test "a boot without modules is reported (1 pt)" {
    facet_grep nomods '^\[root\] cannot start the roottask: no boot modules'
    [ "$(facet_status nomods)" = 120 ]
}
