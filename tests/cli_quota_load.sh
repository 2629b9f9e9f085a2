#!/usr/bin/env bash
# tests/cli_quota_load.sh - under a cgroup CPU quota that allows fewer CPUs
# than the affinity mask holds (docker --cpus, systemd CPUQuota=), the load
# the bench names as a cause (machine.json cpu_used_by_others) is what the
# quota's own cgroup used beside the run (cgroup v2 cpu.stat usage_usec, v1
# cpuacct.usage), not the busy time of every CPU of the mask (issue 25, kind
# 3; scripts/load.sh, bin/cpus --quota-dir).  Fixture cgroup trees
# (GILBENCH_PROC_ROOT, GILBENCH_SYSFS_ROOT, as in tests/cli_cpus.sh).
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

CPUS="$BIN/cpus"
SPIN_PIDS=()
# stop_spins: kill the busy loops this test started.
stop_spins() {
    local p
    for p in "${SPIN_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    SPIN_PIDS=()
}
trap 'stop_spins; rm -rf "$TEST_TMP"' EXIT

# v2_tree ROOT QUOTA_STUDENT QUOTA_LAB: a cgroup v2 fixture, the process in
# /lab/student, cpu.max of both, usage_usec 0 in each cpu.stat.
v2_tree() {
    local root=$1
    mkdir -p "$root/proc/self" "$root/sys/fs/cgroup/lab/student"
    echo '0::/lab/student' >"$root/proc/self/cgroup"
    echo '30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw' >"$root/proc/self/mountinfo"
    echo "$2" >"$root/sys/fs/cgroup/lab/student/cpu.max"
    echo "$3" >"$root/sys/fs/cgroup/lab/cpu.max"
    printf 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n' | tee "$root/sys/fs/cgroup/lab/cpu.stat" \
        >"$root/sys/fs/cgroup/lab/student/cpu.stat"
}

# in_fixture ROOT CMD...: CMD with the fixture tree standing in for the system.
in_fixture() {
    local root=$1
    shift
    GILBENCH_PROC_ROOT="$root/proc" GILBENCH_SYSFS_ROOT="$root" "$@"
}

# load_in ROOT MACHINE_JSON SCRIPT: SCRIPT run by a shell that sourced the
# bench's load.sh (and experiments.sh's now_ms), after load_scope.
# shellcheck disable=SC2016 # the inner bash expands them
load_in() {
    in_fixture "$1" env BIN="$ROOT/$BIN" bash -c '
        set -euo pipefail
        source "$0/scripts/experiments.sh"
        source "$0/scripts/load.sh"
        load_scope "$1"
        eval "$2"' "$ROOT" "$2" "$3"
}

# ------------------------------------------------------------ bin/cpus --quota-dir
test_quota_dir() {
    local root="$TEST_TMP/v2"
    v2_tree "$root" '400000 100000' '100000 100000'
    run env GILBENCH_PROC_ROOT="$root/proc" GILBENCH_SYSFS_ROOT="$root" "$CPUS" --quota-dir
    expect_eq "cpus --quota-dir: the folder that sets the smallest quota (the parent's 1 CPU)" \
        "$(cat "$last_out")" "$root/sys/fs/cgroup/lab"
    echo 'max 100000' >"$root/sys/fs/cgroup/lab/cpu.max"
    run env GILBENCH_PROC_ROOT="$root/proc" GILBENCH_SYSFS_ROOT="$root" "$CPUS" --quota-dir
    expect_eq "cpus --quota-dir: the child's own 4 CPUs when the parent has none" \
        "$(cat "$last_out")" "$root/sys/fs/cgroup/lab/student"
    echo 'max 100000' >"$root/sys/fs/cgroup/lab/student/cpu.max"
    run env GILBENCH_PROC_ROOT="$root/proc" GILBENCH_SYSFS_ROOT="$root" "$CPUS" --quota-dir
    if [ "$last_status" -eq 0 ] && [ ! -s "$last_out" ]; then
        pass "cpus --quota-dir: nothing, exit 0, when no quota applies"
    else
        fail "cpus --quota-dir: nothing when no quota applies" "exit $last_status: $(head -c 200 "$last_out")"
    fi
    expect_help cpus "$CPUS" -- --quota-dir
}

# ------------------------------------------------------------ which CPUs count
# load_scope: the cgroup only when the quota allows fewer CPUs than the mask.
# shellcheck disable=SC2016 # load_in's shell expands them
test_scope() {
    local root="$TEST_TMP/scope" got
    v2_tree "$root" 'max 100000' '100000 100000'
    got=$(load_in "$root" '{"cpu_quota":1,"affinity_cpus":2}' 'echo "$LOAD_CGROUP"')
    expect_eq "quota 1 of a mask of 2: the quota's cgroup is the measure" "$got" "$root/sys/fs/cgroup/lab"
    got=$(load_in "$root" '{"cpu_quota":1.5,"affinity_cpus":1}' 'echo "[$LOAD_CGROUP]"')
    expect_eq "quota 1.5, a mask of 1 (taskset): the mask's CPUs are the measure" "$got" "[]"
    got=$(load_in "$root" '{"cpu_quota":null,"affinity_cpus":2}' 'echo "[$LOAD_CGROUP]"')
    expect_eq "no quota: the mask's CPUs are the measure" "$got" "[]"
    # cgroup v1: cpuacct.usage (ns) where cpuacct is mounted with cpu.
    mkdir -p "$TEST_TMP/v1"
    echo 2500000000 >"$TEST_TMP/v1/cpuacct.usage"
    got=$(load_in "$root" '{}' "cgroup_usage_usec '$TEST_TMP/v1'")
    expect_eq "cgroup v1 cpuacct.usage 2.5 s reads as 2500000 us" "$got" 2500000
}

# The example: another user's program keeps a CPU of the mask busy, outside
# the quota's cgroup, while the cgroup's own usage grows by what the run's
# neighbours in it use (here 2 CPU-seconds, written into the fixture).
test_others() {
    local root="$TEST_TMP/others" stat used
    v2_tree "$root" 'max 100000' '100000 100000'
    stat="$root/sys/fs/cgroup/lab/cpu.stat"
    sh -c 'while :; do :; done' &
    SPIN_PIDS+=($!)
    # shellcheck disable=SC2016 # the inner shell expands them
    used=$(load_in "$root" '{"cpu_quota":1,"affinity_cpus":2}' '
        b=$(cpu_ticks); sleep 1; a=$(cpu_ticks); echo "$(cpu_used_by_others "$b" "$a")"
        b=$(cpu_ticks); echo "usage_usec 2000000" >"'"$stat"'"; sleep 1; a=$(cpu_ticks)
        echo "$(cpu_used_by_others "$b" "$a") $b $a"')
    local quiet busy want
    quiet=$(sed -n 1p <<<"$used")
    read -r busy want < <(sed -n 2p <<<"$used" | awk -v hz="$(getconf CLK_TCK)" '{
        # 2 CPU-seconds over the wall time between the samples, less our own ticks.
        print $1, (2 - ($7 - $4) / hz) / (($5 - $2) / 1000) }')
    expect_eq "a busy loop outside the quota's cgroup is not counted (cgroup usage unchanged)" "$quiet" 0.00
    if awk -v v="$busy" -v w="$want" 'BEGIN { exit !(w > 1 && v >= w - 0.02 && v <= w + 0.02) }'; then
        pass "2 CPU-seconds used in the quota's cgroup count as $busy CPUs busy (2 s over the wall time between the samples)"
    else
        fail "2 CPU-seconds in the quota's cgroup" "cpu_used_by_others $busy, wanted $want"
    fi
}

# The bench under a fixture quota of 1 CPU on a machine of 2 or more, with a
# busy loop outside that cgroup (the mask's CPUs would count it): machine.json says no other
# program used the run's CPUs, and no lesson names the load.
test_bench() {
    local root="$TEST_TMP/bench" online run
    online=$(getconf _NPROCESSORS_ONLN)
    if [ "$online" -lt 2 ] || [ "$("$CPUS" --json | jq .affinity)" -lt 2 ]; then
        skip "bench under a quota of 1 CPU" "needs an affinity mask of 2 CPUs or more"
        return 0
    fi
    have_tools "bench under a quota of 1 CPU" hyperfine || return 0
    v2_tree "$root" 'max 100000' '100000 100000'
    sh -c 'while :; do :; done' &
    SPIN_PIDS+=($!)
    set +e
    in_fixture "$root" env PYTHON=none BIN="$ROOT/$BIN" timeout --kill-after=5 300 \
        bash "$ROOT/scripts/bench.sh" --tiny --only=refcount --no-plots "--results=$TEST_TMP/results" \
        >"$last_out" 2>"$last_err"
    last_status=$?
    set -e
    stop_spins
    run=$(find "$TEST_TMP/results" -mindepth 1 -maxdepth 1 -type d ! -name '.*' 2>/dev/null | head -n 1)
    if [ "$last_status" -eq 0 ] && [ -n "$run" ] &&
        jq -e '.cpu_quota == 1 and .usable_cpus == 1 and .cpu_used_by_others == 0' "$run/machine.json" >/dev/null; then
        pass "bench under a quota of 1 CPU, busy loops outside its cgroup: cpu_used_by_others 0"
    else
        fail "bench under a quota of 1 CPU: cpu_used_by_others 0" \
            "exit $last_status, $(jq -c '{cpu_quota, usable_cpus, cpu_used_by_others}' "$run/machine.json" 2>&1): $(grep -m 3 'bench:' "$last_err")"
    fi
    if grep -q 'load:' "$last_out"; then
        fail "bench under a quota: no lesson names the load" "$(grep 'load:' "$last_out" | head -n 2)"
    else
        pass "bench under a quota: no lesson names the load"
    fi
}

main() {
    have_tools "quota load" jq || return 0
    cd "$ROOT"
    test_quota_dir
    test_scope
    test_others
    test_bench
}

main "$@"
